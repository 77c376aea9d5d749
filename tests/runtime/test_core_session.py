"""The core ``Session`` over a link of one's own, no socket at all: what a broker transport builds on."""

from __future__ import annotations

from typing import Any

import pytest
from asyncapi_gen.runtime.core import (
    ChannelKind,
    ChannelSpec,
    CloseReason,
    Session,
    SessionClosed,
    UnknownMessage,
    WireError,
)
from asyncapi_gen.runtime.core.channels import Side
from pydantic import BaseModel, TypeAdapter
from rt_support import run, within


class Ping(BaseModel):
    seq: int


class MemoryLink:
    """A link that hands every frame, with its address, straight to the peer session."""

    def __init__(self, session: Session[Any]) -> None:
        self.session = session
        self.peer: MemoryLink | None = None
        self.closed_with: list[tuple[CloseReason, bool]] = []
        self.released = False

    async def transmit(self, address: str, data: str | bytes) -> None:
        assert self.peer is not None
        self.peer.session.receive(address, data)

    async def close(self, reason: CloseReason, notify_peer: bool) -> None:
        self.closed_with.append((reason, notify_peer))
        if notify_peer and self.peer is not None:
            self.peer.session.end(CloseReason.REMOTE_BYE, notify_peer=False)

    def release(self) -> None:
        self.released = True


CHANNELS = [
    ChannelSpec("/up", ChannelKind.DATA, None, client_sends=True, server_sends=False, server_inbound=TypeAdapter(Ping)),
    ChannelSpec("/down", ChannelKind.DATA, None, client_sends=False, server_sends=True),
]


def test_a_session_routes_by_the_links_address_and_closes_through_it() -> None:
    async def scenario() -> None:
        client = Session(CHANNELS, Side.CLIENT, MemoryLink, max_duration=None)
        server = Session(CHANNELS, Side.SERVER, MemoryLink, max_duration=None)
        client.link.peer, server.link.peer = server.link, client.link
        errors: list[WireError] = []

        async def on_error(error: WireError) -> None:
            errors.append(error)

        server.on_error(on_error)
        received = server.messages("/up")
        await client.send("/up", Ping(seq=1))
        await client.send_raw("/down", "{}")  # the client never receives on /up, nor the server on /down
        assert await within(anext(received)) == Ping(seq=1)
        assert [type(error) for error in errors] == [UnknownMessage]
        with pytest.raises(ValueError, match="does not send"):
            await client.send("/down", Ping(seq=2))
        await client.close()
        assert await within(server.wait_closed()) is CloseReason.REMOTE_BYE
        assert [message async for message in received] == []
        assert client.link.closed_with == [(CloseReason.LOCAL, True)] and client.link.released
        assert server.link.released
        with pytest.raises(SessionClosed):
            await client.send("/up", Ping(seq=3))

    run(scenario)
