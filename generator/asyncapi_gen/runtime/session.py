"""What a client session and a server session share: channels, tracks, delivery and shutdown.

A session owns one ``RTCPeerConnection`` and one signaling WebSocket. Everything it starts (the
dispatcher that runs callbacks, the max-duration timer, the signaling reader, the track pumps) is
in ``_tasks`` and is finished by the one closer task, whatever ended the session.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from aiortc import MediaStreamTrack, RTCDataChannel, RTCPeerConnection, RTCRtpTransceiver
from aiortc.exceptions import InvalidStateError
from pydantic import BaseModel, TypeAdapter
from websockets.asyncio.connection import Connection
from websockets.exceptions import ConnectionClosed

from .buffered_track import BufferedTrack
from .channels import ChannelKind, ChannelSpec, Side, index_channels
from .codec import decode_message, encode_message
from .errors import CloseReason, MessageTooLarge, SessionClosed, SignalingError, UnknownMessage, WireError
from .ice import IceConfig, rtc_configuration
from .signaling import Bye, bye_for, format_signal, parse_signal, reason_of_bye
from .waiting import first_of

__all__ = ["ErrorCallback", "MessageCallback", "PeerSession"]

logger = logging.getLogger(__name__)

MessageCallback = Callable[[Any], Awaitable[None]]
ErrorCallback = Callable[[WireError], Awaitable[None]]

#: Channels without an inbound adapter still get JSON checked.
_ANY_JSON: TypeAdapter[Any] = TypeAdapter(Any)
#: ``send`` waits while more than this is queued on a data channel, so a fast producer is paced by SCTP.
_SEND_HIGH_WATER = 1 << 20
_SEND_LOW_WATER = 1 << 18
#: Seconds each shutdown step may take before it is abandoned (a dead peer must not hang close()).
_STEP_TIMEOUT = 5.0


@dataclass(frozen=True)
class _Delivery:
    """One validated message, or one wire error, waiting for the dispatcher."""

    address: str
    message: Any = None
    error: WireError | None = None


class PeerSession:
    """One WebRTC session seen from one side; subclassed by the client and the server session."""

    def __init__(self, channels: Sequence[ChannelSpec], side: Side, *, max_duration: float | None) -> None:
        self._channels = index_channels(channels)
        self._media = [spec for spec in channels if spec.kind is not ChannelKind.DATA]
        self._side = side
        self._max_duration = max_duration
        self._pc: RTCPeerConnection | None = None
        self._signaling: Connection | None = None
        self._data_channels: dict[str, RTCDataChannel] = {}
        self._channel_open = {address: asyncio.Event() for address in self._data_addresses()}
        self._drained = {address: asyncio.Event() for address in self._data_addresses()}
        self._transceivers: dict[str, RTCRtpTransceiver] = {}
        self._send_tracks: dict[str, MediaStreamTrack] = {}
        self._remote_tracks: dict[str, BufferedTrack] = {}
        self._track_ready = {spec.address: asyncio.Event() for spec in self._media}
        self._message_callbacks: dict[str, list[MessageCallback]] = {a: [] for a in self._data_addresses()}
        self._error_callbacks: list[ErrorCallback] = []
        self._streams: dict[str, set[_MessageStream]] = {a: set() for a in self._data_addresses()}
        self._inbox: asyncio.Queue[_Delivery | None] = asyncio.Queue()
        self._dispatcher: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._connected = asyncio.Event()
        self._close_started = asyncio.Event()
        self._closer: asyncio.Task[None] | None = None
        self._close_reason: CloseReason | None = None

    # ----------------------------------------------------------------- public API

    @property
    def closed(self) -> bool:
        """True once the session has started closing; nothing can be sent from then on."""
        return self._close_started.is_set()

    @property
    def close_reason(self) -> CloseReason | None:
        """Why the session ended, or None while it runs."""
        return self._close_reason

    def on_message(self, address: str, callback: MessageCallback) -> None:
        """Call ``callback`` with every validated message received on data channel ``address``."""
        self._message_callbacks[self._receivable(address).address].append(callback)

    def on_error(self, callback: ErrorCallback) -> None:
        """Call ``callback`` with every message that failed validation (the session continues)."""
        self._error_callbacks.append(callback)

    def messages(self, address: str) -> AsyncIterator[Any]:
        """Every validated message received on ``address`` from now on; ends when the session closes."""
        stream = _MessageStream()
        if self.closed:
            stream.end()
        else:
            self._streams[self._receivable(address).address].add(stream)
        return stream

    async def send(self, address: str, message: BaseModel) -> None:
        """Send ``message`` on data channel ``address`` once it is open; ``SessionClosed`` after close."""
        spec = self._sendable(address, ChannelKind.DATA)
        text = encode_message(message)
        size = len(text.encode())
        if size > spec.max_message_bytes:
            raise MessageTooLarge(address, text.encode(), f"message of {size} bytes exceeds {spec.max_message_bytes}")
        await self.send_raw(address, text)

    async def send_raw(self, address: str, data: str | bytes) -> None:
        """Send ``data`` as is, unchecked: for tests and tools that must misbehave on purpose."""
        if self.closed:
            raise SessionClosed(f"session closed ({self._close_reason}); cannot send on {address}")
        if address not in self._channel_open:
            raise ValueError(f"{address!r} is not a data channel of this session")
        channel = await self._open_channel(address)
        while channel.bufferedAmount > _SEND_HIGH_WATER:
            self._drained[address].clear()
            await first_of(self._drained[address], self._close_started)
            if self.closed:
                raise SessionClosed(f"session closed while sending on {address}")
        try:
            channel.send(data)
        except InvalidStateError as exc:
            raise SessionClosed(f"data channel {address} is closed") from exc

    def set_send_track(self, address: str, track: MediaStreamTrack) -> None:
        """Send ``track`` on media channel ``address``: before the session starts, or to replace a track."""
        spec = self._sendable(address, None)
        if spec.kind is ChannelKind.DATA or track.kind != spec.kind.value:
            raise ValueError(f"{address!r} carries {spec.kind.value}, not a {track.kind} track")
        if self.closed:
            raise SessionClosed(f"session closed; cannot send media on {address}")
        self._send_tracks[address] = track
        transceiver = self._transceivers.get(address)
        if transceiver is not None:
            transceiver.sender.replaceTrack(track)

    async def remote_track(self, address: str) -> MediaStreamTrack:
        """The track the peer sends on media channel ``address``, once negotiated."""
        spec = self._channels.get(address)
        if spec is None or spec.kind is ChannelKind.DATA or not self._side.receives(spec):
            raise ValueError(f"{address!r} is not a media channel this side receives")
        await first_of(self._track_ready[address], self._close_started)
        track = self._remote_tracks.get(address)
        if track is None:
            raise SessionClosed(f"session closed before a track arrived on {address}")
        return track

    async def close(self) -> None:
        """Say bye and close everything; idempotent, and safe to call from a message callback."""
        closer = self._begin_close(CloseReason.LOCAL, notify_peer=True)
        if asyncio.current_task() is self._dispatcher:
            return  # the closer waits for the dispatcher, which is this very callback
        await asyncio.shield(closer)

    async def wait_closed(self) -> CloseReason:
        """Wait until the session has fully closed; returns why it ended."""
        await self._close_started.wait()
        assert self._closer is not None and self._close_reason is not None
        await asyncio.shield(self._closer)
        return self._close_reason

    # ----------------------------------------------------------------- for subclasses

    def _create_peer_connection(self, ice: IceConfig) -> RTCPeerConnection:
        """A peer connection whose state changes end the session when the peer is gone."""
        pc = RTCPeerConnection(rtc_configuration(ice))
        self._pc = pc

        @pc.on("connectionstatechange")
        def _on_state() -> None:
            state = pc.connectionState
            if state == "connected":
                self._connected.set()
            elif state in ("failed", "closed"):
                self._begin_close(CloseReason.PEER_GONE, notify_peer=True)

        return pc

    def _start_dispatcher(self) -> None:
        if self._dispatcher is None:
            self._dispatcher = asyncio.create_task(self._dispatch(), name="asyncapi-runtime-dispatch")

    def _start_timer(self) -> None:
        if self._max_duration is not None:
            self._spawn(self._expire(self._max_duration), "max-duration")

    def _spawn(self, coroutine: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(coroutine, name=f"asyncapi-runtime-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _attach_data_channel(self, channel: RTCDataChannel) -> bool:
        """Route ``channel`` by its label; False (and the channel closed) when no channel has that label."""
        address = channel.label
        if address not in self._channel_open or address in self._data_channels:
            channel.close()
            return False
        self._data_channels[address] = channel
        opened, drained = self._channel_open[address], self._drained[address]
        channel.bufferedAmountLowThreshold = _SEND_LOW_WATER
        channel.on("open", opened.set)
        channel.on("bufferedamountlow", drained.set)
        channel.on("message", lambda raw: self._receive(address, raw))
        if channel.readyState == "open":
            opened.set()
        return True

    def _bind_transceiver(self, spec: ChannelSpec, transceiver: RTCRtpTransceiver) -> None:
        self._transceivers[spec.address] = transceiver
        track = self._send_tracks.get(spec.address)
        if track is not None and transceiver.sender.track is not track:
            transceiver.sender.replaceTrack(track)

    def _bind_remote_tracks(self) -> None:
        """After the remote description: wrap each track the peer sends, and start pulling it."""
        for address, transceiver in self._transceivers.items():
            source = transceiver.receiver.track
            if source is None or address in self._remote_tracks or not self._side.receives(self._channels[address]):
                continue
            buffered = BufferedTrack(source)
            self._remote_tracks[address] = buffered
            self._spawn(buffered.pump(), f"track-{address}")
            self._track_ready[address].set()

    async def _read_signaling(self) -> None:
        """Read the WebSocket until bye or disconnection, then end the session accordingly."""
        assert self._signaling is not None
        try:
            async for frame in self._signaling:
                try:
                    signal = parse_signal(frame)
                except SignalingError as exc:
                    logger.warning("ignoring signaling frame: %s", exc)
                    continue
                if isinstance(signal, Bye):
                    self._begin_close(reason_of_bye(signal), notify_peer=False)
                    return
                logger.warning("ignoring unexpected %s during the session", type(signal).__name__)
        except ConnectionClosed:
            pass
        self._begin_close(CloseReason.PEER_GONE, notify_peer=False)

    def _begin_close(self, reason: CloseReason, *, notify_peer: bool) -> asyncio.Task[None]:
        """Start closing for ``reason`` (the first reason wins) and return the closer task."""
        if self._closer is None:
            self._close_reason = reason
            self._close_started.set()
            self._closer = asyncio.create_task(self._shutdown(reason, notify_peer), name="asyncapi-runtime-close")
        return self._closer

    async def _on_closed(self, reason: CloseReason) -> None:
        """Hook run once at the end of shutdown (the server calls its handler's on_close here)."""

    # ----------------------------------------------------------------- internals

    def _data_addresses(self) -> list[str]:
        return [a for a, spec in self._channels.items() if spec.kind is ChannelKind.DATA]

    def _receivable(self, address: str) -> ChannelSpec:
        spec = self._channels.get(address)
        if spec is None or spec.kind is not ChannelKind.DATA:
            raise ValueError(f"{address!r} is not a data channel of this session")
        return spec

    def _sendable(self, address: str, kind: ChannelKind | None) -> ChannelSpec:
        spec = self._channels.get(address)
        if spec is None or (kind is not None and spec.kind is not kind):
            raise ValueError(f"{address!r} is not a {kind.value if kind else 'known'} channel of this session")
        if not self._side.sends(spec):
            raise ValueError(f"the {self._side.value} does not send on {address!r}")
        return spec

    async def _open_channel(self, address: str) -> RTCDataChannel:
        opened = self._channel_open[address]
        if not opened.is_set():
            await first_of(opened, self._close_started)
        channel = self._data_channels.get(address)
        if self.closed or channel is None or channel.readyState != "open":
            raise SessionClosed(f"data channel {address} is not open")
        return channel

    def _receive(self, address: str, raw: str | bytes) -> None:
        """aiortc's message event: validate now, deliver in order through the dispatcher."""
        if self.closed:
            return
        spec = self._channels[address]
        try:
            if not self._side.receives(spec):
                data = raw.encode() if isinstance(raw, str) else raw
                raise UnknownMessage(address, data, f"the peer does not send on {address}")
            message = decode_message(spec, self._side.inbound(spec) or _ANY_JSON, raw)
        except WireError as error:
            self._inbox.put_nowait(_Delivery(address, error=error))
            return
        for stream in self._streams[address]:
            stream.push(message)
        self._inbox.put_nowait(_Delivery(address, message=message))

    async def _dispatch(self) -> None:
        """Run callbacks one delivery at a time, so each channel's messages arrive in order."""
        while (delivery := await self._inbox.get()) is not None:
            if delivery.error is not None:
                for on_error in list(self._error_callbacks):
                    with _logged("error callback"):
                        await on_error(delivery.error)
            else:
                for on_message in list(self._message_callbacks[delivery.address]):
                    with _logged(f"message callback for {delivery.address}"):
                        await on_message(delivery.message)

    async def _expire(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        self._begin_close(CloseReason.TIMEOUT, notify_peer=True)

    async def _shutdown(self, reason: CloseReason, notify_peer: bool) -> None:
        """The one path out: bye, tracks, channels, peer connection, socket, tasks, callbacks."""
        try:
            if notify_peer and self._signaling is not None:
                with _logged("sending bye", quiet=(ConnectionClosed, TimeoutError)):
                    await asyncio.wait_for(self._signaling.send(format_signal(bye_for(reason))), 1.0)
            for track in self._send_tracks.values():
                track.stop()
            for channel in self._data_channels.values():
                with _logged("closing a data channel"):
                    channel.close()
            if self._pc is not None:
                with _logged("closing the peer connection", quiet=(TimeoutError,)):
                    await asyncio.wait_for(self._pc.close(), _STEP_TIMEOUT)
            if self._signaling is not None:
                with _logged("closing the signaling socket", quiet=(TimeoutError,)):
                    await asyncio.wait_for(self._signaling.close(), _STEP_TIMEOUT)
            await self._finish_tasks()
            for streams in self._streams.values():
                for stream in streams:
                    stream.end()
            with _logged("close hook"):
                await self._on_closed(reason)
        finally:
            for track in self._remote_tracks.values():
                track.stop()

    async def _finish_tasks(self) -> None:
        current = asyncio.current_task()
        tasks = [task for task in self._tasks if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._dispatcher is not None and self._dispatcher is not current:
            # Deliver what already arrived, then stop; a callback stuck past the timeout is cancelled.
            self._inbox.put_nowait(None)
            with _logged("finishing callbacks", quiet=(TimeoutError,)):
                await asyncio.wait_for(self._dispatcher, _STEP_TIMEOUT)


class _MessageStream:
    """An async iterator fed by the session; ``end()`` makes it stop after what is queued."""

    _END = object()

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Any] = asyncio.Queue()

    def push(self, message: Any) -> None:
        self._queue.put_nowait(message)

    def end(self) -> None:
        self._queue.put_nowait(self._END)

    def __aiter__(self) -> _MessageStream:
        return self

    async def __anext__(self) -> Any:
        item = await self._queue.get()
        if item is self._END:
            self._queue.put_nowait(self._END)  # stay ended for any later call
            raise StopAsyncIteration
        return item


@contextlib.contextmanager
def _logged(what: str, quiet: tuple[type[BaseException], ...] = ()) -> Iterator[None]:
    """Log and swallow an exception from one step, so one failure never skips the rest of a shutdown."""
    try:
        yield
    except quiet:
        logger.debug("%s failed quietly", what, exc_info=True)
    except Exception:
        logger.exception("%s failed", what)
