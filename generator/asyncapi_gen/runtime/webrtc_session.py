"""What a WebRTC client session and server session share: the peer connection, its channels and tracks.

A session owns one ``RTCPeerConnection`` and one signaling WebSocket; data channels carry the
messages, transceivers the media. Delivery and shutdown come from ``BaseSession``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from aiortc import (
    MediaStreamTrack,
    RTCDataChannel,
    RTCPeerConnection,
    RTCRtpTransceiver,
)
from aiortc.exceptions import InvalidStateError
from websockets.asyncio.connection import Connection
from websockets.exceptions import ConnectionClosed

from .buffered_track import BufferedTrack
from .channels import ChannelKind, ChannelSpec, Side
from .codec import as_bytes, decoder
from .errors import (
    CloseReason,
    SessionClosed,
    SignalingError,
    UnknownMessage,
    WireError,
)
from .ice import IceConfig, rtc_configuration
from .session import STEP_TIMEOUT, BaseSession, logged
from .signaling import Bye, bye_for, format_signal, parse_signal, reason_of_bye
from .waiting import first_of

__all__ = ["PeerSession"]

logger = logging.getLogger(__name__)

#: ``send`` waits while more than this is queued on a data channel, so a fast producer is paced by SCTP.
_SEND_HIGH_WATER = 1 << 20
_SEND_LOW_WATER = 1 << 18


class PeerSession(BaseSession):
    """One WebRTC session seen from one side; subclassed by the client and the server session."""

    def __init__(
        self, channels: Sequence[ChannelSpec], side: Side, *, max_duration: float | None
    ) -> None:
        super().__init__(channels, side, max_duration=max_duration)
        self._media = [spec for spec in channels if spec.kind is not ChannelKind.DATA]
        self._pc: RTCPeerConnection | None = None
        self._signaling: Connection | None = None
        self._data_channels: dict[str, RTCDataChannel] = {}
        self._channel_open = {address: asyncio.Event() for address in self._inbound}
        self._drained = {address: asyncio.Event() for address in self._inbound}
        self._transceivers: dict[str, RTCRtpTransceiver] = {}
        self._send_tracks: dict[str, MediaStreamTrack] = {}
        self._remote_tracks: dict[str, BufferedTrack] = {}
        self._track_ready = {spec.address: asyncio.Event() for spec in self._media}
        self._connected = asyncio.Event()

    # ----------------------------------------------------------------- media

    def set_send_track(self, address: str, track: MediaStreamTrack) -> None:
        """Send ``track`` on media channel ``address``: before the session starts, or to replace a track."""
        spec = self._channels.get(address)
        if (
            spec is None
            or spec.kind is ChannelKind.DATA
            or track.kind != spec.kind.value
        ):
            kind = (
                "no media"
                if spec is None or spec.kind is ChannelKind.DATA
                else spec.kind.value
            )
            raise ValueError(f"{address!r} carries {kind}, not a {track.kind} track")
        if not self._side.sends(spec):
            raise ValueError(f"the {self._side.value} does not send on {address!r}")
        if self.closed:
            raise SessionClosed(f"session closed; cannot send media on {address}")
        self._send_tracks[address] = track
        transceiver = self._transceivers.get(address)
        if transceiver is not None:
            transceiver.sender.replaceTrack(track)

    async def remote_track(self, address: str) -> MediaStreamTrack:
        """The track the peer sends on media channel ``address``, once negotiated."""
        spec = self._channels.get(address)
        if (
            spec is None
            or spec.kind is ChannelKind.DATA
            or not self._side.receives(spec)
        ):
            raise ValueError(f"{address!r} is not a media channel this side receives")
        await first_of(self._track_ready[address], self._close_started)
        track = self._remote_tracks.get(address)
        if track is None:
            raise SessionClosed(f"session closed before a track arrived on {address}")
        return track

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
        channel.on("message", self._receiver(address))
        if channel.readyState == "open":
            opened.set()
        return True

    def _bind_transceiver(
        self, spec: ChannelSpec, transceiver: RTCRtpTransceiver
    ) -> None:
        self._transceivers[spec.address] = transceiver
        track = self._send_tracks.get(spec.address)
        if track is not None and transceiver.sender.track is not track:
            transceiver.sender.replaceTrack(track)

    def _bind_remote_tracks(self) -> None:
        """After the remote description: wrap each track the peer sends, and start pulling it."""
        for address, transceiver in self._transceivers.items():
            source = transceiver.receiver.track
            if (
                source is None
                or address in self._remote_tracks
                or not self._side.receives(self._channels[address])
            ):
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
                logger.warning(
                    "ignoring unexpected %s during the session", type(signal).__name__
                )
        except ConnectionClosed:
            pass
        self._begin_close(CloseReason.PEER_GONE, notify_peer=False)

    # ----------------------------------------------------------------- BaseSession

    async def _transmit(self, address: str, data: str | bytes) -> None:
        channel = self._data_channels.get(address)
        if channel is None or channel.readyState != "open":
            channel = await self._open_channel(address)
        if channel.bufferedAmount > _SEND_HIGH_WATER:
            await self._wait_drained(address, channel)
        try:
            channel.send(data)
        except InvalidStateError as exc:
            raise SessionClosed(f"data channel {address} is closed") from exc

    async def _close_transport(self, reason: CloseReason, notify_peer: bool) -> None:
        """Bye, send tracks, data channels, peer connection, signaling socket."""
        if notify_peer and self._signaling is not None:
            with logged("sending bye", quiet=(ConnectionClosed, TimeoutError)):
                await asyncio.wait_for(
                    self._signaling.send(format_signal(bye_for(reason))), 1.0
                )
        for track in self._send_tracks.values():
            track.stop()
        for channel in self._data_channels.values():
            with logged("closing a data channel"):
                channel.close()
        if self._pc is not None:
            with logged("closing the peer connection", quiet=(TimeoutError,)):
                await asyncio.wait_for(self._pc.close(), STEP_TIMEOUT)
        if self._signaling is not None:
            with logged("closing the signaling socket", quiet=(TimeoutError,)):
                await asyncio.wait_for(self._signaling.close(), STEP_TIMEOUT)

    def _release(self) -> None:
        for track in self._remote_tracks.values():
            track.stop()

    # ----------------------------------------------------------------- internals

    async def _open_channel(self, address: str) -> RTCDataChannel:
        if address not in self._channel_open:
            raise ValueError(f"{address!r} is not a data channel of this session")
        opened = self._channel_open[address]
        if not opened.is_set():
            await first_of(opened, self._close_started)
        channel = self._data_channels.get(address)
        if self.closed or channel is None or channel.readyState != "open":
            raise SessionClosed(f"data channel {address} is not open")
        return channel

    async def _wait_drained(self, address: str, channel: RTCDataChannel) -> None:
        drained = self._drained[address]
        while channel.bufferedAmount > _SEND_HIGH_WATER:
            drained.clear()
            await first_of(drained, self._close_started)
            if self.closed:
                raise SessionClosed(f"session closed while sending on {address}")

    def _receiver(self, address: str) -> Callable[[str | bytes], None]:
        """aiortc's message handler for ``address``: validate, then deliver at once."""
        spec, adapter = self._inbound[address]
        decode = decoder(spec, adapter) if adapter is not None else None
        closing = self._close_started

        def receive(raw: str | bytes) -> None:
            if closing.is_set():
                return
            try:
                if decode is None:
                    raise UnknownMessage(
                        address, as_bytes(raw), f"the peer does not send on {address}"
                    )
                message = decode(raw)
            except WireError as error:
                self._deliver_error(error)
                return
            self._deliver(address, message)

        return receive
