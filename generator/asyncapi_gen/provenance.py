"""The provenance manifest (`.asyncapi-gen` in every output folder) and the fast `check` that reads it.

The manifest records what a tree was made from: the generator (version, and a digest of its code, templates,
runtime and the versions of ruff and datamodel-code-generator), the spec (file name, title, version), the sha256
of every input file, the options, and the sha256 of every file made. `check` compares those digests with the
disk: when all agree the tree is current, and datamodel-code-generator is never imported. When they do not, it
can say why: spec content changed, spec version changed, generator changed, or a generated file was edited.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from asyncapi_gen import __version__
from asyncapi_gen.paths import builtin_templates

MANIFEST = ".asyncapi-gen"
_DELEGATES = ("ruff", "datamodel-code-generator")  # their output is part of ours
_DEBRIS_FOLDERS = frozenset({"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", "build", "dist"})


@dataclass(frozen=True)
class BuildRecord:
    """The options a tree was built with, as recorded (paths relative to the spec's folder, never absolute)."""

    spec_file: str
    package_option: str | None
    transport_option: str | None
    ref_root: str | None
    templates: str | None  # digest of the override folder
    describes_option: str | None = None
    lenient: bool = False  # recorded only when True, so that trees built before the option existed stay current


_UNRECORDED_DEFAULTS: dict[str, object] = {"lenient": False}  # options a manifest leaves out at their default


def record_for(spec: Path, package: str | None, transport: str | None, ref_root: Path | None,
               template_dir: Path | None, describes: str | None = None, lenient: bool = False) -> BuildRecord:
    """The record of one invocation's options."""
    root = os.path.relpath(ref_root.resolve(), spec.resolve().parent) if ref_root else None
    return BuildRecord(spec.name, package, transport, Path(root).as_posix() if root else None,
                       templates_digest(template_dir), describes, lenient)


def _recorded_options(record: BuildRecord) -> dict[str, object]:
    return {name: value for name, value in asdict(record).items()
            if not (name in _UNRECORDED_DEFAULTS and value == _UNRECORDED_DEFAULTS[name])}


def manifest_text(files: dict[str, str], title: str, version: str, inputs: dict[str, str],
                  record: BuildRecord) -> str:
    """The manifest for a generated tree; deterministic (sorted keys, no time, relative paths only)."""
    data = {
        "note": "made by asyncapi-gen; do not edit (asyncapi-gen check reads it)",
        "generator_version": __version__,
        "generator_digest": generator_digest(),
        "spec": {"title": title, "version": version},
        "options": _recorded_options(record),
        "inputs": dict(sorted(inputs.items())),
        "files": {path: _digest(text.encode("utf-8")) for path, text in sorted(files.items())},
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def templates_digest(template_dir: Path | None) -> str | None:
    """One digest over every file of a template override folder (None without one)."""
    return _folder_digest(template_dir) if template_dir is not None else None


@cache
def generator_digest() -> str:
    """A digest of everything that shapes the output besides the spec: our code, templates, runtime, delegates."""
    digest = hashlib.sha256(__version__.encode())
    # Code and vendored schemas only: an installed wheel also holds templates/ inside the package, an editable
    # install does not, and both must record the same digest.
    digest.update(_folder_digest(Path(__file__).resolve().parent, (".py", ".json")).encode())
    digest.update(_folder_digest(builtin_templates()).encode())
    for name in _DELEGATES:
        version = installed_version(name)
        # major.minor: pyproject pins both to one minor series, whose patch releases keep their output
        digest.update(f"{name}=={'.'.join(version.split('.')[:2])}".encode() if version else f"{name} missing".encode())
    return digest.hexdigest()


def installed_version(name: str) -> str | None:
    """The version of an installed distribution, as importlib.metadata.version says (None when not installed).

    Read from the name of its `<name>-<version>.dist-info` folder, first on sys.path, as importlib.metadata finds
    it: importing importlib.metadata costs more than the rest of a current `check`. Other layouts (an egg, an
    editable install of another kind) are left to importlib.metadata.
    """
    wanted = re.sub(r"[-_.]+", "_", name).lower()
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            distribution, _, version = folder.removesuffix(".dist-info").partition("-")
            if folder.endswith(".dist-info") and re.sub(r"[-_.]+", "_", distribution).lower() == wanted:
                return version
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def input_digests(spec: Path, paths: list[Path]) -> dict[str, str]:
    """sha256 of each input file, keyed by its path relative to the spec's folder (`..` allowed)."""
    base = spec.resolve().parent
    return {Path(os.path.relpath(p.resolve(), base)).as_posix(): _digest(p.read_bytes()) for p in paths}


@dataclass(frozen=True)
class QuickStatus:
    """The verdict of the fast check: current, or stale with reasons."""

    current: bool
    reasons: tuple[str, ...]


def quick_check(spec: Path, out: Path, record: BuildRecord) -> QuickStatus:
    """Decide from digests alone whether out is what spec would generate now with these options."""
    manifest = _read_manifest(out)
    if manifest is None:
        return QuickStatus(False, (f"no readable {MANIFEST} manifest (never built, or not by asyncapi-gen)",))
    reasons: list[str] = []
    if manifest.get("generator_version") != __version__:
        reasons.append(f"generator version changed: made by {manifest.get('generator_version')}, now {__version__}")
    elif manifest.get("generator_digest") != generator_digest():
        reasons.append("generator changed (its code, templates, runtime, ruff or datamodel-code-generator)")
    recorded = manifest.get("options") or {}
    for name, value in asdict(record).items():
        before = recorded.get(name, _UNRECORDED_DEFAULTS.get(name))
        if before != value:
            reasons.append(f"option {name} changed: {before!r} -> {value!r}")
    base = spec.resolve().parent
    for relative, digest in (manifest.get("inputs") or {}).items():
        path = base / relative
        if not path.is_file() or _digest(path.read_bytes()) != digest:
            reasons.append(f"input {relative} changed since the build")
    expected = manifest.get("files") or {}
    for relative, digest in sorted(expected.items()):
        path = out / relative
        if not path.is_file():
            reasons.append(f"{relative}: missing")
        elif _digest(path.read_bytes()) != digest:
            reasons.append(f"{relative}: edited by hand (differs from what was generated)")
    for relative in sorted(files_on_disk(out) - set(expected) - {MANIFEST}):
        reasons.append(f"{relative}: extra file in a generated folder")
    return QuickStatus(not reasons, tuple(reasons))


def files_on_disk(out: Path) -> set[str]:
    """The files of a generated folder, as relative POSIX paths, minus what tools leave there (caches, builds)."""
    if not out.is_dir():
        return set()
    found: set[str] = set()
    for path in out.rglob("*"):
        relative = path.relative_to(out)
        folders = relative.parts[:-1]
        debris = path.suffix == ".pyc" or any(p in _DEBRIS_FOLDERS or p.endswith(".egg-info") for p in folders)
        if path.is_file() and not debris:
            found.add(relative.as_posix())
    return found


def recorded_spec(out: Path) -> dict[str, Any]:
    """The spec title and version the tree was made from ({} when unknown)."""
    manifest = _read_manifest(out)
    spec = manifest.get("spec") if manifest else None
    return spec if isinstance(spec, dict) else {}


def _folder_digest(folder: Path, suffixes: tuple[str, ...] | None = None) -> str:
    """Digest of the files under folder (only those with suffixes, outside `templates/`, when suffixes is given)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or "__pycache__" in relative.parts:
            continue
        if suffixes is not None and (path.suffix not in suffixes or relative.parts[0] == "templates"):
            continue
        digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _read_manifest(out: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
