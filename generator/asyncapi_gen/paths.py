"""Where the generator's own files are; kept apart so that `check` can find them without importing Jinja."""

from __future__ import annotations

from pathlib import Path


def builtin_templates() -> Path:
    """The templates folder: inside the installed package, or the repository's `templates/` in a source checkout."""
    package = Path(__file__).resolve().parent  # what importlib.resources names, without importing it
    installed = package / "templates"
    if installed.is_dir():
        return installed
    return package.parents[1] / "templates"
