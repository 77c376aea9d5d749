# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""The described application's connection to a Redis server: what a generated ``Server`` is given.

Nothing listens on a broker: ``start()`` connects to it, and the handler's one session is that
connection (``active_sessions`` is 1 while connected).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..core.broker import BrokerApp
from ..core.channels import ChannelSpec, Side
from .session import RedisSession

__all__ = ["RedisAppTransport"]


class RedisAppTransport(BrokerApp[RedisSession]):
    """The described application, connected to the Redis server at ``url``, its handler given one session."""

    def __init__(
        self,
        url: str,
        channels: Sequence[ChannelSpec],
        handler_factory: Callable[[], Any],
        *,
        client_id: str | None = None,
        connect_timeout: float = 15.0,
    ) -> None:
        session = RedisSession(
            url,
            channels,
            Side.SERVER,
            client_id=client_id,
            connect_timeout=connect_timeout,
        )
        super().__init__(url, session, handler_factory)
