"""The README's performance command and its parts run from a checkout and print their tables.

Each script runs here with the smallest counts that still exercise every path (so a bench cannot rot between
the hand runs that give its figures); the figures themselves are not asserted: speed is measured in `bench/`,
never in a timed test.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RATIO = r"\d+\.\d\dx?"


def bench(*args: str, timeout: float = 300) -> str:
    done = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout


def test_perf_prints_the_build_check_and_scale_rows_with_ratios() -> None:
    out = bench("bench/perf.py", "--runs", "1", "--sizes", "10", "--scale-runs", "1", "--skip", "runtime,media")
    for row in ("asyncapi-gen build (whole package)", "asyncapi-gen check (current)", "asyncapi-gen check (stale)"):
        assert re.search(rf"\| {re.escape(row)} \| [\d.]+ s \| \d+ MiB \| [\d.]+ s \| {RATIO} \|", out), out
    assert re.search(rf"\| 10 \| [\d.]+ MB \| [\d.]+ s \| \d+ MiB \| [\d.]+ s \| \d+ MiB \| {RATIO} \|", out), out


def test_the_runtime_benches_compare_with_raw_aiortc_in_alternating_rounds() -> None:
    for script in ("bench/runtime_roundtrip.py", "bench/generated_roundtrip.py"):
        out = bench(script, "--round-trips", "20", "--messages", "200", "--rounds", "2")
        assert "2 alternating rounds" in out, out
        for row in ("round trip median ms", "round trip p99 ms", "one-way messages/s"):
            assert re.search(rf"{row}\s+[\d.]+\s+[\d.]+\s+{RATIO}\s+{RATIO}-{RATIO}", out), (script, out)


def test_media_capacity_holds_a_few_full_media_sessions_on_both_servers() -> None:
    out = bench("bench/media_capacity.py", "--sessions", "2", "--seconds", "5")
    for kind in ("raw aiortc", "asyncapi-gen"):
        assert re.search(rf"\| 2 \| {kind} \| 2/2 \|", out), out  # two sessions at 30 fps are nothing to hold
    assert "capacity at 30 fps: asyncapi-gen 2, raw aiortc 2: 1.00x" in out, out
