"""Stand-ins for protocols without a built-in transport (MQTT, Kafka, AMQP, ...).

Generated code for such a document constructs these, so importing and building the client or
server works; ``connect()``/``start()`` raise ``TransportNotAvailable``, saying what to pass
instead (``transport=`` an object implementing ``AddressedClientTransport`` or ``ServerTransport``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Self

from pydantic import BaseModel

from .addressing import Received, ReceivedCallback
from .contracts import ErrorCallback, MessageCallback
from .errors import CloseReason, TransportNotAvailable
from .tokens import TokenIssuer

if TYPE_CHECKING:
    from .addressing import AddressedClientTransport
    from .contracts import ServerTransport

__all__ = ["UnavailableClientTransport", "UnavailableServerTransport"]


def _not_available(protocol: str, side: str, interface: str) -> TransportNotAvailable:
    return TransportNotAvailable(
        f"asyncapi-gen has no built-in transport for the {protocol!r} protocol yet; to use this "
        f"API over {protocol}, pass transport= an object implementing "
        f"{interface} (see the runtime's core/contracts.py) to the generated {side}"
    )


class UnavailableClientTransport:
    """The client transport of a protocol without a built-in one: ``connect()`` raises ``TransportNotAvailable``."""

    def __init__(self, protocol: str) -> None:
        self.protocol = protocol
        self._closed = asyncio.Event()
        self._close_reason: CloseReason | None = None

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

    async def publish(
        self,
        channel: str,
        address: str,
        message: BaseModel,
        headers: BaseModel | None = None,
        *,
        correlation_id: str | None = None,
        reply_to: str | None = None,
        key: str | None = None,
    ) -> None:
        raise self._error()

    def reply_address(self, channel: str) -> str:
        raise self._error()

    def messages(self, address: str) -> AsyncIterator[Any]:
        return _no_messages()

    def on_received(self, channel: str, callback: ReceivedCallback) -> None:
        pass  # nothing will ever arrive

    def received(self, channel: str) -> AsyncIterator[Received[Any, Any]]:
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

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _end(self, reason: CloseReason) -> None:
        if self._close_reason is None:
            self._close_reason = reason
            self._closed.set()

    def _error(self) -> TransportNotAvailable:
        return _not_available(self.protocol, "client", "AddressedClientTransport")


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

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def _error(self) -> TransportNotAvailable:
        return _not_available(self.protocol, "server", "ServerTransport")


async def _no_messages() -> AsyncIterator[Any]:
    return
    yield  # an async generator that ends at once


if TYPE_CHECKING:

    def _conforms(
        client: UnavailableClientTransport, server: UnavailableServerTransport
    ) -> None:
        _client: AddressedClientTransport = client
        _server: ServerTransport = server
