"""Writing files in one place: atomically, and never outside the allowed folder.

A write goes to a temporary file in the same folder, is flushed and fsynced, takes the
old file's permissions and is renamed over the target, so a crash leaves either the old
file or the new one, never half of either.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from pathway_cli.errors import UserError

__all__ = [
    "LOCK_TIMEOUT",
    "atomic_write",
    "ensure_inside",
    "held_lock",
    "inside",
    "make_output_folder",
    "refuse_private_area",
    "refuse_record_area",
    "remove_stale_temporaries",
    "sync_folder",
    "write_report",
]

# The files and folders a caseload's records live in (see FORMAT.md, Layout).
_RECORD_AREA = ("cases", "pathway.yaml", "mentors.yaml", "templates", "schemas")
# Folders no output may ever go into: pathway's own secrets and git's database.
_PRIVATE_AREA = (".pathway", ".git")
# Seconds an update waits for another update of the same case before it gives up.
LOCK_TIMEOUT = 30.0
# What tempfile.mkstemp makes for atomic_write: ".NAME." + 8 random characters + ".tmp".
_TEMPORARY_RE = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp")


def ensure_inside(path: Path, folder: Path) -> Path:
    """Refuse a path that would land outside ``folder`` (after resolving links and '..')."""
    resolved = path.resolve()
    base = folder.resolve()
    if resolved != base and base not in resolved.parents:
        raise UserError(f"refusing to write {path}: it is outside {folder}")
    return resolved


def inside(folder: Path, name: str) -> Path:
    """``ensure_inside(folder / name, folder)`` for ``folder`` already resolved and ``name``
    one plain file name, without resolving every part of the path again (a batch writes
    thousands of reports into one folder): only a link in the name's place is resolved."""
    path = folder / name
    if os.sep in name or (os.altsep and os.altsep in name) or name in {"", ".", ".."} \
            or path.is_symlink():
        return ensure_inside(path, folder)
    return path


def refuse_private_area(target: Path) -> None:
    """Refuse an output that would land in a ``.pathway/`` or ``.git/`` folder.

    ``.pathway/`` holds the pseudonym key (an export written over it would destroy the
    link between exports and could publish the key's replacement); ``.git/`` is git's own
    database. Checked on the resolved path, so a link cannot smuggle a write in.
    """
    try:
        parts = target.absolute().parts + target.resolve().parts
    except (OSError, RuntimeError):
        parts = target.absolute().parts
    found = next((p for p in parts if p in _PRIVATE_AREA), None)
    if found is not None:
        holds = "pathway's keys" if found == ".pathway" else "git's own data"
        raise UserError(
            f"refusing to write {target}: it is inside a {found}/ folder, which holds {holds}",
            hint="name a file or folder elsewhere, such as out/",
        )


def refuse_record_area(target: Path, root: Path | None) -> None:
    """Refuse an output (report, export, badge) that would land among the records.

    An export named like a record would replace it, and reports inside cases/ would be
    mixed with the records that validation reads. Outputs never go into ``.pathway/`` or
    ``.git/`` either (``refuse_private_area``).
    """
    refuse_private_area(target)
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


def make_output_folder(folder: Path) -> None:
    """Make the folder reports go into; a failing disk is a message, not a traceback."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot make the output folder {folder}: {exc.strerror}") from None


def write_report(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write one report file (or a batch's index) atomically; a failing disk is a message,
    not a traceback."""
    make_output_folder(path.parent)
    try:
        atomic_write(path, data, durable=durable)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None


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
    if path.is_dir():  # the rename would fail with the temporary file's name as the cause
        raise UserError(f"cannot write {path}: it is a folder; name a file in it instead")
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


# Locks this process holds, by file and thread: re-entrant within a thread, while two
# threads (each with its own descriptor, so flock tells them apart) exclude each other.
_HELD: dict[tuple[Path, int], FileLock] = {}


@contextlib.contextmanager
def held_lock(lock_file: Path, what: str, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the advisory lock ``lock_file`` (made if missing) while the block runs.

    Cooperating processes (every pathway update) wait for each other here: the lock is
    held from reading a file to renaming its new version over it, so no update can
    overwrite another one between its check and its write. Re-entrant within a process.
    ``what`` names the locked thing in the message when the wait times out.
    """
    path = lock_file.absolute()
    key = (path, threading.get_ident())
    if key in _HELD:
        yield
        return
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        ignore = path.parent / ".gitignore"
        if not ignore.exists():  # lock files are nobody's business in git status
            ignore.write_text("# pathway's update locks\n*\n", encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot make the lock folder {path.parent}: "
                        f"{exc.strerror or exc}") from None
    lock = FileLock(path, timeout=timeout, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        raise UserError(
            f"{what} is being updated by another pathway command; waited {timeout:g} s "
            "and gave up, nothing was written",
            hint="run the command again when the other update has finished",
        ) from None
    except OSError as exc:
        raise UserError(f"cannot lock {what} ({path}): {exc.strerror or exc}") from None
    _HELD[key] = lock
    try:
        yield
    finally:
        del _HELD[key]
        lock.release()


def remove_stale_temporaries(folder: Path, names: Callable[[str], bool]) -> list[Path]:
    """Remove temporary files ``atomic_write`` left behind for files ``names`` accepts.

    A process killed between writing its temporary file and renaming it leaves
    ``.NAME.xxxxxxxx.tmp``; call this only while holding the lock of the folder's
    writers, so that no temporary file in use can be taken for a stale one.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMPORARY_RE.fullmatch(entry.name)
        if match is None or not names(match.group("name")):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                Path(entry.path).unlink()
                removed.append(Path(entry.path))
    return removed


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
