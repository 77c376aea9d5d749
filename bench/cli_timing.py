"""Whole-process wall time of the CLI, each figure as a ratio to a baseline measured in the same run.

    python bench/cli_timing.py [-n RUNS]

Prints medians for: `datamodel-codegen --input-file-type asyncapi` on the Runway spec (the baseline: models only),
`asyncapi-gen build` (whole package), `asyncapi-gen check` when current, and `asyncapi-gen check` when stale.
Runs alternate between commands, so drift of a noisy machine hits them all alike.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "spec" / "runway-characters.yaml"


def wall(args: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):
        sys.exit(f"{args} failed: {result.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", "--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        current, stale = root / "current", root / "stale"
        build = ["asyncapi-gen", "build", str(SPEC), "--package", "runway_characters", "-o"]
        subprocess.run([*build, str(current)], check=True, capture_output=True)
        shutil.copytree(current, stale)
        models = stale / "runway_characters" / "models.py"
        models.write_text(models.read_text() + "# edited\n")
        check = ["asyncapi-gen", "check", str(SPEC), "--package", "runway_characters", "-o"]
        commands = {
            "datamodel-codegen (baseline)": ["datamodel-codegen", "--input", str(SPEC), "--input-file-type",
                                             "asyncapi", "--output", str(root / "dm.py")],
            "asyncapi-gen build": [*build, str(root / "built")],
            "asyncapi-gen check (current)": [*check, str(current)],
            "asyncapi-gen check (stale)": [*check, str(stale)],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for name, args in commands.items():
            wall(args, root)  # warm-up: file cache, .pyc
        for _ in range(runs):
            for name, args in commands.items():
                times[name].append(wall(args, root))
    baseline = statistics.median(times["datamodel-codegen (baseline)"])
    print(f"{'command':32} {'median s':>9} {'min s':>7} {'max s':>7} {'x baseline':>10}")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:32} {median:9.3f} {min(samples):7.3f} {max(samples):7.3f} {median / baseline:10.2f}")


if __name__ == "__main__":
    main()
