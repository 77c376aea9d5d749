"""Diagnostics: what a stage found wrong, located in the spec, rendered once for people and once for tools."""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass


class Severity(enum.Enum):
    """How bad a diagnostic is: errors stop the build, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a document, with where it is (file, 1-based line and column, JSON pointer)."""

    severity: Severity
    code: str
    message: str
    file: str
    line: int = 1
    col: int = 1
    pointer: str = ""
    hint: str = ""

    def render(self) -> str:
        """`file:line:col: error[code]: message (at /pointer)`, the shape compilers use, so editors link it."""
        text = f"{self.file}:{self.line}:{self.col}: {self.severity.value}[{self.code}]: {self.message}"
        if self.pointer:
            text += f" (at {self.pointer})"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def to_json(self) -> dict[str, object]:
        """A plain dict for `--format json`."""
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


class DiagnosticError(Exception):
    """Raised at a stage boundary when the diagnostics collected so far include an error."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(d.render() for d in diagnostics))
        self.diagnostics = diagnostics


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    """True when at least one diagnostic is an error."""
    return any(d.severity is Severity.ERROR for d in diagnostics)


def render_json(diagnostics: list[Diagnostic]) -> str:
    """All diagnostics as one JSON array."""
    return json.dumps([d.to_json() for d in diagnostics], indent=2)


def escape_pointer_token(token: str) -> str:
    """RFC 6901 escaping of one pointer segment."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape_pointer_token(token: str) -> str:
    """Inverse of escape_pointer_token."""
    return token.replace("~1", "/").replace("~0", "~")


def join_pointer(pointer: str, *tokens: str | int) -> str:
    """Append segments to a JSON pointer."""
    return pointer + "".join("/" + escape_pointer_token(str(t)) for t in tokens)
