"""Finding a caseload and the case folders a command names, without reading a record.

Kept apart from loading (``caseload``) so that a command answered from the cache of checked
cases (``checked``) finds its folders without importing the record models.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pathway_cli.errors import UserError
from pathway_cli.findings import Finding, Severity

__all__ = [
    "CASES_DIR",
    "MAX_TEMPLATE_ENTRIES",
    "MENTORS_FILE",
    "RECORD_FILES",
    "REVIEWS_DIR",
    "SETTINGS_FILE",
    "TEMPLATE_SUFFIX",
    "Located",
    "builtin_templates",
    "case_folder_around",
    "find_root",
    "locate",
    "resolved_path",
    "settings_digest",
    "stray_findings",
]

SETTINGS_FILE = "pathway.yaml"
MENTORS_FILE = "mentors.yaml"
CASES_DIR = "cases"
REVIEWS_DIR = "reviews"
# The record files of a case folder besides its reviews (caseload.CASE_FILES gives their models).
RECORD_FILES = ("learner.yaml", "assessment.yaml", "plan.yaml", "contract.yaml")
# A report template is <name>.md.j2, built in or in the caseload's own templates/ folder,
# which may hold at most this many entries (the renderer refuses more).
TEMPLATE_SUFFIX = ".md.j2"
MAX_TEMPLATE_ENTRIES = 10_000


def builtin_templates() -> Path:
    """The folder of pathway's own templates, page design and fonts."""
    from importlib import resources

    return Path(str(resources.files("pathway_cli.templates")))


def find_root(start: Path) -> Path | None:
    """Walk up from ``start`` to the folder that holds pathway.yaml or cases/."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file() or (folder / CASES_DIR).is_dir():
            return folder
    return None


def case_folder_around(start: Path) -> Path | None:
    """The case folder (cases/ID/) that ``start`` is in or below, if any."""
    here = resolved_path(start)
    for folder in (here, *here.parents):
        if folder.parent.name == CASES_DIR and _is_root(folder.parent.parent):
            return folder
    return None


def _is_root(folder: Path) -> bool:
    return (folder / SETTINGS_FILE).is_file() or (folder / CASES_DIR).is_dir()


def _case_root(case_folder: Path) -> Path | None:
    parent = case_folder.parent
    if parent.name == CASES_DIR:
        return parent.parent
    return None


@dataclass
class _Request:
    root: Path | None = None
    case_folders: list[Path] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    strays: list[Path] = field(default_factory=list)
    # how the case folders were found: listings of a cases/ folder, entries of those that
    # are links, and folders named one by one (or through a file)
    listings: int = 0
    links: list[str] = field(default_factory=list)
    named: int = 0

    @property
    def distinct(self) -> bool:
        """True when no two case folders can be one: one listing of one folder, no link in
        it (a folder has one name in its parent; only a link gives it another)."""
        return self.listings <= 1 and not self.links and not self.named


def _resolve_paths(paths: Sequence[Path]) -> _Request:
    request = _Request()
    if not paths:
        root = find_root(Path.cwd())
        if root is None:
            raise UserError(
                "no caseload found here or in any parent folder (a caseload has a "
                "pathway.yaml or a cases/ folder); give its path, or run 'pathway init'"
            )
        paths = [root]
    for given in paths:
        path = given
        if not path.exists():
            raise UserError(f"{given}: no such file or folder")
        if path.is_dir():
            if _is_root(path):
                request.root = request.root or path
                cases_dir = path / CASES_DIR
                if cases_dir.is_dir():
                    request.listings += 1
                    request.case_folders.extend(_case_dirs(cases_dir, request.strays,
                                                           request.links))
            elif path.name == CASES_DIR or any(
                (child / "learner.yaml").exists() for child in _subdirs(path)
            ):
                request.root = request.root or (path.parent if path.name == CASES_DIR else None)
                request.listings += 1
                request.case_folders.extend(_case_dirs(path, request.strays, request.links))
            elif (path / "learner.yaml").exists() or (path / REVIEWS_DIR).is_dir() or any(
                (path / name).exists() for name in RECORD_FILES
            ):
                request.root = request.root or _case_root(path)
                request.named += 1
                request.case_folders.append(path)
            else:
                raise UserError(
                    f"{given}: not a caseload, a cases/ folder or a case folder "
                    "(none of pathway.yaml, cases/ or learner.yaml is in it)"
                )
        else:
            request.files.append(path)
            if path.name in (SETTINGS_FILE, MENTORS_FILE):
                request.root = request.root or path.parent
                continue
            folder = path.parent.parent if path.parent.name == REVIEWS_DIR else path.parent
            request.root = request.root or _case_root(folder)
            request.named += 1
            request.case_folders.append(folder)
    return request


def _subdirs(folder: Path, others: list[Path] | None = None,
             links: list[str] | None = None) -> list[Path]:
    """The folders in ``folder`` (hidden ones left out); its other entries (files, links to
    nothing) are added to ``others`` and the names of folders that are links to ``links``,
    when given."""
    # by name, as Paths of one folder sort, but without comparing thousands of Paths
    names: list[str] = []
    other: list[str] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if not entry.name.startswith("."):
                    is_dir = _is_dir(entry)
                    (names if is_dir else other).append(entry.name)
                    if is_dir and links is not None and entry.is_symlink():
                        links.append(entry.name)
    except OSError:
        return []
    if others is not None:
        others.extend(folder / name for name in sorted(other))
    return [folder / name for name in sorted(names)]


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _case_dirs(cases_dir: Path, strays: list[Path], links: list[str]) -> list[Path]:
    return _subdirs(cases_dir, strays, links)


def stray_findings(strays: Sequence[Path]) -> list[Finding]:
    """A warning for each entry of cases/ that is not a case folder: a learner whose folder
    became a file (or a link to nothing) would otherwise vanish from every output unseen."""
    return [Finding(path, "file-unknown",
                    f"'{path.name}' in cases/ is not a folder, so no learner is read from it; "
                    "every learner's records are in a folder of their own in cases/ (move "
                    "other files out of cases/)", Severity.WARNING, line=1, column=1)
            for path in strays]


def resolved_path(path: Path) -> Path:
    """path.resolve(), or the absolute path where a link loops."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a looping link: take it as written
        return path.absolute()


