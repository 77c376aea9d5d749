"""refs.py: `$ref` to local pointers and to files inside the root; remote and escaping refs refused, cycles kept."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from asyncapi_gen.load import load_file
from asyncapi_gen.refs import Location, RefError, resolve_document

from .conftest import SpecWriter


def doc_with_payload_ref(minimal_doc: dict[str, Any], ref: str) -> dict[str, Any]:
    minimal_doc["channels"]["events"]["subscribe"]["message"]["payload"] = {"$ref": ref}
    return minimal_doc


def codes(spec: Path, root: Path | None = None) -> list[str]:
    _, diagnostics = resolve_document(load_file(spec), root)
    return [d.code for d in diagnostics]


def test_local_ref_resolves(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    spec = write_spec(minimal_doc)
    resolver, diagnostics = resolve_document(load_file(spec))
    assert diagnostics == []
    value, location = resolver.deref({"$ref": "#/components/schemas/Event"}, Location(resolver.main, ""))
    assert value["properties"]["type"]["const"] == "event"
    assert location.pointer == "/components/schemas/Event"


def test_dangling_local_ref_is_located_at_the_ref_line(write_spec: SpecWriter) -> None:
    spec = write_spec("""\
asyncapi: 2.6.0
info: {title: T, version: '1'}
channels:
  events:
    subscribe:
      message:
        payload:
          $ref: '#/components/schemas/Missing'
