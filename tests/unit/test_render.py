"""render.py: the escaping filters, and hostile spec text that must stay data in every generated file."""

from __future__ import annotations

import ast
import hashlib
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from asyncapi_gen.build import build
from asyncapi_gen.ir import Api, Transport
from asyncapi_gen.load import SourceFile
from asyncapi_gen.normalize import normalize
from asyncapi_gen.paths import builtin_templates
from asyncapi_gen.refs import Resolver
from asyncapi_gen.render import docstring, one_line, pep440, py_json, py_str, render_package, toml_str
from asyncapi_gen.write import write_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.version import Version

from .support import forget, import_from

HOSTILE_PARTS = ['"""', "'''", "\\", "\n", "\r", "# comment", '"); import os; os.system("x', "{{ 7*7 }}",
                 "{% if True %}jinja{% endif %}", "\x00", "\x01", "\x0b", "\x7f", "\u2028", "\u2029", "\x85",
                 "\\N{BULLET}", "é"]
HOSTILE = " ".join(HOSTILE_PARTS)
DANGEROUS_CALLS = {"system", "eval", "exec", "__import__", "popen"}


def hostile(tag: str) -> str:
    return f"{tag} {HOSTILE}"


# --- the filters -------------------------------------------------------------------------------------------------

@given(st.text())
def test_py_str_evaluates_back_to_the_input(text: str) -> None:
    assert ast.literal_eval(py_str(text)) == text


@pytest.mark.parametrize("text", HOSTILE_PARTS + [HOSTILE])
def test_py_str_of_hostile_text_is_one_string_literal(text: str) -> None:
    tree = ast.parse(f"value = {py_str(text)}\n")
    assert len(tree.body) == 1 and isinstance(tree.body[0].value, ast.Constant)
    assert tree.body[0].value.value == text


_DROPPED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@given(st.text())
def test_docstring_stays_inside_its_quotes(text: str) -> None:
    source = f'def f():\n    """{docstring(text)}"""\n'
    tree = ast.parse(source)
    (function,) = tree.body
    assert isinstance(function, ast.FunctionDef) and len(function.body) == 1
    assert ast.get_docstring(function, clean=False) == _DROPPED.sub("", text).strip()


@pytest.mark.parametrize("text", ['ends with a quote"', 'ends with two""', "ends with a backslash\\",
                                  '"""', '\\"""', "\\", '"', HOSTILE])
def test_docstring_edge_cases(text: str) -> None:
    tree = ast.parse(f'"""{docstring(text)}"""\n')
    assert len(tree.body) == 1
    assert tree.body[0].value.value == _DROPPED.sub("", text).strip()


@given(st.text())
def test_one_line_is_inert_in_a_comment(text: str) -> None:
    line = one_line(text)
    assert "\n" not in line and "\r" not in line and "\x00" not in line
    tree = ast.parse(f"# {line}\nvalue = 1\n")
    assert len(tree.body) == 1


@given(st.text())
def test_toml_str_round_trips(text: str) -> None:
    assert tomllib.loads(f"key = {toml_str(text)}\n")["key"] == text


