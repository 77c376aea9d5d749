"""Where the generator's own files are; kept apart so that `check` can find them without importing Jinja."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def builtin_templates() -> Path:
    """The templates folder: inside the installed package, or the repository's `templates/` in a source checkout."""
    installed = resources.files("asyncapi_gen").joinpath("templates")
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parents[2] / "templates"
