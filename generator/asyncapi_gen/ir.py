"""The intermediate representation: one typed model of an API for every AsyncAPI version; templates see only this."""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any


class Role(enum.Enum):
    """A side of the conversation: the client (counterpart) or the server (the application the spec describes)."""

    CLIENT = "client"
    SERVER = "server"

    @property
    def other(self) -> Role:
        """The side that receives what this side sends."""
        return Role.SERVER if self is Role.CLIENT else Role.CLIENT


class Transport(enum.Enum):
    """How the generated client and server talk (DESIGN.md §3)."""

    WEBRTC = "webrtc"  # media channels present: aiortc, with WebSocket signaling
    WEBSOCKET = "websocket"  # ws/wss servers without media: JSON text frames on one socket
    MQTT = "mqtt"  # mqtt/mqtts servers: both sides connect to the broker (aiomqtt)
    AMQP = "amqp"  # amqp/amqps servers (RabbitMQ): both sides connect to the broker (aio-pika)
    NATS = "nats"  # nats/tls servers: both sides connect to the NATS server (nats-py)
    REDIS = "redis"  # redis/rediss servers: both sides connect to Redis pub/sub (redis-py), no headers
    KAFKA = "kafka"  # kafka/kafka-secure servers: both sides connect to the cluster (FastStream on aiokafka)
    NONE = "none"  # another protocol (jms, pulsar, sns, ...): the user plugs in a transport


class MessageKind(enum.Enum):
    """How a message travels: JSON-like data, or a media track."""

    DATA = "data"
    AUDIO = "audio"
    VIDEO = "video"


@dataclass(frozen=True)
class ServerVariable:
    """A `{name}` placeholder in a server URL."""

    name: str
    default: str | None
    enum: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Server:
    """Where the described application listens."""

    name: str
    url: str
    protocol: str
    description: str
    variables: tuple[ServerVariable, ...]


@dataclass(frozen=True)
class Message:
    """One message type. `payload_model` names a class in models.py; media messages have none (they are tracks)."""

    key: str
    name: str
    title: str
    summary: str
    description: str
    content_type: str
    kind: MessageKind
    payload_model: str | None
    examples: tuple[Any, ...]
    headers_model: str | None = None  # a model of the message's `headers` schema, when it has one
    correlation_id: str = ""  # the runtime expression locating the correlation id (`$message.header#/id`)
    payload_classes: tuple[str, ...] = ()  # the classes a payload may be: the model, or a union's members

    @property
    def codec(self) -> str | None:
        """The codec of a media message: the content type's subtype (`audio/opus` -> `opus`)."""
        if self.kind is MessageKind.DATA:
            return None
        return self.content_type.split("/", 1)[1].split(";", 1)[0].strip().lower()


@dataclass(frozen=True)
class Union:
    """A named union of payload models, discriminated when every member fixes one property to its own constant."""

    name: str
    members: tuple[str, ...]
    discriminator: str | None
    description: str
    replaces_definition: bool = False  # True when it stands for a schema that is only a oneOf of the members


@dataclass(frozen=True)
class Payload:
    """What a data operation carries: one model class, a union alias of several, or any JSON value."""

    name: str | None  # a class or union alias of models.py; None: any JSON value (no schema to type it)
    classes: tuple[str, ...]  # the model classes a message may be, for dispatch; empty when untyped

    @property
    def typed(self) -> bool:
        """True when a model (or union of models) describes the payload."""
        return self.name is not None


@dataclass(frozen=True)
class Route:
    """Where one operation's messages go on the receiving side: the handler hook and what it is given."""

    hook: str  # `on_<subject>`, a method of the receiving side's handler
    payload: Payload
    headers: tuple[str, ...] = ()  # the header models of its messages (the hook is given headers when any)
    correlated: bool = False  # its messages carry a correlation id (the hook is given it)
    request: bool = False  # the other side answers it (the hook is given where to: `reply_to`)
    keyed: bool = False  # its messages carry a key of their own (Kafka's record key): the hook is given it


@dataclass(frozen=True)
class ChannelParameter:
    """A `{name}` in a channel address, typed from its schema (or its 3.0 `enum`)."""

    name: str
    py_name: str
    description: str
    json_type: str  # the schema's type: string, integer, number or boolean (string when it says none)
    choices: tuple[str | int, ...] = ()  # the values it may take, when its schema has an enum of them


@dataclass(frozen=True)
class ChannelBindings:
    """What a document's bindings for the transport's protocol say of one channel, each as sorted JSON text.

    `channel` is the channel's own binding (AMQP's exchange and queue, ...); `client` and `server` merge the
    bindings of the operations each side sends on it (MQTT's qos and retain, AMQP's ack, NATS's queue, ...).
    """

    channel: str = "{}"
    client: str = "{}"
    server: str = "{}"

    def sent_by(self, role: Role) -> str:
        """The merged bindings of the operations role sends here."""
        return self.client if role is Role.CLIENT else self.server


