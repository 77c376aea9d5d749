"""The server end: a WebSocket signaling server that answers offers, one peer connection per session.

The token is redeemed at the HTTP upgrade, before any WebRTC work, so a refused client costs a
401 and nothing else. Each accepted connection becomes a ``ServerSession`` driven by its own
``SessionHandler``.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Sequence
from http import HTTPStatus
from types import TracebackType
from typing import Any, Protocol, Self
from urllib.parse import parse_qs, urlsplit

from aiortc import RTCSessionDescription
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from .channels import ChannelSpec, Side, direction_for
from .errors import CloseReason, SignalingError, WireError
from .http_endpoint import SessionEndpoint
from .ice import IceConfig, pinned_host_addresses
from .session import PeerSession
from .signaling import (
    Answer,
    Offer,
    advertise_max_message_size,
    advertised_message_size,
    format_signal,
    parse_signal,
)
from .tokens import InMemoryTokenIssuer, TokenIssuer

__all__ = ["ServerSession", "SessionHandler", "WebRTCServer"]

logger = logging.getLogger(__name__)

#: Seconds a client has, once its token is accepted, to send its offer.
OFFER_TIMEOUT = 15.0
SIGNALING_MAX_FRAME = 1 << 20


class SessionHandler(Protocol):
    """What the server calls for one session; the factory makes one instance per session."""

    async def on_open(self, session: ServerSession) -> None:
        """The offer is applied and the answer not yet sent: set send tracks here."""
        ...

    async def on_message(self, session: ServerSession, address: str, message: Any) -> None:
        """A validated message arrived on data channel ``address``."""
        ...

    async def on_error(self, session: ServerSession, error: WireError) -> None:
        """A message failed validation; the session continues."""
        ...

    async def on_close(self, session: ServerSession, reason: CloseReason) -> None:
        """The session has ended and everything is closed."""
        ...


class ServerSession(PeerSession):
    """One client's session on the server."""

    def __init__(self, channels: Sequence[ChannelSpec], *, max_duration: float | None, ice: IceConfig) -> None:
        super().__init__(channels, Side.SERVER, max_duration=max_duration)
        self.id = secrets.token_hex(8)
        self._ice = ice
        self._handler: SessionHandler | None = None

    async def _serve(self, signaling: ServerConnection, handler_factory: Callable[[], SessionHandler]) -> None:
        """Run the whole session on ``signaling``: answer the offer, then read until it ends."""
        self._signaling = signaling
        self._start_dispatcher()
        self._start_timer()  # the session's clock runs from the accepted upgrade, setup included
        try:
            await self._answer(signaling, handler_factory)
        except Exception as exc:  # noqa: BLE001 - whatever broke the setup, the session must end
            gone = isinstance(exc, ConnectionClosed)
            if not gone and not self.closed:
                logger.warning("session %s failed to start: %s", self.id, exc)
            self._begin_close(CloseReason.PEER_GONE if gone else CloseReason.ERROR, notify_peer=not gone)
        else:
            await self._read_signaling()
        await self.wait_closed()

    async def _answer(self, signaling: ServerConnection, handler_factory: Callable[[], SessionHandler]) -> None:
        async with asyncio.timeout(OFFER_TIMEOUT):
            offer = parse_signal(await signaling.recv())
        if not isinstance(offer, Offer):
            raise SignalingError(f"expected an offer, got {type(offer).__name__}")
        self._handler = handler = handler_factory()
        self._register(handler)
        pc = self._create_peer_connection(self._ice)
        pc.on("datachannel", self._accept_data_channel)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer.sdp, type="offer"))
        self._map_media(pc.getTransceivers())
        self._bind_remote_tracks()
        try:
            await handler.on_open(self)
        except Exception:
            logger.exception("on_open of session %s failed", self.id)
        with pinned_host_addresses(self._ice):
            await pc.setLocalDescription(await pc.createAnswer())
        answer = advertise_max_message_size(pc.localDescription.sdp, advertised_message_size(self._channels.values()))
        await signaling.send(format_signal(Answer(answer)))

    def _register(self, handler: SessionHandler) -> None:
        for address in self._data_addresses():
            if self._side.receives(self._channels[address]):
                self.on_message(address, _bound_message(handler, self, address))
        self.on_error(lambda error: handler.on_error(self, error))

    def _map_media(self, transceivers: Sequence[Any]) -> None:
        """Pair the i-th media section of the offer with the i-th media channel, checking kinds."""
        if len(transceivers) != len(self._media):
            raise SignalingError(f"offer has {len(transceivers)} media sections, the API has {len(self._media)}")
        for spec, transceiver in zip(self._media, transceivers, strict=True):
            if transceiver.kind != spec.kind.value:
                raise SignalingError(f"offer has {transceiver.kind} where {spec.address} needs {spec.kind.value}")
            transceiver.direction = direction_for(spec, Side.SERVER)
            self._bind_transceiver(spec, transceiver)

    def _accept_data_channel(self, channel: Any) -> None:
        if not self._attach_data_channel(channel):
            logger.warning("session %s: closed data channel with unknown label %r", self.id, channel.label)

    async def _on_closed(self, reason: CloseReason) -> None:
        if self._handler is not None:
            await self._handler.on_close(self, reason)


