"""Every public document in tests/corpus/documents/: valid ones build and import, invalid ones give located errors.

Our validator's verdict must match the manifest's `validity` (the official JSON Schema's verdict on the document
as written), except where the schema is known to be wrong; see `Row.expected_verdict` in conftest.py.
"""

from __future__ import annotations

import csv
import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from asyncapi_gen.diagnostics import Severity

from .conftest import CORPUS, MANIFEST, CorpusBuilds, Outcome, Row, Tally, read_manifest

# path -> why this document may not meet its expectation. The target is an empty dict.
KNOWN_EXCEPTIONS: dict[str, str] = {}

ROWS = read_manifest()
_REF_CODES = frozenset({"ref-remote", "ref-unresolved"})

# Built a second time with lenient=True: the documents meant to be valid that the official schema rejects (and that
# our validator rejects too: the schema's known false negatives build by default already), and those meant to be
# invalid.
LENIENT_ROWS = [row for row in ROWS if row.intent == "invalid" or (row.intent, row.expected_verdict) == ("valid", "invalid")]
# A lenient build refuses a document whose references cannot be followed offline, with reference errors only:
# missing or remote files, pointers to nothing, and references that only lead back to themselves (jasyncapi's
# bindings refer to themselves).
_UNFOLLOWABLE = _REF_CODES | {"ref-cycle"}


@pytest.mark.parametrize("row", ROWS, ids=[row.path for row in ROWS])
def test_document_meets_its_expectation(row: Row, corpus_builds: CorpusBuilds, corpus_tally: Tally) -> None:
    outcome = corpus_builds.get(row)
    corpus_tally.times[row.path] = outcome.seconds
    try:
        label = _check(outcome, corpus_builds.root)
    except Exception as exc:  # counted, then re-raised
        corpus_tally.counts["failures"] += 1
        corpus_tally.failures.append(f"{row.path}: {str(exc).splitlines()[0]}")
        if row.path in KNOWN_EXCEPTIONS:
            pytest.xfail(KNOWN_EXCEPTIONS[row.path])
        raise
    for key in label:
        corpus_tally.counts[key] += 1
    api = outcome.result.api if outcome.result is not None else None
    if "import ok" in label and api is not None:
        corpus_tally.transports[f"{api.protocol or '(no servers)'} -> {api.transport.value}"] += 1
    assert row.path not in KNOWN_EXCEPTIONS, "passes now: remove it from KNOWN_EXCEPTIONS"


def _check(outcome: Outcome, root: Path) -> tuple[str, ...]:
    """Assert the document's expectation; return the tally labels it earned."""
    row = outcome.row
    assert not outcome.crash, f"the generator raised:\n{outcome.crash}"
    result = outcome.result
    assert result is not None
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    rendered = "\n".join(d.render() for d in errors)
    assert outcome.verdict == row.expected_verdict, (
        f"validator says {outcome.verdict}, expected {row.expected_verdict} "
        f"(manifest validity {row.validity}, intent {row.intent})\n{rendered}")
    if row.expected_verdict == "invalid":
        assert errors, "an invalid document built without errors"
        assert any(d.file == row.path for d in errors), f"no error is located in the document itself:\n{rendered}"
        return ("expected-invalid ok",)
    if not row.refs_offline:
        assert errors, "a document with remote or dangling refs built"
        assert {d.code for d in errors} <= _REF_CODES, f"expected only ref-remote/ref-unresolved:\n{rendered}"
        return ("refused-remote",)
    assert not errors, f"a valid document did not build:\n{rendered}"
    assert outcome.written is not None and (outcome.written / "models.py").is_file(), "models.py was not written"
    _import_models(root, row.package)
    return ("built", "import ok")


