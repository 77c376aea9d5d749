"""The link under a WebRTC session: one peer connection and its signaling WebSocket.

Data channels carry the messages (one per data channel, label = address, so the session routes
each message by the channel it came on), transceivers the media. The signaling socket stays open
for the session and carries the bye. Delivery and shutdown are the ``Session``'s; the media half
of the contract (``set_send_track``, ``remote_track``) is this link's.

What a peer can make this side do is bounded here:

- a message sent before its data channel opens (in a server's ``on_open``, say) is queued and
  goes out when the channel opens, so no hook waits on a handshake it is part of;
- inbound DATA chunks are refused (left unacknowledged, so SCTP sends them again later) while the
  session's receiver is behind (``Session.room``): a flooding peer is slowed by its own
  congestion control, and SACKs and media keep flowing;
- a message whose reassembly passes ``frame_limit`` ends the session before it costs more: aiortc
  reassembles in quadratic time, so a peer ignoring the advertised size could cost minutes of CPU;
- a signaling frame that breaks the protocol is a violation, and a session survives
  ``MAX_VIOLATIONS`` of them; any failure while reading signaling ends the session.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from aiortc import (
    MediaStreamTrack,
    RTCDataChannel,
    RTCPeerConnection,
    RTCRtpTransceiver,
)
from aiortc.exceptions import InvalidStateError
from websockets.asyncio.connection import Connection
from websockets.exceptions import ConnectionClosed

from ..core.channels import ChannelKind, ChannelSpec, frame_limit
from ..core.contracts import Track
from ..core.errors import CloseReason, SessionClosed
from ..core.session import Session
from ..core.steps import STEP_TIMEOUT, logged
from ..core.waiting import first_of
from .ice import IceConfig, rtc_configuration
from .media import EncodedTrack
from .sctp import coalesce_flushes, delay_sacks
from .signaling import (
    MAX_VIOLATIONS,
    Bye,
    SignalingError,
    bye_for,
    format_signal,
    parse_signal,
    reason_of_bye,
)
from .tracks import BufferedTrack, sendable

if TYPE_CHECKING:
    from ..core.contracts import Link, MediaSession

__all__ = ["PeerLink"]

logger = logging.getLogger(__name__)

#: ``send`` waits while more than this is queued on a data channel, so a fast producer is paced by SCTP.
_SEND_HIGH_WATER = 1 << 20
_SEND_LOW_WATER = 1 << 18

#: Seconds ``close()`` waits for data channels to open so that messages queued before can go out.
_FLUSH_TIMEOUT = 2.0

#: Seconds a session has, from the answer, to connect (ICE and DTLS) before it is ended.
CONNECT_DEADLINE = 10.0


class PeerLink:
    """One peer connection under ``session``, set up by the client (offerer) or the server."""

    def __init__(self, session: Session[Any], *, ice: IceConfig) -> None:
        self._session = session
        self.ice = ice
        channels = session.channels.values()
        self.media = [spec for spec in channels if spec.kind is not ChannelKind.DATA]
        """Media channels in list order: the i-th is the i-th media section of the offer."""
        self.data = [spec for spec in channels if spec.kind is ChannelKind.DATA]
        self.signaling: Connection | None = None
        """The signaling socket, once open; the bye goes out on it."""
        self.connected = asyncio.Event()
        """Set once ICE and DTLS have connected."""
        self._pc: RTCPeerConnection | None = None
        self._data_channels: dict[str, RTCDataChannel] = {}
        self._unsent: dict[str, list[str | bytes]] = {
            spec.address: [] for spec in self.data
        }
        self._channel_open = {spec.address: asyncio.Event() for spec in self.data}
        self._drained = {spec.address: asyncio.Event() for spec in self.data}
        self._transceivers: dict[str, RTCRtpTransceiver] = {}
        self._send_tracks: dict[str, MediaStreamTrack] = {}
        self._remote_tracks: dict[str, BufferedTrack] = {}
        self._track_ready = {spec.address: asyncio.Event() for spec in self.media}

    # ----------------------------------------------------------------- MediaSession

    def set_send_track(self, address: str, track: Track) -> None:
        """Send ``track`` on media channel ``address``: before the session starts, or to replace a track."""
        session = self._session
        spec = session.channels.get(address)
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
        if not session.side.sends(spec):
            raise ValueError(f"the {session.side.value} does not send on {address!r}")
        if session.closed:
            raise SessionClosed(f"session closed; cannot send media on {address}")
        outgoing = sendable(track)
        transceiver = self._transceivers.get(address)
        if transceiver is not None:
            outgoing = _suited(outgoing, transceiver)
            transceiver.sender.replaceTrack(outgoing)
        self._send_tracks[address] = outgoing

    async def remote_track(self, address: str) -> MediaStreamTrack:
        """The track the peer sends on media channel ``address``, once negotiated."""
        session = self._session
        spec = session.channels.get(address)
        if (
            spec is None
            or spec.kind is ChannelKind.DATA
            or not session.side.receives(spec)
        ):
            raise ValueError(f"{address!r} is not a media channel this side receives")
        await first_of(self._track_ready[address], session.closing)
        track = self._remote_tracks.get(address)
        if track is None:
            raise SessionClosed(f"session closed before a track arrived on {address}")
        return track

    # ----------------------------------------------------------------- setting up

    def create_peer_connection(self) -> RTCPeerConnection:
        """The peer connection, whose state changes end the session when the peer is gone."""
        pc = RTCPeerConnection(rtc_configuration(self.ice))
        self._pc = pc
        session, connected = self._session, self.connected
        end = session.end

        @pc.on("connectionstatechange")
        def _on_state() -> None:
            state = pc.connectionState
            if state == "connected":
                session.mark_established()
                connected.set()
            elif state in ("failed", "closed"):
                end(CloseReason.PEER_GONE, notify_peer=True)

        return pc

    def attach_data_channel(self, channel: RTCDataChannel) -> bool:
        """Route ``channel`` by its label; False (and the channel closed) when no channel has that label."""
        address = channel.label
        if address not in self._channel_open or address in self._data_channels:
            channel.close()
            return False
        self._data_channels[address] = channel
        drained = self._drained[address]
        channel.bufferedAmountLowThreshold = _SEND_LOW_WATER
        channel.on("open", lambda: self._opened(address, channel))
        channel.on("bufferedamountlow", drained.set)
        channel.on("message", self._session.receiver(address))
        if channel.readyState == "open":
            self._opened(address, channel)
        return True

    def adapt_sctp(self, pc: RTCPeerConnection) -> None:
        """Once, after SDP: bound what the peer's data channels can cost (see the module docstring), and
        have sends share flush tasks and SACKs travel with replies (see ``sctp``)."""
        sctp = pc.sctp
        if sctp is None or not self.data:
            return
        coalesce_flushes(sctp)
        delay_sacks(sctp)
        # aiortc has no hook for this: its DATA chunk handler is wrapped, on this instance only.
        receive_data_chunk = sctp._receive_data_chunk
        window = sctp._advertised_rwnd  # nothing received yet: the whole window
        cutoff, session, room = (
            frame_limit(self.data),
            self._session,
            self._session.room,
        )

        async def refuse() -> None:
            """Nothing: the chunk is not acknowledged, so the peer sends it again once it times out."""

        def guarded(chunk: Any) -> Coroutine[Any, Any, None]:
            # Not a coroutine of its own: aiortc awaits what this returns, its handler's coroutine when
            # the chunk is taken (one coroutine less per chunk).
            if not room.is_set():
                return refuse()
            if window - sctp._advertised_rwnd + len(chunk.user_data) > cutoff:
                logger.warning(
                    "session %s: the peer sent a message over %d bytes; ending the session",
                    session.id,
                    cutoff,
                )
                session.end(CloseReason.ERROR, notify_peer=True)
                return refuse()
            return receive_data_chunk(chunk)

        sctp._receive_data_chunk = guarded  # type: ignore[method-assign]

    def start_connect_deadline(self, seconds: float | None = None) -> None:
        """End the session if ICE and DTLS have not connected within ``seconds`` from now.

        The default, ``CONNECT_DEADLINE``, is read at each call so that a deployment can set it.
        """
        deadline = CONNECT_DEADLINE if seconds is None else seconds
        self._session.spawn(self._connect_within(deadline), "connect-deadline")

    def send_track(self, address: str) -> MediaStreamTrack | None:
        """The track set to be sent on ``address`` so far, if any."""
        return self._send_tracks.get(address)

    def bind_transceiver(
        self, spec: ChannelSpec, transceiver: RTCRtpTransceiver
    ) -> None:
        """``transceiver`` carries media channel ``spec``; it sends the track set for it."""
        self._transceivers[spec.address] = transceiver
        track = self._send_tracks.get(spec.address)
        if track is not None:
            self._send_tracks[spec.address] = track = _suited(track, transceiver)
            if transceiver.sender.track is not track:
                transceiver.sender.replaceTrack(track)

    def bind_remote_tracks(self) -> None:
        """After the remote description: wrap each track the peer sends (and pull it where needed)."""
        session = self._session
        for address, transceiver in self._transceivers.items():
            source = transceiver.receiver.track
            if (
                source is None
                or address in self._remote_tracks
                or not session.side.receives(session.channels[address])
            ):
                continue
            buffered = BufferedTrack(source)
            self._remote_tracks[address] = buffered
            if buffered.needs_pump:
                session.spawn(buffered.pump(), f"track-{address}")
            self._track_ready[address].set()

    async def read_signaling(self) -> None:
        """Read the signaling socket until bye or disconnection, then end the session accordingly.

        Whatever happens while reading, the session ends: a bye, a closed socket, too many
        frames that break the protocol, or any failure at all.
        """
        assert self.signaling is not None
        session, violations = self._session, 0
        try:
            async for frame in self.signaling:
                try:
                    signal: Bye | SignalingError = _bye_of(parse_signal(frame))
                except SignalingError as exc:
                    signal = exc
                if isinstance(signal, Bye):
                    session.end(reason_of_bye(signal), notify_peer=False)
                    return
                violations += 1
                logger.warning(
                    "session %s: signaling violation %d of %d: %s",
                    session.id,
                    violations,
                    MAX_VIOLATIONS,
                    signal,
                )
                if violations > MAX_VIOLATIONS:
                    session.end(CloseReason.ERROR, notify_peer=True)
                    return
        except ConnectionClosed:
            pass
        except Exception as exc:  # noqa: BLE001 - no frame may outlive the session it broke
            logger.warning(
                "session %s: reading signaling failed: %s",
                session.id,
                type(exc).__name__,
            )
            session.end(CloseReason.ERROR, notify_peer=True)
            return
        session.end(CloseReason.PEER_GONE, notify_peer=False)

    # ----------------------------------------------------------------- Link

    async def transmit(self, address: str, data: str | bytes) -> None:
        """Send ``data`` on ``address``'s data channel, once open, paced by its send buffer."""
        channel = self._data_channels.get(address)
        if channel is None or channel.readyState != "open":
            unsent = self._unsent[address]
            if (
                not self._channel_open[address].is_set()
                and sum(map(len, unsent)) < _SEND_HIGH_WATER
            ):
                unsent.append(data)  # sent by _opened, in order, before anything later
                return
            channel = await self._open_channel(address)
        if channel.bufferedAmount > _SEND_HIGH_WATER:
            await self._wait_drained(address, channel)
        try:
            channel.send(data)
        except InvalidStateError as exc:
            raise SessionClosed(f"data channel {address} is closed") from exc

    async def close(self, reason: CloseReason, notify_peer: bool) -> None:
        """Queued messages, bye, send tracks, data channels, peer connection, signaling socket."""
        await self._flush_unsent()
        if notify_peer and self.signaling is not None:
            with logged("sending bye", quiet=(ConnectionClosed, TimeoutError)):
                await asyncio.wait_for(
                    self.signaling.send(format_signal(bye_for(reason))), 1.0
                )
        for track in self._send_tracks.values():
            track.stop()
        for channel in self._data_channels.values():
            with logged("closing a data channel"):
                channel.close()
        if self._pc is not None:
            with logged("closing the peer connection", quiet=(TimeoutError,)):
                await asyncio.wait_for(self._pc.close(), STEP_TIMEOUT)
        if self.signaling is not None:
            with logged("closing the signaling socket", quiet=(TimeoutError,)):
                await asyncio.wait_for(self.signaling.close(), STEP_TIMEOUT)

    def release(self) -> None:
        """End the remote tracks, so no reader waits on a closed session."""
        for track in self._remote_tracks.values():
            track.stop()

    # ----------------------------------------------------------------- internals

    def _opened(self, address: str, channel: RTCDataChannel) -> None:
        """``channel`` is open: send what was queued before, then let waiting senders through."""
        unsent, self._unsent[address] = self._unsent[address], []
        try:
            for data in unsent:
                channel.send(data)
        except InvalidStateError:
            logger.debug(
                "data channel %s closed while sending what was queued", address
            )
        self._channel_open[address].set()

    async def _flush_unsent(self) -> None:
        """Let messages queued before their channel opened go out, if it opens soon: a peer still
        connecting gets them; a gone one costs at most ``_FLUSH_TIMEOUT``."""
        waiting = [
            self._channel_open[address].wait()
            for address, unsent in self._unsent.items()
            if unsent
        ]
        if waiting and self._pc is not None and self._pc.connectionState != "failed":
            with logged("sending queued messages", quiet=(TimeoutError,)):
                await asyncio.wait_for(asyncio.gather(*waiting), _FLUSH_TIMEOUT)

    async def _connect_within(self, seconds: float) -> None:
        try:
            async with asyncio.timeout(seconds):
                await first_of(self.connected, self._session.closing)
        except TimeoutError:
            logger.warning(
                "session %s: not connected %.0f s after the answer; ending it",
                self._session.id,
                seconds,
            )
            self._session.end(CloseReason.ERROR, notify_peer=True)

    async def _open_channel(self, address: str) -> RTCDataChannel:
        opened = self._channel_open[address]
        if not opened.is_set():
            await first_of(opened, self._session.closing)
        channel = self._data_channels.get(address)
        if self._session.closed or channel is None or channel.readyState != "open":
            raise SessionClosed(f"data channel {address} is not open")
        return channel

    async def _wait_drained(self, address: str, channel: RTCDataChannel) -> None:
        drained, closing = self._drained[address], self._session.closing
        while channel.bufferedAmount > _SEND_HIGH_WATER:
            drained.clear()
            await first_of(drained, closing)
            if closing.is_set():
                raise SessionClosed(f"session closed while sending on {address}")


def _bye_of(signal: object) -> Bye:
    """``signal`` when it is a bye; during a session, anything else breaks the protocol."""
    if isinstance(signal, Bye):
        return signal
    raise SignalingError(f"unexpected {type(signal).__name__} during the session")


if TYPE_CHECKING:

    def _conforms(link: PeerLink) -> tuple[Link, MediaSession[MediaStreamTrack]]:
        return link, link


def _suited(
    track: MediaStreamTrack, transceiver: RTCRtpTransceiver
) -> MediaStreamTrack:
    """``track``, or its raw frames where it carries encoded packets of a codec the transceiver won't send.

    aiortc sends the first of the transceiver's codecs: those negotiated once a remote description is
    set, else those the codec preferences name. It has no public accessor for either before sending,
    hence the private attributes. With neither known, aiortc's own order (VP8, Opus first) applies.
    """
    if not isinstance(track, EncodedTrack):
        return track
    codecs = getattr(transceiver, "_codecs", None) or getattr(
        transceiver, "_preferred_codecs", None
    )
    negotiated = codecs[0].mimeType.lower() if codecs else track.mime_type.lower()
    return track if negotiated == track.mime_type.lower() else track.live()
