"""The pipeline from a spec path to the generated files, stage by stage; diagnostics collected, never raised."""

from __future__ import annotations

import keyword
from dataclasses import dataclass, field
from pathlib import Path

from asyncapi_gen.diagnostics import Diagnostic, Severity, has_errors
from asyncapi_gen.format import FormatError, format_python
from asyncapi_gen.ir import Api, Role, Transport
from asyncapi_gen.load import LoadError, load_file
from asyncapi_gen.models import ModelEmitError, emit_models
from asyncapi_gen.names import snake_name
from asyncapi_gen.normalize import normalize
from asyncapi_gen.provenance import MANIFEST, input_digests, manifest_text, record_for
from asyncapi_gen.refs import RefError, resolve_document
from asyncapi_gen.render import render_package
from asyncapi_gen.validate import validate_document


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


def build(spec: Path, options: BuildOptions = BuildOptions(), display: str | None = None) -> BuildResult:
    """Run every stage; stop at the first stage that reports an error."""
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
        api, models_body = emit_models(api)
        result.api = api
        files = format_python(render_package(api, models_body, options.template_dir))
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
