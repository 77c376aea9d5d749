"""The pipeline from a spec path to the generated files, stage by stage; diagnostics collected, never raised."""

from __future__ import annotations

import keyword
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from asyncapi_gen.diagnostics import Diagnostic, Severity, has_errors
from asyncapi_gen.dmcode import ModelEmitError
from asyncapi_gen.format import FileFormat, FormatError, format_python
from asyncapi_gen.ir import Api, Role, Transport
from asyncapi_gen.load import LoadError, load_file
from asyncapi_gen.models import emit_models, finish_models, models_input
from asyncapi_gen.names import snake_name
from asyncapi_gen.normalize import normalize
from asyncapi_gen.provenance import MANIFEST, generator_digest, input_digests, manifest_text, record_for
from asyncapi_gen.refs import RefError, resolve_document
from asyncapi_gen.render import models_path, render_models, render_package
from asyncapi_gen.validate import validate_document

if TYPE_CHECKING:
    from asyncapi_gen.modelworker import ModelWorker


@dataclass(frozen=True)
class BuildOptions:
    """What a build needs besides the spec."""

    package: str | None = None
    template_dir: Path | None = None
    ref_root: Path | None = None
    transport: Transport | None = None
    describes: Role | None = None  # which end of the connection the document's application is
    lenient: bool = False  # schema violations that leave the document understandable are warnings, not errors


@dataclass
class BuildResult:
    """The generated files (empty when there were errors), the diagnostics, and the IR when it was made."""

    files: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    api: Api | None = None

    @property
    def ok(self) -> bool:
        """True when the build produced files."""
        return not has_errors(self.diagnostics)


def build(spec: Path, options: BuildOptions = BuildOptions(), display: str | None = None,
          worker: ModelWorker | None = None) -> BuildResult:
    """Run every stage; stop at the first stage that reports an error.

    With a worker (`modelworker`, which the CLI starts), the models are made in the worker's process while this
    one renders and formats the other files; the files are the same either way.
    """
    result = BuildResult()
    shown = display or str(spec)
    try:
        main = load_file(spec, shown)
    except LoadError as exc:
        result.diagnostics.append(exc.diagnostic)
        return result
    resolver, diagnostics = resolve_document(main, options.ref_root)
    result.diagnostics += diagnostics
    result.diagnostics += validate_document(main, resolver, lenient=options.lenient, semantics=not has_errors(diagnostics))
    if not result.ok:
        return result
    info = main.data.get("info")
    package = options.package or snake_name(str(info.get("title", "")) if isinstance(info, dict) else "", "api")
    if not package.isidentifier() or keyword.iskeyword(package) or package.startswith("_"):
        result.diagnostics.append(Diagnostic(Severity.ERROR, "invalid-package",
                                             f"package name {package!r} is not a Python identifier", shown))
        return result
    try:
        api, diagnostics = normalize(resolver, package, package.strip("_").replace("_", "-"), options.transport,
                                     options.describes)
        result.diagnostics += diagnostics
        if not result.ok:
            return result
        api, files = _package_files(api, options.template_dir, worker)
        result.api = api
        inputs = input_digests(spec, sorted(resolver.files))
        record = record_for(spec, options.package, options.transport.value if options.transport else None,
                            options.ref_root, options.template_dir,
                            options.describes.value if options.describes else None, options.lenient)
        files[MANIFEST] = manifest_text(files, api.title, api.version, inputs, record)
        result.files = files
    except RefError as exc:
        result.diagnostics.append(main.diagnostic(exc.code, exc.message, "", hint=exc.hint))
    except (ModelEmitError, FormatError) as exc:
        result.diagnostics.append(Diagnostic(Severity.ERROR, "emit-failed", str(exc), shown))
    return result


def _package_files(api: Api, template_dir: Path | None, worker: ModelWorker | None) -> tuple[Api, dict[str, str]]:
    """The formatted package (no manifest), and the IR as the models left it (see `models.finish_models`)."""
    schema = models_input(api)
    if worker is None or schema is None:
        api, body = emit_models(api)
        return api, format_python(render_package(api, body, template_dir))
    pending = worker.submit(schema)
    # While the worker makes the models: the other files, ruff started for models.py, the generator's digest.
    models_format = FileFormat(models_path(api))
    try:
        others = format_python(render_package(api, None, template_dir))
        generator_digest()
        final, body = finish_models(api, pending.result())
        if final is not api:  # a union was renamed: the other files name it too (rare, so not worth waiting for)
            others = format_python(render_package(final, None, template_dir))
        ((path, text),) = render_models(final, body).items()
        return final, {**others, path: models_format.result(text)}
    finally:
        models_format.close()
