"""Shared fixtures: the sample caseload, a CLI runner, and the shared specs folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pathway_cli.cli import app

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_cases"
SHARED = REPO.parent / "shared"
TODAY = "2026-11-23"


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--clock YYYY-MM-DD`` runs the whole suite with the machine's clock set to that day."""
    parser.addoption(
        "--clock",
        default=os.environ.get("PATHWAY_TEST_CLOCK") or None,
        help="pretend the machine's clock says this day (YYYY-MM-DD); no test may notice",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Keep pathway's caches out of the repo and the home folder, even while collecting
    tests; start the time travel asked for by ``--clock`` before any test module is imported."""
    home = Path(tempfile.mkdtemp(prefix="pathway-test-cache-"))
    os.environ["XDG_CACHE_HOME"] = str(home)
    os.environ["PATHWAY_CACHE_DIR"] = str(home / "cases")
    config.add_cleanup(lambda: shutil.rmtree(home, ignore_errors=True))
    value = config.getoption("--clock")
    if not value:
        return
    import time_machine

    day = date.fromisoformat(value)
    traveller = time_machine.travel(f"{day.isoformat()}T09:30:00+00:00", tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


def pytest_report_header(config: pytest.Config) -> str | None:
    """Say in the header when the suite runs at a shifted clock."""
    value = config.getoption("--clock")
    return f"clock shifted to {value} (time-machine)" if value else None


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test has its own cache of loaded cases and user cache folder, outside the repo."""
    home = tmp_path_factory.mktemp("user-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.setenv("PATHWAY_CACHE_DIR", str(home / "cases"))
    monkeypatch.delenv("PATHWAY_NO_CACHE", raising=False)


@pytest.fixture
def runner() -> CliRunner:
    """A CLI runner that keeps stdout and stderr apart."""
    return CliRunner()


@pytest.fixture
def sample(tmp_path: Path) -> Iterator[Path]:
    """A private copy of sample_cases that a test may change."""
    target = tmp_path / "caseload"
    # .pathway/ holds local state of whoever ran pathway on the sample (keys, a cache).
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns(".pathway"))
    yield target


@pytest.fixture
def shared() -> Path:
    """The shared specs folder beside the repository; skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository (CI always has it)")
    return SHARED


__all__ = ["REPO", "SAMPLE", "SHARED", "TODAY", "app"]
