# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""The codec's validators and serializers: each model's core schema with ``WireModel``'s rules compiled in.

``WireModel`` says two wire rules in Python, around pydantic's own work: received JSON may not set a
refused-null property to null nor leave out a required constant (an after-validator), and a dump leaves
refused nulls out (a wrap serializer). Each is a call into Python per model per message. The codec knows
which way a message goes, so it can say the same rules in pydantic-core's own terms instead:

- for received JSON, a refused-null field's schema loses its ``nullable`` (a null is then a type error) and a
  required constant's loses its default (leaving it out is then ``missing``); the after-validator goes;
- for Python input (headers parsed from strings), the after-validator does nothing, and goes;
- for a dump with ``exclude_none``, as the codec's, the wrap serializer has nothing to remove, and goes.

A model's own ``model_validate_json`` and ``model_dump`` keep the Python rules. A schema of a shape this
module does not expect is left as it is (``compiled`` returns None and the codec uses the adapter's own),
so the worst a new pydantic can do here is cost the speed, never change a verdict.
"""

from __future__ import annotations

import weakref
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic_core import SchemaSerializer, SchemaValidator

from .wire import WireModel, wire_checked

__all__ = ["json_validator", "python_validator", "serializer_of"]

_JSON: weakref.WeakKeyDictionary[TypeAdapter[Any], SchemaValidator] = (
    weakref.WeakKeyDictionary()
)
_PYTHON: weakref.WeakKeyDictionary[TypeAdapter[Any], SchemaValidator] = (
    weakref.WeakKeyDictionary()
)
#: A plain dict, looked up once per message sent: a serializer holds its model class, so under a weak key
#: the entry would live as long anyway.
_SERIALIZERS: dict[type[BaseModel], SchemaSerializer] = {}
#: Keys whose values are not schemas: never walked, never changed.
_OPAQUE = frozenset(
    {"cls", "metadata", "function", "default", "config", "serialization"}
)
#: WireModel's validator and serializer, by the names they have in a core schema.
_REFUSE_NULLS = f"{WireModel.__qualname__}._refuse_wire_nulls"
_LEAVE_OUT_NULLS = f"{WireModel.__qualname__}._leave_out_wire_nulls"


class _Unexpected(Exception):
    """A schema this module does not know how to compile: the adapter's own validator is used."""


def json_validator(adapter: TypeAdapter[Any]) -> Any:
    """What validates received JSON for ``adapter``: the compiled validator, else the adapter's own."""
    return _cached(_JSON, adapter, for_json=True)


def python_validator(adapter: TypeAdapter[Any]) -> Any:
    """What validates Python values (received headers) for ``adapter``, with the same fallback."""
    return _cached(_PYTHON, adapter, for_json=False)


def serializer_of(model: type[BaseModel]) -> SchemaSerializer:
    """What dumps a ``model`` with ``exclude_none``: without the wrap serializers, else the model's own."""
    found = _SERIALIZERS.get(model)
    if found is None:
        if not model.__pydantic_complete__:
            model.model_rebuild()  # first met through an adapter, before its forward references resolved
        found = model.__pydantic_serializer__
        try:
            schema = _without_wire_serializers(model.__pydantic_core_schema__)
            found = SchemaSerializer(schema)
        except Exception:  # noqa: BLE001, S110 - an unexpected schema keeps the model's own serializer
            pass
        _SERIALIZERS[model] = found
    return found


def _cached(
    cache: weakref.WeakKeyDictionary[TypeAdapter[Any], SchemaValidator],
    adapter: TypeAdapter[Any],
    *,
    for_json: bool,
) -> Any:
    found = cache.get(adapter)
    if found is None:
        try:
            # Generated adapters wrap a model or a union of models and have no config of their own.
            found = SchemaValidator(_compiled(adapter.core_schema, for_json=for_json))
        except Exception:  # noqa: BLE001 - an unexpected schema keeps the adapter's own validator
            return adapter.validator
        cache[adapter] = found
    return found


def _compiled(schema: Any, *, for_json: bool) -> Any:
    """A copy of ``schema`` with every WireModel after-validator compiled away (see the module's doc)."""
    if isinstance(schema, list):
        return [_compiled(item, for_json=for_json) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if schema.get("type") == "function-after" and _is_refuse_nulls(schema):
        model = schema["schema"]
        if model.get("type") != "model" or not issubclass(model["cls"], WireModel):
            raise _Unexpected(schema.get("ref"))
        compiled = _compiled(model, for_json=for_json)
        if for_json:
            compiled = _with_wire_rules(compiled)
        if (
            "ref" in schema
        ):  # references to the model name the outer schema: it takes its place
            compiled["ref"] = schema["ref"]
        return compiled
    return {
        key: value if key in _OPAQUE else _compiled(value, for_json=for_json)
        for key, value in schema.items()
    }


def _is_refuse_nulls(schema: dict[str, Any]) -> bool:
    return _name_of(schema.get("function", {}).get("function")) == _REFUSE_NULLS


def _name_of(function: Any) -> str | None:
    name = getattr(getattr(function, "__func__", function), "__qualname__", None)
    return name if isinstance(name, str) else None


def _with_wire_rules(model: dict[str, Any]) -> dict[str, Any]:
    """A model schema whose fields say the wire rules themselves: no null where refused, constants required."""
    cls: type[WireModel] = model["cls"]
    nullable, required = wire_checked(cls)
    fields_schema = model["schema"]
    if fields_schema.get("type") != "model-fields":
        raise _Unexpected(cls.__name__)
    fields = dict(fields_schema["fields"])
    for name, _ in nullable:
        field = dict(fields[name])
        default = field["schema"]
        if (
            default.get("type") != "default"
            or default["schema"].get("type") != "nullable"
        ):
            raise _Unexpected(f"{cls.__name__}.{name}")
        field["schema"] = {**default, "schema": default["schema"]["schema"]}
        fields[name] = field
    for name, _ in required:
        field = dict(fields[name])
        default = field["schema"]
        if default.get("type") != "default" or "default" not in default:
            raise _Unexpected(f"{cls.__name__}.{name}")
        field["schema"] = default["schema"]
        fields[name] = field
    return {**model, "schema": {**fields_schema, "fields": fields}}


def _without_wire_serializers(schema: Any) -> Any:
    """A copy of ``schema`` without WireModel's wrap serializers (a dump with ``exclude_none`` needs none)."""
    if isinstance(schema, list):
        return [_without_wire_serializers(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    copy = {
        key: value if key in _OPAQUE else _without_wire_serializers(value)
        for key, value in schema.items()
    }
    serialization = schema.get("serialization")
    if (
        isinstance(serialization, dict)
        and _name_of(serialization.get("function")) == _LEAVE_OUT_NULLS
    ):
        del copy["serialization"]
    return copy
