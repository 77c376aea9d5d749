# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""The public face of a ``Session``: what every built-in transport class hands out.

A ``SessionView`` exposes one ``Session`` as a ``DataTransport`` with an ``id`` (a server
session, as its handler sees it); a ``ClientView`` adds ``connect()`` (once, within a deadline,
through a ``Connector``) and ``async with``. A transport's public class builds on one of them
and adds only what its link has (media tracks, say) and its ``establish`` step.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, Generic, Self, TypeVar

from pydantic import BaseModel

from .connecting import Connector
from .contracts import ErrorCallback, Link, MessageCallback
from .errors import CloseReason
from .session import Session

__all__ = ["ClientView", "SessionView"]

LinkT = TypeVar("LinkT", bound=Link)


class SessionView(Generic[LinkT]):
    """``session`` as a ``DataTransport`` with an ``id``; the link stays reachable as ``_link``."""

    def __init__(self, session: Session[LinkT]) -> None:
        self._session = session
        self._link: LinkT = session.link

    @property
    def id(self) -> str:
        """A unique id of this session (for logs)."""
        return self._session.id

    def on_message(self, address: str, callback: MessageCallback) -> None:
        """Call ``callback`` with every validated message received on data channel ``address``."""
        self._session.on_message(address, callback)

    def on_error(self, callback: ErrorCallback) -> None:
        """Call ``callback`` with every message that failed validation (the session continues)."""
        self._session.on_error(callback)

    def send(self, address: str, message: BaseModel) -> Coroutine[Any, Any, None]:
        """Send ``message`` on data channel ``address``; ``SessionClosed`` after close (the session's own
        ``send``, handed on: no coroutine of the view's own per message)."""
        return self._session.send(address, message)

    async def send_raw(self, address: str, data: str | bytes) -> None:
        """Send ``data`` as is, unchecked."""
        await self._session.send_raw(address, data)

    def messages(self, address: str) -> AsyncIterator[Any]:
        """Every validated message received on ``address`` from now on; ends when the session closes."""
        return self._session.messages(address)

    async def close(self) -> None:
        """End the session and close everything; idempotent, and safe from a message callback."""
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

    @property
    def established(self) -> bool:
        """True once the connection is up; False while it is still negotiating."""
        return self._session.established


class ClientView(SessionView[LinkT]):
    """A client's ``session``: ``async with`` connects by awaiting ``establish()``, then closes."""

    def __init__(
        self,
        session: Session[LinkT],
        establish: Callable[[], Awaitable[None]],
        connect_timeout: float,
    ) -> None:
        super().__init__(session)
        self._connector = Connector(session, establish, connect_timeout)

    async def connect(self) -> None:
        """Open the session; ``TokenRejected`` or ``ConnectError`` (or a subclass) when that fails."""
        await self._connector.connect()

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