@pytest.mark.parametrize("row", LENIENT_ROWS, ids=[row.path for row in LENIENT_ROWS])
def test_lenient_build_meets_its_expectation(row: Row, corpus_builds: CorpusBuilds, corpus_tally: Tally) -> None:
    """With lenient=True: a document meant to be valid builds, with located warnings, unless its references cannot be
    followed offline (notes `remote-refs`/`dangling-refs`): then it is refused with reference errors only. A
    document meant to be invalid is refused with a located error, or, when the schema violations leave it
    understandable, built with located warnings; never silently."""
    outcome = corpus_builds.get(row, lenient=True)
    assert not outcome.crash, f"the generator raised with lenient=True:\n{outcome.crash}"
    result = outcome.result
    assert result is not None
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    warnings = [d for d in result.diagnostics if d.severity is Severity.WARNING]
    rendered = "\n".join(d.render() for d in result.diagnostics)
    if errors:
        assert any(d.file == row.path and d.located for d in errors), f"no located error in the document:\n{rendered}"
        if row.intent == "valid":
            assert not row.refs_offline, f"a document meant to be valid was refused with lenient=True:\n{rendered}"
            assert {d.code for d in errors} <= _UNFOLLOWABLE, f"errors other than references:\n{rendered}"
            assert {d.code for d in errors} & _REF_CODES, f"no reference that cannot be followed:\n{rendered}"
        corpus_tally.counts["lenient refused"] += 1
        return
    assert row.refs_offline, f"a document with remote or dangling refs built with lenient=True:\n{rendered}"
    assert any(d.file == row.path and d.located for d in warnings), f"built with no located warning:\n{rendered}"
    assert outcome.written is not None and (outcome.written / "models.py").is_file(), "models.py was not written"
    _import_models(corpus_builds.root, row.lenient_package)
    corpus_tally.counts["lenient built"] += 1


def _written_packages(corpus_builds: CorpusBuilds) -> list[str]:
    """Every package the session built: the documents' own builds, then the lenient ones."""
    default = [o.row.package for o in map(corpus_builds.get, ROWS) if o.written is not None]
    lenient = [o.row.lenient_package for o in (corpus_builds.get(row, lenient=True) for row in LENIENT_ROWS)
               if o.written is not None]
    return sorted(default) + sorted(lenient)


def _import_models(root: Path, package: str) -> None:
    sys.path.insert(0, str(root))
    try:
        importlib.import_module(package)  # __init__ imports models, client, server, channels and the runtime
        importlib.import_module(f"{package}.mock")
    finally:
        sys.path.remove(str(root))


def test_every_generated_package_passes_ruff(corpus_builds: CorpusBuilds) -> None:
    """One `ruff check` (its defaults, no configuration) over every built package, lenient builds included."""
    packages = _written_packages(corpus_builds)
    assert packages, "no corpus document built"
    ruff = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", *packages],
                          cwd=corpus_builds.root, capture_output=True, text=True, check=False)
    assert ruff.returncode == 0, ruff.stdout[-20000:] + ruff.stderr[-2000:]


def test_every_generated_package_passes_mypy_strict(corpus_builds: CorpusBuilds, corpus_tally: Tally) -> None:
    """One mypy process over every built package, lenient builds included (only `models.py` until the runtime
    exists)."""
    packages = _written_packages(corpus_builds)
    assert packages, "no corpus document built"
    scope = "whole packages" if corpus_builds.full_packages else "models.py only (runtime not present)"
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", "/dev/null",
         "--no-color-output", *packages],
        cwd=corpus_builds.root, capture_output=True, text=True, check=False)
    summary = (mypy.stdout.strip().splitlines() or ["(no output)"])[-1]
    corpus_tally.mypy = f"{len(packages)} packages, {scope}: {summary}"
    assert mypy.returncode == 0, mypy.stdout[-20000:] + mypy.stderr[-2000:]


def test_every_corpus_file_is_accounted_for_and_licensed() -> None:
    """Each document's license travels with it: its source repository's LICENSE is in `LICENSES/<owner>__<repo>/`,
    and every file in the corpus is a manifest document, one of its `aux_files`, a license, or the README/manifest."""
    assert ROWS, "the corpus manifest lists no document"
    with MANIFEST.open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    expected = {"README.md", "manifest.tsv"}
    unlicensed = []
    for record in records:
        expected.add(record["path"])
        expected.update(name for name in (record["aux_files"] or "").split(",") if name)
        licenses = CORPUS / "LICENSES" / record["source_repo"].replace("/", "__")
        if not record["license"] or not any(licenses.glob("LICENSE*")):
            unlicensed.append(f"{record['path']} ({record['source_repo']}, {record['license'] or 'no license'})")
    assert not unlicensed, "documents without a license file: " + ", ".join(unlicensed)
    present = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file()}
    present = {name for name in present if not name.startswith("LICENSES/")}
    assert present == expected, f"missing: {sorted(expected - present)}; not in the manifest: {sorted(present - expected)}"
