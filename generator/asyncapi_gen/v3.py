"""Read an AsyncAPI 3.0 document into version-neutral raw parts (the IR builder in normalize.py finishes them).

3.0 documents describe the application itself, like 2.x: `action: send` means it sends (our client receives),
`action: receive` means others send to it (our client sends). An operation's `reply` is one more operation, sent by
the other side on the reply channel. Operations name their channel and messages by `$ref`; channels and messages
are matched by where those refs lead, so a channel written in `components` and referenced twice is one channel.
"""

from __future__ import annotations

from typing import Any

from asyncapi_gen.diagnostics import join_pointer
from asyncapi_gen.ir import Role, Server
from asyncapi_gen.raw import RawChannel, RawOperation, mapping, raw_servers, read_bindings, text, with_traits
from asyncapi_gen.refs import Location, Resolver

_SENDER = {"send": Role.SERVER, "receive": Role.CLIENT}


def read_servers(resolver: Resolver) -> list[Server]:
    """Servers: the URL is `protocol://host` + `pathname`, with `{variables}` kept as written."""
    return raw_servers(resolver, _url)


def _url(server: dict[str, Any]) -> str:
    protocol, host = text(server.get("protocol")), text(server.get("host"))
    # Some documents repeat the scheme in `host` (`wss://example.com`): keep it rather than doubling it.
    return (f"{protocol}://{host}" if protocol and "://" not in host else host) + text(server.get("pathname"))


def read_channels(resolver: Resolver) -> tuple[list[RawChannel], list[RawOperation]]:
    """Channels in document order, then the operations in document order, each reply right after its operation."""
    reader = _Reader(resolver)
    for name, value in mapping(resolver.main.data.get("channels")).items():
        reader.add_channel(name, value, Location(resolver.main, join_pointer("/channels", name)))
    for key, value in mapping(resolver.main.data.get("operations")).items():
        reader.add_operation(key, value, Location(resolver.main, join_pointer("/operations", key)))
    return reader.channels, reader.operations


class _Reader:
    """Channels by the locations they can be reached at, and the operations read so far."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.channels: list[RawChannel] = []
        self.operations: list[RawOperation] = []
        self._channel_at: dict[tuple[str, str], RawChannel] = {}
        self._channel_body: dict[str, dict[str, Any]] = {}

    def add_channel(self, name: str, value: Any, location: Location) -> RawChannel | None:
        written_at = _key(location)
        channel, location = self.resolver.deref(value, location)
        if not isinstance(channel, dict):
            return None
        address = channel.get("address")
        raw = RawChannel(name, address if isinstance(address, str) else name, text(channel.get("description")),
                         location, read_bindings(self.resolver, channel, location))
        self.channels.append(raw)
        self._channel_body[name] = channel
        self._channel_at[written_at] = raw
        self._channel_at.setdefault(_key(location), raw)
        return raw

    def add_operation(self, key: str, value: Any, location: Location) -> None:
        operation, location = self.resolver.deref(value, location)
        if not isinstance(operation, dict):
            return
        operation = with_traits(self.resolver, operation, location)
        action = text(operation.get("action"))
        channel = self._channel(operation.get("channel"), join_pointer(location.pointer, "channel"), location)
        if action not in _SENDER or channel is None:
            return
        self.operations.append(RawOperation(
            op_id=key,
            action=action,
            channel=channel.name,
            sender=_SENDER[action],
            summary=text(operation.get("summary")),
            description=text(operation.get("description")),
            messages=self._messages(operation.get("messages"), channel,
                                    Location(location.file, join_pointer(location.pointer, "messages"))),
            location=location,
            bindings=read_bindings(self.resolver, operation, location),
        ))
        if operation.get("reply") is not None:
            self._add_reply(key, action, operation["reply"], channel,
                            Location(location.file, join_pointer(location.pointer, "reply")))

    def _add_reply(self, key: str, action: str, value: Any, request_channel: RawChannel, location: Location) -> None:
        reply, location = self.resolver.deref(value, location)
        if not isinstance(reply, dict):
            return
        channel = request_channel
        if reply.get("channel") is not None:
            channel = self._channel(reply["channel"], join_pointer(location.pointer, "channel"), location) or channel
        sender = _SENDER[action].other
        self.operations.append(RawOperation(
            op_id=f"{key} reply",
            action="send" if sender is Role.SERVER else "receive",
            channel=channel.name,
            sender=sender,
            summary="",
            description=f"The reply to {key}.",
            messages=self._messages(reply.get("messages"), channel,
                                    Location(location.file, join_pointer(location.pointer, "messages"))),
            location=location,
            reply_of=key,
        ))

    def _channel(self, ref: Any, pointer: str, origin: Location) -> RawChannel | None:
        """The channel an operation's `channel` ref leads to; a channel outside `channels` is added under its key."""
        if not isinstance(ref, dict) or not isinstance(ref.get("$ref"), str):
            return None
        file, target = self.resolver.target(ref["$ref"], origin.file)
        found = self._channel_at.get((file.display, target))
        if found is not None:
            return found
        _, location = self.resolver.deref(ref, Location(origin.file, pointer))
        found = self._channel_at.get(_key(location))
        if found is not None:
            return found
        name = target.rsplit("/", 1)[-1] or file.path.stem
        taken = {c.name for c in self.channels}
        unique, n = name, 2
        while unique in taken:
            unique, n = f"{name}_{n}", n + 1
        return self.add_channel(unique, ref, Location(origin.file, pointer))

    def _messages(self, refs: Any, channel: RawChannel, location: Location) -> list[tuple[Any, Location]]:
        """The messages an operation lists, each dereferenced; none listed means all of the channel's messages."""
        found: list[tuple[Any, Location]] = []
        if isinstance(refs, list):
            for index, ref in enumerate(refs):
                found.append(self.resolver.deref(ref, Location(location.file, join_pointer(location.pointer, index))))
            return found
        messages = mapping(self._channel_body.get(channel.name, {}).get("messages"))
        for name, value in messages.items():
            where = Location(channel.location.file, join_pointer(channel.location.pointer, "messages", name))
            found.append(self.resolver.deref(value, where))
        return found


def _key(location: Location) -> tuple[str, str]:
    return (location.file.display, location.pointer)


