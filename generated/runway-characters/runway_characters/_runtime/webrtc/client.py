# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""The client end of a WebRTC session: the offerer.

It adds one transceiver per media channel (in the order given) and one data channel per data
channel, gathers ICE, then trades offer for answer over a WebSocket opened with the session token.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from websockets.asyncio.client import ClientConnection

from ..core.channels import ChannelSpec, Side, message_limit
from ..core.contracts import Track
from ..core.session import Session
from ..core.views import ClientView
from ..core.waiting import first_of
from ..websocket.client import open_websocket
from .ice import IceConfig, pinned_host_addresses
from .sdp import advertise_max_message_size, codec_preferences, direction_for
from .session import PeerLink
from .signaling import (
    SIGNALING_MAX_FRAME,
    Answer,
    Bye,
    Offer,
    SignalingError,
    format_signal,
    parse_signal,
    reason_of_bye,
)

if TYPE_CHECKING:
    from ..core.contracts import MediaClientTransport

__all__ = ["WebRTCClientSession"]


class WebRTCClientSession(ClientView[PeerLink]):
    """A client session: ``async with WebRTCClientSession(url, token, channels) as session: ...``.

    ``connect()`` signals and connects ICE and DTLS (``TokenRejected`` or ``SignalingError`` when
    that fails); ``close()`` says bye and closes everything.
    """

    def __init__(
        self,
        url: str,
        token: str | None,
        channels: Sequence[ChannelSpec],
        *,
        max_duration: float | None = 300.0,
        ice: IceConfig = IceConfig(),  # noqa: B008 - frozen dataclass, safe as a default
        connect_timeout: float = 15.0,
    ) -> None:
        self._url = url
        self._token = token
        self._max_message_size = message_limit(channels)
        session = Session(
            channels,
            Side.CLIENT,
            functools.partial(PeerLink, ice=ice),
            max_duration=max_duration,
        )
        super().__init__(session, self._establish, connect_timeout)

    def set_send_track(self, address: str, track: Track) -> None:
        """Send ``track`` on media channel ``address``: before ``connect()``, or to replace a track."""
        self._link.set_send_track(address, track)

    async def remote_track(self, address: str) -> MediaStreamTrack:
        """The track the server sends on media channel ``address`` (buffered: newest 64 frames)."""
        return await self._link.remote_track(address)

    async def _establish(self) -> None:
        session, link = self._session, self._link
        link.signaling = signaling = await open_websocket(
            self._url, self._token, max_size=SIGNALING_MAX_FRAME
        )
        pc = link.create_peer_connection()
        self._add_channels(pc)
        link.adapt_sctp(pc)
        with pinned_host_addresses(link.ice):
            await pc.setLocalDescription(await pc.createOffer())
        offer = advertise_max_message_size(
            pc.localDescription.sdp, self._max_message_size
        )
        await signaling.send(format_signal(Offer(offer)))
        answer = await self._receive_answer(signaling)
        await pc.setRemoteDescription(
            RTCSessionDescription(sdp=answer.sdp, type="answer")
        )
        link.bind_remote_tracks()
        session.spawn(link.read_signaling(), "signaling")
        session.start_timer()
        await first_of(link.connected, session.closing)
        if not link.connected.is_set():
            raise SignalingError(
                f"session ended while connecting ({session.close_reason})"
            )

    def _add_channels(self, pc: RTCPeerConnection) -> None:
        # Media first, in list order: the server maps the i-th media section to its i-th media channel.
        link = self._link
        for spec in link.media:
            transceiver = pc.addTransceiver(
                link.send_track(spec.address) or spec.kind.value,
                direction=direction_for(spec, Side.CLIENT),
            )
            transceiver.setCodecPreferences(codec_preferences(spec))
            link.bind_transceiver(spec, transceiver)
        for spec in link.data:
            link.attach_data_channel(pc.createDataChannel(spec.address, ordered=True))

    async def _receive_answer(self, signaling: ClientConnection) -> Answer:
        while True:
            signal = parse_signal(await signaling.recv())
            if isinstance(signal, Answer):
                return signal
            if isinstance(signal, Bye):
                reason = signal.reason or reason_of_bye(signal).value
                raise SignalingError(
                    f"server ended the session before answering ({reason})"
                )


if TYPE_CHECKING:

    def _conforms(
        session: WebRTCClientSession,
    ) -> MediaClientTransport[MediaStreamTrack]:
        return session
