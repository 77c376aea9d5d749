"""The shapes generated code relies on: a client transport, a server transport, a server session.

Generated clients and servers talk to these protocols only, so a transport of one's own (MQTT,
Kafka, AMQP, anything) plugs in by implementing them and passing ``transport=`` to the generated
client or server. The built-in ones are ``WebRTCClientSession``/``WebRTCServer`` and
``WebSocketClientSession``/``WebSocketServer``; for protocols without one, generated code uses
``UnavailableClientTransport``/``UnavailableServerTransport``, which fail with
``TransportNotAvailable`` when the session is started, never before.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

from pydantic import BaseModel

from .errors import CloseReason, TransportNotAvailable, WireError
from .session import ErrorCallback, MessageCallback
from .tokens import TokenIssuer

if TYPE_CHECKING:
    from aiortc import MediaStreamTrack

__all__ = [
    "ClientTransport",
    "ServerSession",
    "ServerTransport",
    "SessionHandler",
    "UnavailableClientTransport",
    "UnavailableServerTransport",
]


class ClientTransport(Protocol):
    """One client session with a server: what a generated client calls."""

    def set_send_track(self, address: str, track: MediaStreamTrack) -> None:
        """Send ``track`` on media channel ``address``."""
        ...

    def on_message(self, address: str, callback: MessageCallback) -> None:
        """Call ``callback`` with every validated message received on data channel ``address``."""
        ...

    def on_error(self, callback: ErrorCallback) -> None:
        """Call ``callback`` with every message that failed validation (the session continues)."""
        ...

    async def connect(self) -> None:
        """Open the session; raises ``TokenRejected``, ``SignalingError`` or ``TransportNotAvailable``."""
        ...

    async def send(self, address: str, message: BaseModel) -> None:
        """Send a model on data channel ``address``."""
        ...

    async def send_raw(self, address: str, data: str | bytes) -> None:
        """Send ``data`` unchecked on data channel ``address``."""
        ...

    async def remote_track(self, address: str) -> MediaStreamTrack:
        """The track the server sends on media channel ``address``."""
        ...

    def messages(self, address: str) -> AsyncIterator[Any]:
        """Every validated message received on ``address`` from now on; ends when the session closes."""
        ...

    async def close(self) -> None:
        """End the session; idempotent."""
        ...

    async def wait_closed(self) -> CloseReason:
        """Wait until the session has ended; returns why."""
        ...

    @property
    def closed(self) -> bool:
        """True once the session has started closing."""
        ...

    @property
    def close_reason(self) -> CloseReason | None:
        """Why the session ended, or None while it runs."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class ServerSession(Protocol):
    """One client's session on a server, as the server's ``SessionHandler`` sees it."""

    @property
    def id(self) -> str:
        """A unique id of this session (for logs)."""
        ...

    @property
    def closed(self) -> bool:
        """True once the session has started closing."""
        ...

    @property
    def close_reason(self) -> CloseReason | None:
        """Why the session ended, or None while it runs."""
        ...

    def on_message(self, address: str, callback: MessageCallback) -> None:
        """Call ``callback`` with every validated message received on ``address`` (besides the handler)."""
        ...

    def on_error(self, callback: ErrorCallback) -> None:
        """Call ``callback`` with every wire error (besides the handler)."""
        ...

    async def send(self, address: str, message: BaseModel) -> None:
        """Send a model on data channel ``address``."""
        ...

    async def send_raw(self, address: str, data: str | bytes) -> None:
        """Send ``data`` unchecked on data channel ``address``."""
        ...

    def messages(self, address: str) -> AsyncIterator[Any]:
        """Every validated message received on ``address`` from now on; ends when the session closes."""
        ...

    def set_send_track(self, address: str, track: MediaStreamTrack) -> None:
        """Send ``track`` on media channel ``address``."""
        ...

    async def remote_track(self, address: str) -> MediaStreamTrack:
        """The track the client sends on media channel ``address``."""
        ...

    async def close(self) -> None:
        """End the session; idempotent, and safe to call from a message callback."""
        ...

    async def wait_closed(self) -> CloseReason:
        """Wait until the session has ended; returns why."""
        ...


