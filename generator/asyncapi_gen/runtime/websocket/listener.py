"""The WebSocket listener both WebSocket-based servers build on: tokens, live sessions, stop.

The plain WebSocket server carries its messages on the accepted sockets; a transport that rides
on this listener carries its own handshake there. Either way the session token is redeemed
during the HTTP upgrade (a refused client costs a 401 and nothing else); the listener keeps the
live sessions, optionally serves the HTTP session endpoint, and stops by closing every session
before it stops listening.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Protocol, Self
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from ..core.tokens import TokenIssuer
from .endpoint import SessionEndpoint

__all__ = ["Hosted", "Listener", "ListenerServer", "Serve"]


class Hosted(Protocol):
    """A live session, as its listener needs it: to count it and to end it."""

    @property
    def closed(self) -> bool: ...

    async def close(self) -> None: ...


Serve = Callable[[ServerConnection], tuple[Hosted, Awaitable[None]]]
"""What a server does with an accepted socket: the session, and what runs it until fully closed."""


class Listener:
    """A WebSocket listener whose every accepted connection becomes one session, run by ``serve``."""

    def __init__(
        self,
        serve: Serve,
        *,
        tokens: TokenIssuer | None,
        host: str,
        port: int,
        http_port: int | None,
        session_endpoint: str,
        max_frame: int,
    ) -> None:
        self._serve = serve
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
        self._sessions: set[Hosted] = set()
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
        """The issuer whose tokens this listener accepts, or None when it lets every client in."""
        return self._tokens

    @property
    def active_sessions(self) -> int:
        """Sessions accepted and not yet closed."""
        return sum(1 for session in self._sessions if not session.closed)

    def issue_session(self) -> tuple[str, str]:
        """The URL and a fresh one-use token for it ("" when no token is required)."""
        return self.url, self._tokens.issue() if self._tokens is not None else ""

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
        session, running = self._serve(connection)
        self._sessions.add(session)
        try:
            await running
        finally:
            self._sessions.discard(session)


class ListenerServer:
    """A server whose sessions arrive on ``listener``: ``start``/``stop``, ``async with``, the URLs."""

    def __init__(self, listener: Listener) -> None:
        self._listener = listener

    async def start(self) -> None:
        """Start listening (and serving the HTTP endpoint when asked for)."""
        await self._listener.start()

    async def stop(self) -> None:
        """End every session (each is told why), wait for them, then stop listening."""
        await self._listener.stop()

    @property
    def url(self) -> str:
        """The URL clients connect to, ``ws://host:port/``."""
        return self._listener.url

    @property
    def http_url(self) -> str | None:
        """``http://host:port<session_endpoint>``, or None without an HTTP endpoint."""
        return self._listener.http_url

    def issue_session(self) -> tuple[str, str]:
        """The URL and a fresh one-use token for it ("" when this server requires no token)."""
        return self._listener.issue_session()

    @property
    def tokens(self) -> TokenIssuer | None:
        """The issuer whose tokens this server accepts, or None when it lets every client in."""
        return self._listener.tokens

    @property
    def active_sessions(self) -> int:
        """Sessions accepted and not yet closed."""
        return self._listener.active_sessions

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
