"""Sessions that never finish negotiating cost little and not for long.

A client that takes its token and never offers is let go after the offer timeout; one that offers and then never
answers ICE is ended at the connect deadline, with a bye; and at most ``max_negotiating`` of either kind are held at
once: past them, the upgrade is refused with 503 and ``Retry-After``. The raw sides here are ``websockets`` and
aiortc themselves, so that nothing of the runtime's client helps the server.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import pytest
import websockets
from aiortc import RTCPeerConnection
from asyncapi_gen.runtime.webrtc import WebRTCClientSession, WebRTCServer
from asyncapi_gen.runtime.webrtc import server as webrtc_server
from asyncapi_gen.runtime.webrtc import session as webrtc_session
from rt_support import DATA, LOOPBACK, Recorder, SessionControl, data_channel, run, within
from websockets.exceptions import ConnectionClosed, InvalidStatus


def _with_token(url: str, token: str) -> str:
    return f"{url}?token={token}"


async def _gone(server: WebRTCServer, seconds: float) -> float:
    """Seconds until the server holds no session, failing past ``seconds``."""
    started = time.monotonic()
    while server.active_sessions:
        assert time.monotonic() - started < seconds, f"{server.active_sessions} session(s) still held"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


def test_a_client_that_never_offers_is_let_go(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webrtc_server, "OFFER_TIMEOUT", 1.0)

    async def scenario() -> None:
        async with WebRTCServer([data_channel()], Recorder(), ice=LOOPBACK) as server:
            url, token = server.issue_session()
            async with websockets.connect(_with_token(url, token)) as silent:
                await within(_wait_until(lambda: server.active_sessions == 1))
                with pytest.raises(ConnectionClosed):
                    while True:  # whatever the server says, it then closes the socket
                        await asyncio.wait_for(silent.recv(), 5.0)
            assert await _gone(server, 2.0) < 2.0

    run(scenario)


def test_a_session_that_never_connects_ends_at_the_connect_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webrtc_session, "CONNECT_DEADLINE", 1.5)

    async def scenario() -> None:
        async with WebRTCServer([data_channel()], Recorder(), ice=LOOPBACK) as server:
            url, token = server.issue_session()
            async with websockets.connect(_with_token(url, token)) as signaling:
                pc = RTCPeerConnection()
                pc.createDataChannel("data")
                await pc.setLocalDescription(await pc.createOffer())
                await signaling.send(json.dumps({"type": "offer", "sdp": pc.localDescription.sdp}))
                answer = json.loads(await asyncio.wait_for(signaling.recv(), 10.0))
                assert answer["type"] == "answer"
                await pc.close()  # never applies the answer: no ICE check will ever reach the server
                sent_at = time.monotonic()
                bye = json.loads(await asyncio.wait_for(signaling.recv(), 5.0))
                waited = time.monotonic() - sent_at
            assert bye == {"type": "bye", "reason": "error"}
            assert 1.0 < waited < 4.0, f"ended {waited:.1f} s after the answer, the deadline is 1.5 s"
            await _gone(server, 2.0)

    run(scenario)


def test_sessions_still_negotiating_are_capped_and_the_next_is_refused_with_503() -> None:
    async def scenario() -> None:
        recorder = Recorder()
        channels = [data_channel()]
        async with WebRTCServer(channels, recorder, ice=LOOPBACK, max_negotiating=1) as server:
            url, first_token = server.issue_session()
            _, second_token = server.issue_session()
            async with websockets.connect(_with_token(url, first_token)):  # negotiating, and stays so
                await within(_wait_until(lambda: server.active_sessions == 1))
                with pytest.raises(InvalidStatus) as refused:
                    await websockets.connect(_with_token(url, second_token))
                assert refused.value.response.status_code == 503
                assert int(refused.value.response.headers["Retry-After"]) > 0
            await _gone(server, 5.0)
            # The refused client's token was not spent: once there is room, it opens its session.
            async with WebRTCClientSession(url, second_token, channels, ice=LOOPBACK) as client:
                await client.send(DATA, SessionControl(type="mute"))
                _, message = await within(recorder.handlers[-1].messages.get())
                assert message == SessionControl(type="mute")

    run(scenario)


async def _wait_until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.02)
