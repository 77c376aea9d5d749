"""diagnostics.py: how a finding is shown to people (with or without a position), to tools (JSON) and to GitHub."""

from __future__ import annotations

from asyncapi_gen.diagnostics import Diagnostic, Severity


def test_a_located_diagnostic_renders_like_a_compiler_message() -> None:
    diagnostic = Diagnostic(Severity.ERROR, "wrong-type", "3 is not of type 'string'", "spec.yaml", 3, 10,
                            "/info/title", "quote it")
    assert diagnostic.render() == ("spec.yaml:3:10: error[wrong-type]: 3 is not of type 'string' (at /info/title)\n"
                                   "  hint: quote it")
    assert (diagnostic.to_json()["line"], diagnostic.to_json()["col"]) == (3, 10)


def test_a_diagnostic_about_a_whole_file_has_no_position() -> None:
    diagnostic = Diagnostic(Severity.ERROR, "file-not-found", "no such file", "spec/nope.yaml")
    assert diagnostic.render() == "spec/nope.yaml: error[file-not-found]: no such file"
    assert (diagnostic.to_json()["line"], diagnostic.to_json()["col"]) == (None, None)
    assert diagnostic.to_github() == "::error file=spec/nope.yaml,title=asyncapi-gen (file-not-found)::no such file"


def test_github_annotations_escape_data_and_properties() -> None:
    diagnostic = Diagnostic(Severity.WARNING, "name-collision", "100% sure\r\nreally", "dir,x/a:b%.yaml", 2, 5,
                            "/channels/a", "rename: one")
    assert diagnostic.to_github() == (
        "::warning file=dir%2Cx/a%3Ab%25.yaml,line=2,col=5,title=asyncapi-gen (name-collision)::"
        "100%25 sure%0D%0Areally (at /channels/a)%0Ahint: rename: one")


def test_with_severity_keeps_everything_else() -> None:
    error = Diagnostic(Severity.ERROR, "unknown-field", "unknown field 'x'", "s.yaml", 4, 3, "/x", "did you mean?")
    warning = error.with_severity(Severity.WARNING)
    assert warning.severity is Severity.WARNING
    assert (warning.code, warning.message, warning.line, warning.col, warning.pointer, warning.hint) == (
        error.code, error.message, error.line, error.col, error.pointer, error.hint)
