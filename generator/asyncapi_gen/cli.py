"""The command line: parse options, call the pipeline, print diagnostics. Exit 0 ok, 1 for a bad spec or stale output.

With a SPEC argument a command works on that spec; without one, on every target of `[tool.asyncapi-gen]` in the
nearest pyproject.toml (see config.py).
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from asyncapi_gen import __version__
from asyncapi_gen.config import ConfigError, Target, find_pyproject, load_targets
from asyncapi_gen.diagnostics import Diagnostic, render_json
from asyncapi_gen.provenance import BuildRecord, QuickStatus, quick_check, record_for, recorded_spec

if TYPE_CHECKING:
    from asyncapi_gen.build import BuildOptions


@click.group()
@click.version_option(__version__, prog_name="asyncapi-gen")
def main() -> None:
    """asyncapi-gen: turn an AsyncAPI document into a typed Python package."""


_spec = click.argument("spec", required=False, type=click.Path(dir_okay=False, path_type=Path))
_out = click.option("-o", "--output", "output", type=click.Path(file_okay=False, path_type=Path),
                    help="Distribution folder to write (default: ./<package-name-with-dashes>).")
_package = click.option("--package", help="Import name of the generated package (default: from info.title).")
_templates = click.option("--templates", "template_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
                          help="Folder of templates that replace built-in ones of the same name.")
_ref_root = click.option("--ref-root", type=click.Path(file_okay=False, exists=True, path_type=Path),
                         help="Folder that relative $ref files must stay inside (default: the enclosing project).")
_transport = click.option("--transport", type=click.Choice(["webrtc", "websocket", "none"]),
                          help="Transport of the generated client and server (default: from the spec).")
_describes = click.option("--describes", type=click.Choice(["server", "client"]),
                          help="Which end of the connection the document's application is (default: from the spec's "
                               "x-asyncapi-gen-describes, else server).")
_format = click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
                       help="How to print diagnostics.")



def _target_options(command: Callable[..., None]) -> Callable[..., None]:
    """The arguments that name one target (or none: the configured ones), shared by build and check."""
    for option in reversed((_spec, _out, _package, _templates, _ref_root, _transport, _describes, _format)):
        command = option(command)
    return command


@main.command("build")
@_target_options
def build_command(spec: Path | None, output: Path | None, package: str | None, template_dir: Path | None,
                  ref_root: Path | None, transport: str | None, describes: str | None, output_format: str) -> None:
    """Generate the package for SPEC (or every configured target), atomically: on error OUTPUT is left as it was."""
    from asyncapi_gen.build import build
    from asyncapi_gen.write import WriteError, write_tree

    failed = False
    for target in _targets(spec, output, package, template_dir, ref_root, transport, describes):
        result = build(target.spec, _options(target), _shown(target.spec))
        _report(result.diagnostics, output_format)
        if not result.ok:
            failed = True
            continue
        out = target.output or Path(result.api.distribution if result.api else "generated")
        try:
            write_tree(result.files, out)
        except (WriteError, OSError) as exc:
            click.echo(f"{_shown(out)}: error[write-failed]: {exc}", err=True)
            failed = True
            continue
        click.echo(f"wrote {len(result.files)} files to {_shown(out)}", err=True)
    sys.exit(1 if failed else 0)


@main.command("check")
@_target_options
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff of each stale file.")
def check_command(spec: Path | None, output: Path | None, package: str | None, template_dir: Path | None,
                  ref_root: Path | None, transport: str | None, describes: str | None, output_format: str,
                  show_diff: bool) -> None:
    """Exit 0 when each OUTPUT is exactly what its SPEC generates; 1, saying why and naming each stale file, if not."""
    stale = False
    for target in _targets(spec, output, package, template_dir, ref_root, transport, describes):
        if target.output is None:
            raise click.UsageError("check needs -o OUTPUT (or a configured target)")
        status = quick_check(target.spec, target.output, _record(target))
        if status.current:
            continue
        stale = True
        _explain(target, target.output, status, output_format, show_diff)
    sys.exit(1 if stale else 0)


def _explain(target: Target, out: Path, status: QuickStatus, output_format: str, show_diff: bool) -> None:
    from asyncapi_gen.build import build
    from asyncapi_gen.write import compare_tree

    shown_out = _shown(out)
    result = build(target.spec, _options(target), _shown(target.spec))
    _report(result.diagnostics, output_format)
    if not result.ok:
        return
    recorded = recorded_spec(out)
    if result.api and recorded.get("version") and recorded.get("version") != result.api.version:
        click.echo(f"{shown_out}: spec version changed: {recorded.get('version')} -> {result.api.version}", err=True)
    elif result.api and any(r.startswith("input ") for r in status.reasons):
        click.echo(f"{_shown(target.spec)}: warning[version-not-bumped]: spec content changed but info.version is "
                   f"still {result.api.version!r}", err=True)
    for reason in status.reasons:
        click.echo(f"{shown_out}: {reason}", err=True)
    difference = compare_tree(result.files, out)
    for label, paths in (("stale", difference.changed), ("missing", difference.missing),
                         ("extra", difference.extra)):
        for path in paths:
            click.echo(f"{shown_out}/{path}: {label}", err=True)
            if show_diff and label == "stale":
                old = (out / path).read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
                new = result.files[path].splitlines(keepends=True)
                sys.stdout.writelines(difflib.unified_diff(old, new, f"a/{path}", f"b/{path}"))
    click.echo(f"{shown_out} is stale: run `asyncapi-gen build`", err=True)


def _targets(spec: Path | None, output: Path | None, package: str | None, template_dir: Path | None,
             ref_root: Path | None, transport: str | None, describes: str | None) -> list[Target]:
    if spec is not None:
        return [Target(spec, output, package, template_dir, ref_root, transport, describes)]
    try:
        pyproject = find_pyproject(Path.cwd())
        if pyproject is None:
            raise click.UsageError("no SPEC given and no [tool.asyncapi-gen] table in any pyproject.toml above here")
        targets = load_targets(pyproject)
    except ConfigError as exc:
        click.echo(f"error[config]: {exc}", err=True)
        sys.exit(1)
    if any(option is not None for option in (template_dir, package, output, transport, describes)):
        raise click.UsageError("--output, --package, --templates, --transport and --describes go with a SPEC; "
                               "configure targets otherwise")
    return targets


def _record(target: Target) -> BuildRecord:
    return record_for(target.spec, target.package, target.transport, target.ref_root, target.templates,
                      target.describes)


def _options(target: Target) -> BuildOptions:
    from asyncapi_gen.build import BuildOptions
    from asyncapi_gen.ir import Role, Transport

    transport = Transport(target.transport) if target.transport else None
    describes = Role(target.describes) if target.describes else None
    return BuildOptions(target.package, target.templates, target.ref_root, transport, describes)


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when it is under it."""
    try:
        return os.path.relpath(path) if path.is_absolute() else str(path)
    except ValueError:
        return str(path)


def _report(diagnostics: list[Diagnostic], output_format: str) -> None:
    if output_format == "json":
        click.echo(render_json(diagnostics))
        return
    for diagnostic in diagnostics:
        click.echo(diagnostic.render(), err=True)
