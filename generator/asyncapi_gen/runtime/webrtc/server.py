"""The server end: a WebSocket signaling server that answers offers, one peer connection per session.

The token is redeemed at the HTTP upgrade, before any WebRTC work, so a refused client costs a
401 and nothing else. Each accepted connection becomes a ``WebRTCServerSession`` (a
``MediaServerSession``) driven by its own ``SessionHandler``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aiortc import MediaStreamTrack, RTCSessionDescription
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from ..core.admission import Admission
from ..core.channels import ChannelSpec, Side, message_limit
from ..core.contracts import SessionHandler, Track
from ..core.errors import CloseReason
from ..core.handling import handle, open_handler
from ..core.session import Session
from ..core.tokens import InMemoryTokenIssuer, TokenIssuer
from ..core.views import SessionView
from ..websocket.endpoint import WebFile
from ..websocket.listener import Listener, ListenerServer
from .ice import IceConfig, pinned_host_addresses
from .sdp import advertise_max_message_size, direction_for
from .session import PeerLink
from .signaling import (
    SIGNALING_MAX_FRAME,
    Answer,
    Offer,
    SignalingError,
    format_signal,
    parse_signal,
)

if TYPE_CHECKING:
    from ..core.contracts import MediaServerSession, ServerTransport

__all__ = ["WebRTCServer", "WebRTCServerSession"]

logger = logging.getLogger(__name__)

#: Sessions that may be negotiating (offer, ICE, DTLS) at once; more wait for a 503's Retry-After.
MAX_NEGOTIATING = 16

#: Seconds a client has, once its token is accepted, to send its offer.
OFFER_TIMEOUT = 10.0


class WebRTCServerSession(SessionView[PeerLink]):
    """One client's WebRTC session on the server, as its handler sees it (a ``MediaServerSession``).

    ``close()`` says bye and closes everything.
    """

    def set_send_track(self, address: str, track: Track) -> None:
        """Send ``track`` on media channel ``address`` (in ``on_open``, or later to replace a track)."""
        self._link.set_send_track(address, track)

    async def remote_track(self, address: str) -> MediaStreamTrack:
        """The track the client sends on media channel ``address`` (buffered: newest 64 frames)."""
        return await self._link.remote_track(address)


class WebRTCServer(ListenerServer):
    """Signaling server for many concurrent WebRTC sessions of one API (a ``ServerTransport``).

    ``url`` is the signaling URL; ``stop()`` says bye to every session, waits for them, then
    stops listening. ``web`` files (``web_files(folder)``) are served on the HTTP port.
    """

    def __init__(
        self,
        channels: Sequence[ChannelSpec],
        handler_factory: Callable[
            [], SessionHandler[MediaServerSession[MediaStreamTrack]]
        ],
        *,
        tokens: TokenIssuer | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        max_duration: float | None = 300.0,
        ice: IceConfig = IceConfig(),  # noqa: B008 - frozen dataclass, safe as a default
        http_port: int | None = None,
        session_endpoint: str = "/sessions",
        max_sessions: int | None = None,
        max_negotiating: int | None = MAX_NEGOTIATING,
        api_key: str | None = None,
        admission: Admission | None = None,
        web: Mapping[str, WebFile] | None = None,
    ) -> None:
        self._channels = list(channels)
        self._handler_factory = handler_factory
        self._max_duration = max_duration
        self._ice = ice
        self._max_message_size = message_limit(channels)
        self._tokens: TokenIssuer = (
            tokens if tokens is not None else InMemoryTokenIssuer()
        )
        listener = Listener(
            self._serve,
            tokens=self._tokens,
            host=host,
            port=port,
            http_port=http_port,
            session_endpoint=session_endpoint,
            max_sessions=max_sessions,
            max_negotiating=max_negotiating,
            api_key=api_key,
            admission=admission,
            web=web,
            max_frame=SIGNALING_MAX_FRAME,
        )
        super().__init__(listener)

    @property
    def tokens(self) -> TokenIssuer:
        """The issuer whose tokens this server accepts (WebRTC sessions always need one)."""
        return self._tokens

    def _serve(
        self, connection: ServerConnection
    ) -> tuple[WebRTCServerSession, Awaitable[None]]:
        session = Session(
            self._channels,
            Side.SERVER,
            functools.partial(PeerLink, ice=self._ice),
            max_duration=self._max_duration,
        )
        view = WebRTCServerSession(session)
        return view, self._run(session, view, connection)

    async def _run(
        self,
        session: Session[PeerLink],
        view: WebRTCServerSession,
        connection: ServerConnection,
    ) -> None:
        """The whole session on ``connection``: answer the offer, then read until it ends."""
        session.link.signaling = connection
        session.start_timer()  # the session's clock runs from the accepted upgrade, setup included
        try:
            await self._answer(session, view, connection)
        except Exception as exc:  # noqa: BLE001 - whatever broke the setup, the session must end
            gone = isinstance(exc, ConnectionClosed)
            if not gone and not session.closed:
                logger.warning("session %s failed to start: %s", session.id, exc)
            session.end(
                CloseReason.PEER_GONE if gone else CloseReason.ERROR,
                notify_peer=not gone,
            )
        else:
            await session.link.read_signaling()
        await session.wait_closed()

    async def _answer(
        self,
        session: Session[PeerLink],
        view: WebRTCServerSession,
        signaling: ServerConnection,
    ) -> None:
        async with asyncio.timeout(OFFER_TIMEOUT):
            offer = parse_signal(await signaling.recv())
        if not isinstance(offer, Offer):
            raise SignalingError(f"expected an offer, got {type(offer).__name__}")
        handler = self._handler_factory()
        handle(session, view, handler)
        link = session.link
        pc = link.create_peer_connection()
        pc.on("datachannel", functools.partial(_accept_data_channel, session))
        await pc.setRemoteDescription(
            RTCSessionDescription(sdp=offer.sdp, type="offer")
        )
        link.adapt_sctp(pc)
        _map_media(link, pc.getTransceivers())
        link.bind_remote_tracks()
        await open_handler(view, handler)
        with pinned_host_addresses(self._ice):
            await pc.setLocalDescription(await pc.createAnswer())
        answer = advertise_max_message_size(
            pc.localDescription.sdp, self._max_message_size
        )
        await signaling.send(format_signal(Answer(answer)))
        link.start_connect_deadline()


def _map_media(link: PeerLink, transceivers: Sequence[Any]) -> None:
    """Pair the i-th media section of the offer with the i-th media channel, checking kinds."""
    if len(transceivers) != len(link.media):
        raise SignalingError(
            f"offer has {len(transceivers)} media sections, the API has {len(link.media)}"
        )
    for spec, transceiver in zip(link.media, transceivers, strict=True):
        if transceiver.kind != spec.kind.value:
            raise SignalingError(
                f"offer has {transceiver.kind} where {spec.address} needs {spec.kind.value}"
            )
        transceiver.direction = direction_for(spec, Side.SERVER)
        link.bind_transceiver(spec, transceiver)


def _accept_data_channel(session: Session[PeerLink], channel: Any) -> None:
    if not session.link.attach_data_channel(channel):
        logger.warning(
            "session %s: closed data channel with unknown label %r",
            session.id,
            channel.label,
        )


if TYPE_CHECKING:

    def _conforms(server: WebRTCServer, session: WebRTCServerSession) -> None:
        _server: ServerTransport = server
        _session: MediaServerSession[MediaStreamTrack] = session
