# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""The WebSocket listener both WebSocket-based servers build on: admission, live sessions, stop.

The plain WebSocket server carries its messages on the accepted sockets; a transport that rides
on this listener carries its own handshake there. Either way a session is admitted during the
HTTP upgrade, before any other work, so a refused client costs one HTTP response:

- 503 (with ``Retry-After``) when the server is stopping, holds ``max_sessions``, or already has
  ``max_negotiating`` sessions that have not finished connecting;
- 401 when the session token is missing, used, expired or placed on another process.

The listener keeps the live sessions, optionally serves the HTTP session endpoint (which places
new sessions through the ``Admission``: this process, or the least-loaded one of a pool), and
stops by closing every session before it stops listening.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from typing import Protocol, Self
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from ..core.admission import Admission, LocalAdmission, Placement
from ..core.tokens import TokenIssuer
from .endpoint import RETRY_AFTER_SECONDS, SessionEndpoint, WebFile
from .logs import redacting

__all__ = ["Hosted", "Listener", "ListenerServer", "Serve"]

#: Seconds between purges of expired tokens.
TOKEN_PURGE_INTERVAL = 30.0


class Hosted(Protocol):
    """A live session, as its listener needs it: to count it and to end it."""

    @property
    def closed(self) -> bool: ...

    @property
    def established(self) -> bool: ...

    async def close(self) -> None: ...


Serve = Callable[[ServerConnection], tuple[Hosted, Awaitable[None]]]
"""What a server does with an accepted socket: the session, and what runs it until fully closed."""


class Listener:
    """A WebSocket listener whose every accepted connection becomes one session, run by ``serve``.

    ``tokens`` (or ``admission``, which replaces it: a pool's) decides who gets in; with neither,
    every client does. ``api_key``, when given, is required by the HTTP session endpoint as
    ``Authorization: Bearer <api_key>``; ``web`` files are served beside it (``GET``).
    """

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
        max_sessions: int | None = None,
        max_negotiating: int | None = None,
        api_key: str | None = None,
        admission: Admission | None = None,
        web: Mapping[str, WebFile] | None = None,
    ) -> None:
        if max_sessions is not None and max_sessions < 1:
            raise ValueError("max_sessions must be at least 1 (or None: no limit)")
        self._serve = serve
        self._tokens = tokens
        self._admission = admission or (
            LocalAdmission(tokens) if tokens is not None else None
        )
        self._host = host
        self._port = port
        self._http_port = http_port
        self._endpoint = (
            SessionEndpoint(
                session_endpoint, self.place_session, api_key=api_key, web=web
            )
            if http_port is not None
            else None
        )
        self._max_frame = max_frame
        self._max_sessions = max_sessions
        self._max_negotiating = max_negotiating
        self._server: Server | None = None
        self._sessions: set[Hosted] = set()
        self._stopping = False
        self._purger: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start listening (and serving the HTTP endpoint when asked for)."""
        self._server = await serve(
            self._serve_connection,
            self._host,
            self._port,
            process_request=self._authorize,
            max_size=self._max_frame,
            logger=redacting("websockets.server"),
        )
        if self._admission is not None:
            await self._admission.start(self)
        if self._endpoint is not None:
            assert self._http_port is not None
            await self._endpoint.start(self._host, self._http_port)
        if self._tokens is not None:
            self._purger = asyncio.create_task(
                _purge_regularly(self._tokens), name="asyncapi-runtime-token-purge"
            )

    async def stop(self) -> None:
        """End every session (each is told why), wait for them, then stop listening."""
        # From here no new session starts, so the snapshot below is every session there will be.
        self._stopping = True
        if self._admission is not None:
            await self._admission.stop()
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
        if self._purger is not None:
            self._purger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._purger

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
        """Sessions accepted and not yet fully closed (those still connecting included)."""
        return len(self._sessions)

    @property
    def live_sessions(self) -> int:
        """``active_sessions``, as admission reads it."""
        return len(self._sessions)

    @property
    def max_sessions(self) -> int | None:
        """The most sessions this listener holds at once (None: no limit)."""
        return self._max_sessions

    def issue_session(self) -> tuple[str, str]:
        """The URL and a fresh one-use token for it ("" when no token is required).

        For this process, whatever its load: the session endpoint places sessions instead.
        """
        return self.url, self._tokens.issue() if self._tokens is not None else ""

    async def place_session(self) -> Placement | None:
        """Where a new session goes (URL and token), or None when no server has room for it."""
        if self._stopping:
            return None
        if self._admission is None:
            return None if self._full() else Placement(self.url, "")
        return await self._admission.place()

    def _url_host(self) -> str:
        return f"[{self._host}]" if ":" in self._host else self._host

    def _full(self) -> bool:
        limit, negotiating = self._max_sessions, self._max_negotiating
        if limit is not None and len(self._sessions) >= limit:
            return True
        return negotiating is not None and (
            sum(1 for session in self._sessions if not session.established)
            >= negotiating
        )

    async def _authorize(
        self, connection: ServerConnection, request: Request
    ) -> Response | None:
        # Decided here, at the upgrade: a refused client costs one HTTP response and nothing else.
        if self._stopping:
            return _refuse(
                connection, HTTPStatus.SERVICE_UNAVAILABLE, "server stopping"
            )
        if self._full():
            return _refuse(connection, HTTPStatus.SERVICE_UNAVAILABLE, "server full")
        if self._admission is None:
            return None
        tokens = parse_qs(urlsplit(request.path).query).get("token", [])
        if len(tokens) == 1 and await self._redeem(tokens[0]):
            return None
        return connection.respond(
            HTTPStatus.UNAUTHORIZED, "invalid, used or expired session token\n"
        )

    async def _redeem(self, token: str) -> bool:
        assert self._admission is not None
        if await self._admission.redeem(token):
            return True
        # In a pool, tokens from ``issue_session()`` (this process's own) are good here too.
        pooled = not isinstance(self._admission, LocalAdmission)
        return pooled and self._tokens is not None and self._tokens.redeem(token)

    async def _serve_connection(self, connection: ServerConnection) -> None:
        if self._stopping:
            return  # the upgrade raced stop(); returning closes the socket
        if self._full():
            # Upgrades admitted together can overshoot the check at the upgrade: this one is the last word.
            await connection.close(1013, "server full")
            return
        session, running = self._serve(connection)
        self._sessions.add(session)
        try:
            await running
        finally:
            self._sessions.discard(session)


def _refuse(connection: ServerConnection, status: HTTPStatus, why: str) -> Response:
    response = connection.respond(status, f"{why}\n")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


async def _purge_regularly(tokens: TokenIssuer) -> None:
    while True:
        await asyncio.sleep(TOKEN_PURGE_INTERVAL)
        tokens.purge()


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

    async def place_session(self) -> Placement | None:
        """What the session endpoint answers: a URL and token where there is room, or None."""
        return await self._listener.place_session()

    @property
    def tokens(self) -> TokenIssuer | None:
        """The issuer whose tokens this server accepts, or None when it lets every client in."""
        return self._listener.tokens

    @property
    def active_sessions(self) -> int:
        """Sessions accepted and not yet fully closed."""
        return self._listener.active_sessions

    @property
    def max_sessions(self) -> int | None:
        """The most sessions this server holds at once (None: no limit)."""
        return self._listener.max_sessions

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
