"""AMQP documents over a real RabbitMQ: AsyncAPI's rpc-server and rpc-client (2.6 and 3.0) with request/reply and
correlation, and a document of our own (a durable, acknowledged work queue; a topic exchange with a parameter).

A raw aio-pika client plays the outside world: it publishes malformed messages, asks the mock for a sum, and the
broker is restarted under a stream of acknowledged messages.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import typing
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import aio_pika
import pytest

from .packages import CORPUS, build_into, imported, payload_validator
from .servers import RabbitMQ, stop

RPC = {
    "rpc-server 2.6": CORPUS / "asyncapi-spec@v2.6.0/rpc-server.yml",
    "rpc-server 3.0": CORPUS / "asyncapi-spec@v3.0.0/rpc-server-asyncapi.yml",
    "rpc-client 2.6": CORPUS / "asyncapi-spec@v2.6.0/rpc-client.yml",
    "rpc-client 3.0": CORPUS / "asyncapi-spec@v3.0.0/rpc-client-asyncapi.yml",
}
ORDERS = Path(__file__).parent / "documents" / "orders-amqp.yml"
TIMEOUT = 10.0


def _package(spec: Path, name: str, folder: Path) -> Iterator[ModuleType]:
    with imported(build_into(spec, name, folder), name) as package:
        yield package


@pytest.fixture(scope="module", params=list(RPC))
def rpc(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, ModuleType]]:
    name = request.param.replace("-", "_").replace(" ", "_").replace(".", "")
    for package in _package(RPC[request.param], name, tmp_path_factory.mktemp(name)):
        yield request.param, package


@pytest.fixture(scope="module")
def orders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    yield from _package(ORDERS, "orders", tmp_path_factory.mktemp("orders"))


def _message_type(method: Any) -> Any:
    return typing.get_type_hints(method)["message"]


def test_a_request_is_answered_on_its_reply_queue_with_its_correlation_id(rpc: tuple[str, ModuleType],
                                                                          rabbitmq_url: str) -> None:
    """The side that answers (the application in rpc-server, its counterpart in rpc-client) sends the sum back to
    the queue the request names, with the request's correlation id; the requester's hook gets both."""
    which, package = rpc
    answered: list[tuple[Any, dict[str, Any]]] = []
    reply_queues: list[str] = []
    got = asyncio.Event()

    async def answer(responder: Any, message: Any, send: Any, **envelope: Any) -> None:
        result = _message_type(send)(result=sum(message.numbers))
        await send(result, queue=envelope["reply_to"], correlation_id=envelope["correlation_id"])

    def record(message: Any, **envelope: Any) -> None:
        answered.append((message, envelope))
        got.set()

    if which.startswith("rpc-server"):
        class Summer(package.ServerHandler):  # type: ignore[misc, name-defined]
            async def on_sum(self, session: Any, message: Any, **envelope: Any) -> None:
                await answer(session, message, session.send_sum_result, **envelope)

        class Asker(package.ClientHandler):  # type: ignore[misc, name-defined]
            async def on_sum_result(self, client: Any, message: Any, **envelope: Any) -> None:
                record(message, **envelope)

        async def scenario() -> str:
            async with (package.Server(Summer, url=rabbitmq_url),
                        package.Client(rabbitmq_url, handler=Asker()) as client):
                correlation: str = await client.send_sum(_message_type(client.send_sum)(numbers=[4, 3]))
                reply_queues.append(client._session.reply_address("{queue}"))
                async with asyncio.timeout(TIMEOUT):
                    await got.wait()
                return correlation
    else:
        class Requester(package.ServerHandler):  # type: ignore[misc, name-defined]
            async def on_sum_result(self, session: Any, message: Any, **envelope: Any) -> None:
                record(message, **envelope)

        class Responder(package.ClientHandler):  # type: ignore[misc, name-defined]
            async def on_request_sum(self, client: Any, message: Any, **envelope: Any) -> None:
                await answer(client, message, client.send_sum_result, **envelope)

        sessions: list[Any] = []

        class Opened(Requester):
            async def on_open(self, session: Any) -> None:
                sessions.append(session)

        async def scenario() -> str:
            async with (package.Client(rabbitmq_url, handler=Responder()),
                        package.Server(Opened, url=rabbitmq_url)):
                send = sessions[0].send_request_sum
                correlation: str = await send(_message_type(send)(numbers=[4, 3]))
                reply_queues.append(sessions[0]._session.reply_address("{queue}"))
                async with asyncio.timeout(TIMEOUT):
                    await got.wait()
                return correlation

    correlation = asyncio.run(scenario())
    (message, envelope), = answered
    assert message.result == 7
    assert envelope["correlation_id"] == correlation and len(correlation) == 32
    assert envelope["queue"] == reply_queues[0]  # it arrived on the requester's own reply queue


def test_a_malformed_request_reaches_on_error_and_the_app_goes_on(rabbitmq_url: str,
                                                                   tmp_path: Path) -> None:
    got: list[Any] = []
    changed = asyncio.Event()

    for package in _package(RPC["rpc-server 2.6"], "rpc_malformed", tmp_path):
        core = package._runtime.core

        class Summer(package.ServerHandler):  # type: ignore[misc, name-defined]
            async def on_sum(self, session: Any, message: Any, **envelope: Any) -> None:
                got.append(message)
                changed.set()

            async def on_error(self, session: Any, error: Any) -> None:
                got.append(error)
                changed.set()

        async def scenario(package: ModuleType = package) -> None:
            async with package.Server(Summer, url=rabbitmq_url), await aio_pika.connect(rabbitmq_url) as raw:
                channel = await raw.channel()
                for body in (b"{not json", json.dumps({"numbers": "four"}).encode(), b'{"numbers": [1, 2]}'):
                    await channel.default_exchange.publish(aio_pika.Message(body), routing_key="rpc_queue")
                async with asyncio.timeout(TIMEOUT):
                    while len(got) < 3:
                        changed.clear()
                        await changed.wait()

        asyncio.run(scenario())
        assert [type(item) for item in got[:2]] == [core.InvalidJson, core.SchemaViolation]
        assert got[2].numbers == [1, 2]


def test_the_rpc_server_mock_answers_a_raw_request_on_its_reply_queue(rabbitmq_url: str, tmp_path: Path) -> None:
    """Acceptance: a raw aio-pika request with reply_to and correlation_id is answered within 15 s, with a
    schema-valid body and the same correlation id."""
    spec = RPC["rpc-server 2.6"]
    root = build_into(spec, "rpc_mock", tmp_path)
    validator = payload_validator(spec, "#/channels/{queue}/subscribe/message/payload")
    mock = subprocess.Popen([sys.executable, "-m", "rpc_mock.mock", "--url", rabbitmq_url],
                            env={**os.environ, "PYTHONPATH": str(root)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)

    async def ask() -> aio_pika.abc.AbstractIncomingMessage:
        async with asyncio.timeout(15), await aio_pika.connect(rabbitmq_url) as raw:
            assert mock.stdout is not None
            await asyncio.to_thread(mock.stdout.readline)  # "url: ...": connected, consuming
            channel = await raw.channel()
            replies = await channel.declare_queue(exclusive=True)
            await channel.default_exchange.publish(
                aio_pika.Message(b'{"numbers": [4, 3]}', reply_to=replies.name, correlation_id="question-1"),
                routing_key="rpc_queue")
            async with replies.iterator() as answers:
                async for answer in answers:
                    await answer.ack()
                    return answer
        raise AssertionError("no answer")

    try:
        answer = asyncio.run(ask())
    finally:
        stop(mock)  # type: ignore[arg-type]
    assert answer.correlation_id == "question-1"
    body = json.loads(answer.body)
    assert not [e.message for e in validator.iter_errors(body)], body


def test_routing_keys_carry_parameters_and_headers_travel(orders: ModuleType, rabbitmq_url: str) -> None:
    models = orders.models
    shipped: list[tuple[Any, dict[str, Any]]] = []
    taken: list[tuple[Any, dict[str, Any]]] = []
    done = asyncio.Event()

    class Warehouse(orders.ServerHandler):  # type: ignore[misc, name-defined]
        async def on_take_order(self, session: Any, message: Any, **envelope: Any) -> None:
            taken.append((message, envelope))
            await session.send_report_shipped(models.ShippedPayload(id=message.id), region="eu")

    class Shop(orders.ClientHandler):  # type: ignore[misc, name-defined]
        async def on_report_shipped(self, client: Any, message: Any, **envelope: Any) -> None:
            shipped.append((message, envelope))
            done.set()

    order_type = _message_type(orders.Client.send_take_order)
    headers_type = typing.get_type_hints(orders.Client.send_take_order)["headers"]

    async def scenario() -> None:
        async with (orders.Server(Warehouse, url=rabbitmq_url),
                    orders.Client(rabbitmq_url, handler=Shop()) as client):
            await client.send_take_order(order_type(id=5, quantity=2),
                                         headers=typing.get_args(headers_type)[0](tenant="acme"))
            async with asyncio.timeout(TIMEOUT):
                await done.wait()

    asyncio.run(scenario())
    (order, envelope), = taken
    assert order.id == 5 and envelope["headers"].tenant == "acme"
    (message, envelope), = shipped
    assert message.id == 5 and envelope == {"region": "eu"}


def test_a_broker_restart_loses_no_acknowledged_message(orders: ModuleType) -> None:
    """Every order the broker confirmed reaches the application, across a restart of the broker in mid-stream:
    the queue is durable, its messages persistent, and aio-pika's robust connection reconnects both sides."""
    models = orders.models
    arrived: set[int] = set()
    order_type = _message_type(orders.Client.send_take_order)

    class Warehouse(orders.ServerHandler):  # type: ignore[misc, name-defined]
        async def on_take_order(self, session: Any, message: Any, **envelope: Any) -> None:
            arrived.add(message.id)

    publish_failed = orders.PublishFailed
    confirmed: list[int] = []

    async def scenario(broker: RabbitMQ) -> None:
        async with (orders.Server(Warehouse, url=broker.url),
                    orders.Client(broker.url) as client):
            for index in range(40):
                if index == 20:
                    await asyncio.to_thread(broker.stop)
                    await asyncio.to_thread(broker.start)
                async with asyncio.timeout(60):
                    while True:
                        try:
                            await client.send_take_order(order_type(id=index, quantity=1))
                        except publish_failed:
                            await asyncio.sleep(0.2)  # reconnecting: the broker did not take it, send it again
                            continue
                        confirmed.append(index)
                        break
            async with asyncio.timeout(30):
                while not set(confirmed) <= arrived:
                    await asyncio.sleep(0.1)
        _ = models

    with tempfile.TemporaryDirectory(prefix="rabbitmq-restart-") as directory:
        broker = RabbitMQ(Path(directory))
        try:
            broker.start()
            asyncio.run(scenario(broker))
        finally:
            broker.stop()
    assert confirmed == list(range(40))
    assert set(confirmed) <= arrived


def test_an_unreachable_broker_is_a_connect_error(orders: ModuleType) -> None:
    core = orders._runtime.core

    async def scenario() -> None:
        with pytest.raises(core.ConnectError, match="AMQP broker"):
            await orders.Client("amqp://guest:guest@127.0.0.1:9/", connect_timeout=5).connect()

    asyncio.run(scenario())
