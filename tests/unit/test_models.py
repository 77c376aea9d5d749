"""models.py emission, checked on the generated Runway models: aliases, literals, datetimes, enums, the union."""

from __future__ import annotations

import ast
import contextlib
import datetime
import enum
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pydantic
import pytest
from asyncapi_gen.build import BuildOptions, BuildResult, build
from asyncapi_gen.runtime.core.codec import validate_wire
from asyncapi_gen.write import write_tree

from .conftest import RUNWAY_PACKAGE, SpecWriter
from .support import forget, import_from, import_models_standalone

TRANSCRIPT = '{"type":"transcript","role":"user","text":"hi","isFinal":true,"timestamp":"2024-11-06T10:00:00Z"}'


def test_transcript_reads_camel_case_json(runway_models: ModuleType) -> None:
    transcript = runway_models.Transcript.model_validate_json(TRANSCRIPT)
    assert transcript.is_final is True
    assert transcript.text == "hi"
    dumped = transcript.model_dump(by_alias=True)
    assert dumped["isFinal"] is True and "is_final" not in dumped
    assert json.loads(transcript.model_dump_json(by_alias=True))["isFinal"] is True


def test_transcript_accepts_the_python_name_too(runway_models: ModuleType) -> None:
    transcript = runway_models.Transcript(type="transcript", role="avatar", text="x", is_final=False,
                                          timestamp="2024-11-06T10:00:00Z")
    assert transcript.is_final is False


def test_timestamp_is_a_datetime(runway_models: ModuleType) -> None:
    transcript = runway_models.Transcript.model_validate_json(TRANSCRIPT)
    assert isinstance(transcript.timestamp, datetime.datetime)
    assert transcript.timestamp == datetime.datetime(2024, 11, 6, 10, tzinfo=datetime.UTC)
    with pytest.raises(pydantic.ValidationError):
        runway_models.Transcript.model_validate_json(TRANSCRIPT.replace("2024-11-06T10:00:00Z", "yesterday"))


@pytest.mark.parametrize(("model", "value"), [("Transcript", "transcript"), ("SessionState", "session_state"),
                                               ("SessionError", "session_error")])
def test_type_fields_are_literals_that_refuse_other_values(runway_models: ModuleType, model: str, value: str) -> None:
    cls = getattr(runway_models, model)
    annotation = cls.model_fields["type"].annotation
    assert annotation == __import__("typing").Literal[value]
    data = json.loads(TRANSCRIPT) | {"state": "connected", "error": "boom"}
    data["type"] = value
    assert cls.model_validate(data).type == value
    data["type"] = "something_else"
    with pytest.raises(pydantic.ValidationError):
        cls.model_validate(data)


def test_enums_are_named_after_their_owner(runway_models: ModuleType) -> None:
    assert [m.value for m in runway_models.SessionControlType] == ["mute", "unmute", "end_session"]
    assert [m.value for m in runway_models.TranscriptRole] == ["user", "avatar"]
    assert "thinking" in [m.value for m in runway_models.SessionStateState]
    for name in ("SessionControlType", "SessionStateState", "TranscriptRole"):
        assert issubclass(getattr(runway_models, name), enum.Enum)
    for vague in ("Type", "State", "Role"):
        assert not hasattr(runway_models, vague)


def test_enum_fields_refuse_unknown_values(runway_models: ModuleType) -> None:
    with pytest.raises(pydantic.ValidationError):
        runway_models.Transcript.model_validate_json(TRANSCRIPT.replace('"user"', '"narrator"'))
    control = runway_models.SessionControl.model_validate({"type": "mute"})
    assert control.type is runway_models.SessionControlType.MUTE


def test_session_event_union_picks_the_member_by_type(runway_models: ModuleType) -> None:
    adapter = pydantic.TypeAdapter(runway_models.SessionEvent)
    at = "2024-11-06T10:00:00Z"
    assert type(adapter.validate_python({"type": "session_state", "state": "connected", "timestamp": at})) \
        is runway_models.SessionState
    assert type(adapter.validate_json(TRANSCRIPT)) is runway_models.Transcript
    assert type(adapter.validate_python({"type": "session_error", "error": "x", "timestamp": at})) \
        is runway_models.SessionError


