"""The provenance manifest (`.asyncapi-gen` in every output folder) and the fast `check` that reads it.

The manifest records what a tree was made from (generator version, spec title/version/sha256, every input file's
sha256, the template overrides' digest) and the sha256 of every file made. `check` compares those digests with the
disk: when all agree the tree is current, and datamodel-code-generator is never imported. When they do not, it
can say why: spec content changed, spec version changed, generator changed, or a generated file was edited.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asyncapi_gen import __version__

MANIFEST = ".asyncapi-gen"


def manifest_text(files: dict[str, str], title: str, version: str, inputs: dict[str, str],
                  templates_digest: str | None, package: str, transport: str | None) -> str:
    """The manifest for a generated tree; deterministic (sorted keys, no time, relative paths only)."""
    data = {
        "note": "made by asyncapi-gen; do not edit (asyncapi-gen check reads it)",
        "generator_version": __version__,
        "spec": {"title": title, "version": version},
        "package": package,
        "transport_option": transport,
        "inputs": dict(sorted(inputs.items())),
        "templates": templates_digest,
        "files": {path: _digest(text.encode("utf-8")) for path, text in sorted(files.items())},
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def templates_digest(template_dir: Path | None) -> str | None:
    """One digest over every file of a template override folder (None without one)."""
    if template_dir is None:
        return None
    digest = hashlib.sha256()
    for path in sorted(p for p in template_dir.rglob("*") if p.is_file()):
        digest.update(path.relative_to(template_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def input_digests(spec: Path, paths: list[Path]) -> dict[str, str]:
    """sha256 of each input file, keyed by its path relative to the spec's folder (`..` allowed)."""
    import os

    base = spec.resolve().parent
    return {Path(os.path.relpath(p.resolve(), base)).as_posix(): _digest(p.read_bytes()) for p in paths}


@dataclass(frozen=True)
class QuickStatus:
    """The verdict of the fast check: current, or stale with reasons (empty reasons: undecided, rebuild)."""

    current: bool
    reasons: tuple[str, ...]


def quick_check(spec: Path, out: Path, template_dir: Path | None, package: str | None,
                transport: str | None = None) -> QuickStatus:
    """Decide from digests alone whether out is what spec would generate now."""
    manifest = _read_manifest(out)
    if manifest is None:
        return QuickStatus(False, (f"{out} has no readable {MANIFEST} manifest (never built, or not by us)",))
    reasons: list[str] = []
    if manifest.get("generator_version") != __version__:
        reasons.append(f"generator version changed: made by {manifest.get('generator_version')}, now {__version__}")
    if package is not None and manifest.get("package") != package:
        reasons.append(f"package name changed: {manifest.get('package')} -> {package}")
    if manifest.get("transport_option") != transport:
        reasons.append(f"transport option changed: {manifest.get('transport_option')} -> {transport}")
    if manifest.get("templates") != templates_digest(template_dir):
        reasons.append("template overrides changed")
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
    for path in sorted(out.rglob("*")):
        relative = path.relative_to(out).as_posix()
        if path.is_file() and relative not in expected and relative != MANIFEST and not _ignorable(path, out):
            reasons.append(f"{relative}: extra file in a generated folder")
    return QuickStatus(not reasons, tuple(reasons))


def recorded_spec(out: Path) -> dict[str, Any]:
    """The spec title and version the tree was made from ({} when unknown)."""
    manifest = _read_manifest(out)
    spec = manifest.get("spec") if manifest else None
    return spec if isinstance(spec, dict) else {}


def _ignorable(path: Path, out: Path) -> bool:
    parts = path.relative_to(out).parts
    return any(p == "__pycache__" or p.startswith(".") or p.endswith(".egg-info") for p in parts[:-1]) or \
        path.suffix == ".pyc"


def _read_manifest(out: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
