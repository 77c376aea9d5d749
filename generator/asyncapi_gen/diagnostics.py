"""Diagnostics: what a stage found wrong, located in the spec, rendered once for people and once for tools."""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass, replace


class Severity(enum.Enum):
    """How bad a diagnostic is: errors stop the build, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a document, with where it is (file, 1-based line and column, JSON pointer).

    Line and column 0 mean "no position": the finding is about the file as a whole (it does not exist, it is not
    UTF-8, ...), and it is shown as `file: error[code]: ...`, never as a made-up `file:1:1`.
    """

    severity: Severity
    code: str
    message: str
    file: str
    line: int = 0
    col: int = 0
    pointer: str = ""
    hint: str = ""

    @property
    def located(self) -> bool:
        """True when the diagnostic has a line and column."""
        return self.line > 0

    def render(self) -> str:
        """`file:line:col: error[code]: message (at /pointer)`, the shape compilers use, so editors link it."""
        where = f"{self.file}:{self.line}:{self.col}" if self.located else self.file
        text = (f"{where}: " if where else "") + f"{self.severity.value}[{self.code}]: {self.message}"
        if self.pointer:
            text += f" (at {self.pointer})"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def to_json(self) -> dict[str, object]:
        """A plain dict for `--format json` (line and col are null when the diagnostic has no position)."""
        data = asdict(self)
        data["severity"] = self.severity.value
        if not self.located:
            data["line"] = data["col"] = None
        return data

    def to_github(self) -> str:
        """A GitHub Actions workflow command: `::error file=F,line=L,col=C,title=asyncapi-gen (code)::message`."""
        properties = [("file", self.file)] if self.file else []
        if self.located:
            properties += [("line", str(self.line)), ("col", str(self.col))]
        properties.append(("title", f"asyncapi-gen ({self.code})"))
        message = self.message + (f" (at {self.pointer})" if self.pointer else "")
        if self.hint:
            message += f"\nhint: {self.hint}"
        joined = ",".join(f"{name}={_github_property(value)}" for name, value in properties)
        return f"::{self.severity.value} {joined}::{_github_data(message)}"

    def with_severity(self, severity: Severity) -> Diagnostic:
        """The same finding at another severity."""
        return replace(self, severity=severity)


def _github_data(text: str) -> str:
    # The escaping GitHub's runner undoes (actions/toolkit, command.ts: escapeData / escapeProperty).
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


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
