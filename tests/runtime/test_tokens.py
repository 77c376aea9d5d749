"""The in-memory token issuer: one use, unknown refused, expiry, constant-time comparison."""

from __future__ import annotations

import hmac

import pytest
from asyncapi_gen.runtime.core import InMemoryTokenIssuer, TokenIssuer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_token_is_redeemed_exactly_once() -> None:
    issuer = InMemoryTokenIssuer()
    token = issuer.issue()
    assert issuer.redeem(token) is True
    assert issuer.redeem(token) is False


def test_unknown_tokens_are_refused() -> None:
    issuer = InMemoryTokenIssuer()
    issuer.issue()
    assert issuer.redeem("not-a-token") is False
    assert issuer.redeem("") is False


def test_tokens_expire_after_their_ttl() -> None:
    clock = Clock()
    issuer = InMemoryTokenIssuer(ttl=60.0, clock=clock)
    kept, lost = issuer.issue(), issuer.issue()
    clock.now += 59.0
    assert issuer.redeem(kept) is True
    clock.now += 2.0
    assert issuer.redeem(lost) is False
    assert issuer.outstanding == 0


def test_tokens_are_long_random_and_distinct() -> None:
    issuer = InMemoryTokenIssuer()
    tokens = {issuer.issue() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(token) >= 40 for token in tokens)


def test_redeem_compares_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)  # tokens.py calls hmac.compare_digest
    issuer = InMemoryTokenIssuer()
    token = issuer.issue()
    assert issuer.redeem(token) is True
    assert calls == [(token.encode(), token.encode())]


def test_the_in_memory_issuer_is_a_token_issuer() -> None:
    issuer: TokenIssuer = InMemoryTokenIssuer()
    assert issuer.redeem(issuer.issue())
