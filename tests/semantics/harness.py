"""Differential judge: do the generated payload models accept exactly what their JSON Schema accepts?

For every message payload model of every valid, offline-buildable corpus document:

1. the payload's JSON Schema is the one prepared for datamodel-code-generator,
   `{"$ref": "#/$defs/<Name>", "$defs": api.models_schema["$defs"]}` (declared draft-07);
2. instances are drawn from it with hypothesis-jsonschema (derandomized, a bounded number per payload), and
   mutated (drop a key, retype a value, rename a key to its Python name, add an unknown key, null, change a value,
   duplicate an array item, wrap/unwrap, ...);
3. `jsonschema` alone decides whether each candidate is valid (Draft 7, patterns matched as ECMA-262 by `regress`,
   formats checked: `FORMATS` below - the ones both kinds of model give a Python type of their own);
4. OUR model judges it as the runtime does on wire input (`codec.decoder`, whatever flags it passes), and its
   wire dump (`codec.encode_json`: aliases, no nulls) is judged by jsonschema again;
5. datamodel-code-generator's PLAIN models (its defaults, one module per document) judge the same candidates
   (`TypeAdapter(cls).validate_json`, dumped with `by_alias=True`).

`run()` returns a `Report` with both sides' figures and the disagreements, by category. Everything is
deterministic: the same corpus gives the same counts.
"""

from __future__ import annotations

import copy
import csv
import importlib.util
import json
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import regress
from jsonschema import Draft7Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError as SchemaError
from jsonschema.exceptions import best_match
from pydantic import BaseModel, TypeAdapter, ValidationError

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus" / "documents"
MANIFEST = CORPUS / "manifest.tsv"
DRAFT7 = "http://json-schema.org/draft-07/schema#"
#: Formats the judge checks: those both our models and the plain ones map to a Python type that enforces them.
FORMATS = ("date-time", "date", "time", "uuid", "ipv4", "ipv6")
UNKNOWN_KEY = "unknownProperty_zz"


# --------------------------------------------------------------------------------------------------- the judge


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[SchemaError]:
    """`pattern`, matched as ECMA-262 does (regress); a pattern regress cannot compile falls back to Python's re."""
    if not validator.is_type(instance, "string"):
        return
    if not _ecma_search(pattern, instance):
        yield SchemaError(f"{instance!r} does not match {pattern!r}")


@lru_cache(maxsize=4096)
def _compile(pattern: str) -> Callable[[str], bool]:
    try:
        compiled = regress.Regex(pattern)
        return lambda text: compiled.find(text) is not None
    except Exception:  # noqa: BLE001 - not ECMA syntax: judge with Python's re, as jsonschema would
        python = re.compile(pattern)
        return lambda text: python.search(text) is not None


def _ecma_search(pattern: str, text: str) -> bool:
    return _compile(pattern)(text)


Judge = validators.extend(Draft7Validator, {"pattern": _ecma_pattern})
_MISSING_CHECKERS = set(FORMATS) - set(FormatChecker.checkers)
if _MISSING_CHECKERS:  # jsonschema checks some formats only with optional packages (date-time: rfc3339-validator)
    raise RuntimeError(f"jsonschema cannot check {sorted(_MISSING_CHECKERS)}: install the test extras "
                       "(pip install -e '.[test]'), which include rfc3339-validator")
_FORMAT_CHECKER = FormatChecker(formats=FORMATS)


def judge_for(schema: dict[str, Any]) -> Any:
    """A validator for `schema`: Draft 7 (or the draft it declares, with ECMA patterns only for Draft 7)."""
    declared = validators.validator_for(schema, default=Judge)
    cls = Judge if declared is Draft7Validator else declared
    return cls(schema, format_checker=_FORMAT_CHECKER)


def verdict(judge: Any, instance: Any) -> tuple[bool, str]:
    """(valid, keyword of jsonschema's best error or "")."""
    error = best_match(judge.iter_errors(instance))
    return (True, "") if error is None else (False, str(error.validator))


