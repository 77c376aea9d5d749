# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""Pure message codec: typed model -> JSON text, and received bytes -> (channel, typed model).

No sockets here, so every rule about bad wire input is testable on its own. ``Router`` is the one
place that decides which channel's validator a received message meets, for every transport: by
the address the transport names (a channel of its own per address), or, when the transport names
none (a plain WebSocket shares one socket for every channel), by trying the channels in order.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from .channels import ChannelKind, ChannelSpec, Side
from .compiled import json_validator, serializer_of
from .errors import (
    RAW_EXCERPT_BYTES,
    InvalidJson,
    MessageTooLarge,
    SchemaViolation,
    UnknownMessage,
    WireError,
)

__all__ = [
    "ANY_JSON",
    "Router",
    "as_bytes",
    "check_size",
    "classify",
    "decode_first",
    "decode_message",
    "decoder",
    "encode_json",
    "encode_message",
    "too_large",
    "validate_wire",
]


def validate_wire(adapter: TypeAdapter[Any], raw: str | bytes) -> Any:
    """Validate received JSON as the wire demands: strictly (no string for a number, no number
    for a date), and by wire name only (a Python field name is an unknown property there, as JSON
    Schema sees it)."""
    return json_validator(adapter).validate_json(
        raw, strict=True, by_alias=True, by_name=False
    )


#: What validates a data channel received without an adapter: any JSON.
ANY_JSON: TypeAdapter[Any] = TypeAdapter(Any)

#: A single-model channel's field with one of these names and an enum of strings is treated as its
#: discriminator even without a ``const`` (e.g. a control message whose ``type`` is mute/unmute/...).
_TAG_FIELD_NAMES = frozenset({"type"})
_TAG_FIELDS: weakref.WeakKeyDictionary[TypeAdapter[Any], frozenset[str]] = (
    weakref.WeakKeyDictionary()
)


def decode_message(
    spec: ChannelSpec, adapter: TypeAdapter[Any], raw: str | bytes
) -> Any:
    """Validate one data-channel message against ``adapter``.

    Checks run cheapest first: size, then JSON syntax, then the schema. Raises ``MessageTooLarge``,
    ``InvalidJson``, ``UnknownMessage`` (no message of this channel has that tag) or
    ``SchemaViolation``.
    """
    return decoder(spec, adapter)(raw)


def decoder(
    spec: ChannelSpec, adapter: TypeAdapter[Any]
) -> Callable[[str | bytes], Any]:
    """``decode_message`` for one channel, with its lookups done once: what a receiver calls per message."""
    validator = json_validator(
        adapter
    )  # minus TypeAdapter's wrapper, wire rules compiled in
    limit, address = spec.max_message_bytes, spec.address

    def decode(raw: str | bytes) -> Any:
        # Most messages are far below the limit: a str has at most 4 UTF-8 bytes a character.
        if len(raw) << 2 > limit:
            check_size(spec, raw)
        try:
            # As received, parsed once in pydantic-core, by validate_wire's rules.
            return validator.validate_json(
                raw, strict=True, by_alias=True, by_name=False
            )
        except ValidationError as exc:
            raise classify(address, adapter, raw, exc) from None

    return decode


def decode_first(
    candidates: Sequence[tuple[ChannelSpec, TypeAdapter[Any]]], raw: str | bytes
) -> tuple[str, Any]:
    """Route one message to the first candidate channel whose adapter accepts it: (address, message).

    For transports where every channel shares one connection. Channels whose limit ``raw`` exceeds
    are skipped; when none is left, ``MessageTooLarge``. When none accepts it, the most specific
    error: ``InvalidJson`` (the first parse fails), ``UnknownMessage`` when every candidate says so,
    else the first candidate's ``SchemaViolation``.
    """
    if not candidates:
        raise ValueError("no channel to route to")
    fitting = [
        (spec, adapter) for spec, adapter in candidates if not _exceeds(spec, raw)
    ]
    if not fitting:
        check_size(candidates[0][0], raw)
    failures: list[WireError] = []
    for spec, adapter in fitting:
        try:
            return spec.address, validate_wire(adapter, raw)
        except ValidationError as exc:
            error = classify(spec.address, adapter, raw, exc)
        if isinstance(error, InvalidJson):
            raise error  # bad JSON is bad for every channel
        failures.append(error)
    violation = next(
        (error for error in failures if isinstance(error, SchemaViolation)), None
    )
    raise violation or failures[0]


