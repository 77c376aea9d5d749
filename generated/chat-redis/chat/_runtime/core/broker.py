# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""What every broker transport shares: the receiving half of a broker session, and the described application's
connection (both sides of a broker document connect to the broker; nothing listens).

``BrokerSession`` holds a session's ``Delivery`` and its end, and gives the ``Addressed`` receiving API
(``on_received``, ``received``) and the ``DataTransport`` one (``on_message``, ``messages``, ``on_error``,
``wait_closed``, ...); a broker transport's session derives from it and adds connecting, publishing and reading.
``BrokerApp`` is what a generated ``Server`` is given: it connects one such session and drives its handler.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import AsyncIterator, Callable, Iterable
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

from .addressing import Received, ReceivedCallback
from .contracts import ErrorCallback, MessageCallback
from .delivery import Delivery
from .errors import CloseReason
from .steps import logged
from .tokens import TokenIssuer

__all__ = ["BrokerApp", "BrokerSession", "without_password"]


def without_password(url: str) -> str:
    """A broker URL fit for an error message: its password masked."""
    return re.sub(r"//([^:/@]*):[^@]*@", r"//\1:***@", url)


class BrokerSession:
    """The receiving half of a connection to a broker: delivery of envelopes, and how the session ended."""

    def __init__(self, channels: Iterable[str]) -> None:
        self._delivery = Delivery(channels)
        self._close_reason: CloseReason | None = None
        self._ended = asyncio.Event()

    def on_received(self, channel: str, callback: ReceivedCallback) -> None:
        """Call ``callback`` with every message received on ``channel``, with its envelope."""
        self._delivery.on_message(channel, callback)

    def received(self, channel: str) -> AsyncIterator[Received[Any, Any]]:
        """Every message received on ``channel`` from now on, with its envelope."""
        return self._delivery.messages(channel)

    def on_message(self, address: str, callback: MessageCallback) -> None:
        """Call ``callback`` with every validated message received on ``address`` (without envelope)."""

        async def unwrap(received: Received[Any, Any]) -> None:
            await callback(received.message)

        self._delivery.on_message(address, unwrap)

    def messages(self, address: str) -> AsyncIterator[Any]:
        """Every validated message received on ``address`` (without envelope)."""

        async def unwrap() -> AsyncIterator[Any]:
            async for received in self._delivery.messages(address):
                yield received.message

        return unwrap()

    def on_error(self, callback: ErrorCallback) -> None:
        """Call ``callback`` with every message that failed validation (the session continues)."""
        self._delivery.on_error(callback)

    def _end(self, reason: CloseReason) -> None:
        if self._close_reason is None:
            self._close_reason = reason
        self._ended.set()

    async def wait_closed(self) -> CloseReason:
        """Wait until the session has ended; returns why."""
        await self._ended.wait()
        assert self._close_reason is not None
        return self._close_reason

    @property
    def closed(self) -> bool:
        """True once the session has started closing."""
        return self._close_reason is not None

    @property
    def close_reason(self) -> CloseReason | None:
        """Why the session ended, or None while it runs."""
        return self._close_reason


class _Session(Protocol):
    """What ``BrokerApp`` needs of a broker session."""

    async def connect(self) -> None: ...

    async def close(self) -> None: ...

    async def wait_closed(self) -> CloseReason: ...

    def on_error(self, callback: ErrorCallback) -> None: ...

    @property
    def closed(self) -> bool: ...

    @property
    def close_reason(self) -> CloseReason | None: ...


SessionT = TypeVar("SessionT", bound=_Session)


class BrokerApp(Generic[SessionT]):
    """The described application, connected to the broker at ``url``, its handler given one session.

    Nothing listens on a broker: ``start()`` connects the session, and the handler's one session is that
    connection (``active_sessions`` is 1 while connected).
    """

    def __init__(
        self, url: str, session: SessionT, handler_factory: Callable[[], Any]
    ) -> None:
        self._url = url
        self._handler_factory = handler_factory
        self.session = session
        self._handler: Any = None
        self._watcher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect to the broker and open the handler's session; ``ConnectError`` when it cannot."""
        handler = self._handler_factory()
        self.session.on_error(functools.partial(handler.on_error, self.session))
        await self.session.connect()
        self._handler = handler
        await handler.on_open(self.session)
        self._watcher = asyncio.create_task(self._watch(), name="broker app session")

    async def _watch(self) -> None:
        reason = await self.session.wait_closed()
        with logged("on_close"):
            await self._handler.on_close(self.session, reason)

    async def stop(self) -> None:
        """Disconnect from the broker (the handler's ``on_close`` runs)."""
        await self.session.close()
        if self._watcher is not None:
            await self._watcher
            self._watcher = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """The broker's URL."""
        return self._url

    @property
    def http_url(self) -> str | None:
        """None: a broker has no session endpoint."""
        return None

    def issue_session(self) -> tuple[str, str]:
        """The broker URL and no token: every party connects to the broker itself."""
        return self._url, ""

    @property
    def tokens(self) -> TokenIssuer | None:
        """None: the broker does its own authentication."""
        return None

    @property
    def active_sessions(self) -> int:
        """1 while connected to the broker, else 0."""
        return 0 if self.session.closed or self._handler is None else 1

    @property
    def close_reason(self) -> CloseReason | None:
        """Why the connection ended, or None while it runs."""
        return self.session.close_reason
