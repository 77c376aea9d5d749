"""Collect every payload and component schema into one JSON Schema with `$defs`, ready for datamodel-code-generator.

`$ref`s are rewritten to `#/$defs/<ClassName>`: component schemas keep their (sanitized) names, anything else that
is referenced (another file, a pointer into a message) is hoisted under a name made from its last pointer segment.
Cycles need nothing special: a definition is registered before its body is copied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from asyncapi_gen.diagnostics import Diagnostic, join_pointer, unescape_pointer_token
from asyncapi_gen.names import NameTable, pascal_name
from asyncapi_gen.refs import Location, Resolver, lookup

# Keywords whose values are schemas, maps of schemas, or lists of schemas; everything else is copied as data.
_SCHEMA_KEYS = frozenset({"items", "additionalProperties", "not", "contains", "if", "then", "else",
                          "propertyNames", "additionalItems", "unevaluatedProperties", "unevaluatedItems"})
_SCHEMA_MAP_KEYS = frozenset({"properties", "patternProperties", "definitions", "$defs", "dependentSchemas"})
_SCHEMA_LIST_KEYS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
# schemaFormat values whose schemas are JSON Schema (AsyncAPI's Schema Object is a superset of draft 7).
JSON_SCHEMA_FORMATS = ("application/schema+json", "application/schema+yaml", "application/vnd.aai.asyncapi")
# AsyncAPI Schema Object additions that JSON Schema tools do not know.
_ASYNCAPI_ONLY = frozenset({"discriminator", "externalDocs", "deprecated", "examples", "example", "xml"})


@dataclass
class ModelSchemaBuilder:
    """Accumulates `$defs` for one package; `add_payload` returns the class name a payload will get."""

    resolver: Resolver
    defs: dict[str, Any] = field(default_factory=dict)
    names: NameTable = field(default_factory=NameTable)
    _by_location: dict[tuple[str, str], str] = field(default_factory=dict)
    _discriminated: set[str] = field(default_factory=set)  # children already given their discriminator constant
    _origins: dict[str, Location] = field(default_factory=dict)  # where each definition was written
    _order: list[str] = field(default_factory=list)  # the keys of _origins, in order, for the incremental pass
    _examined: int = 0  # how many of _order _apply_discriminators has read
    _parents: dict[str, str] = field(default_factory=dict)  # definitions with a `discriminator` -> its property
    _waiting: dict[str, dict[str, None]] = field(default_factory=dict)  # unknown parent -> children extending it
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def add_components(self) -> None:
        """Every schema under `components/schemas` of the main file becomes a model, used or not."""
        schemas = lookup(self.resolver.main.data, "/components/schemas")
        if isinstance(schemas, dict):
            for name, schema in schemas.items():
                if _is_primitive(schema):
                    continue  # inlined where it is used (`sent_at: AwareDatetime`, not a `SentAt` root model)
                pointer = "/components/schemas/" + name.replace("~", "~0").replace("/", "~1")
                self._define(Location(self.resolver.main, pointer), name)

    def add_payload(self, payload: Any, location: Location, fallback_name: str) -> str:
        """The class name for a message payload: its component's name when it is a `$ref`, else fallback_name."""
        if isinstance(payload, dict) and isinstance(payload.get("$ref"), str):
            return self._reference_name(payload["$ref"], location)
        return self._define(location, fallback_name)

    def add_schema(self, schema: Any, location: Location, suggested: str) -> str:
        """A class for a schema that is written nowhere as it stands (merged from a message and its traits);
        location is where its `$ref`s are resolved from."""
        name = self.names.claim(_class_name(suggested))
        self._set_origin(name, location)
        self.defs[name] = {}
        self.defs[name] = self._copy(schema, location)
        return name

    def definition(self, name: str) -> dict[str, Any]:
        """The prepared schema of one definition (empty dict when unknown)."""
        self._apply_discriminators()
        found = self.defs.get(name)
        return found if isinstance(found, dict) else {}

    def union_branches(self, name: str) -> list[dict[str, Any]] | None:
        """The object schemas a payload definition is a choice of, when it is nothing but a `oneOf` (or `anyOf`) of
        them, referenced or written inline: `market: {type: object, oneOf: [$ref heartbeat, $ref update]}`."""
        self._apply_discriminators()  # a parent's `discriminator` gives its children their constants first
        schema = self.defs.get(name)
        if not isinstance(schema, dict) or schema.get("type", "object") != "object":
            return None
        keys = set(schema) - _UNION_ANNOTATIONS
        branches = schema.get("oneOf") if keys == {"oneOf"} else schema.get("anyOf") if keys == {"anyOf"} else None
        if not isinstance(branches, list) or len(branches) < 2:
            return None
        found: list[dict[str, Any]] = []
        for branch in branches:
            target = str(branch.get("$ref", "")).removeprefix("#/$defs/") if isinstance(branch, dict) else ""
            body = self.defs.get(target) if target else branch
            if not isinstance(body, dict) or target == name or (not target and set(branch) & {"$ref"}):
                return None
            found.append(body)
        return found

    def union_members(self, name: str, tags: list[str]) -> tuple[str, ...]:
        """The member classes of a payload definition `union_branches` accepted: a referenced branch is its
        definition; an inline one becomes a definition of its own, named after the payload and its tag."""
        schema = self.defs[name]
        key = "oneOf" if "oneOf" in schema else "anyOf"
        members: list[str] = []
        for index, (branch, tag) in enumerate(zip(schema[key], tags, strict=True)):
            if isinstance(branch, dict) and set(branch) == {"$ref"}:
                members.append(str(branch["$ref"]).removeprefix("#/$defs/"))
                continue
            member = self.names.claim(_class_name(f"{name} {tag}"))
            self.defs[member] = branch
            self._set_origin(member, Location(self._origins[name].file,
                                              join_pointer(self._origins[name].pointer, key, index)))
            schema[key][index] = {"$ref": "#/$defs/" + member}
            members.append(member)
        return tuple(members)

    def root_schema(self) -> dict[str, Any]:
        """The single JSON Schema handed to datamodel-code-generator."""
        self._apply_discriminators()
        self._share_enums()
        return {"$schema": "http://json-schema.org/draft-07/schema#", "$defs": dict(self.defs)}

    def _share_enums(self) -> None:
        """One enum class for a property that every model declaring it declares with the same inline enum.

        datamodel-code-generator names an inline enum after its owner (`parent_scoped_naming`: `TranscriptRole`,
        not `Role`), which keeps two different `role` enums apart, but it also makes a thousand identical `status`
        enums a thousand classes, each one more for the user to import and compare, and each one more to parse (a
        fifth of a 1,000-message build). Where the property name's class name is free and every inline enum of
        that property is the same schema, the owners share one definition named after the property (`Status`).
        An enum declared once keeps its owner's name: sharing would only lose the scope.
        """
        found: dict[str, list[tuple[str, dict[str, Any]]]] = {}  # property -> (owner, its properties map)
        for owner, schema in list(self.defs.items()):
            for properties in _owned_properties(schema):
                for key, value in properties.items():
                    if _is_shareable_enum(value):
                        found.setdefault(key, []).append((owner, properties))
        for prop, places in found.items():
            first = places[0][1][prop]
            name = _class_name(prop)
            if len(places) < 2 or not self.names.is_free(name) or any(p[prop] != first for _, p in places[1:]):
                continue
            self.defs[self.names.claim(name)] = first
            for _, properties in places:
                properties[prop] = {"$ref": "#/$defs/" + name}

    def _define(self, location: Location, suggested: str) -> str:
        key = (location.file.display, location.pointer)
        if key in self._by_location:
            return self._by_location[key]
        name = self.names.claim(_class_name(suggested))
        self._by_location[key] = name
        self._set_origin(name, location)
        self.defs[name] = {}  # registered first: a schema that refers to itself finds its own name
        self.defs[name] = self._copy(lookup(location.file.data, location.pointer), location)
        return name

    def _set_origin(self, name: str, location: Location) -> None:
        self._origins[name] = location
        self._order.append(name)

    def _apply_discriminators(self) -> None:
        """AsyncAPI's `discriminator: prop` on a parent means: each schema that extends it (allOf) has `prop` equal
        to its own component name. Written out as a `const`, it makes unions of those schemas discriminated.

        Called before every read of the definitions, so it is incremental: each definition is read once, when it
        is new, and a child is looked at again only when a parent it extends has just become known (a child that
        waits for its parent is filed under that parent's name). The outcome is that of a full pass at each call.
        """
        if self._examined == len(self._order):
            return
        new = self._order[self._examined:]
        self._examined = len(self._order)
        found: list[str] = []
        for name in new:
            location = self._origins[name]
            original = lookup(location.file.data, location.pointer)
            if isinstance(original, dict) and isinstance(original.get("discriminator"), str):
                self._parents[name] = original["discriminator"]
                found.append(name)
        # Each child's outcome depends on its own schema and the parents known, not on the other children.
        again = [child for parent in found for child in self._waiting.pop(parent, {})]
        for child in [*new, *again]:
            self._discriminate(child)

    def _discriminate(self, child: str) -> None:
        """Give child the constant of the first parent it extends that is known, or file it under the others."""
        pointer = self._origins[child].pointer
        schema = self.defs.get(child)
        if child in self._discriminated or not isinstance(schema, dict) or not isinstance(schema.get("allOf"), list):
            return
        for part in schema["allOf"]:
            parent = str(part.get("$ref", "")).removeprefix("#/$defs/") if isinstance(part, dict) else ""
            if parent not in self._parents:
                self._waiting.setdefault(parent, {})[child] = None
            elif not _defines(schema, self._parents[parent]) and "/schemas/" in pointer:
                # the value is the child's component name, as the AsyncAPI spec says
                prop, value = self._parents[parent], unescape_pointer_token(pointer.rsplit("/", 1)[-1])
                schema["allOf"].append({"type": "object", "properties": {prop: {"const": value}}, "required": [prop]})
                self._discriminated.add(child)
                return

    def _primitive_target(self, ref: str, origin: Location) -> tuple[Any, Location]:
        """The schema a `$ref` leads to when it is a primitive one (to be inlined), else (None, origin)."""
        file, pointer = self.resolver.target(ref, origin.file)
        if not _may_hold_a_schema(pointer):
            return None, origin
        target = lookup(file.data, pointer)
        return (target, Location(file, pointer)) if _is_primitive(target) else (None, origin)

    def _reference_name(self, ref: str, origin: Location) -> str:
        file, pointer = self.resolver.target(ref, origin.file)
        if not _may_hold_a_schema(pointer):
            self.diagnostics.append(origin.file.diagnostic(
                "ref-not-schema", f"reference {ref!r} points to {pointer}, which is not a schema",
                join_pointer(origin.pointer, "$ref"), hint="point payloads at #/components/schemas/<Name>"))
            return self._define(Location(file, "/__not_a_schema__"), "Invalid")
        last = pointer.rsplit("/", 1)[-1] if pointer else file.path.stem
        return self._define(Location(file, pointer), unescape_pointer_token(last) or file.path.stem)

    def _copy(self, schema: Any, location: Location) -> Any:
        if isinstance(schema, bool):
            return schema
        if not isinstance(schema, dict):
            return {}
        if isinstance(schema.get("$ref"), str):
            target, target_location = self._primitive_target(schema["$ref"], location)
            if target is not None:
                return self._copy(target, target_location)
            return {"$ref": "#/$defs/" + self._reference_name(schema["$ref"], location)}
        if "schemaFormat" in schema and "schema" in schema:
            # A 3.0 Multi Format Schema Object: JSON Schema ones are unwrapped, any other format (Avro, ...) is Any.
            if is_json_schema_format(schema["schemaFormat"]):
                return self._copy(schema["schema"], _child(location, "schema"))
            return {}
        copied: dict[str, Any] = {}
        for key, value in schema.items():
            here = Location(location.file, location.pointer + "/" + key.replace("~", "~0").replace("/", "~1"))
            if key in _ASYNCAPI_ONLY or key.startswith("x-"):
                continue
            if key in _SCHEMA_KEYS:
                copied[key] = self._copy(value, here) if isinstance(value, dict | bool) else self._copy_list(value, here)
            elif key in _SCHEMA_MAP_KEYS and isinstance(value, dict):
                copied[key] = {name: self._copy(sub, _child(here, name)) for name, sub in value.items()}
            elif key in _SCHEMA_LIST_KEYS and isinstance(value, list):
                copied[key] = self._copy_list(value, here)
            else:
                copied[key] = value
        return _tuple_items_to_any(_drop_keywords_of_other_types(_drop_mistyped_default(
            _nullable_to_type_list(copied, schema))))

    def _copy_list(self, value: Any, location: Location) -> Any:
        if not isinstance(value, list):
            return value
        return [self._copy(item, _child(location, str(i))) for i, item in enumerate(value)]


