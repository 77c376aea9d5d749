"""Where each node and key of a JSON text is written, found only when a diagnostic first asks.

JSON is parsed by `json.loads` (C speed); this scanner walks the text's tokens once more, in Python, to map every
JSON pointer to its 1-based line and column. A build that reports nothing about a JSON file never pays for it.
Lines break where PyYAML's reader breaks them (`\\r\\n`, `\\r`, `\\n`, NEL, LS, PS) and columns count characters,
so a position reads the same as it did when JSON went through the YAML composer.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator, Mapping

from asyncapi_gen.diagnostics import join_pointer
from asyncapi_gen.surrogates import join_surrogates

Position = tuple[int, int]

_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
# Strings, punctuation, and the bare words between them (numbers, true, false, null); whitespace is skipped.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+')


class JsonPositions:
    """pointer -> position of every node (`nodes`) and of every mapping member's key (`keys`), scanned lazily."""

    def __init__(self, text: str) -> None:
        self._text: str | None = text
        self._nodes: dict[str, Position] = {}
        self._keys: dict[str, Position] = {}
        self.nodes: Mapping[str, Position] = _Lazy(self, self._nodes)
        self.keys: Mapping[str, Position] = _Lazy(self, self._keys)

    def scan(self) -> None:
        """Fill both maps (once); the text is dropped afterwards."""
        if self._text is None:
            return
        text, self._text = self._text, None
        _scan(text, self._nodes, self._keys)


class _Lazy(Mapping[str, Position]):
    """A read-only view of one of the maps that scans the text on first use."""

    def __init__(self, owner: JsonPositions, found: dict[str, Position]) -> None:
        self._owner, self._found = owner, found

    def __getitem__(self, pointer: str) -> Position:
        self._owner.scan()
        return self._found[pointer]

    def __iter__(self) -> Iterator[str]:
        self._owner.scan()
        return iter(self._found)

    def __len__(self) -> int:
        self._owner.scan()
        return len(self._found)


class _Frame:
    """An open container: its pointer, whether it is an object, its current item's index or member pointer."""

    __slots__ = ("index", "is_object", "member", "pointer")

    def __init__(self, pointer: str, is_object: bool) -> None:
        self.pointer, self.is_object, self.index = pointer, is_object, 0
        self.member: str | None = None  # in an object: None until the key of the next member is read


def _scan(text: str, nodes: dict[str, Position], keys: dict[str, Position]) -> None:
    """Walk the tokens of valid JSON text with an explicit stack (no recursion limit), recording first positions.

    A duplicate key keeps its first position, as the YAML composer's walk did; its last value is the one in data.
    """
    line_starts = [0, *(match.end() for match in _BREAK.finditer(text))]

    def where(offset: int) -> Position:
        line = bisect.bisect_right(line_starts, offset)
        return line, offset - line_starts[line - 1] + 1

    stack: list[_Frame] = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first in "}]":
            stack.pop()
            continue
        if first == ",":
            stack[-1].index += 1
            continue
        if first == ":":
            continue
        top = stack[-1] if stack else None
        if top is not None and top.is_object and top.member is None:
            top.member = join_pointer(top.pointer, _key(token))
            keys.setdefault(top.member, where(match.start()))
            continue
        if top is None:
            pointer = ""
        elif top.member is not None:
            pointer, top.member = top.member, None
        else:
            pointer = join_pointer(top.pointer, top.index)
        nodes.setdefault(pointer, where(match.start()))
        if first in "{[":
            stack.append(_Frame(pointer, first == "{"))


def _key(token: str) -> str:
    return join_surrogates(json.loads(token) if "\\" in token else token[1:-1])
