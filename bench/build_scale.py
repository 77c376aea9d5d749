"""Build time and peak memory against the size of the document, each size as a ratio to datamodel-codegen.

    python bench/build_scale.py [--sizes 10,100,1000,5000] [--runs 3] [--json]

For each size N, `bench/synth.py N` writes the synthetic document; then, alternately (A B A B ...), whole processes:
`asyncapi-gen build` (the whole package) and the baseline, `datamodel-codegen --input-file-type asyncapi
--formatters ruff-format` on the same file (models only, the command the issue measured). The ratio is the median
of the pairwise ratios. The slope between a row and the one above is log(t2/t1) / log(N2/N1): 1.0 is linear time,
2.0 quadratic. When the npm AsyncAPI CLI (`asyncapi`) is installed, `asyncapi generate models python` on the same
file is timed too, in its own pairs against the same baseline.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import document
from timing import Pairs, pairs, tool


@dataclass(frozen=True)
class Row:
    """One size: the document's bytes, and every command's pairs against the baseline."""

    n: int
    size: int
    ours: Pairs
    npm: Pairs | None


def baseline(spec: Path, out: Path) -> list[str]:
    """datamodel-codegen alone on the document: models only."""
    return [tool("datamodel-codegen"), "--input", str(spec), "--input-file-type", "asyncapi",
            "--formatters", "ruff-format", "--output", str(out / "dm_models.py")]


def measure(n: int, runs: int, root: Path, warmup: bool = True) -> Row:
    spec = root / f"synth-{n}.json"
    spec.write_text(json.dumps(document(n), indent=1) + "\n", encoding="utf-8")
    ours = [tool("asyncapi-gen"), "build", str(spec), "-o", str(root / f"out-{n}")]
    npm = None
    if shutil.which("asyncapi"):
        npm = pairs(["asyncapi", "generate", "models", "python", str(spec), "-o", str(root / f"npm-{n}")],
                    baseline(spec, root), runs, root, warmup)
    return Row(n, spec.stat().st_size, pairs(ours, baseline(spec, root), runs, root, warmup), npm)


def table(rows: list[Row]) -> str:
    lines = ["| N messages | JSON | asyncapi-gen build | peak | datamodel-codegen | peak | ratio | slope ours | slope dmcg |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    previous: Row | None = None
    for row in rows:
        slopes = ("", "")
        if previous is not None:
            growth = math.log(row.n / previous.n)
            slopes = (f"{math.log(row.ours.a_wall / previous.ours.a_wall) / growth:.2f}",
                      f"{math.log(row.ours.b_wall / previous.ours.b_wall) / growth:.2f}")
        lines.append(f"| {row.n:,} | {row.size / 1e6:.2f} MB | {row.ours.a_wall:.2f} s | {row.ours.a_peak:.0f} MiB | "
                     f"{row.ours.b_wall:.2f} s | {row.ours.b_peak:.0f} MiB | {row.ours.ratio:.2f}x | "
                     f"{slopes[0]} | {slopes[1]} |")
        previous = row
    npm_rows = [row for row in rows if row.npm is not None]
    if npm_rows:
        lines += ["", "| N messages | asyncapi generate models python | datamodel-codegen | ratio |",
                  "| ---: | ---: | ---: | ---: |"]
        lines += [f"| {row.n:,} | {row.npm.a_wall:.2f} s | {row.npm.b_wall:.2f} s | {row.npm.ratio:.2f}x |"
                  for row in npm_rows if row.npm is not None]
    else:
        lines.append("\n(npm AsyncAPI CLI `asyncapi` not installed: its rows are left out)")
    return "\n".join(lines)


def as_json(rows: list[Row]) -> list[dict[str, object]]:
    return [{"n": row.n, "bytes": row.size, "ours_s": row.ours.a_wall, "ours_peak_mib": row.ours.a_peak,
             "datamodel_codegen_s": row.ours.b_wall, "datamodel_codegen_peak_mib": row.ours.b_peak,
             "ratio": row.ours.ratio} for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000,5000", help="message counts (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=3, help="pairs per size (default: %(default)s)")
    parser.add_argument("--no-warmup", action="store_true", help="skip the unrecorded first run of each command")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON too")
    arguments = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="asyncapi-gen-scale-") as tmp:
        for n in (int(size) for size in arguments.sizes.split(",")):
            print(f"N = {n}: {arguments.runs} pairs ...", file=sys.stderr, flush=True)
            rows.append(measure(n, arguments.runs, Path(tmp), not arguments.no_warmup))
    print(table(rows))
    if arguments.json:
        print(json.dumps(as_json(rows), indent=2))


if __name__ == "__main__":
    main()
