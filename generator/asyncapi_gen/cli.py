"""The command line: parse options, call the pipeline, print diagnostics. Exit 0 ok, 1 for a bad spec or stale output.

With a SPEC argument a command works on that spec; without one, on every target of `[tool.asyncapi-gen]` in the
nearest pyproject.toml (see config.py). `--format` says how the run is reported: `text` (diagnostics on stderr, in
the compilers' `file:line:col:` shape), `json` (one JSON document per run, on stdout) or `github` (GitHub Actions
workflow annotations, on stdout). docs/diagnostics.md describes all three.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from asyncapi_gen import __version__
from asyncapi_gen.config import ConfigError, Target, find_pyproject, load_targets
from asyncapi_gen.diagnostics import Diagnostic, Severity, has_errors
from asyncapi_gen.provenance import BuildRecord, QuickStatus, quick_check, record_for, recorded_spec

if TYPE_CHECKING:
    from asyncapi_gen.build import BuildOptions, BuildResult
    from asyncapi_gen.modelworker import ModelWorker


@click.group()
@click.version_option(__version__, prog_name="asyncapi-gen")
def main() -> None:
    """asyncapi-gen: turn an AsyncAPI document into a typed Python package."""


# The spec may name a folder or a missing file: the build says so as a diagnostic (exit 1), not as a usage error.
_spec = click.argument("spec", required=False, type=click.Path(path_type=Path))
_out = click.option("-o", "--output", "output", type=click.Path(file_okay=False, path_type=Path),
                    help="Distribution folder to write (default: ./<package-name-with-dashes>).")
_package = click.option("--package", help="Import name of the generated package (default: from info.title).")
_templates = click.option("--templates", "template_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
                          help="Folder of templates that replace built-in ones of the same name.")
_ref_root = click.option("--ref-root", type=click.Path(file_okay=False, exists=True, path_type=Path),
                         help="Folder that relative $ref files must stay inside (default: the enclosing project).")
_transport = click.option("--transport", type=click.Choice(["webrtc", "websocket", "mqtt", "amqp", "nats", "redis", "kafka", "none"]),
                          help="Transport of the generated client and server (default: from the spec).")
_describes = click.option("--describes", type=click.Choice(["server", "client"]),
                          help="Which end of the connection the document's application is (default: from the spec's "
                               "x-asyncapi-gen-describes, else server).")
_lenient = click.option("--lenient", is_flag=True, default=False,
                        help="Build from a document the official JSON Schema rejects when it is still understandable: "
                             "its violations become warnings.")
_format = click.option("--format", "output_format", type=click.Choice(["text", "json", "github"]), default="text",
                       help="text: diagnostics on stderr; json: one JSON document per run on stdout; github: GitHub "
                            "Actions annotations on stdout.")


def _target_options(command: Callable[..., None]) -> Callable[..., None]:
    """The arguments that name one target (or none: the configured ones), shared by build and check."""
    for option in reversed((_spec, _out, _package, _templates, _ref_root, _transport, _describes, _lenient, _format)):
        command = option(command)
    return command


@main.command("build")
@_target_options
def build_command(spec: Path | None, output: Path | None, package: str | None, template_dir: Path | None,
                  ref_root: Path | None, transport: str | None, describes: str | None, lenient: bool,
                  output_format: str) -> None:
    """Generate the package for SPEC (or every configured target), atomically: on error OUTPUT is left as it was."""
    from asyncapi_gen.modelworker import model_worker

    with model_worker() as worker:  # before the build's own imports, which the worker's overlap
        _build_targets(spec, output, package, template_dir, ref_root, transport, describes, lenient, output_format,
                       worker)


def _build_targets(spec: Path | None, output: Path | None, package: str | None, template_dir: Path | None,
                   ref_root: Path | None, transport: str | None, describes: str | None, lenient: bool,
                   output_format: str, worker: ModelWorker | None) -> None:
    from asyncapi_gen.build import build
    from asyncapi_gen.write import WriteError, write_tree

    report = _Report("build", output_format)
    for target in _targets(spec, output, package, template_dir, ref_root, transport, describes, lenient, report):
        result = build(target.spec, _options(target), _shown(target.spec), worker)
        entry = report.target(target, result.diagnostics)
        entry["written"] = 0
        if not result.ok:
            continue
        out = target.output or Path(result.api.distribution if result.api else "generated")
        entry["output"] = _shown(out)
        try:
            write_tree(result.files, out)
        except (WriteError, OSError) as exc:
            report.add(entry, Diagnostic(Severity.ERROR, "write-failed", str(exc), _shown(out)))
            continue
        entry["written"] = len(result.files)
        report.say(f"wrote {len(result.files)} files to {_shown(out)}")
    report.finish()


@main.command("check")
@_target_options
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff of each stale file.")
def check_command(spec: Path | None, output: Path | None, package: str | None, template_dir: Path | None,
                  ref_root: Path | None, transport: str | None, describes: str | None, lenient: bool,
                  output_format: str, show_diff: bool) -> None:
    """Exit 0 when each OUTPUT is exactly what its SPEC generates; 1, saying why and naming each stale file, if not.

    A current target is decided from digests alone, without a build; a stale one is rebuilt in memory to say
    which files differ, and that build's diagnostics (warnings too) are reported.
    """
    report = _Report("check", output_format)
    for target in _targets(spec, output, package, template_dir, ref_root, transport, describes, lenient, report):
        if target.output is None:
            raise click.UsageError("check needs -o OUTPUT (or a configured target)")
        status = quick_check(target.spec, target.output, _record(target))
        entry = report.target(target, [])
        entry.update(output=_shown(target.output), current=status.current, reasons=list(status.reasons), files=[])
        if not status.current:
            _explain(report, entry, target, target.output, status, show_diff)
    report.finish(stale=any(not entry["current"] for entry in report.targets))


def _explain(report: _Report, entry: dict[str, Any], target: Target, out: Path, status: QuickStatus,
             show_diff: bool) -> None:
    from asyncapi_gen.modelworker import model_worker

    with model_worker() as worker:
        from asyncapi_gen.build import build
        from asyncapi_gen.write import compare_tree

        result = build(target.spec, _options(target), _shown(target.spec), worker)
    shown_out = _shown(out)
    for diagnostic in result.diagnostics:
        report.add(entry, diagnostic)
    recorded = recorded_spec(out)
    if result.api and recorded.get("version") and recorded.get("version") != result.api.version:
        reason = f"spec version changed: {recorded.get('version')} -> {result.api.version}"
        entry["reasons"].insert(0, reason)
        report.say(f"{shown_out}: {reason}")
    elif result.api and any(r.startswith("input ") for r in status.reasons):
        report.add(entry, Diagnostic(Severity.WARNING, "version-not-bumped", "spec content changed but info.version "
                                     f"is still {result.api.version!r}", _shown(target.spec)))
    for reason in status.reasons:
        report.say(f"{shown_out}: {reason}")
    difference = compare_tree(result.files, out) if result.ok else None
    for label, paths in (("stale", difference.changed), ("missing", difference.missing),
                         ("extra", difference.extra)) if difference else ():
        for path in paths:
            item: dict[str, Any] = {"path": path, "state": label}
            entry["files"].append(item)
            report.say(f"{shown_out}/{path}: {label}")
            report.annotate("error", f"{shown_out}/{path}", "stale", f"{label}: not what `asyncapi-gen build` makes")
            if show_diff and label == "stale":
                item["diff"] = _diff(out, path, result)
                report.print_diff(item["diff"])
    report.say(f"{shown_out} is stale: run `asyncapi-gen build`")
    report.annotate("error", _shown(target.spec), "stale", f"{shown_out} is stale: run `asyncapi-gen build` ("
                    + "; ".join(entry["reasons"]) + ")")


def _diff(out: Path, path: str, result: BuildResult) -> str:
    import difflib  # only a stale check with --diff needs it

    old = (out / path).read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
    new = result.files[path].splitlines(keepends=True)
    return "".join(difflib.unified_diff(old, new, f"a/{path}", f"b/{path}"))


class _Report:
    """What a run found, printed as it goes (text, github) or as one JSON document at the end (json)."""

    def __init__(self, command: str, output_format: str) -> None:
        self.command = command
        self.format = output_format
        self.targets: list[dict[str, Any]] = []
        self.diagnostics: list[Diagnostic] = []  # the run's own (configuration), outside any target

    def target(self, target: Target, diagnostics: list[Diagnostic]) -> dict[str, Any]:
        """A new target entry, with its first diagnostics reported."""
        entry: dict[str, Any] = {"spec": _shown(target.spec), "output": _shown(target.output) if target.output else None,
                                 "diagnostics": []}
        self.targets.append(entry)
        for diagnostic in diagnostics:
            self.add(entry, diagnostic)
        return entry

    def add(self, entry: dict[str, Any] | None, diagnostic: Diagnostic) -> None:
        """Report one diagnostic of a target (or of the run, with entry None)."""
        if entry is None:
            self.diagnostics.append(diagnostic)
        else:
            entry["diagnostics"].append(diagnostic)
        if self.format == "text":
            click.echo(diagnostic.render(), err=True)
        elif self.format == "github":
            click.echo(diagnostic.to_github())

    def say(self, line: str) -> None:
        """A line for people (text format only)."""
        if self.format == "text":
            click.echo(line, err=True)

    def annotate(self, level: str, file: str, code: str, message: str) -> None:
        """An annotation with no line (github format only)."""
        if self.format == "github":
            click.echo(Diagnostic(Severity(level), code, message, file).to_github())

    def print_diff(self, diff: str) -> None:
        if self.format != "json":
            sys.stdout.write(diff)

    def finish(self, *, stale: bool = False) -> NoReturn:
        """Print the JSON document (json format) and exit: 1 on any error (or a stale target), else 0."""
        failed = stale or has_errors(self.diagnostics) or any(
            has_errors(entry["diagnostics"]) for entry in self.targets)
        if self.format == "json":
            document: dict[str, Any] = {"command": self.command, "version": __version__, "ok": not failed,
                                        "diagnostics": [d.to_json() for d in self.diagnostics],
                                        "targets": [_json_entry(entry) for entry in self.targets]}
            click.echo(json.dumps(document, indent=2))
        sys.exit(1 if failed else 0)


def _json_entry(entry: dict[str, Any]) -> dict[str, Any]:
    shown = dict(entry)
    diagnostics: list[Diagnostic] = entry["diagnostics"]
    shown["ok"] = not has_errors(diagnostics) and entry.get("current", True)
    shown["diagnostics"] = [d.to_json() for d in diagnostics]
    return shown


def _targets(spec: Path | None, output: Path | None, package: str | None, template_dir: Path | None,
             ref_root: Path | None, transport: str | None, describes: str | None, lenient: bool,
             report: _Report) -> list[Target]:
    if spec is not None:
        return [Target(spec, output, package, template_dir, ref_root, transport, describes, lenient)]
    try:
        pyproject = find_pyproject(Path.cwd())
        if pyproject is None:
            raise click.UsageError("no SPEC given and no [tool.asyncapi-gen] table in any pyproject.toml above here")
        targets = load_targets(pyproject)
    except ConfigError as exc:
        report.add(None, Diagnostic(Severity.ERROR, "config", str(exc), ""))
        report.finish()
    if any(option is not None for option in (template_dir, package, output, transport, describes)) or lenient:
        raise click.UsageError("--output, --package, --templates, --transport, --describes and --lenient go with a "
                               "SPEC; configure targets otherwise")
    return targets


def _record(target: Target) -> BuildRecord:
    return record_for(target.spec, target.package, target.transport, target.ref_root, target.templates,
                      target.describes, target.lenient)


def _options(target: Target) -> BuildOptions:
    from asyncapi_gen.build import BuildOptions
    from asyncapi_gen.ir import Role, Transport

    transport = Transport(target.transport) if target.transport else None
    describes = Role(target.describes) if target.describes else None
    return BuildOptions(target.package, target.templates, target.ref_root, transport, describes, target.lenient)


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when it is under it."""
    try:
        return os.path.relpath(path) if path.is_absolute() else str(path)
    except ValueError:
        return str(path)
