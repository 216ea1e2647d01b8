"""Command-line interface: ``pathway`` and ``python -m pathway_cli``."""

from __future__ import annotations

import sys

# Command modules are imported on first use (cli/registry.py), not here.
from pathway_cli.cli.app import app, debug_enabled, err_console

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: run the app; an unexpected failure is reported without a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        err_console().print("interrupted")
        sys.exit(130)
    except Exception as exc:  # last resort: a bug, never bad input
        if debug_enabled():
            raise
        err_console().print(
            f"[bold red]internal error:[/] {type(exc).__name__}: {exc}\n"
            "This is a bug in pathway, not in your records. Run again with PATHWAY_DEBUG=1 "
            "for details and report it."
        )
        sys.exit(1)