def test_session_event_union_rejects_an_unknown_tag(runway_models: ModuleType) -> None:
    adapter = pydantic.TypeAdapter(runway_models.SessionEvent)
    with pytest.raises(pydantic.ValidationError) as caught:
        adapter.validate_python({"type": "nope"})
    assert [e["type"] for e in caught.value.errors()] == ["union_tag_invalid"]


def test_session_control_is_its_own_model_outside_the_union(runway_models: ModuleType) -> None:
    assert issubclass(runway_models.SessionControl, pydantic.BaseModel)
    adapter = pydantic.TypeAdapter(runway_models.SessionEvent)
    with pytest.raises(pydantic.ValidationError):
        adapter.validate_python({"type": "mute"})


def test_media_messages_have_no_model(runway_models: ModuleType) -> None:
    models = {name for name, value in vars(runway_models).items()
              if isinstance(value, type) and issubclass(value, pydantic.BaseModel)
              and value.__module__ == runway_models.__name__}
    assert models == {"SessionControl", "SessionState", "Transcript", "SessionError"}
    for name in ("AudioStream", "VideoStream", "AudioStreamPayload", "VideoStreamPayload"):
        assert not hasattr(runway_models, name)


def test_models_module_starts_with_the_header_and_has_no_banner(runway_build: BuildResult) -> None:
    text = runway_build.files[f"{RUNWAY_PACKAGE}/models.py"]
    first, *rest = text.splitlines()
    assert first.startswith("# Generated by asyncapi-gen ") and first.endswith("Do not edit.")
    assert "runway-characters.yaml" in first and "2024-11-06" in first
    # no datamodel-codegen banner (filename, timestamp)
    assert not any(line.startswith("#") and ("datamodel-codegen" in line or "filename:" in line) for line in rest)
    tree = ast.parse(text)
    assert isinstance(tree.body[0], ast.Expr)  # the module docstring


def test_runway_package_imports(runway_tree: Path) -> None:
    """Needs the transport runtime (generator/asyncapi_gen/runtime/): the package imports `._runtime`."""
    try:
        package = import_from(runway_tree, RUNWAY_PACKAGE)
        assert package.SPEC_TITLE == "Runway Characters Realtime Events"
        assert package.SPEC_VERSION == "2024-11-06"
        assert set(package.__all__) <= set(dir(package))
        assert package.models.Transcript.model_validate_json(TRANSCRIPT).is_final is True
        for module in ("client", "server", "channels", "mock"):
            import_from(runway_tree, f"{RUNWAY_PACKAGE}.{module}")
    finally:
        forget(runway_tree, RUNWAY_PACKAGE)


def _wire(models: ModuleType, name: str, text: str) -> Any:
    """Decode text as the runtime does for a received message."""
    return validate_wire(pydantic.TypeAdapter(getattr(models, name)), text)


@contextlib.contextmanager
def payload_model(write_spec: SpecWriter, doc: dict[str, Any], payload: dict[str, Any], tmp_path: Path,
                  name: str) -> Iterator[tuple[ModuleType, type[pydantic.BaseModel]]]:
    """Build doc with its one message carrying payload; yield the package's models and that message's model."""
    message = doc["channels"]["events"]["subscribe"]["message"]
    message["name"], message["payload"] = name.capitalize(), payload
    result = build(write_spec(doc), BuildOptions(package=f"{name}_pkg"))
    assert result.ok and result.api is not None, [d.render() for d in result.diagnostics]
    write_tree(result.files, tmp_path / "out")
    models = import_models_standalone(tmp_path / "out" / f"{name}_pkg" / "models.py", f"unit_{name}_models")
    try:
        model_name = result.api.messages[0].payload_model
        assert model_name is not None
        yield models, getattr(models, model_name)
    finally:
        sys.modules.pop(f"unit_{name}_models", None)


def test_on_the_wire_only_the_json_name_counts(runway_models: ModuleType) -> None:
    # `isFinal` is optional and the schema allows other properties: `is_final` is one of those, not the field.
    received = _wire(runway_models, "Transcript", TRANSCRIPT.replace('"isFinal":true', '"is_final":true'))
    assert received.is_final is None