@dataclass
class Located:
    """What a command's paths name: the caseload root, the case folders (each once, in
    order) and, when only record files were named, those files (resolved)."""

    root: Path | None
    case_folders: list[Path]
    only_files: frozenset[Path] | None
    # entries of cases/ that are not folders (files, links to nothing): warned about
    strays: tuple[Path, ...] = ()


def _identity(folder: Path) -> object:
    """What makes two named folders one: device and inode (one stat, where resolving the
    path costs a look at every folder above it), else the resolved path."""
    try:
        info = folder.stat()
    except OSError:
        return resolved_path(folder)
    return info.st_dev, info.st_ino


def locate(paths: Sequence[Path] = ()) -> Located:
    """The caseload, case folders and files named by ``paths`` (see CLI.md, Finding the
    caseload). Raises UserError only when a path does not exist or is not a caseload at all."""
    request = _resolve_paths(paths)
    folders: list[Path] = []
    if request.distinct:  # the usual run over a caseload: no stat of every case folder
        folders = request.case_folders
    else:
        seen: set[object] = set()
        for folder in request.case_folders:
            key = _identity(folder)
            if key not in seen:
                seen.add(key)
                folders.append(folder)
    only = None
    if request.files and not any(p.is_dir() for p in paths):
        only = frozenset(resolved_path(p) for p in request.files)
    return Located(request.root, folders, only, tuple(request.strays))


# pathway.yaml and mentors.yaml are hashed whole; larger ones are not (no cache then).
_SETTINGS_HASH_LIMIT = 16 * 2**20


def settings_digest(root: Path | None) -> str | None:
    """A hash of the bytes of pathway.yaml and mentors.yaml (and of which are absent); None
    when either is not a plain file (a link, a pipe) or cannot be read: no cache then."""
    if root is None:
        return "no caseload"
    digest = hashlib.sha256()
    for name in (SETTINGS_FILE, MENTORS_FILE):
        path = root / name
        try:
            info = path.lstat()
        except FileNotFoundError:
            digest.update(b"absent\0")
            continue
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode) or info.st_size > _SETTINGS_HASH_LIMIT:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        digest.update(b"%d\0" % len(data))
        digest.update(data)
    return digest.hexdigest()
