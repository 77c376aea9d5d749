# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""One connection to a Kafka cluster, as a session of addressed messages (FastStream's ``KafkaBroker`` on aiokafka).

Both sides of a broker document connect to the cluster: the described application and its counterpart each
hold one ``KafkaSession``, differing only in which channels they receive on (``Side``). A channel address is a
topic; a channel with parameters is consumed with a topic pattern (FastStream's ``{parameter}`` template, which
also documents it), and a received topic gives the parameters back (``ChannelOwners``).

Each session declares what it does on its broker the way a FastStream application does: one subscriber per
channel it receives on, one publisher per channel it sends on, each with the payload schema the generated models
validate. FastStream's own AsyncAPI export of that broker therefore lists the document's channels, operations and
payloads again (``tests/brokers/test_kafka.py`` compares them). The subscriber hands the raw record to the
generated models: FastStream neither decodes nor validates it, so a bad message is a typed ``WireError`` to the
handler, as on every other transport.

Headers are Kafka record headers (wire names to strings; JSON values parsed back when they parse); the correlation
id and the reply address travel as FastStream's ``correlation_id`` and ``reply_to`` headers, so a FastStream
application on the other end understands them. An operation binding's ``groupId`` (a schema naming one value)
makes the receiver a member of that consumer group; the message key given to ``publish`` is the record key.

Reading is bounded: the subscriber awaits room while the handler is behind, and Kafka, which is pull-based, keeps
the rest. aiokafka reconnects by itself when a broker goes away.

Sessions can share one ``KafkaBroker`` (``broker=``): one connection for a whole process, or FastStream's in-memory
``TestKafkaBroker`` in tests. A session declares itself on the broker when it is made, so make every session that
shares a broker before it starts; a shared broker is started by whoever shares it, and is left running on close.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import re
import ssl
import uuid
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Self
from urllib.parse import unquote, urlsplit

from aiokafka.errors import KafkaError  # type: ignore[import-untyped]  # aiokafka ships no types
from faststream import Context
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaMessage
from faststream.message import StreamMessage
from faststream.security import BaseSecurity, SASLPlaintext
from pydantic import (
    BaseModel,
    PydanticUserError,
    SkipValidation,
    TypeAdapter,
    WithJsonSchema,
)

from ..core.addressing import (
    ChannelOwners,
    Received,
    header_texts,
    validated_headers,
)
from ..core.broker import BrokerSession, without_password
from ..core.channels import ChannelSpec, Side
from ..core.codec import Router, encode_json
from ..core.errors import (
    CloseReason,
    ConnectError,
    SessionClosed,
    SessionError,
    WireError,
)

__all__ = ["CORRELATION_HEADER", "REPLY_TO_HEADER", "KafkaSession", "bootstrap_of"]

_PARAMETER = re.compile(r"\{[^{}]+\}")
#: The record header a correlation id travels in (FastStream's own).
CORRELATION_HEADER = "correlation_id"
#: The record header the address of the answer travels in (FastStream's own).
REPLY_TO_HEADER = "reply_to"
# Headers FastStream writes on every record: the envelope, not the document's headers.
_ENVELOPE_HEADERS = frozenset({CORRELATION_HEADER, REPLY_TO_HEADER, "content-type"})
_SCHEMES = ("kafka", "kafka-secure")


def bootstrap_of(url: str) -> list[str]:
    """The bootstrap servers of ``kafka://host:port[,host:port...]`` (``kafka-secure://`` for TLS)."""
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        raise ValueError(f"not a Kafka URL: {url!r}")
    hosts = parts.netloc.rpartition("@")[2]
    servers = [host for host in hosts.split(",") if host]
    if not servers:
        raise ValueError(f"a Kafka URL names at least one broker: {url!r}")
    return servers


def _security_of(url: str) -> BaseSecurity | None:
    """TLS for ``kafka-secure://``, SASL PLAIN for a user and password in the URL."""
    parts = urlsplit(url)
    tls = ssl.create_default_context() if parts.scheme == "kafka-secure" else None
    if parts.username is not None:
        return SASLPlaintext(
            unquote(parts.username), unquote(parts.password or ""), ssl_context=tls
        )
    return BaseSecurity(ssl_context=tls) if tls is not None else None


def _one_value(schema: Any) -> str | None:
    """The one value a binding's schema names (``groupId: {type: string, enum: [g]}``), or None."""
    if isinstance(schema, str):
        return schema
    if not isinstance(schema, Mapping):
        return None
    if "const" in schema:
        return str(schema["const"])
    enum = schema.get("enum")
    if isinstance(enum, list) and len(enum) == 1:
        return str(enum[0])
    default = schema.get("default")
    return str(default) if default is not None else None


