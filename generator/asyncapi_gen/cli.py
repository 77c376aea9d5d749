"""The command line: parse options, call the pipeline, print diagnostics. Exit 0 ok, 1 for a bad spec or stale output."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from asyncapi_gen import __version__
from asyncapi_gen.build import BuildOptions, BuildResult, build
from asyncapi_gen.diagnostics import Diagnostic, render_json
from asyncapi_gen.write import WriteError, compare_tree, write_tree


@click.group()
@click.version_option(__version__, prog_name="asyncapi-gen")
def main() -> None:
    """asyncapi-gen: turn an AsyncAPI document into a typed Python package."""


_spec = click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))
_out = click.option("-o", "--output", "output", type=click.Path(file_okay=False, path_type=Path),
                    help="Distribution folder to write (default: ./<package-name-with-dashes>).")
_package = click.option("--package", help="Import name of the generated package (default: from info.title).")
_templates = click.option("--templates", "template_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
                          help="Folder of templates that replace built-in ones of the same name.")
_ref_root = click.option("--ref-root", type=click.Path(file_okay=False, exists=True, path_type=Path),
                         help="Folder that relative $ref files must stay inside (default: the enclosing project).")
_format = click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
                       help="How to print diagnostics.")


@main.command("build")
@_spec
@_out
@_package
@_templates
@_ref_root
@_format
def build_command(spec: Path, output: Path | None, package: str | None, template_dir: Path | None,
                  ref_root: Path | None, output_format: str) -> None:
    """Generate the package for SPEC into OUTPUT (atomically: on any error the old OUTPUT is left as it was)."""
    result = build(spec, BuildOptions(package, template_dir, ref_root), display=str(spec))
    _report(result.diagnostics, output_format)
    if not result.ok:
        sys.exit(1)
    target = output or Path(_distribution(result))
    try:
        write_tree(result.files, target)
    except (WriteError, OSError) as exc:
        click.echo(f"{target}: error[write-failed]: {exc}", err=True)
        sys.exit(1)
    click.echo(f"wrote {len(result.files)} files to {target}", err=True)


@main.command("check")
@_spec
@_out
@_package
@_templates
@_ref_root
@_format
def check_command(spec: Path, output: Path | None, package: str | None, template_dir: Path | None,
                  ref_root: Path | None, output_format: str) -> None:
    """Exit 0 when OUTPUT is exactly what SPEC generates, 1 (naming each stale file) when not."""
    result = build(spec, BuildOptions(package, template_dir, ref_root), display=str(spec))
    _report(result.diagnostics, output_format)
    if not result.ok:
        sys.exit(1)
    target = output or Path(_distribution(result))
    difference = compare_tree(result.files, target)
    for label, paths in (("changed", difference.changed), ("missing", difference.missing),
                         ("extra", difference.extra)):
        for path in paths:
            click.echo(f"{target / path}: {label}", err=True)
    if not difference.is_current:
        click.echo(f"{target} is stale: run `asyncapi-gen build {spec} -o {target}`", err=True)
        sys.exit(1)


def _distribution(result: BuildResult) -> str:
    return result.api.distribution if result.api else "generated"


def _report(diagnostics: list[Diagnostic], output_format: str) -> None:
    if output_format == "json":
        click.echo(render_json(diagnostics))
        return
    for diagnostic in diagnostics:
        click.echo(diagnostic.render(), err=True)
