"""Emit models.py: datamodel-code-generator turns the collected JSON Schema into pydantic v2 models; unions follow.

datamodel-code-generator itself is called in `dmcode` (here, or in the forked worker of `modelworker`).
"""

from __future__ import annotations

import ast
import json
from typing import Any

from asyncapi_gen.collector import collector_paused
from asyncapi_gen.dmcode import ModelEmitError, datamodel_code
from asyncapi_gen.ir import Api, rename_payloads
from asyncapi_gen.names import NameTable
from asyncapi_gen.schemas import without_definitions


def emit_models(api: Api) -> tuple[Api, str]:
    """The body of models.py (without the provenance header): models, then one union alias per union.

    Returns the IR too: a union whose name datamodel-code-generator also gave to a class of its own (an inline
    enum named after its owner, say) is renamed, everywhere the IR uses it.
    """
    schema = models_input(api)
    return finish_models(api, datamodel_code(schema) if schema is not None else "")


def models_input(api: Api) -> dict[str, Any] | None:
    """The JSON Schema datamodel-code-generator is given (None: the package has no models)."""
    replaced = {union.name: union.members for union in api.unions if union.replaces_definition}
    return without_definitions(api.models_schema, replaced) if api.model_names else None


def finish_models(api: Api, code: str) -> tuple[Api, str]:
    """What emit_models returns, from datamodel-code-generator's code for `models_input(api)` (made here or by a
    worker)."""
    tree = _parse(code or "\n")
    defined = _check_classes(tree, api.model_names)
    api = _rename_clashing_unions(api, defined)
    return api, _module_docstring(api) + _strip_banner(code) + _unions_code(api, tree) + _not_null_code(api, tree)


def _parse(code: str) -> ast.Module:
    """ast.parse, once, with the cyclic garbage collector paused (2 s of 4 at 5,000 messages)."""
    with collector_paused():
        return ast.parse(code)


def _rename_clashing_unions(api: Api, defined: set[str]) -> Api:
    names = NameTable(frozenset(defined | {union.name for union in api.unions}))
    renamed = {union.name: names.claim(union.name) for union in api.unions if union.name in defined}
    return rename_payloads(api, renamed) if renamed else api


def _check_classes(tree: ast.Module, expected: tuple[str, ...]) -> set[str]:
    defined = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    defined |= {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
                if isinstance(t, ast.Name)}
    defined |= {node.target.id for node in tree.body if isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)}
    missing = [name for name in expected if name not in defined]
    if missing:
        raise ModelEmitError(f"models.py lacks the classes {missing}: datamodel-code-generator renamed them")
    return defined


def _strip_banner(code: str) -> str:
    lines = code.splitlines(keepends=True)
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    return "".join(lines)


def _module_docstring(api: Api) -> str:
    title = json.dumps(f"Message payload models of {api.title} {api.version}.", ensure_ascii=True)
    return f"{title}\n\n" + ("" if api.model_names else "from __future__ import annotations\n")


def _unions_code(api: Api, tree: ast.Module) -> str:
    if not api.unions:
        return ""
    parts = ["\n"]
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}  # once, not once per union
    for union in api.unions:
        members = " | ".join(union.members)
        field = _field_name(classes, union.members[0], union.discriminator) if union.discriminator else None
        if field:
            discriminator = json.dumps(field)
            parts.append(f"{union.name} = Annotated[{members}, Field(discriminator={discriminator})]\n")
        else:
            parts.append(f"{union.name} = {members}\n")
        parts.append(f"{json.dumps(union.description, ensure_ascii=True)}\n\n")
    return "".join(parts)


def _field_name(classes: dict[str, ast.ClassDef], class_name: str, prop: str) -> str | None:
    """The Python field that holds JSON property prop in class_name (pydantic discriminates by field name).

    The field is the one named prop, or the one whose `Field(alias=...)` is prop, in the class or its bases.
    """
    pending = [class_name]
    while pending:
        node = classes.get(pending.pop(0))
        if node is None:
            continue
        for statement in node.body:
            if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
                continue
            if statement.target.id == prop or prop in _aliases(statement.annotation):
                return statement.target.id
        pending += [base.id for base in node.bases if isinstance(base, ast.Name)]
    return None