class SessionHandler(Protocol):
    """What a server calls for one session; the server's factory makes one instance per session."""

    async def on_open(self, session: ServerSession) -> None:
        """The session is accepted and nothing has been received yet (WebRTC: set send tracks here)."""
        ...

    async def on_message(
        self, session: ServerSession, address: str, message: Any
    ) -> None:
        """A validated message arrived on data channel ``address``."""
        ...

    async def on_error(self, session: ServerSession, error: WireError) -> None:
        """A message failed validation; the session continues."""
        ...

    async def on_close(self, session: ServerSession, reason: CloseReason) -> None:
        """The session has ended and everything is closed."""
        ...


class ServerTransport(Protocol):
    """A server accepting many sessions: what a generated server calls."""

    async def start(self) -> None:
        """Start listening; raises ``TransportNotAvailable`` when there is no transport."""
        ...

    async def stop(self) -> None:
        """End every session and stop listening."""
        ...

    @property
    def url(self) -> str:
        """The URL clients connect to."""
        ...

    @property
    def http_url(self) -> str | None:
        """The URL to POST to for a session (URL and token), or None without that endpoint."""
        ...

    def issue_session(self) -> tuple[str, str]:
        """A URL and a token for one client ("" when the server requires none)."""
        ...

    @property
    def active_sessions(self) -> int:
        """Sessions accepted and not yet closed."""
        ...

    @property
    def tokens(self) -> TokenIssuer | None:
        """The issuer whose tokens the server accepts, or None when it lets every client in."""
        ...


def _not_available(protocol: str, side: str, interface: str) -> TransportNotAvailable:
    return TransportNotAvailable(
        f"asyncapi-gen has no built-in transport for the {protocol!r} protocol (only WebRTC and "
        f"WebSocket); to use this API over {protocol}, pass transport= an object implementing "
        f"{interface} (see the runtime's transport.py) to the generated {side}"
    )


class UnavailableClientTransport:
    """The client transport of a protocol without a built-in one: ``connect()`` raises ``TransportNotAvailable``."""

    def __init__(self, protocol: str) -> None:
        self.protocol = protocol
        self._closed = asyncio.Event()
        self._close_reason: CloseReason | None = None

    def set_send_track(self, address: str, track: MediaStreamTrack) -> None:
        raise self._error()

    def on_message(self, address: str, callback: MessageCallback) -> None:
        pass  # nothing will ever arrive

    def on_error(self, callback: ErrorCallback) -> None:
        pass

    async def connect(self) -> None:
        self._end(CloseReason.ERROR)
        raise self._error()

    async def send(self, address: str, message: BaseModel) -> None:
        raise self._error()

    async def send_raw(self, address: str, data: str | bytes) -> None:
        raise self._error()

    async def remote_track(self, address: str) -> MediaStreamTrack:
        raise self._error()

    def messages(self, address: str) -> AsyncIterator[Any]:
        return _no_messages()

    async def close(self) -> None:
        self._end(CloseReason.LOCAL)

    async def wait_closed(self) -> CloseReason:
        await self._closed.wait()
        assert self._close_reason is not None
        return self._close_reason

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    @property
    def close_reason(self) -> CloseReason | None:
        return self._close_reason

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _end(self, reason: CloseReason) -> None:
        if self._close_reason is None:
            self._close_reason = reason
            self._closed.set()

    def _error(self) -> TransportNotAvailable:
        return _not_available(self.protocol, "client", "ClientTransport")


class UnavailableServerTransport:
    """The server transport of a protocol without a built-in one: ``start()`` raises ``TransportNotAvailable``."""

    def __init__(self, protocol: str) -> None:
        self.protocol = protocol

    async def start(self) -> None:
        raise self._error()

    async def stop(self) -> None:
        pass

    @property
    def url(self) -> str:
        raise self._error()

    @property
    def http_url(self) -> str | None:
        return None

    def issue_session(self) -> tuple[str, str]:
        raise self._error()

    @property
    def active_sessions(self) -> int:
        return 0

    @property
    def tokens(self) -> TokenIssuer | None:
        return None

    def _error(self) -> TransportNotAvailable:
        return _not_available(self.protocol, "server", "ServerTransport")


async def _no_messages() -> AsyncIterator[Any]:
    return
    yield  # an async generator that ends at once


if TYPE_CHECKING:

    def _conforms(
        client: UnavailableClientTransport, server: UnavailableServerTransport
    ) -> None:
        _client: ClientTransport = client
        _server: ServerTransport = server