def payload_schema(defs: dict[str, Any], name: str) -> dict[str, Any]:
    """The payload's JSON Schema as prepared for datamodel-code-generator."""
    return {"$schema": DRAFT7, "$ref": f"#/$defs/{name}", "$defs": defs}


# ------------------------------------------------------------------------------------------------- mutations


def python_name(json_name: str) -> str:
    """The Python field name datamodel-code-generator's snake_case_field gives a JSON name."""
    from datamodel_code_generator.reference import camel_to_snake

    name = re.sub(r"\W", "_", camel_to_snake(json_name))
    return "field_" + name if name[:1].isdigit() else name


@dataclass(frozen=True)
class Candidate:
    """One instance to judge: the drawn one (`kind == "drawn"`) or a mutation of it."""

    kind: str
    path: tuple[str | int, ...]
    instance: Any
    moved: tuple[str, Any] | None = None  # python_name: (json name, value) expected back in the dump at `path`


def _nodes(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _nodes(sub, (*path, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value[:2]):
            yield from _nodes(sub, (*path, i))


def _replace(root: Any, path: tuple[str | int, ...], new: Any) -> Any:
    if not path:
        return new
    out = copy.deepcopy(root)
    node = out
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = new
    return out


def _other_values(value: Any) -> list[tuple[str, Any]]:
    """Values of another JSON type, or the same type changed, for `value`: (mutation kind, new value)."""
    out: list[tuple[str, Any]] = []
    if isinstance(value, bool):
        out += [("bool_as_int", int(value)), ("bool_as_string", str(value).lower()), ("bool_flip", not value)]
    elif isinstance(value, int | float):
        out += [("number_as_string", json.dumps(value)), ("number_changed", -abs(value) - 1)]
        if isinstance(value, int):
            out.append(("int_as_fraction", value + 0.5))
            if value in (0, 1):
                out.append(("int_as_bool", bool(value)))
    elif isinstance(value, str):
        out += [("string_as_number", 123), ("string_empty", ""), ("string_changed", value + "Zz\x1f")]
        if value in ("true", "false"):
            out.append(("string_as_bool", value == "true"))
    elif isinstance(value, list):
        out += [("array_empty", []), ("array_unwrapped", value[0] if value else "x")]
        if value:
            out.append(("array_duplicate_item", [*value, copy.deepcopy(value[0])]))
    elif isinstance(value, dict):
        out += [("object_empty", {}), ("object_as_string", json.dumps(value))]
    if value is not None:
        out += [("null", None), ("wrapped_in_array", [value])]
    return out


def mutations(instance: Any, limit: int) -> list[Candidate]:
    """At most `limit` mutations of `instance` (deterministic; the kinds are interleaved so each gets a share)."""
    by_kind: dict[str, list[Candidate]] = {}

    def add(candidate: Candidate) -> None:
        by_kind.setdefault(candidate.kind, []).append(candidate)

    for path, node in _nodes(instance):
        if isinstance(node, dict):
            add(Candidate("unknown_property", path, _replace(instance, path, {**node, UNKNOWN_KEY: 1})))
            for key in node:
                add(Candidate("drop_key", (*path, key), _replace(instance, path,
                                                                 {k: v for k, v in node.items() if k != key})))
                py = python_name(key)
                if py != key and py not in node:
                    renamed = {(py if k == key else k): v for k, v in node.items()}
                    add(Candidate("python_name", (*path, key), _replace(instance, path, renamed), (key, node[key])))
        if path:
            for kind, new in _other_values(node):
                add(Candidate(kind, path, _replace(instance, path, new)))
    for kind, new in _other_values(instance):
        add(Candidate("root_" + kind, (), new))
    picked: list[Candidate] = []
    queues = [list(reversed(queue)) for _, queue in sorted(by_kind.items())]
    while len(picked) < limit and any(queues):
        for queue in queues:
            if queue and len(picked) < limit:
                picked.append(queue.pop())
    return picked


# ------------------------------------------------------------------------------------------------ drawing


def draw(schema: dict[str, Any], count: int, seed: int = 0) -> list[Any]:
    """Up to `count` distinct instances of `schema`, derandomized; raises when hypothesis-jsonschema cannot."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed
    from hypothesis import strategies as st
    from hypothesis_jsonschema import from_schema
    from hypothesis_jsonschema._from_schema import STRING_FORMATS

    formats = {f for f in _all_formats(schema) if f not in STRING_FORMATS}
    known = {"uuid": st.uuids().map(str)}
    strategy = from_schema(schema, custom_formats={f: known.get(f, st.text(max_size=8)) for f in formats})
    found: list[Any] = []
    seen: set[str] = set()

    @hseed(seed)
    @settings(max_examples=count * 3, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    @given(strategy)
    def collect(value: Any) -> None:
        text = json.dumps(value, sort_keys=True)
        if text not in seen and len(found) < count:
            seen.add(text)
            found.append(value)

    collect()
    return found


def _all_formats(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        found = {schema["format"]} if isinstance(schema.get("format"), str) else set()
        for value in schema.values():
            found |= _all_formats(value)
        return found
    if isinstance(schema, list):
        return set().union(*map(_all_formats, schema)) if schema else set()
    return set()


# --------------------------------------------------------------------------------------------- the two sides


class Rejected(Exception):
    """A model refused a candidate; `errors` is pydantic's list (or one entry naming the runtime's error)."""

    def __init__(self, errors: list[Any]) -> None:
        super().__init__(errors)
        self.errors = errors

    @property
    def category(self) -> str:
        first = self.errors[0] if self.errors else {}
        loc = ".".join("*" if isinstance(step, int) else str(step) for step in first.get("loc", ()))
        return f"{first.get('type', '?')} at {loc or '<root>'}"


class Side:
    """How one kind of model reads wire JSON and writes it back."""

    def __init__(self, name: str, adapter: TypeAdapter[Any], read: Callable[[str], Any],
                 dump: Callable[[Any], Any]) -> None:
        self.name, self.adapter, self.read, self.dump = name, adapter, read, dump


def our_side(model: Any) -> Side:
    """OUR model, as the runtime validates what it receives (codec.decoder) and encodes what it sends."""
    from asyncapi_gen.runtime.core import codec
    from asyncapi_gen.runtime.core.channels import ChannelKind, ChannelSpec
    from asyncapi_gen.runtime.core.errors import WireError

    adapter: TypeAdapter[Any] = TypeAdapter(model)
    try:
        spec = ChannelSpec(address="/semantics", kind=ChannelKind.DATA, codec=None, client_sends=True,
                           server_sends=True, server_inbound=adapter, max_message_bytes=1 << 30)
        decode = codec.decoder(spec, adapter)
    except Exception:  # noqa: BLE001 - the runtime's API moved: validate with its module-level flags
        flags = {key.lower(): getattr(codec, key) for key in ("STRICT", "BY_NAME", "BY_ALIAS") if hasattr(codec, key)}

        def decode(raw: str) -> Any:
            return adapter.validate_json(raw, **flags)

    def read(raw: str) -> Any:
        try:
            return decode(raw)
        except WireError as exc:
            raise Rejected(getattr(exc, "errors", None) or [{"type": type(exc).__name__}]) from None
        except ValidationError as exc:
            raise Rejected(exc.errors()) from None

    def dump(value: Any) -> Any:
        if isinstance(value, BaseModel):
            return json.loads(codec.encode_json(value))
        return json.loads(adapter.dump_json(value, by_alias=True, exclude_none=True))

    return Side("ours", adapter, read, dump)


def plain_side(model: Any) -> Side:
    """datamodel-code-generator's plain model: model_validate_json, model_dump_json(by_alias=True)."""
    adapter: TypeAdapter[Any] = TypeAdapter(model)

    def read(raw: str) -> Any:
        try:
            return adapter.validate_json(raw)
        except ValidationError as exc:
            raise Rejected(exc.errors()) from None

    return Side("plain", adapter, read, lambda value: json.loads(adapter.dump_json(value, by_alias=True)))


# ---------------------------------------------------------------------------------------------- the corpus


@dataclass(frozen=True)
class Payload:
    document: str
    name: str
    schema: dict[str, Any]
    ours: Any
    plain: Any  # None when datamodel-code-generator's plain module failed


@dataclass
class CorpusPayloads:
    payloads: list[Payload] = field(default_factory=list)
    documents: int = 0
    failures: list[str] = field(default_factory=list)  # documents or plain modules that did not build/import
    seconds: float = 0.0


def valid_rows() -> list[tuple[int, str]]:
    """(index, path) of the manifest's documents that must build offline (see tests/corpus/conftest.py)."""
    rows = []
    with MANIFEST.open(encoding="utf-8", newline="") as handle:
        for i, r in enumerate(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)):
            notes = r["notes"] or ""
            expected = r["intent"] if ("schema-false-negative" in notes or "semantic rule" in notes) else r["validity"]
            if expected == "valid" and "remote-refs" not in notes and "dangling-refs" not in notes:
                rows.append((i, r["path"]))
    return rows


