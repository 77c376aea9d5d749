"""The client end of a WebRTC session: the offerer.

It adds one transceiver per media channel (in the order given) and one data channel per data
channel, gathers ICE, then trades offer for answer over a WebSocket opened with the session token.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc.rtcrtpparameters import RTCRtpCodecCapability
from websockets.asyncio.client import ClientConnection

from .channels import ChannelKind, ChannelSpec, Side, direction_for
from .client_session import ClientSession, open_websocket
from .errors import SignalingError
from .ice import IceConfig, pinned_host_addresses
from .signaling import (
    Answer,
    Bye,
    Offer,
    advertise_max_message_size,
    advertised_message_size,
    format_signal,
    parse_signal,
    reason_of_bye,
)
from .transport import ClientTransport
from .waiting import first_of
from .webrtc_session import PeerSession

__all__ = ["WebRTCClientSession", "codec_preferences"]

#: Signaling frames carry SDP only; anything larger than this is not ours.
SIGNALING_MAX_FRAME = 1 << 20


class WebRTCClientSession(ClientSession, PeerSession):
    """A client session: ``async with WebRTCClientSession(url, token, channels) as session: ...``."""

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
        super().__init__(channels, Side.CLIENT, max_duration=max_duration)
        self._url = url
        self._token = token
        self._ice = ice
        self._connect_timeout = connect_timeout

    async def _establish(self) -> None:
        self._signaling = signaling = await open_websocket(
            self._url, self._token, max_size=SIGNALING_MAX_FRAME
        )
        pc = self._create_peer_connection(self._ice)
        self._add_channels(pc)
        with pinned_host_addresses(self._ice):
            await pc.setLocalDescription(await pc.createOffer())
        offer = advertise_max_message_size(
            pc.localDescription.sdp, advertised_message_size(self._channels.values())
        )
        await signaling.send(format_signal(Offer(offer)))
        answer = await self._receive_answer(signaling)
        await pc.setRemoteDescription(
            RTCSessionDescription(sdp=answer.sdp, type="answer")
        )
        self._bind_remote_tracks()
        self._spawn(self._read_signaling(), "signaling")
        self._start_timer()
        await first_of(self._connected, self._close_started)
        if not self._connected.is_set():
            raise SignalingError(
                f"session ended while connecting ({self.close_reason})"
            )

    def _add_channels(self, pc: RTCPeerConnection) -> None:
        # Media first, in list order: the server maps the i-th media section to its i-th media channel.
        for spec in self._media:
            direction = direction_for(spec, Side.CLIENT)
            track = self._send_tracks.get(spec.address)
            transceiver = pc.addTransceiver(
                track or spec.kind.value, direction=direction
            )
            transceiver.setCodecPreferences(codec_preferences(spec))
            self._bind_transceiver(spec, transceiver)
        for spec in self._channels.values():
            if spec.kind is ChannelKind.DATA:
                self._attach_data_channel(
                    pc.createDataChannel(spec.address, ordered=True)
                )

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


def codec_preferences(spec: ChannelSpec) -> list[RTCRtpCodecCapability]:
    """aiortc's capabilities for the channel's codec (plus RTX for video, for retransmissions)."""
    kind = spec.kind.value
    wanted = {f"{kind}/{spec.codec}".lower(), "video/rtx"}
    codecs = [
        c
        for c in RTCRtpSender.getCapabilities(kind).codecs
        if c.mimeType.lower() in wanted
    ]
    if not any(c.mimeType.lower() != "video/rtx" for c in codecs):
        raise ValueError(
            f"aiortc has no {kind} codec {spec.codec!r} for channel {spec.address!r}"
        )
    return codecs


if TYPE_CHECKING:

    def _conforms(session: WebRTCClientSession) -> ClientTransport:
        return session
