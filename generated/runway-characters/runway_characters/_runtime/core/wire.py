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
        if info.mode != "json" or not self.wire_not_null:
            return self
        nulls = sorted(
            field.alias or name
            for name, field in type(self).model_fields.items()
            if (field.alias or name) in self.wire_not_null
            and name in self.model_fields_set
            and getattr(self, name) is None
        )
        if nulls:
            raise ValueError(f"null is not allowed for {', '.join(nulls)}")
        return self