def test_a_required_field_given_by_its_python_name_is_missing_on_the_wire(
    write_spec: SpecWriter, minimal_doc: dict[str, Any], tmp_path: Path
) -> None:
    payload = {"type": "object", "required": ["eventId"], "properties": {"eventId": {"type": "integer"}}}
    with payload_model(write_spec, minimal_doc, payload, tmp_path, "tick") as (models, model):
        assert _wire(models, model.__name__, '{"eventId": 1}').event_id == 1
        assert model(event_id=2).event_id == 2  # Python code may use the field's name
        with pytest.raises(pydantic.ValidationError):
            _wire(models, model.__name__, '{"event_id": 1}')


@pytest.mark.parametrize(("old", "new"), [('"isFinal":true', '"isFinal":"true"'), ('"isFinal":true', '"isFinal":1'),
                                          ('"2024-11-06T10:00:00Z"', "1730887200")])
def test_on_the_wire_types_are_strict(runway_models: ModuleType, old: str, new: str) -> None:
    runway_models.Transcript.model_validate_json(TRANSCRIPT.replace(old, new))  # lax in Python code
    with pytest.raises(pydantic.ValidationError):
        _wire(runway_models, "Transcript", TRANSCRIPT.replace(old, new))


def test_unknown_properties_are_kept_and_dumped_back(runway_models: ModuleType) -> None:
    received = _wire(runway_models, "Transcript", TRANSCRIPT[:-1] + ',"confidence":0.9,"extra":{"a":[1]}}')
    assert json.loads(received.model_dump_json()) == {**json.loads(TRANSCRIPT), "confidence": 0.9,
                                                      "extra": {"a": [1]}}


def test_wire_names_are_written_without_asking(runway_models: ModuleType) -> None:
    transcript = runway_models.Transcript.model_validate_json(TRANSCRIPT)
    assert json.loads(transcript.model_dump_json())["isFinal"] is True
    assert "isFinal" in transcript.model_dump()