def _aliases(annotation: ast.expr) -> set[str]:
    return {
        keyword.value.value
        for call in ast.walk(annotation) if isinstance(call, ast.Call)
        for keyword in call.keywords
        if keyword.arg == "alias" and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str)
    }


def _not_null_code(api: Api, tree: ast.Module) -> str:
    """The wire rules pydantic cannot say, per model: `Model.wire_not_null` (optional properties that may not be
    null) and `Model.wire_required` (required properties whose constant is the field's default in Python)."""
    defs = api.models_schema.get("$defs") or {}
    models = {"WireModel"}  # and every class deriving from one of them, in definition order
    classes = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(isinstance(b, ast.Name) and b.id in models for b in node.bases):
            models.add(node.name)
            classes.append(node)
    lines = []
    for node in sorted(classes, key=lambda n: n.name):
        refused = _refused_nulls(defs.get(node.name), defs)
        constants = sorted(_required_constants(node))
        for attribute, keys in (("wire_not_null", refused), ("wire_required", constants)):
            if keys:
                lines.append(f"{node.name}.{attribute} = frozenset({{{', '.join(json.dumps(k) for k in keys)}}})\n")
    if not lines:
        return ""
    return ("\n\n# What received JSON must say that the types above cannot: optional properties it may leave out but not\n"
            "# send as null, and constants it must send although Python code may leave them to their default.\n"
            + "".join(lines))


def _refused_nulls(schema: Any, defs: dict[str, Any]) -> list[str]:
    """The optional properties of a top-level definition whose schema does not accept null."""
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return []
    required = set(schema.get("required") or ())
    return sorted(key for key, sub in properties.items()
                  if key not in required and not _accepts_null(sub, defs, frozenset()))


def _required_constants(node: ast.ClassDef) -> set[str]:
    """Wire names of the fields datamodel-code-generator gave a constant default: `x: Literal["a"] = "a"`.

    It writes an optional constant as `Literal["a"] | None = None`, so a bare Literal with a default was required.
    """
    found = set()
    for statement in node.body:
        if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
                and isinstance(statement.value, ast.Constant) and statement.value.value is not None):
            continue
        annotation, alias = statement.annotation, None
        if isinstance(annotation, ast.Subscript) and ast.unparse(annotation.value) == "Annotated":
            parts = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
            annotation = parts[0]
            for call in parts[1:]:
                for keyword in call.keywords if isinstance(call, ast.Call) else ():
                    if keyword.arg == "alias" and isinstance(keyword.value, ast.Constant):
                        alias = str(keyword.value.value)
        if isinstance(annotation, ast.Subscript) and ast.unparse(annotation.value) == "Literal":
            found.add(alias or statement.target.id)
    return found


def _accepts_null(schema: Any, defs: dict[str, Any], seen: frozenset[str]) -> bool:
    """Whether a schema accepts JSON null; when unsure, yes (a wrong yes lets null through, a wrong no refuses it)."""
    if schema is True or not isinstance(schema, dict):
        return schema is not False
    ref = schema.get("$ref")
    if isinstance(ref, str):
        target = ref.rsplit("/", 1)[-1]
        return target in seen or _accepts_null(defs.get(target, {}), defs, seen | {target})
    declared = schema.get("type")
    if isinstance(declared, str) and declared != "null":
        return False
    if isinstance(declared, list) and "null" not in declared:
        return False
    if "const" in schema:
        return schema["const"] is None
    if isinstance(schema.get("enum"), list):
        return None in schema["enum"]
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            return any(_accepts_null(branch, defs, seen) for branch in schema[key])
    if isinstance(schema.get("allOf"), list):
        return all(_accepts_null(branch, defs, seen) for branch in schema["allOf"])
    return True
