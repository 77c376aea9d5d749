"""Pure message codec: bytes off a data channel -> typed model, typed model -> JSON text.

No sockets here, so every rule about bad wire input is testable on its own.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from .channels import ChannelSpec
from .errors import InvalidJson, MessageTooLarge, SchemaViolation, UnknownMessage

__all__ = ["decode_message", "encode_message"]

#: A single-model channel's field with one of these names and an enum of strings is treated as its
#: discriminator even without a ``const`` (e.g. a control message whose ``type`` is mute/unmute/...).
_TAG_FIELD_NAMES = frozenset({"type"})


def decode_message(spec: ChannelSpec, adapter: TypeAdapter[Any], raw: str | bytes) -> Any:
    """Validate one data-channel message against ``adapter``.

    Checks run cheapest first: size, then JSON syntax, then the schema. Raises ``MessageTooLarge``,
    ``InvalidJson``, ``UnknownMessage`` (no message of this channel has that tag) or
    ``SchemaViolation``.
    """
    data = _bounded_bytes(spec, raw)
    try:
        return adapter.validate_json(data)
    except ValidationError as exc:
        raise _classify(spec.address, adapter, data, exc) from None


def encode_message(message: BaseModel) -> str:
    """The JSON text of ``message`` as it goes on the wire: field aliases, no null fields."""
    return message.model_dump_json(by_alias=True, exclude_none=True)


def _bounded_bytes(spec: ChannelSpec, raw: str | bytes) -> bytes:
    # A str has at least as many UTF-8 bytes as characters, so a long str is refused before encoding it.
    if isinstance(raw, str) and len(raw) > spec.max_message_bytes:
        raise MessageTooLarge(spec.address, raw[:1024].encode("utf-8", "replace"), _too_large(spec, len(raw)))
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if len(data) > spec.max_message_bytes:
        raise MessageTooLarge(spec.address, data, _too_large(spec, len(data)))
    return data


def _too_large(spec: ChannelSpec, size: int) -> str:
    return f"message of at least {size} bytes exceeds the limit of {spec.max_message_bytes} bytes"


def _classify(channel: str, adapter: TypeAdapter[Any], data: bytes, exc: ValidationError) -> Exception:
    errors = exc.errors(include_url=False, include_input=False)
    types = {error["type"] for error in errors}
    if "json_invalid" in types or "json_type" in types:
        return InvalidJson(channel, data, errors[0]["msg"])
    listed = [dict(error) for error in errors]
    if "union_tag_invalid" in types:
        tag_error = next(error for error in errors if error["type"] == "union_tag_invalid")
        return UnknownMessage(channel, data, tag_error["msg"], listed)
    tag_fields = _tag_fields(adapter)
    for error in errors:
        location = error["loc"]
        if error["type"] in ("literal_error", "enum") and len(location) == 1 and location[0] in tag_fields:
            return UnknownMessage(channel, data, f"unknown {location[0]}: {error['msg']}", listed)
    return SchemaViolation(channel, data, f"{exc.error_count()} validation error(s): {errors[0]['msg']}", listed)


def _tag_fields(adapter: TypeAdapter[Any]) -> frozenset[str]:
    """Top-level fields of a single-model channel that name the message kind (a ``const``, or ``type``).

    Only reached on the error path, so building the JSON schema here costs nothing on good traffic.
    """
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
