"""Whole-process timing for the bench scripts: wall time and peak memory of a command, and A/B pairs.

A command is timed from outside, start-up and imports included, as a user waits for it. Its peak memory is the
largest resident set among the processes it waited for (`os.wait4`'s accounting of the finished child). Pairs run
alternately, A B A B, and each ratio is taken within its pair, so the ratio holds while the machine's speed drifts
(other work on a shared machine); the median of those ratios is the figure to quote.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Run:
    """One finished run: wall seconds, peak resident memory in MiB, exit status."""

    wall: float
    peak_mib: float
    status: int


def run(args: Sequence[str], cwd: Path | None = None, ok: tuple[int, ...] = (0,)) -> Run:
    """Run args to completion (output thrown away); exit with its stderr when it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, wait_status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(wait_status)
    if process.returncode not in ok:
        sys.exit(f"{' '.join(args)} failed ({process.returncode}): {errors.decode(errors='replace')[-800:]}")
    return Run(wall, usage.ru_maxrss / 1024, process.returncode)  # ru_maxrss is in KiB on Linux


@dataclass
class Pairs:
    """Runs of A and B, taken in turn; medians of each and of the pairwise ratios A/B."""

    a: list[Run] = field(default_factory=list)
    b: list[Run] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return statistics.median(x.wall / y.wall for x, y in zip(self.a, self.b, strict=True))

    @property
    def a_wall(self) -> float:
        return statistics.median(x.wall for x in self.a)

    @property
    def b_wall(self) -> float:
        return statistics.median(x.wall for x in self.b)

    @property
    def a_peak(self) -> float:
        return statistics.median(x.peak_mib for x in self.a)

    @property
    def b_peak(self) -> float:
        return statistics.median(x.peak_mib for x in self.b)


def pairs(a: Sequence[str], b: Sequence[str], runs: int, cwd: Path | None = None, warmup: bool = True,
          ok: tuple[int, ...] = (0,)) -> Pairs:
    """runs pairs of A then B (after one unrecorded warm-up of each: file cache, .pyc files)."""
    if warmup:
        run(a, cwd, ok)
        run(b, cwd, ok)
    found = Pairs()
    for _ in range(runs):
        found.a.append(run(a, cwd, ok))
        found.b.append(run(b, cwd, ok))
    return found


def tool(name: str) -> str:
    """The path of a console script installed beside this Python (the venv's), else the bare name."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else name
