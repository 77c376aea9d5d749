"""Fixtures of the unit suite: small spec files written into tmp_path, and one shared build of the Runway spec.

The full build (datamodel-code-generator + ruff) costs about a second, so the Runway spec is built once per
session and written once; tests that need an OUT folder copy that tree.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from asyncapi_gen.build import BuildOptions, BuildResult, build
from asyncapi_gen.write import write_tree

from .support import import_models_standalone

REPO = Path(__file__).resolve().parents[2]
RUNWAY_SPEC = REPO / "spec" / "runway-characters.yaml"
RUNWAY_PACKAGE = "unit_runway"  # distinct from the golden package, so two suites never share sys.modules entries

MINIMAL_DOC: dict[str, Any] = {
    "asyncapi": "2.6.0",
    "info": {"title": "Minimal", "version": "1.0.0"},
    "channels": {
        "events": {
            "subscribe": {
                "operationId": "receiveEvent",
                "message": {"name": "Event", "payload": {"$ref": "#/components/schemas/Event"}},
            },
        },
    },
    "components": {
        "schemas": {
            "Event": {
                "type": "object",
                "required": ["type"],
                "properties": {"type": {"type": "string", "const": "event"}, "text": {"type": "string"}},
            },
        },
    },
}

SpecWriter = Callable[..., Path]


@pytest.fixture
def minimal_doc() -> dict[str, Any]:
    """A fresh copy of a small valid AsyncAPI 2.6 document (one channel, one model)."""
    return copy.deepcopy(MINIMAL_DOC)


@pytest.fixture
def write_spec(tmp_path: Path) -> SpecWriter:
    """Write text (as is) or a dict (as YAML, or JSON for a `.json` name) to tmp_path/<name>; return the path."""

    def write(content: str | bytes | dict[str, Any], name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        elif name.endswith(".json"):
            path.write_text(json.dumps(content, indent=2), encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def runway_build() -> BuildResult:
    """The Runway spec built once for the whole session (package `unit_runway`)."""
    result = build(RUNWAY_SPEC, BuildOptions(package=RUNWAY_PACKAGE), display="spec/runway-characters.yaml")
    assert result.ok, [d.render() for d in result.diagnostics]
    return result


@pytest.fixture(scope="session")
def runway_tree(runway_build: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Runway build written to disk once; copy it before changing anything in it."""
    out = tmp_path_factory.mktemp("runway") / "runway-characters"
    write_tree(runway_build.files, out)
    return out


@pytest.fixture(scope="session")
def runway_models(runway_tree: Path) -> Iterator[ModuleType]:
    """`unit_runway.models` imported standalone (by file path), so it does not need the runtime package."""
    module = import_models_standalone(runway_tree / RUNWAY_PACKAGE / "models.py", "unit_runway_models")
    yield module
    sys.modules.pop("unit_runway_models", None)
