"""config.py: `[tool.asyncapi-gen]` targets, their keys and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from asyncapi_gen.config import ConfigError, load_targets


def write_config(tmp_path: Path, target: str) -> Path:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f'[tool.asyncapi-gen]\n[[tool.asyncapi-gen.targets]]\nspec = "a.yaml"\noutput = "out"\n{target}')
    return pyproject


def test_a_target_says_which_end_its_document_describes(tmp_path: Path) -> None:
    (target,) = load_targets(write_config(tmp_path, 'describes = "client"\n'))
    assert target.describes == "client"
    (default,) = load_targets(write_config(tmp_path, ""))
    assert default.describes is None


def test_describes_takes_server_or_client_only(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="describes"):
        load_targets(write_config(tmp_path, 'describes = "peer"\n'))