@pytest.mark.parametrize("text", ["Party 🎉", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", HOSTILE])
def test_toml_str_of_astral_characters_is_valid_toml(text: str) -> None:
    # json.dumps(ensure_ascii=True) writes astral characters as surrogate pairs, which TOML forbids.
    assert tomllib.loads(f"key = {toml_str(text)}\n")["key"] == text


@given(st.text())
def test_pep440_always_gives_a_valid_version(text: str) -> None:
    assert str(Version(pep440(text))) == pep440(text)


@pytest.mark.parametrize(("given_version", "expected"), [("2024-11-06", "2024.11.6"), ("1.0.0", "1.0.0"),
                                                         ("v2", "2"), ("", "0.0.0"), ("latest", "0.0.0"),
                                                         ("1.0.0\n[tool]", "0.0.0"), ("1.0.0-beta.1", "1.0.0b1")])
def test_pep440_examples(given_version: str, expected: str) -> None:
    assert pep440(given_version) == expected


def test_py_json_is_a_string_literal_of_sorted_json() -> None:
    value = {"b": HOSTILE, "a": [1, None]}
    import json

    assert json.loads(ast.literal_eval(py_json(value))) == value


# --- hostile text through the templates (cheap: no datamodel-code-generator, no ruff) ----------------------------

def hostile_doc(text: Any) -> dict[str, Any]:
    """A 2.6 document where every free-text field, name and enum value is text (channel name prefixed)."""
    return {
        "asyncapi": "2.6.0",
        "info": {"title": f"Title {text}", "version": f"1.0 {text}", "description": f"Desc {text}"},
        "servers": {"main": {"url": "wss://example.com", "protocol": "wss", "description": f"server {text}"}},
        "channels": {
            f"chan {text}": {
                "description": f"channel {text}",
                "publish": {"operationId": f"send {text}", "summary": f"sum {text}", "description": f"op {text}",
                            "message": {"name": f"msg {text}", "title": f"title {text}", "summary": f"ms {text}",
                                        "description": f"md {text}",
                                        "payload": {"$ref": "#/components/schemas/Thing"},
                                        "examples": [{"payload": {"type": "a", "note": f"ex {text}"}}]}},
                "subscribe": {"operationId": f"receive {text}", "summary": f"rsum {text}",
                              "message": {"oneOf": [
                                  {"name": f"one {text}", "payload": {"$ref": "#/components/schemas/Thing"}},
                                  {"name": f"two {text}", "payload": {
                                      "type": "object", "description": f"inline {text}", "required": ["type"],
                                      "properties": {"type": {"type": "string", "const": "b"},
                                                     "state": {"type": "string", "enum": [f"s1 {text}", "end"]}}}},
                              ]}},
            },
        },
        "components": {"schemas": {"Thing": {
            "type": "object", "description": f"thing {text}", "required": ["type"],
            "properties": {
                "type": {"type": "string", "const": "a", "description": f"type {text}"},
                f"prop {text}": {"type": "string", "description": f"prop {text}", "default": f"default {text}"},
                "kind": {"type": "string", "enum": [f"e1 {text}", f"e2 {text}", "plain"]},
                "note": {"type": "string"},
            },
        }}},
    }


def hostile_api(text: str, package: str = "hostile_pkg") -> Api:
    data = hostile_doc(text)
    main = SourceFile(Path("/nonexistent/spec.yaml"), "spec.yaml", data, hashlib.sha256(b"x").hexdigest())
    api, _ = normalize(Resolver(main, Path("/nonexistent")), package, package.replace("_", "-"))
    return api


def assert_inert(path: str, source: str) -> ast.Module:
    """source parses, and no call to os.system/eval/exec/__import__/popen appears anywhere in it."""
    tree = ast.parse(source, filename=path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            assert name not in DANGEROUS_CALLS, f"{path}:{node.lineno}: call to {name}"
    return tree


def constant_assigned(tree: ast.Module, name: str) -> Any:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} is not assigned at module level")


def check_rendered(files: dict[str, str], api: Api, title: str, package: str) -> None:
    for path, source in files.items():
        if path.endswith(".py") and "/_runtime/" not in path:
            assert_inert(path, source)
            assert source.startswith("# Generated by asyncapi-gen ")
            assert source.split("\n", 1)[0].count("#") >= 1 and "\r" not in source.split("\n", 1)[0]
    init = ast.parse(files[f"{package}/__init__.py"])
    assert constant_assigned(init, "SPEC_TITLE") == title
    assert ast.get_docstring(init, clean=False) is not None


def test_hostile_text_in_templates_stays_data() -> None:
    api = hostile_api(HOSTILE)
    files = render_package(api, '"""models."""\n')
    check_rendered(files, api, f"Title {HOSTILE}", "hostile_pkg")
    channels = ast.parse(files["hostile_pkg/channels.py"])
    addresses = [ast.literal_eval(kw.value) for node in ast.walk(channels) if isinstance(node, ast.Call)
                 for kw in node.keywords if kw.arg == "address"]
    assert f"chan {HOSTILE}" in addresses


def test_hostile_pyproject_is_valid_toml() -> None:
    api = hostile_api("Party 🎉 " + HOSTILE)
    pyproject = tomllib.loads(render_package(api, "")["pyproject.toml"].split("\n", 1)[1])
    assert pyproject["project"]["name"] == "hostile-pkg"
    assert "🎉" in pyproject["project"]["description"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=40))
def test_arbitrary_text_in_templates_stays_data(text: str) -> None:
    api = hostile_api(text)
    files = render_package(api, '"""models."""\n')
    check_rendered(files, api, f"Title {text}", "hostile_pkg")


# --- one full build of a hostile spec: datamodel-code-generator and ruff included ------------------------------

@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, str]]:
    import json

    folder = tmp_path_factory.mktemp("hostile")
    spec = folder / "spec.json"
    # ASCII-escaped JSON: raw DEL and C1 characters are valid JSON but trip the YAML reader (see test_load.py).
    spec.write_text(json.dumps(hostile_doc(HOSTILE), ensure_ascii=True), encoding="utf-8")
    result = build(spec)
    assert result.ok, [d.render() for d in result.diagnostics]
    assert result.api is not None
    out = folder / "out"
    write_tree(result.files, out)
    return out, result.api.package, result.files


