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


def test_a_target_may_be_lenient_and_the_table_sets_it_for_every_target(tmp_path: Path) -> None:
    (target,) = load_targets(write_config(tmp_path, "lenient = true\n"))
    assert target.lenient is True
    (default,) = load_targets(write_config(tmp_path, ""))
    assert default.lenient is False
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.asyncapi-gen]\nlenient = true\n[[tool.asyncapi-gen.targets]]\nspec = "a.yaml"\n'
                         'output = "out"\n[[tool.asyncapi-gen.targets]]\nspec = "b.yaml"\noutput = "b"\nlenient = false\n')
    assert [t.lenient for t in load_targets(pyproject)] == [True, False]


def test_lenient_takes_a_boolean_only(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="lenient"):
        load_targets(write_config(tmp_path, 'lenient = "yes"\n'))
