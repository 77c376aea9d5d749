# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""One connection to an AMQP 0-9-1 broker (RabbitMQ), as a session of addressed messages (aio-pika under it).

Both sides of a broker document connect to the broker: the described application and its counterpart each
hold one ``AmqpSession``, differing only in which channels they receive on (``Side``). Each channel is placed
on the broker as its ``amqp`` binding says:

- ``is: queue`` (a work queue): messages go through the default exchange to the queue named by the binding,
  else by the channel's address with its parameters filled in. A channel whose address is nothing but one
  parameter (``{queue}``, a reply queue) is received on an exclusive queue of this connection, named by aio-pika
  (``amq_<hex>``, so that its robust channel can declare it again after a reconnection) rather than by the broker
  (``amq.gen-...``); ``reply_address`` gives its name to put in a request's ``reply_to``.
- ``is: routingKey`` (the default): messages go to the binding's exchange (else ``amq.topic``) with the filled-in
  address as routing key; the receiver binds its queue (the binding's, else one the broker names) with each
  parameter as ``*`` (or ``#`` when a parameter is not a whole dot-separated word; topics are then told apart by
  ``parameters_of``).

Exchanges and named queues are declared as the binding describes them (``durable``, ``autoDelete``,
``exclusive``, exchange ``type``); messages to a durable queue are persistent. Every publish waits for the
broker's confirm. A received operation whose binding says ``ack: true`` is acknowledged after its callbacks
have run (so a message the application did not finish is delivered again after a crash or a restart); others
as they arrive. The connection is aio-pika's robust one: when the broker goes away it reconnects, declares
again and resumes consuming; a publish meanwhile raises ``PublishFailed``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self

import aio_pika
from aio_pika.abc import (
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustChannel,
    AbstractRobustConnection,
    DeliveryMode,
)
from aio_pika.exceptions import AMQPError
from pydantic import BaseModel, ValidationError

from ..core.addressing import Received, parameters_of
from ..core.broker import BrokerSession, without_password
from ..core.channels import ChannelSpec, Side
from ..core.codec import Router, encode_json
from ..core.delivery import HIGH_WATER
from ..core.errors import (
    RAW_EXCERPT_BYTES,
    AsyncApiRuntimeError,
    CloseReason,
    ConnectError,
    SchemaViolation,
    SessionClosed,
    SessionError,
    WireError,
)

__all__ = ["AmqpSession", "PublishFailed", "placement_of"]

_PARAMETER = re.compile(r"\{[^{}]+\}")


class PublishFailed(AsyncApiRuntimeError):
    """The broker did not confirm a message (unreachable while the connection is re-established, or it refused
    it): it was not sent."""


@dataclass(frozen=True)
class Placement:
    """Where a channel's messages go on the broker, from its ``amqp`` binding."""

    exchange: str
    """The exchange messages are published to ("" for the default exchange)."""
    exchange_type: str
    exchange_durable: bool
    exchange_auto_delete: bool
    queue: str | None
    """The queue to declare: a name, "" for one the broker names for this connection, None for none."""
    queue_durable: bool
    queue_exclusive: bool
    queue_auto_delete: bool
    binding_key: str | None
    """The key the receiver binds its queue with (None: a queue of the default exchange, no binding)."""
    fixed_routing_key: str | None
    """The routing key every message takes (a work queue named by the binding), else the filled-in address."""

    @property
    def declared_exchange(self) -> bool:
        """True when the exchange is the document's own (the default and ``amq.*`` ones always exist)."""
        return bool(self.exchange) and not self.exchange.startswith("amq.")


def placement_of(spec: ChannelSpec) -> Placement:
    """How channel ``spec`` is placed on the broker (see the module's docstring)."""
    binding = spec.binding
    exchange = _mapping(binding.get("exchange"))
    queue = _mapping(binding.get("queue"))
    queue_name = str(queue.get("name") or "") or None
    options = (
        bool(queue.get("durable", False)),
        bool(queue.get("exclusive", False)),
        bool(queue.get("autoDelete", False)),
    )
    if binding.get("is", "routingKey") == "queue":
        parameters = _PARAMETER.findall(spec.address)
        if queue_name is not None:
            name: str | None = queue_name
        elif not parameters:
            name = spec.address
        elif _PARAMETER.fullmatch(spec.address):
            name = ""  # a reply queue: named by the broker, given to others as reply_to
        else:
            name = None  # queues named by parameters: only a sender can say which
        return Placement("", "direct", False, False, name, *options, None, queue_name)
    key = _PARAMETER.sub("*", spec.address)
    if any(
        _PARAMETER.search(word) and not _PARAMETER.fullmatch(word)
        for word in spec.address.split(".")
    ):
        key = "#"  # a parameter inside a word: bind to all, filter by parameters_of
    return Placement(
        str(exchange.get("name") or "amq.topic"),
        str(exchange.get("type") or "topic"),
        bool(exchange.get("durable", True)),
        bool(exchange.get("autoDelete", False)),
        queue_name or "",
        *(options if queue_name else (False, True, True)),
        key,
        None,
    )


class AmqpSession(BrokerSession):
    """A connection to the broker at ``url`` that sends and receives the messages of ``channels``."""

    def __init__(
        self,
        url: str,
        channels: Sequence[ChannelSpec],
        side: Side,
        *,
        client_id: str | None = None,
        connect_timeout: float = 15.0,
        reconnect_interval: float = 1.0,
    ) -> None:
        if not url.startswith(("amqp://", "amqps://")):
            raise ValueError(f"not an AMQP broker URL: {url!r}")
        self._url = url
        self._channels = {spec.address: spec for spec in channels}
        self._placements = {
            address: placement_of(spec) for address, spec in self._channels.items()
        }
        self._side = side
        self._connect_timeout = connect_timeout
        self._reconnect_interval = reconnect_interval
        self.id = client_id or f"asyncapi-gen-{uuid.uuid4().hex[:12]}"
        super().__init__(self._channels)
        self._router = Router(channels, side)
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractRobustChannel | None = None
        self._exchanges: dict[str, AbstractExchange] = {}
        self._queues: dict[str, AbstractQueue] = {}

    # -- connecting ------------------------------------------------------------------------
    async def connect(self) -> None:
        """Connect, declare the channels' exchanges and queues, and consume what this side receives."""
        try:
            async with asyncio.timeout(self._connect_timeout):
                connection = await aio_pika.connect_robust(
                    self._url,
                    timeout=self._connect_timeout,
                    reconnect_interval=self._reconnect_interval,
                    client_properties={"connection_name": self.id},
                )
                self._connection = connection
                channel = await connection.channel(publisher_confirms=True)
                await channel.set_qos(prefetch_count=HIGH_WATER)
                self._channel = channel
                for address, spec in self._channels.items():
                    await self._declare(address, spec)
        except (OSError, AMQPError, TimeoutError) as error:
            self._end(CloseReason.ERROR)
            await self._disconnect()
            raise ConnectError(
                f"cannot connect to the AMQP broker {without_password(self._url)}: {error!r}"
            ) from error

    async def _declare(self, address: str, spec: ChannelSpec) -> None:
        assert self._channel is not None
        place = self._placements[address]
        receives = self._side.receives(spec)
        if place.declared_exchange:
            self._exchanges[address] = await self._channel.declare_exchange(
                place.exchange,
                place.exchange_type,
                durable=place.exchange_durable,
                auto_delete=place.exchange_auto_delete,
            )
        elif place.exchange:
            self._exchanges[address] = await self._channel.get_exchange(
                place.exchange, ensure=False
            )
        else:
            self._exchanges[address] = self._channel.default_exchange
        # A sender declares a named work queue too, so that what it sends before a consumer comes is kept.
        shared = bool(place.queue) and not place.queue_exclusive
        if place.queue is None or not (receives or (shared and place.exchange == "")):
            return
        queue = await self._channel.declare_queue(
            place.queue or None,
            durable=place.queue_durable,
            exclusive=place.queue_exclusive,
            auto_delete=place.queue_auto_delete,
        )
        self._queues[address] = queue
        if not receives:
            return
        if place.binding_key is not None:
            await queue.bind(self._exchanges[address], place.binding_key)
        acked = bool(self._side.received_binding(spec).get("ack", False))
        await queue.consume(
            functools.partial(self._on_delivery, address, spec, acked=acked),
            consumer_tag=f"{self.id}-{spec.address}"[:255],
        )

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
        """Publish ``message`` (JSON) to ``address`` on ``channel``, with ``headers`` as AMQP headers, and the
        correlation id and reply queue as the AMQP properties of those names; waits for the broker's confirm."""
        values = (
            headers.model_dump(mode="json", by_alias=True, exclude_none=True)
            if headers is not None
            else None
        )
        await self._publish(
            channel, address, encode_json(message), values, correlation_id, reply_to
        )

    async def send(self, address: str, message: BaseModel) -> None:
        """Publish ``message`` on channel ``address`` (one without parameters)."""
        await self.publish(address, address, message)

    async def send_raw(self, address: str, data: str | bytes) -> None:
        """Publish ``data`` unchecked to ``address`` (a filled-in address of one of the channels)."""
        channel = next(
            (c for c in self._channels if parameters_of(c, address) is not None),
            address,
        )
        await self._publish(
            channel, address, data.encode() if isinstance(data, str) else data
        )

    def reply_address(self, channel: str) -> str:
        """The queue this connection receives ``channel`` on (broker-named for a reply queue), for ``reply_to``."""
        queue = self._queues.get(channel)
        if queue is None:
            raise ValueError(f"this side receives nothing on channel {channel!r}")
        return queue.name

    async def _publish(
        self,
        channel: str,
        address: str,
        body: bytes,
        headers: Mapping[str, Any] | None = None,
        correlation_id: str | None = None,
        reply_to: str | None = None,
    ) -> None:
        if self._channel is None or self.closed:
            raise SessionClosed("the AMQP session is not connected")
        place = self._placements.get(channel)
        spec = self._channels.get(channel)
        if place is None or spec is None:
            raise ValueError(f"no channel {channel!r}")
        binding = self._side.sent_binding(spec)
        persistent = place.queue_durable or binding.get("deliveryMode") == 2
        message = aio_pika.Message(
            body,
            content_type="application/json",
            headers=dict(headers) if headers else None,
            correlation_id=correlation_id,
            reply_to=reply_to,
            delivery_mode=DeliveryMode.PERSISTENT if persistent else None,
            priority=binding.get("priority"),
            expiration=binding.get("expiration"),
        )
        try:
            await self._exchanges[channel].publish(
                message, routing_key=place.fixed_routing_key or address
            )
        except (AMQPError, OSError, RuntimeError) as error:
            if self.closed:
                raise SessionClosed("the AMQP session is closed") from error
            raise PublishFailed(
                f"publishing to {address!r} failed: {error!r}"
            ) from error

    # -- receiving -------------------------------------------------------------------------
    async def _on_delivery(
        self,
        address: str,
        spec: ChannelSpec,
        message: AbstractIncomingMessage,
        *,
        acked: bool,
    ) -> None:
        received = self._received(address, spec, message)
        if (
            received is None
        ):  # invalid (reported) or of no channel: settled, not redelivered
            await _settle(message)
        elif acked:

            async def ack(_: Any) -> None:
                await _settle(message)

            self._delivery.deliver(address, received, ack)
        else:
            self._delivery.deliver(address, received)
            await (
                self._delivery.room.wait()
            )  # bounded: unacked messages hold the broker back
            await _settle(message)

    def _received(
        self, address: str, spec: ChannelSpec, message: AbstractIncomingMessage
    ) -> Received[Any, Any] | None:
        place = self._placements[address]
        where = message.routing_key or ""
        if place.binding_key is None:  # a queue: the routing key is its name
            parameters = parameters_of(address, where) or {}
        else:
            found = parameters_of(address, where)
            if found is None:
                return None  # bound with '#': a routing key of another channel
            parameters = found
        raw = message.body
        try:
            _, payload = self._router.route(address, raw)
        except WireError as error:
            self._delivery.deliver_error(error)
            return None
        headers = self._headers(spec, address, raw, message.headers)
        if isinstance(headers, SessionError):
            self._delivery.deliver_error(headers)
            return None
        return Received(
            payload,
            where,
            parameters,
            headers,
            message.correlation_id,
            message.reply_to,
        )

    def _headers(
        self,
        spec: ChannelSpec,
        address: str,
        raw: bytes,
        table: Mapping[str, Any] | None,
    ) -> Any:
        adapter = self._side.inbound_headers(spec)
        if adapter is None:
            return None
        values = {name: _plain(value) for name, value in (table or {}).items()}
        try:
            return adapter.validate_python(values)
        except ValidationError as failure:
            return SchemaViolation(
                address, raw[:RAW_EXCERPT_BYTES], f"headers: {failure}"
            )

    # -- ending ----------------------------------------------------------------------------
    async def close(self) -> None:
        """Disconnect from the broker; idempotent."""
        self._end(CloseReason.LOCAL)
        if not self._delivery.in_callback:
            await self._delivery.finish(1.0)
        await self._disconnect()

    async def _disconnect(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None:
            with contextlib.suppress(AMQPError, OSError, RuntimeError):
                await asyncio.wait_for(connection.close(), 5.0)


async def _settle(message: AbstractIncomingMessage) -> None:
    """Acknowledge ``message``; a channel lost meanwhile means the broker will deliver it again."""
    with contextlib.suppress(AMQPError, OSError, RuntimeError):
        await message.ack()


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _plain(value: Any) -> Any:
    """An AMQP table value as JSON would have it (byte strings decoded)."""
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    return value