@dataclass(frozen=True)
class Channel:
    """A named path that messages travel on, with what each side receives on it."""

    name: str
    address: str
    py_name: str
    description: str
    kind: MessageKind
    codec: str | None  # media channels only: `opus`, `vp8`
    client_sends: bool
    server_sends: bool
    client_routes: tuple[Route, ...] = ()  # the server's data operations here, as the client's handler gets them
    server_routes: tuple[Route, ...] = ()  # the client's data operations here, as the server's handler gets them
    parameters: tuple[ChannelParameter, ...] = ()
    bindings: ChannelBindings = ChannelBindings()

    @property
    def media(self) -> bool:
        """True for an audio or video channel (tracks, not messages)."""
        return self.kind is not MessageKind.DATA

    @property
    def constant(self) -> str:
        """The module-level constant naming this channel's spec in channels.py."""
        return self.py_name.upper()

    @property
    def address_function(self) -> str:
        """The function of channels.py that fills the address's parameters in."""
        return f"{self.py_name}_address"

    def routes_to(self, role: Role) -> tuple[Route, ...]:
        """What role's handler receives on this channel, one route per operation."""
        return self.client_routes if role is Role.CLIENT else self.server_routes

    def inbound_headers(self, role: Role) -> tuple[str, ...]:
        """The header models of what role may receive here."""
        return tuple(dict.fromkeys(name for route in self.routes_to(role) for name in route.headers))

    def inbound(self, role: Role) -> tuple[Payload, ...]:
        """The distinct payloads role may receive here (one untyped payload makes the whole channel untyped)."""
        payloads = tuple(dict.fromkeys(route.payload for route in self.routes_to(role)))
        untyped = next((p for p in payloads if not p.typed), None)
        return (untyped,) if untyped is not None else payloads


@dataclass(frozen=True)
class Operation:
    """Something one side sends on a channel, with the names both sides give it."""

    id: str
    channel: Channel
    sender: Role
    messages: tuple[Message, ...]
    summary: str
    description: str
    payload: Payload | None  # None for media operations (tracks)
    subject: str  # the operation's name without its verb: `receiveSessionEvent` -> `session_event`
    topic: str  # what travels, as a noun phrase for sentences in any voice: "session control message"
    routed: bool = True  # False when an earlier operation on the channel takes all its messages: no hook then
    replied_by: str = ""  # a request: the subject of the receiving side's operation that answers it
    answers: str = ""  # a reply: the subject of the request it answers (sent to the request's `reply_to`)
    keyed: bool = False  # its messages carry a key of their own (Kafka's record key): the send method takes one

    @property
    def correlated(self) -> bool:
        """True when its messages carry a correlation id (a `correlationId` in the document)."""
        return any(m.correlation_id for m in self.messages)

    @property
    def send_method(self) -> str:
        """The sender's method: `send_<subject>` on the client, or on the server's session."""
        return "send_" + self.subject

    @property
    def receive_method(self) -> str:
        """The client's method for what the server sends: `receive_<subject>` (an iterator, or a track)."""
        return "receive_" + self.subject

    @property
    def hook(self) -> str:
        """The receiving handler's hook: `on_<subject>`."""
        return "on_" + self.subject

    @property
    def client_method(self) -> str:
        """The generated client's method: `send_<subject>` for what it sends, `receive_<subject>` otherwise.

        Named by role, not by operationId, which documents write from either side's point of view.
        """
        return self.send_method if self.sender is Role.CLIENT else self.receive_method

    @property
    def header_models(self) -> tuple[str, ...]:
        """The header models of the operation's messages (empty when none has headers)."""
        return tuple(dict.fromkeys(m.headers_model for m in self.messages if m.headers_model))

    @property
    def headers_optional(self) -> bool:
        """True when some message of the operation has no headers (so received headers may be None)."""
        return any(m.headers_model is None for m in self.messages)

    @property
    def kind(self) -> MessageKind:
        """The kind of every message of the operation (a channel carries one kind)."""
        return self.messages[0].kind if self.messages else MessageKind.DATA

    @property
    def media(self) -> bool:
        """True for an audio or video operation: it sends a track, not messages."""
        return self.kind is not MessageKind.DATA


@dataclass(frozen=True)
class ClassNames:
    """The names of the generated package's public classes.

    Fixed, not derived from the package or the title: the package already says which API it is
    (`from runway_characters import Client`), so `--package` or a new title never breaks user code.
    """

    client: str = "Client"
    client_handler: str = "ClientHandler"
    server: str = "Server"
    server_handler: str = "ServerHandler"
    server_session: str = "ServerSession"


