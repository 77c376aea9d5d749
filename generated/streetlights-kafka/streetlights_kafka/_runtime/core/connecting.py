# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""Connecting a client session once, within a deadline: what every built-in client shares.

A client composes one ``Connector`` and gives it the transport's ``establish`` step (everything
up to a running session); the connector turns every way that can fail into the errors the
``ClientTransport`` contract names, and closes the session (``ERROR``) when it does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from .errors import AsyncApiRuntimeError, CloseReason, ConnectError
from .session import Session
from .tokens import redacted

__all__ = ["Connector"]


class Connector:
    """``connect()`` once, within ``timeout`` seconds, by awaiting ``establish()``."""

    def __init__(
        self,
        session: Session[Any],
        establish: Callable[[], Awaitable[None]],
        timeout: float,
    ) -> None:
        self._session = session
        self._establish = establish
        self._timeout = timeout
        self._started = False

    async def connect(self) -> None:
        """Open the session and return once it is up.

        Raises ``TokenRejected`` when the server refuses the token and ``ConnectError`` for any
        other failure (unreachable server, early close, timeout); the session is then closed (ERROR).
        """
        if self._started or self._session.closed:
            raise ConnectError("connect() can be called once per session")
        self._started = True
        try:
            async with asyncio.timeout(self._timeout):
                await self._establish()
        except BaseException as exc:
            await asyncio.shield(self._session.end(CloseReason.ERROR, notify_peer=True))
            if isinstance(exc, TimeoutError):
                raise ConnectError(
                    f"connecting timed out after {self._timeout} s"
                ) from exc
            if isinstance(exc, Exception) and not isinstance(exc, AsyncApiRuntimeError):
                raise ConnectError(f"connecting failed: {redacted(repr(exc))}") from exc
            raise
