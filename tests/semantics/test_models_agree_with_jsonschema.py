"""Generated payload models accept what their JSON Schema accepts, reject what it rejects, and dump valid JSON.

`jsonschema` is the judge (see harness.py): instances are drawn from every payload schema of the corpus with
hypothesis-jsonschema, mutated, and each candidate's verdict is jsonschema's, never the mutation's intent.
`python bench/semantics.py` prints the same figures beside datamodel-code-generator's plain models, with the
disagreement categories that remain.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from . import harness

# ---------------------------------------------------------------------------------------------------------------
# THE THRESHOLDS, in one place. The acceptance targets are:
#     schema-valid accepted >= 99.9 %, dumps still valid >= 99.9 %, schema-invalid rejected >= 97 %,
#     Python name accepted for a JSON name: 0.
# Measured with hypothesis 6.155 (a fresh install may draw other instances: the valid figure keeps a small margin).
# What remains: integer-valued floats (`6379477051337728.0`) that strict `int` refuses; nulls in nested inline
# models (only top-level models know which properties may not be null); a Python-named key in a closed schema,
# which pydantic ignores instead of refusing.
MIN_VALID_ACCEPTED_PCT = 99.8  # target 99.9 (measured 99.90 here, 99.94 in the bench)
MIN_DUMPS_VALID_PCT = 99.9  # target 99.9 (measured 100.00)
MIN_INVALID_REJECTED_PCT = 97.0  # target 97 (measured 97.83 here, 98.29 in the bench)
MAX_PYTHON_NAME_ACCEPTED = 0  # target 0
# ---------------------------------------------------------------------------------------------------------------

PER_PAYLOAD = 6  # drawn instances per payload schema (bench/semantics.py draws 8)
MUTATIONS_PER_INSTANCE = 20


@pytest.fixture(scope="session")
def semantics_corpus(tmp_path_factory: pytest.TempPathFactory) -> harness.CorpusPayloads:
    """Every valid corpus document built once per session, its models and the plain models imported."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return harness.load_corpus(tmp_path_factory.mktemp("semantics-packages"))


@pytest.fixture(scope="session")
def semantics_report(semantics_corpus: harness.CorpusPayloads) -> harness.Report:
    return harness.run(semantics_corpus, per_payload=PER_PAYLOAD, mutations_per_instance=MUTATIONS_PER_INSTANCE)


def _explain(report: harness.Report) -> str:
    lines = [harness.table(report), "ours, top disagreements:"]
    lines += [f"  {n} {what} | {cat} | {example[:200]}" for what, cat, n, example in harness.categories(report.ours)]
    return "\n".join(lines)


def test_the_corpus_is_judged(semantics_corpus: harness.CorpusPayloads, semantics_report: harness.Report) -> None:
    """Every valid document builds and imports; nearly every payload schema yields instances."""
    assert semantics_corpus.documents >= 75, semantics_corpus.failures
    assert not [f for f in semantics_corpus.failures if "(plain)" not in f], semantics_corpus.failures
    assert len(semantics_report.skipped) <= 6, semantics_report.skipped
    assert semantics_report.ours.valid >= 1000 and semantics_report.ours.invalid >= 1000


def test_schema_valid_instances_are_accepted(semantics_report: harness.Report) -> None:
    assert semantics_report.ours.valid_accepted_pct >= MIN_VALID_ACCEPTED_PCT, _explain(semantics_report)


def test_dumps_still_satisfy_the_schema(semantics_report: harness.Report) -> None:
    assert semantics_report.ours.dumps_valid_pct >= MIN_DUMPS_VALID_PCT, _explain(semantics_report)


def test_schema_invalid_instances_are_rejected(semantics_report: harness.Report) -> None:
    assert semantics_report.ours.invalid_rejected_pct >= MIN_INVALID_REJECTED_PCT, _explain(semantics_report)


def test_the_python_name_is_never_taken_for_the_json_name(semantics_report: harness.Report) -> None:
    assert semantics_report.ours.python_name_candidates > 100
    assert semantics_report.ours.python_name_accepted <= MAX_PYTHON_NAME_ACCEPTED, _explain(semantics_report)


# ------------------------------------------------------------------------------- exact checks, whatever the fixes

SMALL = {
    "$schema": harness.DRAFT7,
    "type": "object",
    "required": ["eventId"],
    "properties": {"eventId": {"type": "integer"}, "note": {"type": "string", "pattern": r"^\S+$"}},
    "additionalProperties": False,
}


def test_the_judge_on_hand_written_instances() -> None:
    judge = harness.judge_for(SMALL)
    assert harness.verdict(judge, {"eventId": 1, "note": "ok"}) == (True, "")
    assert harness.verdict(judge, {"eventId": "1"}) == (False, "type")
    assert harness.verdict(judge, {}) == (False, "required")
    assert harness.verdict(judge, {"eventId": 1, "event_id": 1}) == (False, "additionalProperties")
    # ECMA-262 `\S`: U+001F is not white space there (Python's re says it is)
    assert harness.verdict(judge, {"eventId": 1, "note": "a\x1fb"}) == (True, "")
    assert harness.verdict(judge, {"eventId": 1, "note": "a b"}) == (False, "pattern")


def test_the_judge_checks_date_time() -> None:
    judge = harness.judge_for({"type": "string", "format": "date-time"})
    assert harness.verdict(judge, "2024-05-01T10:00:00Z")[0]
    assert harness.verdict(judge, "yesterday") == (False, "format")


def test_renaming_a_property_to_its_python_name() -> None:
    assert harness.python_name("eventId") == "event_id"
    assert harness.python_name("RequiredProp") == "required_prop"
    assert harness.python_name("socket_sequence") == "socket_sequence"
    renamed = [c for c in harness.mutations({"eventId": 5, "socket_sequence": 1}, 100) if c.kind == "python_name"]
    assert [(c.instance, c.path, c.moved) for c in renamed] == [({"event_id": 5, "socket_sequence": 1},
                                                                 ("eventId",), ("eventId", 5))]
    judge = harness.judge_for(SMALL)
    assert harness.verdict(judge, renamed[0].instance) == (False, "required")


def test_mutations_are_deterministic_and_bounded() -> None:
    instance = {"a": [1, 2], "b": {"c": "x", "dD": True}, "e": None}
    first, second = harness.mutations(instance, 30), harness.mutations(instance, 30)
    assert first == second and len(first) == 30
    assert instance == {"a": [1, 2], "b": {"c": "x", "dD": True}, "e": None}  # never mutated in place


def test_two_runs_give_the_same_counts(semantics_corpus: harness.CorpusPayloads) -> None:
    part = harness.CorpusPayloads(payloads=semantics_corpus.payloads[:12])
    one = harness.run(part, per_payload=3, mutations_per_instance=10)
    two = harness.run(part, per_payload=3, mutations_per_instance=10)
    assert one.candidates == two.candidates > 0
    assert one.ours.counts() == two.ours.counts() and one.plain.counts() == two.plain.counts()
    assert one.ours.disagreements == two.ours.disagreements


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
