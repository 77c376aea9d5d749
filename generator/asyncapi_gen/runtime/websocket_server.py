"""The server end of plain WebSocket sessions: every accepted socket is one session, bare JSON frames.

Tokens are optional (plain WebSocket APIs are often open): with an issuer, each token is redeemed
once at the HTTP upgrade (401 otherwise, and the client raises ``TokenRejected``); without one,
every client is let in and ``issue_session()`` hands out an empty token.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from websockets.asyncio.server import ServerConnection

from .channels import ChannelSpec, Side
from .serving import HandledSession, SessionServer
from .signaling import advertised_message_size
from .tokens import TokenIssuer
from .transport import SessionHandler
from .websocket_session import SocketSession

if TYPE_CHECKING:
    from .transport import ServerSession, ServerTransport

__all__ = ["WebSocketServer", "WebSocketServerSession"]

logger = logging.getLogger(__name__)


class WebSocketServerSession(HandledSession, SocketSession):
    """One client's WebSocket session on the server (a ``ServerSession``)."""

    def __init__(
        self, channels: Sequence[ChannelSpec], *, max_duration: float | None
    ) -> None:
        super().__init__(channels, Side.SERVER, max_duration=max_duration)

    async def serve(
        self,
        connection: ServerConnection,
        handler_factory: Callable[[], SessionHandler],
    ) -> None:
        """Run the whole session on ``connection``: on_open, then read until it ends."""
        self._attach(connection)
        self._start_timer()
        handler = handler_factory()
        self._use_handler(handler)
        try:
            await handler.on_open(self)
        except Exception:
            logger.exception("on_open of session %s failed", self.id)
        await self._read()
        await self.wait_closed()


class WebSocketServer(SessionServer):
    """A WebSocket server for many concurrent sessions of one API (a ``ServerTransport``)."""

    def __init__(
        self,
        channels: Sequence[ChannelSpec],
        handler_factory: Callable[[], SessionHandler],
        *,
        tokens: TokenIssuer | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        max_duration: float | None = 300.0,
        http_port: int | None = None,
        session_endpoint: str = "/v1/realtime_sessions",
    ) -> None:
        super().__init__(
            handler_factory,
            tokens=tokens,
            host=host,
            port=port,
            http_port=http_port,
            session_endpoint=session_endpoint,
            max_frame=advertised_message_size(channels),
        )
        self._channels = list(channels)
        self._max_duration = max_duration

    def _new_session(self) -> WebSocketServerSession:
        return WebSocketServerSession(self._channels, max_duration=self._max_duration)


if TYPE_CHECKING:

    def _conforms(server: WebSocketServer, session: WebSocketServerSession) -> None:
        _server: ServerTransport = server
        _session: ServerSession = session
