"""``YamlText``: one record file edited in place by splicing new text in at the positions
the parser reports, in the file's own layout (indentation, list style, comments).
"""

from __future__ import annotations

import codecs
import contextlib
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pathway_cli.editing.data import (
    _MAX_DEPTH,
    EditError,
    _child,
    _copy,
    _depth,
    _dotted,
    _is_flow,
    _Loader,
    _lookup,
    _nest,
    _position,
    _same,
    _short,
    _Unreadable,
    _with_deleted,
    _with_set,
)
from pathway_cli.editing.emitting import _NULL_TAG, _inline, _literal, _needs_block, _plain_key
from pathway_cli.findings import KeyPath

__all__ = [
    "FieldOrder",
    "YamlText",
]

# The field order of the mapping at a key path, to put a new key in its usual place.
FieldOrder = Callable[[KeyPath], Sequence[str]]

_INDENT = 2  # used when the file shows no indentation of its own
_FLOW_ITEM_WIDTH = 100  # a new list item wider than this is written as a block
_COMMENT_AFTER = re.compile(r"( +)(#.*)$")
_PROPERTY = re.compile(r"[&!]\S*\s+")


def _no_order(_path: KeyPath) -> Sequence[str]:
    return ()


class YamlText:
    """The text of one YAML record file, edited in place by splicing.

    ``raw`` is the file's bytes; ``name`` is used in messages. ``encode()`` gives the
    bytes back, with the original BOM and line endings.
    """

    def __init__(self, raw: bytes, name: str = "<file>") -> None:
        self.name = name
        self.bom = raw.startswith(codecs.BOM_UTF8)
        try:
            self.text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise EditError(f"{name}: not UTF-8 text; save it as UTF-8 first") from None
        self.newline = "\r\n" if "\r\n" in self.text else "\n"
        # parse results of the current text, so that a run of edits parses each text once
        self._parsed: tuple[str, Node | None, Any] | None = None

    # --- reading --------------------------------------------------------------------------

    def encode(self) -> bytes:
        """The file's bytes, with its BOM if it had one."""
        body = self.text.encode("utf-8")
        return codecs.BOM_UTF8 + body if self.bom else body

    def data(self) -> Any:
        """The document as plain data (what the loader reads); a copy the caller may change."""
        return _copy(self._data())

    def _data(self) -> Any:
        return self._parse()[1]

    def _parse(self) -> tuple[Node | None, Any]:
        """The node tree and the data of the current text, parsed once per text."""
        if self._parsed is None or self._parsed[0] is not self.text:
            loader = _Loader(self.text)
            try:
                root = loader.get_single_node()
                data = loader.construct_document(root) if root is not None else None
            except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
                # PyYAML raises plain ValueErrors too (an impossible date, a 5,000-digit
                # number), and a deeply nested file exhausts the recursion limit.
                raise EditError(
                    f"{self.name}: not valid YAML, so it cannot be updated safely "
                    f"({_short(exc)})",
                    hint="run 'pathway validate' to see where, and fix the file by hand first",
                ) from None
            finally:
                loader.dispose()
            if _depth(data) > _MAX_DEPTH:
                raise EditError(
                    f"{self.name}: nests blocks or lists more than {_MAX_DEPTH} deep, which no "
                    "record does; fix the file by hand first",
                    hint="run 'pathway validate' to see where",
                )
            self._parsed = (self.text, root, data)
        return self._parsed[1], self._parsed[2]

    def get(self, path: KeyPath, default: Any = None) -> Any:
        """The value at ``path``, or ``default`` when a part of the path is missing."""
        found, value = _lookup(self._data(), path)
        return _copy(value) if found else default

    # --- editing --------------------------------------------------------------------------

    def set(self, path: KeyPath, value: Any, order: FieldOrder = _no_order) -> bool:
        """Set the value at ``path``; return False when it already had that value."""
        if not path:
            raise EditError("an empty key path addresses the whole file")
        before = self._data()
        found, current = _lookup(before, path)
        if found and _same(current, value):
            return False
        expected = _with_set(before, path, value)
        with self._undo_on_error():
            self._splice_set(path, value, order)
            self._check(expected, path)
        return True

    def delete(self, path: KeyPath) -> bool:
        """Remove the key at ``path`` with its value; return False when it is not there."""
        before = self._data()
        found, _ = _lookup(before, path)
        if not found or not path or isinstance(path[-1], int):
            return False
        expected = _with_deleted(before, path)
        with self._undo_on_error():
            self._splice_delete(path)
            self._check(expected, path)
        return True

    def append(self, path: KeyPath, item: Any, order: FieldOrder = _no_order) -> None:
        """Append ``item`` to the list at ``path``; a missing or empty value becomes a list."""
        before = self._data()
        found, current = _lookup(before, path)
        if found and current is not None and not isinstance(current, list):
            raise EditError(f"{self.name}: '{_dotted(path)}' is not a list, so nothing can be "
                            "added to it")
        if not found or current is None:
            self.set(path, [item], order)
            return
        expected = _with_set(before, path, [*current, item])
        node = self._node(path)
        assert isinstance(node, SequenceNode)  # noqa: S101 - the data said it is a list
        parent = self._node(path[:-1]) if path else None
        with self._undo_on_error():
            self._splice_append(node, item, parent, path)
            self._check(expected, path)

    # --- splicing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _undo_on_error(self) -> Iterator[None]:
        """Put the text back as it was when an edit fails half-way."""
        text = self.text
        try:
            yield
        except BaseException:
            self.text = text
            raise

    def _root(self) -> Node | None:
        return self._parse()[0]

    def _node(self, path: KeyPath) -> Node:
        node = self._root()
        for part in path:
            child = _child(node, part) if node is not None else None
            if child is None:
                raise EditError(f"{self.name}: '{_dotted(path)}' is not there")
            node = child[1]
        assert node is not None  # noqa: S101 - an empty path on an empty file is refused
        return node

    def _check(self, expected: Any, path: KeyPath) -> None:
        """Refuse the edit unless the new text holds exactly the expected data."""
        try:
            after = self._data()
        except EditError:
            after = _Unreadable()
        if not _same(after, expected):
            raise EditError(
                f"{self.name}: '{_dotted(path)}' cannot be changed here without disturbing "
                "the rest of the file; change it by hand",
            )

    def _replace(self, start: int, end: int, new: str) -> None:
        self.text = self.text[:start] + new + self.text[end:]

    def _splice_set(self, path: KeyPath, value: Any, order: FieldOrder) -> None:
        node = self._root()
        if node is None:
            self._append_to_empty(path, value)
            return
        parent: Node | None = None
        key_node: Node | None = None
        for depth, part in enumerate(path):
            if isinstance(node, ScalarNode) and node.tag == _NULL_TAG and parent is not None:
                # `programme:` with nothing under it yet
                self._fill_null(node, _nest(path[depth:], value), key_node, _is_flow(parent))
                return
            child = _child(node, part)
            if child is None:
                if not isinstance(node, MappingNode) or isinstance(part, int):
                    raise EditError(f"{self.name}: '{_dotted(path[:depth + 1])}' is not there")
                rest = _nest(path[depth + 1:], value)
                self._insert_key(node, str(part), rest, order(path[:depth]))
                return
            parent, (key_node, node) = node, child
        assert parent is not None  # noqa: S101 - the path is not empty
        self._replace_value(parent, key_node, node, value, path)

    def _append_to_empty(self, path: KeyPath, value: Any) -> None:
        if isinstance(path[0], int):
            raise EditError(f"{self.name}: the file is empty")
        lines = _entry_lines(str(path[0]), _nest(path[1:], value), 0, _Layout())
        self._insert_lines(len(self.text), lines)

    def _replace_value(self, parent: Node, key_node: Node | None, node: Node, value: Any,
                       path: KeyPath) -> None:
        flow = _is_flow(parent)
        if isinstance(node, ScalarNode) and node.tag == _NULL_TAG:
            self._fill_null(node, value, key_node, flow)
            return
        start, end = self._value_span(node)
        if isinstance(node, MappingNode | SequenceNode) and not node.flow_style:
            # a block collection becomes a flow value on the key's line
            if key_node is None or flow:
                raise EditError(f"{self.name}: '{_dotted(path)}' is a block; change it by hand")
            colon = self.text.index(":", key_node.end_mark.index)
            self._replace(colon + 1, end, " " + _inline(value, flow=True))
            return
        block_before = isinstance(node, ScalarNode) and node.style in ("|", ">")
        if not flow and self._put_literal(start, end, value, key_node, node, block_before):
            return
        style = node.style if isinstance(node, ScalarNode) else None
        self._replace_keeping_comment(start, end, _inline(value, flow=flow, prefer=style))

    def _put_literal(self, start: int, end: int, value: Any, key_node: Node | None,
                     node: Node, block_before: bool = False) -> bool:
        """Write a multi-line text as a literal block; False when it is not one.

        A text of one line ending in a line break stays a block if it was one.
        """
        if not isinstance(value, str):
            return False
        if "\n" not in value.rstrip("\n") and not (block_before and value.endswith("\n")):
            return False
        column = self._key_column(key_node, node)
        literal = _literal(value, column + self._layout().indent, self.newline)
        if literal is None:
            return False
        header, _, body = literal.partition(self.newline)
        line_end = self._line_end(end)
        comment = self.text[end:line_end].strip() if "\n" not in self.text[start:end] else ""
        if comment.startswith("#"):
            header += " " + comment  # a comment after the value moves up to the `|` line
            end = line_end
        at_end = not self.text[end:]  # the block's last line break is the file's
        self._replace(start, end, header + self.newline + body + (self.newline if at_end else ""))
        return True

    def _fill_null(self, node: Node, value: Any, key_node: Node | None, flow: bool) -> None:
        """Write a value where the key has none (`closed:`, `closed: ~`)."""
        start, end = node.start_mark.index, node.end_mark.index
        empty = start == end
        if flow or not _needs_block(value):
            if empty and self._put_literal(start, end, value, key_node, node):
                self._replace(start, start, " ")
                return
            new = _inline(value, flow=flow)
            self._replace_keeping_comment(start, end, " " + new if empty else new)
            return
        if not empty:
            self._replace(start, end, "")
        layout = self._layout()
        column = self._key_column(key_node, node)
        lines: list[tuple[int, str]] = []
        if isinstance(value, dict):
            for key, item in value.items():
                lines.extend(_entry_lines(str(key), item, column + layout.indent, layout))
        else:
            for item in value:
                lines.extend(_item_lines(item, column + layout.seq_offset, None, layout))
        self._insert_lines(self._after_line(start), lines)

    def _value_span(self, node: Node) -> tuple[int, int]:
        start, end = int(node.start_mark.index), int(node.end_mark.index)
        # keep an anchor or tag that stands before the value
        while self.text[start:start + 1] in ("&", "!"):
            match = _PROPERTY.match(self.text, start)
            if match is None:
                break
            start = match.end()
        if (isinstance(node, ScalarNode) and node.style in ("|", ">")) or (
            isinstance(node, MappingNode | SequenceNode) and not node.flow_style
        ):
            end = self._content_end(node)
        return start, end

    def _replace_keeping_comment(self, start: int, end: int, new: str) -> None:
        """Replace a one-line value, keeping a comment after it in its column if it fits."""
        tail = self.text[end:self._line_end(end)]
        match = _COMMENT_AFTER.match(tail)
        if match and "\n" not in new and "\n" not in self.text[start:end]:
            grow = len(new) - (end - start)
            spaces = max(1, len(match.group(1)) - grow)
            self._replace(start, end + len(match.group(1)), new + " " * spaces)
        else:
            self._replace(start, end, new)

    def _key_column(self, key_node: Node | None, value_node: Node) -> int:
        if key_node is not None:
            return int(key_node.start_mark.column)
        return int(value_node.start_mark.column)

    def _insert_key(self, mapping: MappingNode, key: str, value: Any,
                    order: Sequence[str]) -> None:
        keys = [k.value if isinstance(k, ScalarNode) else None for k, _ in mapping.value]
        position = _position(keys, key, order)
        if mapping.flow_style:
            self._insert_flow_key(mapping, position, key, value)
            return
        column = int(mapping.value[0][0].start_mark.column)
        first_on_dash = self._starts_item(mapping.value[0][0])
        if position == 0 and first_on_dash:
            position = 1  # the first key shares its line with the list dash
        if position == 0:
            at = self._line_start(mapping.value[0][0].start_mark.index)
        else:
            at = self._after_line(self._content_end(mapping.value[position - 1][1]))
        self._insert_lines(at, _entry_lines(key, value, column, self._layout()))

    def _insert_flow_key(self, mapping: MappingNode, position: int, key: str,
                         value: Any) -> None:
        entry = f"{_plain_key(key)}: {_inline(value, flow=True)}"
        if not mapping.value:
            open_at = mapping.start_mark.index + 1
            self._replace(open_at, open_at, entry)
        elif position == 0:
            at = mapping.value[0][0].start_mark.index
            self._replace(at, at, entry + ", ")
        else:
            at = self._content_end(mapping.value[position - 1][1])
            self._replace(at, at, ", " + entry)

    def _splice_delete(self, path: KeyPath) -> None:
        parent = self._node(path[:-1])
        if not isinstance(parent, MappingNode):
            raise EditError(f"{self.name}: '{_dotted(path)}' is not a key")
        index = next(i for i, (k, _) in enumerate(parent.value)
                     if isinstance(k, ScalarNode) and k.value == str(path[-1]))
        key_node, value_node = parent.value[index]
        entries = parent.value
        if parent.flow_style:
            if index > 0:
                start = self._content_end(entries[index - 1][1])
                end = self._content_end(value_node)
            elif len(entries) > 1:
                start, end = key_node.start_mark.index, entries[1][0].start_mark.index
            else:
                start, end = key_node.start_mark.index, self._content_end(value_node)
            self._replace(start, end, "")
            return
        if not self._starts_item(key_node):
            start = self._line_start(key_node.start_mark.index)
            self._replace(start, self._after_line(self._content_end(value_node)), "")
            return
        if len(entries) == 1:
            raise EditError(f"{self.name}: '{_dotted(path)}' is the only key of its list item; "
                            "remove the item by hand")
        # the first key of a list item shares the dash's line: pull the next key up
        self._replace(key_node.start_mark.index, entries[1][0].start_mark.index, "")

    def _splice_append(self, node: SequenceNode, item: Any, parent: Node | None,
                       path: KeyPath) -> None:
        layout = self._layout()
        if node.flow_style:
            if node.value:
                at = self._content_end(node.value[-1])
                self._replace(at, at, ", " + _inline(item, flow=True))
                return
            if isinstance(item, dict) and parent is not None and not _is_flow(parent):
                # `team: []` becomes a block list, keeping any comment on the key's line
                start, end = node.start_mark.index, node.end_mark.index
                line_end = self._line_end(end)
                if self.text[end:line_end].strip():
                    self._replace(start, end, "  ")
                else:
                    start = len(self.text[:start].rstrip(" "))
                    self._replace(start, end, "")
                key_node = _child(parent, path[-1])
                column = self._key_column(key_node[0] if key_node else None, node)
                lines = _item_lines(item, column + layout.seq_offset, None, layout)
                self._insert_lines(self._after_line(start), lines)
                return
            open_at = node.start_mark.index + 1
            self._replace(open_at, open_at, _inline(item, flow=True))
            return
        last = node.value[-1]
        dash = self._dash_column(last)
        lines = _item_lines(item, dash, last, layout)
        self._insert_lines(self._after_line(self._content_end(last)), lines)

    # --- positions ------------------------------------------------------------------------

    def _layout(self) -> _Layout:
        root = self._root()
        return _Layout.of(root, self) if root is not None else _Layout()

    def _content_end(self, node: Node) -> int:
        """Index just after the last character that belongs to ``node``."""
        if isinstance(node, ScalarNode):
            if node.style in ("|", ">"):
                end = node.end_mark.index
                while end > node.start_mark.index and self.text[end - 1] in " \t\r\n":
                    end -= 1
                return int(end)
            return int(node.end_mark.index)
        if isinstance(node, MappingNode | SequenceNode):
            if node.flow_style or not node.value:
                return int(node.end_mark.index)
            last = node.value[-1][1] if isinstance(node, MappingNode) else node.value[-1]
            end = self._content_end(last)
            if end < node.start_mark.index:
                raise EditError(f"{self.name}: an alias (*name) ends this block; change it by "
                                "hand")
            return end
        return int(node.end_mark.index)

    def _line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def _line_end(self, index: int) -> int:
        """Index of the line break after ``index`` (before a CR of a CRLF)."""
        end = self.text.find("\n", index)
        if end < 0:
            return len(self.text)
        return end - 1 if end > 0 and self.text[end - 1] == "\r" else end

    def _after_line(self, index: int) -> int:
        end = self.text.find("\n", index)
        return len(self.text) if end < 0 else end + 1

    def _starts_item(self, node: Node) -> bool:
        """True when ``node`` sits on a list dash's line (``- key: value``)."""
        before = self.text[self._line_start(node.start_mark.index):node.start_mark.index]
        return "-" in before

    def _dash_column(self, item: Node) -> int:
        index = item.start_mark.index
        before = self.text[self._line_start(index):index]
        dash = before.rfind("-")
        return dash if dash >= 0 else int(item.start_mark.column)

    def _insert_lines(self, at: int, lines: list[tuple[int, str]]) -> None:
        body = self.newline.join(" " * indent + text for indent, text in lines)
        if at >= len(self.text) and self.text and not self.text.endswith("\n"):
            self._replace(at, at, self.newline + body)
        else:
            self._replace(at, at, body + self.newline)