def _documented(adapter: TypeAdapter[Any] | None) -> Any:
    """The type FastStream documents a payload as: the schema of the generated models, not validated by it."""
    try:
        schema = adapter.json_schema() if adapter is not None else {}
    except (
        PydanticUserError
    ):  # a type pydantic cannot describe in JSON Schema (PydanticInvalidForJsonSchema)
        schema = {}
    return Annotated[Any, SkipValidation, WithJsonSchema(_inlined(schema))]


def _inlined(schema: Any) -> Any:
    """``schema`` with each ``#/$defs/...`` reference replaced by what it names (FastStream files a payload's
    schema under its own name, so references into the payload's own ``$defs`` would point nowhere). A definition
    that refers to itself stays a reference-free ``{}`` at the point it recurs."""
    definitions = schema.get("$defs", {}) if isinstance(schema, dict) else {}

    def inline(node: Any, open_refs: frozenset[str]) -> Any:
        if isinstance(node, list):
            return [inline(item, open_refs) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.removeprefix("#/$defs/")
            if name in open_refs or name not in definitions:
                return {}
            rest = {k: inline(v, open_refs) for k, v in node.items() if k != "$ref"}
            return {**inline(definitions[name], open_refs | {name}), **rest}
        return {k: inline(v, open_refs) for k, v in node.items() if k != "$defs"}

    return inline(schema, frozenset())


def _raw_body(message: StreamMessage[Any]) -> bytes:
    """FastStream's decoder for our subscribers: the record's bytes, for the generated models to read."""
    return bytes(message.body)


class KafkaSession(BrokerSession):
    """A connection to the Kafka cluster at ``url`` that publishes and receives the messages of ``channels``."""

    def __init__(
        self,
        url: str,
        channels: Sequence[ChannelSpec],
        side: Side,
        *,
        client_id: str | None = None,
        connect_timeout: float = 15.0,
        broker: KafkaBroker | None = None,
    ) -> None:
        self._url = url
        bootstrap = bootstrap_of(url)
        self._channels = {spec.address: spec for spec in channels}
        self._side = side
        self._connect_timeout = connect_timeout
        self.id = client_id or f"asyncapi-gen-{uuid.uuid4().hex[:12]}"
        super().__init__(self._channels)
        self._router = Router(channels, side)
        self._owners = ChannelOwners(
            [a for a, s in self._channels.items() if side.receives(s)]
        )
        self._owns_broker = broker is None
        # FastStream logs every message it handles at INFO; the runtime reports what goes wrong itself.
        self.broker = broker or KafkaBroker(
            bootstrap, client_id=self.id, security=_security_of(url), logger=None
        )
        self._connected = False
        self._declare()

    def _declare(self) -> None:
        """A subscriber per channel this side receives on, a publisher per channel it sends on."""
        other = Side.SERVER if self._side is Side.CLIENT else Side.CLIENT
        for address, spec in self._channels.items():
            if self._side.receives(spec):
                group = _one_value(self._side.received_binding(spec).get("groupId"))
                target = (
                    {"pattern": address}
                    if _PARAMETER.search(address)
                    else {"topic": address}
                )
                subscriber = self.broker.subscriber(
                    *([target["topic"]] if "topic" in target else []),
                    pattern=target.get("pattern"),
                    group_id=group,
                    decoder=_raw_body,
                    title=address,
                )
                subscriber(self._consumer(address, spec))
            if self._side.sends(spec):
                self.broker.publisher(
                    address,
                    schema=_documented(other.inbound(spec)),
                    title=address,
                )

    def _consumer(self, address: str, spec: ChannelSpec) -> Any:
        """The subscriber's function: typed (for FastStream's documentation) as what the generated models accept."""

        async def consume(body: Any, message: KafkaMessage) -> None:
            await self._on_record(address, spec, message)

        consume.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [
                inspect.Parameter(
                    "body",
                    inspect.Parameter.POSITIONAL_OR_KEYWORD,
                    annotation=_documented(self._side.inbound(spec)),
                ),
                inspect.Parameter(
                    "message",
                    inspect.Parameter.KEYWORD_ONLY,
                    annotation=Annotated[KafkaMessage, Context("message")],
                ),
            ],
            return_annotation=None,
        )
        consume.__annotations__ = {}
        return consume

    # -- connecting ------------------------------------------------------------------------
    async def connect(self) -> None:
        """Connect to the cluster (start the broker, unless it is shared and started already)."""
        try:
            async with asyncio.timeout(self._connect_timeout):
                if not self.broker.running:
                    await self.broker.start()
        except (OSError, KafkaError, TimeoutError) as error:
            self._end(CloseReason.ERROR)
            await self._disconnect()
            raise ConnectError(
                f"cannot connect to the Kafka cluster {without_password(self._url)}: {error!r}"
            ) from error
        self._connected = True

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
        key: str | bytes | None = None,
    ) -> None:
        """Publish ``message`` (JSON) to topic ``address``, with ``headers`` as record headers, the correlation id
        and the reply address as FastStream's ``correlation_id`` and ``reply_to`` headers, and ``key`` as the
        record key."""
        values = header_texts(headers)
        await self._publish(
            address, encode_json(message), values, correlation_id, reply_to, key
        )

    def reply_address(self, channel: str) -> str:
        """A topic of ``channel`` this connection receives on: its parameters filled with the client id."""
        return _PARAMETER.sub(self.id, channel)

    async def send(self, address: str, message: BaseModel) -> None:
        """Publish ``message`` to topic ``address`` (a channel without parameters)."""
        await self.publish(address, address, message)

    async def send_raw(self, address: str, data: str | bytes) -> None:
        """Publish ``data`` unchecked to topic ``address``."""
        await self._publish(
            address,
            data.encode() if isinstance(data, str) else data,
            {},
            None,
            None,
            None,
        )

    async def _publish(
        self,
        topic: str,
        data: bytes,
        headers: dict[str, str],
        correlation_id: str | None,
        reply_to: str | None,
        key: str | bytes | None,
    ) -> None:
        if not self._connected or self.closed:
            raise SessionClosed("the Kafka session is not connected")
        try:
            await self.broker.publish(
                data,
                topic,
                key=key.encode() if isinstance(key, str) else key,
                headers=headers or None,
                correlation_id=correlation_id,
                reply_to=reply_to or "",
            )
        except (KafkaError, OSError) as error:
            raise SessionClosed(f"publishing to {topic!r} failed: {error!r}") from error

    # -- receiving -------------------------------------------------------------------------
    async def _on_record(
        self, address: str, spec: ChannelSpec, message: KafkaMessage
    ) -> None:
        if self.closed:
            return
        topic = str(
            getattr(message.raw_message, "topic", "")
        )  # one record: not a batch subscriber
        owner = self._owners.owner(topic)
        if owner is None or owner[0] != address:
            return
        self._receive(address, spec, topic, owner[1], message)
        room = self._delivery.room
        if (
            not room.is_set()
        ):  # bounded: the consumer stops fetching while the handler is behind
            await self._until_room(room)

    async def _until_room(self, room: asyncio.Event) -> None:
        waits = {
            asyncio.ensure_future(room.wait()),
            asyncio.ensure_future(self._ended.wait()),
        }
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

    def _receive(
        self,
        address: str,
        spec: ChannelSpec,
        topic: str,
        parameters: Mapping[str, str],
        message: KafkaMessage,
    ) -> None:
        raw = bytes(message.body)
        try:
            _, payload = self._router.route(address, raw)
        except WireError as error:
            self._delivery.deliver_error(error)
            return
        carried = dict(message.headers)
        correlation = carried.get(CORRELATION_HEADER) or None
        reply_to = carried.get(REPLY_TO_HEADER) or None
        headers = validated_headers(
            self._side.inbound_headers(spec),
            {k: _text(v) for k, v in carried.items() if k not in _ENVELOPE_HEADERS},
            address,
            raw,
        )
        if isinstance(headers, SessionError):
            self._delivery.deliver_error(headers)
            return
        self._delivery.deliver(
            address,
            Received(
                payload,
                topic,
                parameters,
                headers,
                correlation,
                reply_to,
                _key_of(message),
            ),
        )

    # -- ending ----------------------------------------------------------------------------
    async def close(self) -> None:
        """Disconnect from the cluster (a shared broker is left running); idempotent."""
        self._end(CloseReason.LOCAL)
        self._connected = False
        await self._disconnect()
        if not self._delivery.in_callback:
            await self._delivery.finish(1.0)

    async def _disconnect(self) -> None:
        if self._owns_broker and self.broker.running:
            with contextlib.suppress(KafkaError, OSError, TimeoutError):
                await asyncio.wait_for(self.broker.stop(), 5.0)


def _key_of(message: KafkaMessage) -> str | None:
    """The record's key as text (a key that is not UTF-8 keeps its bytes as replacement characters); None for
    none, and for an empty one, which is how FastStream's test broker writes a record published without a key."""
    key = getattr(message.raw_message, "key", None)
    if isinstance(key, bytes):
        return key.decode(errors="replace") or None
    return key or None


def _text(value: Any) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
