"""The server end: a WebSocket signaling server that answers offers, one peer connection per session.

The token is redeemed at the HTTP upgrade, before any WebRTC work, so a refused client costs a
401 and nothing else. Each accepted connection becomes a ``WebRTCServerSession`` driven by its own
``SessionHandler``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from aiortc import RTCSessionDescription
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from .channels import ChannelSpec, Side, direction_for
from .errors import CloseReason, SignalingError
from .ice import IceConfig, pinned_host_addresses
from .serving import HandledSession, SessionServer
from .signaling import (
    Answer,
    Offer,
    advertise_max_message_size,
    advertised_message_size,
    format_signal,
    parse_signal,
)
from .tokens import InMemoryTokenIssuer, TokenIssuer
from .transport import ServerSession, ServerTransport, SessionHandler
from .webrtc_session import PeerSession

__all__ = ["ServerSession", "SessionHandler", "WebRTCServer", "WebRTCServerSession"]

logger = logging.getLogger(__name__)

#: Seconds a client has, once its token is accepted, to send its offer.
OFFER_TIMEOUT = 15.0
SIGNALING_MAX_FRAME = 1 << 20


class WebRTCServerSession(HandledSession, PeerSession):
    """One client's WebRTC session on the server (a ``ServerSession``)."""

    def __init__(
        self,
        channels: Sequence[ChannelSpec],
        *,
        max_duration: float | None,
        ice: IceConfig,
    ) -> None:
        super().__init__(channels, Side.SERVER, max_duration=max_duration)
        self._ice = ice

    async def serve(
        self,
        connection: ServerConnection,
        handler_factory: Callable[[], SessionHandler],
    ) -> None:
        """Run the whole session on ``connection``: answer the offer, then read until it ends."""
        self._signaling = connection
        self._start_timer()  # the session's clock runs from the accepted upgrade, setup included
        try:
            await self._answer(connection, handler_factory)
        except Exception as exc:  # noqa: BLE001 - whatever broke the setup, the session must end
            gone = isinstance(exc, ConnectionClosed)
            if not gone and not self.closed:
                logger.warning("session %s failed to start: %s", self.id, exc)
            self._begin_close(
                CloseReason.PEER_GONE if gone else CloseReason.ERROR,
                notify_peer=not gone,
            )
        else:
            await self._read_signaling()
        await self.wait_closed()

    async def _answer(
        self, signaling: ServerConnection, handler_factory: Callable[[], SessionHandler]
    ) -> None:
        async with asyncio.timeout(OFFER_TIMEOUT):
            offer = parse_signal(await signaling.recv())
        if not isinstance(offer, Offer):
            raise SignalingError(f"expected an offer, got {type(offer).__name__}")
        handler = handler_factory()
        self._use_handler(handler)
        pc = self._create_peer_connection(self._ice)
        pc.on("datachannel", self._accept_data_channel)
        await pc.setRemoteDescription(
            RTCSessionDescription(sdp=offer.sdp, type="offer")
        )
        self._map_media(pc.getTransceivers())
        self._bind_remote_tracks()
        try:
            await handler.on_open(self)
        except Exception:
            logger.exception("on_open of session %s failed", self.id)
        with pinned_host_addresses(self._ice):
            await pc.setLocalDescription(await pc.createAnswer())
        answer = advertise_max_message_size(
            pc.localDescription.sdp, advertised_message_size(self._channels.values())
        )
        await signaling.send(format_signal(Answer(answer)))

    def _map_media(self, transceivers: Sequence[Any]) -> None:
        """Pair the i-th media section of the offer with the i-th media channel, checking kinds."""
        if len(transceivers) != len(self._media):
            raise SignalingError(
                f"offer has {len(transceivers)} media sections, the API has {len(self._media)}"
            )
        for spec, transceiver in zip(self._media, transceivers, strict=True):
            if transceiver.kind != spec.kind.value:
                raise SignalingError(
                    f"offer has {transceiver.kind} where {spec.address} needs {spec.kind.value}"
                )
            transceiver.direction = direction_for(spec, Side.SERVER)
            self._bind_transceiver(spec, transceiver)

    def _accept_data_channel(self, channel: Any) -> None:
        if not self._attach_data_channel(channel):
            logger.warning(
                "session %s: closed data channel with unknown label %r",
                self.id,
                channel.label,
            )


class WebRTCServer(SessionServer):
    """Signaling server for many concurrent WebRTC sessions of one API (a ``ServerTransport``)."""

    def __init__(
        self,
        channels: Sequence[ChannelSpec],
        handler_factory: Callable[[], SessionHandler],
        *,
        tokens: TokenIssuer | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        max_duration: float | None = 300.0,
        ice: IceConfig = IceConfig(),  # noqa: B008 - frozen dataclass, safe as a default
        http_port: int | None = None,
        session_endpoint: str = "/v1/realtime_sessions",
    ) -> None:
        issuer: TokenIssuer = tokens if tokens is not None else InMemoryTokenIssuer()
        super().__init__(
            handler_factory,
            tokens=issuer,
            host=host,
            port=port,
            http_port=http_port,
            session_endpoint=session_endpoint,
            max_frame=SIGNALING_MAX_FRAME,
        )
        self._channels = list(channels)
        self._max_duration = max_duration
        self._ice = ice
        self._issuer = issuer

    @property
    def tokens(self) -> TokenIssuer:
        """The issuer whose tokens this server accepts (WebRTC sessions always need one)."""
        return self._issuer

    def issue_session(self) -> tuple[str, str]:
        """A signaling URL and a fresh one-use token for it."""
        return self.url, self._issuer.issue()

    def _new_session(self) -> WebRTCServerSession:
        return WebRTCServerSession(
            self._channels, max_duration=self._max_duration, ice=self._ice
        )


if TYPE_CHECKING:

    def _conforms(server: WebRTCServer, session: WebRTCServerSession) -> None:
        _server: ServerTransport = server
        _session: ServerSession = session
