"""One connection to an MQTT broker, as a session of addressed messages (aiomqtt under it).

Both sides of a broker document connect to the broker: the described application and its
counterpart each hold one ``MqttSession``, differing only in which channels they receive on
(``Side``). Channel addresses become subscriptions with ``+`` in place of each parameter; a
received topic gives the parameters back (``parameters_of``). Headers travel as MQTT 5 user
properties (wire names to strings, JSON values parsed back when they parse).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Self, cast
from urllib.parse import urlsplit

import aiomqtt
from aiomqtt.client import ProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from pydantic import BaseModel

from ..core.addressing import (
    ChannelOwners,
    Received,
    header_texts,
    parameters_of,
    validated_headers,
)
from ..core.broker import BrokerSession
from ..core.channels import ChannelSpec, Side
from ..core.codec import Router, encode_json
from ..core.delivery import HIGH_WATER
from ..core.errors import (
    CloseReason,
    ConnectError,
    SessionClosed,
    SessionError,
    TaskFailed,
    WireError,
)

__all__ = ["MqttSession", "subscription_of"]


def subscription_of(channel: str) -> str:
    """The MQTT topic filter of a channel address: each ``{parameter}`` becomes ``+``."""
    return re.sub(r"\{[^{}]+\}", "+", channel)


class MqttSession(BrokerSession):
    """A connection to the broker at ``url`` that sends and receives the messages of ``channels``."""

    def __init__(
        self,
        url: str,
        channels: Sequence[ChannelSpec],
        side: Side,
        *,
        qos: int | None = None,
        retain: bool | None = None,
        client_id: str | None = None,
        connect_timeout: float = 15.0,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
            raise ValueError(f"not an MQTT broker URL: {url!r}")
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (8883 if parts.scheme in ("mqtts", "ssl") else 1883)
        self._tls = parts.scheme in ("mqtts", "ssl")
        self._username, self._password = parts.username, parts.password
        self._channels = {spec.address: spec for spec in channels}
        self._side = side
        self._qos, self._retain = qos, retain
        self._connect_timeout = connect_timeout
        self.id = client_id or f"asyncapi-gen-{uuid.uuid4().hex[:12]}"
        super().__init__(self._channels)
        self._router = Router(channels, side)
        self._owners = ChannelOwners(
            [a for a, s in self._channels.items() if side.receives(s)]
        )
        #: (qos, retain) of each channel this side sends on, worked out once rather than per message.
        self._sent_options = {
            address: self._options(side.sent_binding(spec))
            for address, spec in self._channels.items()
        }
        self._headers_of = {
            address: side.inbound_headers(spec)
            for address, spec in self._channels.items()
        }
        self._client: aiomqtt.Client | None = None
        self._reader: asyncio.Task[None] | None = None
        self._inbox: _Inbox | None = None

    # -- connecting ------------------------------------------------------------------------
    async def connect(self) -> None:
        """Connect to the broker and subscribe to every channel this side receives on."""
        client = aiomqtt.Client(
            self._host,
            self._port,
            identifier=self.id,
            username=self._username,
            password=self._password,
            protocol=ProtocolVersion.V5,
            tls_params=aiomqtt.TLSParameters() if self._tls else None,
            queue_type=cast("type[asyncio.Queue[aiomqtt.Message]]", self._new_inbox),
            max_queued_incoming_messages=HIGH_WATER,
            timeout=self._connect_timeout,
        )
        try:
            await asyncio.wait_for(client.__aenter__(), self._connect_timeout)
        except (aiomqtt.MqttError, TimeoutError) as error:
            self._close_reason = CloseReason.ERROR
            self._ended.set()
            raise ConnectError(
                f"cannot connect to the MQTT broker {self._host}:{self._port}: {error}"
            ) from error
        self._client = client
        for address, spec in self._channels.items():
            if self._side.receives(spec):
                qos = (
                    self._qos
                    if self._qos is not None
                    else self._side.received_binding(spec).get("qos", 0)
                )
                await client.subscribe(subscription_of(address), qos=int(qos))
        self._reader = asyncio.create_task(
            self._read(client), name=f"mqtt reader {self.id}"
        )

    def _new_inbox(self, maxsize: int = 0) -> _Inbox:
        """aiomqtt's incoming queue for this connection (its ``queue_type``)."""
        self._inbox = _Inbox(self._receive_message, self._delivery.room, maxsize)
        return self._inbox

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- sending ---------------------------------------------------------------------------
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
        """Publish ``message`` (JSON) to topic ``address``, with ``headers`` as user properties and the
        correlation id and reply topic as MQTT 5 correlation data and response topic."""
        properties = None
        if headers is not None or correlation_id is not None or reply_to is not None:
            properties = _properties(headers, correlation_id, reply_to)
        await self._publish(
            self._channels.get(channel), address, encode_json(message), properties
        )

    def reply_address(self, channel: str) -> str:
        """A topic of ``channel`` this connection is subscribed to, its parameters filled with the client id."""
        return re.sub(r"\{[^{}]+\}", self.id, channel)

    async def send(self, address: str, message: BaseModel) -> None:
        """Publish ``message`` to topic ``address`` (a channel without parameters)."""
        await self.publish(address, address, message)

    async def send_raw(self, address: str, data: str | bytes) -> None:
        """Publish ``data`` unchecked to topic ``address``."""
        spec = next(
            (
                spec
                for channel, spec in self._channels.items()
                if parameters_of(channel, address) is not None
            ),
            None,
        )
        await self._publish(spec, address, data, None)

    async def _publish(
        self,
        spec: ChannelSpec | None,
        topic: str,
        data: str | bytes,
        properties: Properties | None,
    ) -> None:
        if self._client is None or self.closed:
            raise SessionClosed("the MQTT session is not connected")
        qos, retain = (
            self._sent_options[spec.address] if spec is not None else self._options({})
        )
        try:
            await self._client.publish(
                topic, data, qos=qos, retain=retain, properties=properties
            )
        except aiomqtt.MqttError as error:
            raise SessionClosed(f"publishing to {topic!r} failed: {error}") from error

    def _options(self, binding: Mapping[str, Any]) -> tuple[int, bool]:
        """The qos and retain of a publish: as given to the session, else the operation's binding."""
        qos = self._qos if self._qos is not None else int(binding.get("qos", 0))
        retain = (
            self._retain
            if self._retain is not None
            else bool(binding.get("retain", False))
        )
        return qos, retain

    # -- receiving -------------------------------------------------------------------------
    async def _read(self, client: aiomqtt.Client) -> None:
        # Messages reach the session as they arrive (``_Inbox``); this task delivers only those that
        # queued while the handler was behind, and notices the connection's end.
        reason = CloseReason.PEER_GONE
        inbox = self._inbox
        assert inbox is not None  # made by the client, before it connected
        try:
            async for message in client.messages:
                self._receive_message(message)
                inbox.held -= 1
                if not self._delivery.room.is_set():
                    await (
                        self._delivery.room.wait()
                    )  # bounded: stop reading while the handler is behind
        except aiomqtt.MqttError as error:
            self._delivery.deliver_error(TaskFailed("mqtt reader", error))
        except asyncio.CancelledError:
            reason = CloseReason.LOCAL
            raise
        finally:
            self._end(reason)

    def _receive_message(self, message: aiomqtt.Message) -> None:
        try:
            self._receive(str(message.topic), message.payload, message.properties)
        except Exception as error:  # noqa: BLE001 - one message's fault must not end the connection
            self._delivery.deliver_error(TaskFailed("mqtt receive", error))

    def _receive(self, topic: str, payload: Any, properties: Properties | None) -> None:
        owner = self._owners.owner(topic)
        if owner is None:
            return  # a topic of no channel this side receives on
        address, parameters = owner
        raw = payload if isinstance(payload, bytes) else str(payload).encode()
        try:
            _, message = self._router.route(address, raw)
        except WireError as error:
            self._delivery.deliver_error(error)
            return
        pairs = getattr(properties, "UserProperty", None) or []
        headers = validated_headers(
            self._headers_of[address], dict(pairs), address, raw
        )
        if isinstance(headers, SessionError):
            self._delivery.deliver_error(headers)
            return
        correlation = getattr(properties, "CorrelationData", None)
        reply_to = getattr(properties, "ResponseTopic", None)
        self._delivery.deliver(
            address,
            Received(
                message,
                topic,
                parameters,
                headers,
                correlation.decode(errors="replace") if correlation else None,
                reply_to or None,
            ),
        )

    # -- ending ----------------------------------------------------------------------------
    async def close(self) -> None:
        """Disconnect from the broker; idempotent."""
        reader, client = self._reader, self._client
        self._end(CloseReason.LOCAL)
        if reader is not None and reader is not asyncio.current_task():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        if client is not None:
            self._client = None
            with contextlib.suppress(aiomqtt.MqttError):
                await client.__aexit__(None, None, None)
        if not self._delivery.in_callback:
            await self._delivery.finish(1.0)