""")
    _, diagnostics = resolve_document(load_file(spec, "spec.yaml"))
    assert len(diagnostics) == 1
    diagnostic = diagnostics[0]
    assert diagnostic.code == "ref-unresolved"
    assert (diagnostic.line, diagnostic.col) == (8, 17)
    assert diagnostic.pointer == "/channels/events/subscribe/message/payload/$ref"
    assert "#/components/schemas/Missing" in diagnostic.message


def test_escaped_pointer_tokens_resolve(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    minimal_doc["components"]["schemas"]["a/b~c"] = {"type": "string"}
    spec = write_spec(doc_with_payload_ref(minimal_doc, "#/components/schemas/a~1b~0c"))
    assert codes(spec) == []


def test_relative_file_ref_resolves(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    write_spec({"Event": {"type": "object", "properties": {"n": {"type": "integer"}}}}, "schemas/events.yaml")
    spec = write_spec(doc_with_payload_ref(minimal_doc, "schemas/events.yaml#/Event"))
    resolver, diagnostics = resolve_document(load_file(spec))
    assert diagnostics == []
    assert len(resolver.files) == 2


def test_ref_to_a_missing_file_is_unresolved(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    spec = write_spec(doc_with_payload_ref(minimal_doc, "nothere.yaml#/Event"))
    assert codes(spec) == ["ref-unresolved"]


def test_ref_into_a_referenced_file_with_a_dangling_ref_is_reported(
    write_spec: SpecWriter, minimal_doc: dict[str, Any]
) -> None:
    write_spec({"Event": {"$ref": "#/Nope"}}, "other.yaml")
    spec = write_spec(doc_with_payload_ref(minimal_doc, "other.yaml#/Event"))
    _, diagnostics = resolve_document(load_file(spec))
    assert [(d.code, d.file.endswith("other.yaml")) for d in diagnostics] == [("ref-unresolved", True)]


@pytest.mark.parametrize("ref", ["../../../../../../../../etc/passwd", "../outside.yaml#/Event", "/etc/passwd"])
def test_ref_leaving_the_root_is_refused(tmp_path: Path, minimal_doc: dict[str, Any], ref: str) -> None:
    import yaml

    (tmp_path / "outside.yaml").write_text("Event: {type: string}\n")
    project = tmp_path / "project"
    project.mkdir()
    spec = project / "spec.yaml"
    spec.write_text(yaml.safe_dump(doc_with_payload_ref(minimal_doc, ref)))
    assert codes(spec, root=project) == ["ref-outside-root"]


def test_symlink_out_of_the_root_is_refused(tmp_path: Path, minimal_doc: dict[str, Any]) -> None:
    import yaml

    (tmp_path / "outside.yaml").write_text("Event: {type: string}\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    spec = project / "spec.yaml"
    spec.write_text(yaml.safe_dump(doc_with_payload_ref(minimal_doc, "link.yaml#/Event")))
    assert codes(spec, root=project) == ["ref-outside-root"]


def test_default_root_is_the_spec_folder_without_a_project_marker(
    write_spec: SpecWriter, minimal_doc: dict[str, Any]
) -> None:
    spec = write_spec(doc_with_payload_ref(minimal_doc, "../outside.yaml#/Event"), "inner/spec.yaml")
    write_spec({"Event": {"type": "string"}}, "outside.yaml")
    # tmp_path has no .git/pyproject.toml, so the root is inner/ and ../outside.yaml leaves it.
    assert codes(spec) == ["ref-outside-root"]


@pytest.mark.parametrize("ref", ["http://example.com/schemas.yaml#/Event", "https://10.0.0.1/x.json",
                                 "//example.com/x.yaml", "file:///etc/passwd"])
def test_remote_ref_is_refused_without_network(
    write_spec: SpecWriter, minimal_doc: dict[str, Any], monkeypatch: pytest.MonkeyPatch, ref: str
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    spec = write_spec(doc_with_payload_ref(minimal_doc, ref))
    _, diagnostics = resolve_document(load_file(spec))
    assert [d.code for d in diagnostics] == ["ref-remote"]
    assert diagnostics[0].hint  # says what to do instead


def test_fragment_that_is_not_a_pointer_is_invalid(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    spec = write_spec(doc_with_payload_ref(minimal_doc, "#Event"))
    assert codes(spec) == ["ref-invalid"]


def test_self_referencing_schema_is_accepted(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    minimal_doc["components"]["schemas"]["Event"]["properties"]["children"] = {
        "type": "array", "items": {"$ref": "#/components/schemas/Event"}}
    spec = write_spec(minimal_doc)
    assert codes(spec) == []


def test_pure_ref_cycle_is_a_ref_cycle_error_on_deref(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    minimal_doc["components"]["schemas"]["A"] = {"$ref": "#/components/schemas/B"}
    minimal_doc["components"]["schemas"]["B"] = {"$ref": "#/components/schemas/A"}
    resolver, _ = resolve_document(load_file(write_spec(minimal_doc)))
    with pytest.raises(RefError) as caught:
        resolver.deref({"$ref": "#/components/schemas/A"}, Location(resolver.main, ""))
    assert caught.value.code == "ref-cycle"


def test_mutually_referring_files_are_walked_once(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    write_spec({"A": {"type": "object", "properties": {"b": {"$ref": "b.yaml#/B"}}}}, "a.yaml")
    write_spec({"B": {"type": "object", "properties": {"a": {"$ref": "a.yaml#/A"}}}}, "b.yaml")
    spec = write_spec(doc_with_payload_ref(minimal_doc, "a.yaml#/A"))
    resolver, diagnostics = resolve_document(load_file(spec))
    assert diagnostics == []
    assert len(resolver.files) == 3


def test_recursive_schema_becomes_a_recursive_model(
    write_spec: SpecWriter, minimal_doc: dict[str, Any], tmp_path: Path
) -> None:
    from asyncapi_gen.build import BuildOptions, build

    from .support import import_models_standalone

    minimal_doc["components"]["schemas"]["Event"]["properties"]["children"] = {
        "type": "array", "items": {"$ref": "#/components/schemas/Event"}}
    result = build(write_spec(minimal_doc), BuildOptions(package="recursive_pkg"))
    assert result.ok, [d.render() for d in result.diagnostics]
    from asyncapi_gen.write import write_tree

    write_tree(result.files, tmp_path / "out")
    path = tmp_path / "out" / "recursive_pkg" / "models.py"
    import sys

    try:
        models = import_models_standalone(path, "unit_recursive_models")
        event = models.Event.model_validate({"type": "event", "children": [{"type": "event", "children": []}]})
        assert isinstance(event.children[0], models.Event)
        with pytest.raises(ValueError):
            models.Event.model_validate({"type": "event", "children": [{"type": "other"}]})
    finally:
        sys.modules.pop("unit_recursive_models", None)
