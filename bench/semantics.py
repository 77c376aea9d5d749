"""Do the generated payload models accept exactly what their JSON Schema accepts? Ours beside plain datamodel-codegen.

    python bench/semantics.py [-n PER_PAYLOAD] [-m MUTATIONS_PER_INSTANCE] [--top N]

Builds every valid corpus document (tests/corpus/documents/), draws instances from each message payload's JSON
Schema with hypothesis-jsonschema (derandomized), mutates them, lets `jsonschema` judge every candidate, and asks
our models (as the runtime decodes wire input) and datamodel-code-generator's plain models (its default options)
the same question. See tests/semantics/harness.py for the details.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.semantics import harness


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--per-payload", type=int, default=8, help="instances drawn per payload (8)")
    parser.add_argument("-m", "--mutations", type=int, default=24, help="mutations per drawn instance (24)")
    parser.add_argument("--top", type=int, default=12, help="disagreement categories shown per side (12)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    corpus = harness.load_corpus()
    report = harness.run(corpus, per_payload=args.per_payload, mutations_per_instance=args.mutations)
    print(f"{corpus.documents} documents, {len(corpus.payloads)} payload models "
          f"({report.payloads_compared_with_plain} with a plain model), {report.drawn} drawn instances, "
          f"{report.candidates} candidates; build {corpus.seconds:.1f}s, judging {report.seconds:.1f}s")
    print(f"skipped payloads (hypothesis-jsonschema cannot draw): {len(report.skipped)}")
    for line in report.skipped:
        print(f"  {line}")
    print(f"documents or plain modules that failed: {len(corpus.failures)}")
    for line in corpus.failures:
        print(f"  {line}")
    print()
    print(harness.table(report))
    for name, figures in (("ours", report.ours), ("plain datamodel-codegen", report.plain)):
        print(f"\n{name}: disagreements {dict(harness.summary_by_what(figures))}")
        for what, category, count, example in harness.categories(figures, args.top):
            print(f"  {count:6d}  {what:18s} {category}")
            print(f"          e.g. {example[:300]}")


if __name__ == "__main__":
    main()