@dataclass(frozen=True)
class TransportBinding:
    """How generated code reaches its transport: the template of its parts, the runtime it copies, its needs."""

    kind: Transport
    template: str  # the template whose macros render this transport's parts of client, server, mock, README
    runtime_packages: tuple[str, ...]  # subpackages of the runtime copied into `_runtime/`, `core` first
    dependencies: tuple[str, ...]  # the generated package's requirements (PEP 508)
    media: bool  # whether sessions carry audio/video tracks
    built_in: bool  # whether the runtime carries the protocol (else the user passes a transport of their own)
    addressed: bool = False  # whether each message names its own address and carries headers (brokers)
    headers: bool = True  # whether an addressed message carries headers (Redis pub/sub has none)
    keyed: bool = False  # whether a message carries a key of its own besides its address (Kafka's record key)
    web_page: tuple[str, ...] = ()  # templates of the browser client rendered into `<package>/web/` (`web/*.jinja`)


@dataclass(frozen=True)
class Api:
    """Everything the templates need to render one package."""

    title: str
    version: str
    description: str
    asyncapi_version: str
    spec_file: str
    spec_sha256: str
    package: str
    distribution: str
    servers: tuple[Server, ...]
    channels: tuple[Channel, ...]
    operations: tuple[Operation, ...]
    messages: tuple[Message, ...]
    unions: tuple[Union, ...]
    models_schema: dict[str, Any]
    model_names: tuple[str, ...]
    binding: TransportBinding
    protocol: str  # the servers' protocol as written (wss, mqtt, ...); "" when the document has no servers
    session_endpoint: str = "/sessions"  # the HTTP path that hands out a session URL and token
    names: ClassNames = ClassNames()

    @property
    def transport(self) -> Transport:
        """How the generated client and server talk."""
        return self.binding.kind

    def operations_sent_by(self, role: Role) -> tuple[Operation, ...]:
        """The operations that role sends."""
        return tuple(op for op in self.operations if op.sender is role)

    def operations_on(self, channel: Channel, role: Role) -> tuple[Operation, ...]:
        """The operations role sends on channel, in document order (indexed once: templates ask per channel)."""
        return self._operations_by_channel.get((channel.name, role), ())

    @functools.cached_property
    def _operations_by_channel(self) -> dict[tuple[str, Role], tuple[Operation, ...]]:
        found: dict[tuple[str, Role], list[Operation]] = {}
        for op in self.operations:
            found.setdefault((op.channel.name, op.sender), []).append(op)
        return {key: tuple(ops) for key, ops in found.items()}

    def data_operations_sent_by(self, role: Role) -> tuple[Operation, ...]:
        """The operations that role sends as messages (not tracks)."""
        return tuple(op for op in self.operations if op.sender is role and not op.media)

    def media_operations_sent_by(self, role: Role) -> tuple[Operation, ...]:
        """The audio and video operations that role sends."""
        return tuple(op for op in self.operations if op.sender is role and op.media)

    def enveloped(self, operation: Operation) -> bool:
        """True when the operation's messages travel with what the user must give or is given besides the
        payload: channel parameters, headers or a key, on a transport whose messages carry them."""
        return self.binding.addressed and bool(operation.channel.parameters or operation.header_models
                                               or operation.correlated or operation.replied_by or operation.keyed)

    def operation(self, sender: Role, subject: str) -> Operation:
        """The operation sender sends under subject (a request's `replied_by`, a reply's `answers`)."""
        return next(op for op in self.operations if op.sender is sender and op.subject == subject)

    def has_media(self) -> bool:
        """True when any message is audio or video: the API then needs WebRTC."""
        return any(m.kind is not MessageKind.DATA for m in self.messages)


def rename_payloads(api: Api, renamed: dict[str, str]) -> Api:
    """api with every payload (and union) name in renamed replaced, wherever the IR refers to it."""
    cache: dict[int, Any] = {}

    def walk(value: Any) -> Any:
        key = id(value)
        if key in cache:
            return cache[key]
        if isinstance(value, Payload):
            result: Any = replace(value, name=renamed.get(value.name, value.name) if value.name else None,
                                  classes=tuple(renamed.get(c, c) for c in value.classes))
        elif isinstance(value, Union):
            result = replace(value, name=renamed.get(value.name, value.name))
        elif isinstance(value, tuple):
            result = tuple(walk(item) for item in value)
        elif is_dataclass(value) and not isinstance(value, type):
            result = replace(value, **{f.name: walk(getattr(value, f.name)) for f in fields(value)})
        else:
            result = value
        cache[key] = result
        return result

    renamed_api: Api = walk(api)
    return renamed_api
