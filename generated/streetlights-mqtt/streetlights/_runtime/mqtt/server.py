# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""The described application's connection to an MQTT broker: what a generated ``Server`` is given.

Nothing listens on a broker: ``start()`` connects to it, and the handler's one session is that
connection (``active_sessions`` is 1 while connected).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Self

from ..core.channels import ChannelSpec, Side
from ..core.errors import CloseReason
from ..core.steps import logged
from ..core.tokens import TokenIssuer
from .session import MqttSession

__all__ = ["MqttAppTransport"]


class MqttAppTransport:
    """The described application, connected to the broker at ``url``, its handler given one session."""

    def __init__(
        self,
        url: str,
        channels: Sequence[ChannelSpec],
        handler_factory: Callable[[], Any],
        *,
        qos: int | None = None,
        retain: bool | None = None,
        client_id: str | None = None,
        connect_timeout: float = 15.0,
    ) -> None:
        self._url = url
        self._handler_factory = handler_factory
        self.session = MqttSession(
            url,
            channels,
            Side.SERVER,
            qos=qos,
            retain=retain,
            client_id=client_id,
            connect_timeout=connect_timeout,
        )
        self._handler: Any = None
        self._watcher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect to the broker and open the handler's session; ``ConnectError`` when it cannot."""
        handler = self._handler_factory()
        self.session.on_error(functools.partial(handler.on_error, self.session))
        await self.session.connect()
        self._handler = handler
        await handler.on_open(self.session)
        self._watcher = asyncio.create_task(self._watch(), name="mqtt app session")

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
