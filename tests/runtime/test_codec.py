"""The pure codec: every kind of bad wire input becomes its own typed error, no sockets involved."""

from __future__ import annotations

import json

import pytest
from asyncapi_gen.runtime.core import (
    ChannelKind,
    ChannelSpec,
    InvalidJson,
    MessageTooLarge,
    SchemaViolation,
    UnknownMessage,
    WireError,
)
from asyncapi_gen.runtime.core.channels import Side
from asyncapi_gen.runtime.core.codec import Router, decode_first, decode_message, encode_message
from pydantic import TypeAdapter
from rt_support import DATA, ServerEvent, SessionControl, SessionState, Transcript, data_channel, now

SPEC = data_channel(max_message_bytes=1024)
EVENTS: TypeAdapter[ServerEvent] = TypeAdapter(ServerEvent)
CONTROL = TypeAdapter(SessionControl)


def test_a_good_message_decodes_to_the_union_member_its_tag_names() -> None:
    raw = '{"type": "transcript", "role": "user", "text": "hello", "isFinal": false, "timestamp": "2024-11-06T10:00:00Z"}'
    message = decode_message(SPEC, EVENTS, raw)
    assert isinstance(message, Transcript)
    assert message.text == "hello" and message.is_final is False


def test_bytes_are_accepted_like_text() -> None:
    assert decode_message(SPEC, CONTROL, b'{"type": "unmute"}') == SessionControl(type="unmute")


def test_invalid_json_is_invalid_json() -> None:
    with pytest.raises(InvalidJson) as caught:
        decode_message(SPEC, EVENTS, '{"type": "transcript",')
    assert caught.value.channel == DATA
    assert caught.value.raw == b'{"type": "transcript",'


def test_non_utf8_bytes_are_invalid_json() -> None:
    with pytest.raises(InvalidJson):
        decode_message(SPEC, EVENTS, b'{"type": "\xff"}')


def test_an_unknown_tag_on_a_union_channel_is_an_unknown_message() -> None:
    with pytest.raises(UnknownMessage) as caught:
        decode_message(SPEC, EVENTS, '{"type": "nope"}')
    assert "nope" in caught.value.detail
    assert caught.value.errors[0]["type"] == "union_tag_invalid"


def test_an_unknown_type_on_a_single_model_channel_is_an_unknown_message() -> None:
    with pytest.raises(UnknownMessage):
        decode_message(SPEC, CONTROL, '{"type": "nope"}')
    with pytest.raises(UnknownMessage):
        decode_message(SPEC, TypeAdapter(SessionState), '{"type": "other", "state": "ended", "timestamp": "x"}')


def test_a_known_message_with_wrong_fields_is_a_schema_violation_with_pydantic_errors() -> None:
    with pytest.raises(SchemaViolation) as caught:
        decode_message(SPEC, EVENTS, '{"type": "session_state", "state": "asleep"}')
    locations = {tuple(error["loc"]) for error in caught.value.errors}
    assert ("session_state", "state") in locations
    assert ("session_state", "timestamp") in locations


def test_a_missing_tag_is_a_schema_violation() -> None:
    with pytest.raises(SchemaViolation):
        decode_message(SPEC, EVENTS, '{"state": "ended"}')


def test_an_oversized_message_is_refused_before_parsing_and_keeps_one_kib() -> None:
    raw = "{" + " " * 5000  # not even JSON: size is checked first
    with pytest.raises(MessageTooLarge) as caught:
        decode_message(SPEC, EVENTS, raw)
    assert len(caught.value.raw) == 1024
    with pytest.raises(MessageTooLarge):
        decode_message(SPEC, EVENTS, "é" * 600)  # 600 characters, 1200 UTF-8 bytes


def test_every_wire_error_is_a_wire_error() -> None:
    for cls in (InvalidJson, UnknownMessage, SchemaViolation, MessageTooLarge):
        assert issubclass(cls, WireError)


def test_channels_without_a_model_still_require_json() -> None:
    spec = ChannelSpec("/raw", ChannelKind.DATA, None, True, True)
    assert decode_message(spec, TypeAdapter(object), '{"a": [1]}') == {"a": [1]}


