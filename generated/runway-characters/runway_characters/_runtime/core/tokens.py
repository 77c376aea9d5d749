# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""Session tokens: issued by the server, redeemed once at the WebSocket upgrade."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["InMemoryTokenIssuer", "TokenIssuer"]


class TokenIssuer(Protocol):
    """Issues session tokens and redeems each one at most once."""

    def issue(self) -> str:
        """A fresh token."""
        ...

    def redeem(self, token: str) -> bool:
        """True exactly once for a valid token; False for unknown, used or expired ones."""
        ...


class InMemoryTokenIssuer:
    """One-use random tokens kept in memory until redeemed or expired (one process, one server)."""

    def __init__(
        self, ttl: float = 300.0, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        # Keyed by a digest of the token so the dict lookup never compares secrets itself;
        # the stored token is then compared in constant time.
        self._pending: dict[bytes, tuple[str, float]] = {}

    def issue(self) -> str:
        """A fresh 256-bit URL-safe token, valid for ``ttl`` seconds."""
        self._forget_expired()
        token = secrets.token_urlsafe(32)
        self._pending[_digest(token)] = (token, self._clock() + self._ttl)
        return token

    def redeem(self, token: str) -> bool:
        """Consume ``token``: True the first time for a known, unexpired token, else False."""
        entry = self._pending.pop(_digest(token), None)
        if entry is None:
            return False
        stored, expires_at = entry
        return (
            hmac.compare_digest(stored.encode(), token.encode())
            and self._clock() < expires_at
        )

    @property
    def outstanding(self) -> int:
        """Tokens issued and neither redeemed nor expired."""
        self._forget_expired()
        return len(self._pending)

    def _forget_expired(self) -> None:
        now = self._clock()
        for key in [
            key for key, (_, expires_at) in self._pending.items() if expires_at <= now
        ]:
            del self._pending[key]


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
