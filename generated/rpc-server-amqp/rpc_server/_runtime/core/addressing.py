# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""Messages that carry their own address and headers: what a broker client adds to a session.

On a socket or a data channel, the channel is the connection, and a message is its payload alone.
A broker's messages each name where they go (a topic, a subject, a routing key), filled in from
the channel's parameters, and may carry headers. A transport that can say both implements
``Addressed``: generated code then sends with ``publish`` and receives ``Received`` envelopes,
and gives the parameters and headers to the user as typed arguments.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import unquote

from pydantic import BaseModel, TypeAdapter, ValidationError

from .compiled import python_validator
from .contracts import ClientTransport, ServerSession
from .errors import RAW_EXCERPT_BYTES, SchemaViolation

__all__ = [
    "Addressed",
    "AddressedClientTransport",
    "AddressedServerSession",
    "ChannelOwners",
    "Received",
    "ReceivedCallback",
    "header_texts",
    "header_value",
    "new_correlation_id",
    "parameters_of",
    "validated_headers",
]

MessageT_co = TypeVar("MessageT_co", covariant=True)
HeadersT_co = TypeVar("HeadersT_co", covariant=True)


@dataclass(frozen=True, slots=True)
class Received(Generic[MessageT_co, HeadersT_co]):
    """A validated message with what it travelled with."""

    message: MessageT_co
    address: str
    """Where it arrived: the channel's address with its parameters filled in."""
    parameters: Mapping[str, str]
    """The channel parameters' values, by the names the document gives them."""
    headers: HeadersT_co
    """The validated headers; None when the message carried none."""
    correlation_id: str | None = None
    """The correlation id it carried (AMQP ``correlation_id``, MQTT 5 correlation data), if any."""
    reply_to: str | None = None
    """Where the sender wants the answer (AMQP ``reply_to``, MQTT 5 response topic), if anywhere."""
    key: str | None = None
    """The key it carried besides its address (Kafka's record key, as UTF-8 text), if any."""


ReceivedCallback = Callable[[Received[Any, Any]], Awaitable[None]]


class Addressed(Protocol):
    """Sending to, and receiving from, addresses made from a channel and its parameters."""

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
        """Send ``message`` on ``channel`` (its address as written) to ``address`` (filled in), with the
        correlation id and the address the answer should go to, when given, and ``key`` where the protocol's
        messages carry one besides their address (Kafka's record key; the other transports carry none and leave
        it out)."""
        ...

    def reply_address(self, channel: str) -> str:
        """An address of ``channel`` that this side receives on, to name as a request's ``reply_to``.

        For a channel that is all parameters (AMQP's ``{queue}``), the broker-named queue of this connection.
        """
        ...

    def on_received(self, channel: str, callback: ReceivedCallback) -> None:
        """Call ``callback`` with every message received on ``channel``, with its envelope.

        Every message reaches these callbacks and the ``on_message`` ones alike.
        """
        ...

    def received(self, channel: str) -> AsyncIterator[Received[Any, Any]]:
        """Every message received on ``channel`` from now on, with its envelope."""
        ...


class AddressedClientTransport(ClientTransport, Addressed, Protocol):
    """A client transport whose messages carry their own address and headers."""


class AddressedServerSession(ServerSession, Addressed, Protocol):
    """A server session whose messages carry their own address and headers."""


def new_correlation_id() -> str:
    """A fresh correlation id for a request: 32 random hex digits."""
    return uuid.uuid4().hex


def parameters_of(channel: str, address: str) -> dict[str, str] | None:
    """The parameter values that make ``channel`` (``a/{id}/b``) into ``address`` (``a/7/b``).

    None when ``address`` is not an address of ``channel``. Values are URL-unquoted, the reverse
    of how generated code fills them in.
    """
    pattern, names = _pattern(channel)
    found = pattern.fullmatch(address)
    if found is None:
        return None
    return {
        name: unquote(value) for name, value in zip(names, found.groups(), strict=True)
    }


#: What a header value that may be JSON starts with (any other is a plain string: no parse attempted).
_JSON_START = frozenset('{["-0123456789tfn')


def header_value(text: str) -> Any:
    """A received header's value: its JSON value when it is JSON (numbers, booleans, objects, sent as JSON
    text by the other side), else the string itself."""
    if text[:1] in _JSON_START:
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def header_texts(headers: BaseModel | None) -> dict[str, str]:
    """Headers as a broker carries them: by wire name, a string as it is and any other value as JSON text
    (``header_value`` reads them back); absent values are left out."""
    if headers is None:
        return {}
    return {
        name: value if isinstance(value, str) else json.dumps(value)
        for name, value in headers.model_dump(
            mode="json", by_alias=True, exclude_none=True
        ).items()
    }


def validated_headers(
    adapter: TypeAdapter[Any] | None,
    carried: Mapping[str, str],
    address: str,
    raw: bytes,
) -> Any:
    """The received headers ``carried`` validated by ``adapter`` (None when the channel has none), or the
    ``SchemaViolation`` of the message they came with."""
    if adapter is None:
        return None
    values = {name: header_value(value) for name, value in carried.items()}
    try:
        return python_validator(adapter).validate_python(values)
    except ValidationError as failure:
        return SchemaViolation(address, raw[:RAW_EXCERPT_BYTES], f"headers: {failure}")


class ChannelOwners:
    """Which of a session's channels a received address belongs to, with its parameters.

    The first channel (in order) whose address it is takes it, so that overlapping subscriptions (``a.*`` and
    ``a.b``, or a pattern and a plain name) deliver a message once. Answers are remembered per address, since a
    subscriber sees the same few addresses again and again; at most ``remembered`` of them, so that addresses
    made of ever-new parameter values cannot grow it without bound.
    """

    def __init__(self, channels: Sequence[str], remembered: int = 4096) -> None:
        self._channels = tuple(channels)
        self._remembered = remembered
        self._known: dict[str, tuple[str, Mapping[str, str]] | None] = {}

    def owner(self, address: str) -> tuple[str, Mapping[str, str]] | None:
        """The channel ``address`` belongs to and its parameter values (read-only, shared), or None."""
        try:
            return self._known[address]
        except KeyError:
            pass
        found: tuple[str, Mapping[str, str]] | None = None
        for channel in self._channels:
            parameters = parameters_of(channel, address)
            if parameters is not None:
                found = (channel, MappingProxyType(parameters))
                break
        if len(self._known) >= self._remembered:
            self._known.clear()
        self._known[address] = found
        return found


@functools.cache
def _pattern(channel: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    parts = re.split(r"\{([^{}]+)\}", channel)
    names = tuple(parts[1::2])
    regex = "".join(
        re.escape(part) if index % 2 == 0 else "([^/]+)"
        for index, part in enumerate(parts)
    )
    return re.compile(regex), names
