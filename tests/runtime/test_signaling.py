"""Signaling frames, token URLs, and ICE pinning: the pure parts under the transports."""

from __future__ import annotations

import asyncio

import aioice.ice
import pytest
from asyncapi_gen.runtime.core import CloseReason
from asyncapi_gen.runtime.webrtc import IceConfig, SignalingError
from asyncapi_gen.runtime.webrtc.ice import pinned_host_addresses, rtc_configuration
from asyncapi_gen.runtime.webrtc.sdp import advertise_max_message_size
from asyncapi_gen.runtime.webrtc.signaling import (
    Answer,
    Bye,
    Offer,
    bye_for,
    format_signal,
    parse_signal,
    reason_of_bye,
)
from asyncapi_gen.runtime.websocket.client import with_token


def test_signals_round_trip_through_their_json_frames() -> None:
    for signal in (Offer("v=0\r\n"), Answer("v=0\r\n"), Bye(), Bye("timeout")):
        assert parse_signal(format_signal(signal)) == signal


@pytest.mark.parametrize("frame", ["nope", "[]", '{"type": "offer"}', '{"type": "dance"}', '{"sdp": "x"}'])
def test_malformed_signals_are_signaling_errors(frame: str) -> None:
    with pytest.raises(SignalingError):
        parse_signal(frame)


def test_bye_reasons_map_to_close_reasons() -> None:
    assert bye_for(CloseReason.LOCAL) == Bye(None)
    assert bye_for(CloseReason.TIMEOUT) == Bye("timeout")
    assert reason_of_bye(Bye("timeout")) is CloseReason.TIMEOUT
    assert reason_of_bye(Bye()) is CloseReason.REMOTE_BYE
    assert reason_of_bye(Bye("error")) is CloseReason.REMOTE_BYE


def test_the_token_is_appended_url_encoded_keeping_the_query() -> None:
    assert with_token("ws://h:1/", "a b&c") == "ws://h:1/?token=a+b%26c"
    assert with_token("wss://h/rtc?room=7", "t") == "wss://h/rtc?room=7&token=t"
    assert with_token("ws://h/", None) == "ws://h/"


def test_the_advertised_max_message_size_is_rewritten() -> None:
    sdp = "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=max-message-size:262144\r\n"
    assert advertise_max_message_size(sdp, 4194304) == sdp.replace("262144", "4194304")


def test_no_ice_servers_means_no_default_stun() -> None:
    assert rtc_configuration(IceConfig()).iceServers == []
    servers = rtc_configuration(IceConfig(ice_servers=("stun:stun.example:3478",))).iceServers
    assert servers is not None and [server.urls for server in servers] == ["stun:stun.example:3478"]


def test_pinning_holds_inside_the_block_and_task_only() -> None:
    pin = IceConfig(host_addresses=("127.0.0.1", "::1"))

    async def pinned() -> tuple[list[str], list[str]]:
        with pinned_host_addresses(pin):
            await asyncio.sleep(0)  # let the other session's task run while this one is pinned
            return (
                aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=False),
                aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=True),
            )

    async def unpinned() -> list[str]:
        await asyncio.sleep(0)
        return aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=False)

    async def scenario() -> None:
        (v4, both), other = await asyncio.gather(pinned(), unpinned())
        assert v4 == ["127.0.0.1"]
        assert both == ["127.0.0.1", "::1"]
        assert "127.0.0.1" not in other  # aioice's own choice, which skips loopback
        assert "127.0.0.1" not in aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=False)

    asyncio.run(scenario())
