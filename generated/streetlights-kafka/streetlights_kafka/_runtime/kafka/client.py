# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""The counterpart's connection to a Kafka cluster: what a generated ``Client`` is given."""

from __future__ import annotations

from collections.abc import Sequence

from faststream.kafka import KafkaBroker

from ..core.channels import ChannelSpec, Side
from .session import KafkaSession

__all__ = ["KafkaClientTransport"]


class KafkaClientTransport(KafkaSession):
    """The counterpart of the described application, connected to the Kafka cluster at ``url``.

    It receives what the application sends and sends what it receives.
    """

    def __init__(
        self,
        url: str,
        channels: Sequence[ChannelSpec],
        *,
        client_id: str | None = None,
        connect_timeout: float = 15.0,
        broker: KafkaBroker | None = None,
    ) -> None:
        super().__init__(
            url,
            channels,
            Side.CLIENT,
            client_id=client_id,
            connect_timeout=connect_timeout,
            broker=broker,
        )
