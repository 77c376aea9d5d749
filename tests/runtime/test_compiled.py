"""The codec's compiled validators and serializers give the verdicts and the JSON of the models' own.

`core/compiled.py` says WireModel's Python wire rules (no null where the schema refuses it, required constants
sent) in pydantic-core's terms, for speed. The judge here is the model's own validator, with the Python rules:
on instances drawn from each channel's schema in every golden package, and on their mutations (nulls, dropped
keys, Python names, other types), both must accept the same candidates, build the same models and dump the same
JSON. The semantics suite (tests/semantics) judges the same decoder against jsonschema over the whole corpus.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from tests.brokers.packages import imported
from tests.semantics import harness

GENERATED = Path(__file__).resolve().parents[2] / "generated"
GOLDEN = sorted(path for path in GENERATED.iterdir() if (path / ".asyncapi-gen").is_file())
PER_ADAPTER = 4
MUTATIONS = 24


def _package_name(root: Path) -> str:
    return next(path.parent.name for path in root.glob("*/channels.py"))


@pytest.fixture(params=GOLDEN, ids=[path.name for path in GOLDEN])
def package(request: pytest.FixtureRequest) -> Iterator[ModuleType]:
    root: Path = request.param
    with imported(root, _package_name(root)) as module:
        yield module


def _adapters(package: ModuleType) -> dict[str, TypeAdapter[Any]]:
    found: dict[str, TypeAdapter[Any]] = {}
    for spec in package.channels.CHANNELS:
        for role in ("server_inbound", "client_inbound", "server_headers", "client_headers"):
            adapter = getattr(spec, role, None)
            if isinstance(adapter, TypeAdapter):
                found[f"{spec.address} {role}"] = adapter
    return found


def _verdict(validator: Any, raw: str, *, json_input: bool) -> tuple[str, Any]:
    try:
        if json_input:
            value = validator.validate_json(raw, strict=True, by_alias=True, by_name=False)
        else:
            value = validator.validate_python(json.loads(raw))
    except ValidationError as error:
        return "rejected", [e["loc"] for e in error.errors()]
    if isinstance(value, BaseModel):
        return "accepted", (type(value), value.model_dump(mode="json"), value.model_fields_set)
    return "accepted", value


def _candidates(adapter: TypeAdapter[Any]) -> list[str]:
    try:
        instances = harness.draw(adapter.json_schema(), PER_ADAPTER)
    except Exception:  # noqa: BLE001 - a schema hypothesis-jsonschema cannot draw from: its mutations of {}
        instances = [{}]
    texts = []
    for instance in instances or [{}]:
        texts.append(json.dumps(instance))
        texts += [json.dumps(candidate.instance) for candidate in harness.mutations(instance, MUTATIONS)]
    return texts


def test_every_golden_adapter_is_compiled_and_agrees_with_the_models_own_rules(package: ModuleType) -> None:
    compiled = package._runtime.core.compiled
    adapters = _adapters(package)
    assert adapters
    checked = 0
    for where, adapter in adapters.items():
        json_validator, python_validator = compiled.json_validator(adapter), compiled.python_validator(adapter)
        # The speed is real: no adapter of a golden package falls back to its own validator.
        assert json_validator is not adapter.validator, where
        assert python_validator is not adapter.validator, where
        for raw in _candidates(adapter):
            # A rejection's locations may name union branches differently: the verdict is what must agree.
            expected = _verdict(adapter.validator, raw, json_input=True)
            got = _verdict(json_validator, raw, json_input=True)
            assert got[0] == expected[0] and (got[0] == "rejected" or got == expected), (where, raw, expected)
            expected = _verdict(adapter.validator, raw, json_input=False)
            got = _verdict(python_validator, raw, json_input=False)
            assert got[0] == expected[0] and (got[0] == "rejected" or got == expected), (where, raw, expected)
            checked += 1
    assert checked >= 10 * len(adapters)


def test_the_codec_dumps_what_the_models_own_serializer_dumps(package: ModuleType) -> None:
    core = package._runtime.core
    dumped = 0
    for where, adapter in _adapters(package).items():
        for raw in _candidates(adapter):
            try:
                value = adapter.validator.validate_json(raw, strict=True, by_alias=True, by_name=False)
            except ValidationError:
                continue
            if not isinstance(value, BaseModel):
                continue
            serializer = core.compiled.serializer_of(type(value))
            assert serializer is not type(value).__pydantic_serializer__, where
            own = type(value).__pydantic_serializer__.to_json(value, by_alias=True, exclude_none=True)
            assert core.codec.encode_json(value) == own, (where, raw)
            dumped += 1
    assert dumped


def test_a_refused_null_and_a_missing_constant_are_still_refused_on_the_wire() -> None:
    with imported(GENERATED / "runway-characters", "runway_characters") as runway:
        core, models = runway._runtime.core, runway.models
        adapter = TypeAdapter(models.Transcript)
        decode = core.compiled.json_validator(adapter)
        good = models.Transcript.model_validate(
            {"type": "transcript", "role": "user", "text": "hi", "isFinal": True,
             "timestamp": "2026-12-06T10:00:00Z"}).model_dump_json()
        assert decode.validate_json(good, strict=True, by_alias=True, by_name=False).is_final is True
        for bad in ({**json.loads(good), "isFinal": None}, {k: v for k, v in json.loads(good).items() if k != "type"}):
            with pytest.raises(ValidationError):
                decode.validate_json(json.dumps(bad), strict=True, by_alias=True, by_name=False)
