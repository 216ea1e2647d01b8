"""Command-line interface: ``pathway`` and ``python -m pathway_cli``."""

from __future__ import annotations

import os
import sys

# Command modules are imported on first use (cli/registry.py), not here.
from pathway_cli.cli.app import app, debug_enabled, err_console

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: run the app; an unexpected failure is reported without a traceback."""
    try:
        app()
    except BrokenPipeError:
        _quiet_broken_pipe()
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


def _quiet_broken_pipe() -> None:
    """The reader stopped early (``| head``): as for any Unix tool, that is not an error.

    stdout is pointed at /dev/null so that Python's final flush of the lost pipe cannot
    print 'Broken pipe' on the way out.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout to redirect (e.g. under a test runner)
        pass
    sys.exit(141)  # 128 + SIGPIPE, what a shell reports for a reader that went away