def test_a_closed_schema_refuses_unknown_properties(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    message = minimal_doc["channels"]["events"]["subscribe"]["message"]
    message["payload"] = {"type": "object", "additionalProperties": False, "properties": {"a": {"type": "string"}}}
    result = build(write_spec(minimal_doc), BuildOptions(package="closed_pkg"))
    assert result.ok, [d.render() for d in result.diagnostics]
    assert "extra=\"forbid\"" in result.files["closed_pkg/models.py"]


def test_on_the_wire_null_is_refused_where_the_schema_does_not_allow_it(runway_models: ModuleType) -> None:
    assert runway_models.Transcript.wire_not_null == frozenset({"isFinal"})
    with pytest.raises(pydantic.ValidationError, match="null is not allowed for isFinal"):
        _wire(runway_models, "Transcript", TRANSCRIPT.replace('"isFinal":true', '"isFinal":null'))
    absent = _wire(runway_models, "Transcript", TRANSCRIPT.replace('"isFinal":true,', ""))
    assert absent.is_final is None
    # In Python code, None means absent, and the runtime's encoder leaves it out.
    assert runway_models.Transcript(type="transcript", role="user", text="x", timestamp="2024-11-06T10:00:00Z",
                                    is_final=None).is_final is None


def test_a_nullable_optional_property_accepts_null(write_spec: SpecWriter, minimal_doc: dict[str, Any],
                                                   tmp_path: Path) -> None:
    payload = {"type": "object", "properties": {"text": {"type": ["string", "null"]}, "size": {"type": "integer"},
                                                "any": {}}}
    with payload_model(write_spec, minimal_doc, payload, tmp_path, "note") as (models, model):
        assert model.wire_not_null == frozenset({"size"})
        assert _wire(models, model.__name__, '{"text": null, "any": null}').text is None
        with pytest.raises(pydantic.ValidationError):
            _wire(models, model.__name__, '{"size": null}')


def test_null_is_refused_for_a_field_whose_type_is_defined_later(
    write_spec: SpecWriter, minimal_doc: dict[str, Any], tmp_path: Path
) -> None:
    # `sentAt` refers to a model defined after its user: its alias is known only once pydantic rebuilds the model,
    # which a TypeAdapter over the model does not do (streetlights' `LightMeasuredPayload`).
    minimal_doc["components"]["schemas"]["SentAt"] = {"type": "string", "format": "date-time"}
    payload = {"type": "object", "properties": {"sentAt": {"$ref": "#/components/schemas/SentAt"}}}
    with payload_model(write_spec, minimal_doc, payload, tmp_path, "later") as (models, model):
        with pytest.raises(pydantic.ValidationError, match="null is not allowed for sentAt"):
            _wire(models, model.__name__, '{"sentAt": null}')
        assert _wire(models, model.__name__, '{"sentAt": "2024-11-06T10:00:00Z"}').sent_at is not None


def test_constants_are_defaults_in_python_but_required_on_the_wire(runway_models: ModuleType) -> None:
    transcript = runway_models.Transcript(role="user", text="x", timestamp="2024-11-06T10:00:00Z")
    assert transcript.type == "transcript"
    assert runway_models.Transcript.wire_required == frozenset({"type"})
    with pytest.raises(pydantic.ValidationError, match="missing required properties: type"):
        _wire(runway_models, "Transcript", TRANSCRIPT.replace('"type":"transcript",', ""))


def test_a_dump_leaves_out_what_the_schema_does_not_let_be_null(runway_models: ModuleType) -> None:
    transcript = runway_models.Transcript(role="user", text="x", timestamp="2024-11-06T10:00:00Z")
    dumped = transcript.model_dump_json()
    assert "isFinal" not in json.loads(dumped) and "is_final" not in transcript.model_dump(by_alias=False)
    assert isinstance(_wire(runway_models, "SessionEvent", dumped), runway_models.Transcript)


def test_an_enum_every_owner_declares_alike_is_one_class(write_spec: SpecWriter, minimal_doc: dict[str, Any],
                                                         tmp_path: Path) -> None:
    status = {"type": "string", "enum": ["queued", "done"]}
    schemas = minimal_doc["components"]["schemas"]
    schemas["Order"] = {"type": "object", "properties": {"status": status, "role": {"type": "string",
                                                                                      "enum": ["buyer", "seller"]},
                                                          "level": {"type": "integer", "enum": [1, 2]}}}
    schemas["Refund"] = {"type": "object", "properties": {"status": dict(status),
                                                           "role": {"type": "string", "enum": ["buyer", "bank"]}}}
    schemas["Shipment"] = {"allOf": [{"$ref": "#/components/schemas/Event"},
                                     {"type": "object", "properties": {"status": dict(status)}}]}
    schemas["Audit"] = {"type": "object", "properties": {"level": {"type": "integer", "enum": [1, 2, 3]}}}
    result = build(write_spec(minimal_doc), BuildOptions(package="shared_enums"))
    assert result.ok, [d.render() for d in result.diagnostics]
    write_tree(result.files, tmp_path / "out")
    models = import_models_standalone(tmp_path / "out" / "shared_enums" / "models.py", "unit_shared_enums")
    try:
        # the same `status` enum in both owners: one `Status`, which both fields take
        assert [m.value for m in models.Status] == ["queued", "done"]
        assert not {"OrderStatus", "RefundStatus", "ShipmentStatus"} & set(vars(models))
        assert models.Order.model_validate({"status": "done"}).status is models.Status.DONE
        assert models.Refund.model_validate({"status": "queued"}).status is models.Status.QUEUED
        assert models.Shipment.model_validate({"type": "event", "status": "done"}).status is models.Status.DONE
        with pytest.raises(pydantic.ValidationError):
            models.Order.model_validate({"status": "lost"})
        # `role` and `level` differ between owners: each keeps its owner's name, with its own values
        assert [m.value for m in models.OrderRole] == ["buyer", "seller"]
        assert [m.value for m in models.RefundRole] == ["buyer", "bank"]
        assert [m.value for m in models.AuditLevel] == [1, 2, 3] and not hasattr(models, "Level")
        assert not hasattr(models, "Role")
    finally:
        sys.modules.pop("unit_shared_enums", None)
