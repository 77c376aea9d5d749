# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""The base of every generated model: one place that says how models meet the wire.

- Unknown properties are kept (``extra="allow"``) and dumped back, so a relay that parses and
  re-sends a message loses nothing; a schema that forbids them (``additionalProperties: false``)
  makes its model say ``extra="forbid"``, which wins over this default.
- A field is written by its wire name: ``model_dump_json()`` needs no ``by_alias=True``.
- Python code may build a model by field name (``Transcript(is_final=True)``); the wire may not:
  the codec validates received JSON by alias only, and strictly (``codec.validate_wire``).
- Received JSON may leave an optional property out, but not send it as ``null`` unless the
  schema allows null (``wire_not_null`` names those properties). In Python, None means absent.
- A required constant (``type: "transcript"``) is the field's default in Python code, but
  received JSON must still send it (``wire_required``).
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    model_serializer,
    model_validator,
)

__all__ = ["WireModel", "wire_checked"]


class WireModel(BaseModel):
    """A message model: wire names out, any extra properties kept."""

    model_config = ConfigDict(
        extra="allow",
        validate_by_alias=True,
        validate_by_name=True,
        serialize_by_alias=True,
    )

    wire_not_null: ClassVar[frozenset[str]] = frozenset()
    """The optional properties (by wire name) that received JSON may not set to null."""
    wire_required: ClassVar[frozenset[str]] = frozenset()
    """The required constants (by wire name) that received JSON must send, though Python may omit them."""

    @model_validator(mode="after")
    def _refuse_wire_nulls(self, info: ValidationInfo) -> Self:
        # After validation, not before: a before-validator would hand the fields Python
        # values, which strict validation then refuses (an ISO string for a datetime).
        if info.mode != "json" or not (self.wire_not_null or self.wire_required):
            return self
        nullable, required = wire_checked(type(self))
        fields_set, values = self.__pydantic_fields_set__, self.__dict__
        # The common case, no extra property, costs two scans: every required constant sent, no refused
        # null. Otherwise it is checked by wire name (an extra key spelt like a Python name counts as set).
        if (
            not self.__pydantic_extra__
            and all(name in fields_set for name, _ in required)
            and not any(
                values.get(name, 0) is None and name in fields_set
                for name, _ in nullable
            )
        ):
            return self
        fields_set = _set_by_wire_name(self)
        missing = [alias for name, alias in required if name not in fields_set]
        if missing:
            raise ValueError(f"missing required properties: {', '.join(missing)}")
        nulls = [
            alias
            for name, alias in nullable
            if name in fields_set and getattr(self, name) is None
        ]
        if nulls:
            raise ValueError(f"null is not allowed for {', '.join(nulls)}")
        return self

    @model_serializer(mode="wrap")
    def _leave_out_wire_nulls(self, handler: SerializerFunctionWrapHandler) -> Any:
        # None means absent in Python; where the schema refuses null, a dump leaves it out.
        # (A dump with exclude_none, as the codec's, has no None left: one scan in C says so.)
        data = handler(self)
        if self.wire_not_null and isinstance(data, dict) and None in data.values():
            for name, alias in wire_checked(type(self))[0]:
                for key in (alias, name):
                    if key in data and data[key] is None:
                        del data[key]
        return data


Checked = tuple[tuple[str, str], ...]


def _set_by_wire_name(model: WireModel) -> set[str]:
    """The fields received JSON set. A key spelt like a field's Python name is an extra property on
    the wire; pydantic 2.14 keeps it in ``model_extra`` and counts it in ``model_fields_set`` too."""
    extra = model.model_extra or {}
    return {name for name in model.model_fields_set if name not in extra}


@functools.cache
def wire_checked(model: type[WireModel]) -> tuple[Checked, Checked]:
    """(field name, wire name) of the fields received JSON may not set to null, and of those it must send."""
    if not model.__pydantic_complete__:
        # Validated through a TypeAdapter before the model itself was rebuilt (a forward reference):
        # its fields do not know their aliases yet.
        model.model_rebuild()
    fields = sorted(
        (name, field.alias or name) for name, field in model.model_fields.items()
    )
    return (
        tuple(pair for pair in fields if pair[1] in model.wire_not_null),
        tuple(pair for pair in fields if pair[1] in model.wire_required),
    )
