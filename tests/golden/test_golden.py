"""generated/ holds the golden records, one per kind of document: each must be exactly what the generator makes from
its spec, pass the linters, carry only the runtime it uses, and its README example must run as printed."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
from brokers.servers import running_mosquitto, running_nats, running_rabbitmq, running_redis

RUNTIME = REPO / "generator" / "asyncapi_gen" / "runtime"


@dataclass(frozen=True)
class Golden:
    """One `[tool.asyncapi-gen]` target of the repository."""

    spec: Path
    output: Path
    package: str

    @property
    def id(self) -> str:
        return self.output.name


def _targets() -> list[Golden]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return [Golden(REPO / t["spec"], REPO / t["output"], t["package"]) for t in config["tool"]["asyncapi-gen"]["targets"]]


TARGETS = _targets()
BY_ID = {golden.id: golden for golden in TARGETS}
# What each golden record is for: one per kind of document, and which runtime subpackages it must carry.
EXPECTED_RUNTIME = {
    "runway-characters": {"core", "websocket", "webrtc", "pool"},
    "websocket-gemini": {"core", "websocket"},
    "websocket-components": {"core", "websocket"},
    "streetlights-mqtt": {"core", "mqtt"},
    "rpc-server-amqp": {"core", "amqp"},
    "sensors-nats": {"core", "nats"},
    "streetlights-kafka": {"core", "kafka"},
    "chat-redis": {"core", "redis"},
}


def run(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False, env=env, timeout=timeout)


def test_every_kind_of_document_has_a_golden_record() -> None:
    assert {golden.id for golden in TARGETS} == set(EXPECTED_RUNTIME)
    for golden in TARGETS:
        assert golden.output.is_dir(), f"{golden.output} is missing: run `asyncapi-gen build`"


def test_check_over_the_configured_targets_passes() -> None:
    result = run(sys.executable, "-m", "asyncapi_gen", "check")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("golden", TARGETS, ids=lambda g: g.id)
def test_build_from_another_directory_equals_golden_and_is_deterministic(golden: Golden, tmp_path: Path) -> None:
    outputs = []
    for name in ("one", "two"):
        out = tmp_path / name
        result = run("asyncapi-gen", "build", str(golden.spec), "-o", str(out), "--package", golden.package,
                     cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        outputs.append(out)
    assert _tree(outputs[0]) == _tree(outputs[1])
    assert _tree(outputs[0]) == _tree(golden.output)


@pytest.mark.parametrize("golden", TARGETS, ids=lambda g: g.id)
def test_no_absolute_paths_or_timestamps_in_output(golden: Golden) -> None:
    for path, data in _tree(golden.output).items():
        text = data.decode("utf-8")
        assert str(REPO) not in text, path
        assert "/root/" not in text and "/home/" not in text, path


@pytest.mark.parametrize("golden", TARGETS, ids=lambda g: g.id)
def test_generated_package_passes_ruff_and_mypy_strict(golden: Golden, tmp_path: Path) -> None:
    copy = tmp_path / "pkg"
    shutil.copytree(golden.output, copy)
    ruff = run(sys.executable, "-m", "ruff", "check", "--isolated", str(copy))
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    mypy = run(sys.executable, "-m", "mypy", "--strict", "--no-incremental", golden.package, cwd=copy)
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr


@pytest.mark.parametrize("golden", TARGETS, ids=lambda g: g.id)
def test_package_carries_only_the_runtime_it_uses_copied_verbatim(golden: Golden) -> None:
    runtime = golden.output / golden.package / "_runtime"
    carried = {p.name for p in runtime.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert carried == EXPECTED_RUNTIME[golden.id]
    copies = sorted(p for p in runtime.rglob("*.py") if "__pycache__" not in p.parts)
    expected = ["__init__.py"] + sorted(
        p.relative_to(RUNTIME).as_posix() for sub in carried for p in (RUNTIME / sub).glob("*.py"))
    assert sorted(p.relative_to(runtime).as_posix() for p in copies) == sorted(expected)
    for copy in copies:
        header, body = copy.read_text().split("\n", 1)
        # The generator's version only: a change to the spec never touches a runtime file.
        assert re.fullmatch(r"# Part of the asyncapi-gen \S+ runtime, copied verbatim\. Do not edit\.", header)
        assert body == (RUNTIME / copy.relative_to(runtime)).read_text(), copy


@pytest.mark.parametrize("golden", TARGETS, ids=lambda g: g.id)
def test_dependencies_follow_from_the_runtime_carried(golden: Golden) -> None:
    project = tomllib.loads((golden.output / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[<>=!~ ]", requirement)[0] for requirement in project["dependencies"]}
    carried = EXPECTED_RUNTIME[golden.id]
    assert names == {"pydantic"} | ({"websockets"} if "websocket" in carried else set()) | (
        {"aiortc"} if "webrtc" in carried else set()) | ({"aiomqtt"} if "mqtt" in carried else set()) | (
        {"aio-pika"} if "amqp" in carried else set()) | ({"nats-py"} if "nats" in carried else set()) | (
        {"redis"} if "redis" in carried else set()) | ({"faststream[kafka]"} if "kafka" in carried else set())


@pytest.mark.parametrize("golden", [g for g in TARGETS if "webrtc" not in EXPECTED_RUNTIME[g.id]], ids=lambda g: g.id)
def test_packages_without_media_never_speak_of_webrtc(golden: Golden) -> None:
    words = re.compile(r"webrtc|aiortc|signall?ing|\bice\b|\bice_|\bIce[A-Z]|\bsdp\b", re.IGNORECASE)
    for path, data in _tree(golden.output).items():
        found = words.search(data.decode("utf-8"))
        assert found is None, f"{path} mentions {found.group()!r}" if found else ""


@pytest.mark.parametrize("golden", TARGETS, ids=lambda g: g.id)
def test_top_level_exports_the_public_api(golden: Golden) -> None:
    names = ["Client", "ClientHandler", "Server", "ServerHandler", "ServerSession", "models", "CloseReason",
             "WireError", "InvalidJson", "UnknownMessage", "SchemaViolation", "MessageTooLarge", "SessionClosed",
             "TokenRejected", "ConnectError", "SPEC_SHA256"]
    if "webrtc" in EXPECTED_RUNTIME[golden.id]:
        names += ["SignalingError", "IceConfig", "ToneAudioTrack", "SyntheticVideoTrack"]
    if {"mqtt", "amqp", "nats", "redis", "kafka"} & EXPECTED_RUNTIME[golden.id]:  # a broker document: what a user's transport implements
        names += ["AddressedClientTransport", "AddressedServerSession", "Received", "parameters_of"]
    code = f"import {golden.package} as p; missing = [n for n in {names!r} if not hasattr(p, n)]; print(missing)"
    result = run(sys.executable, "-c", code, env={**os.environ, "PYTHONPATH": str(golden.output)})
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_websocket_package_imports_with_only_pydantic_and_websockets(tmp_path: Path) -> None:
    """Acceptance: in a venv with only pydantic and websockets, the WebSocket package and all its modules import."""
    golden = BY_ID["websocket-gemini"]
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    # Link in exactly pydantic and websockets (and what pydantic needs) from this interpreter, nothing else.
    import annotated_types
    import pydantic
    import pydantic_core
    import typing_extensions
    import typing_inspection
    import websockets
    for module in (pydantic, pydantic_core, websockets, annotated_types, typing_inspection):
        source = Path(module.__file__ or "").parent
        (Path(site) / source.name).symlink_to(source)
    extension = Path(typing_extensions.__file__ or "")
    (Path(site) / extension.name).symlink_to(extension)
    modules = ", ".join(f"{golden.package}{suffix}" for suffix in ("", ".client", ".server", ".mock"))
    code = (f"import sys, {modules}; loaded = sorted(m for m in ('aiortc', 'av', 'aioice') if m in sys.modules); "
            "print(loaded)")
    result = run(str(python), "-c", code, env={"PYTHONPATH": str(golden.output), "PATH": os.environ["PATH"]})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    missing = run(str(python), "-c", "import aiortc")
    assert missing.returncode != 0, "the venv must not have aiortc, or the test proves nothing"


@pytest.mark.parametrize("golden", TARGETS, ids=lambda g: g.id)
def test_readme_example_runs_as_printed(golden: Golden, tmp_path: Path) -> None:
    """A newcomer copies the README's first example into a file and runs it against the package's own mock."""
    readme = (golden.output / "README.md").read_text()
    example = re.search(r"```python\n(.*?)```", readme, re.DOTALL)
    assert example is not None, "the README has no example"
    script = tmp_path / "example.py"
    script.write_text(example.group(1))
    with contextlib.ExitStack() as stack:
        # A broker package's example takes the broker's URL as its argument, as the README says.
        carried = EXPECTED_RUNTIME[golden.id]
        broker = [stack.enter_context(running_mosquitto())] if "mqtt" in carried else []
        broker += [stack.enter_context(running_rabbitmq()).url] if "amqp" in carried else []
        broker += [stack.enter_context(running_nats())] if "nats" in carried else []
        broker += [stack.enter_context(running_redis())] if "redis" in carried else []
        result = run(sys.executable, str(script), *broker, cwd=tmp_path, timeout=120,
                     env={**os.environ, "PYTHONPATH": str(golden.output)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip(), "the example printed nothing"


def test_editing_a_generated_file_makes_check_fail_and_name_it(tmp_path: Path) -> None:
    golden = BY_ID["runway-characters"]
    out = tmp_path / "out"
    shutil.copytree(golden.output, out)
    models = out / golden.package / "models.py"
    models.write_text(models.read_text() + "\n# edited\n")
    result = run("asyncapi-gen", "check", str(golden.spec), "-o", str(out), "--package", golden.package)
    assert result.returncode == 1
    assert f"{golden.package}/models.py" in result.stderr
    assert "edited by hand" in result.stderr


@pytest.mark.parametrize("golden", TARGETS, ids=lambda g: g.id)
def test_a_new_description_rerenders_only_what_shows_it(golden: Golden, tmp_path: Path) -> None:
    """Acceptance: editing `info.description` leaves every runtime file byte-identical; a vendored diff stays small."""
    spec = tmp_path / golden.spec.name
    text = golden.spec.read_text()
    spec.write_text(_with_new_description(text))
    assert spec.read_text() != text
    out = tmp_path / "out"
    result = run("asyncapi-gen", "build", str(spec), "-o", str(out), "--package", golden.package, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    before, after = _tree(golden.output), _tree(out)
    changed = sorted(path for path in after if before.get(path) != after[path])
    assert not [path for path in changed if "/_runtime/" in path]
    assert f"{golden.package}/__init__.py" in changed  # SPEC_SHA256 and the docstring
    assert ".asyncapi-gen" in changed
    assert {f"{golden.package}/channels.py", f"{golden.package}/server.py"}.isdisjoint(changed)


def _with_new_description(text: str) -> str:
    """The spec with one more sentence in `info.description` (a new first line of its block or value)."""
    return re.sub(r"^(  description: *(?:>-|\||>)?\n?)(\s*)", r"\1\2An edited sentence. ", text, count=1, flags=re.MULTILINE)


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not {"__pycache__", ".mypy_cache", ".ruff_cache"} & set(p.parts)
    }
