# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""The shapes generated code relies on, split so a transport implements only what it has.

Generated clients and servers talk to these protocols only, so a transport of one's own (MQTT,
AMQP, Kafka, anything) plugs in by implementing them and passing ``transport=`` to the generated
client or server; a broker client implements ``ClientTransport`` alone. ``Link`` is the other
way round: what a transport gives the runtime's one ``Session`` class to carry its bytes.

Each built-in transport names, in its own package, the contracts it implements: a transport
that moves messages only implements ``ClientTransport`` (and, serving, ``ServerTransport``
handing out ``ServerSession``s); one that carries media too implements the ``Media*`` ones.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

from pydantic import BaseModel

from .errors import CloseReason, SessionError
from .tokens import TokenIssuer

__all__ = [
    "AsyncContext",
    "ClientTransport",
    "DataTransport",
    "ErrorCallback",
    "Link",
    "MediaClientTransport",
    "MediaServerSession",
    "MediaSession",
    "MessageCallback",
    "ServerSession",
    "ServerTransport",
    "SessionHandler",
    "SessionIssuer",
    "Track",
]

MessageCallback = Callable[[Any], Awaitable[None]]
ErrorCallback = Callable[[SessionError], Awaitable[None]]


class Track(Protocol):
    """A media track (audio or video frames), as a media transport's library defines one."""

    @property
    def kind(self) -> str:
        """``"audio"`` or ``"video"``."""
        ...

    async def recv(self) -> Any:
        """The next frame."""
        ...

    def stop(self) -> None:
        """End the track."""
        ...


class Link(Protocol):
    """What a transport gives a ``Session``: the connection under it.

    The link hands what it receives to the session (``Session.receive``) and ends it when the
    connection ends (``Session.end``); the session calls these three.
    """

    async def transmit(self, address: str, data: str | bytes) -> None:
        """Put ``data`` on the wire for ``address``; ``SessionClosed`` when that is no longer possible."""
        ...

    async def close(self, reason: CloseReason, notify_peer: bool) -> None:
        """Tear the connection down (telling the peer why, when ``notify_peer``); must not raise."""
        ...

    def release(self) -> None:
        """Last step of every shutdown, even a cancelled one: free what must not outlive the session."""
        ...


class AsyncContext(Protocol):
    """``async with``: a client connects and closes, a server starts and stops."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class DataTransport(Protocol):
    """Typed messages both ways over one session."""

    def on_message(self, address: str, callback: MessageCallback) -> None:
        """Call ``callback`` with every validated message received on data channel ``address``."""
        ...

    def on_error(self, callback: ErrorCallback) -> None:
        """Call ``callback`` with every message that failed validation (the session continues)."""
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

    async def close(self) -> None:
        """End the session; idempotent, and safe to call from a message callback."""
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


TrackT = TypeVar("TrackT", bound=Track)


class MediaSession(Protocol[TrackT]):
    """Audio and video tracks over one session, of the kind of track its media library has."""

    def set_send_track(self, address: str, track: TrackT) -> None:
        """Send ``track`` on media channel ``address`` (before the session starts, or to replace one)."""
        ...

    async def remote_track(self, address: str) -> TrackT:
        """The track the peer sends on media channel ``address``."""
        ...


class SessionIssuer(Protocol):
    """Where clients connect and how they get in."""

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
    def tokens(self) -> TokenIssuer | None:
        """The issuer whose tokens the server accepts, or None when it lets every client in."""
        ...


class ClientTransport(DataTransport, AsyncContext, Protocol):
    """One client session: what a generated client calls."""

    async def connect(self) -> None:
        """Open the session; raises ``TokenRejected``, ``ConnectError`` or ``TransportNotAvailable``."""
        ...


class MediaClientTransport(ClientTransport, MediaSession[TrackT], Protocol[TrackT]):
    """A client session that carries media too."""


class ServerSession(DataTransport, Protocol):
    """One client's session on a server, as the server's ``SessionHandler`` sees it."""

    @property
    def id(self) -> str:
        """A unique id of this session (for logs)."""
        ...


class MediaServerSession(ServerSession, MediaSession[TrackT], Protocol[TrackT]):
    """A server session that carries media too."""


SessionT_contra = TypeVar("SessionT_contra", bound=ServerSession, contravariant=True)


class SessionHandler(Protocol[SessionT_contra]):
    """What a server calls for one session; the server's factory makes one instance per session.

    Generic in the session it is handed: a server of a media transport hands a
    ``MediaServerSession``, so its handlers may set tracks in ``on_open``.
    """

    async def on_open(self, session: SessionT_contra) -> None:
        """The session is accepted and nothing has been received yet (set send tracks here)."""
        ...

    async def on_message(
        self, session: SessionT_contra, address: str, message: Any
    ) -> None:
        """A validated message arrived on data channel ``address``."""
        ...

    async def on_error(self, session: SessionT_contra, error: SessionError) -> None:
        """A message failed validation (a ``WireError``) or spawned work failed (``TaskFailed``); the session goes on."""
        ...

    async def on_close(self, session: SessionT_contra, reason: CloseReason) -> None:
        """The session has ended and everything is closed."""
        ...


class ServerTransport(SessionIssuer, AsyncContext, Protocol):
    """A server accepting many sessions: what a generated server calls."""

    async def start(self) -> None:
        """Start listening; raises ``TransportNotAvailable`` when there is no transport."""
        ...

    async def stop(self) -> None:
        """End every session and stop listening."""
        ...

    @property
    def active_sessions(self) -> int:
        """Sessions accepted and not yet closed."""
        ...
