"""models.py emission, checked on the generated Runway models: aliases, literals, datetimes, enums, the union."""

from __future__ import annotations

import ast
import datetime
import enum
import json
from pathlib import Path
from types import ModuleType

import pydantic
import pytest
from asyncapi_gen.build import BuildResult

from .conftest import RUNWAY_PACKAGE
from .support import forget, import_from

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
              if isinstance(value, type) and issubclass(value, pydantic.BaseModel) and value is not pydantic.BaseModel}
    assert models == {"SessionControl", "SessionState", "Transcript", "SessionError"}
    for name in ("AudioStream", "VideoStream", "AudioStreamPayload", "VideoStreamPayload"):
        assert not hasattr(runway_models, name)


def test_models_module_starts_with_the_header_and_has_no_banner(runway_build: BuildResult) -> None:
    text = runway_build.files[f"{RUNWAY_PACKAGE}/models.py"]
    first, *rest = text.splitlines()
    assert first.startswith("# Generated by asyncapi-gen ") and first.endswith("Do not edit.")
    assert "runway-characters.yaml" in first and "2024-11-06" in first
    assert not any(line.startswith("#") for line in rest)  # no datamodel-codegen banner (filename, timestamp)
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
