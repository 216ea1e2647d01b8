"""Reading one YAML record file safely and fast, and finding lines lazily.

The fast path is PyYAML's C parser with the safe constructor plus two cheap guards
(duplicate keys and bounded alias expansion). Node positions are only computed, by a
second parse, for files that have something to report.
"""

from __future__ import annotations

import functools
import gc
import os
import re
import stat
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pathway_cli.decoding import decode_record, position_of_offset
from pathway_cli.findings import Finding, KeyPath, Severity

__all__ = [
    "MAX_EXPANDED_NODES",
    "MAX_RECORD_BYTES",
    "RecordFileRefused",
    "Source",
    "expands_safely",
    "load_source",
    "parse_text",
    "place_findings",
    "read_record_bytes",
]

try:  # the C parser is 7x faster; fall back where libyaml is missing
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

# A normal record expands to a few hundred values; a "billion laughs" file to billions.
MAX_EXPANDED_NODES = 100_000
# A record of a year of weekly reviews is a few KiB; the default bound of pathway.yaml's
# max_record_bytes, so that a link to /dev/zero cannot read until memory runs out.
MAX_RECORD_BYTES = 1024 * 1024
# The most max_record_bytes may be: the bound for reading a cached file's text again.
_CACHED_READ_LIMIT = 256 * 1024 * 1024

_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class _Problem:
    rule: str
    message: str
    line: int
    column: int
    severity: Severity = Severity.ERROR


_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


class _GuardedLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader with a direct node walk, reporting duplicate keys as problems.

    PyYAML's generic constructor drives every node through generators and a state
    machine; records are plain maps, lists and scalars, so a direct recursive walk (with
    a memo by node, which keeps aliases shared and cycles finite) builds the same data
    for a fraction of the cost. Anything unusual (``!!set``, ``!!omap``, foreign tags)
    goes through the standard safe constructor, which refuses what it cannot build.
    """

    problems: list[_Problem]

    # Tag resolution is a pure function of the scalar text (the safe loader has no path
    # resolvers) and record files repeat the same keys and words endlessly, so a memo
    # saves most of the regular-expression matching the parser asks for.
    _resolved: dict[tuple[str, bool, bool], str] = {}  # noqa: RUF012 - a shared cache

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            key = (value, implicit[0], implicit[1])
            tag = self._resolved.get(key)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(self._resolved) < 100_000:
                    self._resolved[key] = tag
            return tag
        return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]

    def construct_document(self, node: Node) -> Any:
        return self._build(node, {})

    def _build(self, node: Node, memo: dict[int, Any]) -> Any:
        cls = node.__class__
        if cls is ScalarNode:
            if node.tag == _STR_TAG:
                return node.value
            constructor = self.yaml_constructors.get(node.tag) or self.yaml_constructors[None]
            return constructor(self, node)
        key = id(node)
        if key in memo:
            return memo[key]
        if cls is SequenceNode and node.tag == _SEQ_TAG:
            items: list[Any] = []
            memo[key] = items
            for child in node.value:
                items.append(self._build(child, memo))
            return items
        if cls is MappingNode and node.tag == _MAP_TAG:
            pairs = node.value
            if len(pairs) > 1:
                keys = {(k.tag, k.value) for k, _ in pairs if k.__class__ is ScalarNode}
                if len(keys) != len(pairs):
                    self._report_duplicates(node)  # type: ignore[arg-type]
            mapping: dict[Any, Any] = {}
            memo[key] = mapping
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG:
                    return self._build_merged(node, memo)  # type: ignore[arg-type]
                item_key = self._build(key_node, memo)
                if not isinstance(item_key, Hashable):
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        "found unhashable key", key_node.start_mark,
                    )
                mapping[item_key] = self._build(value_node, memo)
            return mapping
        return self.construct_object(node, deep=True)

    def _build_merged(self, node: MappingNode, memo: dict[int, Any]) -> Any:
        """A mapping with '<<' merge keys: let PyYAML flatten it, then build it."""
        self.flatten_mapping(node)
        mapping = memo[id(node)]
        mapping.clear()
        for key_node, value_node in node.value:
            mapping[self._build(key_node, memo)] = self._build(value_node, memo)
        return mapping

    def _report_duplicates(self, node: MappingNode) -> None:
        first_line: dict[tuple[str, str], int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            ident = (key_node.tag, key_node.value)
            mark = key_node.start_mark
            if ident in first_line:
                self.problems.append(
                    _Problem(
                        "yaml-duplicate-key",
                        f"the key '{key_node.value}' appears twice in the same block "
                        f"(first on line {first_line[ident]}); only one can be kept, so "
                        "remove or rename one of them",
                        mark.line + 1,
                        mark.column + 1,
                    )
                )
            else:
                first_line[ident] = mark.line + 1


def _guarded_timestamp(loader: _GuardedLoader, node: ScalarNode) -> Any:
    """Keep an impossible date such as 2027-13-15 as text: the model explains it."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_GuardedLoader.add_constructor("tag:yaml.org,2002:timestamp", _guarded_timestamp)


