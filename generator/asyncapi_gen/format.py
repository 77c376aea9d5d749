"""Format generated Python with ruff (sort imports, drop unused ones, then `ruff format`), isolated from user config.

All files go through one `ruff check --fix` and one `ruff format` call over a temporary folder: two processes
for the whole package instead of two per file.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

# Ruff's own defaults plus sorted imports (I) and modern syntax (UP): generated code then passes a plain
# `ruff check` with no configuration, wherever it is vendored.
_EXTRA_RULES = "I,UP"


class FormatError(Exception):
    """ruff could not format the code: a bug in a template, reported with ruff's message."""


def format_python(files: dict[str, str]) -> dict[str, str]:
    """The same mapping with every `.py` value formatted; other files pass through unchanged."""
    # The runtime is copied verbatim (it is kept in ruff's default shape at its source); only rendered code is formatted.
    python = {path: text for path, text in files.items() if path.endswith(".py") and "/_runtime/" not in path}
    if not python:
        return dict(files)
    with tempfile.TemporaryDirectory(prefix="asyncapi-gen-fmt-") as tmp:
        root = Path(tmp)
        for path, text in python.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        common = ["--isolated", "--target-version", "py311"]
        _ruff(["check", "--fix", "--extend-select", _EXTRA_RULES, "--exit-zero", "--quiet", *common, "."], root)
        _ruff(["format", *common, "."], root)
        formatted = {path: (root / path).read_text(encoding="utf-8") for path in python}
    return {path: formatted.get(path, text) for path, text in files.items()}


def _ruff(arguments: list[str], cwd: Path) -> None:
    result = subprocess.run([_ruff_binary(), *arguments], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise FormatError(f"ruff {arguments[0]} failed: {result.stderr.strip() or result.stdout.strip()}")


def _ruff_binary() -> str:
    try:
        from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
    except ImportError:
        return "ruff"
    return str(find_ruff_bin())
