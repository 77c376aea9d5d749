"""Load a YAML or JSON file into plain data, remembering the line and column of every node by JSON pointer.

JSON goes through `json.loads`, its positions scanned only if a diagnostic asks (`jsonpos`). YAML is composed by
libyaml when PyYAML has it (the same nodes and marks, about ten times faster) and by pure-Python PyYAML otherwise,
or when libyaml refuses the text: the error a user sees is always PyYAML's.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from asyncapi_gen.diagnostics import Diagnostic, Severity, join_pointer
from asyncapi_gen.jsonpos import JsonPositions
from asyncapi_gen.surrogates import clean_strings, join_surrogates

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_NODES = 2_000_000  # guards against alias bombs ("billion laughs"), which share nodes but multiply walks
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class SourceFile:
    """One parsed file: its data, its bytes' digest, and where each node starts (pointer -> (line, col), 1-based)."""

    path: Path
    display: str
    data: Any
    sha256: str
    positions: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    key_positions: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # pointer -> where its key is written

    def locate(self, pointer: str, *, key: bool = False) -> tuple[int, int]:
        """The position of the node at pointer (of its key, with key=True), or of its nearest located ancestor."""
        if key and pointer in self.key_positions:
            return self.key_positions[pointer]
        while True:
            if pointer in self.positions:
                return self.positions[pointer]
            if not pointer:
                return (1, 1)
            pointer = pointer.rsplit("/", 1)[0]

    def diagnostic(self, code: str, message: str, pointer: str, *, hint: str = "", warning: bool = False,
                   at_key: bool = False) -> Diagnostic:
        """A diagnostic located at pointer in this file (at the member's key rather than its value, with at_key)."""
        line, col = self.locate(pointer, key=at_key)
        severity = Severity.WARNING if warning else Severity.ERROR
        return Diagnostic(severity, code, message, self.display, line, col, pointer, hint)


class LoadError(Exception):
    """The file could not be read or parsed; carries the located diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.render())
        self.diagnostic = diagnostic


def load_file(path: Path, display: str | None = None) -> SourceFile:
    """Read and parse path (YAML, or JSON, which is nearly YAML); raise LoadError with a located diagnostic."""
    shown = display if display is not None else str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise LoadError(Diagnostic(Severity.ERROR, "file-not-found", "no such file", shown)) from None
    except IsADirectoryError:
        raise LoadError(Diagnostic(Severity.ERROR, "file-unreadable", "is a directory, not a file", shown)) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise LoadError(Diagnostic(Severity.ERROR, "file-unreadable", f"cannot read file: {reason}", shown)) from None
    if len(raw) > MAX_FILE_BYTES:
        message = f"file is {len(raw)} bytes, over the {MAX_FILE_BYTES}-byte limit"
        raise LoadError(Diagnostic(Severity.ERROR, "file-too-large", message, shown))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(Diagnostic(Severity.ERROR, "file-encoding", f"file is not UTF-8: {exc.reason}", shown)) from None
    data, positions, key_positions = _parse(text, shown)
    return SourceFile(path, shown, data, hashlib.sha256(raw).hexdigest(), positions, key_positions)


def parse_text(text: str, display: str) -> tuple[Any, Mapping[str, tuple[int, int]]]:
    """Parse YAML or JSON with positions; JSON that is not valid JSON is read as YAML (a flow mapping)."""
    data, positions, _ = _parse(text, display)
    return data, positions


Positions = Mapping[str, tuple[int, int]]


def _parse(text: str, display: str) -> tuple[Any, Positions, Positions]:
    """parse_text, plus where each mapping member's key is written (pointer of the member -> line, col)."""
    looks_like_json = text.lstrip().startswith(("{", "["))
    if looks_like_json:
        # Tabs are legal JSON whitespace but not YAML indentation; a raw tab cannot occur inside a JSON string,
        # so a space in its place keeps every line and column.
        text = text.replace("\t", " ")
        try:
            data = json.loads(text, parse_constant=_not_json)
        except json.JSONDecodeError as exc:
            json_error = exc  # `{a: 1}` is YAML's flow style: read as YAML below, or refused with JSON's message
        else:
            # Only an escape of a surrogate (`\ud83c`) can put a half in the data: skip the walk when none is written.
            if _SURROGATE_ESCAPE.search(text):
                data = clean_strings(data)
            index = JsonPositions(text)
            return data, index.nodes, index.keys
    try:
        node = _compose(text)
    except yaml.YAMLError as exc:
        if looks_like_json:
            diagnostic = Diagnostic(Severity.ERROR, "json-syntax", f"invalid JSON: {json_error.msg}", display,
                                    json_error.lineno, json_error.colno)
            raise LoadError(diagnostic) from None
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc)
        raise LoadError(Diagnostic(Severity.ERROR, "yaml-syntax", f"invalid YAML: {detail}", display, line, col)) from None
    if node is None:
        raise LoadError(Diagnostic(Severity.ERROR, "empty-document", "the file is empty", display))
    _check_expanded_size(node, display)
    builder = _Builder(display)
    return builder.build(node, ""), builder.positions, builder.key_positions


