"""Writing files in one place: atomically, and never outside the allowed folder.

A write goes to a temporary file in the same folder, is flushed and fsynced, takes the
old file's permissions and is renamed over the target, so a crash leaves either the old
file or the new one, never half of either.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from pathway_cli.errors import UserError

__all__ = ["atomic_write", "ensure_inside", "refuse_record_area", "sync_folder"]

# The files and folders a caseload's records live in (see FORMAT.md, Layout).
_RECORD_AREA = ("cases", "pathway.yaml", "mentors.yaml", "templates", "schemas")


def ensure_inside(path: Path, folder: Path) -> Path:
    """Refuse a path that would land outside ``folder`` (after resolving links and '..')."""
    resolved = path.resolve()
    base = folder.resolve()
    if resolved != base and base not in resolved.parents:
        raise UserError(f"refusing to write {path}: it is outside {folder}")
    return resolved


def refuse_record_area(target: Path, root: Path | None) -> None:
    """Refuse an output (report, export, badge) that would land among the records.

    An export named like a record would replace it, and reports inside cases/ would be
    mixed with the records that validation reads.
    """
    if root is None:
        return
    try:
        relative = target.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return
    if relative.parts and relative.parts[0] in _RECORD_AREA:
        raise UserError(
            f"refusing to write {target}: it is among the caseload's records "
            f"({relative.parts[0]}); name a folder such as {root / 'out'}"
        )


def atomic_write(
    path: Path,
    data: bytes,
    *,
    mode: int | None = None,
    precondition: Callable[[], None] | None = None,
    durable: bool = True,
) -> None:
    """Write ``data`` to ``path`` atomically, keeping the permissions of an existing file.

    ``precondition`` runs right before the rename; if it raises (for example because the
    file changed on disk since it was read), the write is abandoned and the file is left
    as it was. ``durable=False`` leaves out the fsyncs: still atomic (a reader sees the old
    file or the new one), for derived files such as reports that a batch syncs once at the
    end (``sync_folder``) and that can be made again from the records.
    """
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    if mode is None:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        tmp.chmod(mode)
        if precondition is not None:
            precondition()
        _replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if durable:
        _fsync_dir(folder)


def sync_folder(folder: Path) -> None:
    """Make the entries of ``folder`` durable (after a batch of ``durable=False`` writes)."""
    _fsync_dir(folder)


def _replace(source: Path, target: Path) -> None:
    """Rename ``source`` over ``target`` (a separate function so tests can inject a crash)."""
    source.replace(target)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
