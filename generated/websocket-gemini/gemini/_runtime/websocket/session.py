# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""The link under a session carried by one plain WebSocket: bare JSON text frames, no envelope.

Every data channel shares the socket and no envelope says which channel a frame belongs to
(real WebSocket APIs send bare JSON), so frames are handed to the session with no address and
the codec's router finds the channel. How the socket closed tells why the session ended:

====================================  ==============================================
close frame received                  ``close_reason``
====================================  ==============================================
code 1000 or 1001                     ``REMOTE_BYE``
code 4000 (reason ``timeout``)        ``TIMEOUT`` (the peer's max duration was reached)
any other code, or no close frame     ``PEER_GONE``
====================================  ==============================================

This side closes with 1000 (``close()``), 4000 ``timeout`` (max duration) or 1011 ``error``.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from websockets.asyncio.connection import Connection
from websockets.exceptions import ConnectionClosed

from ..core.errors import CloseReason, SessionClosed
from ..core.session import Session
from ..core.steps import STEP_TIMEOUT, logged
from ..core.waiting import first_of

if TYPE_CHECKING:
    from ..core.contracts import Link

__all__ = ["TIMEOUT_CLOSE_CODE", "SocketLink", "close_frame_for", "reason_of_close"]

#: The close code of a session that reached its maximum duration (4000-4999: private use).
TIMEOUT_CLOSE_CODE = 4000


class SocketLink:
    """One WebSocket under ``session``: ``attach`` it, then ``read`` until it closes."""

    def __init__(self, session: Session[Any]) -> None:
        self._session = session
        self._socket: Connection | None = None
        self._opened = asyncio.Event()

    @property
    def socket(self) -> Connection | None:
        """The attached socket, None before ``attach``."""
        return self._socket

    def attach(self, socket: Connection) -> None:
        """Carry the session on ``socket`` from now on (sends wait until this)."""
        self._socket = socket
        self._opened.set()
        self._session.mark_established()

    async def read(self) -> None:
        """Read frames until the socket closes, then end the session for the reason the close gives."""
        socket, session = self._socket, self._session
        assert socket is not None, "attach() first"
        closing, room, receive = session.closing, session.room, session.receive
        try:
            async for frame in socket:
                if closing.is_set():
                    break
                receive(None, frame)
                if not room.is_set():
                    # The receiver is behind: stop reading, and TCP slows the peer down.
                    await first_of(room, closing)
        except ConnectionClosed:
            pass
        session.end(reason_of_close(socket), notify_peer=False)

    async def transmit(self, address: str, data: str | bytes) -> None:
        """Send ``data`` as one frame (the address does not travel)."""
        if not self._opened.is_set():
            await first_of(self._opened, self._session.closing)
        socket = self._socket
        if socket is None or self._session.closed:
            raise SessionClosed(f"session closed; cannot send on {address}")
        try:
            await socket.send(data)
        except ConnectionClosed as exc:
            raise SessionClosed(
                f"the WebSocket is closed; cannot send on {address}"
            ) from exc

    async def close(self, reason: CloseReason, notify_peer: bool) -> None:
        """Close the socket with the code that tells the peer ``reason``."""
        if self._socket is not None:
            code, why = close_frame_for(reason)
            with logged("closing the WebSocket", quiet=(TimeoutError,)):
                await asyncio.wait_for(self._socket.close(code, why), STEP_TIMEOUT)

    def release(self) -> None:
        """Nothing outlives the socket."""


def close_frame_for(reason: CloseReason) -> tuple[int, str]:
    """The close code and reason this side sends when it ends a session for ``reason``."""
    if reason is CloseReason.TIMEOUT:
        return TIMEOUT_CLOSE_CODE, CloseReason.TIMEOUT.value
    if reason is CloseReason.ERROR:
        return 1011, CloseReason.ERROR.value
    return 1000, ""


def reason_of_close(socket: Connection) -> CloseReason:
    """Why the peer ended the session, from the close frame it sent (none: it is gone)."""
    received = socket.protocol.close_rcvd
    if received is None:
        return CloseReason.PEER_GONE
    if (
        received.code == TIMEOUT_CLOSE_CODE
        or received.reason == CloseReason.TIMEOUT.value
    ):
        return CloseReason.TIMEOUT
    if received.code in (1000, 1001):
        return CloseReason.REMOTE_BYE
    return CloseReason.PEER_GONE


if TYPE_CHECKING:

    def _conforms(link: SocketLink) -> Link:
        return link
