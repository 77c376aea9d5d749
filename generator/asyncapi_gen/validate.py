"""Validate a document: its AsyncAPI version, its structure (the official JSON Schemas), and what they cannot see."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match

from asyncapi_gen.diagnostics import Diagnostic, join_pointer
from asyncapi_gen.load import SourceFile

SUPPORTED_VERSIONS = ("2.0.0", "2.1.0", "2.2.0", "2.3.0", "2.4.0", "2.5.0", "2.6.0", "3.0.0")
MAX_STRUCTURE_ERRORS = 20

_CODES = {
    "required": "missing-field",
    "type": "wrong-type",
    "enum": "invalid-value",
    "const": "invalid-value",
    "pattern": "invalid-value",
    "format": "invalid-value",
    "additionalProperties": "unknown-field",
    "propertyNames": "invalid-name",
    "uniqueItems": "duplicate-item",
}


def validate_document(main: SourceFile) -> list[Diagnostic]:
    """All diagnostics for the main file; an empty list means it can be normalized."""
    data = main.data
    if not isinstance(data, dict):
        return [main.diagnostic("wrong-type", "an AsyncAPI document must be a mapping at the top level", "")]
    version = data.get("asyncapi")
    if version is None:
        return [main.diagnostic("missing-field", "required field 'asyncapi' (the AsyncAPI version) is missing", "",
                                hint="start the document with `asyncapi: 2.6.0` or `asyncapi: 3.0.0`")]
    if not isinstance(version, str):
        return [main.diagnostic("wrong-type", f"'asyncapi' must be a string such as '2.6.0', not {version!r}",
                                "/asyncapi", hint="quote the version: asyncapi: '2.6.0'")]
    if version not in SUPPORTED_VERSIONS:
        supported = ", ".join(SUPPORTED_VERSIONS)
        return [main.diagnostic("unknown-version", f"AsyncAPI version {version!r} is not supported ({supported})",
                                "/asyncapi")]
    diagnostics = _structure(main, version)
    if not diagnostics:
        diagnostics = _semantics(main, version)
    return diagnostics


def _structure(main: SourceFile, version: str) -> list[Diagnostic]:
    validator = _validator(version)
    diagnostics: list[Diagnostic] = []
    errors = sorted(validator.iter_errors(main.data), key=lambda e: (len(e.absolute_path), list(map(str, e.path))))
    for error in errors:
        if _is_reference_ambiguity(error):
            continue
        diagnostics.append(_to_diagnostic(main, _most_specific(error)))
        if len(diagnostics) >= MAX_STRUCTURE_ERRORS:
            break
    return diagnostics


def _is_reference_ambiguity(error: ValidationError) -> bool:
    # The official 2.0-2.5 schemas put `parameter` and `Reference` in a oneOf that a bare {$ref} satisfies twice:
    # a known false negative of the schema, not a fault of the document.
    instance = error.instance
    return error.validator == "oneOf" and isinstance(instance, dict) and set(instance) == {"$ref"}


def _most_specific(error: ValidationError) -> ValidationError:
    while error.context:
        deeper = best_match(error.context)
        if deeper is None or _is_reference_ambiguity(deeper):
            break
        error = deeper
    return error


def _to_diagnostic(main: SourceFile, error: ValidationError) -> Diagnostic:
    pointer = join_pointer("", *error.absolute_path)
    code = _CODES.get(str(error.validator), "invalid-structure")
    if error.validator == "required":
        required: Any = error.validator_value
        missing = [name for name in required if isinstance(error.instance, dict) and name not in error.instance]
        where = pointer or "the document"
        message = f"required field {missing[0]!r} is missing in {where}" if missing else error.message
        return main.diagnostic(code, message, pointer)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        schema: Any = error.schema
        allowed = set(schema.get("properties", {})) if isinstance(schema, dict) else set()
        extra = sorted(k for k in error.instance if k not in allowed and not k.startswith("x-"))
        if extra:
            return main.diagnostic(code, f"unknown field {extra[0]!r}", join_pointer(pointer, extra[0]))
    return main.diagnostic(code, _short(error.message), pointer)


def _short(message: str) -> str:
    return message if len(message) <= 300 else message[:297] + "..."


def _semantics(main: SourceFile, version: str) -> list[Diagnostic]:
    """What JSON Schema cannot see: operationIds that must be unique across the document."""
    diagnostics: list[Diagnostic] = []
    if version.startswith("2."):
        seen: dict[str, str] = {}
        for name, channel in (main.data.get("channels") or {}).items():
            for action in ("publish", "subscribe"):
                operation = channel.get(action) if isinstance(channel, dict) else None
                op_id = operation.get("operationId") if isinstance(operation, dict) else None
                if not isinstance(op_id, str):
                    continue
                pointer = join_pointer("/channels", name, action, "operationId")
                if op_id in seen:
                    diagnostics.append(main.diagnostic(
                        "duplicate-operation-id", f"operationId {op_id!r} is also used at {seen[op_id]}", pointer))
                seen.setdefault(op_id, pointer)
    return diagnostics


@cache
def _validator(version: str) -> Draft7Validator:
    text = resources.files("asyncapi_gen").joinpath("schemas", f"{version}.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return Draft7Validator(schema)
