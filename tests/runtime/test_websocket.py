"""The plain WebSocket transport: real websockets on 127.0.0.1, bare JSON frames, routing by union."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any, Literal

import pytest
from asyncapi_gen.runtime.core import (
    ChannelKind,
    ChannelSpec,
    ClientTransport,
    CloseReason,
    ConnectError,
    InMemoryTokenIssuer,
    InvalidJson,
    MessageTooLarge,
    SchemaViolation,
    ServerSession,
    ServerTransport,
    SessionClosed,
    TokenRejected,
    TransportNotAvailable,
    UnavailableClientTransport,
    UnavailableServerTransport,
    UnknownMessage,
    WireError,
)
from asyncapi_gen.runtime.websocket import WebSocketClientSession, WebSocketServer
from pydantic import BaseModel, Field, TypeAdapter
from rt_support import Recorder, RecordingHandler, run, within

MARKET = "/v1/market"
HEARTBEAT = "/v1/heartbeat"


class Subscribe(BaseModel):
    type: Literal["subscribe"] = "subscribe"
    symbols: list[str]


class Ping(BaseModel):
    type: Literal["ping"] = "ping"
    seq: int


class Trade(BaseModel):
    type: Literal["trade"] = "trade"
    symbol: str
    price: float


class Quote(BaseModel):
    type: Literal["quote"] = "quote"
    symbol: str
    bid: float
    ask: float


class Heartbeat(BaseModel):
    type: Literal["heartbeat"] = "heartbeat"
    seq: int


MarketEvent = Annotated[Trade | Quote, Field(discriminator="type")]


def feed_channels(max_message_bytes: int = 262_144) -> list[ChannelSpec]:
    """Two channels on one socket: market data (a union) and heartbeats, each answering the client."""
    return [
        ChannelSpec(
            MARKET,
            ChannelKind.DATA,
            None,
            client_sends=True,
            server_sends=True,
            client_inbound=TypeAdapter(MarketEvent),
            server_inbound=TypeAdapter(Subscribe),
            max_message_bytes=max_message_bytes,
        ),
        ChannelSpec(
            HEARTBEAT,
            ChannelKind.DATA,
            None,
            client_sends=True,
            server_sends=True,
            client_inbound=TypeAdapter(Heartbeat),
            server_inbound=TypeAdapter(Ping),
            max_message_bytes=max_message_bytes,
        ),
    ]


class Exchange(RecordingHandler):
    """Answers a subscription with a trade and a quote per symbol, and a ping with a heartbeat."""

    async def on_message(self, session: ServerSession, address: str, message: Any) -> None:
        await super().on_message(session, address, message)
        if isinstance(message, Subscribe):
            for symbol in message.symbols:
                await session.send(MARKET, Trade(symbol=symbol, price=1.5))
                await session.send(MARKET, Quote(symbol=symbol, bid=1.0, ask=2.0))
        elif isinstance(message, Ping):
            await session.send(HEARTBEAT, Heartbeat(seq=message.seq))


class ExchangeFactory(Recorder):
    def __call__(self) -> Exchange:
        handler = Exchange()
        self.handlers.append(handler)
        return handler


async def take(stream: Any, n: int) -> list[Any]:
    """The next ``n`` items of an async iterator, with a deadline."""

    async def collect() -> list[Any]:
        items = []
        async for item in stream:
            items.append(item)
            if len(items) == n:
                break
        return items

    return list(await within(collect()))


def test_typed_messages_both_ways_routed_by_union() -> None:
    async def scenario() -> None:
        exchange = ExchangeFactory()
        channels = feed_channels()
        async with WebSocketServer(channels, exchange) as server:
            url, token = server.issue_session()
            assert url.startswith("ws://127.0.0.1:") and token == ""
            async with WebSocketClientSession(url, token, channels) as client:
                market, beats = client.messages(MARKET), client.messages(HEARTBEAT)
                seen: list[Any] = []

                async def on_market(message: Any) -> None:
                    seen.append(message)

                client.on_message(MARKET, on_market)
                await client.send(MARKET, Subscribe(symbols=["btcusd", "ethusd"]))
                await client.send(HEARTBEAT, Ping(seq=7))
                assert await take(beats, 1) == [Heartbeat(seq=7)]
                events = await take(market, 4)
                assert [type(e) for e in events] == [Trade, Quote, Trade, Quote]
                assert [e.symbol for e in events] == ["btcusd", "btcusd", "ethusd", "ethusd"]
                assert seen == events
                handler = exchange.handlers[0]
                assert await within(handler.messages.get()) == (MARKET, Subscribe(symbols=["btcusd", "ethusd"]))
                assert await within(handler.messages.get()) == (HEARTBEAT, Ping(seq=7))
            assert client.close_reason is CloseReason.LOCAL
            await within(exchange.handlers[0].closed.wait())
            assert exchange.handlers[0].close_reasons == [CloseReason.REMOTE_BYE]

    run(scenario)


def test_bad_frames_become_the_most_specific_wire_error_and_the_session_goes_on() -> None:
    async def scenario() -> None:
        recorder = Recorder()
        channels = feed_channels(max_message_bytes=4096)
        bad: list[tuple[str, type[WireError], str]] = [
            ('{"type": "subscribe"', InvalidJson, MARKET),
            ('{"type": "nope", "seq": 1}', UnknownMessage, MARKET),
            ('{"type": "subscribe", "symbols": 3}', SchemaViolation, MARKET),
            ('{"type": "ping", "seq": "x"}', SchemaViolation, HEARTBEAT),
            (json.dumps({"type": "ping", "seq": 1, "pad": "x" * 5000}), MessageTooLarge, MARKET),
        ]
        async with WebSocketServer(channels, recorder) as server:
            url, token = server.issue_session()
            async with WebSocketClientSession(url, token, channels) as client:
                for raw, expected, channel in bad:
                    await client.send_raw(HEARTBEAT, raw)
                    error = await within(recorder.handlers[0].errors.get())
                    assert isinstance(error, expected), (raw[:40], error)
                    assert error.channel == channel
                    assert error.raw == raw.encode()[:1024]
                    await client.send(HEARTBEAT, Ping(seq=1))
                    assert await within(recorder.handlers[0].messages.get()) == (HEARTBEAT, Ping(seq=1))
                assert recorder.handlers[0].errors.empty()

    run(scenario)


def test_the_client_gets_wire_errors_too() -> None:
    async def scenario() -> None:
        channels = feed_channels()

        async def misbehave(session: ServerSession) -> None:
            await session.send_raw(MARKET, "[1, 2")
            await session.send_raw(MARKET, '{"type": "candle"}')
            await session.send(HEARTBEAT, Heartbeat(seq=2))

        async with WebSocketServer(channels, Recorder(misbehave)) as server:
            client = WebSocketClientSession(*server.issue_session(), channels)
            errors: asyncio.Queue[WireError] = asyncio.Queue()
            client.on_error(errors.put)
            beats = client.messages(HEARTBEAT)
            async with client:
                assert await take(beats, 1) == [Heartbeat(seq=2)]
                assert isinstance(await within(errors.get()), InvalidJson)
                assert isinstance(await within(errors.get()), UnknownMessage)

    run(scenario)


def test_send_refuses_oversized_models_and_unknown_channels_locally() -> None:
    async def scenario() -> None:
        channels = feed_channels(max_message_bytes=64)
        async with WebSocketServer(channels, Recorder()) as server:
            async with WebSocketClientSession(*server.issue_session(), channels) as client:
                with pytest.raises(MessageTooLarge):
                    await client.send(MARKET, Subscribe(symbols=["x" * 100]))
                with pytest.raises(ValueError, match="not a data channel"):
                    await client.send("/nowhere", Ping(seq=1))
            with pytest.raises(SessionClosed):
                await client.send(HEARTBEAT, Ping(seq=1))

    run(scenario)


def test_tokens_are_one_use_when_the_server_has_an_issuer() -> None:
    async def scenario() -> None:
        channels = feed_channels()
        async with WebSocketServer(channels, Recorder(), tokens=InMemoryTokenIssuer()) as server:
            url, token = server.issue_session()
            assert token
            async with WebSocketClientSession(url, token, channels):
                pass
            with pytest.raises(TokenRejected) as refused:
                await WebSocketClientSession(url, token, channels).connect()
            assert refused.value.status == 401
            with pytest.raises(TokenRejected):
                await WebSocketClientSession(url, None, channels).connect()

    run(scenario)


def test_without_an_issuer_every_client_is_let_in() -> None:
    async def scenario() -> None:
        channels = feed_channels()
        async with WebSocketServer(channels, Recorder()) as server:
            assert server.tokens is None
            for token in (None, "", "anything"):
                async with WebSocketClientSession(server.url, token, channels) as client:
                    await client.send(HEARTBEAT, Ping(seq=1))

    run(scenario)


@pytest.mark.parametrize("side", ["server", "client"])
def test_max_duration_ends_both_ends_with_timeout(side: str) -> None:
    async def scenario() -> None:
        recorder = Recorder()
        channels = feed_channels()
        server_limit, client_limit = (0.3, None) if side == "server" else (None, 0.3)
        async with WebSocketServer(channels, recorder, max_duration=server_limit) as server:
            client = WebSocketClientSession(*server.issue_session(), channels, max_duration=client_limit)
            await client.connect()
            assert await within(client.wait_closed()) is CloseReason.TIMEOUT
            await within(recorder.handlers[0].closed.wait())
            assert recorder.handlers[0].close_reasons == [CloseReason.TIMEOUT]

    run(scenario)


def test_server_stop_is_a_remote_bye_and_a_dropped_socket_is_peer_gone() -> None:
    async def scenario() -> None:
        recorder = Recorder()
        channels = feed_channels()
        server = WebSocketServer(channels, recorder)
        await server.start()
        first = WebSocketClientSession(*server.issue_session(), channels)
        second = WebSocketClientSession(*server.issue_session(), channels)
        await first.connect()
        await second.connect()
        await within(_until(lambda: server.active_sessions == 2))
        socket = second._session.link.socket
        assert socket is not None
        socket.transport.abort()  # no close frame: the connection is simply gone
        assert await within(second.wait_closed()) is CloseReason.PEER_GONE
        await within(_until(lambda: server.active_sessions == 1))
        url = server.url
        await server.stop()
        assert await within(first.wait_closed()) is CloseReason.REMOTE_BYE
        reasons = sorted(reason.value for handler in recorder.handlers for reason in handler.close_reasons)
        assert reasons == [CloseReason.LOCAL.value, CloseReason.PEER_GONE.value]
        with pytest.raises(ConnectError):
            await WebSocketClientSession(url, None, channels, connect_timeout=2).connect()

    run(scenario)


def test_ten_concurrent_sessions() -> None:
    async def scenario() -> None:
        exchange = ExchangeFactory()
        channels = feed_channels()
        async with WebSocketServer(channels, exchange) as server:
            clients = [WebSocketClientSession(*server.issue_session(), channels) for _ in range(10)]
            await asyncio.gather(*(client.connect() for client in clients))
            assert server.active_sessions == 10

            async def converse(client: WebSocketClientSession, n: int) -> None:
                beats = client.messages(HEARTBEAT)
                for seq in range(5):
                    await client.send(HEARTBEAT, Ping(seq=n * 100 + seq))
                assert await take(beats, 5) == [Heartbeat(seq=n * 100 + seq) for seq in range(5)]

            await asyncio.gather(*(converse(client, n) for n, client in enumerate(clients)))
            await asyncio.gather(*(client.close() for client in clients))
            await within(_until(lambda: server.active_sessions == 0))
        assert len(exchange.handlers) == 10

    run(scenario)


def test_callbacks_run_in_order_one_at_a_time_even_when_one_waits() -> None:
    async def scenario() -> None:
        channels = feed_channels()

        async def burst(session: ServerSession) -> None:
            for seq in range(20):
                await session.send(HEARTBEAT, Heartbeat(seq=seq))

        async with WebSocketServer(channels, Recorder(burst)) as server:
            client = WebSocketClientSession(*server.issue_session(), channels)
            order: list[int] = []
            running = 0
            done = asyncio.Event()

            async def slow_sometimes(message: Heartbeat) -> None:
                nonlocal running
                running += 1
                assert running == 1, "callbacks overlapped"
                if message.seq % 3 == 0:
                    await asyncio.sleep(0.01)  # waits: the rest queue behind it
                if message.seq == 5:
                    running -= 1
                    raise RuntimeError("a failing callback does not stop the others")
                order.append(message.seq)
                running -= 1
                if message.seq == 19:
                    done.set()

            client.on_message(HEARTBEAT, slow_sometimes)
            async with client:
                await within(done.wait())
            assert order == [seq for seq in range(20) if seq != 5]

    run(scenario)


@pytest.mark.parametrize("waits_first", [False, True])
def test_close_from_a_callback_returns_and_the_session_ends(waits_first: bool) -> None:
    async def scenario() -> None:
        channels = feed_channels()
        exchange = ExchangeFactory()
        async with WebSocketServer(channels, exchange) as server:
            client = WebSocketClientSession(*server.issue_session(), channels)
            after_close: list[bool] = []

            async def stop(message: Heartbeat) -> None:
                if waits_first:
                    await asyncio.sleep(0)
                await client.close()
                after_close.append(client.closed)

            client.on_message(HEARTBEAT, stop)
            await client.connect()
            await client.send(HEARTBEAT, Ping(seq=1))
            assert await within(client.wait_closed()) is CloseReason.LOCAL
            assert after_close == [True]

    run(scenario)


def test_no_media_over_the_websocket_transport() -> None:
    async def scenario() -> None:
        channels = feed_channels()
        recorder = Recorder()
        async with WebSocketServer(channels, recorder) as server:
            client = WebSocketClientSession(*server.issue_session(), channels)
            async with client:
                await within(recorder.handlers[0].opened.wait())
                # Neither end is a media session: the methods do not exist at all.
                for session in (client, recorder.handlers[0].session):
                    assert not hasattr(session, "set_send_track")
                    assert not hasattr(session, "remote_track")

    run(scenario)


def test_unavailable_transports_fail_at_connect_and_start_naming_the_protocol() -> None:
    async def scenario() -> None:
        client: ClientTransport = UnavailableClientTransport("mqtt")  # constructing is fine
        client.on_message("/t", _ignore)
        with pytest.raises(TransportNotAvailable, match=r"'mqtt'.*transport=.*ClientTransport"):
            await client.connect()
        assert client.closed and client.close_reason is CloseReason.ERROR
        assert await client.wait_closed() is CloseReason.ERROR
        assert [m async for m in client.messages("/t")] == []
        with pytest.raises(TransportNotAvailable, match="kafka"):
            async with UnavailableClientTransport("kafka"):
                pass
        server: ServerTransport = UnavailableServerTransport("amqp")
        with pytest.raises(TransportNotAvailable, match=r"'amqp'.*transport=.*ServerTransport"):
            await server.start()
        await server.stop()
        assert server.active_sessions == 0 and server.http_url is None and server.tokens is None

    run(scenario)


async def _ignore(message: Any) -> None:
    pass


async def _until(predicate: Any) -> None:
    while not predicate():
        await asyncio.sleep(0.01)
