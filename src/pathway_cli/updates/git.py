"""Committing an update with ``--commit``: exactly the update's own lines, as a patch
applied to HEAD in a scratch index, leaving everyone else's uncommitted changes alone.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from pathway_cli.caseload import Caseload
from pathway_cli.errors import UserError
from pathway_cli.updates.changes import Change, _shown


def _git(cwd: Path, *args: str, env: Mapping[str, str] | None = None,
         stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False,
                                input=stdin, env={**os.environ, **env} if env else None)
    except FileNotFoundError:
        raise UserError("--commit needs git, which is not installed here") from None
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode("utf-8", "replace"),
        result.stderr.decode("utf-8", "replace"))


def _git_root(caseload: Caseload, path: Path) -> Path:
    folder = caseload.root or path.parent
    result = _git(folder, "rev-parse", "--show-toplevel")
    if result.returncode != 0:
        raise UserError(
            f"--commit: {folder} is not in a git repository, so nothing was written",
            hint="leave out --commit, or run 'git init' in the caseload first",
        )
    return Path(result.stdout.strip())


def _byte_lines(raw: bytes) -> list[bytes]:
    """Lines as git counts them: split at LF only (a CR stays part of its line)."""
    lines = [line + b"\n" for line in raw.split(b"\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _patch_of(change: Change, name: str) -> bytes:
    """The change as a git patch with paths relative to the work tree."""
    old = _byte_lines(change.old) if change.old is not None else []
    before = b"/dev/null" if change.old is None else f"a/{name}".encode()
    header = f"diff --git a/{name} b/{name}\n".encode()
    if change.old is None:
        header += b"new file mode 100644\n"
    body = b""
    for line in difflib.diff_bytes(difflib.unified_diff, old, _byte_lines(change.new),
                                   before, f"b/{name}".encode(), lineterm=b"\n"):
        if line.startswith((b"---", b"+++")) and not body.count(b"@@"):
            body += line if line.endswith(b"\n") else line + b"\n"
            continue
        body += line if line.endswith(b"\n") else line + b"\n\\ No newline at end of file\n"
    return header + body


@contextlib.contextmanager
def _head_index(root: Path) -> Iterator[dict[str, str]]:
    """A scratch git index holding HEAD's tree: the base of a commit of one update only."""
    with tempfile.TemporaryDirectory(prefix="pathway-index-") as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        has_head = _git(root, "rev-parse", "--verify", "--quiet", "HEAD").returncode == 0
        _git(root, "read-tree", *(["HEAD"] if has_head else ["--empty"]), env=env)
        yield env


def _git_patch(root: Path, changes: Sequence[Change]) -> bytes:
    """The patch of exactly these changes; refused when it does not apply to HEAD.

    Committing the whole files would take a colleague's uncommitted lines in the same
    file along; a patch of the update's own lines, applied to HEAD, takes only those.
    """
    base = root.resolve()
    patch = b""
    for change in changes:
        try:
            name = change.path.resolve().relative_to(base).as_posix()
        except ValueError:
            raise UserError(f"--commit: {change.path} is outside the git work tree {root}; "
                            "nothing was written") from None
        patch += _patch_of(change, name)
    with _head_index(root) as env:
        check = _git(root, "apply", "--cached", "--check", "-", env=env, stdin=patch)
    if check.returncode != 0:
        names = ", ".join(_shown(c.path) for c in changes)
        raise UserError(
            f"--commit: {names} has uncommitted changes next to or under the lines this "
            "update changes (or is not committed yet), so the update cannot be committed on "
            "its own; nothing was written",
            hint="commit or stash those changes first, or leave out --commit",
        )
    return patch


def _git_commit(root: Path, patch: bytes, message: str) -> str:
    """Commit the patch on top of HEAD, leaving every other change (staged or not) alone."""
    with _head_index(root) as env:
        done = _git(root, "apply", "--cached", "-", env=env, stdin=patch)
        if done.returncode == 0:
            done = _git(root, "commit", "--quiet", "-m", message, env=env)
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise UserError(
            "the files are written but git could not commit them: "
            + (reason[-1] if reason else "unknown reason"),
            hint="commit them by hand (git config user.name / user.email may be missing)",
        )
    # The real index gets the same lines, so git status does not show them as undone.
    if _git(root, "apply", "--cached", "-", stdin=patch).returncode != 0:
        names = re.findall(rb"^diff --git a/(.*) b/", patch, flags=re.MULTILINE)
        _git(root, "reset", "--quiet", "--", *(n.decode() for n in names))
    return _git(root, "rev-parse", "--short", "HEAD").stdout.strip()
