"""Errors that stop a command, with words for the user.

Findings are values and never raised; these are for "cannot go on": a path that does
not exist, a refused update, a report refused for lack of consent. The CLI turns each
into a message on stderr and exit code 1.
"""

from __future__ import annotations

__all__ = ["UserError"]


class UserError(Exception):
    """Something the user can fix; ``str(error)`` is the sentence to show them."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