def test_hostile_build_parses_and_has_no_dangerous_calls(hostile_build: tuple[Path, str, dict[str, str]]) -> None:
    out, package, files = hostile_build
    assert package.isidentifier()
    for path in sorted(files):
        if path.endswith(".py"):
            source = (out / path).read_text(encoding="utf-8")
            if "/_runtime/" in path:
                ast.parse(source, filename=path)  # copied verbatim; only its header line comes from the spec
            else:
                assert_inert(path, source)


def test_hostile_models_keep_the_text_as_data(hostile_build: tuple[Path, str, dict[str, str]]) -> None:
    from .support import import_models_standalone

    out, package, _ = hostile_build
    try:
        models = import_models_standalone(out / package / "models.py", "unit_hostile_models")
        thing = models.Thing
        assert HOSTILE.split("\n")[0] in (thing.__doc__ or "")
        aliases = {f.alias for f in thing.model_fields.values()}
        assert f"prop {HOSTILE}" in aliases
        field = next(f for f in thing.model_fields.values() if f.alias == f"prop {HOSTILE}")
        assert field.default == f"default {HOSTILE}"
        assert {m.value for m in models.ThingKind} == {f"e1 {HOSTILE}", f"e2 {HOSTILE}", "plain"}
        parsed = thing.model_validate({"type": "a", "kind": f"e2 {HOSTILE}", f"prop {HOSTILE}": "v"})
        assert parsed.model_dump(by_alias=True)[f"prop {HOSTILE}"] == "v"
    finally:
        sys.modules.pop("unit_hostile_models", None)


def test_hostile_package_imports_and_keeps_the_title(hostile_build: tuple[Path, str, dict[str, str]]) -> None:
    """Needs the transport runtime (generator/asyncapi_gen/runtime/): the package imports `._runtime`."""
    out, package, _ = hostile_build
    try:
        module = import_from(out, package)
        assert module.SPEC_TITLE == f"Title {HOSTILE}"
        assert module.SPEC_VERSION == f"1.0 {HOSTILE}"
        channels = import_from(out, f"{package}.channels")
        assert f"chan {HOSTILE}" in [spec.address for spec in channels.CHANNELS]
        for name in ("client", "server", "mock"):
            import_from(out, f"{package}.{name}")
    finally:
        forget(out, package)


def test_hostile_pyproject_of_the_build_is_valid_toml(hostile_build: tuple[Path, str, dict[str, str]]) -> None:
    out, _, _ = hostile_build
    data = tomllib.loads((out / "pyproject.toml").read_text(encoding="utf-8"))
    assert data["project"]["version"] == pep440(f"1.0 {HOSTILE}")


@pytest.mark.parametrize("text", ['ends in """', 'ends in \\"""', 'ends in "'])
def test_text_ending_in_quotes_renders_valid_python(text: str) -> None:
    # Summaries land in one-line docstrings (`"""{{ summary | docstring }}"""`) in client.py and server.py.
    api = hostile_api(text)
    check_rendered(render_package(api, '"""models."""\n'), api, f"Title {text}", "hostile_pkg")


def test_every_transport_template_defines_the_same_macros() -> None:
    """Templates call a transport's parts by macro name: a transport missing one would fail only when used."""
    folder = builtin_templates() / "transports"
    macros = {path.name: set(re.findall(r"\{% macro (\w+)", path.read_text())) for path in folder.glob("*.jinja")}
    assert len(macros) == len(Transport)
    assert len({frozenset(names) for names in macros.values()}) == 1, macros
