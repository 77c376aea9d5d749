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


ECHO_3_0 = """\
asyncapi: 3.0.0
info: {title: Echo, version: '1'}
channels:
  echo:
    $ref: '#/components/channels/echo'
  other:
    $ref: 'channels.yaml#/other'
operations:
  sendEcho:
    action: send
    channel: {$ref: '#/channels/echo'}
    messages:
      - $ref: '#/channels/echo/messages/echo'
  receivePing:
    action: receive
    channel: {$ref: '#/channels/other'}
    messages:
      - $ref: '#/channels/other/messages/ping'
components:
  channels:
    echo:
      address: echo
      messages:
        echo:
          $ref: '#/components/messages/echo'
  messages:
    echo:
      payload: {type: string}
"""
OTHER_CHANNELS = "other:\n  address: other\n  messages:\n    ping:\n      payload: {type: integer}\n"


def test_a_pointer_resolves_through_a_ref_on_its_path_in_the_same_file(write_spec: SpecWriter) -> None:
    write_spec(OTHER_CHANNELS, "channels.yaml")
    resolver, diagnostics = resolve_document(load_file(write_spec(ECHO_3_0)))
    assert diagnostics == []
    file, pointer = resolver.target("#/channels/echo/messages/echo", resolver.main)
    assert (file, pointer) == (resolver.main, "/components/channels/echo/messages/echo")
    value, location = resolver.deref({"$ref": "#/channels/echo/messages/echo"}, Location(resolver.main, ""))
    assert value == {"payload": {"type": "string"}}
    assert location.pointer == "/components/messages/echo"


def test_a_pointer_resolves_through_a_ref_to_another_file(write_spec: SpecWriter) -> None:
    write_spec(OTHER_CHANNELS, "channels.yaml")
    resolver, _ = resolve_document(load_file(write_spec(ECHO_3_0)))
    file, pointer = resolver.target("#/channels/other/messages/ping", resolver.main)
    assert (file.path.name, pointer) == ("channels.yaml", "/other/messages/ping")
    value, _ = resolver.deref({"$ref": "#/channels/other/messages/ping/payload"}, Location(resolver.main, ""))
    assert value == {"type": "integer"}


def test_a_pointer_resolves_through_a_chain_of_refs(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    minimal_doc["components"]["schemas"]["Alias"] = {"$ref": "#/components/schemas/Middle"}
    minimal_doc["components"]["schemas"]["Middle"] = {"$ref": "#/components/schemas/Event"}
    spec = write_spec(doc_with_payload_ref(minimal_doc, "#/components/schemas/Alias/properties/text"))
    resolver, diagnostics = resolve_document(load_file(spec))
    assert diagnostics == []
    assert resolver.target("#/components/schemas/Alias/properties/text", resolver.main)[1] == (
        "/components/schemas/Event/properties/text")


def test_a_pointer_through_a_ref_that_leads_nowhere_is_unresolved(write_spec: SpecWriter,
                                                                  minimal_doc: dict[str, Any]) -> None:
    minimal_doc["components"]["schemas"]["Alias"] = {"$ref": "#/components/schemas/Event"}
    spec = write_spec(doc_with_payload_ref(minimal_doc, "#/components/schemas/Alias/properties/nothing"))
    assert codes(spec) == ["ref-unresolved"]


@pytest.mark.parametrize(("schemas", "ref"), [
    ({"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}, "#/components/schemas/A/x"),
    ({"A": {"$ref": "#/components/schemas/B/x"}, "B": {"$ref": "#/components/schemas/A/x"}}, "#/components/schemas/A/x"),
    ({"A": {"$ref": "#/components/schemas/A/x"}}, "#/components/schemas/A/x"),
])
def test_a_pointer_through_refs_that_loop_is_a_ref_cycle_not_a_hang(
    write_spec: SpecWriter, minimal_doc: dict[str, Any], schemas: dict[str, Any], ref: str
) -> None:
    minimal_doc["components"]["schemas"].update(schemas)
    spec = write_spec(doc_with_payload_ref(minimal_doc, ref))
    resolver, diagnostics = resolve_document(load_file(spec))
    assert "ref-cycle" in [d.code for d in diagnostics]
    with pytest.raises(RefError) as caught:
        resolver.target(ref, resolver.main)
    assert caught.value.code == "ref-cycle"


def test_a_key_written_beside_a_ref_is_read_where_it_is_written(write_spec: SpecWriter,
                                                                 minimal_doc: dict[str, Any]) -> None:
    # A pointer goes through a `$ref` only for a token the referring object does not have itself.
    minimal_doc["components"]["schemas"]["Alias"] = {"$ref": "#/components/schemas/Event", "description": "mine"}
    resolver, _ = resolve_document(load_file(write_spec(minimal_doc)))
    assert resolver.target("#/components/schemas/Alias/description", resolver.main)[1] == (
        "/components/schemas/Alias/description")
    assert resolver.target("#/components/schemas/Alias/required", resolver.main)[1] == (
        "/components/schemas/Event/required")


def test_an_operation_names_its_messages_through_its_channels_ref(write_spec: SpecWriter, tmp_path: Path) -> None:
    from asyncapi_gen.build import BuildOptions, build

    write_spec(OTHER_CHANNELS, "channels.yaml")
    result = build(write_spec(ECHO_3_0), BuildOptions(package="echo_through_refs"))
    assert result.ok, [d.render() for d in result.diagnostics]
    assert result.api is not None
    operations = {op.id: (op.channel.name, [m.name for m in op.messages]) for op in result.api.operations}
    assert operations == {"sendEcho": ("echo", ["echo"]), "receivePing": ("other", ["ping"])}
