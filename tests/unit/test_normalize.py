"""normalize.py (+ v2.py/v3.py): one IR for both major versions; who sends what; names made once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from asyncapi_gen.ir import Api, MessageKind, Payload, Role, Route
from asyncapi_gen.load import load_file
from asyncapi_gen.normalize import normalize
from asyncapi_gen.refs import resolve_document

from .conftest import RUNWAY_SPEC, SpecWriter


def ir(spec: Path) -> Api:
    resolver, diagnostics = resolve_document(load_file(spec))
    assert diagnostics == []
    api, warnings = normalize(resolver, "pkg", "pkg")
    assert [w for w in warnings if w.severity.value == "error"] == []
    return api


@pytest.fixture(scope="module")
def runway() -> Api:
    return ir(RUNWAY_SPEC)


def test_runway_header_fields(runway: Api) -> None:
    assert runway.title == "Runway Characters Realtime Events"
    assert runway.version == "2024-11-06"
    assert runway.asyncapi_version == "2.6.0"
    assert runway.spec_file == "runway-characters.yaml"
    assert len(runway.spec_sha256) == 64
    assert runway.has_media()


def test_publish_is_sent_by_the_client_and_subscribe_by_the_server(runway: Api) -> None:
    senders = {op.id: op.sender for op in runway.operations}
    assert senders == {"sendUserAudio": Role.CLIENT, "receiveAvatarAudio": Role.SERVER,
                       "receiveAvatarVideo": Role.SERVER, "sendControlMessage": Role.CLIENT,
                       "receiveSessionEvent": Role.SERVER}


def test_channels_have_kinds_and_codecs(runway: Api) -> None:
    channels = {c.address: (c.kind, c.codec, c.client_sends, c.server_sends) for c in runway.channels}
    assert channels == {
        "/session/audio": (MessageKind.AUDIO, "opus", True, True),
        "/session/video": (MessageKind.VIDEO, "vp8", False, True),
        "/session/data": (MessageKind.DATA, None, True, True),
    }


def test_media_messages_have_no_payload_model(runway: Api) -> None:
    media = {m.name: m.payload_model for m in runway.messages if m.kind is not MessageKind.DATA}
    assert media == {"AudioStream": None, "VideoStream": None}
    assert "AudioStream" not in runway.model_names and "VideoStream" not in runway.model_names


def test_session_event_union_is_discriminated_by_type(runway: Api) -> None:
    (union,) = runway.unions
    assert union.name == "SessionEvent"
    assert union.members == ("SessionState", "Transcript", "SessionError")
    assert union.discriminator == "type"
    data = next(c for c in runway.channels if c.address == "/session/data")
    event = Payload("SessionEvent", ("SessionState", "Transcript", "SessionError"))
    assert data.client_routes == (Route("on_session_event", event),)
    assert data.server_routes == (Route("on_control_message", Payload("SessionControl", ("SessionControl",))),)
    assert data.inbound(Role.CLIENT) == (event,)


def test_operations_point_at_their_channel_objects(runway: Api) -> None:
    for op in runway.operations:
        assert op.channel in runway.channels
    assert {op.id: op.channel.address for op in runway.operations}["sendControlMessage"] == "/session/data"


def test_operation_names(runway: Api) -> None:
    names = {op.id: (op.client_method, op.send_method, op.hook, op.topic) for op in runway.operations}
    assert names["receiveSessionEvent"] == ("receive_session_event", "send_session_event", "on_session_event",
                                            "session event")
    assert names["sendControlMessage"] == ("send_control_message", "send_control_message", "on_control_message",
                                           "control message")


def test_v3_send_is_sent_by_the_described_application(write_spec: SpecWriter) -> None:
    spec = write_spec({
        "asyncapi": "3.0.0",
        "info": {"title": "T", "version": "1"},
        "channels": {"c": {"address": "room/c", "messages": {"Hello": {"payload": {"type": "string"}}}}},
        "operations": {
            "sayHello": {"action": "send", "channel": {"$ref": "#/channels/c"}},
            "hearHello": {"action": "receive", "channel": {"$ref": "#/channels/c"}},
        },
    })
    api = ir(spec)
    assert {op.id: op.sender for op in api.operations} == {"sayHello": Role.SERVER, "hearHello": Role.CLIENT}
    assert [c.address for c in api.channels] == ["room/c"]


def test_no_discriminator_when_members_do_not_fix_a_property(write_spec: SpecWriter,
                                                              minimal_doc: dict[str, Any]) -> None:
    minimal_doc["components"]["schemas"]["Other"] = {"type": "object", "properties": {"n": {"type": "integer"}}}
    minimal_doc["channels"]["events"]["subscribe"]["message"] = {"oneOf": [
        {"name": "A", "payload": {"$ref": "#/components/schemas/Event"}},
        {"name": "B", "payload": {"$ref": "#/components/schemas/Other"}}]}
    (union,) = ir(write_spec(minimal_doc)).unions
    assert union.members == ("Event", "Other")
    assert union.discriminator is None


def test_colliding_operation_names_are_made_unique(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    minimal_doc["channels"]["events"]["subscribe"]["operationId"] = "close"
    minimal_doc["channels"]["events"]["publish"] = {"operationId": "connect", "message": {"payload": {}}}
    resolver, _ = resolve_document(load_file(write_spec(minimal_doc)))
    api, _ = normalize(resolver, "pkg", "pkg")
    assert {op.client_method for op in api.operations}.isdisjoint({"close", "connect", "send_raw"})
    assert {op.hook for op in api.operations}.isdisjoint({"on_open", "on_close", "on_error"})
