# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""Session tokens: issued by the server, redeemed once at the WebSocket upgrade.

A token is a secret: it is never logged and never put in an error message (see ``redacted``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

__all__ = [
    "MAX_OUTSTANDING_TOKENS",
    "InMemoryTokenIssuer",
    "TokenIssuer",
    "TooManyTokens",
    "redacted",
    "token_digest",
]

#: Tokens an in-memory issuer keeps at once; past it, ``issue()`` refuses until some are used or expire.
MAX_OUTSTANDING_TOKENS = 10_000


class TooManyTokens(Exception):
    """The issuer holds its maximum of outstanding tokens: try again once some are used or expire."""


class TokenIssuer(Protocol):
    """Issues session tokens and redeems each one at most once."""

    def issue(self) -> str:
        """A fresh token; ``TooManyTokens`` when the issuer is full."""
        ...

    def redeem(self, token: str) -> bool:
        """True exactly once for a valid token; False for unknown, used or expired ones."""
        ...

    def purge(self) -> int:
        """Forget expired tokens (a server calls it on a timer); returns how many were forgotten."""
        ...


class InMemoryTokenIssuer:
    """One-use random tokens kept in memory until redeemed or expired (one process, one server).

    Issuing and redeeming cost O(1): every token lives ``ttl`` seconds, so the oldest is always
    the next to expire and expired ones are dropped from the front, a few at each call (and all
    of them by ``purge()``, which a server runs on a timer).
    """

    def __init__(
        self,
        ttl: float = 300.0,
        *,
        max_outstanding: int = MAX_OUTSTANDING_TOKENS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._max_outstanding = max_outstanding
        self._clock = clock
        # Keyed by a digest of the token so the dict lookup never compares secrets itself;
        # the stored token is then compared in constant time. Insertion order is expiry order.
        self._pending: OrderedDict[bytes, tuple[str, float]] = OrderedDict()

    def issue(self) -> str:
        """A fresh 256-bit URL-safe token, valid for ``ttl`` seconds; ``TooManyTokens`` when full."""
        self._forget_expired(limit=2)
        if len(self._pending) >= self._max_outstanding:
            self.purge()
            if len(self._pending) >= self._max_outstanding:
                raise TooManyTokens(
                    f"{len(self._pending)} session tokens are outstanding"
                )
        token = secrets.token_urlsafe(32)
        self._pending[token_digest(token)] = (token, self._clock() + self._ttl)
        return token

    def redeem(self, token: str) -> bool:
        """Consume ``token``: True the first time for a known, unexpired token, else False."""
        entry = self._pending.pop(token_digest(token), None)
        if entry is None:
            return False
        stored, expires_at = entry
        return (
            hmac.compare_digest(stored.encode(), token.encode())
            and self._clock() < expires_at
        )

    def purge(self) -> int:
        """Drop every expired token; returns how many were dropped."""
        return self._forget_expired(limit=None)

    @property
    def outstanding(self) -> int:
        """Tokens issued and neither redeemed nor expired."""
        self.purge()
        return len(self._pending)

    def _forget_expired(self, limit: int | None) -> int:
        now, pending, dropped = self._clock(), self._pending, 0
        while pending and (limit is None or dropped < limit):
            key, (_, expires_at) = next(iter(pending.items()))
            if expires_at > now:
                break
            del pending[key]
            dropped += 1
        return dropped


def token_digest(token: str) -> bytes:
    """The SHA-256 of ``token``: what stores key tokens by, so that no lookup compares secrets."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


_TOKEN_IN_TEXT = re.compile(r"(token=)[^&\s'\"]+", re.IGNORECASE)


def redacted(text: str) -> str:
    """``text`` with the value of every ``token=`` (a URL's query, a log line) replaced by ``***``."""
    return _TOKEN_IN_TEXT.sub(r"\1***", text)
