# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""The server end of plain WebSocket sessions: every accepted socket is one session, bare JSON frames.

Tokens are optional (plain WebSocket APIs are often open): with an issuer, each token is redeemed
once at the HTTP upgrade (401 otherwise, and the client raises ``TokenRejected``); without one,
every client is let in and ``issue_session()`` hands out an empty token. Handlers get the
``Session`` itself: a ``ServerSession``, with no media.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from websockets.asyncio.server import ServerConnection

from ..core.admission import Admission
from ..core.channels import ChannelSpec, Side, frame_limit
from ..core.contracts import SessionHandler
from ..core.handling import handle, open_handler
from ..core.session import Session
from ..core.tokens import TokenIssuer
from .listener import Listener, ListenerServer
from .session import SocketLink

if TYPE_CHECKING:
    from ..core.contracts import ServerSession, ServerTransport

__all__ = ["WebSocketServer"]


class WebSocketServer(ListenerServer):
    """A WebSocket server for many concurrent sessions of one API (a ``ServerTransport``).

    ``stop()`` closes every session (code 1000), then stops listening.
    """

    def __init__(
        self,
        channels: Sequence[ChannelSpec],
        handler_factory: Callable[[], SessionHandler[ServerSession]],
        *,
        tokens: TokenIssuer | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        max_duration: float | None = 300.0,
        http_port: int | None = None,
        session_endpoint: str = "/sessions",
        max_sessions: int | None = None,
        max_negotiating: int | None = None,
        api_key: str | None = None,
        admission: Admission | None = None,
    ) -> None:
        self._channels = list(channels)
        self._handler_factory = handler_factory
        self._max_duration = max_duration
        listener = Listener(
            self._serve,
            tokens=tokens,
            host=host,
            port=port,
            http_port=http_port,
            session_endpoint=session_endpoint,
            max_sessions=max_sessions,
            max_negotiating=max_negotiating,
            api_key=api_key,
            admission=admission,
            max_frame=frame_limit(channels),
        )
        super().__init__(listener)

    def _serve(
        self, connection: ServerConnection
    ) -> tuple[Session[SocketLink], Awaitable[None]]:
        session = Session(
            self._channels, Side.SERVER, SocketLink, max_duration=self._max_duration
        )
        return session, self._run(session, connection)

    async def _run(
        self, session: Session[SocketLink], connection: ServerConnection
    ) -> None:
        """The whole session on ``connection``: on_open, then read until it ends."""
        session.link.attach(connection)
        session.start_timer()
        handler = self._handler_factory()
        handle(session, session, handler)
        await open_handler(session, handler)
        await session.link.read()
        await session.wait_closed()


if TYPE_CHECKING:

    def _conforms(server: WebSocketServer, session: Session[SocketLink]) -> None:
        _server: ServerTransport = server
        _session: ServerSession = session