class WebRTCServer:
    """Signaling server for many concurrent sessions of one API."""

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
        self._channels = list(channels)
        self._handler_factory = handler_factory
        self._tokens: TokenIssuer = tokens if tokens is not None else InMemoryTokenIssuer()
        self._host = host
        self._port = port
        self._max_duration = max_duration
        self._ice = ice
        self._http_port = http_port
        self._endpoint = SessionEndpoint(session_endpoint, self.issue_session) if http_port is not None else None
        self._server: Server | None = None
        self._sessions: set[ServerSession] = set()
        self._stopping = False

    async def start(self) -> None:
        """Start listening (signaling, and the HTTP endpoint when asked for)."""
        self._server = await serve(
            self._serve_connection,
            self._host,
            self._port,
            process_request=self._authorize,
            max_size=SIGNALING_MAX_FRAME,
        )
        if self._endpoint is not None:
            assert self._http_port is not None
            await self._endpoint.start(self._host, self._http_port)

    async def stop(self) -> None:
        """End every session (bye, close), wait for them, then stop listening."""
        # From here no new session starts, so the snapshot below is every session there will be.
        self._stopping = True
        if self._server is not None:
            self._server.close(close_connections=False)
        await asyncio.gather(*(session.close() for session in list(self._sessions)), return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
        if self._endpoint is not None:
            await self._endpoint.stop()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The signaling port actually bound."""
        assert self._server is not None, "start() first"
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def url(self) -> str:
        """The signaling URL clients connect to, ``ws://host:port/``."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"ws://{host}:{self.port}/"

    @property
    def http_url(self) -> str | None:
        """``http://host:port<session_endpoint>``, or None without an HTTP endpoint."""
        if self._endpoint is None:
            return None
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._endpoint.port}{self._endpoint.path}"

    @property
    def tokens(self) -> TokenIssuer:
        """The issuer whose tokens this server accepts."""
        return self._tokens

    @property
    def active_sessions(self) -> int:
        """Sessions accepted and not yet closed."""
        return sum(1 for session in self._sessions if not session.closed)

    def issue_session(self) -> tuple[str, str]:
        """A signaling URL and a fresh one-use token for it."""
        return self.url, self._tokens.issue()

    def _authorize(self, connection: ServerConnection, request: Request) -> Response | None:
        # Redeemed here, at the upgrade: a refused token never reaches WebRTC.
        tokens = parse_qs(urlsplit(request.path).query).get("token", [])
        if self._stopping:
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "server stopping\n")
        if len(tokens) == 1 and self._tokens.redeem(tokens[0]):
            return None
        return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid, used or expired session token\n")

    async def _serve_connection(self, connection: ServerConnection) -> None:
        if self._stopping:
            return  # the upgrade raced stop(); returning closes the socket
        session = ServerSession(self._channels, max_duration=self._max_duration, ice=self._ice)
        self._sessions.add(session)
        try:
            await session._serve(connection, self._handler_factory)
        finally:
            self._sessions.discard(session)


def _bound_message(handler: SessionHandler, session: ServerSession, address: str) -> Callable[[Any], Any]:
    """A message callback that tells the handler which channel the message came on."""

    async def deliver(message: Any) -> None:
        await handler.on_message(session, address, message)

    return deliver
