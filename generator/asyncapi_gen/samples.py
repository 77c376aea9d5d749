"""Make a JSON value valid against a (prepared) JSON Schema: the mock's reply when a message has no example."""

from __future__ import annotations

from typing import Any

_FORMAT_SAMPLES = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "hostname": "example.com",
}
_MAX_DEPTH = 8


def sample(schema: Any, defs: dict[str, Any], depth: int = 0, *, every_property: bool = False) -> Any:
    """A value satisfying schema: required properties only (every property with every_property), the first enum
    value or example, the smallest allowed numbers."""
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return None
    if "$ref" in schema:
        return sample(defs.get(str(schema["$ref"]).rsplit("/", 1)[-1], {}), defs, depth + 1,
                      every_property=every_property)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    for key in ("oneOf", "anyOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return sample(schema[key][0], defs, depth + 1, every_property=every_property)
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = sample(part, defs, depth + 1, every_property=every_property)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    return _by_type(schema, defs, depth, every_property)


def _by_type(schema: dict[str, Any], defs: dict[str, Any], depth: int, every_property: bool) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and "properties" in schema):
        found = schema.get("properties")
        properties: dict[str, Any] = found if isinstance(found, dict) else {}
        required = [r for r in schema.get("required") or () if isinstance(r, str)]
        names = [*required, *(name for name in properties if name not in required)] if every_property else required
        return {name: sample(properties.get(name, {}), defs, depth + 1, every_property=every_property)
                for name in names}
    if kind == "array":
        count = int(schema.get("minItems", 0) or 0)
        return [sample(schema.get("items", {}), defs, depth + 1, every_property=every_property) for _ in range(count)]
    if kind == "string":
        text = _FORMAT_SAMPLES.get(str(schema.get("format")), "text")
        minimum = int(schema.get("minLength", 0) or 0)
        return text + "x" * max(0, minimum - len(text))
    if kind == "integer":
        return int(schema.get("minimum", 0) or 0)
    if kind == "number":
        return float(schema.get("minimum", 0) or 0)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return {}
