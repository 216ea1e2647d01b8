"""A cache of loaded cases, so that a caseload read again costs little more than a look at it.

Like beancount's pickle cache: a case folder that has not changed since it was last loaded is
taken from the cache instead of being parsed and checked against the models again. Entries
are of several kinds per case folder: ``case`` is the *loaded* case (its data, its models and
the problems met reading it); ``checked`` (``checked.py``) holds the results of ``validate``'s
rules that do not depend on the date, with a key that also covers the settings and the mentor
pool, and only the facts the date-dependent rules decide on: a result that depends on
``--today`` is never cached, it is computed on every run.

- **Key.** Each case's entry holds the fingerprint of its folder: the name, kind, size,
  ``mtime_ns``, ``ctime_ns`` and inode of every entry of the case folder and of its
  ``reviews/`` folder. ``ctime_ns`` is set by the kernel on every change of a file and cannot
  be set back by a program, so an edit that keeps the size and restores the mtime (``touch
  -d``, ``os.utime``) still changes the key. The entry also holds the fingerprint of pathway
  itself (its version and the size and mtime of each of its modules), so a new version, or
  an edited module in a development install, never reads an old entry.
- **Place.** ``.pathway/cache/`` in the caseload (git-ignored: ``init`` writes the line); the
  user's cache folder (``$XDG_CACHE_HOME/pathway``, else ``~/.cache/pathway``) where the
  caseload cannot be written or a case lies outside any caseload; ``PATHWAY_CACHE_DIR``
  names another folder. ``--no-cache`` or ``PATHWAY_NO_CACHE=1`` bypasses it.
- **Trust.** An entry is a pickle, and a pickle can run code when loaded, so each entry is
  signed with HMAC-SHA256 under a key of the user's own (``cache-key`` in the user's cache
  folder, mode 0600) and read only when the signature is right. A cache committed to the
  repository by someone else, copied from another machine, truncated or corrupt fails the
  check and is ignored and rebuilt: never a wrong answer, never someone else's code.
- **Writes** are atomic (a temporary file, then a rename) and need no fsync: a lost entry is
  rebuilt on the next run.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import io
import os
import pickle
import secrets
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pathway_cli

if TYPE_CHECKING:
    from pathway_cli.caseload import Case

__all__ = [
    "CaseCache",
    "cache_disabled",
    "case_key",
    "folder_fingerprint",
    "open_cache",
    "use_cache",
]

_DIGEST = hashlib.sha256
_SIG_BYTES = 32
Fingerprint = tuple[tuple[Any, ...], ...]


_ASKED = {"off": False}


def use_cache(enabled: bool) -> None:
    """Turn the cache on or off for this process (``pathway --no-cache``)."""
    _ASKED["off"] = not enabled


def cache_disabled() -> bool:
    """True when the user asked for no cache: ``--no-cache`` or ``PATHWAY_NO_CACHE=1``."""
    return _ASKED["off"] or os.environ.get("PATHWAY_NO_CACHE", "") not in ("", "0")


def _user_cache_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    return Path(base) / "pathway" if base else Path.home() / ".cache" / "pathway"


@functools.cache
def pathway_fingerprint() -> str:
    """pathway's version and the size and mtime of each of its modules and message catalogues
    (the report languages pathway has decide ``report-language-unknown``, a cached finding)."""
    package = Path(pathway_cli.__file__).parent
    parts = [pathway_cli.__version__]
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.po")]):
        with contextlib.suppress(OSError):
            info = path.stat()
            parts.append(f"{path.relative_to(package)}:{info.st_size}:{info.st_mtime_ns}")
    return _DIGEST("\n".join(parts).encode()).hexdigest()


def _secret(home: Path) -> bytes | None:
    """The user's signing key, made on first use; None where it cannot be kept."""
    path = home / "cache-key"
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".cache-key.", dir=home)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        try:
            os.link(tmp, path)  # exclusive: a key another process made first is kept
        except FileExistsError:
            pass
        finally:
            Path(tmp).unlink(missing_ok=True)
        return _read_secret(path)
    except OSError:
        return None