def _load_module(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _load_models(package: str, folder: Path) -> ModuleType:
    """`<package>.models`, imported without running the package's `__init__` (client, server, transports)."""
    if package not in sys.modules:
        parent = ModuleType(package)
        parent.__path__ = [str(folder)]
        sys.modules[package] = parent
    return _load_module(f"{package}.models", folder / "models.py")


def _plain_classes(defs: dict[str, Any], names: list[str], out: Path, module_name: str) -> dict[str, Any]:
    """datamodel-code-generator's plain (default-option) models for `names`, in one module.

    The root schema has one required property per payload, `$ref`ing its definition: the root model's field
    annotations then name the class each payload became, whatever datamodel-code-generator called it.
    """
    from datamodel_code_generator import DataModelType, InputFileType, generate

    fields = {f"p{i}": {"$ref": f"#/$defs/{name}"} for i, name in enumerate(names)}
    schema = {"$schema": DRAFT7, "title": "SemanticsRoot", "type": "object", "properties": fields,
              "required": list(fields), "$defs": defs}
    code = generate(json.dumps(schema), input_file_type=InputFileType.JsonSchema,
                    output_model_type=DataModelType.PydanticV2BaseModel)
    assert isinstance(code, str)
    path = out / f"{module_name}.py"
    path.write_text(code, encoding="utf-8")
    module = _load_module(module_name, path)
    root = module.SemanticsRoot
    return {name: root.model_fields[f"p{i}"].annotation for i, name in enumerate(names)}


def load_corpus(out: Path | None = None, limit_documents: int | None = None) -> CorpusPayloads:
    """Build every valid document, import its models and the plain models of the same schemas."""
    from asyncapi_gen.build import BuildOptions, build
    from asyncapi_gen.write import write_tree

    start = time.perf_counter()
    out = out or Path(tempfile.mkdtemp(prefix="asyncapi-semantics-"))
    corpus = CorpusPayloads()
    for index, path in valid_rows()[:limit_documents]:
        package = f"semantics_{index:03d}"
        try:
            result = build(CORPUS / path, BuildOptions(package=package, ref_root=CORPUS), display=path)
            if not result.ok or result.api is None:
                corpus.failures.append(f"{path}: did not build")
                continue
            write_tree(result.files, out / package)
            models = _load_models(package, out / package / package)
        except Exception:  # noqa: BLE001 - counted and reported, never fatal
            corpus.failures.append(f"{path}: {traceback.format_exc().splitlines()[-1]}")
            continue
        corpus.documents += 1
        defs = result.api.models_schema.get("$defs", {})
        names = list(dict.fromkeys(m.payload_model for m in result.api.messages if m.payload_model))
        try:
            plain = _plain_classes(defs, names, out, f"{package}_plain")
        except Exception:  # noqa: BLE001
            corpus.failures.append(f"{path} (plain): {traceback.format_exc().splitlines()[-1]}")
            plain = {}
        for name in names:
            corpus.payloads.append(Payload(path, name, payload_schema(defs, name), getattr(models, name),
                                           plain.get(name)))
    corpus.seconds = time.perf_counter() - start
    return corpus


# ------------------------------------------------------------------------------------------------ the figures


@dataclass
class Figures:
    """One side's counts."""

    valid: int = 0
    valid_accepted: int = 0
    dumps: int = 0
    dumps_valid: int = 0
    invalid: int = 0
    invalid_rejected: int = 0
    python_name_candidates: int = 0
    python_name_accepted: int = 0  # the model took the field's value from its Python name
    python_name_invalid_accepted: int = 0  # a schema-invalid python-named key accepted (even if dropped)
    # (what went wrong, category) -> count; and one example per key
    disagreements: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[tuple[str, str], str] = field(default_factory=dict)

    def pct(self, part: int, whole: int) -> float:
        return 100.0 * part / whole if whole else 100.0

    @property
    def valid_accepted_pct(self) -> float:
        return self.pct(self.valid_accepted, self.valid)

    @property
    def dumps_valid_pct(self) -> float:
        return self.pct(self.dumps_valid, self.dumps)

    @property
    def invalid_rejected_pct(self) -> float:
        return self.pct(self.invalid_rejected, self.invalid)

    def note(self, what: str, category: str, example: str) -> None:
        self.disagreements[(what, category)] += 1
        self.examples.setdefault((what, category), example)

    def counts(self) -> tuple[int, ...]:
        return (self.valid, self.valid_accepted, self.dumps, self.dumps_valid, self.invalid, self.invalid_rejected,
                self.python_name_candidates, self.python_name_accepted, self.python_name_invalid_accepted)


@dataclass
class Report:
    ours: Figures = field(default_factory=Figures)
    plain: Figures = field(default_factory=Figures)
    payloads: int = 0
    payloads_compared_with_plain: int = 0
    drawn: int = 0
    skipped: list[str] = field(default_factory=list)  # payloads hypothesis-jsonschema could not draw from
    candidates: int = 0
    seconds: float = 0.0


def _at(value: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        if isinstance(value, dict) and isinstance(step, str) and step in value or isinstance(value, list) and isinstance(step, int) and step < len(value):
            value = value[step]
        else:
            return _MISSING
    return value


_MISSING = object()


def _short(text: str, limit: int = 220) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _judge_side(figures: Figures, side: Side, judge: Any, candidate: Candidate, text: str, valid: bool,
                keyword: str, where: str) -> None:
    try:
        value = side.read(text)
        accepted, error = True, ""
    except Rejected as exc:
        value, accepted, error = None, False, exc.category
    except Exception as exc:  # noqa: BLE001 - any other refusal is a rejection too
        value, accepted, error = None, False, type(exc).__name__
    example = f"{where} {candidate.kind} {_short(text)}"
    if valid:
        figures.valid += 1
        if accepted:
            figures.valid_accepted += 1
        else:
            figures.note("valid rejected", error, example)
    else:
        figures.invalid += 1
        if accepted:
            figures.note("invalid accepted", f"{candidate.kind} / {keyword}", example)
            if candidate.kind == "python_name":
                figures.python_name_invalid_accepted += 1
        else:
            figures.invalid_rejected += 1
    if candidate.kind == "python_name" and candidate.moved is not None:
        figures.python_name_candidates += 1
    if not accepted:
        return
    try:
        dumped = side.dump(value)
    except Exception as exc:  # noqa: BLE001
        dumped = _MISSING
        dump_error = type(exc).__name__
    if candidate.kind == "python_name" and candidate.moved is not None and dumped is not _MISSING:
        json_name, moved = candidate.moved
        holder = _at(dumped, candidate.path[:-1])
        if moved is not None and isinstance(holder, dict) and holder.get(json_name, _MISSING) == moved:
            figures.python_name_accepted += 1
            figures.note("python name accepted", json_name, example)
    if not valid:
        return
    figures.dumps += 1
    if dumped is _MISSING:
        figures.note("dump fails", f"{candidate.kind} / {dump_error}", example)
        return
    dump_ok, dump_keyword = verdict(judge, dumped)
    if dump_ok:
        figures.dumps_valid += 1
    else:
        figures.note("dump invalid", dump_keyword, f"{example} -> {_short(json.dumps(dumped))}")


def run(corpus: CorpusPayloads, per_payload: int = 8, mutations_per_instance: int = 24,
        progress: Callable[[str], None] | None = None) -> Report:
    """Judge every payload of `corpus`: `per_payload` drawn instances, each with its mutations."""
    import warnings

    start = time.perf_counter()
    report = Report()
    for payload in corpus.payloads:
        report.payloads += 1
        where = f"{payload.document}#{payload.name}"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                drawn = draw(payload.schema, per_payload)
        except Exception as exc:  # noqa: BLE001 - hypothesis-jsonschema cannot handle it: counted
            report.skipped.append(f"{where}: {type(exc).__name__}: {_short(str(exc).splitlines()[0] if str(exc) else '', 120)}")
            continue
        if not drawn:
            report.skipped.append(f"{where}: nothing drawn")
            continue
        if progress:
            progress(where)
        judge = judge_for(payload.schema)
        ours = our_side(payload.ours)
        plain = plain_side(payload.plain) if payload.plain is not None else None
        report.payloads_compared_with_plain += plain is not None
        report.drawn += len(drawn)
        seen: set[str] = set()
        for instance in drawn:
            for candidate in [Candidate("drawn", (), instance), *mutations(instance, mutations_per_instance)]:
                text = json.dumps(candidate.instance)
                if text in seen:
                    continue
                seen.add(text)
                report.candidates += 1
                valid, keyword = verdict(judge, candidate.instance)
                _judge_side(report.ours, ours, judge, candidate, text, valid, keyword, where)
                if plain is not None:
                    _judge_side(report.plain, plain, judge, candidate, text, valid, keyword, where)
    report.seconds = time.perf_counter() - start
    return report


def table(report: Report) -> str:
    """The figures, ours beside plain datamodel-code-generator."""
    o, p = report.ours, report.plain
    rows = [
        ("schema-valid instances accepted", f"{o.valid_accepted_pct:.2f} % ({o.valid_accepted}/{o.valid})",
         f"{p.valid_accepted_pct:.2f} % ({p.valid_accepted}/{p.valid})", ">= 99.9 %"),
        ("dumps that still validate", f"{o.dumps_valid_pct:.2f} % ({o.dumps_valid}/{o.dumps})",
         f"{p.dumps_valid_pct:.2f} % ({p.dumps_valid}/{p.dumps})", ">= 99.9 %"),
        ("schema-invalid instances rejected", f"{o.invalid_rejected_pct:.2f} % ({o.invalid_rejected}/{o.invalid})",
         f"{p.invalid_rejected_pct:.2f} % ({p.invalid_rejected}/{p.invalid})", ">= 97 %"),
        ("python name accepted for JSON name", f"{o.python_name_accepted} of {o.python_name_candidates}",
         f"{p.python_name_accepted} of {p.python_name_candidates}", "0"),
        ("  (schema-invalid python-named key let through)", f"{o.python_name_invalid_accepted}",
         f"{p.python_name_invalid_accepted}", "-"),
    ]
    widths = [max(len(r[i]) for r in [("figure", "ours", "plain datamodel-codegen", "target"), *rows])
              for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True))
             for r in [("figure", "ours", "plain datamodel-codegen", "target"), *rows]]
    return "\n".join(lines)


def categories(figures: Figures, top: int = 15) -> list[tuple[str, str, int, str]]:
    """The largest disagreement categories: (what, category, count, one example)."""
    return [(what, cat, n, figures.examples[(what, cat)]) for (what, cat), n in figures.disagreements.most_common(top)]


def summary_by_what(figures: Figures) -> Counter[str]:
    out: Counter[str] = Counter()
    for (what, _), n in figures.disagreements.items():
        out[what] += n
    return out


__all__ = ["Candidate", "CorpusPayloads", "Figures", "Report", "categories", "draw", "judge_for", "load_corpus",
           "mutations", "payload_schema", "python_name", "run", "table", "verdict"]
