"""Validate a document: its AsyncAPI version, its structure (the official JSON Schemas), and what they cannot see.

Diagnostics come root causes first: an unknown (often misspelt) key explains the required field it was meant to
be, so every unknown key is reported before the other findings, each group in document order.

With `lenient`, a structure violation that still leaves the document understandable (an `info` missing, examples
written as a map, an outdated binding field, a misspelt key) is a warning, and the document is built from what is
there. What leaves nothing to build from stays an error: see `_essential`.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from asyncapi_gen.diagnostics import Diagnostic, Severity, has_errors, join_pointer
from asyncapi_gen.fastcheck import validity_check
from asyncapi_gen.load import SourceFile
from asyncapi_gen.names import pascal_name, snake_name
from asyncapi_gen.raw import mapping
from asyncapi_gen.refs import Location, RefError, Resolver, default_root, lookup

if TYPE_CHECKING:  # jsonschema (~40 ms to import) explains faults; a valid document gets jsonschema-rs's verdict
    from jsonschema import Draft7Validator
    from jsonschema.exceptions import ValidationError

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
# Findings that explain others (a misspelt key explains the required field it was meant to be): shown first.
_ROOT_CAUSES = frozenset({"unknown-field", "invalid-component-key"})
# The spec's rule for the keys of every map under `components`, which its JSON Schemas do not enforce.
_COMPONENT_KEY = re.compile(r"[a-zA-Z0-9.\-_]+")
# Semantic findings that --lenient turns into warnings; the others stay errors (see docs/diagnostics.md).
_LENIENT_SEMANTICS = frozenset({"duplicate-tag"})


def validate_document(main: SourceFile, resolver: Resolver | None = None, *, lenient: bool = False,
                      semantics: bool = True) -> list[Diagnostic]:
    """All diagnostics for the main file; without errors among them, it can be normalized.

    resolver follows `$ref`s for the checks that compare what references lead to (pass the one `resolve_document`
    made; without one, a resolver over the main file is made, whose file references are followed on demand).
    The semantic checks run once the structure is sound, and only with semantics (False when references are
    broken: what they would say about a document whose references lead nowhere is noise).
    """
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
    findings = _structure(main, version) + _component_keys(main)
    diagnostics = [_soften(f.diagnostic) if lenient and not f.essential else f.diagnostic
                   for f in _root_causes_first(findings)]
    if has_errors(diagnostics) or not semantics:
        return diagnostics
    if resolver is None:
        resolver = Resolver(main, default_root(main.path).resolve(), {main.path.resolve(): main})
    # A list the schema already found repeated items in (softened by lenient) is not reported twice.
    repeated = [d.pointer + "/" for d in diagnostics if d.code == "duplicate-item"]
    return diagnostics + [_soften(d) if lenient and d.code in _LENIENT_SEMANTICS else d
                          for d in _semantics(main, version, resolver)
                          if not any(d.pointer.startswith(prefix) for prefix in repeated)]


@dataclass(frozen=True)
class _Finding:
    """A structure diagnostic, and whether it leaves nothing to build from (then --lenient keeps it an error)."""

    diagnostic: Diagnostic
    essential: bool = False


def _soften(diagnostic: Diagnostic) -> Diagnostic:
    return diagnostic.with_severity(Severity.WARNING)


def _root_causes_first(findings: list[_Finding]) -> list[_Finding]:
    """Unknown keys first, then the rest; each group in document order; at most MAX_STRUCTURE_ERRORS."""
    unique: list[_Finding] = []
    for finding in findings:
        if finding not in unique:  # oneOf branches can report the same fault twice
            unique.append(finding)
    unique.sort(key=lambda f: (f.diagnostic.code not in _ROOT_CAUSES, f.diagnostic.line, f.diagnostic.col,
                               f.diagnostic.pointer, f.diagnostic.code, f.diagnostic.message))
    return unique[:MAX_STRUCTURE_ERRORS]


def _structure(main: SourceFile, version: str) -> list[_Finding]:
    if _verdict(version)(main.data):
        return []  # most documents are valid: jsonschema's walk, which says what is wrong, is needed for the others
    validator = _validator(version)
    findings: list[_Finding] = []
    for error in validator.iter_errors(main.data):
        if _is_reference_ambiguity(error):
            continue
        for leaf in _most_specific(error):
            findings += _to_findings(main, version, leaf)
    return _explain_missing_fields(main, findings)


def _is_reference_ambiguity(error: ValidationError) -> bool:
    # The official 2.0-2.5 schemas put `parameter` and `Reference` in a oneOf that a bare {$ref} satisfies twice
    # (3.0 does the same with `Reference` and `schema` for the Kafka binding's message `key`): a known false
    # negative of the schemas, not a fault of the document. Only "valid under each of" is skipped (a oneOf error
    # without context); a {$ref} that matches no branch, such as `$ref: null`, is still an error.
    instance = error.instance
    return (error.validator == "oneOf" and not error.context and isinstance(instance, dict)
            and set(instance) == {"$ref"} and isinstance(instance["$ref"], str))


def _most_specific(error: ValidationError) -> list[ValidationError]:
    """The errors that say what is wrong: inside a oneOf/anyOf, every error of the branch the object was meant as."""
    if not error.context:
        return [error]
    # In `oneOf: [Reference, X]`, an object without `$ref` is clearly meant as an X: say what X lacks, not
    # that `$ref` is missing; an object with a `$ref` is meant as a Reference: say what is wrong with it.
    meant = [e for e in error.context if not _is_missing_ref(e)] or list(error.context)
    if isinstance(error.instance, dict) and "$ref" in error.instance:
        meant = [e for e in meant if list(e.relative_path)[:1] == ["$ref"]] or meant
    from jsonschema.exceptions import best_match

    deeper = best_match(meant)
    if deeper is None or _is_reference_ambiguity(deeper):
        return [error]
    branches: dict[tuple[Any, ...], list[ValidationError]] = {}
    for candidate in meant:
        branches.setdefault(tuple(candidate.relative_schema_path)[:1], []).append(candidate)
    preferred = tuple(deeper.relative_schema_path)[:1]
    # The branch the object was meant as is the one it fits best: the fewest faults in the object itself (a
    # wrapper branch such as 2.x's `{oneOf: [messages]}` refuses every key of a real message), then the deepest
    # faults (it matched further down), then jsonschema's own choice.
    chosen = min(branches, key=lambda b: (_surface_faults(branches[b]), -max(len(e.path) for e in branches[b]),
                                          b != preferred))
    leaves: list[ValidationError] = []
    for sibling in branches[chosen]:
        leaves += _most_specific(sibling)
    return leaves


def _surface_faults(errors: list[ValidationError]) -> int:
    """How many faults errors find in the object itself rather than in its members (each unknown key counts)."""
    count = 0
    for error in errors:
        if error.relative_path:
            continue
        extra: Any = error.instance if error.validator == "additionalProperties" else None
        schema: Any = error.schema
        allowed = schema.get("properties", {}) if isinstance(schema, dict) else {}
        count += len([k for k in extra if k not in allowed and not str(k).startswith("x-")]) if isinstance(
            extra, dict) else 1
    return count


def _is_missing_ref(error: ValidationError) -> bool:
    required: Any = error.validator_value
    return (error.validator == "required" and isinstance(required, list) and "$ref" in required
            and isinstance(error.instance, dict) and "$ref" not in error.instance)


def _to_findings(main: SourceFile, version: str, error: ValidationError) -> list[_Finding]:
    path = tuple(error.absolute_path)
    pointer = join_pointer("", *path)
    code = _CODES.get(str(error.validator), "invalid-structure")
    if error.validator == "required":
        required: Any = error.validator_value
        missing = [name for name in required if isinstance(error.instance, dict) and name not in error.instance]
        # jsonschema reports each missing property as its own error, naming it in the message.
        named = re.match(r"^'(.+)' is a required property$", error.message)
        field = named.group(1) if named else (missing[0] if missing else None)
        where = pointer or "the document"
        message = f"required field {field!r} is missing in {where}" if field else error.message
        return [_Finding(main.diagnostic(code, message, pointer), _essential(version, path, field, error.instance))]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        schema: Any = error.schema
        allowed = sorted(schema.get("properties", {})) if isinstance(schema, dict) else []
        extras = sorted(k for k in error.instance if k not in allowed and not k.startswith("x-"))
        if extras:
            return [_Finding(main.diagnostic(code, f"unknown field {extra!r}", join_pointer(pointer, extra),
                                             hint=_unknown_field_hint(extra, allowed, error.instance), at_key=True),
                             _essential(version, (*path, extra), None, error.instance[extra]))
                    for extra in extras]
    return [_Finding(main.diagnostic(code, _short(error.message), pointer),
                     _essential(version, path, None, error.instance))]


def _unknown_field_hint(key: str, allowed: list[str], present: dict[str, Any]) -> str:
    """`did you mean 'channels'?` for a near miss among the fields the schema allows there; else what is allowed."""
    candidates = [name for name in allowed if name not in present] or allowed
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.75)
    if not close:
        lowered = {name.lower(): name for name in candidates}
        close = [lowered[key.lower()]] if key.lower() in lowered else []
    if close:
        return f"did you mean {close[0]!r}?"
    if allowed and len(allowed) <= 12:
        return "allowed here: " + ", ".join(allowed) + ", and extensions named x-..."
    return "extensions must be named x-..." if allowed else ""


def _explain_missing_fields(main: SourceFile, findings: list[_Finding]) -> list[_Finding]:
    """A required field that is missing beside an unknown key that looks like it says so in its hint."""
    unknown = {f.diagnostic.pointer: f.diagnostic for f in findings if f.diagnostic.code == "unknown-field"}
    explained: list[_Finding] = []
    for finding in findings:
        diagnostic = finding.diagnostic
        named = re.match(r"^required field '(.+)' is missing", diagnostic.message)
        if diagnostic.code == "missing-field" and named and not diagnostic.hint:
            siblings = {p.rsplit("/", 1)[-1]: d for p, d in unknown.items() if p.rsplit("/", 1)[0] == diagnostic.pointer}
            close = difflib.get_close_matches(named.group(1), sorted(siblings), n=1, cutoff=0.75)
            if close:
                typo = siblings[close[0]]
                hint = f"{close[0]!r} (line {typo.line}) looks like a misspelling of it"
                diagnostic = Diagnostic(diagnostic.severity, diagnostic.code, diagnostic.message, diagnostic.file,
                                        diagnostic.line, diagnostic.col, diagnostic.pointer, hint)
        explained.append(_Finding(diagnostic, finding.essential))
    return explained


def _essential(version: str, path: tuple[str | int, ...], missing: str | None, instance: Any) -> bool:
    """Violations that leave nothing to build from: --lenient does not turn them into warnings.

    - a `$ref` that is not a string (a reference to nothing);
    - `channels` missing or not a mapping (2.x requires it; a 3.0 document may have none);
    - a 3.0 operation without a valid `action` or `channel` (nobody could tell which side sends it, or where);
    - a malformed schema that would become a model (a payload, headers, `components/schemas`, a 2.x parameter's
      schema): an array where a schema belongs cannot be made into a class. Annotations (`format`, `examples`,
      ...) and `{$ref}` objects where the schema expects something else (tools follow the reference) are spared.
    """
    if path and path[-1] == "$ref":
        return not isinstance(instance, str)  # a string is a reference, which refs.py has followed
    if path == () and missing == "channels" or path == ("channels",):
        return True
    if version.startswith("3."):
        operation = 2 if path[:1] == ("operations",) else 3 if path[:2] == ("components", "operations") else 0
        if operation and len(path) == operation and missing in ("action", "channel"):
            return True
        if operation and len(path) == operation + 1 and path[-1] in ("action", "channel"):
            return True
    if _in_model_schema(path) and path[-1] not in _ANNOTATIONS:
        return not (isinstance(instance, dict) and isinstance(instance.get("$ref"), str))
    return False


# Schema keywords that say something about a value but do not shape its model.
_ANNOTATIONS = frozenset({"title", "description", "format", "example", "examples", "default", "$comment", "readOnly",
                          "writeOnly", "deprecated", "externalDocs", "contentEncoding", "contentMediaType"})


def _in_model_schema(path: tuple[str | int, ...]) -> bool:
    """True when path leads into a schema that becomes a model, at or below its root (bindings' schemas do not)."""
    for index, token in enumerate(path):
        if token == "bindings":
            return False
        if token in ("payload", "headers") and index > 0:
            return True
        if path[:2] == ("components", "schemas") and len(path) > 2:
            return True
        if token == "schema" and index >= 2 and path[index - 2] == "parameters":
            return True
    return False


def _component_keys(main: SourceFile) -> list[_Finding]:
    """Every key of every map under `components` must match `^[a-zA-Z0-9\\.\\-_]+$` (the spec says so, the schemas
    do not check it): such keys are what `$ref`s name, and other tools refuse the rest."""
    findings: list[_Finding] = []
    for section, entries in mapping(mapping(main.data).get("components")).items():
        if section.startswith("x-"):
            continue
        for key in mapping(entries):
            if not _COMPONENT_KEY.fullmatch(key):
                suggestion = re.sub(r"[^a-zA-Z0-9.\-_]+", "_", key).strip("_") or "name"
                findings.append(_Finding(main.diagnostic(
                    "invalid-component-key",
                    f"component key {key!r} in components/{section} may hold only letters, digits, '.', '-' and '_'",
                    join_pointer("/components", section, key), at_key=True,
                    hint=f"rename it (for example to {suggestion!r}) and the references to it")))
    return findings


def _short(message: str) -> str:
    return message if len(message) <= 300 else message[:297] + "..."


def _semantics(main: SourceFile, version: str, resolver: Resolver) -> list[Diagnostic]:
    """What JSON Schema cannot see: unique operationIds and tags, 3.0 operation messages, Python name clashes."""
    if version.startswith("2."):
        diagnostics = _duplicate_operation_ids(main)
    else:
        diagnostics = _operation_messages(main, resolver)
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


def _operation_messages(main: SourceFile, resolver: Resolver) -> list[Diagnostic]:
    """3.0: the messages an operation (or its reply) lists must be messages of its channel.

    Both sides are compared by where their references lead, through `$ref`s on the way and across files:
    `#/channels/echo/messages/echo` names the message `echo` of the channel `#/channels/echo` refers to.
    """
    diagnostics: list[Diagnostic] = []
    for key, value in mapping(main.data.get("operations")).items():
        operation, where = _deref(resolver, value, Location(main, join_pointer("/operations", key)))
        if not isinstance(operation, dict) or where is None:
            continue
        checks = [(operation.get("channel"), operation.get("messages"), where)]
        reply, reply_at = _deref(resolver, operation.get("reply"), _at(where, "reply"))
        if isinstance(reply, dict) and reply_at is not None and reply.get("channel") is not None:
            checks.append((reply.get("channel"), reply.get("messages"), reply_at))
        for channel_ref, refs, owner in checks:
            channel, channel_at = _deref(resolver, channel_ref, _at(owner, "channel"))
            if not isinstance(channel, dict) or channel_at is None or not isinstance(refs, list):
                continue
            allowed = {_identity(resolver, message, _at(channel_at, "messages", name))
                       for name, message in mapping(channel.get("messages")).items()}
            for index, ref in enumerate(refs):
                listed = _at(owner, "messages", index)
                identity = _identity(resolver, ref, listed)
                if identity is None or identity in allowed:
                    continue  # a reference that cannot be followed is reported by refs.py
                shown = ref.get("$ref") if isinstance(ref, dict) else ref
                diagnostics.append(listed.file.diagnostic(
                    "operation-message-not-in-channel",
                    f"message {shown!r} is not one of the messages of channel {channel_at.pointer!r}",
                    listed.pointer, hint="list the message under the channel's `messages` and refer to it there"))
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


def _at(location: Location, *tokens: str | int) -> Location:
    return Location(location.file, join_pointer(location.pointer, *tokens))


def _deref(resolver: Resolver, value: Any, location: Location) -> tuple[Any, Location | None]:
    """value with its `$ref`s followed, and where it is; (None, None) when a reference cannot be followed."""
    try:
        return resolver.deref(value, location)
    except RefError:
        return None, None


def _identity(resolver: Resolver, value: Any, location: Location) -> tuple[str, str] | None:
    """Where a message really is (file, pointer) once its references are followed; None when they cannot be."""
    _, where = _deref(resolver, value, location)
    return (where.file.display, where.pointer) if where is not None else None


@cache
def _validator(version: str) -> Draft7Validator:
    from jsonschema import Draft7Validator

    return Draft7Validator(_official_schema(version))


@cache
def _verdict(version: str) -> Callable[[Any], bool]:
    return validity_check(_official_schema(version))


@cache
def _official_schema(version: str) -> dict[str, Any]:
    text = resources.files("asyncapi_gen").joinpath("schemas", f"{version}.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
