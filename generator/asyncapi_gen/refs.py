"""Resolve `$ref`: local pointers, relative files inside the spec's folder; remote references refused clearly.

References are checked once, up front, and then followed on demand with `Resolver.deref`: the data keeps its
`$ref`s, so cycles stay cycles (recursive models) and component names survive to become class names.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from asyncapi_gen.diagnostics import Diagnostic, join_pointer, unescape_pointer_token
from asyncapi_gen.load import LoadError, SourceFile, load_file

_MISSING = object()
_MAX_POINTER_HOPS = 64  # `$ref`s followed while resolving one pointer: far more than any real document needs


@dataclass(frozen=True)
class Location:
    """Where a node lives: which file, which pointer."""

    file: SourceFile
    pointer: str


@dataclass
class Resolver:
    """The main file, every file it references, and the rules to follow a `$ref` between them."""

    main: SourceFile
    root: Path
    files: dict[Path, SourceFile] = field(default_factory=dict)
    # (ref, file it is read from) -> where it leads, or the RefError it raises: documents repeat the same few
    # references thousands of times (`#/components/schemas/Id`), and every stage follows them again.
    _targets: dict[tuple[str, Path, str], tuple[SourceFile, str] | RefError] = field(default_factory=dict,
                                                                                     repr=False)

    def target(self, ref: str, origin: SourceFile) -> tuple[SourceFile, str]:
        """The file and pointer that ref names, read from origin; raises RefError when it cannot be followed.

        A pointer may pass through `$ref`s, as AsyncAPI tools read it: in `#/channels/echo/messages/echo`, where
        `#/channels/echo` is `{$ref: '#/components/channels/echo'}`, the walk goes on in the channel it names. The
        pointer returned leads to the same node without passing through any `$ref` (in the file it is in), so
        that every way of naming a node gives one location.
        """
        key = (ref, origin.path, origin.display)
        found = self._targets.get(key)
        if found is None:
            try:
                found = self._target(ref, origin, ())
            except RefError as exc:
                found = exc
            self._targets[key] = found
        if isinstance(found, RefError):
            raise RefError(found.code, found.message, found.hint)
        return found

    def _target(self, ref: str, origin: SourceFile, active: tuple[tuple[str, str], ...]) -> tuple[SourceFile, str]:
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc:
            raise RefError("ref-remote", f"remote reference {ref!r} is not fetched: asyncapi-gen builds offline",
                           "download the file next to the spec and reference it by relative path")
        file = origin
        if parts.path:
            path = (origin.path.parent / unquote(parts.path)).resolve()
            if not path.is_relative_to(self.root):
                raise RefError("ref-outside-root", f"reference {ref!r} leaves the folder {self.root.name}/ that references must stay in",
                               "keep referenced files inside the project, or widen it with --ref-root")
            file = self._load(path, ref)
        pointer = unquote(parts.fragment)
        if pointer and not pointer.startswith("/"):
            raise RefError("ref-invalid", f"reference {ref!r} has a fragment that is not a JSON pointer")
        key = (file.display, pointer)
        if key in active or len(active) >= _MAX_POINTER_HOPS:
            raise RefError("ref-cycle", f"reference {ref!r} leads through references back to itself")
        found = self._walk(file, pointer, (*active, key))
        if found is None:
            raise RefError("ref-unresolved", f"reference {ref!r} points to nothing in {file.display}")
        return found

    def _walk(self, file: SourceFile, pointer: str,
              active: tuple[tuple[str, str], ...]) -> tuple[SourceFile, str] | None:
        """Follow pointer's tokens from file's root, continuing through `$ref`s met on the way (not at the end)."""
        node: Any = file.data
        here = ""
        for raw in pointer.split("/")[1:] if pointer else ():
            token = unescape_pointer_token(raw)
            followed: set[tuple[str, str]] = set()
            while isinstance(node, dict) and token not in node and isinstance(node.get("$ref"), str):
                file, here = self._target(node["$ref"], file, active)
                if (file.display, here) in followed:
                    raise RefError("ref-cycle", f"reference {node['$ref']!r} only refers to itself")
                followed.add((file.display, here))
                node = _lookup(file.data, here)
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                return None
            here = join_pointer(here, token)
        return file, here

    def deref(self, value: Any, location: Location) -> tuple[Any, Location]:
        """Follow `$ref` chains from value until a non-reference node; refs were checked by resolve_document."""
        seen: set[tuple[str, str]] = set()
        while isinstance(value, dict) and isinstance(value.get("$ref"), str):
            file, pointer = self.target(value["$ref"], location.file)
            key = (file.display, pointer)
            if key in seen:
                raise RefError("ref-cycle", f"reference {value['$ref']!r} only refers to itself")
            seen.add(key)
            value, location = _lookup(file.data, pointer), Location(file, pointer)
        return value, location

    def _load(self, path: Path, ref: str) -> SourceFile:
        if path in self.files:
            return self.files[path]
        if not path.is_file():
            raise RefError("ref-unresolved", f"reference {ref!r} names a file that does not exist")
        try:
            loaded = load_file(path, _display(path, self.main))
        except LoadError as exc:
            raise RefError(exc.diagnostic.code, f"referenced file: {exc.diagnostic.render()}") from None
        self.files[path] = loaded
        return loaded


class RefError(Exception):
    """A `$ref` that cannot be followed, with a diagnostic code and a hint."""

    def __init__(self, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint


def resolve_document(main: SourceFile, root: Path | None = None) -> tuple[Resolver, list[Diagnostic]]:
    """Check every `$ref` reachable from the main file (following into referenced files) and report the bad ones.

    Files may be referenced only inside root: by default the enclosing project (the nearest folder with `.git` or
    `pyproject.toml`), else the spec's own folder, so that a spec cannot make the generator read `/etc/passwd`.
    """
    resolver = Resolver(main, (root or default_root(main.path)).resolve())
    resolver.files[main.path.resolve()] = main
    diagnostics: list[Diagnostic] = []
    pending = [main]
    walked: set[str] = set()
    while pending:
        file = pending.pop()
        if file.display in walked:
            continue
        walked.add(file.display)
        found: list[Diagnostic] = []
        for ref, pointer in _refs_in(file.data, ""):
            try:
                target_file, _ = resolver.target(ref, file)
                _check_chain(resolver, ref, file)
            except RefError as exc:
                found.append(file.diagnostic(exc.code, exc.message, pointer, hint=exc.hint))
                continue
            if target_file.display not in walked:
                pending.append(target_file)
        diagnostics += sorted(found, key=lambda d: (d.line, d.col, d.pointer))  # each file's in document order
    return resolver, diagnostics


def _check_chain(resolver: Resolver, ref: str, file: SourceFile) -> None:
    """Raise ref-cycle when a chain of references only refers to itself; other faults are reported where they are."""
    try:
        resolver.deref({"$ref": ref}, Location(file, ""))
    except RefError as exc:
        if exc.code == "ref-cycle":
            raise


def default_root(spec: Path) -> Path:
    """The folder that relative file references must stay inside."""
    folder = spec.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists() or (candidate / "pyproject.toml").exists():
            return candidate
    return folder


def _refs_in(data: Any, pointer: str) -> list[tuple[str, str]]:
    """Every string `$ref` under data with its pointer, visiting shared (aliased) containers once."""
    found: list[tuple[str, str]] = []
    stack: list[tuple[Any, str]] = [(data, pointer)]
    seen: set[int] = set()
    while stack:
        node, here = stack.pop()
        if id(node) in seen:
            continue
        if isinstance(node, dict):
            seen.add(id(node))
            ref = node.get("$ref")
            if isinstance(ref, str):
                found.append((ref, join_pointer(here, "$ref")))
            # Only containers can hold a `$ref`: scalars (most nodes) are not visited, nor their pointers made.
            stack.extend((value, join_pointer(here, key)) for key, value in node.items()
                         if key != "$ref" and isinstance(value, dict | list))
        elif isinstance(node, list):
            seen.add(id(node))
            stack.extend((value, join_pointer(here, i)) for i, value in enumerate(node) if isinstance(value, dict | list))
    found.sort(key=lambda item: item[1])
    return found


def _lookup(data: Any, pointer: str) -> Any:
    if not pointer:
        return data
    node = data
    for raw in pointer.lstrip("/").split("/"):
        token = unescape_pointer_token(raw)
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return _MISSING
    return node


def lookup(data: Any, pointer: str) -> Any:
    """The node at pointer in data, or None when there is none."""
    node = _lookup(data, pointer)
    return None if node is _MISSING else node


def _display(path: Path, main: SourceFile) -> str:
    # Shown relative to the main spec as the user named it, with `..` where needed (never an absolute path).
    base = main.path.parent.resolve()
    relative = Path(os.path.relpath(path, base))
    return str(Path(main.display).parent / relative)
