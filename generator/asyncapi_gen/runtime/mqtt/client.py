"""The counterpart's connection to an MQTT broker: what a generated ``Client`` is given."""

from __future__ import annotations

from collections.abc import Sequence

from ..core.channels import ChannelSpec, Side
from .session import MqttSession

__all__ = ["MqttClientTransport"]


class MqttClientTransport(MqttSession):
    """The counterpart of the described application, connected to the broker at ``url``.

    It receives what the application sends and sends what it receives.
    """

    def __init__(
        self,
        url: str,
        channels: Sequence[ChannelSpec],
        *,
        qos: int | None = None,
        retain: bool | None = None,
        client_id: str | None = None,
        connect_timeout: float = 15.0,
    ) -> None:
        super().__init__(
            url,
            channels,
            Side.CLIENT,
            qos=qos,
            retain=retain,
            client_id=client_id,
            connect_timeout=connect_timeout,
        )
