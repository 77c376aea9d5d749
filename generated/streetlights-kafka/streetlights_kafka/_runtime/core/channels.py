# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""What the runtime knows about a channel: its address, kind, codec, who sends, how to validate."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

__all__ = [
    "ChannelKind",
    "ChannelSpec",
    "Side",
    "frame_limit",
    "index_channels",
    "message_limit",
]


class ChannelKind(enum.Enum):
    """What a channel carries: JSON messages, an audio track or a video track."""

    DATA = "data"
    AUDIO = "audio"
    VIDEO = "video"


@dataclass(frozen=True)
class ChannelSpec:
    """One channel of the API, as generated code describes it to the runtime."""

    address: str
    """The channel address, e.g. ``/session/data``; also the data channel's label."""
    kind: ChannelKind
    codec: str | None
    """Media only: the content type's subtype, lowercase (``opus``, ``vp8``)."""
    client_sends: bool
    server_sends: bool
    client_inbound: TypeAdapter[Any] | None = None
    """Validates what the client receives on this data channel (the union the server sends)."""
    server_inbound: TypeAdapter[Any] | None = None
    """Validates what the server receives on this data channel."""
    max_message_bytes: int = 262_144
    client_headers: TypeAdapter[Any] | None = None
    """Validates the headers of what the client receives here, on transports that carry headers."""
    server_headers: TypeAdapter[Any] | None = None
    """Validates the headers of what the server receives here, on transports that carry headers."""
    binding: Mapping[str, Any] = field(default_factory=dict)
    """The document's binding of this channel for the transport's protocol (AMQP: ``is``, ``exchange``, ``queue``)."""
    client_binding: Mapping[str, Any] = field(default_factory=dict)
    """The bindings of the operations the client sends here, merged (MQTT: ``qos``, ``retain``; AMQP: ``ack``)."""
    server_binding: Mapping[str, Any] = field(default_factory=dict)
    """The bindings of the operations the server sends here, merged."""


class Side(enum.Enum):
    """Which end of a session a piece of code runs on."""

    CLIENT = "client"
    SERVER = "server"

    def sends(self, spec: ChannelSpec) -> bool:
        """Whether this side sends on ``spec``."""
        return spec.client_sends if self is Side.CLIENT else spec.server_sends

    def receives(self, spec: ChannelSpec) -> bool:
        """Whether the other side sends on ``spec``."""
        return spec.server_sends if self is Side.CLIENT else spec.client_sends

    def inbound(self, spec: ChannelSpec) -> TypeAdapter[Any] | None:
        """The adapter that validates what this side receives on ``spec``."""
        return spec.client_inbound if self is Side.CLIENT else spec.server_inbound

    def sent_binding(self, spec: ChannelSpec) -> Mapping[str, Any]:
        """The bindings of the operations this side sends on ``spec``."""
        return spec.client_binding if self is Side.CLIENT else spec.server_binding

    def received_binding(self, spec: ChannelSpec) -> Mapping[str, Any]:
        """The bindings of the operations the other side sends on ``spec`` (what this side receives)."""
        return spec.server_binding if self is Side.CLIENT else spec.client_binding

    def inbound_headers(self, spec: ChannelSpec) -> TypeAdapter[Any] | None:
        """The adapter that validates the headers of what this side receives on ``spec``."""
        return spec.client_headers if self is Side.CLIENT else spec.server_headers


def index_channels(channels: Sequence[ChannelSpec]) -> dict[str, ChannelSpec]:
    """Channels by address; refuses duplicates and media channels without a codec."""
    indexed: dict[str, ChannelSpec] = {}
    for spec in channels:
        if spec.address in indexed:
            raise ValueError(f"duplicate channel address {spec.address!r}")
        if spec.kind is not ChannelKind.DATA and not spec.codec:
            raise ValueError(f"media channel {spec.address!r} needs a codec")
        indexed[spec.address] = spec
    return indexed


def message_limit(channels: Iterable[ChannelSpec]) -> int:
    """The largest message any data channel accepts: what a transport advertises to its peer as its limit."""
    return max(
        (spec.max_message_bytes for spec in channels if spec.kind is ChannelKind.DATA),
        default=0,
    )


def frame_limit(channels: Iterable[ChannelSpec]) -> int:
    """Where a transport cuts a peer off: twice the largest message, and at least 64 KiB.

    A message up to a channel's own ``max_message_bytes`` is delivered; one above it and up to
    this limit is read and handed to the receiver as a typed ``MessageTooLarge``; one above this
    is not read whole: the transport ends the connection as soon as it sees the size (a socket's
    frame size limit, a media link's reassembly guard), before it costs memory or CPU.
    """
    return max(64 << 10, 2 * message_limit(channels))
