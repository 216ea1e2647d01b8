"""Charts of the evaluation report, drawn by matplotlib as SVG documents.

Only ``pathway evaluate --report html|pdf`` imports this module (matplotlib takes about
half a second to import). Every chart has a title, labelled axes and its numbers
written on it; a suppressed cell ("<5") is left out of the drawing and named as such.
The SVG is deterministic (no date, fixed ids), so the same figures give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib as mpl

mpl.use("Agg")
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure

__all__ = ["Bar", "Interval", "Stack", "bar_chart", "interval_chart", "stacked_chart"]

NAVY = "#1f3a5f"
PALETTE = ("#1f3a5f", "#3f7cac", "#95b8d1", "#e0a458", "#c8553d", "#7a9e7e", "#b8b8b8")
_WIDTH = 6.6  # inches: the text width of the A4 page


@dataclass(frozen=True)
class Bar:
    """One bar: a share (0-1) with its label, or None when suppressed or empty."""

    label: str
    share: float | None
    note: str  # "22 of 23", "<5", "no reviews due"


@dataclass(frozen=True)
class Interval:
    """A median with its quartiles (None when suppressed or not measured)."""

    label: str
    median: float | None
    q1: float | None
    q3: float | None
    note: str


@dataclass(frozen=True)
class Stack:
    """One stacked bar: counts by category (None when suppressed)."""

    label: str
    counts: tuple[int, ...] | None
    note: str


def _figure(rows: int) -> tuple[MplFigure, Axes]:
    plt.rcParams.update({
        "svg.hashsalt": "pathway",  # fixed element ids: the same chart gives the same bytes
        "font.size": 9,
        "axes.titlesize": 11,
        "axes.titleweight": "bold",
        "axes.titlecolor": NAVY,
        "axes.spines.top": False,
        "axes.spines.right": False,
    })
    fig, ax = plt.subplots(figsize=(_WIDTH, 1.1 + 0.42 * max(rows, 1)))
    return fig, ax


def _svg(fig: MplFigure) -> str:
    buffer = io.StringIO()
    fig.tight_layout()
    # "tight" keeps a legend placed under the axes inside the picture.
    fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def bar_chart(title: str, bars: Sequence[Bar], xlabel: str, ylabel: str) -> str:
    """Horizontal bars of shares (0-100%), each labelled with its share and count."""
    fig, ax = _figure(len(bars))
    labels = [b.label for b in bars]
    values = [(b.share or 0.0) * 100 for b in bars]
    positions = list(range(len(bars)))
    ax.barh(positions, values, color=NAVY, height=0.6)
    for y, bar in zip(positions, bars, strict=True):
        text = bar.note if bar.share is None else f"{bar.share * 100:.0f}%  ({bar.note})"
        x = (bar.share or 0.0) * 100
        inside = x > 70
        ax.text(x - 1 if inside else x + 1, y, text, va="center",
                ha="right" if inside else "left", color="white" if inside else "black")
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left")
    return _svg(fig)


def interval_chart(title: str, rows: Sequence[Interval], xlabel: str,
                   line: float | None = None, line_label: str = "") -> str:
    """Medians as dots with quartile ranges as bars, each labelled with its numbers."""
    fig, ax = _figure(len(rows) + 1)
    positions = list(range(len(rows)))
    top = max([r.q3 for r in rows if r.q3 is not None] + [line or 0.0, 1.0])
    for y, row in zip(positions, rows, strict=True):
        if row.median is None or row.q1 is None or row.q3 is None:
            ax.text(0, y, f"  {row.note}", va="center", ha="left", color="#555555")
            continue
        ax.plot([row.q1, row.q3], [y, y], color=PALETTE[2], linewidth=9,
                solid_capstyle="butt")
        ax.plot([row.median], [y], "o", color=NAVY, markersize=8)
        ax.text(row.median, y - 0.3,
                f"median {row.median:g} days (quartiles {row.q1:g} to {row.q3:g}); "
                f"{row.note}", va="bottom", ha="left", fontsize=8)
    if line is not None:
        ax.axvline(line, color=PALETTE[4], linestyle="--", linewidth=1)
        ax.text(line, len(rows) - 0.5, f" {line_label}", color=PALETTE[4], ha="left",
                va="center", fontsize=8)
    ax.set_yticks(positions, [r.label for r in rows])
    ax.set_ylim(len(rows) - 0.3, -0.8)
    ax.set_xlim(0, top * 1.6)
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left")
    return _svg(fig)


def stacked_chart(title: str, stacks: Sequence[Stack], categories: Sequence[str],
                  xlabel: str, ylabel: str) -> str:
    """Horizontal stacked bars of counts, each segment labelled with its count."""
    fig, ax = _figure(len(stacks) + 1)
    positions = list(range(len(stacks)))
    lefts = [0] * len(stacks)
    drawn = False
    for index, category in enumerate(categories):
        widths = [(s.counts[index] if s.counts else 0) for s in stacks]
        if not any(widths):
            continue
        drawn = True
        color = PALETTE[index % len(PALETTE)]
        ax.barh(positions, widths, left=lefts, height=0.6, color=color, label=category)
        for y, (left, width) in enumerate(zip(lefts, widths, strict=True)):
            if width:
                ax.text(left + width / 2, y, str(width), va="center", ha="center",
                        color="white" if index in (0, 1, 4) else "black")
        lefts = [a + b for a, b in zip(lefts, widths, strict=True)]
    for y, stack in enumerate(stacks):
        ax.text(lefts[y], y, f"  {stack.note}", va="center", ha="left")
    ax.set_yticks(positions, [s.label for s in stacks])
    ax.invert_yaxis()
    ax.set_xlim(0, max([*lefts, 1]) * 1.45)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left")
    if drawn:
        # Under the axis label, in one or two rows: never over a bar or its note.
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3 - 0.6 / (len(stacks) + 2)),
                  frameon=False, fontsize=8, ncol=min(len(categories), 5))
    return _svg(fig)
