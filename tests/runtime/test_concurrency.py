"""Ten sessions at once on one server, each with audio and a data round trip; nothing left after."""

from __future__ import annotations

import asyncio
import gc

from aiortc import RTCPeerConnection
from asyncapi_gen.runtime.core import ChannelKind, ChannelSpec, CloseReason, ServerSession, WireError
from asyncapi_gen.runtime.webrtc import ToneAudioTrack, WebRTCClientSession, WebRTCServer
from rt_support import AUDIO, DATA, LOOPBACK, SessionControl, SessionState, data_channel, now, run, within

SESSIONS = 10
ROUND_TRIPS = 20
CHANNELS = [ChannelSpec(AUDIO, ChannelKind.AUDIO, "opus", client_sends=True, server_sends=True), data_channel()]


class EchoHandler:
    """Answers each control message with a state event, and sends a tone back."""

    async def on_open(self, session: ServerSession) -> None:
        session.set_send_track(AUDIO, ToneAudioTrack(330.0))

    async def on_message(self, session: ServerSession, address: str, message: SessionControl) -> None:
        reply = SessionState(state="listening" if message.type == "unmute" else "thinking", timestamp=now())
        await session.send(DATA, reply)

    async def on_error(self, session: ServerSession, error: WireError) -> None:
        raise AssertionError(error)

    async def on_close(self, session: ServerSession, reason: CloseReason) -> None:
        pass


async def one_session(server: WebRTCServer) -> None:
    url, token = server.issue_session()
    client = WebRTCClientSession(url, token, CHANNELS, ice=LOOPBACK)
    client.set_send_track(AUDIO, ToneAudioTrack())
    async with client:
        replies = client.messages(DATA)
        for _ in range(ROUND_TRIPS):
            await client.send(DATA, SessionControl(type="unmute"))
            reply = await within(anext(replies), 30)
            assert isinstance(reply, SessionState) and reply.state == "listening"
        audio = await client.remote_track(AUDIO)
        await within(audio.recv(), 30)


def test_ten_concurrent_sessions_complete_and_leave_no_peer_connection_or_task() -> None:
    async def scenario() -> None:
        async with WebRTCServer(CHANNELS, EchoHandler, ice=LOOPBACK) as server:
            await asyncio.gather(*(one_session(server) for _ in range(SESSIONS)))
            assert server.active_sessions == 0

    run(scenario, timeout=90)
    gc.collect()
    live = [obj for obj in gc.get_objects() if isinstance(obj, RTCPeerConnection) and obj.connectionState != "closed"]
    assert live == []