Routed = tuple[str, Any]
"""A received message that passed validation: (channel address, typed message)."""


class Router:
    """Where what one side receives goes: ``route(address, raw)`` -> (address, message).

    ``address`` is the channel the transport received ``raw`` on, or None when the transport
    does not say. With an address, that channel's validator decides (a channel the peer does not
    send on, or no channel at all, is an ``UnknownMessage``). Without one, ``raw`` goes to the
    first channel, in channel order, whose validator accepts it; channels received without an
    adapter (any JSON) are tried last (see ``decode_first`` for which error wins otherwise).
    Every refusal is raised as a ``WireError``.
    """

    def __init__(self, channels: Iterable[ChannelSpec], side: Side) -> None:
        data = [spec for spec in channels if spec.kind is ChannelKind.DATA]
        received = [spec for spec in data if side.receives(spec)]
        #: Typed channels first, any-JSON ones last (a stable sort keeps channel order).
        self._candidates = [
            (spec, side.inbound(spec) or ANY_JSON)
            for spec in sorted(received, key=lambda spec: side.inbound(spec) is None)
        ]
        self._decoders: dict[str, Callable[[str | bytes], Any]] = {
            spec.address: decoder(spec, adapter) for spec, adapter in self._candidates
        }
        self._refusals = {
            spec.address: "the peer does not send on " + spec.address
            for spec in data
            if not side.receives(spec)
        }
        self._receives_nothing = f"the {side.value} receives on no channel"
        self._first = data[0].address if data else ""
        #: With one candidate, routing without an address is that channel's decoder.
        self._only = (
            (received[0].address, self._decoders[received[0].address])
            if len(received) == 1
            else None
        )

    def route(self, address: str | None, raw: str | bytes) -> Routed:
        """Validate ``raw``, received on ``address`` (None: on no particular channel)."""
        if address is None:
            return self._route_any(raw)
        return address, self.decoder_for(address)(raw)

    def decoder_for(self, address: str) -> Callable[[str | bytes], Any]:
        """What validates a message received on ``address``: ``route(address, raw)``'s message, with the
        lookup done once (for a transport with a connection of its own per channel)."""
        decode = self._decoders.get(address)
        if decode is None:
            detail = self._refusals.get(address, f"no data channel {address!r}")

            def refuse(raw: str | bytes) -> Any:
                raise UnknownMessage(address, as_bytes(raw), detail)

            return refuse
        return decode

    def _route_any(self, raw: str | bytes) -> Routed:
        if self._only is not None:
            address, decode = self._only
            return address, decode(raw)
        if not self._candidates:
            raise UnknownMessage(self._first, as_bytes(raw), self._receives_nothing)
        return decode_first(self._candidates, raw)


def encode_message(message: BaseModel) -> str:
    """The JSON text of ``message`` as it goes on the wire: field aliases, no null fields."""
    return encode_json(message).decode()


def encode_json(message: BaseModel) -> bytes:
    """``encode_message`` as UTF-8 bytes (``model_dump_json`` without its Python wrapper, nor the
    serializer that leaves out refused nulls: ``exclude_none`` leaves out every null)."""
    return serializer_of(type(message)).to_json(
        message, by_alias=True, exclude_none=True
    )


