"""Validate a document: its AsyncAPI version, its structure (the official JSON Schemas), and what they cannot see."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match

from asyncapi_gen.diagnostics import Diagnostic, join_pointer
from asyncapi_gen.load import SourceFile
from asyncapi_gen.names import pascal_name, snake_name
from asyncapi_gen.raw import mapping
from asyncapi_gen.refs import lookup

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
        diagnostic = _to_diagnostic(main, _most_specific(error))
        if diagnostic not in diagnostics:  # oneOf branches can report the same fault twice
            diagnostics.append(diagnostic)
        if len(diagnostics) >= MAX_STRUCTURE_ERRORS:
            break
    return diagnostics


def _is_reference_ambiguity(error: ValidationError) -> bool:
    # The official 2.0-2.5 schemas put `parameter` and `Reference` in a oneOf that a bare {$ref} satisfies twice
    # (3.0 does the same with `Reference` and `schema` for the Kafka binding's message `key`): a known false
    # negative of the schemas, not a fault of the document. Only "valid under each of" is skipped (a oneOf error
    # without context); a {$ref} that matches no branch, such as `$ref: null`, is still an error.
    instance = error.instance
    return (error.validator == "oneOf" and not error.context and isinstance(instance, dict)
            and set(instance) == {"$ref"} and isinstance(instance["$ref"], str))


def _most_specific(error: ValidationError) -> ValidationError:
    while error.context:
        # In `oneOf: [Reference, X]`, an object without `$ref` is clearly meant as an X: say what X lacks, not
        # that `$ref` is missing; an object with a `$ref` is meant as a Reference: say what is wrong with it.
        meant = [e for e in error.context if not _is_missing_ref(e)] or list(error.context)
        if isinstance(error.instance, dict) and "$ref" in error.instance:
            meant = [e for e in meant if list(e.relative_path)[:1] == ["$ref"]] or meant
        deeper = best_match(meant)
        if deeper is None or _is_reference_ambiguity(deeper):
            break
        error = deeper
    return error


def _is_missing_ref(error: ValidationError) -> bool:
    required: Any = error.validator_value
    return (error.validator == "required" and isinstance(required, list) and "$ref" in required
            and isinstance(error.instance, dict) and "$ref" not in error.instance)


def _to_diagnostic(main: SourceFile, error: ValidationError) -> Diagnostic:
    pointer = join_pointer("", *error.absolute_path)
    code = _CODES.get(str(error.validator), "invalid-structure")
    if error.validator == "required":
        required: Any = error.validator_value
        missing = [name for name in required if isinstance(error.instance, dict) and name not in error.instance]
        # jsonschema reports each missing property as its own error, naming it in the message.
        named = re.match(r"^'(.+)' is a required property$", error.message)
        field = named.group(1) if named else (missing[0] if missing else None)
        where = pointer or "the document"
        message = f"required field {field!r} is missing in {where}" if field else error.message
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
    """What JSON Schema cannot see: unique operationIds and tags, 3.0 operation messages, Python name clashes."""
    diagnostics = _duplicate_operation_ids(main) if version.startswith("2.") else _operation_messages(main)
    diagnostics += _duplicate_tags(main, version)
    diagnostics += _name_collisions(main, version)
    return diagnostics


def _duplicate_operation_ids(main: SourceFile) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    seen: dict[str, str] = {}
    for name, channel in mapping(main.data.get("channels")).items():
        for action in ("publish", "subscribe"):
            op_id = mapping(mapping(channel).get(action)).get("operationId")
            if not isinstance(op_id, str):
                continue
            pointer = join_pointer("/channels", name, action, "operationId")
            if op_id in seen:
                diagnostics.append(main.diagnostic(
                    "duplicate-operation-id", f"operationId {op_id!r} is also used at {seen[op_id]}", pointer))
            seen.setdefault(op_id, pointer)
    return diagnostics


def _operation_messages(main: SourceFile) -> list[Diagnostic]:
    """3.0: the messages an operation (or its reply) lists must be messages of its channel."""
    diagnostics: list[Diagnostic] = []
    for key, value in mapping(main.data.get("operations")).items():
        operation, where = _local_deref(main, value, join_pointer("/operations", key))
        operation = mapping(operation)
        checks = [(operation.get("channel"), operation.get("messages"), join_pointer(where, "messages"))]
        reply, reply_at = _local_deref(main, operation.get("reply"), join_pointer(where, "reply"))
        if isinstance(reply, dict) and reply.get("channel") is not None:
            checks.append((reply.get("channel"), reply.get("messages"), join_pointer(reply_at, "messages")))
        for channel_ref, refs, pointer in checks:
            channel, channel_at = _local_deref(main, channel_ref, "")
            if not isinstance(channel, dict) or not isinstance(refs, list):
                continue
            allowed = {_identity(main, message, join_pointer(channel_at, "messages", name))
                       for name, message in mapping(channel.get("messages")).items()}
            for index, ref in enumerate(refs):
                if _identity(main, ref, join_pointer(pointer, index)) not in allowed:
                    shown = ref.get("$ref") if isinstance(ref, dict) else ref
                    diagnostics.append(main.diagnostic(
                        "operation-message-not-in-channel",
                        f"message {shown!r} is not one of the messages of channel {channel_at or channel_ref!r}",
                        join_pointer(pointer, index),
                        hint="list the message under the channel's `messages` and refer to it there"))
    return diagnostics


def _duplicate_tags(main: SourceFile, version: str) -> list[Diagnostic]:
    """Tag names must be unique within each `tags` list (the root's, and those of servers, channels, ...)."""
    places = ["/tags"]
    data = main.data
    if version.startswith("3."):
        for section in ("servers", "channels", "operations"):
            places += [join_pointer("/" + section, name, "tags") for name in mapping(data.get(section))]
    else:
        for name, channel in mapping(data.get("channels")).items():
            places += [join_pointer("/channels", name, action, "tags") for action in ("publish", "subscribe")
                       if isinstance(mapping(channel).get(action), dict)]
    places += [join_pointer("/components/messages", name, "tags")
               for name in mapping(mapping(data.get("components")).get("messages"))]
    diagnostics: list[Diagnostic] = []
    for pointer in places:
        tags = lookup(data, pointer)
        seen: set[str] = set()
        for index, tag in enumerate(tags if isinstance(tags, list) else ()):
            tag_name = mapping(tag).get("name")
            if isinstance(tag_name, str) and tag_name in seen:
                diagnostics.append(main.diagnostic("duplicate-tag", f"tag {tag_name!r} is listed twice",
                                                   join_pointer(pointer, index, "name")))
            if isinstance(tag_name, str):
                seen.add(tag_name)
    return diagnostics


def _name_collisions(main: SourceFile, version: str) -> list[Diagnostic]:
    """Warn when two spec names become one Python name: the generator keeps both, as `name` and `name_2`."""
    data = main.data
    channels = mapping(data.get("channels"))
    named: list[tuple[str, str, str, str]] = []  # (namespace, python name, spec name, pointer)
    for name, channel in channels.items():
        address = mapping(channel).get("address") if version.startswith("3.") else name
        spec_name = address if isinstance(address, str) else name
        named.append(("channel", snake_name(spec_name, "channel"), spec_name, join_pointer("/channels", name)))
    if version.startswith("3."):
        named += [("operation", snake_name(key, "operation"), key, join_pointer("/operations", key))
                  for key in mapping(data.get("operations"))]
    else:
        for name, channel in channels.items():
            for action in ("publish", "subscribe"):
                operation = mapping(channel).get(action)
                if isinstance(operation, dict):
                    op_id = operation.get("operationId")
                    spec_name = op_id if isinstance(op_id, str) else f"{action} {name}"
                    named.append(("operation", snake_name(spec_name, "operation"), spec_name,
                                  join_pointer("/channels", name, action)))
    named += [("schema", pascal_name(name, "Model"), name, join_pointer("/components/schemas", name))
              for name in mapping(mapping(data.get("components")).get("schemas"))]
    diagnostics: list[Diagnostic] = []
    first: dict[tuple[str, str], tuple[str, str]] = {}
    for namespace, python_name, spec_name, pointer in named:
        other, other_pointer = first.setdefault((namespace, python_name), (spec_name, pointer))
        if other_pointer != pointer:
            diagnostics.append(main.diagnostic(
                "name-collision",
                f"{namespace} {spec_name!r} and {other!r} (at {other_pointer}) both become the Python name "
                f"{python_name!r}: the second is generated with a numbered name", pointer, warning=True,
                hint="rename one of them so that generated names stay stable"))
    return diagnostics


def _local_deref(main: SourceFile, value: Any, pointer: str) -> tuple[Any, str]:
    """Follow `#/...` refs inside the main file (the only ones whose targets validation has seen)."""
    seen: set[str] = set()
    while isinstance(value, dict) and isinstance(value.get("$ref"), str) and value["$ref"].startswith("#"):
        target = unquote(value["$ref"][1:])
        if target in seen:
            break
        seen.add(target)
        value, pointer = lookup(main.data, target), target
    return value, pointer


def _identity(main: SourceFile, value: Any, pointer: str) -> str:
    """Where a message really is: its pointer after local refs, or the text of a ref into another file."""
    value, pointer = _local_deref(main, value, pointer)
    ref = value.get("$ref") if isinstance(value, dict) else None
    return ref if isinstance(ref, str) else pointer


@cache
def _validator(version: str) -> Draft7Validator:
    text = resources.files("asyncapi_gen").joinpath("schemas", f"{version}.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return Draft7Validator(schema)
