"""Version-neutral raw parts that the 2.x and 3.x readers produce and normalize.py turns into the IR."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as default
from typing import Any

from asyncapi_gen.diagnostics import join_pointer
from asyncapi_gen.ir import Role, Server, ServerVariable
from asyncapi_gen.refs import Location, Resolver


@dataclass(frozen=True)
class RawChannel:
    """A channel as written: its key, its address and where it is."""

    name: str
    address: str
    description: str
    location: Location
    bindings: dict[str, Any] = default(default_factory=dict)  # the channel's `bindings`, by protocol


@dataclass(frozen=True)
class RawOperation:
    """An operation as written, with its messages still as (data, location) pairs."""

    op_id: str | None
    action: str
    channel: str
    sender: Role
    summary: str
    description: str
    messages: list[tuple[Any, Location]]
    location: Location
    bindings: dict[str, Any] = default(default_factory=dict)  # the operation's `bindings` (traits applied), by protocol
    reply_of: str | None = None  # 3.0: the key of the operation whose `reply` this is


def with_traits(resolver: Resolver, body: dict[str, Any], location: Location) -> dict[str, Any]:
    """body with its traits applied (see `apply_traits`)."""
    return apply_traits(resolver, body, location)[0]


def apply_traits(resolver: Resolver, body: dict[str, Any],
                 location: Location) -> tuple[dict[str, Any], dict[str, Location]]:
    """An operation or message with its traits applied, and where each field that a trait alone gave was written.

    AsyncAPI 2.x merges each trait onto the object with JSON Merge Patch (RFC 7386), in order: a trait's value
    wins, objects merge key by key, null removes. 3.0 merges the other way: the object's own value wins, and
    objects merge key by key. A field that comes whole from one trait keeps that trait's location, so a header
    schema written in a trait is read (and named) where it is written.
    """
    traits = body.get("traits")
    if not isinstance(traits, list):
        return body, {}
    trait_wins = not str(resolver.main.data.get("asyncapi", "")).startswith("3.")
    merged = {key: value for key, value in body.items() if key != "traits"}
    origins: dict[str, Location] = {}
    for index, trait in enumerate(traits):
        value, where = resolver.deref(trait, Location(location.file, join_pointer(location.pointer, "traits", index)))
        if not isinstance(value, dict):
            continue
        for field, field_value in value.items():
            here = Location(where.file, join_pointer(where.pointer, field))
            if field not in merged:
                merged[field] = field_value
                origins[field] = here
                continue
            mine = Location(location.file, join_pointer(location.pointer, field))
            ours, _ = resolver.deref(merged[field], origins.get(field, mine))
            theirs, _ = resolver.deref(field_value, here)
            if trait_wins:
                merged[field] = _merge_patch(resolver, ours, theirs, here)
            else:
                merged[field] = _merge_keeping(resolver, ours, theirs, here)
            if isinstance(ours, dict) and isinstance(theirs, dict):
                origins.pop(field, None)  # two objects merged: the result is written nowhere
            elif trait_wins:
                origins[field] = here  # the trait's value replaced the object's
        if trait_wins:
            merged = {key: value for key, value in merged.items() if value is not None}
    return merged, origins


def _merge_patch(resolver: Resolver, target: Any, patch: Any, where: Location) -> Any:
    """RFC 7386: patch onto target; a `$ref` in either is followed first, so a referenced schema merges too."""
    patch, _ = resolver.deref(patch, where)
    if not isinstance(patch, dict):
        return patch
    target, _ = resolver.deref(target, where)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(resolver, result.get(key), value, where)
    return result


def _merge_keeping(resolver: Resolver, own: Any, trait: Any, where: Location) -> Any:
    """3.0's traits merge: own's values win; where both are objects, they merge key by key."""
    own, _ = resolver.deref(own, where)
    trait, _ = resolver.deref(trait, where)
    if not isinstance(own, dict) or not isinstance(trait, dict):
        return own
    result = dict(trait)
    for key, value in own.items():
        result[key] = _merge_keeping(resolver, value, result[key], where) if key in result else value
    return result


def mapping(value: Any) -> dict[str, Any]:
    """value when it is a mapping, else an empty one: documents put all kinds of things where maps belong."""
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str:
    """A spec value as text ("" for absent)."""
    return value if isinstance(value, str) else ("" if value is None else str(value))


def raw_servers(resolver: Resolver, url: Callable[[dict[str, Any]], str]) -> list[Server]:
    """The document's servers with their variables; url says how this AsyncAPI version spells a server's URL."""
    servers: list[Server] = []
    for name, value in mapping(resolver.main.data.get("servers")).items():
        server, _ = resolver.deref(value, Location(resolver.main, join_pointer("/servers", name)))
        if not isinstance(server, dict):
            continue
        variables = []
        for var, spec in mapping(server.get("variables")).items():
            spec, _ = resolver.deref(spec, Location(resolver.main, join_pointer("/servers", name, "variables", var)))
            if isinstance(spec, dict):
                variables.append(ServerVariable(var, text(spec.get("default")) or None,
                                                tuple(str(v) for v in spec.get("enum") or ()),
                                                text(spec.get("description"))))
        servers.append(Server(name, url(server), text(server.get("protocol")), text(server.get("description")),
                              tuple(variables)))
    return servers


def read_bindings(resolver: Resolver, body: dict[str, Any], location: Location) -> dict[str, Any]:
    """An object's `bindings`, by protocol, each dereferenced (an empty dict when it has none)."""
    value, where = resolver.deref(body.get("bindings"), Location(location.file, join_pointer(location.pointer,
                                                                                             "bindings")))
    if not isinstance(value, dict):
        return {}
    found: dict[str, Any] = {}
    for protocol, binding in value.items():
        binding, _ = resolver.deref(binding, Location(where.file, join_pointer(where.pointer, protocol)))
        if isinstance(binding, dict):
            found[str(protocol)] = binding
    return found
