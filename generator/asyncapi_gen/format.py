"""Format generated Python with ruff (sort imports, drop unused ones, then `ruff format`), isolated from user config.

All files go through one `ruff check --fix` and one `ruff format` call over a temporary folder: two processes
for the whole package instead of two per file. One file whose text comes later (models.py, while the models
worker makes it) can have its two ruff processes started before it exists (`FileFormat`), so that their start
is not on the build's critical path.
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


_COMMON = ["--isolated", "--target-version", "py311"]
_FIX = ["check", "--fix", "--extend-select", _EXTRA_RULES, "--exit-zero", "--quiet", *_COMMON]
_FORMAT = ["format", *_COMMON]


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
        _ruff([*_FIX, "."], root)
        _ruff([*_FORMAT, "."], root)
        formatted = {path: (root / path).read_text(encoding="utf-8") for path in python}
    return {path: formatted.get(path, text) for path, text in files.items()}


class FileFormat:
    """The two ruff processes for one file, started now and fed its text later: what `format_python` makes of
    ``{path: text}``, given to `result`. `close` ends them if the text never comes."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._folder = tempfile.TemporaryDirectory(prefix="asyncapi-gen-fmt-")  # an empty project root for ruff
        stdin = ["--stdin-filename", path, "-"]
        self._fix = self._start([*_FIX, *stdin])
        self._format = self._start([*_FORMAT, *stdin])

    def _start(self, arguments: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen([_ruff_binary(), *arguments], cwd=self._folder.name, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def result(self, text: str) -> str:
        """``text`` fixed and formatted; raises `FormatError` with ruff's message."""
        try:
            fixed = self._finish(self._fix, "check", text.encode("utf-8"))
            return self._finish(self._format, "format", fixed).decode("utf-8")
        finally:
            self.close()

    @staticmethod
    def _finish(process: subprocess.Popen[bytes], command: str, source: bytes) -> bytes:
        out, err = process.communicate(source)
        if process.returncode != 0:
            raise FormatError(f"ruff {command} failed: {err.decode('utf-8', 'replace').strip() or out.decode()}")
        return out

    def close(self) -> None:
        for process in (self._fix, self._format):
            if process.poll() is None:
                process.kill()
            process.communicate()
        self._folder.cleanup()


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
