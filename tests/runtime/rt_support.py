"""Shared pieces of the runtime tests: Runway-like models and channels, a recording handler, a runner.

Every test runs a coroutine with ``run()``, which also fails the test if the coroutine left any
asyncio task behind: clean shutdown is part of what these tests pin down.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from aiortc import RTCDataChannel, RTCPeerConnection
from asyncapi_gen.runtime.core import ChannelKind, ChannelSpec, CloseReason, ServerSession, WireError
from asyncapi_gen.runtime.webrtc import IceConfig
from asyncapi_gen.runtime.webrtc.ice import pinned_host_addresses, rtc_configuration
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

LOOPBACK = IceConfig(host_addresses=("127.0.0.1",))
AUDIO = "/session/audio"
VIDEO = "/session/video"
DATA = "/session/data"


class SessionState(BaseModel):
    type: Literal["session_state"] = "session_state"
    state: Literal["connecting", "connected", "speaking", "listening", "thinking", "ended"]
    timestamp: datetime


class Transcript(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    type: Literal["transcript"] = "transcript"
    role: Literal["user", "avatar"]
    text: str
    is_final: bool | None = Field(default=None, alias="isFinal")
    timestamp: datetime


class SessionError(BaseModel):
    type: Literal["session_error"] = "session_error"
    error: str
    code: str | None = None
    timestamp: datetime


ServerEvent = Annotated[SessionState | Transcript | SessionError, Field(discriminator="type")]


class SessionControl(BaseModel):
    type: Literal["mute", "unmute", "end_session"]
    metadata: dict[str, Any] | None = None


def now() -> datetime:
    return datetime.now(UTC)


def data_channel(max_message_bytes: int = 262_144) -> ChannelSpec:
    """The Runway data channel: control messages up, a union of three events down."""
    return ChannelSpec(
        DATA,
        ChannelKind.DATA,
        None,
        client_sends=True,
        server_sends=True,
        client_inbound=TypeAdapter(ServerEvent),
        server_inbound=TypeAdapter(SessionControl),
        max_message_bytes=max_message_bytes,
    )


def runway_channels() -> list[ChannelSpec]:
    """Opus both ways, VP8 from the server, JSON both ways: the Runway Characters spec."""
    return [
        ChannelSpec(AUDIO, ChannelKind.AUDIO, "opus", client_sends=True, server_sends=True),
        ChannelSpec(VIDEO, ChannelKind.VIDEO, "vp8", client_sends=False, server_sends=True),
        data_channel(),
    ]


class RecordingHandler:
    """A SessionHandler that records everything and can run a hook in on_open."""

    def __init__(self, on_open: Callable[[ServerSession], Awaitable[None]] | None = None) -> None:
        self.opened = asyncio.Event()
        self.messages: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.errors: asyncio.Queue[WireError] = asyncio.Queue()
        self.close_reasons: list[CloseReason] = []
        self.closed = asyncio.Event()
        self.session: ServerSession | None = None
        self._on_open = on_open

    async def on_open(self, session: ServerSession) -> None:
        self.session = session
        if self._on_open is not None:
            await self._on_open(session)
        self.opened.set()

    async def on_message(self, session: ServerSession, address: str, message: Any) -> None:
        await self.messages.put((address, message))

    async def on_error(self, session: ServerSession, error: WireError) -> None:
        await self.errors.put(error)

    async def on_close(self, session: ServerSession, reason: CloseReason) -> None:
        self.close_reasons.append(reason)
        self.closed.set()


class Recorder:
    """A handler factory that keeps every handler it made."""

    def __init__(self, on_open: Callable[[ServerSession], Awaitable[None]] | None = None) -> None:
        self.handlers: list[RecordingHandler] = []
        self._on_open = on_open

    def __call__(self) -> RecordingHandler:
        handler = RecordingHandler(self._on_open)
        self.handlers.append(handler)
        return handler


async def within(awaitable: Awaitable[Any], seconds: float = 10.0) -> Any:
    """Await with a deadline, so a missing event fails the test instead of hanging it."""
    return await asyncio.wait_for(awaitable, seconds)


def run(test: Callable[[], Coroutine[Any, Any, None]], timeout: float = 60.0) -> None:
    """Run ``test`` in a fresh event loop and fail if it leaves any task running."""

    async def main() -> None:
        await asyncio.wait_for(test(), timeout)
        await asyncio.sleep(0)  # let done-callbacks of just-finished tasks run
        leftover = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        assert not leftover, f"tasks left behind: {leftover}"

    asyncio.run(main())


@asynccontextmanager
async def peer_pair(
    on_inbound: Callable[[RTCDataChannel], None],
) -> AsyncIterator[tuple[RTCPeerConnection, RTCPeerConnection, RTCDataChannel]]:
    """Two raw aiortc peers on loopback, SDP exchanged, and the offerer's ordered data channel ``data``
    (not yet open: await its "open" event). ``on_inbound`` gets the answerer's side of it. Both close after."""
    offerer, answerer = RTCPeerConnection(rtc_configuration(LOOPBACK)), RTCPeerConnection(rtc_configuration(LOOPBACK))
    channel = offerer.createDataChannel("data", ordered=True)
    answerer.on("datachannel", on_inbound)
    try:
        with pinned_host_addresses(LOOPBACK):
            await offerer.setLocalDescription(await offerer.createOffer())
            await answerer.setRemoteDescription(offerer.localDescription)
            await answerer.setLocalDescription(await answerer.createAnswer())
            await offerer.setRemoteDescription(answerer.localDescription)
        yield offerer, answerer, channel
    finally:
        await offerer.close()
        await answerer.close()


async def opened(channel: RTCDataChannel, seconds: float = 10.0) -> None:
    """Return once ``channel`` is open."""
    if channel.readyState != "open":
        ready = asyncio.Event()
        channel.on("open", ready.set)
        await within(ready.wait(), seconds)


def seq_text(seq: int, size: int = 900) -> str:
    """A JSON text naming ``seq``, padded by ``size`` bytes."""
    return json.dumps({"seq": seq, "pad": "x" * size})


class Arrivals:
    """The seqs of the ``seq_text`` messages a data channel receives, in order; ``done`` once ``expected`` came.
    ``attach`` is what ``peer_pair`` calls with the answerer's channel."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.seqs: list[int] = []
        self.done = asyncio.Event()

    def attach(self, inbound: RTCDataChannel) -> None:
        inbound.on("message", self._arrived)

    def _arrived(self, raw: str) -> None:
        self.seqs.append(json.loads(raw)["seq"])
        if len(self.seqs) == self.expected:
            self.done.set()
