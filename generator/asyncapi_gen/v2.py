"""Read an AsyncAPI 2.x document into version-neutral raw parts (the IR builder in normalize.py finishes them).

2.x documents describe the application itself: `publish` means others send to it (our client sends),
`subscribe` means it sends (our client receives).
"""

from __future__ import annotations

from typing import Any

from asyncapi_gen.diagnostics import join_pointer
from asyncapi_gen.ir import Role, Server
from asyncapi_gen.raw import RawChannel, RawOperation, mapping, raw_servers, read_bindings, text, with_traits
from asyncapi_gen.refs import Location, Resolver

_SENDER = {"publish": Role.CLIENT, "subscribe": Role.SERVER}


def read_servers(resolver: Resolver) -> list[Server]:
    """Servers with their URL templates (`url`) and variables."""
    return raw_servers(resolver, lambda server: text(server.get("url")))


def read_channels(resolver: Resolver) -> tuple[list[RawChannel], list[RawOperation]]:
    """Channels in document order, and their publish/subscribe operations."""
    channels: list[RawChannel] = []
    operations: list[RawOperation] = []
    for name, value in mapping(resolver.main.data.get("channels")).items():
        location = Location(resolver.main, join_pointer("/channels", name))
        channel, location = resolver.deref(value, location)
        if not isinstance(channel, dict):
            continue
        channels.append(RawChannel(name, name, text(channel.get("description")), location,
                                   read_bindings(resolver, channel, location)))
        for action, sender in _SENDER.items():
            operation = channel.get(action)
            if not isinstance(operation, dict):
                continue
            op_location = Location(location.file, join_pointer(location.pointer, action))
            operation, op_location = resolver.deref(operation, op_location)
            operation = with_traits(resolver, operation, op_location)
            operations.append(RawOperation(
                op_id=text(operation.get("operationId")) or None,
                action=action,
                channel=name,
                sender=sender,
                summary=text(operation.get("summary")),
                description=text(operation.get("description")),
                messages=_messages(resolver, operation.get("message"), join_pointer(op_location.pointer, "message"),
                                   op_location),
                location=op_location,
                bindings=read_bindings(resolver, operation, op_location),
            ))
    return channels, operations


def _messages(resolver: Resolver, value: Any, pointer: str, origin: Location) -> list[tuple[Any, Location]]:
    if value is None:
        return []
    message, location = resolver.deref(value, Location(origin.file, pointer))
    if isinstance(message, dict) and isinstance(message.get("oneOf"), list):
        found: list[tuple[Any, Location]] = []
        for index, member in enumerate(message["oneOf"]):
            found.extend(_messages(resolver, member, join_pointer(location.pointer, "oneOf", index), location))
        return found
    return [(message, location)]


