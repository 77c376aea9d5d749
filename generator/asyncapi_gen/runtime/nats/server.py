"""The described application's connection to a NATS server: what a generated ``Server`` is given.

Nothing listens on a broker: ``start()`` connects to it, and the handler's one session is that
connection (``active_sessions`` is 1 while connected).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..core.broker import BrokerApp
from ..core.channels import ChannelSpec, Side
from .session import NatsSession

__all__ = ["NatsAppTransport"]


class NatsAppTransport(BrokerApp[NatsSession]):
    """The described application, connected to the NATS server at ``url``, its handler given one session."""

    def __init__(
        self,
        url: str,
        channels: Sequence[ChannelSpec],
        handler_factory: Callable[[], Any],
        *,
        client_id: str | None = None,
        connect_timeout: float = 15.0,
        reconnect_wait: int = 1,
        max_reconnect_attempts: int = 60,
    ) -> None:
        session = NatsSession(
            url,
            channels,
            Side.SERVER,
            client_id=client_id,
            connect_timeout=connect_timeout,
            reconnect_wait=reconnect_wait,
            max_reconnect_attempts=max_reconnect_attempts,
        )
        super().__init__(url, session, handler_factory)