def _read_secret(path: Path) -> bytes | None:
    info = path.lstat()
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None  # a key others can read or write, or not ours: no cache at all
    key = path.read_bytes()
    return key if len(key) == 32 else None


def folder_fingerprint(folder: Path) -> Fingerprint | None:
    """Name, kind and stat of every entry of a case folder and of its reviews/ folder.

    None when the folder cannot be listed or an entry cannot be looked at (a broken or
    looping link): such a case is always loaded afresh.
    """
    rows: list[tuple[Any, ...]] = []
    scan = [("", os.fspath(folder))]
    try:
        while scan:  # the folder, then its reviews/ folder (if it is one)
            prefix, where = scan.pop()
            with os.scandir(where) as entries:
                for entry in entries:
                    # a folder is known from the listing itself (a link is followed, as stat
                    # does): only files cost a look at their inode
                    if entry.is_dir():
                        rows.append((prefix + entry.name, "d"))
                        if not prefix and entry.name == "reviews":
                            scan.append(("reviews/", entry.path))
                        continue
                    info = entry.stat()
                    if stat.S_ISDIR(info.st_mode):  # became a folder since it was listed
                        rows.append((prefix + entry.name, "d"))
                    else:
                        rows.append((prefix + entry.name, "f", info.st_size, info.st_mtime_ns,
                                     info.st_ctime_ns, info.st_ino))
    except (OSError, RuntimeError):
        return None
    rows.sort()
    return tuple(rows)


# File times come from the kernel's coarse clock, which advances by ticks of up to 10 ms: a
# file changed again within the same tick keeps its times. A case with a file changed within
# a tick or two of the moment its entry is written (by the same clock: the entry's own mtime)
# is not stored, as git treats "racily clean" files, so such a change is never missed.
_TICK_NS = 20_000_000


def case_key(found: Fingerprint, limit: int) -> Fingerprint:
    """The key of a case folder's entries (the loaded case, its facts, a report's): its
    fingerprint and ``max_record_bytes``, which decides which of its files were read."""
    return (*found, ("max_record_bytes", limit))


def _key(fingerprint: Fingerprint) -> bytes:
    """What an entry keeps of its fingerprint: a hash (the rows of a case with years of
    reviews made up most of a small entry, and every run read them). Hashed as a pickle,
    which writes the rows' names and numbers in less than half the time ``repr`` takes:
    equal bytes mean equal rows, and rows the same but pickled otherwise (a name shared
    between two rows) only cost a miss."""
    return _DIGEST(pickle.dumps(fingerprint, protocol=pickle.HIGHEST_PROTOCOL)).digest()


def _newest_change(fingerprint: Fingerprint) -> int:
    return max((row[4] for row in fingerprint if len(row) > 4), default=0)


