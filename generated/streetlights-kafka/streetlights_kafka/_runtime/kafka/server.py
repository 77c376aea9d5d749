# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""The described application's connection to a Kafka cluster: what a generated ``Server`` is given.

Nothing listens on a broker: ``start()`` connects to it, and the handler's one session is that
connection (``active_sessions`` is 1 while connected).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from faststream.kafka import KafkaBroker

from ..core.broker import BrokerApp
from ..core.channels import ChannelSpec, Side
from .session import KafkaSession

__all__ = ["KafkaAppTransport"]


class KafkaAppTransport(BrokerApp[KafkaSession]):
    """The described application, connected to the Kafka cluster at ``url``, its handler given one session."""

    def __init__(
        self,
        url: str,
        channels: Sequence[ChannelSpec],
        handler_factory: Callable[[], Any],
        *,
        client_id: str | None = None,
        connect_timeout: float = 15.0,
        broker: KafkaBroker | None = None,
    ) -> None:
        session = KafkaSession(
            url,
            channels,
            Side.SERVER,
            client_id=client_id,
            connect_timeout=connect_timeout,
            broker=broker,
        )
        super().__init__(url, session, handler_factory)

    @property
    def broker(self) -> KafkaBroker:
        """The FastStream broker the application is declared on (its AsyncAPI export documents the application)."""
        return self.session.broker