def check_size(spec: ChannelSpec, raw: str | bytes) -> None:
    """Raise ``MessageTooLarge`` when ``raw`` has more UTF-8 bytes than ``spec`` allows."""
    if _exceeds(spec, raw):
        size = (
            len(raw)
            if isinstance(raw, bytes) or raw.isascii()
            else len(raw.encode("utf-8", "surrogatepass"))
        )
        raise MessageTooLarge(
            spec.address, as_bytes(raw[: RAW_EXCERPT_BYTES * 4]), too_large(spec, size)
        )


def too_large(spec: ChannelSpec, size: int) -> str:
    """The detail of a ``MessageTooLarge``."""
    return f"message of at least {size} bytes exceeds the limit of {spec.max_message_bytes} bytes"


def as_bytes(raw: str | bytes) -> bytes:
    """``raw`` as UTF-8 bytes (lone surrogates kept, so nothing that arrived is lost)."""
    return raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw


def _exceeds(spec: ChannelSpec, raw: str | bytes) -> bool:
    limit, length = spec.max_message_bytes, len(raw)
    if isinstance(raw, bytes) or length > limit or length << 2 <= limit:
        # bytes are counted as they are; a str has at least one and at most four UTF-8 bytes a character
        return length > limit
    return (
        length if raw.isascii() else len(raw.encode("utf-8", "surrogatepass"))
    ) > limit


def classify(
    channel: str, adapter: TypeAdapter[Any], raw: str | bytes, exc: ValidationError
) -> WireError:
    """The typed wire error for ``adapter``'s verdict ``exc`` on ``raw``."""
    errors = exc.errors(include_url=False, include_input=False)
    types = {error["type"] for error in errors}
    data = as_bytes(raw)
    if (
        "json_invalid" in types
        or "json_type" in types
        or "string_unicode" in types
        and not errors[0]["loc"]
    ):
        return InvalidJson(channel, data, errors[0]["msg"])
    listed = [dict(error) for error in errors]
    if "union_tag_invalid" in types:
        tag_error = next(
            error for error in errors if error["type"] == "union_tag_invalid"
        )
        return UnknownMessage(channel, data, tag_error["msg"], listed)
    tag_fields = _tag_fields(adapter)
    for error in errors:
        location = error["loc"]
        if (
            error["type"] in ("literal_error", "enum")
            and len(location) == 1
            and location[0] in tag_fields
        ):
            return UnknownMessage(
                channel, data, f"unknown {location[0]}: {error['msg']}", listed
            )
    return SchemaViolation(
        channel,
        data,
        f"{exc.error_count()} validation error(s): {errors[0]['msg']}",
        listed,
    )


def _tag_fields(adapter: TypeAdapter[Any]) -> frozenset[str]:
    """Top-level fields of a single-model channel that name the message kind (a ``const``, or ``type``).

    Only reached on the error path, so building the JSON schema here costs nothing on good traffic;
    remembered per adapter, so a flood of bad messages does not rebuild it each time.
    """
    known = _TAG_FIELDS.get(adapter)
    if known is None:
        known = _TAG_FIELDS[adapter] = _find_tag_fields(adapter)
    return known


def _find_tag_fields(adapter: TypeAdapter[Any]) -> frozenset[str]:
    try:
        schema = adapter.json_schema()
    except Exception:  # noqa: BLE001 - a schema pydantic cannot render simply has no known tag
        return frozenset()
    definitions = schema.get("$defs", {})
    properties = _resolve(schema, definitions).get("properties", {})
    tags: set[str] = set()
    for name, prop in properties.items():
        resolved = _resolve(prop, definitions)
        if "const" in resolved or (name in _TAG_FIELD_NAMES and "enum" in resolved):
            tags.add(name)
    return frozenset(tags)


def _resolve(schema: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    """Follow one local ``#/$defs/...`` reference, as pydantic writes them."""
    if not isinstance(schema, dict):
        return {}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = definitions.get(ref.removeprefix("#/$defs/"), {})
        return target if isinstance(target, dict) else {}
    return schema
