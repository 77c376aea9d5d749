"""Generated clients for ws-only corpus documents talk to their generated mocks over the WebSocket transport."""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from asyncapi_gen.build import BuildOptions, build
from asyncapi_gen.ir import Role
from asyncapi_gen.write import write_tree

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "documents"
FIXTURE = CORPUS / "generator/packages/templates/clients/websocket/test/__fixtures__/asyncapi-websocket-components.yml"
GEMINI = CORPUS / "asyncapi-spec@v2.6.0/websocket-gemini.yml"


def generate(spec: Path, package: str, tmp: Path) -> Iterator[ModuleType]:
    result = build(spec, BuildOptions(package=package, ref_root=CORPUS))
    assert result.ok, [d.render() for d in result.diagnostics]
    out = tmp / package
    write_tree(result.files, out)
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]


@pytest.fixture
def ws_fixture(tmp_path: Path) -> Iterator[ModuleType]:
    yield from generate(FIXTURE, "ws_fixture", tmp_path)


@pytest.fixture
def gemini(tmp_path: Path) -> Iterator[ModuleType]:
    yield from generate(GEMINI, "gemini_feed", tmp_path)


def test_typed_messages_both_ways_over_websocket(ws_fixture: ModuleType) -> None:
    models = ws_fixture.models
    mock = importlib.import_module("ws_fixture.mock")
    received: list[Any] = []

    async def scenario() -> None:
        handlers: list[Any] = []

        def factory() -> Any:
            handlers.append(mock.MockHandler())
            return handlers[-1]

        async with ws_fixture.Server(factory) as server:
            url, token = server.issue_session()
            assert url.startswith("ws://127.0.0.1:")
            async with ws_fixture.Client(url, token) as client:
                sent = models.TestMessagePayload(type="greeting", content="hello")
                await client.send_message(sent)
                async for message in client.receive_message():
                    received.append(message)
                    break
                await client.send_raw("/test", "{not json")
                for _ in range(200):
                    if handlers[0].errors:
                        break
                    await asyncio.sleep(0.01)
                await client.send_notification(models.TestMessagePayload(type="again"))
                async for message in client.receive_notification():
                    received.append(message)
                    break
            assert type(handlers[0].errors[0]).__name__ == "InvalidJson"

    asyncio.run(asyncio.wait_for(scenario(), 30))
    assert received and all(isinstance(m, models.TestMessagePayload) for m in received)


def test_a_feed_client_receives_typed_market_data(gemini: ModuleType) -> None:
    channels = importlib.import_module("gemini_feed.channels")
    mock = importlib.import_module("gemini_feed.mock")
    assert channels.v1_marketdata_symbol_address("btcusd") == "/v1/marketdata/btcusd"

    async def scenario() -> Any:
        async with gemini.Server(mock.MockHandler) as server:
            url, token = server.issue_session()
            async with gemini.Client(url, token) as client:
                async for message in client.receive_market_data():
                    return message
        return None

    message = asyncio.run(asyncio.wait_for(scenario(), 30))
    # Market is a discriminated union alias (no root model to unwrap): a message is one of its members.
    assert isinstance(message, gemini.models.Heartbeat | gemini.models.Update)


@pytest.fixture
def mercure_hub(tmp_path: Path) -> Iterator[ModuleType]:
    yield from generate(CORPUS / "asyncapi-spec@v3.0.0/mercure-asyncapi.yml", "mercure_hub", tmp_path)


def test_other_protocols_build_and_refuse_clearly_at_connect_not_at_build(mercure_hub: ModuleType) -> None:
    runtime = importlib.import_module("mercure_hub._runtime.core")

    async def scenario() -> None:
        client = mercure_hub.Client("mercure://127.0.0.1:9", None)
        with pytest.raises(runtime.TransportNotAvailable, match="mercure") as raised:
            await client.connect()
        assert "transport=" in str(raised.value)
        with pytest.raises(runtime.TransportNotAvailable, match="mercure"):
            await mercure_hub.Server(importlib.import_module("mercure_hub.mock").MockHandler).start()

    asyncio.run(asyncio.wait_for(scenario(), 10))


ECHO = CORPUS / "generator/packages/templates/clients/websocket/test/__fixtures__/asyncapi-postman-echo.yml"


@pytest.fixture
def echo_client(tmp_path: Path) -> Iterator[ModuleType]:
    result = build(ECHO, BuildOptions(package="echo_client", ref_root=CORPUS, describes=Role.CLIENT))
    assert result.ok, [d.render() for d in result.diagnostics]
    out = tmp_path / "echo_client"
    write_tree(result.files, out)
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("echo_client")
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == "echo_client" or n.startswith("echo_client.")]:
            del sys.modules[name]


def test_a_document_that_describes_the_client_gives_a_client_that_sends_and_receives_replies(
    echo_client: ModuleType,
) -> None:
    mock = importlib.import_module("echo_client.mock")

    async def scenario() -> Any:
        server = echo_client.Server(mock.MockHandler)
        await server.start()
        try:
            async with echo_client.Client(*server.issue_session()) as client:
                await client.send_echo_message(echo_client.models.EchoPayload.model_validate_json('"hello"'))
                async for reply in client.receive_echo_message_reply():
                    return reply
        finally:
            await server.stop()
        return None

    reply = asyncio.run(asyncio.wait_for(scenario(), 30))
    assert isinstance(reply, echo_client.models.EchoPayload)
