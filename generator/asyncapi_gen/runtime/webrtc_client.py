"""The client end of a WebRTC session: the offerer.

It adds one transceiver per media channel (in the order given) and one data channel per data
channel, gathers ICE, then trades offer for answer over a WebSocket opened with the session token.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import TracebackType
from typing import Self

from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc.rtcrtpparameters import RTCRtpCodecCapability
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI

from .channels import ChannelKind, ChannelSpec, Side, direction_for
from .errors import AsyncApiRuntimeError, CloseReason, SignalingError, TokenRejected
from .ice import IceConfig, pinned_host_addresses
from .session import PeerSession
from .signaling import (
    Answer,
    Bye,
    Offer,
    advertise_max_message_size,
    advertised_message_size,
    format_signal,
    parse_signal,
    reason_of_bye,
    with_token,
)
from .waiting import first_of

__all__ = ["WebRTCClientSession", "codec_preferences"]

#: Signaling frames carry SDP only; anything larger than this is not ours.
SIGNALING_MAX_FRAME = 1 << 20


class WebRTCClientSession(PeerSession):
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
        self._connecting = False

    async def connect(self) -> None:
        """Open signaling, negotiate, and return once the peer connection is up.

        Raises ``TokenRejected`` when the server refuses the token and ``SignalingError`` for any
        other failure (unreachable server, early bye, timeout); the session is then closed (ERROR).
        """
        if self._connecting or self.closed:
            raise SignalingError("connect() can be called once per session")
        self._connecting = True
        try:
            async with asyncio.timeout(self._connect_timeout):
                await self._negotiate()
        except BaseException as exc:
            await asyncio.shield(self._begin_close(CloseReason.ERROR, notify_peer=True))
            if isinstance(exc, TimeoutError):
                raise SignalingError(f"connecting timed out after {self._connect_timeout} s") from exc
            if isinstance(exc, Exception) and not isinstance(exc, AsyncApiRuntimeError):
                raise SignalingError(f"connecting failed: {exc!r}") from exc
            raise

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _negotiate(self) -> None:
        self._signaling = signaling = await self._open_signaling()
        self._start_dispatcher()
        pc = self._create_peer_connection(self._ice)
        self._add_channels(pc)
        with pinned_host_addresses(self._ice):
            await pc.setLocalDescription(await pc.createOffer())
        offer = advertise_max_message_size(pc.localDescription.sdp, advertised_message_size(self._channels.values()))
        await signaling.send(format_signal(Offer(offer)))
        answer = await self._receive_answer(signaling)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer.sdp, type="answer"))
        self._bind_remote_tracks()
        self._spawn(self._read_signaling(), "signaling")
        self._start_timer()
        await first_of(self._connected, self._close_started)
        if not self._connected.is_set():
            raise SignalingError(f"session ended while connecting ({self.close_reason})")

    async def _open_signaling(self) -> ClientConnection:
        url = with_token(self._url, self._token)
        try:
            return await connect(url, max_size=SIGNALING_MAX_FRAME, proxy=None, open_timeout=None)
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status in (401, 403):
                raise TokenRejected(status, exc.response.body.decode("utf-8", "replace").strip()) from None
            raise SignalingError(f"signaling server refused the upgrade: HTTP {status}") from None
        except (OSError, InvalidHandshake, InvalidURI) as exc:
            raise SignalingError(f"cannot open signaling to {self._url}: {exc}") from exc

    def _add_channels(self, pc: RTCPeerConnection) -> None:
        # Media first, in list order: the server maps the i-th media section to its i-th media channel.
        for spec in self._media:
            direction = direction_for(spec, Side.CLIENT)
            track = self._send_tracks.get(spec.address)
            transceiver = pc.addTransceiver(track or spec.kind.value, direction=direction)
            transceiver.setCodecPreferences(codec_preferences(spec))
            self._bind_transceiver(spec, transceiver)
        for spec in self._channels.values():
            if spec.kind is ChannelKind.DATA:
                self._attach_data_channel(pc.createDataChannel(spec.address, ordered=True))

    async def _receive_answer(self, signaling: ClientConnection) -> Answer:
        while True:
            signal = parse_signal(await signaling.recv())
            if isinstance(signal, Answer):
                return signal
            if isinstance(signal, Bye):
                reason = signal.reason or reason_of_bye(signal).value
                raise SignalingError(f"server ended the session before answering ({reason})")


def codec_preferences(spec: ChannelSpec) -> list[RTCRtpCodecCapability]:
    """aiortc's capabilities for the channel's codec (plus RTX for video, for retransmissions)."""
    kind = spec.kind.value
    wanted = {f"{kind}/{spec.codec}".lower(), "video/rtx"}
    codecs = [c for c in RTCRtpSender.getCapabilities(kind).codecs if c.mimeType.lower() in wanted]
    if not any(c.mimeType.lower() != "video/rtx" for c in codecs):
        raise ValueError(f"aiortc has no {kind} codec {spec.codec!r} for channel {spec.address!r}")
    return codecs
