"""What the WebRTC and the WebSocket client share: connecting once, with a deadline, over a WebSocket.

``ClientSession`` is mixed in before the transport's session class; the transport supplies
``_establish()`` (everything up to a running session). ``open_websocket`` opens the client's
socket with the session token, turning a refused upgrade into ``TokenRejected``.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI

from .errors import AsyncApiRuntimeError, CloseReason, SignalingError, TokenRejected
from .session import BaseSession
from .signaling import with_token

__all__ = ["ClientSession", "open_websocket"]


class ClientSession(BaseSession):
    """``connect()`` once, within ``connect_timeout`` seconds; ``async with`` connects and closes."""

    _connect_timeout: float
    _connecting: bool = False

    async def connect(self) -> None:
        """Open the session and return once it is up.

        Raises ``TokenRejected`` when the server refuses the token and ``SignalingError`` for any
        other failure (unreachable server, early close, timeout); the session is then closed (ERROR).
        """
        if self._connecting or self.closed:
            raise SignalingError("connect() can be called once per session")
        self._connecting = True
        try:
            async with asyncio.timeout(self._connect_timeout):
                await self._establish()
        except BaseException as exc:
            await asyncio.shield(self._begin_close(CloseReason.ERROR, notify_peer=True))
            if isinstance(exc, TimeoutError):
                raise SignalingError(
                    f"connecting timed out after {self._connect_timeout} s"
                ) from exc
            if isinstance(exc, Exception) and not isinstance(exc, AsyncApiRuntimeError):
                raise SignalingError(f"connecting failed: {exc!r}") from exc
            raise

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
        raise NotImplementedError


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
        raise SignalingError(
            f"the server refused the WebSocket upgrade: HTTP {status}"
        ) from None
    except (OSError, InvalidHandshake, InvalidURI) as exc:
        raise SignalingError(f"cannot open a WebSocket to {url}: {exc}") from exc
