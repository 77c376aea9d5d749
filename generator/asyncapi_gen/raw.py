"""Version-neutral raw parts that the 2.x and 3.x readers produce and normalize.py turns into the IR."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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


def with_traits(resolver: Resolver, body: dict[str, Any], location: Location) -> dict[str, Any]:
    """Apply an operation's or message's traits: each trait's fields fill in what the object does not say itself."""
    traits = body.get("traits")
    if not isinstance(traits, list):
        return body
    merged = dict(body)
    for index, trait in enumerate(traits):
        value, _ = resolver.deref(trait, Location(location.file, join_pointer(location.pointer, "traits", index)))
        if isinstance(value, dict):
            for field, field_value in value.items():
                merged.setdefault(field, field_value)
    return merged


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
