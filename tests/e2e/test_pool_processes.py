"""A pool of two mock processes sharing one real redis-server, seen from outside as a user sees it.

Each process is ``python -m runway_characters.mock --max-sessions 2 --redis URL`` on its own ports.
Sessions are requested through one process's ``POST /v1/realtime_sessions`` only; where they go is
read from the signaling URL each answer names. Everything runs on 127.0.0.1 (ICE pinned to loopback).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hardening_support import HttpAnswer, MockProcess, http_post, run
from runway_characters import Client, CloseReason, ConnectError, IceConfig, TokenRejected

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from redis_server import running_redis

LOOPBACK = IceConfig(host_addresses=("127.0.0.1",))


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with running_redis() as url:
        yield url


@contextlib.contextmanager
def pool_of_two(redis_url: str, database: int) -> Iterator[tuple[MockProcess, MockProcess]]:
    """Two mock processes, each holding at most 2 sessions, joined through ``redis_url`` (its own database)."""
    url = redis_url.rsplit("/", 1)[0] + f"/{database}"
    with MockProcess("--max-sessions", "2", "--redis", url) as first, \
            MockProcess("--max-sessions", "2", "--redis", url) as second:
        first.start()
        second.start()
        yield first, second


def placed_at(answer: HttpAnswer) -> str:
    assert answer.status == 200, f"expected a placement, got HTTP {answer.status}: {answer.body[:200]!r}"
    url: str = answer.json()["url"]
    return url


async def first_frame(client: Client) -> None:
    video = await client.receive_avatar_video()
    await asyncio.wait_for(video.recv(), 15)


def test_sessions_are_placed_two_and_two_and_the_fifth_is_refused(redis_url: str) -> None:
    with pool_of_two(redis_url, 1) as (first, second):
        observed: dict[str, Any] = {}

        async def scenario() -> None:
            answers = [await http_post(first.http_url) for _ in range(4)]
            observed["placed"] = Counter(placed_at(answer) for answer in answers)
            clients = [Client(answer.json()["url"], answer.json()["token"], ice=LOOPBACK) for answer in answers]
            async with contextlib.AsyncExitStack() as stack:
                for client in clients:
                    await stack.enter_async_context(client)
                await asyncio.gather(*(first_frame(client) for client in clients))
                fifth = await http_post(first.http_url)
                observed["fifth"] = (fifth.status, fifth.headers.get("retry-after"))
                at_second = await http_post(second.http_url)
                observed["fifth_at_second"] = at_second.status

        run(scenario, timeout=58)
    assert observed["placed"] == Counter({first.signaling_url: 2, second.signaling_url: 2}), observed
    status, retry_after = observed["fifth"]
    assert status == 503 and retry_after, f"a full pool must answer 503 with Retry-After: {observed}"
    assert observed["fifth_at_second"] == 503, observed


def test_one_token_raced_at_both_processes_opens_one_session(redis_url: str) -> None:
    with pool_of_two(redis_url, 2) as (first, second):
        outcomes: list[str] = []

        async def attempt(url: str, token: str) -> None:
            client = Client(url, token, ice=LOOPBACK, connect_timeout=15)
            try:
                await client.connect()
            except TokenRejected:
                outcomes.append("rejected")
                return
            except ConnectError as error:
                outcomes.append(f"connect-error: {error}")
                return
            try:
                await first_frame(client)
                outcomes.append("opened")
            finally:
                await client.close()

        async def scenario() -> None:
            for _ in range(3):
                answer = await http_post(first.http_url)
                placed_at(answer)
                token = answer.json()["token"]
                # Two tries at each process, all at once: the token may open one session, wherever it was placed.
                urls = [first.signaling_url, second.signaling_url] * 2
                await asyncio.gather(*(attempt(url, token) for url in urls))

        run(scenario, timeout=58)
    for race in range(3):
        these = outcomes[race * 4:(race + 1) * 4]
        assert sorted(these) == ["opened", "rejected", "rejected", "rejected"], outcomes


def test_a_killed_process_ends_its_sessions_and_new_ones_go_to_the_other(redis_url: str) -> None:
    """kill -9 of a process with room: its client sees PEER_GONE, and once it has left, nothing is placed there.

    One session runs on each process. After the kill the survivor has room for one more and so, on its last
    heartbeat, does the dead one: while it is still listed, two requests could both be placed. Once it has
    left (within ``dead_after``, 3 s), the first request goes to the survivor and the second gets 503.
    """
    with pool_of_two(redis_url, 3) as (first, second):
        observed: dict[str, Any] = {}

        async def scenario() -> None:
            answers = [await http_post(first.http_url) for _ in range(2)]
            observed["placed"] = sorted(placed_at(answer) for answer in answers)
            by_url = {answer.json()["url"]: Client(answer.json()["url"], answer.json()["token"], ice=LOOPBACK)
                      for answer in answers}
            async with contextlib.AsyncExitStack() as stack:
                for client in by_url.values():
                    await stack.enter_async_context(client)
                    await first_frame(client)
                victim, survivor = by_url[second.signaling_url], by_url[first.signaling_url]
                assert second.process is not None
                second.process.kill()  # kill -9: no bye, no leaving the pool politely
                killed_at = time.monotonic()
                reason = await asyncio.wait_for(victim.wait_closed(), 30)
                observed["victim"] = (reason, time.monotonic() - killed_at)
                await asyncio.sleep(max(0.0, killed_at + 4.0 - time.monotonic()))
                after = [await http_post(first.http_url) for _ in range(2)]
                observed["after"] = [answer.json()["url"] if answer.status == 200 else answer.status
                                     for answer in after]
                observed["survivor_open"] = not survivor.closed
                if after[0].status == 200:
                    fresh = after[0].json()
                    async with Client(fresh["url"], fresh["token"], ice=LOOPBACK) as again:
                        await first_frame(again)
                        observed["fresh_opened"] = True

        run(scenario, timeout=58)
    assert observed["placed"] == sorted([first.signaling_url, second.signaling_url]), observed
    reason, ended_after = observed["victim"]
    assert reason is CloseReason.PEER_GONE, observed
    assert ended_after < 15, f"the killed process's client noticed only after {ended_after:.1f} s"
    assert observed["after"] == [first.signaling_url, 503], f"the dead process is still offered: {observed}"
    assert observed["survivor_open"] and observed.get("fresh_opened"), observed


def test_a_placement_at_one_process_is_redeemed_only_there(redis_url: str) -> None:
    """A token placed on one process is refused at the other (it is not a token of the other's sessions)."""
    with pool_of_two(redis_url, 4) as (first, second):
        observed: dict[str, Any] = {}

        async def scenario() -> None:
            answer = await http_post(first.http_url)
            url, token = answer.json()["url"], answer.json()["token"]
            other = second.signaling_url if url == first.signaling_url else first.signaling_url
            try:
                await Client(other, token, ice=LOOPBACK, connect_timeout=10).connect()
            except TokenRejected as rejected:
                observed["elsewhere"] = rejected.status
            async with Client(url, token, ice=LOOPBACK) as client:
                await first_frame(client)
                observed["there"] = True

        run(scenario, timeout=40)
    assert observed == {"elsewhere": 401, "there": True}, observed
