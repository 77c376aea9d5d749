"""Helpers of the unit suite: import generated code from a folder and forget it again, snapshot trees."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def import_from(root: Path, module: str) -> ModuleType:
    """Import module (dotted) with root first on sys.path; undo with forget(root, top-level package)."""
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    return importlib.import_module(module)


def forget(root: Path, package: str) -> None:
    """Remove root from sys.path and every module of package from sys.modules."""
    while str(root) in sys.path:
        sys.path.remove(str(root))
    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        del sys.modules[name]


def import_models_standalone(path: Path, name: str) -> ModuleType:
    """Import a generated package's models.py by its path, also under name, without the package's __init__.

    The models derive from the package's own `_runtime` (core only: pydantic), so the package folder is made
    a namespace for the import: its `__init__`, which imports client and server, is not run.
    """
    package = f"{name}_pkg"
    spec = importlib.util.spec_from_file_location(package, path.parent / "__init__.py",
                                                  submodule_search_locations=[str(path.parent)])
    assert spec is not None
    sys.modules[package] = importlib.util.module_from_spec(spec)  # an empty package: __init__ is not executed
    module = importlib.import_module(f"{package}.models")
    sys.modules[name] = module
    return module


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under root (relative posix path -> bytes), for byte-for-byte comparisons."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
