"""The client end of a plain WebSocket session, and the client socket other transports ride on.

``open_websocket`` opens a socket with the session token in its query, turning a refused
upgrade into ``TokenRejected``; ``WebSocketClientSession`` carries a ``Session`` on one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import BaseModel
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI

from ..core.channels import ChannelSpec, Side, frame_limit
from ..core.connecting import Connector
from ..core.contracts import ErrorCallback, MessageCallback
from ..core.errors import CloseReason, ConnectError, TokenRejected
from ..core.session import Session
from .session import SocketLink

if TYPE_CHECKING:
    from ..core.contracts import ClientTransport

__all__ = ["WebSocketClientSession", "open_websocket", "with_token"]


class WebSocketClientSession:
    """A client session: ``async with WebSocketClientSession(url, token, channels) as session: ...``.

    ``token`` is added to the URL's query as ``token=`` unless it is None or empty. Media channels
    are not carried: this is a ``ClientTransport``, not a media one.
    """

    def __init__(
        self,
        url: str,
        token: str | None,
        channels: Sequence[ChannelSpec],
        *,
        max_duration: float | None = 300.0,
        connect_timeout: float = 15.0,
    ) -> None:
        self._url = url
        self._token = token
        #: Frames larger than this are refused by websockets itself (close code 1009).
        self._max_frame = frame_limit(channels)
        self._session = Session(
            channels, Side.CLIENT, SocketLink, max_duration=max_duration
        )
        self._connector = Connector(self._session, self._establish, connect_timeout)

    async def connect(self) -> None:
        """Open the socket; ``TokenRejected`` or ``ConnectError`` when that fails."""
        await self._connector.connect()

    def on_message(self, address: str, callback: MessageCallback) -> None:
        """Call ``callback`` with every validated message received on data channel ``address``."""
        self._session.on_message(address, callback)

    def on_error(self, callback: ErrorCallback) -> None:
        """Call ``callback`` with every message that failed validation (the session continues)."""
        self._session.on_error(callback)

    async def send(self, address: str, message: BaseModel) -> None:
        """Send ``message`` on data channel ``address``; ``SessionClosed`` after close."""
        await self._session.send(address, message)

    async def send_raw(self, address: str, data: str | bytes) -> None:
        """Send ``data`` as is, unchecked."""
        await self._session.send_raw(address, data)

    def messages(self, address: str) -> AsyncIterator[Any]:
        """Every validated message received on ``address`` from now on; ends when the session closes."""
        return self._session.messages(address)

    async def close(self) -> None:
        """End the session (close code 1000); idempotent, and safe from a message callback."""
        await self._session.close()

    async def wait_closed(self) -> CloseReason:
        """Wait until the session has fully closed; returns why it ended."""
        return await self._session.wait_closed()

    @property
    def closed(self) -> bool:
        """True once the session has started closing."""
        return self._session.closed

    @property
    def close_reason(self) -> CloseReason | None:
        """Why the session ended, or None while it runs."""
        return self._session.close_reason

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

    async def _establish(self) -> None:
        link = self._session.link
        link.attach(
            await open_websocket(self._url, self._token, max_size=self._max_frame)
        )
        self._session.spawn(link.read(), "reader")
        self._session.start_timer()


async def open_websocket(
    url: str, token: str | None, *, max_size: int
) -> ClientConnection:
    """A WebSocket to ``url`` (with ``token=`` in the query unless ``token`` is None or empty)."""
    try:
        return await connect(
            with_token(url, token or None),
            max_size=max_size,
            proxy=None,
            open_timeout=None,
        )
    except InvalidStatus as exc:
        status = exc.response.status_code
        if status in (401, 403):
            raise TokenRejected(
                status, exc.response.body.decode("utf-8", "replace").strip()
            ) from None
        raise ConnectError(
            f"the server refused the WebSocket upgrade: HTTP {status}"
        ) from None
    except (OSError, InvalidHandshake, InvalidURI) as exc:
        raise ConnectError(f"cannot open a WebSocket to {url}: {exc}") from exc


def with_token(url: str, token: str | None) -> str:
    """``url`` with ``token=<token>`` appended to its query (existing parameters kept)."""
    if token is None:
        return url
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query.append(("token", token))
    return urlunsplit(parts._replace(query=urlencode(query)))


if TYPE_CHECKING:

    def _conforms(session: WebSocketClientSession) -> ClientTransport:
        return session
