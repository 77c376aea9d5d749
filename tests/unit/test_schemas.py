"""schemas.py: every payload and component schema gathered into one JSON Schema with `$defs` for the model stage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asyncapi_gen.load import load_file
from asyncapi_gen.refs import Location, resolve_document
from asyncapi_gen.schemas import ModelSchemaBuilder, is_json_schema_format

from .conftest import RUNWAY_SPEC, SpecWriter


def builder_for(spec: Path) -> ModelSchemaBuilder:
    resolver, diagnostics = resolve_document(load_file(spec))
    assert diagnostics == []
    return ModelSchemaBuilder(resolver)


def test_components_become_defs_under_their_names() -> None:
    builder = builder_for(RUNWAY_SPEC)
    builder.add_components()
    assert list(builder.defs) == ["SessionControl", "SessionState", "Transcript", "SessionError"]
    root = builder.root_schema()
    assert root["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert root["$defs"]["Transcript"]["properties"]["isFinal"] == {
        "type": "boolean", "description": builder.defs["Transcript"]["properties"]["isFinal"]["description"]}


def test_refs_are_rewritten_to_defs(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    minimal_doc["components"]["schemas"]["Wrapper"] = {
        "type": "object", "properties": {"event": {"$ref": "#/components/schemas/Event"}}}
    builder = builder_for(write_spec(minimal_doc))
    builder.add_components()
    assert builder.defs["Wrapper"]["properties"]["event"] == {"$ref": "#/$defs/Event"}


def test_payload_ref_takes_the_component_name(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    builder = builder_for(write_spec(minimal_doc))
    main = builder.resolver.main
    name = builder.add_payload({"$ref": "#/components/schemas/Event"}, Location(main, "/x"), "fallback")
    assert name == "Event"


def test_inline_payload_takes_the_fallback_name(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    minimal_doc["channels"]["events"]["subscribe"]["message"]["payload"] = {"type": "object"}
    builder = builder_for(write_spec(minimal_doc))
    pointer = "/channels/events/subscribe/message/payload"
    payload = minimal_doc["channels"]["events"]["subscribe"]["message"]["payload"]
    assert builder.add_payload(payload, Location(builder.resolver.main, pointer), "event payload") == "EventPayload"
    # The same location asked twice is the same class.
    assert builder.add_payload(payload, Location(builder.resolver.main, pointer), "other") == "EventPayload"


def test_component_names_are_made_python_and_unique(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    minimal_doc["components"]["schemas"] = {"user-event": {"type": "object"}, "user_event": {"type": "array"},
                                            "class": {"type": "object"}, "BaseModel": {"type": "object"}}
    minimal_doc["channels"] = {}
    builder = builder_for(write_spec(minimal_doc))
    builder.add_components()
    names = sorted(builder.defs)
    assert len(names) == 4 and all(n.isidentifier() for n in names)
    assert {"Class", "UserEvent", "UserEvent2"} <= set(names)
    assert "BaseModel" not in names  # would shadow pydantic's BaseModel in models.py


def test_ref_into_another_file_is_hoisted(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    write_spec({"Shared": {"type": "object", "properties": {"n": {"type": "integer"}}}}, "common.yaml")
    minimal_doc["components"]["schemas"]["Event"]["properties"]["shared"] = {"$ref": "common.yaml#/Shared"}
    builder = builder_for(write_spec(minimal_doc))
    builder.add_components()
    assert builder.defs["Event"]["properties"]["shared"] == {"$ref": "#/$defs/Shared"}
    assert builder.defs["Shared"]["properties"]["n"] == {"type": "integer"}


def test_self_reference_points_at_its_own_def(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    minimal_doc["components"]["schemas"]["Event"]["properties"]["next"] = {"$ref": "#/components/schemas/Event"}
    builder = builder_for(write_spec(minimal_doc))
    builder.add_components()
    assert builder.defs["Event"]["properties"]["next"] == {"$ref": "#/$defs/Event"}


def test_asyncapi_only_keywords_and_extensions_are_dropped(write_spec: SpecWriter,
                                                           minimal_doc: dict[str, Any]) -> None:
    event = minimal_doc["components"]["schemas"]["Event"]
    event.update({"discriminator": "type", "examples": [{"type": "event"}], "x-internal": True,
                  "externalDocs": {"url": "https://example.com"}, "deprecated": True})
    builder = builder_for(write_spec(minimal_doc))
    builder.add_components()
    assert set(builder.defs["Event"]) == {"type", "required", "properties"}


def test_nullable_becomes_a_type_list(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    minimal_doc["components"]["schemas"]["Event"]["properties"]["text"] = {"type": "string", "nullable": True}
    builder = builder_for(write_spec(minimal_doc))
    builder.add_components()
    assert builder.defs["Event"]["properties"]["text"] == {"type": ["string", "null"]}


def test_property_named_like_a_keyword_is_data_not_a_schema(write_spec: SpecWriter,
                                                            minimal_doc: dict[str, Any]) -> None:
    # A property called `items` or `$ref`-free `properties` is a name inside `properties`, not a keyword.
    minimal_doc["components"]["schemas"]["Event"]["properties"]["items"] = {"type": "string"}
    minimal_doc["components"]["schemas"]["Event"]["properties"]["x-tag"] = {"type": "string"}
    builder = builder_for(write_spec(minimal_doc))
    builder.add_components()
    assert builder.defs["Event"]["properties"]["items"] == {"type": "string"}
    assert builder.defs["Event"]["properties"]["x-tag"] == {"type": "string"}


def test_schema_format_detection() -> None:
    assert is_json_schema_format(None)
    assert is_json_schema_format("application/vnd.aai.asyncapi+json;version=2.6.0")
    assert is_json_schema_format("application/schema+json;version=draft-07")
    assert not is_json_schema_format("application/vnd.apache.avro;version=1.9.0")


def test_keywords_of_another_type_are_dropped_as_json_schema_ignores_them(
    write_spec: SpecWriter, minimal_doc: dict[str, Any]
) -> None:
    minimal_doc["components"]["schemas"]["Odd"] = {"type": "object", "properties": {
        "tags": {"type": "array", "minLength": 2, "maxLength": 3, "minItems": 1, "items": {"type": "string"}},
        "count": {"type": "integer", "pattern": "^x$", "format": "date-time", "minimum": 0},
        "either": {"type": ["string", "array"], "minLength": 1, "minItems": 1, "minimum": 3}}}
    builder = builder_for(write_spec(minimal_doc))
    builder.add_components()
    properties = builder.defs["Odd"]["properties"]
    assert properties["tags"] == {"type": "array", "minItems": 1, "items": {"type": "string"}}
    assert properties["count"] == {"type": "integer", "minimum": 0}
    assert properties["either"] == {"type": ["string", "array"], "minLength": 1, "minItems": 1}


def test_tuple_items_become_any_items(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    minimal_doc["components"]["schemas"]["Pair"] = {
        "type": "array", "items": [{"type": "string"}, {"type": "integer"}], "additionalItems": False, "maxItems": 2}
    builder = builder_for(write_spec(minimal_doc))
    builder.add_components()
    assert builder.defs["Pair"] == {"type": "array", "maxItems": 2}
