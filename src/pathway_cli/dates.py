"""Dates as records write them: the years pathway accepts (light, for option parsing)."""

from __future__ import annotations

__all__ = ["FIRST_YEAR", "LAST_YEAR"]

# Records are about people alive now; a year outside this range is a typing mistake (and
# would overflow the date arithmetic of reviews and alerts).
FIRST_YEAR, LAST_YEAR = 1900, 2999