class _Inbox(asyncio.Queue[aiomqtt.Message]):
    """aiomqtt's queue of received messages (its ``queue_type``), which hands each message to the session
    as it arrives rather than holding it for ``Client.messages``, whose every step costs a task and a wait.

    While the handler is behind (``room`` clear), or messages already wait, they queue here instead, in order,
    for the session's reader; once ``maxsize`` wait, aiomqtt discards the next as it does with its own queue.
    """

    def __init__(
        self,
        receive: Callable[[aiomqtt.Message], None],
        room: asyncio.Event,
        maxsize: int = 0,
    ) -> None:
        super().__init__(maxsize)
        self._receive, self._room = receive, room
        self.held = 0
        """Messages queued and not yet delivered by the reader (taken from the queue or not)."""

    def put_nowait(self, item: aiomqtt.Message) -> None:
        if self.held == 0 and self._room.is_set():
            self._receive(item)
            return
        super().put_nowait(item)  # QueueFull: aiomqtt discards the message and says so
        self.held += 1


def _properties(
    headers: BaseModel | None, correlation_id: str | None, reply_to: str | None
) -> Properties:
    """MQTT 5 publish properties: headers as user properties (JSON text unless a string), the correlation id
    as correlation data, the reply topic as response topic."""
    properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    if correlation_id is not None:
        properties.CorrelationData = correlation_id.encode()
    if reply_to is not None:
        properties.ResponseTopic = reply_to
    if headers is not None:
        properties.UserProperty = list(header_texts(headers).items())
    return properties
