"""Shared fixtures: the sample caseload, a CLI runner, and the shared specs folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pathway_cli.cli import app

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_cases"
SHARED = REPO.parent / "shared"
TODAY = "2026-11-23"


@pytest.fixture
def runner() -> CliRunner:
    """A CLI runner that keeps stdout and stderr apart."""
    return CliRunner()


@pytest.fixture
def sample(tmp_path: Path) -> Iterator[Path]:
    """A private copy of sample_cases that a test may change."""
    target = tmp_path / "caseload"
    shutil.copytree(SAMPLE, target)
    yield target


@pytest.fixture
def shared() -> Path:
    """The shared specs folder beside the repository; skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository (CI always has it)")
    return SHARED


__all__ = ["REPO", "SAMPLE", "SHARED", "TODAY", "app"]
