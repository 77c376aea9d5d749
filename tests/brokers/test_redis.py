"""Chat over a real redis-server: a Redis 2.6 document of our own (channels with a parameter, received with
PSUBSCRIBE), the generated application and its counterpart both sending and receiving.

A raw redis-py client plays the outside world: it publishes malformed messages and watches the mock; the server is
restarted under a connected client. Redis pub/sub carries no headers: the build says so.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import redis.asyncio as aioredis
from asyncapi_gen.build import BuildOptions, build

from .packages import CORPUS, build_into, imported, payload_validator
from .servers import free_port, running_redis, stop

CHAT = Path(__file__).parents[2] / "spec" / "chat-redis.yml"  # also the golden record generated/chat-redis
POSTED = "chat.{room}.posted"
# What the application sends: channel address -> the payload schema the document gives it.
APP_SENDS = {
    "chat.{room}.announced": "#/components/messages/announcement/payload",
    "chat.presence": "#/components/messages/presence/payload",
}
TIMEOUT = 10.0


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, ModuleType]]:
    root = build_into(CHAT, "chat", tmp_path_factory.mktemp("chat"))
    with imported(root, "chat") as package:
        yield root, package


class Recorder:
    """Whatever reached a handler, and a way to wait for it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, dict[str, Any]]] = []
        self.changed = asyncio.Event()

    def add(self, hook: str, message: Any, **envelope: Any) -> None:
        self.calls.append((hook, message, envelope))
        self.changed.set()

    async def wait_for(self, count: int) -> None:
        async with asyncio.timeout(TIMEOUT):
            while len(self.calls) < count:
                self.changed.clear()
                await self.changed.wait()


def test_the_build_warns_that_headers_are_not_carried() -> None:
    result = build(CHAT, BuildOptions(package="chat", ref_root=CORPUS))
    assert result.ok
    assert [d.code for d in result.diagnostics] == ["headers-not-carried"]
    assert result.diagnostics[0].severity.value == "warning"


def test_both_sides_exchange_typed_messages_with_parameters(chat: tuple[Path, ModuleType], redis_url: str) -> None:
    _, package = chat
    models = package.models
    app_got, client_got = Recorder(), Recorder()

    class Room(package.ServerHandler):  # type: ignore[misc, name-defined]
        async def on_post(self, session: Any, message: Any, **envelope: Any) -> None:
            app_got.add("on_post", message, **envelope)
            await session.send_announcement(models.AnnouncementPayload(text=f"{message.author} posted"),
                                            room=envelope["room"])
            await session.send_presence(models.PresencePayload(online=2))

    class Member(package.ClientHandler):  # type: ignore[misc, name-defined]
        async def on_announcement(self, client: Any, message: Any, **envelope: Any) -> None:
            client_got.add("on_announcement", message, **envelope)

        async def on_presence(self, client: Any, message: Any, **envelope: Any) -> None:
            client_got.add("on_presence", message, **envelope)

    async def scenario() -> None:
        async with (package.Server(Room, url=redis_url) as app,
                    package.Client(app.url, handler=Member()) as client):
            await client.send_post(models.PostPayload(author="ada", text="hi"), room="lobby*1")
            await client_got.wait_for(2)

    asyncio.run(scenario())
    (_, post, envelope), = app_got.calls
    assert isinstance(post, models.PostPayload) and post.text == "hi"
    assert envelope == {"room": "lobby*1"}  # a glob character in a value travels quoted and comes back whole
    by_hook = {hook: (message, envelope) for hook, message, envelope in client_got.calls}
    announced, envelope = by_hook["on_announcement"]
    assert announced.text == "ada posted" and envelope == {"room": "lobby*1"}
    assert by_hook["on_presence"][0] == models.PresencePayload(online=2)


