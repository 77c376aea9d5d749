"""The forked models worker: the same files as the in-process build, errors as in-process, never a failure point.

Each scenario runs in a fresh interpreter: the worker forks only a process with no other thread, which a pytest
process that has run aiortc tests is not, and a test must see the fork really happen.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_script(body: str) -> dict[str, object]:
    script = textwrap.dedent('''
        import json, os, sys
        from pathlib import Path
        sys.path.insert(0, "generator")
        from asyncapi_gen.modelworker import model_worker, start_worker
        from asyncapi_gen.dmcode import ModelEmitError
        out = {}
    ''') + textwrap.dedent(body) + "\nprint(json.dumps(out))\n"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_every_golden_target_builds_the_same_files_with_the_worker_as_without() -> None:
    found = run_script('''
        from asyncapi_gen.build import build
        from asyncapi_gen.cli import _options
        from asyncapi_gen.config import load_targets
        targets = load_targets(Path("pyproject.toml"))
        out["targets"], out["differ"] = len(targets), []
        with model_worker() as worker:
            assert worker is not None, "no worker started in a fresh single-threaded interpreter"
            out["pid"] = worker.pid
            for target in targets:  # one worker serves every target in turn, as `asyncapi-gen build` does
                with_worker = build(target.spec, _options(target), str(target.spec), worker)
                alone = build(target.spec, _options(target), str(target.spec))
                assert with_worker.ok and alone.ok, target.spec
                if with_worker.files != alone.files:
                    out["differ"].append(str(target.spec))
        out["reaped"] = not os.path.exists(f"/proc/{out['pid']}")
    ''')
    assert found["targets"] == len([path for path in (ROOT / "generated").iterdir() if path.is_dir()])
    assert found["differ"] == []
    assert found["reaped"] is True


def test_an_error_in_the_worker_is_the_error_the_in_process_call_raises() -> None:
    found = run_script('''
        from asyncapi_gen.dmcode import datamodel_code
        bad = {"$defs": {"Bad": {"type": "object", "properties": 5}}}  # datamodel-code-generator's own model refuses it
        try:
            datamodel_code(bad)
        except ModelEmitError as error:
            out["alone"] = str(error)
        with model_worker() as worker:
            try:
                worker.submit(bad).result()
            except ModelEmitError as error:
                out["worker"] = str(error)
    ''')
    assert "properties" in str(found.get("alone")) and found.get("worker") == found["alone"]


def test_a_worker_that_died_leaves_the_models_to_the_parent() -> None:
    found = run_script('''
        import signal
        from asyncapi_gen.dmcode import datamodel_code
        schema = {"$defs": {"Lamp": {"type": "object", "properties": {"lumens": {"type": "integer"}}}}}
        with model_worker() as worker:
            os.kill(worker.pid, signal.SIGKILL)
            os.waitpid(worker.pid, 0)
            out["code"] = worker.submit(schema).result()
        out["alone"] = datamodel_code(schema)
    ''')
    assert "class Lamp" in str(found["code"]) and found["code"] == found["alone"]


def test_no_worker_is_forked_from_a_process_with_threads() -> None:
    found = run_script('''
        import threading
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait)
        thread.start()
        out["with_thread"] = start_worker() is None
        stop.set()
        thread.join()
        worker = start_worker()
        out["without"] = worker is not None
        if worker is not None:
            worker.close()
    ''')
    assert found == {"with_thread": True, "without": True}


def test_the_cli_build_through_the_worker_writes_the_golden_record(tmp_path: Path) -> None:
    out = tmp_path / "runway"
    done = subprocess.run([sys.executable, "-m", "asyncapi_gen", "build", "spec/runway-characters.yaml",
                           "--package", "runway_characters", "-o", str(out), "--format", "json"],
                          check=False, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "generator")})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True  # the child wrote nothing into the JSON report
    golden = ROOT / "generated" / "runway-characters"
    written = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    caches = {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}  # what tools leave in a checkout
    assert written == sorted(p.relative_to(golden) for p in golden.rglob("*") if p.is_file()
                             and not caches & set(p.parts) and not p.name.endswith(".pyc"))
    for path in written:
        assert (out / path).read_bytes() == (golden / path).read_bytes(), path


def test_the_worker_started_early_is_the_one_the_build_uses_and_it_is_reaped() -> None:
    found = run_script('''
        from asyncapi_gen import modelworker
        modelworker.start_early()  # what `asyncapi-gen build` does before importing the CLI
        early = modelworker._early
        assert early is not None
        with model_worker() as worker:
            out["same"] = worker is early
        out["reaped"] = not os.path.exists(f"/proc/{early.pid}")
        early.close()  # again, as the exit handler does: nothing is killed twice
        with model_worker() as second:  # a later block starts its own
            out["fresh"] = second is not None and second is not early
    ''')
    assert found == {"same": True, "reaped": True, "fresh": True}