class _PositionLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Composes nodes for their positions only: no tag resolution (the costly part)."""

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        return "?"


@dataclass
class Source:
    """One record file: its text, the loaded data and the problems met while reading it."""

    path: Path
    text: str
    data: Any
    findings: list[Finding] = field(default_factory=list)
    # When the only fault is tabs used for indentation: the data read with the tabs taken
    # as spaces. Never used as the record, only to report the file's other problems too.
    recovered: Any = field(default=None, repr=False)
    _position_text: str | None = field(default=None, repr=False)
    _root: Node | None = field(default=None, repr=False)
    _composed: bool = field(default=False, repr=False)
    _lines: list[str] | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """True when the file could be read into data at all."""
        return not any(f.is_error for f in self.findings)

    def line_text(self, line: int) -> str:
        """The source line ``line`` (1-based), without its line ending."""
        if self._lines is None:
            self._lines = self.text.splitlines()
        if 1 <= line <= len(self._lines):
            return self._lines[line - 1]
        return ""

    def locate(self, key_path: KeyPath, on_key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``key_path``, or of the nearest parent.

        Parses the file a second time with node positions; done once per file and only
        for files that have findings.
        """
        if not self._composed:
            self._composed = True
            try:
                self._root = yaml.compose(self._position_text or self.text,
                                          Loader=_PositionLoader)
            except (yaml.YAMLError, RecursionError, ValueError):
                self._root = None
        node = self._root
        if node is None:
            return 1, 1
        target: Node = node
        key_node: Node | None = None
        for part in key_path:
            child, key_node = _child(target, part)
            if child is None:
                key_node = None
                break
            target = child
        mark = key_node.start_mark if (on_key and key_node is not None) else target.start_mark
        return mark.line + 1, mark.column + 1

    def place(self, finding: Finding) -> Finding:
        """Fill in line and column of a finding about this file from its key path."""
        if finding.line is not None or finding.key_path is None:
            return finding
        line, column = self.locate(finding.key_path, finding.on_key)
        return finding.at(line, column)

    def __getstate__(self) -> dict[str, Any]:
        # For the cache of loaded cases: the text is read again from the file if a message
        # needs a line of it, and the position tree is rebuilt if a finding needs placing.
        # The raw data is kept only for a file with errors (rules then read it instead of
        # the model); a well-formed file's data is parsed again if anything asks for it.
        state = self.__dict__.copy()
        if state.get("text"):  # an empty text (a file not read at all) stays empty
            state.pop("text")
        if self.ok:
            state.pop("data", None)
        state.update(_root=None, _composed=False, _lines=None)
        return state

    def __getattr__(self, name: str) -> Any:
        # Only called for a missing attribute: the text or data of a source from the cache.
        if name == "text":
            try:  # bounded: the file was within max_record_bytes when it was cached
                text = _decode(read_record_bytes(self.path, _CACHED_READ_LIMIT))[0] or ""
            except (OSError, RecordFileRefused):
                text = ""
            self.text = text
            return text
        if name == "data":
            try:
                data = parse_text(self.text)[0]
            except Exception:  # the cache said this file was well-formed; be safe anyway
                data = None
            self.data = data
            return data
        raise AttributeError(name)

    def forget_positions(self) -> None:
        """Drop the position tree (it is rebuilt if asked for again): it outweighs the data."""
        self._root = None
        self._composed = False