def test_a_malformed_message_reaches_on_error_and_the_app_goes_on(chat: tuple[Path, ModuleType],
                                                                  redis_url: str) -> None:
    _, package = chat
    core = package._runtime.core
    got = Recorder()

    class Room(package.ServerHandler):  # type: ignore[misc, name-defined]
        async def on_post(self, session: Any, message: Any, **envelope: Any) -> None:
            got.add("post", message, **envelope)

        async def on_error(self, session: Any, error: Any) -> None:
            got.add("error", error)

    channel = POSTED.replace("{room}", "r9")

    async def scenario() -> None:
        async with package.Server(Room, url=redis_url):
            raw = aioredis.from_url(redis_url)
            try:
                await raw.publish(channel, b"{not json")
                await raw.publish(channel, json.dumps({"author": "x", "text": "y" * 201}))
                await raw.publish("chat.r9.other", json.dumps({"author": "x", "text": "ignored"}))  # no channel
                await raw.publish(channel, json.dumps({"author": "x", "text": "ok"}))
                await got.wait_for(3)
            finally:
                await raw.aclose()

    asyncio.run(scenario())
    kinds = [(hook, type(message)) for hook, message, _ in got.calls]
    assert kinds == [("error", core.InvalidJson), ("error", core.SchemaViolation),
                     ("post", package.models.PostPayload)]
    assert got.calls[2][2] == {"room": "r9"}


def test_the_mock_publishes_every_message_the_app_sends_on_matching_channels(chat: tuple[Path, ModuleType],
                                                                            redis_url: str) -> None:
    """Acceptance: a raw subscriber on `*` sees each operation within 15 s, schema-valid, and nothing else."""
    root, package = chat
    validators = {address: payload_validator(CHAT, pointer) for address, pointer in APP_SENDS.items()}
    seen: dict[str, list[Any]] = {}
    stray: list[str] = []

    async def watch() -> None:
        raw = aioredis.from_url(redis_url)
        pubsub = raw.pubsub(ignore_subscribe_messages=True)
        await pubsub.psubscribe("*")
        mock = subprocess.Popen(  # noqa: ASYNC220 (started once, stopped by its pid below)
            [sys.executable, "-m", "chat.mock", "--url", redis_url],
            env={**os.environ, "PYTHONPATH": str(root)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started = time.monotonic()
        try:
            async with asyncio.timeout(15):
                while set(seen) != set(APP_SENDS):
                    message = await pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    name = message["channel"].decode()
                    channel = next((a for a in APP_SENDS if package.parameters_of(a, name) is not None), None)
                    if channel is None:
                        stray.append(name)
                        continue
                    seen.setdefault(channel, []).append(json.loads(message["data"]))
            assert time.monotonic() - started < 15
        finally:
            stop(mock)  # type: ignore[arg-type]
            await pubsub.aclose()
            await raw.aclose()

    asyncio.run(watch())
    assert set(seen) == set(APP_SENDS)
    assert not stray, f"the mock published on channels of no channel it sends on: {stray}"
    for channel, payloads in seen.items():
        for payload in payloads:
            errors = [e.message for e in validators[channel].iter_errors(payload)]
            assert not errors, f"{channel}: {payload} is not valid: {errors}"


def test_a_server_restart_ends_the_session_with_a_clear_error_and_a_new_one_connects(
        chat: tuple[Path, ModuleType]) -> None:
    """Redis pub/sub keeps nothing and redis-py does not subscribe again by itself: the session ends (PEER_GONE),
    its handler hears why, sends fail with SessionClosed, and a new client connects once the server is back."""
    _, package = chat
    core = package._runtime.core
    models = package.models
    errors: list[Any] = []

    class Member(package.ClientHandler):  # type: ignore[misc, name-defined]
        async def on_error(self, client: Any, error: Any) -> None:
            errors.append(error)

    port = free_port()

    async def scenario() -> None:
        with running_redis(port) as url:
            client = package.Client(url, handler=Member())
            await client.connect()
            await client.send_post(models.PostPayload(author="a", text="1"), room="r")
        async with asyncio.timeout(TIMEOUT):
            reason = await client.wait_closed()
        assert reason is core.CloseReason.PEER_GONE
        with pytest.raises(core.SessionClosed):
            await client.send_post(models.PostPayload(author="a", text="2"), room="r")
        await client.close()
        with running_redis(port) as url:
            async with package.Client(url) as again:
                await again.send_post(models.PostPayload(author="a", text="3"), room="r")

    asyncio.run(scenario())
    assert [type(e) for e in errors] == [core.TaskFailed]
    assert "redis" in str(errors[0]).lower()


def test_an_unreachable_server_is_a_connect_error(chat: tuple[Path, ModuleType]) -> None:
    _, package = chat
    core = package._runtime.core

    async def scenario() -> None:
        with pytest.raises(core.ConnectError, match="Redis server"):
            await package.Client(f"redis://127.0.0.1:{free_port()}/0", connect_timeout=5).connect()

    asyncio.run(scenario())
