# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""Who may open a session, and where: the session endpoint's placement and the upgrade's token check.

A server that hands out sessions over HTTP asks its ``Admission`` twice per session:

1. ``place()``, at ``POST <session endpoint>``: the URL clients connect to, with a fresh one-use token, on a
   process that has room (this one, or another of its pool), or None when every process is full
   (the endpoint answers 503 with ``Retry-After``);
2. ``redeem(token)``, at the WebSocket upgrade: True exactly once for a token placed here.

``LocalAdmission`` keeps everything in this process; ``pool.RedisAdmission`` shares one Redis
between processes. A placed token holds its slot for ``RESERVATION_SECONDS`` (or until it is
redeemed), so that sessions requested together are not all placed on the same last free slot.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from .tokens import TokenIssuer, TooManyTokens, token_digest

__all__ = [
    "RESERVATION_SECONDS",
    "Admission",
    "LocalAdmission",
    "Placement",
    "ServerLoad",
]

#: How long a placed token holds a session slot before it is redeemed.
RESERVATION_SECONDS = 10.0


@dataclass(frozen=True)
class Placement:
    """Where a new session goes: the URL clients connect to and the one-use token that opens it there."""

    url: str
    token: str


class ServerLoad(Protocol):
    """What admission needs to know of the server it admits for."""

    @property
    def url(self) -> str:
        """The URL clients placed on this server connect to."""
        ...

    @property
    def live_sessions(self) -> int:
        """Sessions accepted at the upgrade and not yet fully closed (negotiating ones included)."""
        ...

    @property
    def max_sessions(self) -> int | None:
        """The most sessions this server holds at once (None: no limit)."""
        ...


class Admission(Protocol):
    """Places new sessions and redeems their tokens (see the module docstring)."""

    async def start(self, server: ServerLoad) -> None:
        """Begin admitting for ``server`` (once it listens)."""
        ...

    async def stop(self) -> None:
        """Stop admitting for the server (it is stopping); in a pool, leave it."""
        ...

    async def place(self) -> Placement | None:
        """A URL and a fresh token on a server with room, or None when there is none."""
        ...

    async def redeem(self, token: str) -> bool:
        """True exactly once for a valid token placed on this server; False otherwise."""
        ...


class LocalAdmission:
    """Admission in one process: tokens from ``tokens``, room from the server's own count."""

    def __init__(
        self,
        tokens: TokenIssuer,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._tokens = tokens
        self._clock = clock
        self._server: ServerLoad | None = None
        # Placed and not yet redeemed, oldest first: digest of the token -> when its slot is given back.
        self._reserved: OrderedDict[bytes, float] = OrderedDict()

    async def start(self, server: ServerLoad) -> None:
        self._server = server

    async def stop(self) -> None:
        self._reserved.clear()

    async def place(self) -> Placement | None:
        server = self._server
        assert server is not None, "start() first"
        limit = server.max_sessions
        if limit is not None and server.live_sessions + self._reservations() >= limit:
            return None
        try:
            token = self._tokens.issue()
        except TooManyTokens:
            return None
        if limit is not None:
            self._reserved[token_digest(token)] = self._clock() + RESERVATION_SECONDS
        return Placement(server.url, token)

    async def redeem(self, token: str) -> bool:
        self._reserved.pop(token_digest(token), None)
        return self._tokens.redeem(token)

    def _reservations(self) -> int:
        now = self._clock()
        while self._reserved:
            key, until = next(iter(self._reserved.items()))
            if until > now:
                break
            del self._reserved[key]
        return len(self._reserved)
