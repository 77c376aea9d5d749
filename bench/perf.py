"""The whole performance table in one command: build, scale, check, runtime, media capacity.

    python bench/perf.py [--runs 7] [--sizes 10,100,1000,5000] [--skip runtime,media]

Every figure comes with its ratio to a baseline measured in the same run, in alternating pairs (see timing.py):
- build: `asyncapi-gen build` of the Runway spec (the whole package) against `datamodel-codegen --input-file-type
  asyncapi --formatters ruff-format` on it (models only);
- check: `asyncapi-gen check` of an up-to-date output against the same baseline, and of a stale one;
- scale: `bench/build_scale.py` (synthetic documents of N messages);
- runtime: `bench/generated_roundtrip.py` (the generated Runway client and server against raw aiortc, against
  raw aiortc validating what it receives with pydantic, and against raw aiortc with the runtime's SCTP changes,
  in one process, rotating rounds);
- media: `bench/media_capacity.py` (full-media sessions one process holds at 30 fps, the mock against raw aiortc).
The last two print their own tables, with their own ratios, and take minutes; `--skip runtime,media` leaves them out.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_scale
from timing import pairs, tool

BENCH = Path(__file__).resolve().parent
SPEC = BENCH.parent / "spec" / "runway-characters.yaml"
SECTIONS = ("build", "scale", "runtime", "media")  # build: the build and check rows


def cli_rows(runs: int, root: Path) -> str:
    """Seed build and check, each against datamodel-codegen on the seed spec."""
    build = [tool("asyncapi-gen"), "build", str(SPEC), "--package", "runway_characters", "-o"]
    check = [tool("asyncapi-gen"), "check", str(SPEC), "--package", "runway_characters", "-o"]
    current, stale = root / "current", root / "stale"
    subprocess.run([*build, str(current)], check=True, capture_output=True)
    shutil.copytree(current, stale)
    models = stale / "runway_characters" / "models.py"
    models.write_text(models.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    baseline = build_scale.baseline(SPEC, root)
    measured = {
        "asyncapi-gen build (whole package)": pairs([*build, str(root / "built")], baseline, runs, root),
        "asyncapi-gen check (current)": pairs([*check, str(current)], baseline, runs, root),
        "asyncapi-gen check (stale)": pairs([*check, str(stale)], baseline, runs, root, ok=(0, 1)),
    }
    lines = ["| Runway spec, whole process | median | peak | datamodel-codegen (models only) | ratio |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for name, found in measured.items():
        lines.append(f"| {name} | {found.a_wall:.3f} s | {found.a_peak:.0f} MiB | {found.b_wall:.3f} s | "
                     f"{found.ratio:.2f}x |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="pairs per command of the build and check rows")
    parser.add_argument("--scale-runs", type=int, default=3, help="pairs per size of the scale rows")
    parser.add_argument("--sizes", default="10,100,1000,5000", help="message counts of the scale rows")
    parser.add_argument("--skip", default="", help=f"sections to leave out, of {','.join(SECTIONS)}")
    arguments = parser.parse_args()
    skip = {name for name in arguments.skip.split(",") if name}
    if skip - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(skip - set(SECTIONS)))}")
    with tempfile.TemporaryDirectory(prefix="asyncapi-gen-perf-") as tmp:
        root = Path(tmp)
        if "build" not in skip:
            print("## Build and check\n\n" + cli_rows(arguments.runs, root) + "\n", flush=True)
        if "scale" not in skip:
            rows = [build_scale.measure(int(n), arguments.scale_runs, root) for n in arguments.sizes.split(",")]
            print("## Scale\n\n" + build_scale.table(rows) + "\n", flush=True)
    for section, script in (("runtime", "generated_roundtrip.py"), ("media", "media_capacity.py")):
        if section not in skip:
            print(f"## {section.capitalize()} ({script})\n", flush=True)
            subprocess.run([sys.executable, str(BENCH / script)], check=True)
            print(flush=True)


if __name__ == "__main__":
    main()