def test_encode_uses_aliases_and_drops_none() -> None:
    text = encode_message(Transcript(role="avatar", text="hi", isFinal=True, timestamp=now()))
    frame = json.loads(text)
    assert frame["isFinal"] is True and "is_final" not in frame
    assert "metadata" not in json.loads(encode_message(SessionControl(type="mute")))


def test_encode_then_decode_round_trips() -> None:
    event = SessionState(state="thinking", timestamp=now())
    assert decode_message(SPEC, EVENTS, encode_message(event)) == event


def test_a_str_with_a_lone_surrogate_is_invalid_json() -> None:
    with pytest.raises(InvalidJson):
        decode_message(SPEC, CONTROL, '{"type": "mute", "metadata": {"x": "\udc80"}}')


def test_the_size_limit_counts_utf8_bytes_not_characters() -> None:
    limit = ChannelSpec(DATA, ChannelKind.DATA, None, client_sends=True, server_sends=True, max_message_bytes=300)
    fits = json.dumps({"type": "mute", "metadata": {"x": "é" * 100}}, ensure_ascii=False)  # ~230 bytes
    assert decode_message(limit, CONTROL, fits).type == "mute"
    too_big = json.dumps({"type": "mute", "metadata": {"x": "é" * 140}}, ensure_ascii=False)  # < 300 chars
    assert len(too_big) < 300
    with pytest.raises(MessageTooLarge):
        decode_message(limit, CONTROL, too_big)


def test_decode_first_routes_to_the_first_channel_that_accepts_and_picks_the_most_specific_error() -> None:
    small = ChannelSpec("/small", ChannelKind.DATA, None, client_sends=True, server_sends=True, max_message_bytes=40)
    events = ChannelSpec("/events", ChannelKind.DATA, None, client_sends=True, server_sends=True)
    candidates = [(small, CONTROL), (events, EVENTS)]
    assert decode_first(candidates, '{"type": "mute"}') == ("/small", SessionControl(type="mute"))
    state = SessionState(state="speaking", timestamp=now())
    assert decode_first(candidates, encode_message(state)) == ("/events", state)
    long_control = json.dumps({"type": "mute", "metadata": {"pad": "x" * 40}})
    with pytest.raises(UnknownMessage) as unknown:  # too big for /small, so only /events is tried
        decode_first(candidates, long_control)
    assert unknown.value.channel == "/events"
    with pytest.raises(InvalidJson):
        decode_first(candidates, "{")
    with pytest.raises(UnknownMessage) as every:
        decode_first(candidates, '{"type": "nope"}')
    assert every.value.channel == "/small"
    with pytest.raises(SchemaViolation) as violation:
        decode_first(candidates, '{"type": "session_state", "state": "asleep"}')
    assert violation.value.channel == "/events"
    with pytest.raises(MessageTooLarge) as large:
        decode_first(candidates, json.dumps({"pad": "x" * 300_000}))
    assert large.value.channel == "/small"


def test_the_router_decodes_by_the_address_given_or_finds_the_channel() -> None:
    small = ChannelSpec("/small", ChannelKind.DATA, None, True, True, server_inbound=TypeAdapter(SessionControl))
    silent = ChannelSpec("/silent", ChannelKind.DATA, None, client_sends=False, server_sends=True)
    anything = ChannelSpec("/any", ChannelKind.DATA, None, client_sends=True, server_sends=False)
    router = Router([anything, silent, small], Side.SERVER)
    assert router.route("/small", '{"type": "mute"}') == ("/small", SessionControl(type="mute"))
    assert router.route("/any", '{"type": "mute"}') == ("/any", {"type": "mute"})
    assert router.route(None, '{"type": "mute"}') == ("/small", SessionControl(type="mute"))  # typed first
    assert router.route(None, "[1]") == ("/any", [1])
    with pytest.raises(SchemaViolation):
        router.route("/small", "[1]")
    with pytest.raises(UnknownMessage, match="the peer does not send on /silent"):
        router.route("/silent", "{}")
    with pytest.raises(UnknownMessage, match="no data channel"):
        router.route("/nowhere", "{}")
    with pytest.raises(UnknownMessage, match="the client receives on no channel"):
        Router([anything], Side.CLIENT).route(None, "{}")
