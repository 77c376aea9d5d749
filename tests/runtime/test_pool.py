"""RedisAdmission against a real redis-server: placement, one-use tokens, leaving, reservations.

Several admissions in one event loop stand for the processes of a pool; the kill -9 test runs
one in a child process and kills it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import traceback
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from asyncapi_gen.runtime.core.admission import Placement
from asyncapi_gen.runtime.pool import PoolUnavailable, RedisAdmission

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from redis_server import running_redis

GENERATOR = Path(__file__).resolve().parents[2] / "generator"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with running_redis() as url:
        yield url


@dataclass
class FakeServer:
    url: str
    max_sessions: int | None
    live_sessions: int = 0


def run(test: Callable[[], Coroutine[Any, Any, None]], timeout: float = 30.0) -> None:
    """Run ``test`` in a fresh event loop and fail if it leaves any task running."""

    async def main() -> None:
        await asyncio.wait_for(test(), timeout)
        await asyncio.sleep(0)
        leftover = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        assert not leftover, f"tasks left behind: {leftover}"

    asyncio.run(main())


_pools = iter(range(1_000_000))


def fresh_pool() -> str:
    """A pool name no other test uses, so tests sharing the redis-server do not see each other."""
    return f"test-{os.getpid()}-{next(_pools)}"


@asynccontextmanager
async def pool_of(redis_url: str, *servers: FakeServer, **options: Any) -> AsyncIterator[list[RedisAdmission]]:
    options.setdefault("pool", fresh_pool())
    admissions = [RedisAdmission(redis_url, **options) for _ in servers]
    try:
        for admission, server in zip(admissions, servers, strict=True):
            await admission.start(server)
        yield admissions
    finally:
        for admission in admissions:
            await admission.stop()


def urls(placements: list[Placement | None]) -> Counter[str | None]:
    return Counter(None if p is None else p.url for p in placements)


def test_places_on_the_least_loaded_process_until_all_are_full(redis_url: str) -> None:
    a, b = FakeServer("ws://a/", 2), FakeServer("ws://b/", 2)

    async def test() -> None:
        async with pool_of(redis_url, a, b) as (first, _):
            placed = [await first.place() for _ in range(4)]
            assert urls(placed[:2]) == Counter({"ws://a/": 1, "ws://b/": 1})
            assert urls(placed) == Counter({"ws://a/": 2, "ws://b/": 2})
            assert len({p.token for p in placed if p is not None}) == 4
            assert await first.place() is None

    run(test)


def test_live_sessions_count_as_load(redis_url: str) -> None:
    busy, idle = FakeServer("ws://busy/", 3, live_sessions=2), FakeServer("ws://idle/", 3)

    async def test() -> None:
        async with pool_of(redis_url, busy, idle) as (first, _):
            placed = [await first.place() for _ in range(5)]
            assert [p.url for p in placed[:2] if p] == ["ws://idle/", "ws://idle/"]
            assert urls(placed) == Counter({"ws://idle/": 3, "ws://busy/": 1, None: 1})

    run(test)


def test_no_limit_means_always_room(redis_url: str) -> None:
    async def test() -> None:
        async with pool_of(redis_url, FakeServer("ws://open/", None), FakeServer("ws://full/", 0)) as (first, _):
            placed = [await first.place() for _ in range(20)]
            assert urls(placed) == Counter({"ws://open/": 20})

    run(test)


def test_concurrent_placements_never_overfill(redis_url: str) -> None:
    servers = [FakeServer(f"ws://{name}/", 2) for name in "abc"]

    async def test() -> None:
        async with pool_of(redis_url, *servers) as admissions:
            placed = await asyncio.gather(*(admissions[i % 3].place() for i in range(30)))
            assert urls(placed) == Counter({"ws://a/": 2, "ws://b/": 2, "ws://c/": 2, None: 24})

    run(test)


def test_a_token_opens_once_and_only_where_it_was_placed(redis_url: str) -> None:
    a, b = FakeServer("ws://a/", 1000), FakeServer("ws://b/", 1000)

    async def test() -> None:
        async with pool_of(redis_url, a, b) as (at_a, at_b):
            at = {"ws://a/": at_a, "ws://b/": at_b}
            elsewhere = {"ws://a/": at_b, "ws://b/": at_a}
            placement = await at_a.place()
            assert placement is not None
            assert not await elsewhere[placement.url].redeem(placement.token)
            assert await at[placement.url].redeem(placement.token)
            assert not await at[placement.url].redeem(placement.token)
            assert not await at_a.redeem("not-a-token")

            for _ in range(50):
                placement = await at_a.place()
                assert placement is not None
                results = await asyncio.gather(at_a.redeem(placement.token), at_b.redeem(placement.token))
                assert list(results) == ([True, False] if placement.url == "ws://a/" else [False, True])

    run(test)


def test_tokens_are_never_stored(redis_url: str) -> None:
    async def test() -> None:
        pool = fresh_pool()
        async with pool_of(redis_url, FakeServer("ws://a/", 10), pool=pool) as (admission,):
            placements = [await admission.place() for _ in range(3)]
            tokens = [p.token for p in placements if p is not None]
            assert len(tokens) == 3
            client = aioredis.from_url(redis_url, decode_responses=True)
            try:
                keys = [key async for key in client.scan_iter(f"{pool}:*")]
                assert {key.split(":")[1] for key in keys} == {"processes", "process", "reserved", "token"}
                stored = [*keys]
                for key in keys:
                    kind = await client.type(key)
                    if kind == "string":
                        stored.append(await client.get(key))
                    elif kind == "hash":
                        stored += (await client.hgetall(key)).values()
                    elif kind == "zset":
                        stored += await client.zrange(key, 0, -1)
                    else:
                        stored += await client.smembers(key)
                dump = " ".join(stored)
            finally:
                await client.aclose()
            for token in tokens:
                assert token not in dump

    run(test)


def test_a_stopped_process_leaves_at_once(redis_url: str) -> None:
    async def test() -> None:
        options: dict[str, Any] = {"pool": fresh_pool(), "heartbeat": 5.0, "dead_after": 30.0}
        async with pool_of(redis_url, FakeServer("ws://stays/", 100), **options) as (stays,):
            leaving = RedisAdmission(redis_url, **options)
            await leaving.start(FakeServer("ws://leaves/", 100))
            before = [await stays.place() for _ in range(4)]
            assert urls(before) == Counter({"ws://stays/": 2, "ws://leaves/": 2})
            await leaving.stop()
            await leaving.stop()
            after = [await stays.place() for _ in range(4)]
            assert urls(after) == Counter({"ws://stays/": 4})

    run(test)


CHILD = """
import asyncio, sys
from dataclasses import dataclass
from asyncapi_gen.runtime.pool import RedisAdmission

