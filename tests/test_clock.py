"""The suite's own clock: ``--clock`` really moves the machine's date.

So CI's runs at shifted dates test what they claim to test.
"""

from __future__ import annotations

from datetime import date

import pytest


def test_clock_option_moves_the_machine_date(pytestconfig: pytest.Config) -> None:
    """With ``--clock D`` the date reads D (or the day after, if the run crosses midnight)."""
    value = pytestconfig.getoption("--clock")
    if not value:
        pytest.skip("the suite runs on the real clock (CI also runs it with --clock)")
    delta = (date.today() - date.fromisoformat(value)).days
    assert 0 <= delta <= 1
