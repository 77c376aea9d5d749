"""`[tool.asyncapi-gen]` in pyproject.toml: the targets that bare `asyncapi-gen build` and `check` work on."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Target:
    """One spec and where its package goes; paths are absolute, resolved against the pyproject's folder."""

    spec: Path
    output: Path | None  # None: the build's default, ./<distribution>
    package: str | None
    templates: Path | None
    ref_root: Path | None
    transport: str | None = None  # webrtc, websocket or none; None: chosen from the spec
    describes: str | None = None  # server or client: which end the document's application is; None: from the spec
    lenient: bool = False  # build from documents the official JSON Schema rejects, when they remain understandable


class ConfigError(Exception):
    """The configuration is missing or malformed; the message says where."""


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml with a `[tool.asyncapi-gen]` table, from start upwards."""
    for folder in (start.resolve(), *start.resolve().parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "asyncapi-gen" in _tool_tables(candidate):
            return candidate
    return None


def load_targets(pyproject: Path) -> list[Target]:
    """Every target of the configuration.

    ```toml
    [tool.asyncapi-gen]
    templates = "my-templates"          # optional, for every target
    [[tool.asyncapi-gen.targets]]
    spec = "spec/api.yaml"
    output = "generated/api"
    package = "api"                     # optional; templates and ref-root may be set per target too
    describes = "client"                # optional: the document describes the client of the connection
    lenient = true                      # optional (here or for every target): schema violations become warnings
    ```
    """
    table = _tool_tables(pyproject).get("asyncapi-gen")
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: no [tool.asyncapi-gen] table")
    raw_targets = table.get("targets")
    if not isinstance(raw_targets, list) or not raw_targets:
        raise ConfigError(f"{pyproject}: [tool.asyncapi-gen] needs at least one [[tool.asyncapi-gen.targets]]")
    base = pyproject.parent
    return [_target(base, pyproject, table, raw, i) for i, raw in enumerate(raw_targets)]


def _target(base: Path, pyproject: Path, table: dict[str, Any], raw: Any, index: int) -> Target:
    where = f"{pyproject}: tool.asyncapi-gen.targets[{index}]"
    if not isinstance(raw, dict) or not isinstance(raw.get("spec"), str) or not isinstance(raw.get("output"), str):
        raise ConfigError(f"{where} needs string keys `spec` and `output`")
    unknown = set(raw) - {"spec", "output", "package", "templates", "ref-root", "transport", "describes", "lenient"}
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
    templates = raw.get("templates", table.get("templates"))
    ref_root = raw.get("ref-root", table.get("ref-root"))
    package = raw.get("package")
    return Target(
        spec=base / raw["spec"],
        output=base / raw["output"],
        package=package if isinstance(package, str) else None,
        templates=base / templates if isinstance(templates, str) else None,
        ref_root=base / ref_root if isinstance(ref_root, str) else None,
        transport=raw["transport"] if isinstance(raw.get("transport"), str) else None,
        describes=_describes(raw.get("describes"), where),
        lenient=_lenient(raw.get("lenient", table.get("lenient", False)), where),
    )


def _lenient(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ConfigError(f"{where}: `lenient` must be true or false, not {value!r}")


def _describes(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if value in ("server", "client"):
        return str(value)
    raise ConfigError(f"{where}: `describes` must be \"server\" or \"client\", not {value!r}")


def _tool_tables(pyproject: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{pyproject}: {exc}") from None
    tool = data.get("tool")
    return tool if isinstance(tool, dict) else {}
