"""The regeneration loop as a user lives it: config targets, `check`, the real pre-commit hook, template overrides."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "spec" / "runway-characters.yaml"
CONFIG = """
[tool.asyncapi-gen]
[[tool.asyncapi-gen.targets]]
spec = "api/runway.yaml"
output = "client/runway"
package = "runway"
"""


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False, env=env)


def make_project(root: Path) -> Path:
    (root / "api").mkdir(parents=True)
    shutil.copy(SPEC, root / "api" / "runway.yaml")
    (root / "pyproject.toml").write_text(CONFIG)
    return root


def bump(spec: Path, old: str, new: str) -> None:
    spec.write_text(spec.read_text().replace(old, new, 1))


def test_bare_build_and_check_use_the_configured_targets_from_a_subfolder(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    nested = project / "api"
    assert run(["asyncapi-gen", "build"], nested).returncode == 0
    assert (project / "client" / "runway" / "runway" / "models.py").is_file()
    assert run(["asyncapi-gen", "check"], nested).returncode == 0


def test_check_says_why_a_target_is_stale(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    spec = project / "api" / "runway.yaml"
    assert run(["asyncapi-gen", "build"], project).returncode == 0

    bump(spec, "maximum duration of 5 minutes", "maximum duration of 6 minutes")
    content = run(["asyncapi-gen", "check"], project)
    assert content.returncode == 1
    assert "input runway.yaml changed" in content.stderr
    assert "warning[version-not-bumped]" in content.stderr

    bump(spec, "version: '2024-11-06'", "version: '2024-12-01'")
    version = run(["asyncapi-gen", "check", "--diff"], project)
    assert version.returncode == 1
    assert "spec version changed: 2024-11-06 -> 2024-12-01" in version.stderr
    assert "+SPEC_VERSION = \"2024-12-01\"" in version.stdout

    assert run(["asyncapi-gen", "build"], project).returncode == 0
    assert run(["asyncapi-gen", "check"], project).returncode == 0


def test_check_rejects_an_invalid_spec_with_a_located_diagnostic(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    assert run(["asyncapi-gen", "build"], project).returncode == 0
    spec = project / "api" / "runway.yaml"
    spec.write_text(spec.read_text().replace("info:", "inf:", 1))
    result = run(["asyncapi-gen", "check"], project)
    assert result.returncode == 1
    assert "api/runway.yaml:1:1: error[" in result.stderr
    assert "Traceback" not in result.stderr


def test_template_override_changes_that_file_only(tmp_path: Path) -> None:
    plain, custom = tmp_path / "plain", tmp_path / "custom"
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    (overrides / "README.md.jinja").write_text("# {{ api.title | one_line }}\n\nOur own README.\n")
    args = ["asyncapi-gen", "build", str(SPEC), "--package", "runway_characters", "-o"]
    assert run([*args, str(plain)], tmp_path).returncode == 0
    assert run([*args, str(custom), "--templates", str(overrides)], tmp_path).returncode == 0
    differing = sorted(
        p.relative_to(plain).as_posix()
        for p in plain.rglob("*")
        if p.is_file() and p.read_bytes() != (custom / p.relative_to(plain)).read_bytes()
    )
    # The manifest records every file's digest and the overrides' digest, so it changes with them.
    assert differing == [".asyncapi-gen", "README.md"]
    assert "Our own README." in (custom / "README.md").read_text()


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def test_real_pre_commit_hook_guards_generated_code(tmp_path: Path, pre_commit_home: Path) -> None:
    project = make_project(tmp_path / "project")
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    for args in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "spec"]):
        assert run(args, project, env).returncode == 0
    hook = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "asyncapi-gen-check", "--all-files"]

    assert run(["asyncapi-gen", "build"], project).returncode == 0
    current = run(hook, project, env)
    assert current.returncode == 0, current.stdout + current.stderr

    bump(project / "api" / "runway.yaml", "version: '2024-11-06'", "version: '2025-01-01'")
    assert run(hook, project, env).returncode == 1

    assert run(["asyncapi-gen", "build"], project).returncode == 0
    assert run(hook, project, env).returncode == 0

    models = project / "client" / "runway" / "runway" / "models.py"
    models.write_text(models.read_text() + "# a hand edit\n")
    edited = run(hook, project, env)
    assert edited.returncode == 1
    assert "runway/models.py: edited by hand" in edited.stdout + edited.stderr


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("delete", "runway/models.py: missing"),
        ("add", "runway/extra.py: extra file"),
        ("package", "option package_option changed"),
        ("other-spec", "option spec_file changed"),
        ("generator", "generator changed"),
    ],
)
def test_check_is_not_fooled(tmp_path: Path, change: str, reason: str) -> None:
    project = make_project(tmp_path / "project")
    out = project / "client" / "runway"
    assert run(["asyncapi-gen", "build"], project).returncode == 0
    args = ["asyncapi-gen", "check", "api/runway.yaml", "-o", "client/runway", "--package", "runway"]
    assert run(args, project).returncode == 0
    if change == "delete":
        (out / "runway" / "models.py").unlink()
    elif change == "add":
        (out / "runway" / "extra.py").write_text("x = 1\n")
    elif change == "package":
        args[-1] = "runway2"
    elif change == "other-spec":
        shutil.copy(project / "api" / "runway.yaml", project / "api" / "copy.yaml")
        args[2] = "api/copy.yaml"
    else:  # a manifest written by a generator whose code or templates differed from this one
        manifest = out / ".asyncapi-gen"
        manifest.write_text(manifest.read_text().replace('"generator_digest": "', '"generator_digest": "0'))
    result = run(args, project)
    assert result.returncode == 1
    assert reason in result.stderr
