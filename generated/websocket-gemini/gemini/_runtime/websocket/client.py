# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""The client end of a plain WebSocket session, and the client socket other transports ride on.

``open_websocket`` opens a socket with the session token in its query, turning a refused
upgrade into ``TokenRejected``; ``WebSocketClientSession`` carries a ``Session`` on one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI

from ..core.channels import ChannelSpec, Side, frame_limit
from ..core.errors import ConnectError, TokenRejected
from ..core.session import Session
from ..core.tokens import redacted
from ..core.views import ClientView
from .logs import redacting
from .session import SocketLink

if TYPE_CHECKING:
    from ..core.contracts import ClientTransport

__all__ = ["WebSocketClientSession", "open_websocket", "with_token"]


class WebSocketClientSession(ClientView[SocketLink]):
    """A client session: ``async with WebSocketClientSession(url, token, channels) as session: ...``.

    ``token`` is added to the URL's query as ``token=`` unless it is None or empty. Media channels
    are not carried: this is a ``ClientTransport``, not a media one. ``connect()`` opens the
    socket; ``close()`` ends the session with close code 1000.
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
        session = Session(channels, Side.CLIENT, SocketLink, max_duration=max_duration)
        super().__init__(session, self._establish, connect_timeout)

    async def _establish(self) -> None:
        link = self._link
        link.attach(
            await open_websocket(self._url, self._token, max_size=self._max_frame)
        )
        self._session.spawn(link.read(), "reader")
        self._session.start_timer()


async def open_websocket(
    url: str, token: str | None, *, max_size: int
) -> ClientConnection:
    """A WebSocket to ``url`` (with ``token=`` in the query unless ``token`` is None or empty).

    No error raised and no line logged here shows the token.
    """
    # Errors are raised outside the `except` blocks: the library's exceptions quote the URL, token
    # included, and even `from None` would keep them reachable as `__context__`.
    failure: ConnectError | TokenRejected
    try:
        return await connect(
            with_token(url, token or None),
            max_size=max_size,
            proxy=None,
            open_timeout=None,
            logger=redacting("websockets.client"),
        )
    except InvalidStatus as exc:
        status = exc.response.status_code
        detail = exc.response.body.decode("utf-8", "replace").strip()
        if status in (401, 403):
            failure = TokenRejected(status, redacted(detail))
        else:
            failure = ConnectError(
                f"the server refused the WebSocket upgrade: HTTP {status}"
                + (f" ({redacted(detail)})" if detail else "")
            )
    except (OSError, InvalidHandshake, InvalidURI) as exc:
        failure = ConnectError(
            f"cannot open a WebSocket to {redacted(url)}: {redacted(str(exc))}"
        )
    raise failure


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
