"""The corpus suite's shared state: one build per document (cached for the session), and the tally printed at the end.

The corpus lives in the repository, in `documents/`: byte-for-byte copies of public documents, each row of
`documents/manifest.tsv` naming a document's source and license, the licenses themselves in `documents/LICENSES/`.
Every document is built once with the Python API; its import package is written under one session folder,
`<package>/...`, so that one mypy process can check every generated package at once. The documents the official
schema rejects (and those meant to be invalid) are built a second time with `lenient=True`, as
`corpus_lenient_<n>`. Until the transport runtime
lands (generator/asyncapi_gen/runtime/ with its `__init__.py`), only `models.py` (beside an empty `__init__.py`) is
written: the other modules import `_runtime`.
"""

from __future__ import annotations

import csv
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from asyncapi_gen import render
from asyncapi_gen.build import BuildOptions, BuildResult, build
from asyncapi_gen.diagnostics import Severity
from asyncapi_gen.load import LoadError, load_file
from asyncapi_gen.validate import validate_document

CORPUS = Path(__file__).resolve().parent / "documents"
MANIFEST = CORPUS / "manifest.tsv"
RUNTIME = Path(render.__file__).resolve().parent / "runtime"
_TALLY = pytest.StashKey["Tally"]()


@dataclass(frozen=True)
class Row:
    """One manifest row, with the package name its document is built under."""

    index: int
    path: str
    version: str
    validity: str
    intent: str
    notes: str

    @property
    def package(self) -> str:
        return f"corpus_{self.index:03d}"

    @property
    def lenient_package(self) -> str:
        """The package of the document's lenient build (distinct, so both may be imported in one session)."""
        return f"corpus_lenient_{self.index:03d}"

    @property
    def expected_verdict(self) -> str:
        """What our validator must say: the official schema's verdict, except where the schema itself is wrong.

        `schema-false-negative` rows are valid documents the official schema rejects; `semantic rule` rows are
        deliberate negative fixtures that break a rule JSON Schema cannot express. For both, the author's intent
        is the truth.
        """
        if "schema-false-negative" in self.notes or "semantic rule" in self.notes:
            return self.intent
        return self.validity

    @property
    def refs_offline(self) -> bool:
        """False when the manifest says the document refers to the network or to files that do not exist."""
        return "remote-refs" not in self.notes and "dangling-refs" not in self.notes


@dataclass
class Outcome:
    """What happened to one document: its build, our validator's verdict, the time, and any traceback."""

    row: Row
    result: BuildResult | None = None
    verdict: str = ""
    seconds: float = 0.0
    crash: str = ""
    written: Path | None = None


@dataclass
class Tally:
    """Counts for the terminal summary."""

    counts: Counter[str] = field(default_factory=Counter)
    times: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    mypy: str = ""
    transports: Counter[str] = field(default_factory=Counter)  # "protocol -> transport" of each package that imports


def read_manifest() -> list[Row]:
    """The manifest's rows, in file order (which fixes each document's package name).

    The corpus is part of the repository: a missing manifest is a collection error, never an empty (skipped) suite.
    """
    with MANIFEST.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [Row(i, r["path"], r["asyncapi_version"], r["validity"], r["intent"], r["notes"] or "")
                for i, r in enumerate(reader)]


class CorpusBuilds:
    """Builds each document at most once per session and writes its import package under `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.full_packages = (RUNTIME / "__init__.py").is_file()
        self._outcomes: dict[str, Outcome] = {}

    def get(self, row: Row, *, lenient: bool = False) -> Outcome:
        key = f"{row.path} (lenient)" if lenient else row.path
        if key not in self._outcomes:
            self._outcomes[key] = self._build(row, lenient)
        return self._outcomes[key]

    def _build(self, row: Row, lenient: bool) -> Outcome:
        outcome = Outcome(row)
        spec = CORPUS / row.path
        package = row.lenient_package if lenient else row.package
        start = time.perf_counter()
        try:
            outcome.verdict = _verdict(spec, row.path)
            options = BuildOptions(package=package, ref_root=CORPUS, lenient=lenient)
            outcome.result = build(spec, options, display=row.path)
        except Exception:  # noqa: BLE001 - a traceback is a failure of its own: record it, never let it escape
            outcome.crash = traceback.format_exc()
        outcome.seconds = time.perf_counter() - start
        if outcome.result is not None and outcome.result.ok:
            outcome.written = self._write(package, outcome.result.files)
        return outcome

    def _write(self, package: str, files: dict[str, str]) -> Path:
        folder = self.root / package
        folder.mkdir(parents=True, exist_ok=True)
        prefix = package + "/"
        for name, text in files.items():
            if not name.startswith(prefix) or not (self.full_packages or name == prefix + "models.py"):
                continue
            target = self.root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        if not self.full_packages:
            (folder / "__init__.py").write_text("", encoding="utf-8")
        return folder


def _verdict(spec: Path, display: str) -> str:
    """Our validator's verdict on the document as written (its `$ref`s not followed), as the manifest's is made."""
    try:
        main = load_file(spec, display)
    except LoadError:
        return "invalid"
    errors = [d for d in validate_document(main) if d.severity is Severity.ERROR]
    return "invalid" if errors else "valid"


@pytest.fixture(scope="session")
def corpus_builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CorpusBuilds]:
    """The session's builds; without the runtime, the generated package is built with an empty `_runtime/`."""
    root = tmp_path_factory.mktemp("corpus-packages")
    with pytest.MonkeyPatch.context() as patch:
        if not RUNTIME.is_dir():
            patch.setattr(render, "runtime_sources", dict)
        yield CorpusBuilds(root)


@pytest.fixture(scope="session")
def corpus_tally(request: pytest.FixtureRequest) -> Tally:
    """The counts the terminal summary prints."""
    tally = Tally()
    request.config.stash[_TALLY] = tally
    return tally


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    tally = config.stash.get(_TALLY, None)
    if tally is None or not tally.times:
        return
    write = terminalreporter.write_line
    terminalreporter.section("asyncapi corpus")
    order = ("built", "import ok", "expected-invalid ok", "refused-remote", "lenient built", "lenient refused",
             "failures")
    write("  " + " / ".join(f"{key}: {tally.counts[key]}" for key in order))
    slowest = sorted(tally.times.items(), key=lambda item: -item[1])[:3]
    write("  slowest builds: " + ", ".join(f"{path} {seconds:.2f}s" for path, seconds in slowest))
    write(f"  total build time: {sum(tally.times.values()):.1f}s over {len(tally.times)} documents")
    if tally.transports:
        write("  imported, by protocol -> transport: " + ", ".join(
            f"{key} {count}" for key, count in sorted(tally.transports.items(), key=lambda item: (-item[1], item[0]))))
    if tally.mypy:
        write(f"  mypy --strict: {tally.mypy}")
    for failure in tally.failures:
        write(f"  FAILED {failure}")
