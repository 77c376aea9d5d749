"""The client end of a plain WebSocket session: one socket, bare JSON text frames both ways."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .channels import ChannelSpec, Side
from .client_session import ClientSession, open_websocket
from .websocket_session import SocketSession

if TYPE_CHECKING:
    from .transport import ClientTransport

__all__ = ["WebSocketClientSession"]


class WebSocketClientSession(ClientSession, SocketSession):
    """A client session: ``async with WebSocketClientSession(url, token, channels) as session: ...``.

    ``token`` is added to the URL's query as ``token=`` unless it is None or empty. Media channels
    are not carried: ``set_send_track`` and ``remote_track`` raise ``TransportNotAvailable``.
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
        super().__init__(channels, Side.CLIENT, max_duration=max_duration)
        self._url = url
        self._token = token
        self._connect_timeout = connect_timeout

    async def _establish(self) -> None:
        self._attach(
            await open_websocket(self._url, self._token, max_size=self._max_frame)
        )
        self._spawn(self._read(), "reader")
        self._start_timer()


if TYPE_CHECKING:

    def _conforms(session: WebSocketClientSession) -> ClientTransport:
        return session
