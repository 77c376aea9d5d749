# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""The base of every generated model: one place that says how models meet the wire.

- Unknown properties are kept (``extra="allow"``) and dumped back, so a relay that parses and
  re-sends a message loses nothing; a schema that forbids them (``additionalProperties: false``)
  makes its model say ``extra="forbid"``, which wins over this default.
- A field is written by its wire name: ``model_dump_json()`` needs no ``by_alias=True``.
- Python code may build a model by field name (``Transcript(is_final=True)``); the wire may not:
  the codec validates received JSON by alias only, and strictly (see ``codec.WIRE_RULES``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["WireModel"]


class WireModel(BaseModel):
    """A message model: wire names out, any extra properties kept."""

    model_config = ConfigDict(
        extra="allow",
        validate_by_alias=True,
        validate_by_name=True,
        serialize_by_alias=True,
    )
