"""Every way a session ends leaves both sides closed with the right reason and nothing running."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from asyncapi_gen.runtime.core import CloseReason, ConnectError, ServerSession, SessionClosed
from asyncapi_gen.runtime.webrtc import SignalingError, ToneAudioTrack, WebRTCClientSession, WebRTCServer
from rt_support import (
    AUDIO,
    DATA,
    LOOPBACK,
    Recorder,
    SessionControl,
    SessionState,
    data_channel,
    now,
    run,
    runway_channels,
    within,
)


def test_max_duration_ends_the_session_on_time_with_timeout_on_both_sides() -> None:
    async def scenario() -> None:
        recorder = Recorder()
        channels = [data_channel()]
        async with WebRTCServer(channels, recorder, ice=LOOPBACK, max_duration=2.0) as server:
            url, token = server.issue_session()
            started = time.monotonic()
            client = WebRTCClientSession(url, token, channels, ice=LOOPBACK)
            await client.connect()
            assert await within(client.wait_closed(), 10) is CloseReason.TIMEOUT
            elapsed = time.monotonic() - started
            assert 1.9 <= elapsed <= 3.5, elapsed
            await within(recorder.handlers[0].closed.wait())
            assert recorder.handlers[0].close_reasons == [CloseReason.TIMEOUT]
            with pytest.raises(SessionClosed):
                await client.send(DATA, SessionControl(type="mute"))

    run(scenario)


def test_the_client_timer_closes_the_session_if_the_server_does_not() -> None:
    async def scenario() -> None:
        recorder = Recorder()
        channels = [data_channel()]
        async with WebRTCServer(channels, recorder, ice=LOOPBACK, max_duration=None) as server:
            url, token = server.issue_session()
            async with WebRTCClientSession(url, token, channels, ice=LOOPBACK, max_duration=1.0) as client:
                assert await within(client.wait_closed()) is CloseReason.TIMEOUT
            await within(recorder.handlers[0].closed.wait())
            assert recorder.handlers[0].close_reasons == [CloseReason.TIMEOUT]

    run(scenario)


def test_a_server_side_close_is_a_remote_bye_for_the_client_and_ends_message_streams() -> None:
    async def scenario() -> None:
        recorder = Recorder()
        channels = runway_channels()
        async with WebRTCServer(channels, recorder, ice=LOOPBACK) as server:
            url, token = server.issue_session()
            tone = ToneAudioTrack()
            client = WebRTCClientSession(url, token, channels, ice=LOOPBACK)
            client.set_send_track(AUDIO, tone)
            await client.connect()
            events = client.messages(DATA)
            session = recorder.handlers[0].session
            assert session is not None
            await session.send(DATA, SessionState(state="ended", timestamp=now()))
            await session.close()
            assert session.close_reason is CloseReason.LOCAL
            assert await within(client.wait_closed()) is CloseReason.REMOTE_BYE
            assert [event.state async for event in events] == ["ended"]
            assert tone.readyState == "ended"
            with pytest.raises(SessionClosed):
                await session.send(DATA, SessionState(state="ended", timestamp=now()))

    run(scenario)


def test_a_dropped_signaling_socket_is_peer_gone() -> None:
    async def scenario() -> None:
        recorder = Recorder()
        channels = [data_channel()]
        async with WebRTCServer(channels, recorder, ice=LOOPBACK) as server:
            url, token = server.issue_session()
            client = WebRTCClientSession(url, token, channels, ice=LOOPBACK)
            await client.connect()
            signaling = client._link.signaling
            assert signaling is not None
            signaling.transport.abort()  # the network goes away: no bye, no close frame
            await within(recorder.handlers[0].closed.wait())
            assert recorder.handlers[0].close_reasons == [CloseReason.PEER_GONE]
            assert await within(client.wait_closed()) is CloseReason.PEER_GONE

    run(scenario)


def test_server_stop_ends_every_session() -> None:
    async def scenario() -> None:
        recorder = Recorder()
        channels = [data_channel()]
        server = WebRTCServer(channels, recorder, ice=LOOPBACK)
        await server.start()
        clients = []
        for _ in range(3):
            url, token = server.issue_session()
            client = WebRTCClientSession(url, token, channels, ice=LOOPBACK)
            await client.connect()
            clients.append(client)
        assert server.active_sessions == 3
        await server.stop()
        assert server.active_sessions == 0
        assert [handler.close_reasons for handler in recorder.handlers] == [[CloseReason.LOCAL]] * 3
        for client in clients:
            assert await within(client.wait_closed()) is CloseReason.REMOTE_BYE

    run(scenario)


class FaultyHandler:
    """Raises from every hook; the session must survive it."""

    def __init__(self) -> None:
        self.seen: asyncio.Queue[Any] = asyncio.Queue()

    async def on_open(self, session: ServerSession) -> None:
        raise RuntimeError("on_open broke")

    async def on_message(self, session: ServerSession, address: str, message: Any) -> None:
        await self.seen.put(message)
        if message.type == "mute":
            raise RuntimeError("on_message broke")
        if message.type == "end_session":
            await session.close()  # closing from inside a callback must not deadlock

    async def on_error(self, session: ServerSession, error: Any) -> None:
        raise RuntimeError("on_error broke")

    async def on_close(self, session: ServerSession, reason: CloseReason) -> None:
        raise RuntimeError("on_close broke")


def test_handler_exceptions_are_logged_and_do_not_end_the_session(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        handlers: list[FaultyHandler] = []

        def factory() -> FaultyHandler:
            handlers.append(FaultyHandler())
            return handlers[-1]

        channels = [data_channel()]
        async with WebRTCServer(channels, factory, ice=LOOPBACK) as server:
            url, token = server.issue_session()
            async with WebRTCClientSession(url, token, channels, ice=LOOPBACK) as client:
                await client.send(DATA, SessionControl(type="mute"))
                await client.send_raw(DATA, "garbage")
                await client.send(DATA, SessionControl(type="unmute"))
                assert (await within(handlers[0].seen.get())).type == "mute"
                assert (await within(handlers[0].seen.get())).type == "unmute"
                await client.send(DATA, SessionControl(type="end_session"))
                assert await within(client.wait_closed()) is CloseReason.REMOTE_BYE

    run(scenario)
    logged = caplog.text
    for hook in ("on_open", "on_message", "on_error", "on_close"):
        assert f"{hook} broke" in logged


def test_a_data_channel_with_an_unknown_label_is_ignored() -> None:
    async def scenario() -> None:
        recorder = Recorder()
        known = [data_channel()]
        extra = [*known, data_channel().__class__("/not/in/api", known[0].kind, None, True, True)]
        async with WebRTCServer(known, recorder, ice=LOOPBACK) as server:
            url, token = server.issue_session()
            async with WebRTCClientSession(url, token, extra, ice=LOOPBACK) as client:
                await client.send(DATA, SessionControl(type="mute"))
                assert await within(recorder.handlers[0].messages.get()) == (DATA, SessionControl(type="mute"))
                assert not client.closed

    run(scenario)


def test_an_offer_that_does_not_fit_the_api_fails_connect_and_ends_both_sides_with_error() -> None:
    async def scenario() -> None:
        recorder = Recorder()
        async with WebRTCServer([data_channel()], recorder, ice=LOOPBACK) as server:
            url, token = server.issue_session()
            client = WebRTCClientSession(url, token, runway_channels(), ice=LOOPBACK)  # two media sections too many
            with pytest.raises(SignalingError, match="before answering"):
                await client.connect()
            assert client.close_reason is CloseReason.ERROR
            await within(recorder.handlers[0].closed.wait())
            assert recorder.handlers[0].close_reasons == [CloseReason.ERROR]
            assert server.active_sessions == 0

    run(scenario)


def test_connecting_to_nothing_is_a_connect_error() -> None:
    async def scenario() -> None:
        async with WebRTCServer([data_channel()], Recorder(), ice=LOOPBACK) as server:
            url = server.url
        client = WebRTCClientSession(url, "t", [data_channel()], ice=LOOPBACK, connect_timeout=5)
        with pytest.raises(ConnectError):
            await client.connect()
        assert client.close_reason is CloseReason.ERROR

    run(scenario)


def test_a_peer_connection_that_dies_without_a_bye_is_peer_gone_on_the_server() -> None:
    async def scenario() -> None:
        recorder = Recorder()
        channels = [data_channel()]
        async with WebRTCServer(channels, recorder, ice=LOOPBACK) as server:
            url, token = server.issue_session()
            client = WebRTCClientSession(url, token, channels, ice=LOOPBACK)
            await client.connect()
            # Silence the client's signaling, so the server can only learn it from the media path (DTLS).
            link = client._link
            signaling, link.signaling = link.signaling, None
            assert link._pc is not None and signaling is not None
            await link._pc.close()
            await within(recorder.handlers[0].closed.wait())
            assert recorder.handlers[0].close_reasons == [CloseReason.PEER_GONE]
            assert await within(client.wait_closed()) is CloseReason.PEER_GONE
            await signaling.close()

    run(scenario)
