"""samples.py: a value valid against a prepared JSON Schema, for the mock's replies when the spec has no example."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from asyncapi_gen.build import BuildResult
from asyncapi_gen.samples import sample
from hypothesis import given
from hypothesis import strategies as st


def assert_valid(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> Any:
    value = sample(schema, defs or {})
    root = dict(schema) | ({"$defs": defs} if defs else {})
    jsonschema.Draft7Validator(root, format_checker=jsonschema.FormatChecker()).validate(value)
    return value


@pytest.mark.parametrize("schema", [
    {"type": "string"},
    {"type": "string", "minLength": 12},
    {"type": "string", "format": "date-time"},
    {"type": "string", "format": "email"},
    {"type": "string", "format": "uuid"},
    {"type": "integer", "minimum": 3},
    {"type": "number", "minimum": 1.5},
    {"type": "boolean"},
    {"type": "null"},
    {"type": ["null", "string"]},
    {"type": "array", "items": {"type": "integer"}, "minItems": 2},
    {"enum": ["b", "a"]},
    {"const": "session_state"},
    {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}},
    {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    {"allOf": [{"type": "object", "required": ["a"], "properties": {"a": {"const": 1}}},
               {"type": "object", "required": ["b"], "properties": {"b": {"type": "boolean"}}}]},
])
def test_sample_is_valid_against_its_schema(schema: dict[str, Any]) -> None:
    assert_valid(schema)


def test_sample_prefers_const_then_enum_then_default_then_examples() -> None:
    assert sample({"type": "string", "const": "x", "enum": ["y"]}, {}) == "x"
    assert sample({"type": "string", "enum": ["y", "z"], "default": "z"}, {}) == "y"
    assert sample({"type": "string", "default": "d", "examples": ["e"]}, {}) == "d"
    assert sample({"type": "string", "examples": ["e"]}, {}) == "e"


def test_sample_follows_defs_refs() -> None:
    defs = {"Inner": {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer", "minimum": 2}}}}
    value = assert_valid({"type": "object", "required": ["inner"],
                          "properties": {"inner": {"$ref": "#/$defs/Inner"}}}, defs)
    assert value == {"inner": {"n": 2}}


def test_sample_of_a_recursive_schema_terminates() -> None:
    defs = {"Node": {"type": "object", "required": ["next"], "properties": {"next": {"$ref": "#/$defs/Node"}}}}
    value = sample({"$ref": "#/$defs/Node"}, defs)
    depth = 0
    while isinstance(value, dict) and value:
        value, depth = value["next"], depth + 1
    assert depth < 20


def test_every_runway_model_gets_a_valid_sample(runway_build: BuildResult) -> None:
    assert runway_build.api is not None
    defs = runway_build.api.models_schema["$defs"]
    for name in runway_build.api.model_names:
        assert_valid({"$ref": f"#/$defs/{name}"}, defs)


_SCALARS = st.sampled_from([{"type": "string"}, {"type": "integer"}, {"type": "boolean"}, {"type": "number"},
                            {"type": "string", "format": "date-time"}, {"enum": ["a", "b"]}])
_SCHEMAS = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.builds(lambda items, n: {"type": "array", "items": items, "minItems": n}, inner, st.integers(0, 2)),
    st.dictionaries(st.text(min_size=1, max_size=5), inner, max_size=4).map(
        lambda props: {"type": "object", "properties": props, "required": sorted(props)}),
), max_leaves=10)


@given(_SCHEMAS)
def test_sample_is_valid_for_generated_schemas(schema: dict[str, Any]) -> None:
    assert_valid(schema)
