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
"""

from __future__ import annotations

import functools
from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationInfo, model_validator

__all__ = ["WireModel"]


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

    @model_validator(mode="after")
    def _refuse_wire_nulls(self, info: ValidationInfo) -> Self:
        # After validation, not before: a before-validator would hand the fields Python
        # values, which strict validation then refuses (an ISO string for a datetime).
        if not self.wire_not_null or info.mode != "json":
            return self
        fields_set = self.model_fields_set
        nulls = [
            alias
            for name, alias in _null_checked(type(self))
            if name in fields_set and getattr(self, name) is None
        ]
        if nulls:
            raise ValueError(f"null is not allowed for {', '.join(nulls)}")
        return self


@functools.cache
def _null_checked(model: type[WireModel]) -> tuple[tuple[str, str], ...]:
    """(field name, wire name) of the model's fields that received JSON may not set to null."""
    if not model.__pydantic_complete__:
        # Validated through a TypeAdapter before the model itself was rebuilt (a forward reference):
        # its fields do not know their aliases yet.
        model.model_rebuild()
    return tuple(
        (name, field.alias or name)
        for name, field in sorted(model.model_fields.items())
        if (field.alias or name) in model.wire_not_null
    )