def place_findings(sources: dict[Path, Source], findings: list[Finding]) -> list[Finding]:
    """Place every finding at its line, one file at a time, in the order given.

    Each file's position tree is built once, used for all of its findings and dropped before
    the next file, so at most one tree is alive; the cyclic collector is paused meanwhile
    (the trees hold no cycles that outlive them), which keeps the work linear in the number
    of findings instead of rescanning every tree built so far.
    """
    by_file: dict[Path, list[int]] = {}
    for index, finding in enumerate(findings):
        by_file.setdefault(finding.file, []).append(index)
    placed = list(findings)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for file, indexes in by_file.items():
            source = sources.get(file)
            if source is None:
                continue
            for index in indexes:
                placed[index] = source.place(findings[index])
            source.forget_positions()
    finally:
        if was_enabled:
            gc.enable()
    return placed


def _child(node: Node, part: str | int) -> tuple[Node | None, Node | None]:
    if isinstance(node, MappingNode) and not isinstance(part, int):
        merged: list[Node] = []
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                if key_node.value == "<<":
                    merged.append(value_node)
                elif key_node.value == part:
                    return value_node, key_node
        for source in merged:
            for candidate in source.value if isinstance(source, SequenceNode) else [source]:
                found = _child(candidate, part)
                if found[0] is not None:
                    return found
    if isinstance(node, MappingNode) and isinstance(part, int):
        # A mapping keyed by numbers, e.g. {1: ...}; match the scalar text.
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == str(part):
                return value_node, key_node
    if isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part], None
    return None, None


def _decode(raw: bytes) -> tuple[str | None, _Problem | None]:
    text, problem = decode_record(raw)
    if problem is None:
        return text, None
    message, line, column = problem
    return None, _Problem("yaml-encoding", message, line, column)


def _expanded_size(data: Any) -> int | None:
    """Number of values after expanding aliases, or None for a self-referencing alias.

    Stops counting past MAX_EXPANDED_NODES. Shared sub-trees are counted once per use
    but walked once, so a billion-laughs file costs a few dozen steps here.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(obj: Any) -> int:
        if isinstance(obj, dict):
            children: Any = [*obj.keys(), *obj.values()]
        elif isinstance(obj, list):
            children = obj
        else:
            return 1
        ident = id(obj)
        if ident in sizes:
            return sizes[ident]
        if ident in active:
            raise _CycleError
        active.add(ident)
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_EXPANDED_NODES:
                break
        active.discard(ident)
        sizes[ident] = total
        return total

    try:
        return size(data)
    except _CycleError:
        return None


def expands_safely(data: Any) -> bool:
    """True when ``data`` neither refers to itself nor expands past MAX_EXPANDED_NODES."""
    try:
        size = _expanded_size(data)
    except RecursionError:
        return False
    return size is not None and size <= MAX_EXPANDED_NODES


class _CycleError(Exception):
    pass


_ALIAS_RE = re.compile(r"\*[^\s,\[\]{}]")


def _alias_line(text: str) -> tuple[int, int]:
    """Where the aliases go wrong: the alias that refers to a block it is inside, or the
    alias at which the expanded values pass MAX_EXPANDED_NODES (not merely the first one).
    """
    try:
        found = _culprit_alias(text)
    except (yaml.YAMLError, RecursionError, ValueError):
        found = None
    if found is not None:
        return found
    match = _ALIAS_RE.search(text)
    if match is None:
        return 1, 1
    return position_of_offset(text, match.start())


def _culprit_alias(text: str) -> tuple[int, int] | None:
    """Walk the parser's events counting expanded values, as ``_expanded_size`` does."""
    sizes: dict[str, int] = {}
    # open collections: [anchor, values so far]
    stack: list[list[Any]] = []
    total = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.AliasEvent):
            name = event.anchor or ""
            mark = event.start_mark
            size = sizes.get(name, 1)
            total += size
            if stack:
                stack[-1][1] += size
            loops = any(frame[0] == name for frame in stack)
            if (loops or total > MAX_EXPANDED_NODES) and mark is not None:
                return mark.line + 1, mark.column + 1
        elif isinstance(event, yaml.ScalarEvent):
            total += 1
            if stack:
                stack[-1][1] += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            total += 1
            stack.append([event.anchor, 1])
        elif isinstance(event, yaml.CollectionEndEvent) and stack:
            anchor, size = stack.pop()
            if anchor is not None:
                sizes[anchor] = size
            if stack:
                stack[-1][1] += size
    return None