@dataclass
class Server:
    url: str = "ws://killed/"
    max_sessions: int = 1000
    live_sessions: int = 0

async def main():
    admission = RedisAdmission(sys.argv[1], pool=sys.argv[2], heartbeat=0.2, dead_after=0.6)
    await admission.start(Server())
    print("joined", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


def test_a_killed_process_leaves_within_dead_after_plus_heartbeat(redis_url: str) -> None:
    pool = fresh_pool()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(GENERATOR), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, redis_url, pool], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env
    )

    async def test() -> None:
        options = {"pool": pool, "heartbeat": 0.2, "dead_after": 0.6, "reservation_seconds": 0.1}
        async with pool_of(redis_url, FakeServer("ws://alive/", 1000), **options) as (alive,):
            line = await asyncio.to_thread(child.stdout.readline)  # type: ignore[union-attr]
            assert line.strip() == b"joined"
            await asyncio.sleep(0.5)  # a few heartbeats: the child is alive and stays in the pool
            before = [await alive.place() for _ in range(4)]
            assert urls(before) == Counter({"ws://alive/": 2, "ws://killed/": 2})

            os.kill(child.pid, signal.SIGKILL)
            killed_at = time.monotonic()
            while urls([await alive.place() for _ in range(4)]) != Counter({"ws://alive/": 4}):
                assert time.monotonic() - killed_at < 0.6 + 0.2 + 0.3, "the killed process is still placed on"
                await asyncio.sleep(0.05)
            assert time.monotonic() - killed_at > 0.3, "left before its last heartbeat could have expired"
            await asyncio.sleep(0.2)
            after = [await alive.place() for _ in range(10)]
            assert urls(after) == Counter({"ws://alive/": 10})

    try:
        run(test)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(5)
        assert child.stdout is not None
        child.stdout.close()


def test_reservations_expire(redis_url: str) -> None:
    async def test() -> None:
        # No heartbeat during the test: only reservations and redeems change the load.
        options: dict[str, Any] = {"reservation_seconds": 0.6, "heartbeat": 10.0, "dead_after": 30.0}
        async with pool_of(redis_url, FakeServer("ws://two/", 2), **options) as (two,):
            assert await two.place() is not None
            await asyncio.sleep(0.4)
            assert await two.place() is not None
            assert await two.place() is None
            await asyncio.sleep(0.35)  # the first reservation is over, the second is not
            placement = await two.place()
            assert placement is not None
            assert await two.place() is None
            assert await two.redeem(placement.token)
            await asyncio.sleep(0.7)  # every reservation is over
            assert await two.place() is not None
            assert await two.place() is None, "a redeemed session counts as live before the next heartbeat"

    run(test)


def test_the_heartbeat_publishes_live_sessions(redis_url: str) -> None:
    server = FakeServer("ws://one/", 1, live_sessions=1)

    async def test() -> None:
        async with pool_of(redis_url, server, heartbeat=0.1, dead_after=1.0) as (one,):
            assert await one.place() is None
            server.live_sessions = 0
            await asyncio.sleep(0.3)
            assert await one.place() is not None

    run(test)


def test_a_redis_that_does_not_answer_is_named_without_its_password(redis_url: str) -> None:
    with running_redis() as other:
        port = other.rsplit(":", 1)[1].split("/")[0]
    secret = "s3cret-Pa55word"
    url = f"redis://pool-user:{secret}@127.0.0.1:{port}/0"

    async def test() -> None:
        admission = RedisAdmission(url, timeout=2.0)
        with pytest.raises(PoolUnavailable) as caught:
            await admission.start(FakeServer("ws://a/", 1))
        message = str(caught.value)
        assert f"redis://pool-user:***@127.0.0.1:{port}/0" in message
        everything = "".join(traceback.format_exception(caught.value))
        assert secret not in everything
        assert secret not in admission.redis_url
        await admission.stop()
        with pytest.raises(RuntimeError):
            await admission.place()

    run(test)


def test_a_wrong_password_is_not_repeated() -> None:
    secret = "wrong-Pa55word"
    with running_redis("--requirepass", "the-right-one") as protected:
        url = protected.replace("redis://", f"redis://:{secret}@")

        async def test() -> None:
            admission = RedisAdmission(url)
            with pytest.raises(PoolUnavailable) as caught:
                await admission.start(FakeServer("ws://a/", 1))
            assert secret not in "".join(traceback.format_exception(caught.value))
            assert ":***@" in str(caught.value)

        run(test)
