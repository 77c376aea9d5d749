"""What the WebRTC and the WebSocket server share: the listening socket, tokens, sessions, shutdown.

Both accept WebSockets (signaling for one, the messages themselves for the other), redeem the
session token during the HTTP upgrade, keep their live sessions, optionally serve the HTTP session
endpoint, and stop by closing every session before they stop listening.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
from collections.abc import Callable, Sequence
from http import HTTPStatus
from types import TracebackType
from typing import Protocol, Self
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from .channels import ChannelSpec, Side
from .errors import CloseReason
from .http_endpoint import SessionEndpoint
from .session import BaseSession
from .tokens import TokenIssuer
from .transport import SessionHandler

__all__ = ["HandledSession", "HostedSession", "SessionServer"]

logger = logging.getLogger(__name__)


class HostedSession(Protocol):
    """A server-side session as its server drives it."""

    @property
    def closed(self) -> bool: ...

    async def close(self) -> None: ...

    async def serve(
        self,
        connection: ServerConnection,
        handler_factory: Callable[[], SessionHandler],
    ) -> None:
        """Run the whole session on ``connection``; returns once it has fully closed."""
        ...


class SessionServer:
    """A WebSocket listener whose every accepted connection becomes one session; subclassed per transport."""

    def __init__(
        self,
        handler_factory: Callable[[], SessionHandler],
        *,
        tokens: TokenIssuer | None,
        host: str,
        port: int,
        http_port: int | None,
        session_endpoint: str,
        max_frame: int,
    ) -> None:
        self._handler_factory = handler_factory
        self._tokens = tokens
        self._host = host
        self._port = port
        self._http_port = http_port
        self._endpoint = (
            SessionEndpoint(session_endpoint, self.issue_session)
            if http_port is not None
            else None
        )
        self._max_frame = max_frame
        self._server: Server | None = None
        self._sessions: set[HostedSession] = set()
        self._stopping = False

    async def start(self) -> None:
        """Start listening (and serving the HTTP endpoint when asked for)."""
        self._server = await serve(
            self._serve_connection,
            self._host,
            self._port,
            process_request=self._authorize,
            max_size=self._max_frame,
        )
        if self._endpoint is not None:
            assert self._http_port is not None
            await self._endpoint.start(self._host, self._http_port)

    async def stop(self) -> None:
        """End every session (each is told why), wait for them, then stop listening."""
        # From here no new session starts, so the snapshot below is every session there will be.
        self._stopping = True
        if self._server is not None:
            self._server.close(close_connections=False)
        await asyncio.gather(
            *(session.close() for session in list(self._sessions)),
            return_exceptions=True,
        )
        if self._server is not None:
            await self._server.wait_closed()
        if self._endpoint is not None:
            await self._endpoint.stop()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The port actually bound."""
        assert self._server is not None, "start() first"
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def url(self) -> str:
        """The URL clients connect to, ``ws://host:port/``."""
        return f"ws://{self._url_host()}:{self.port}/"

    @property
    def http_url(self) -> str | None:
        """``http://host:port<session_endpoint>``, or None without an HTTP endpoint."""
        if self._endpoint is None:
            return None
        return f"http://{self._url_host()}:{self._endpoint.port}{self._endpoint.path}"

    @property
    def tokens(self) -> TokenIssuer | None:
        """The issuer whose tokens this server accepts, or None when it lets every client in."""
        return self._tokens

    @property
    def active_sessions(self) -> int:
        """Sessions accepted and not yet closed."""
        return sum(1 for session in self._sessions if not session.closed)

    def issue_session(self) -> tuple[str, str]:
        """The URL and a fresh one-use token for it ("" when this server requires no token)."""
        return self.url, self._tokens.issue() if self._tokens is not None else ""

    def _new_session(self) -> HostedSession:
        raise NotImplementedError

    def _url_host(self) -> str:
        return f"[{self._host}]" if ":" in self._host else self._host

    def _authorize(
        self, connection: ServerConnection, request: Request
    ) -> Response | None:
        # Redeemed here, at the upgrade: a refused token costs a 401 and nothing else.
        if self._stopping:
            return connection.respond(
                HTTPStatus.SERVICE_UNAVAILABLE, "server stopping\n"
            )
        if self._tokens is None:
            return None
        tokens = parse_qs(urlsplit(request.path).query).get("token", [])
        if len(tokens) == 1 and self._tokens.redeem(tokens[0]):
            return None
        return connection.respond(
            HTTPStatus.UNAUTHORIZED, "invalid, used or expired session token\n"
        )

    async def _serve_connection(self, connection: ServerConnection) -> None:
        if self._stopping:
            return  # the upgrade raced stop(); returning closes the socket
        session = self._new_session()
        self._sessions.add(session)
        try:
            await session.serve(connection, self._handler_factory)
        finally:
            self._sessions.discard(session)


class HandledSession(BaseSession):
    """A server-side session driven by one ``SessionHandler``; mixed in before the transport's session."""

    def __init__(
        self, channels: Sequence[ChannelSpec], side: Side, *, max_duration: float | None
    ) -> None:
        super().__init__(channels, side, max_duration=max_duration)
        self.id = secrets.token_hex(8)
        self._handler: SessionHandler | None = None

    def _use_handler(self, handler: SessionHandler) -> None:
        """Route every message this side receives, and every wire error, to ``handler``."""
        self._handler = handler
        for address, (_, adapter) in self._inbound.items():
            if adapter is not None:
                # A partial, not a closure: one coroutine less per message.
                self.on_message(
                    address, functools.partial(handler.on_message, self, address)
                )
        self.on_error(functools.partial(handler.on_error, self))

    async def _on_closed(self, reason: CloseReason) -> None:
        if self._handler is not None:
            await self._handler.on_close(self, reason)
