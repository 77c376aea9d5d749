"""A session over one plain WebSocket: every data channel shares the socket, messages are bare JSON frames.

No envelope says which channel a frame belongs to (real WebSocket APIs send bare JSON), so an
incoming frame goes to the first channel, in channel order, whose adapter accepts it; channels
this side receives without an adapter (any JSON) are tried last. How the socket closed tells why
the session ended:

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
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter
from websockets.asyncio.connection import Connection
from websockets.exceptions import ConnectionClosed

from .channels import ChannelSpec, Side
from .codec import as_bytes, decode_first, decoder
from .errors import (
    CloseReason,
    SessionClosed,
    TransportNotAvailable,
    UnknownMessage,
    WireError,
)
from .session import STEP_TIMEOUT, BaseSession, logged
from .signaling import advertised_message_size
from .waiting import first_of

if TYPE_CHECKING:
    from aiortc import MediaStreamTrack

__all__ = ["SocketSession", "close_frame_for", "reason_of_close"]

#: The close code of a session that reached its maximum duration (4000-4999: private use).
TIMEOUT_CLOSE_CODE = 4000


class SocketSession(BaseSession):
    """One WebSocket session seen from one side; subclassed by the client and the server session."""

    def __init__(
        self, channels: Sequence[ChannelSpec], side: Side, *, max_duration: float | None
    ) -> None:
        super().__init__(channels, side, max_duration=max_duration)
        self._socket: Connection | None = None
        self._opened = asyncio.Event()
        received = [
            (spec, adapter)
            for spec, adapter in self._inbound.values()
            if adapter is not None
        ]
        #: Where an incoming frame may go, in the order tried: typed channels first, any-JSON ones last.
        self._candidates: list[tuple[ChannelSpec, TypeAdapter[Any]]] = sorted(
            received, key=lambda entry: side.inbound(entry[0]) is None
        )
        self._decode_only = (
            decoder(*self._candidates[0]) if len(self._candidates) == 1 else None
        )
        #: Frames larger than this are refused by websockets itself (close code 1009).
        self._max_frame = advertised_message_size(self._channels.values())

    def set_send_track(self, address: str, track: MediaStreamTrack) -> None:
        """Always raises ``TransportNotAvailable``: no media over the WebSocket transport."""
        raise TransportNotAvailable(
            f"no media over the WebSocket transport; cannot send a track on {address}"
        )

    async def remote_track(self, address: str) -> MediaStreamTrack:
        """Always raises ``TransportNotAvailable``: no media over the WebSocket transport."""
        raise TransportNotAvailable(
            f"no media over the WebSocket transport; no track on {address}"
        )

    # ----------------------------------------------------------------- for subclasses

    def _attach(self, socket: Connection) -> None:
        self._socket = socket
        self._opened.set()

    async def _read(self) -> None:
        """Read frames until the socket closes, then end the session for the reason the close gives."""
        socket = self._socket
        assert socket is not None
        closing = self._close_started
        receive = self._receive
        try:
            async for frame in socket:
                if closing.is_set():
                    break
                receive(frame)
        except ConnectionClosed:
            pass
        self._begin_close(reason_of_close(socket), notify_peer=False)

    # ----------------------------------------------------------------- BaseSession

    async def _transmit(self, address: str, data: str | bytes) -> None:
        if not self._opened.is_set():
            await first_of(self._opened, self._close_started)
        socket = self._socket
        if socket is None or self.closed:
            raise SessionClosed(f"session closed; cannot send on {address}")
        try:
            await socket.send(data)
        except ConnectionClosed as exc:
            raise SessionClosed(
                f"the WebSocket is closed; cannot send on {address}"
            ) from exc

    async def _close_transport(self, reason: CloseReason, notify_peer: bool) -> None:
        if self._socket is not None:
            code, why = close_frame_for(reason)
            with logged("closing the WebSocket", quiet=(TimeoutError,)):
                await asyncio.wait_for(self._socket.close(code, why), STEP_TIMEOUT)

    # ----------------------------------------------------------------- internals

    def _receive(self, frame: str | bytes) -> None:
        candidates = self._candidates
        try:
            if self._decode_only is not None:
                address, message = candidates[0][0].address, self._decode_only(frame)
            elif candidates:
                address, message = decode_first(candidates, frame)
            else:
                channel = next(iter(self._inbound), "")
                raise UnknownMessage(
                    channel,
                    as_bytes(frame),
                    f"the {self._side.value} receives on no channel",
                )
        except WireError as error:
            self._deliver_error(error)
            return
        self._deliver(address, message)


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