def _not_json(word: str) -> Any:
    # json.loads takes NaN and Infinity, which JSON has not: such a text is read as YAML, where they are words.
    raise json.JSONDecodeError(f"{word} is not a JSON value", word, 0)


def _compose(text: str) -> yaml.Node | None:
    """The node graph of text, by libyaml; where libyaml refuses it, by PyYAML, whose verdict and message count."""
    if _FAST_LOADER is not yaml.SafeLoader:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _check_expanded_size(root: yaml.Node, display: str) -> None:
    """Refuse alias bombs: the size of the tree once every alias is expanded, memoized per shared node."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            in_progress.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_NODES:
                message = f"document expands to more than {MAX_NODES} nodes (YAML aliases)"
                raise LoadError(Diagnostic(Severity.ERROR, "file-too-large", message, display))
            continue
        if key in sizes:
            continue
        if key in in_progress:
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
            raise LoadError(Diagnostic(Severity.ERROR, "yaml-recursive-alias",
                                       "a YAML alias refers to a node that contains it (use $ref for recursion)",
                                       display, line, col))
        in_progress.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


class _Builder:
    """Turns a composed YAML node graph into plain data; aliases share one constructed object."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.positions: dict[str, tuple[int, int]] = {}
        self.key_positions: dict[str, tuple[int, int]] = {}
        self._constructor = yaml.constructor.SafeConstructor()
        self._built: dict[int, Any] = {}
        self._count = 0

    def build(self, node: yaml.Node, pointer: str) -> Any:
        self._count += 1
        if self._count > MAX_NODES:
            message = f"document has more than {MAX_NODES} nodes (alias expansion?)"
            raise LoadError(Diagnostic(Severity.ERROR, "file-too-large", message, self.display))
        self.positions.setdefault(pointer, (node.start_mark.line + 1, node.start_mark.column + 1))
        if id(node) in self._built:
            return self._built[id(node)]
        if isinstance(node, yaml.MappingNode):
            mapping: dict[str, Any] = {}
            self._built[id(node)] = mapping
            for key_node, value_node in node.value:
                key = self._scalar_text(key_node)
                member = join_pointer(pointer, key)
                self.key_positions.setdefault(member, (key_node.start_mark.line + 1, key_node.start_mark.column + 1))
                mapping[key] = self.build(value_node, member)
            return mapping
        if isinstance(node, yaml.SequenceNode):
            sequence: list[Any] = []
            self._built[id(node)] = sequence
            sequence.extend(self.build(item, join_pointer(pointer, i)) for i, item in enumerate(node.value))
            return sequence
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        # Read as YAML 1.2 (what the JavaScript AsyncAPI tools use): dates stay text, and only true/false are
        # booleans (`on`, `yes`, `off`, `no` are words).
        if node.tag == "tag:yaml.org,2002:timestamp":
            return str(node.value)
        if node.tag == "tag:yaml.org,2002:bool" and str(node.value).lower() not in ("true", "false"):
            return str(node.value)
        try:
            value = self._constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError:
            return str(node.value)
        return join_surrogates(value) if isinstance(value, str) else value

    def _scalar_text(self, node: yaml.Node) -> str:
        if isinstance(node, yaml.ScalarNode):
            # A key is a name: `on:`, `null:`, `0x1F:` mean those words, not True, None or 31.
            return join_surrogates(str(node.value))
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        raise LoadError(Diagnostic(Severity.ERROR, "yaml-key", "mapping keys must be scalars", self.display, line, col))