def parse_text(text: str) -> tuple[Any, list[_Problem]]:
    """Parse YAML text into data; problems come back as values, never as exceptions."""
    loader = _GuardedLoader(text)
    loader.problems = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        return None, [*loader.problems, _yaml_problem(exc, text)]
    except yaml.reader.ReaderError as exc:
        line, column = position_of_offset(text, exc.position)
        return None, [
            _Problem(
                "yaml-syntax",
                f"the file contains a character that YAML does not allow "
                f"(code {exc.character!r}); delete it or retype the text around it",
                line,
                column,
            )
        ]
    except yaml.YAMLError as exc:
        return None, [_Problem("yaml-syntax", f"the file is not valid YAML: {exc}", 1, 1)]
    except RecursionError:
        return None, [
            _Problem(
                "yaml-too-deep",
                "the file nests lists or blocks too deeply to be a record; check the brackets",
                1,
                1,
            )
        ]
    except (ValueError, TypeError, OverflowError) as exc:
        return None, [_Problem("yaml-syntax", f"a value could not be read: {exc}", 1, 1)]
    finally:
        loader.dispose()
    problems = loader.problems
    if "*" in text:  # no asterisk, no alias: skip the walk on the fast path
        try:
            expanded = _expanded_size(data)
        except RecursionError:
            expanded = MAX_EXPANDED_NODES + 1
        if expanded is None or expanded > MAX_EXPANDED_NODES:
            line, column = _alias_line(text)
            reason = (
                "an alias refers to the block that contains it, so it never ends"
                if expanded is None
                else f"its aliases (*name) expand to more than {MAX_EXPANDED_NODES:,} values"
            )
            problems.append(
                _Problem(
                    "yaml-alias-bomb",
                    f"this file cannot be a record: {reason}; write the values out or "
                    "reuse an anchor only a few times",
                    line,
                    column,
                )
            )
            data = None
    return data, problems


_FRIENDLY = [
    ("found character '\\t'", "a tab character is used for indentation; YAML needs spaces"),
    ("found a tab character that violates indentation",
     "a tab character is used for indentation; YAML needs spaces"),
    ("could not determine a constructor for the tag", "UNSUPPORTED_TAG"),
    ("found undefined alias", "an alias (*name) refers to an anchor (&name) that is not defined"),
    ("mapping values are not allowed here", "a colon is in the wrong place (text with ': ' "
     "inside a value needs quotes, or the indentation is off)"),
    ("did not find expected key", "the indentation is off or a bracket/quote is not closed"),
    ("did not find expected ',' or ']'", "a list in [brackets] is not closed with ']'"),
    ("did not find expected ',' or '}'", "a block in {braces} is not closed with '}'"),
    ("found unexpected end of stream", "the file ends inside a quote or bracket; close it"),
    ("but found another document", "the file holds more than one document ('---'); "
     "keep one record per file"),
    ("found unhashable key", "a list or block is used as a key; keys must be plain words"),
]


_TAB_MESSAGE = "this is not valid YAML: " + _FRIENDLY[0][1]
_LEADING_WHITESPACE = re.compile(r"^[ \t]+", re.MULTILINE)


def _spaces_for_tabs(match: re.Match[str], spaces: str) -> str:
    return match.group(0).replace("\t", spaces)


