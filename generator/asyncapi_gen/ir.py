"""The intermediate representation: one typed model of an API for every AsyncAPI version; templates see only this."""

from __future__ import annotations

import enum
from dataclasses import dataclass
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
    NONE = "none"  # another protocol (mqtt, kafka, ...): the user plugs in a transport


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


@dataclass(frozen=True)
class Operation:
    """Something one side sends on a channel."""

    id: str
    py_name: str
    channel: str
    sender: Role
    messages: tuple[Message, ...]
    summary: str
    description: str
    payload_type: str | None  # the class or union alias a data operation carries ("Any" untyped); None for media
    subject: str  # the operation's name without its verb: `receiveSessionEvent` -> `session_event`
    payload_classes: tuple[str, ...]  # the model classes a data operation may carry (isinstance-able)

    @property
    def client_method(self) -> str:
        """The generated client's method: `send_<subject>` for what it sends, `receive_<subject>` otherwise.

        Named by role, not by operationId, which documents write from either side's point of view.
        """
        return ("send_" if self.sender is Role.CLIENT else "receive_") + self.subject

    @property
    def kind(self) -> MessageKind:
        """The kind of every message of the operation (a channel carries one kind)."""
        return self.messages[0].kind if self.messages else MessageKind.DATA


@dataclass(frozen=True)
class ChannelParameter:
    """A `{name}` in a channel address, typed from its schema (or its 3.0 `enum`)."""

    name: str
    py_name: str
    description: str
    py_type: str  # a Python type expression: str, int, float, bool, or Literal[...] of repr'd values


@dataclass(frozen=True)
class Channel:
    """A named path that messages travel on."""

    name: str
    address: str
    py_name: str
    description: str
    kind: MessageKind
    codec: str | None  # media channels only: `opus`, `vp8`
    client_sends: bool
    server_sends: bool
    client_receives: tuple[str, ...]  # payload types (model, union or "Any") the client may receive here
    server_receives: tuple[str, ...]
    parameters: tuple[ChannelParameter, ...] = ()

    @property
    def constant(self) -> str:
        """The module-level constant naming this channel's spec in channels.py."""
        return self.py_name.upper()


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
    transport: Transport
    protocol: str  # the servers' protocol as written (wss, mqtt, ...); "" when the document has no servers

    def operations_sent_by(self, role: Role) -> tuple[Operation, ...]:
        """The operations that role sends."""
        return tuple(op for op in self.operations if op.sender is role)

    def has_media(self) -> bool:
        """True when any message is audio or video: the API then needs WebRTC."""
        return any(m.kind is not MessageKind.DATA for m in self.messages)
