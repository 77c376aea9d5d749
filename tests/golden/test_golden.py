"""generated/ is the golden record: it must be exactly what the generator makes from spec/, and pass the linters."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "generated" / "runway-characters"
SPEC = REPO / "spec" / "runway-characters.yaml"


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)


def test_check_over_the_configured_target_passes() -> None:
    result = run(sys.executable, "-m", "asyncapi_gen", "check")
    assert result.returncode == 0, result.stderr


def test_build_from_another_directory_equals_golden_and_is_deterministic(tmp_path: Path) -> None:
    outputs = []
    for name in ("one", "two"):
        out = tmp_path / name
        result = run("asyncapi-gen", "build", str(SPEC), "-o", str(out), "--package", "runway_characters",
                     cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        outputs.append(out)
    assert _tree(outputs[0]) == _tree(outputs[1])
    assert _tree(outputs[0]) == _tree(GOLDEN)


def test_no_absolute_paths_or_timestamps_in_output() -> None:
    for path, data in _tree(GOLDEN).items():
        text = data.decode("utf-8")
        assert str(REPO) not in text, path
        assert "/root/" not in text and "/home/" not in text, path


def test_generated_package_passes_ruff_and_mypy_strict(tmp_path: Path) -> None:
    copy = tmp_path / "pkg"
    shutil.copytree(GOLDEN, copy)
    ruff = run(sys.executable, "-m", "ruff", "check", "--isolated", str(copy))
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    mypy = run(sys.executable, "-m", "mypy", "--strict", "--no-incremental", "runway_characters", cwd=copy)
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr


def test_editing_a_generated_file_makes_check_fail_and_name_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(GOLDEN, out)
    models = out / "runway_characters" / "models.py"
    models.write_text(models.read_text() + "\n# edited\n")
    result = run("asyncapi-gen", "check", str(SPEC), "-o", str(out), "--package", "runway_characters")
    assert result.returncode == 1
    assert "runway_characters/models.py" in result.stderr
    assert "edited by hand" in result.stderr


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture(autouse=True)
def _golden_exists() -> None:
    assert GOLDEN.is_dir(), "generated/runway-characters is missing: run `asyncapi-gen build`"