# What a primitive schema may say besides its type: nothing that makes a class of its own (enum, const) or
# refers elsewhere. A `$ref` to such a schema is inlined, so a field reads `AwareDatetime`, not `SentAt`.
_PRIMITIVE_TYPES = frozenset({"string", "integer", "number", "boolean", "null"})
_PRIMITIVE_KEYS = frozenset({"type", "format", "description", "title", "minLength", "maxLength", "pattern",
                             "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "default",
                             "examples", "example", "deprecated", "readOnly", "writeOnly", "nullable",
                             "contentEncoding", "contentMediaType", "$comment", "externalDocs"})


def _is_primitive(schema: Any) -> bool:
    """True for a schema of scalars only (`type: string, format: date-time`), with nothing that needs a class."""
    if not isinstance(schema, dict) or not all(k in _PRIMITIVE_KEYS or k.startswith("x-") for k in schema):
        return False
    declared = schema.get("type")
    types = [declared] if isinstance(declared, str) else declared
    return isinstance(types, list) and bool(types) and all(t in _PRIMITIVE_TYPES for t in types)


# What a definition that is only a choice of other models may say besides the choice itself.
_UNION_ANNOTATIONS = frozenset({"type", "description", "title", "$comment"})


def without_definitions(schema: dict[str, Any], replaced: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """schema without the definitions that became union aliases (name -> members); every `$ref` to one of them
    becomes a `oneOf` of its members, which means the same and makes datamodel-code-generator write `A | B`."""
    if not replaced:
        return schema

    def rewrite(value: Any) -> Any:
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.removeprefix("#/$defs/") in replaced:
                members = replaced[ref.removeprefix("#/$defs/")]
                return {"oneOf": [{"$ref": "#/$defs/" + member} for member in members]}
            return {key: rewrite(item) for key, item in value.items()}
        if isinstance(value, list):
            return [rewrite(item) for item in value]
        return value

    defs = schema.get("$defs") or {}
    kept = {name: rewrite(body) for name, body in defs.items() if name not in replaced}
    return {**schema, "$defs": kept}


def _class_name(suggested: str) -> str:
    # pascal_name escapes a reserved name with a trailing `_` (`Any_`), which datamodel-code-generator strips again
    # (a class `Any` would shadow typing.Any): spell it `AnyModel` instead.
    name = pascal_name(suggested, "Model")
    return name[:-1] + "Model" if name.endswith("_") else name


def _owned_properties(schema: Any) -> list[dict[str, Any]]:
    """The `properties` maps whose inline enums datamodel-code-generator names after this definition: its own and
    those of the inline object schemas of its `allOf`."""
    if not isinstance(schema, dict):
        return []
    parts = [schema, *(part for part in schema.get("allOf") or () if isinstance(part, dict) and "$ref" not in part)]
    return [part["properties"] for part in parts if isinstance(part.get("properties"), dict)]


_SHAREABLE_ENUM_KEYS = frozenset({"type", "enum", "description", "title"})


def _is_shareable_enum(schema: Any) -> bool:
    """An inline enum of two values or more that says nothing a field, rather than its type, would carry."""
    return (isinstance(schema, dict) and isinstance(schema.get("enum"), list) and len(schema["enum"]) >= 2
            and set(schema) <= _SHAREABLE_ENUM_KEYS and schema.get("type") in ("string", "integer"))


def _is_enum(schema: Any) -> bool:
    """True for a schema datamodel-code-generator makes an Enum: `enum`, or a oneOf/anyOf of constants."""
    if not isinstance(schema, dict) or "properties" in schema:
        return False
    if isinstance(schema.get("enum"), list):
        return True
    members = schema.get("oneOf") or schema.get("anyOf")
    return isinstance(members, list) and bool(members) and all(isinstance(m, dict) and "const" in m for m in members)


def is_json_schema_format(schema_format: Any) -> bool:
    """True for a missing schemaFormat (the default is the AsyncAPI Schema Object) and for JSON Schema ones."""
    return schema_format is None or str(schema_format).startswith(JSON_SCHEMA_FORMATS)


_DOCUMENT_SECTIONS = frozenset({"asyncapi", "id", "info", "servers", "channels", "operations", "tags",
                                "externalDocs", "defaultContentType", "components"})
_SCHEMA_HOLDERS = frozenset({"schemas", "payload", "headers", "schema"})


def _may_hold_a_schema(pointer: str) -> bool:
    """False for pointers into the parts of an AsyncAPI document that are never schemas (info, servers, ...).

    A pointer into some other file's own layout, or anywhere at or below a schema holder (components/schemas,
    a payload, headers, a multi-format `schema`), may hold one.
    """
    tokens = [unescape_pointer_token(t) for t in pointer.lstrip("/").split("/")] if pointer else []
    if not tokens or tokens[0] not in _DOCUMENT_SECTIONS:
        return True
    return any(token in _SCHEMA_HOLDERS for token in tokens[1:]) or (
        len(tokens) > 2 and tokens[:2] == ["components", "schemas"])


def _defines(schema: dict[str, Any], prop: str) -> bool:
    """True when schema (or an inline part of its allOf) says something about property prop itself."""
    parts = [schema, *(p for p in schema.get("allOf") or () if isinstance(p, dict) and "$ref" not in p)]
    return any(prop in (part.get("properties") or {}) for part in parts)


def _child(location: Location, token: str) -> Location:
    return Location(location.file, location.pointer + "/" + token.replace("~", "~0").replace("/", "~1"))


_JSON_TYPES: dict[type, tuple[str, ...]] = {
    bool: ("boolean",), int: ("integer", "number"), float: ("number",), str: ("string",), list: ("array",),
    dict: ("object",), type(None): ("null",),
}


def _drop_mistyped_default(copied: dict[str, Any]) -> dict[str, Any]:
    # A default the schema's own type rejects (`type: boolean, default: "false"`) would be a wrongly typed
    # default in the model: mypy --strict fails on it, and pydantic does not validate defaults. Drop it.
    # An enum's default is dropped too: datamodel-code-generator writes it as the raw value (`= -1`, not
    # `= Rank.SCALAR`), and its enum-member option names classes before they are defined.
    if _is_enum(copied):
        copied.pop("default", None)
    declared = copied.get("type")
    types = [declared] if isinstance(declared, str) else declared
    default_types = set(_JSON_TYPES.get(type(copied.get("default")), ()))
    if "default" in copied and isinstance(types, list) and not default_types & set(types):
        del copied["default"]
    return copied


def _nullable_to_type_list(copied: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
    # OpenAPI-style `nullable: true`, common in AsyncAPI documents, is `type: [T, "null"]` in JSON Schema.
    if original.get("nullable") is True and isinstance(copied.get("type"), str):
        copied["type"] = [copied["type"], "null"]
    copied.pop("nullable", None)
    return copied


# Keywords that constrain one JSON type only. Beside a `type` that excludes it, JSON Schema ignores such a keyword,
# but datamodel-code-generator would apply it anyway (`minLength` on an array became a bound of the list).
_KEYWORDS_OF_TYPE = {
    "string": ("minLength", "maxLength", "pattern", "format"),
    "array": ("minItems", "maxItems", "uniqueItems"),
    "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
}


def _drop_keywords_of_other_types(copied: dict[str, Any]) -> dict[str, Any]:
    declared = copied.get("type")
    types = {declared} if isinstance(declared, str) else set(declared) if isinstance(declared, list) else None
    if types is None:
        return copied
    if "integer" in types:
        types.add("number")
    for json_type, keywords in _KEYWORDS_OF_TYPE.items():
        if json_type not in types:
            for keyword in keywords:
                copied.pop(keyword, None)
    return copied


def _tuple_items_to_any(copied: dict[str, Any]) -> dict[str, Any]:
    # Draft 7's tuple form `items: [A, B]` constrains positions, not every item; datamodel-code-generator reads it
    # as a list of A | B and refuses valid arrays. Any items (the list's bounds kept) accepts every valid array.
    if isinstance(copied.get("items"), list):
        del copied["items"]
        copied.pop("additionalItems", None)
    return copied
