"""The command line: located diagnostics and exit 1 for bad specs (never a traceback, never a half-written OUT),
`--format json`, reproducible builds, and `check`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from asyncapi_gen.cli import main
from asyncapi_gen.provenance import MANIFEST
from click.testing import CliRunner, Result

from .conftest import RUNWAY_PACKAGE, RUNWAY_SPEC, SpecWriter
from .support import tree_bytes
from .test_load import schema_bomb

BAD_SPECS = {
    "yaml-syntax": ("asyncapi: 2.6.0\ninfo:\n  title: [unclosed\n  version: '1'\n", None),
    "ref-unresolved": (("asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels:\n  c:\n    publish:\n"
                        "      message:\n        payload:\n          $ref: '#/components/schemas/Nope'\n"), (8, 17)),
    "missing-field": ("asyncapi: 2.6.0\nchannels: {}\n", (1, 1)),
    "wrong-type": ("asyncapi: 2.6.0\ninfo:\n  title: 3\n  version: '1'\nchannels: {}\n", (3, 10)),
    "unknown-version": ("asyncapi: 9.9.9\ninfo: {title: T, version: '1'}\nchannels: {}\n", (1, 11)),
}


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=True)


@pytest.fixture
def existing_out(runway_tree: Path, tmp_path: Path) -> Path:
    """A copy of a good build, to check that failures leave it alone."""
    out = tmp_path / "out"
    shutil.copytree(runway_tree, out)
    return out


@pytest.mark.parametrize("code", sorted(BAD_SPECS))
def test_bad_spec_exits_1_with_a_located_diagnostic_and_leaves_out_alone(
    code: str, write_spec: SpecWriter, existing_out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text, position = BAD_SPECS[code]
    write_spec(text)
    monkeypatch.chdir(tmp_path)
    before = tree_bytes(existing_out)
    result = invoke("build", "spec.yaml", "-o", "out")
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith("spec.yaml:") and f": error[{code}]: " in first
    if position is not None:
        assert first.startswith(f"spec.yaml:{position[0]}:{position[1]}: ")
    assert tree_bytes(existing_out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "spec.yaml"]


def test_bad_spec_in_a_real_process_prints_no_traceback(write_spec: SpecWriter, existing_out: Path) -> None:
    spec = write_spec(BAD_SPECS["ref-unresolved"][0])
    before = tree_bytes(existing_out)
    done = subprocess.run([sys.executable, "-m", "asyncapi_gen", "build", str(spec), "-o", str(existing_out)],
                          check=False, capture_output=True, text=True, timeout=60, cwd=spec.parent)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert "spec.yaml:8:17: error[ref-unresolved]: " in done.stderr
    assert tree_bytes(existing_out) == before


def test_json_format_prints_one_document_with_each_targets_diagnostics(write_spec: SpecWriter, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    write_spec(BAD_SPECS["wrong-type"][0])
    monkeypatch.chdir(tmp_path)
    result = invoke("build", "spec.yaml", "-o", "out", "--format", "json")
    assert result.exit_code == 1
    document: dict[str, Any] = json.loads(result.stdout)
    assert (document["command"], document["ok"]) == ("build", False)
    (target,) = document["targets"]
    assert (target["spec"], target["ok"], target["written"]) == ("spec.yaml", False, 0)
    (diagnostic,) = target["diagnostics"]
    assert {"file", "line", "col", "pointer", "code", "message", "severity", "hint"} <= set(diagnostic)
    assert (diagnostic["file"], diagnostic["line"], diagnostic["col"]) == ("spec.yaml", 3, 10)
    assert (diagnostic["pointer"], diagnostic["code"], diagnostic["severity"]) == ("/info/title", "wrong-type", "error")
    assert result.stderr == ""  # nothing but the document is printed
    assert not (tmp_path / "out").exists()


def test_refuses_to_write_over_a_user_folder(write_spec: SpecWriter, minimal_doc: dict[str, Any],
                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_spec(minimal_doc)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("mine\n")
    monkeypatch.chdir(tmp_path)
    result = invoke("build", "spec.yaml", "-o", "src")
    assert result.exit_code == 1
    assert "error[write-failed]" in result.stderr
    assert tree_bytes(tmp_path / "src") == {"app.py": b"mine\n"}


def test_good_build_twice_gives_byte_identical_trees(tmp_path: Path, runway_tree: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for out in (first, second):
        result = invoke("build", str(RUNWAY_SPEC), "-o", str(out), "--package", RUNWAY_PACKAGE)
        assert result.exit_code == 0, result.output
    assert tree_bytes(first) == tree_bytes(second)
    # ... and the same bytes as the Python API's build of the same spec, except the spec's display name.
    assert set(tree_bytes(first)) == set(tree_bytes(runway_tree))
    assert not any(b"\r\n" in data for data in tree_bytes(first).values())


def test_check_is_0_when_current_and_1_naming_an_edited_file(existing_out: Path) -> None:
    current = invoke("check", str(RUNWAY_SPEC), "-o", str(existing_out), "--package", RUNWAY_PACKAGE)
    assert current.exit_code == 0, current.output
    models = existing_out / RUNWAY_PACKAGE / "models.py"
    models.write_text(models.read_text() + "# local edit\n")
    stale = invoke("check", str(RUNWAY_SPEC), "-o", str(existing_out), "--package", RUNWAY_PACKAGE)
    assert stale.exit_code == 1
    assert f"{RUNWAY_PACKAGE}/models.py" in stale.stderr
    assert "Traceback" not in stale.output


def test_check_is_1_when_out_was_never_built(tmp_path: Path) -> None:
    result = invoke("check", str(RUNWAY_SPEC), "-o", str(tmp_path / "nothing"), "--package", RUNWAY_PACKAGE)
    assert result.exit_code == 1
    assert MANIFEST in result.stderr


def test_astral_characters_in_a_json_spec_do_not_crash_the_build(write_spec: SpecWriter,
                                                                 minimal_doc: dict[str, Any], tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # Python's json.dump writes 🎉 as the surrogate pair "\ud83c\udf89"; the loader must decode it as one character.
    minimal_doc["info"]["title"] = "Party 🎉"
    write_spec(json.dumps(minimal_doc), "spec.json")
    monkeypatch.chdir(tmp_path)
    result = invoke("build", "spec.json", "-o", "out", "--package", "party")
    assert not isinstance(result.exception, UnicodeError), result.exception
    assert result.exit_code == 0, result.output
    assert "Party 🎉" in (tmp_path / "out" / "party" / "__init__.py").read_text(encoding="utf-8")


def test_alias_bomb_build_ends_quickly_with_an_error(write_spec: SpecWriter, tmp_path: Path) -> None:
    spec = write_spec(schema_bomb())
    try:
        done = subprocess.run([sys.executable, "-m", "asyncapi_gen", "build", str(spec), "-o", str(tmp_path / "o")],
                              check=False, capture_output=True, text=True, timeout=5)
    except subprocess.TimeoutExpired:
        pytest.fail("asyncapi-gen build did not finish within 5 s on an alias bomb")
    assert done.returncode == 1
    assert "error[file-too-large]" in done.stderr


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_missing_spec_file_is_named_without_a_made_up_position(command: str, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(command, "spec/nope.yaml", "-o", "out")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "spec/nope.yaml: error[file-not-found]: no such file" in result.stderr.splitlines()
    assert "Traceback" not in result.output and "spec/nope.yaml:1:1" not in result.stderr


def test_a_folder_given_as_the_spec_is_a_diagnostic_not_a_usage_error(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "spec").mkdir()
    monkeypatch.chdir(tmp_path)
    result = invoke("build", "spec", "-o", "out")
    assert result.exit_code == 1
    assert result.stderr == "spec: error[file-unreadable]: is a directory, not a file\n"


def test_github_format_prints_workflow_annotations(write_spec: SpecWriter, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    write_spec(MISSPELT)
    monkeypatch.chdir(tmp_path)
    result = invoke("build", "spec.yaml", "-o", "out", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        ("::error file=spec.yaml,line=3,col=1,title=asyncapi-gen (unknown-field)::unknown field 'chanels' "
         "(at /chanels)%0Ahint: did you mean 'channels'?"),
        ("::error file=spec.yaml,line=1,col=1,title=asyncapi-gen (missing-field)::required field 'channels' is "
         "missing in the document%0Ahint: 'chanels' (line 3) looks like a misspelling of it"),
    ]
    assert result.stderr == ""


MISSPELT = "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchanels:\n  events:\n    subscribe:\n      message: {}\n"


def _project(tmp_path: Path, minimal_doc: dict[str, Any]) -> Path:
    """A project with two targets: `a` is plain, `b` has two channels that become one Python name (a warning)."""
    import yaml

    (tmp_path / "a.yaml").write_text(yaml.safe_dump(minimal_doc))
    minimal_doc["channels"]["user.events"] = minimal_doc["channels"]["user-events"] = {
        "publish": {"message": {"payload": {"type": "string"}}}}
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(minimal_doc))
    (tmp_path / "pyproject.toml").write_text(
        '[tool.asyncapi-gen]\n[[tool.asyncapi-gen.targets]]\nspec = "a.yaml"\noutput = "out-a"\npackage = "pkg_a"\n'
        '[[tool.asyncapi-gen.targets]]\nspec = "b.yaml"\noutput = "out-b"\npackage = "pkg_b"\n')
    return tmp_path


def test_build_json_is_one_document_for_every_target(tmp_path: Path, minimal_doc: dict[str, Any],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_project(tmp_path, minimal_doc))
    result = invoke("build", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)  # one document: json.loads refuses two
    assert (document["command"], document["ok"]) == ("build", True)
    assert [(t["spec"], t["output"], t["ok"]) for t in document["targets"]] == [
        ("a.yaml", "out-a", True), ("b.yaml", "out-b", True)]
    assert all(t["written"] > 5 for t in document["targets"])
    assert [d["code"] for d in document["targets"][1]["diagnostics"]] == ["name-collision", "name-collision"]
    assert {d["severity"] for d in document["targets"][1]["diagnostics"]} == {"warning"}


def test_check_json_is_one_document_with_staleness_reasons_files_and_warnings(
    tmp_path: Path, minimal_doc: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_project(tmp_path, minimal_doc))
    assert invoke("build").exit_code == 0
    models = tmp_path / "out-b" / "pkg_b" / "models.py"
    models.write_text(models.read_text() + "# edited\n")
    result = invoke("check", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert (document["command"], document["ok"]) == ("check", False)
    current, stale = document["targets"]
    assert (current["spec"], current["current"], current["ok"], current["reasons"], current["files"]) == (
        "a.yaml", True, True, [], [])
    assert (stale["spec"], stale["output"], stale["current"], stale["ok"]) == ("b.yaml", "out-b", False, False)
    assert stale["reasons"] == ["pkg_b/models.py: edited by hand (differs from what was generated)"]
    assert stale["files"] == [{"path": "pkg_b/models.py", "state": "stale"}]
    assert [(d["code"], d["severity"]) for d in stale["diagnostics"]] == [("name-collision", "warning")] * 2
    assert result.stderr == ""


def test_check_json_carries_the_diff_instead_of_printing_it(tmp_path: Path, minimal_doc: dict[str, Any],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_project(tmp_path, minimal_doc))
    assert invoke("build").exit_code == 0
    models = tmp_path / "out-a" / "pkg_a" / "models.py"
    models.write_text(models.read_text() + "# edited\n")
    document = json.loads(invoke("check", "--format", "json", "--diff").stdout)
    (item,) = document["targets"][0]["files"]
    assert item["path"] == "pkg_a/models.py" and "-# edited" in item["diff"]


def test_check_github_annotates_a_stale_target_and_its_files(tmp_path: Path, minimal_doc: dict[str, Any],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_project(tmp_path, minimal_doc))
    assert invoke("build").exit_code == 0
    (tmp_path / "out-a" / "pkg_a" / "models.py").unlink()
    result = invoke("check", "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "::error file=out-a/pkg_a/models.py,title=asyncapi-gen (stale)::missing: not what `asyncapi-gen build` " \
           "makes" in lines
    assert any(line.startswith("::error file=a.yaml,title=asyncapi-gen (stale)::out-a is stale") for line in lines)
    assert sum(line.startswith("::warning file=b.yaml,") for line in lines) == 0  # b is current: not rebuilt


LENIENT_SPEC = "asyncapi: 2.6.0\ninfo: {title: Lenient}\nchannels:\n  c:\n    publish:\n      message: {payload: {}}\n"


def test_lenient_builds_with_warnings_and_is_recorded(write_spec: SpecWriter, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    write_spec(LENIENT_SPEC)
    monkeypatch.chdir(tmp_path)
    strict = invoke("build", "spec.yaml", "-o", "out")
    assert strict.exit_code == 1 and "spec.yaml:2:7: error[missing-field]" in strict.stderr
    lenient = invoke("build", "spec.yaml", "-o", "out", "--lenient")
    assert lenient.exit_code == 0, lenient.output
    assert "spec.yaml:2:7: warning[missing-field]: required field 'version' is missing in /info" in lenient.stderr
    assert json.loads((tmp_path / "out" / MANIFEST).read_text())["options"]["lenient"] is True
    assert invoke("check", "spec.yaml", "-o", "out", "--lenient").exit_code == 0
    changed = invoke("check", "spec.yaml", "-o", "out")
    assert changed.exit_code == 1
    assert "option lenient changed: True -> False" in changed.stderr


def test_a_build_that_is_not_lenient_records_nothing_new(runway_tree: Path) -> None:
    # Trees built before --lenient existed have no such key, and stay current.
    assert "lenient" not in json.loads((runway_tree / MANIFEST).read_text())["options"]


def test_lenient_goes_with_a_spec(tmp_path: Path, minimal_doc: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_project(tmp_path, minimal_doc))
    result = invoke("build", "--lenient")
    assert result.exit_code == 2 and "--lenient" in result.output


def test_a_configured_lenient_target_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "spec.yaml").write_text(LENIENT_SPEC)
    (tmp_path / "pyproject.toml").write_text('[tool.asyncapi-gen]\n[[tool.asyncapi-gen.targets]]\nspec = "spec.yaml"\n'
                                             'output = "out"\nlenient = true\n')
    monkeypatch.chdir(tmp_path)
    assert invoke("build").exit_code == 0
    assert invoke("check").exit_code == 0
