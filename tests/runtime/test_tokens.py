"""The in-memory token issuer: one use, unknown refused, expiry, constant-time comparison."""

from __future__ import annotations

import hmac

import pytest
from asyncapi_gen.runtime.core import InMemoryTokenIssuer, TokenIssuer, TooManyTokens


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


def test_outstanding_tokens_are_capped_until_some_are_used_or_expire() -> None:
    clock = Clock()
    issuer = InMemoryTokenIssuer(ttl=60.0, max_outstanding=3, clock=clock)
    first, *_ = [issuer.issue() for _ in range(3)]
    with pytest.raises(TooManyTokens):
        issuer.issue()
    assert issuer.redeem(first) is True
    issuer.issue()  # a used token makes room
    with pytest.raises(TooManyTokens):
        issuer.issue()
    clock.now += 61.0
    assert len({issuer.issue() for _ in range(3)}) == 3  # expired ones make room too


def test_purge_forgets_every_expired_token_and_only_those() -> None:
    clock = Clock()
    issuer = InMemoryTokenIssuer(ttl=60.0, clock=clock)
    for _ in range(500):
        issuer.issue()
    clock.now += 30.0
    fresh = issuer.issue()
    clock.now += 31.0
    assert issuer.purge() == 500
    assert issuer.purge() == 0
    assert issuer.redeem(fresh) is True