class _Layout:
    """How the file indents: mapping step and where a list's dashes sit under its key."""

    def __init__(self, indent: int = _INDENT, seq_offset: int = _INDENT) -> None:
        self.indent = indent
        self.seq_offset = seq_offset

    @classmethod
    def of(cls, root: Node, doc: YamlText) -> _Layout:
        indents: list[int] = []
        offsets: list[int] = []
        stack = [root]
        while stack and (len(indents) < 5 or len(offsets) < 5):
            node = stack.pop()
            if isinstance(node, MappingNode) and not node.flow_style:
                for key, value in node.value:
                    if isinstance(value, MappingNode) and not value.flow_style and value.value:
                        indents.append(value.value[0][0].start_mark.column - key.start_mark.column)
                    elif isinstance(value, SequenceNode) and not value.flow_style and value.value:
                        offsets.append(doc._dash_column(value.value[0]) - key.start_mark.column)
                    stack.append(value)
            elif isinstance(node, SequenceNode) and not node.flow_style:
                stack.extend(node.value)
        indent = max(set(indents), key=indents.count) if indents else _INDENT
        offset = max(set(offsets), key=offsets.count) if offsets else indent
        return cls(indent if indent > 0 else _INDENT, max(offset, 0))


def _entry_lines(key: str, value: Any, column: int, layout: _Layout) -> list[tuple[int, str]]:
    """A ``key: value`` entry as lines of (indent, text), nested values as blocks."""
    name = _plain_key(key)
    if isinstance(value, dict) and value:
        lines = [(column, f"{name}:")]
        for sub_key, sub_value in value.items():
            lines.extend(_entry_lines(str(sub_key), sub_value, column + layout.indent, layout))
        return lines
    if _needs_block(value):
        lines = [(column, f"{name}:")]
        for item in value:
            lines.extend(_item_lines(item, column + layout.seq_offset, None, layout))
        return lines
    if isinstance(value, str) and "\n" in value.rstrip("\n"):
        literal = _literal(value, column + layout.indent, "\n")
        if literal is not None:
            first, *rest = literal.split("\n")
            return [(column, f"{name}: {first}"), *((0, line) for line in rest)]
    return [(column, f"{name}: {_inline(value, flow=False)}")]


def _item_lines(item: Any, dash: int, sibling: Node | None,
                layout: _Layout) -> list[tuple[int, str]]:
    """A list item ``- ...`` in the style of its sibling (flow or block mapping)."""
    block = isinstance(item, dict) and item and (
        (isinstance(sibling, MappingNode) and not sibling.flow_style)
        or (sibling is None and len(_inline(item, True)) + dash + 2 > _FLOW_ITEM_WIDTH)
    )
    if not block:
        return [(dash, "- " + _inline(item, flow=False))]
    key_column = (int(sibling.value[0][0].start_mark.column)
                  if isinstance(sibling, MappingNode) else dash + 2)
    lines: list[tuple[int, str]] = []
    for key, value in item.items():
        lines.extend(_entry_lines(str(key), value, key_column, layout))
    first_text = lines[0][1]
    pad = " " * max(key_column - dash - 2, 0)
    lines[0] = (dash, "- " + pad + first_text)
    return lines
