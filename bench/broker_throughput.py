"""Messages/s one way through a real broker: the generated packages against their raw client library, same run.

`python bench/broker_throughput.py [N] [--rounds R]` starts mosquitto and RabbitMQ (tests/brokers/servers.py) and,
for each protocol, sends N messages one way, R rounds, alternating raw and generated, and prints the best round
of each and their ratio (goal: generated >= 0.90 x raw).

- MQTT: the golden `generated/streetlights-mqtt` package: `Client.send_light_measurement(..., streetlight_id=...)`
  (QoS 1) to the application's `on_light_measurement` hook (validated, parameters and headers typed), against
  aiomqtt publishing the same JSON to the same topics (QoS 1, MQTT 5 like the package) and a subscriber on the
  same filter counting them.
- AMQP: the golden `generated/rpc-server-amqp` package: `Client.send_sum` (a request: correlation id and reply
  queue, publisher confirms) to the application's `on_sum` hook, against aio-pika publishing the same JSON with the
  same properties (publisher confirms) to `rpc_queue` and a consumer acknowledging each message.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "generated" / "streetlights-mqtt"), str(ROOT / "generated" / "rpc-server-amqp")]

import aio_pika
import aiomqtt
import rpc_server
import streetlights

from tests.brokers.servers import running_mosquitto, running_rabbitmq

LIGHT = b'{"lumens": 803}'
SUM = b'{"numbers": [4, 3]}'


class Counter:
    """Counts arrivals and says when the count is reached."""

    def __init__(self, count: int) -> None:
        self.count, self.seen, self.done = count, 0, asyncio.Event()

    def add(self) -> None:
        self.seen += 1
        if self.seen == self.count:
            self.done.set()


async def raw_mqtt(url: str, count: int) -> float:
    parts = urlsplit(url)
    assert parts.hostname and parts.port
    # MQTT 5, as the generated package speaks it (headers are user properties, correlation data and response
    # topic carry request/reply): paho parses MQTT 5 properties on every packet, which 3.1.1 has not.
    version = aiomqtt.ProtocolVersion.V5
    async with (aiomqtt.Client(parts.hostname, parts.port, protocol=version) as subscriber,
                aiomqtt.Client(parts.hostname, parts.port, protocol=version) as publisher):
        await subscriber.subscribe("smartylighting/streetlights/1/0/event/+/lighting/measured", qos=1)
        counter = Counter(count)

        async def receive() -> None:
            async for _message in subscriber.messages:
                counter.add()
                if counter.done.is_set():
                    return

        task = asyncio.create_task(receive())
        start = time.perf_counter()
        for index in range(count):
            await publisher.publish(f"smartylighting/streetlights/1/0/event/{index % 8}/lighting/measured", LIGHT, qos=1)
        await asyncio.wait_for(counter.done.wait(), 120)
        elapsed = time.perf_counter() - start
        await task
        return count / elapsed


async def generated_mqtt(url: str, count: int) -> float:
    counter = Counter(count)

    class Lamp(streetlights.ServerHandler):
        async def on_light_measurement(self, session: Any, message: Any, **envelope: Any) -> None:
            counter.add()

    message = streetlights.models.LightMeasuredPayload.model_validate_json(LIGHT)
    async with (streetlights.Server(Lamp, url=url, qos=1), streetlights.Client(url, qos=1) as client):
        start = time.perf_counter()
        for index in range(count):
            await client.send_light_measurement(message, streetlight_id=str(index % 8))
        await asyncio.wait_for(counter.done.wait(), 120)
        return count / (time.perf_counter() - start)


async def raw_amqp(url: str, count: int) -> float:
    async with await aio_pika.connect(url) as receiving, await aio_pika.connect(url) as sending:
        channel = await receiving.channel()
        await channel.set_qos(prefetch_count=256)
        queue = await channel.declare_queue("rpc_queue", durable=False)
        counter = Counter(count)

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            await message.ack()
            counter.add()

        await queue.consume(on_message)
        publisher = await sending.channel(publisher_confirms=True)
        replies = await publisher.declare_queue(exclusive=True)
        start = time.perf_counter()
        for _ in range(count):
            await publisher.default_exchange.publish(
                aio_pika.Message(SUM, content_type="application/json", correlation_id=uuid.uuid4().hex,
                                 reply_to=replies.name),
                routing_key="rpc_queue")
        await asyncio.wait_for(counter.done.wait(), 120)
        return count / (time.perf_counter() - start)


async def generated_amqp(url: str, count: int) -> float:
    counter = Counter(count)

    class Summer(rpc_server.ServerHandler):
        async def on_sum(self, session: Any, message: Any, **envelope: Any) -> None:
            counter.add()

    message = rpc_server.models.SumPayload.model_validate_json(SUM)
    async with rpc_server.Server(Summer, url=url), rpc_server.Client(url) as client:
        start = time.perf_counter()
        for _ in range(count):
            await client.send_sum(message)
        await asyncio.wait_for(counter.done.wait(), 120)
        return count / (time.perf_counter() - start)


def compare(name: str, url: str, count: int, rounds: int,
            raw: Callable[[str, int], Awaitable[float]], generated: Callable[[str, int], Awaitable[float]]) -> float:
    best = {"raw": 0.0, "generated": 0.0}
    for _ in range(rounds):
        best["raw"] = max(best["raw"], asyncio.run(raw(url, count)))  # type: ignore[arg-type]
        best["generated"] = max(best["generated"], asyncio.run(generated(url, count)))  # type: ignore[arg-type]
    ratio = best["generated"] / best["raw"]
    print(f"{name}: raw {best['raw']:8.0f} msg/s, generated {best['generated']:8.0f} msg/s, "
          f"generated/raw {ratio:.2f}x (best of {rounds}, {count} messages)", flush=True)
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with running_mosquitto() as url:
        compare("MQTT", url, args.count, args.rounds, raw_mqtt, generated_mqtt)
    with running_rabbitmq() as rabbit:
        compare("AMQP", rabbit.url, args.count, args.rounds, raw_amqp, generated_amqp)


if __name__ == "__main__":
    main()