def _recover_from_tabs(source: Source) -> None:
    """Read a file indented with tabs as if they were spaces, to find its other problems.

    The file stays unreadable as a record (the tab finding stands); the data read this
    way only lets validation report what else is wrong in the same run.
    """
    for width in (2, 4, 8):
        spaces = " " * width
        text = _LEADING_WHITESPACE.sub(
            functools.partial(_spaces_for_tabs, spaces=spaces), source.text)
        data, problems = parse_text(text)
        if not problems and isinstance(data, dict):
            source.recovered = data
            source._position_text = text
            return


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str) -> _Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    raw = f"{exc.context or ''} {exc.problem or ''}".strip()
    rule = "yaml-syntax"
    message = f"this is not valid YAML: {raw}"
    if (
        mark is not None
        and "cannot start any token" in raw
        and 0 <= mark.index < len(text)
        and text[mark.index] == "\t"
    ):
        raw = "found character '\\t'"
    for needle, friendly in _FRIENDLY:
        if needle in raw:
            if friendly == "UNSUPPORTED_TAG":
                rule = "yaml-tag"
                found = re.search(r"for the tag '([^']*)'", raw)
                tag = found.group(1) if found else "used here"
                tag = tag.replace("tag:yaml.org,2002:", "!!")
                message = (
                    f"the tag {tag} is not allowed in records; remove it and write a plain "
                    "value"
                )
            else:
                message = f"this is not valid YAML: {friendly}"
            break
    return _Problem(rule, message, line, column)


def _as_finding(path: Path, problem: _Problem) -> Finding:
    return Finding(
        file=path,
        rule=problem.rule,
        message=problem.message,
        severity=problem.severity,
        line=problem.line,
        column=problem.column,
    )


class RecordFileRefused(Exception):
    """A record file that is not read at all: not a regular file, or too large."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


def read_record_bytes(path: Path, limit: int = MAX_RECORD_BYTES) -> bytes:
    """The bytes of a record file: a regular file (after links) of at most ``limit`` bytes.

    Raises ``RecordFileRefused`` for a device, a pipe or a folder (git can carry a link
    to /dev/zero) and for a file above the bound; reads at most ``limit + 1`` bytes
    whatever the file claims its size is. OSError passes through.
    """
    with path.open("rb", buffering=0) as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise RecordFileRefused(
                "file-not-regular",
                "this is not a plain file (a device, pipe or folder, perhaps through a "
                "link), so it is not read; replace it with the record itself",
            )
        # Read what the file says it holds (a buffer of the bound for every small record
        # would cost more than the parse), then go on in chunks in case it said too little.
        raw = handle.read(min(status.st_size, limit) + 1) or b""
        if len(raw) > status.st_size:
            parts = [raw]
            total = len(raw)
            while total <= limit:
                chunk = handle.read(64 * 1024)
                if not chunk:
                    break
                parts.append(chunk)
                total += len(chunk)
            raw = b"".join(parts)
    if len(raw) > limit:
        raise RecordFileRefused(
            "file-too-large",
            f"this file is larger than {limit:,} bytes, far more than a record holds, so "
            "it is not read; split it or raise max_record_bytes in pathway.yaml",
        )
    return raw


def load_source(path: Path, raw: bytes | None = None,
                limit: int = MAX_RECORD_BYTES) -> Source:
    """Read and parse one record file. Never raises for bad content."""
    if raw is None:
        try:
            raw = read_record_bytes(path, limit)
        except RecordFileRefused as refused:
            return Source(path, "", None, [Finding(path, refused.rule, refused.message,
                                                   line=1, column=1)])
        except OSError as exc:
            return Source(
                path,
                "",
                None,
                [Finding(path, "file-unreadable", f"cannot read this file: {exc.strerror}",
                         line=1, column=1)],
            )
    text, problem = _decode(raw)
    if text is None:
        assert problem is not None  # noqa: S101 - _decode returns one or the other
        return Source(path, "", None, [_as_finding(path, problem)])
    data, problems = parse_text(text)
    source = Source(path, text, data, [_as_finding(path, p) for p in problems])
    if problems and all(p.message == _TAB_MESSAGE for p in problems):
        _recover_from_tabs(source)
    if not problems and data is None and not text.strip():
        source.findings.append(
            Finding(path, "yaml-empty", "this file is empty; fill it in or delete it",
                    line=1, column=1)
        )
    elif data is not None and not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        source.findings.append(
            Finding(
                path,
                "yaml-not-mapping",
                f"a record must be a set of 'key: value' lines, but this file holds {kind}",
                line=1,
                column=1,
            )
        )
        source.data = None
    elif isinstance(data, dict) and any(not isinstance(k, Hashable) for k in data):
        source.data = None  # pragma: no cover - the constructor refuses these already
    return source