class CaseCache:
    """Signed cache entries of loaded cases in one folder."""

    def __init__(self, folder: Path, secret: bytes) -> None:
        self.folder = folder
        self._place = os.fspath(folder)
        self._secret = secret
        self._made = False
        self.hits = 0
        self.misses = 0

    @staticmethod
    def _where(case_folder: Path) -> str:
        # Paths in a loaded case (and so in every message) are as the user named them, so an
        # entry is for one folder named one way: the same folder named otherwise has its own.
        named = os.fspath(case_folder)  # on strings: a warm run does this for every case
        return f"{os.path.join(os.getcwd(), named)}\0{named}"  # noqa: PTH109, PTH118

    def _entry(self, case_folder: Path, kind: str, where: str | None = None) -> str:
        where = self._where(case_folder) if where is None else where
        name = _DIGEST(where.encode()).hexdigest()[:32]
        return os.path.join(self._place, f"{name}.{kind}")  # noqa: PTH118

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, _DIGEST).digest()

    def get(self, case_folder: Path, fingerprint: Fingerprint) -> Case | None:
        """The cached case when its entry is ours, intact and of this exact folder state."""
        return self.get_value(case_folder, fingerprint, "case")  # type: ignore[no-any-return]

    def put(self, case_folder: Path, fingerprint: Fingerprint, case: Case) -> None:
        """Store a freshly loaded case; a failure to write only means no cache next time."""
        self.put_value(case_folder, fingerprint, case, "case")

    def get_value(self, case_folder: Path, fingerprint: Fingerprint, kind: str) -> Any:
        """The value of one kind (``case``: the loaded case) cached for a case folder, when its
        entry is ours, intact and of this exact folder state; None otherwise."""
        where = self._where(case_folder)
        blob = _read_entry(self._entry(case_folder, kind, where))
        if blob is None:
            self.misses += 1
            return None
        signature, payload = blob[:_SIG_BYTES], blob[_SIG_BYTES:]
        if len(signature) != _SIG_BYTES or not hmac.compare_digest(signature,
                                                                   self._sign(payload)):
            self.misses += 1
            return None
        try:
            version, folder, stored, value = pickle.loads(payload)  # noqa: S301 - signed above
        except Exception:  # any unreadable entry is simply rebuilt
            self.misses += 1
            return None
        if (version != pathway_fingerprint() or stored != _key(fingerprint)
                or folder != where):
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put_value(self, case_folder: Path, fingerprint: Fingerprint, value: Any,
                  kind: str) -> None:
        """Store a value of one kind for a case folder in the state ``fingerprint`` describes;
        a failure to write only means no cache next time."""
        try:
            where = self._where(case_folder)
            payload = _dumps((pathway_fingerprint(), where, _key(fingerprint), value))
        except Exception:  # an unpicklable value is just not cached
            return
        try:
            if not self._made:
                self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._made = True
            fd, tmp = tempfile.mkstemp(prefix=".entry.", suffix=".tmp", dir=self.folder)
            with os.fdopen(fd, "wb") as handle:
                handle.write(self._sign(payload) + payload)
                handle.flush()
                written = os.fstat(handle.fileno()).st_mtime_ns
            if _newest_change(fingerprint) > written - _TICK_NS:
                Path(tmp).unlink()  # racily clean: read it afresh next time
                return
            Path(tmp).replace(self._entry(case_folder, kind, where))
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                Path(tmp).unlink()


_READ_SIZE = 1 << 16


def _read_entry(path: str) -> bytes | None:
    """The bytes of an entry file; None when it cannot be read. A warm run reads thousands:
    ``os.read`` takes three system calls an entry where ``open()`` takes eight (a buffered
    file also asks whether it is a terminal and where it stands)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        chunk = os.read(fd, _READ_SIZE)
        if len(chunk) < _READ_SIZE:
            return chunk  # the whole entry: most are a few KiB
        chunks = [chunk]
        while chunk:
            chunk = os.read(fd, _READ_SIZE)
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


@functools.lru_cache(maxsize=4096)
def _path(text: str) -> Path:
    return Path(text)


class _Pickler(pickle.Pickler):
    """Paths go into an entry as text and come back shared: a case names each file in many
    places (its source, its findings), and rebuilding a Path is the dearest part of loading."""

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is type(_HERE):
            return _path, (str(obj),)
        return NotImplemented


_HERE = Path()


def _dumps(obj: Any) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buffer.getvalue()


def _writable(folder: Path) -> bool:
    probe = folder
    while not probe.exists():
        if probe.parent == probe:
            return False
        probe = probe.parent
    return probe.is_dir() and os.access(probe, os.W_OK | os.X_OK)


def open_cache(root: Path | None) -> CaseCache | None:
    """The cache for a caseload at ``root`` (None: cases outside a caseload), or None if off."""
    if cache_disabled():
        return None
    home = _user_cache_home()
    secret = _secret(home)
    if secret is None:
        return None
    override = os.environ.get("PATHWAY_CACHE_DIR")
    if override:
        folder = Path(override)
    elif root is not None and _writable(root / ".pathway") and not (root / ".pathway").is_symlink():
        folder = root / ".pathway" / "cache"
    else:
        where = str(root.absolute()) if root is not None else "no-caseload"
        folder = home / "caseloads" / _DIGEST(where.encode()).hexdigest()[:24]
    if folder.exists() and (folder.is_symlink() or not folder.is_dir()):
        return None
    return CaseCache(folder, secret)
