"""Generated packages for broker tests: the committed golden record, or a corpus document built into a folder."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from asyncapi_gen.build import BuildOptions, build
from asyncapi_gen.load import parse_text
from asyncapi_gen.write import write_tree
from jsonschema import Draft7Validator

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "corpus" / "documents"
GENERATED = REPO / "generated"


@contextmanager
def imported(root: Path, package: str) -> Iterator[ModuleType]:
    """``package`` imported from ``root`` (a distribution folder), forgotten again afterwards."""
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]


def build_into(spec: Path, package: str, out: Path) -> Path:
    """Build ``spec`` as ``package`` into ``out``; returns ``out`` (the folder to put on ``sys.path``)."""
    result = build(spec, BuildOptions(package=package, ref_root=CORPUS))
    assert result.ok, [d.render() for d in result.diagnostics]
    write_tree(result.files, out)
    return out


def payload_validator(spec: Path, pointer: str) -> Draft7Validator:
    """A JSON Schema validator of the schema at ``pointer`` (``#/components/schemas/x``) in the document itself:
    the judge of what travels, independent of the generated models."""
    # YAML 1.2, as AsyncAPI tools read it (`on`/`off` are strings): PyYAML's safe_load would make them booleans.
    document: dict[str, Any] = parse_text(spec.read_text(), spec.name)[0]
    return Draft7Validator({**document, "$ref": pointer})
