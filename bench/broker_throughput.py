"""Messages/s one way through a real broker: the generated packages against their raw client library, same run.

`python bench/broker_throughput.py [N] [--rounds R] [--only mqtt,amqp,nats,redis]` starts mosquitto, RabbitMQ,
nats-server and redis-server (tests/brokers/servers.py) and,
for each protocol, sends N messages one way, R rounds (5 unless told), alternating raw and generated, and prints
the median rate of each and their ratio (goal: generated >= 0.90 x raw), with the best rounds beside them.

- MQTT: the golden `generated/streetlights-mqtt` package: `Client.send_light_measurement(..., streetlight_id=...)`
  (QoS 1) to the application's `on_light_measurement` hook (validated, parameters and headers typed), against
  aiomqtt publishing the same JSON to the same topics (QoS 1, MQTT 5 like the package) and a subscriber on the
  same filter counting them.
- AMQP: the golden `generated/rpc-server-amqp` package: `Client.send_sum` (a request: correlation id and reply
  queue, publisher confirms) to the application's `on_sum` hook, against aio-pika publishing the same JSON with the
  same properties (publisher confirms) to `rpc_queue` and a consumer acknowledging each message.
- NATS: the golden `generated/sensors-nats` package: `Client.send_measurement(..., sensor_id=..., headers=...)` to
  the application's `on_measurement` hook (a queue group member; payload and headers validated), against nats-py
  publishing the same JSON and header to the same subjects and a queue subscriber on `sensors.*.measured`.
- Redis: the golden `generated/chat-redis` package: `Client.send_post(..., room=...)` to the application's
  `on_post` hook, against redis.asyncio publishing the same JSON and a `PSUBSCRIBE chat.*.posted` reader.
Both sides of each pair end with the last message received, so buffered publishes count only once delivered.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)] + [str(ROOT / "generated" / name) for name in
                              ("streetlights-mqtt", "rpc-server-amqp", "sensors-nats", "chat-redis")]

import aio_pika
import aiomqtt
import chat
import nats
import redis.asyncio
import rpc_server
import sensors
import streetlights

from tests.brokers.servers import running_mosquitto, running_nats, running_rabbitmq, running_redis

LIGHT = b'{"lumens": 803}'
SUM = b'{"numbers": [4, 3]}'
MEASUREMENT = b'{"celsius": 21.5}'
TENANT = {"tenant": "bench"}
POST = b'{"author": "ada", "text": "hello"}'


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


async def raw_nats(url: str, count: int) -> float:
    receiving, sending = await nats.connect(url), await nats.connect(url)
    counter = Counter(count)

    async def on_message(_message: Any) -> None:
        counter.add()

    await receiving.subscribe("sensors.*.measured", queue="sensors", cb=on_message)
    await receiving.flush()
    start = time.perf_counter()
    for index in range(count):
        await sending.publish(f"sensors.{index % 8}.measured", MEASUREMENT, headers=TENANT)
    await asyncio.wait_for(counter.done.wait(), 120)
    elapsed = time.perf_counter() - start
    await sending.close()
    await receiving.close()
    return count / elapsed


async def raw_nats_validated(url: str, count: int) -> float:
    """Raw nats-py doing what any typed app must: the message encoded from its model, received JSON and headers
    validated into the models (to tell the runtime's cost from validation's)."""
    receiving, sending = await nats.connect(url), await nats.connect(url)
    counter = Counter(count)
    payload_type, headers_type = sensors.models.MeasurementPayload, sensors.models.MeasurementHeaders

    async def on_message(received: Any) -> None:
        payload_type.model_validate_json(received.data)
        headers_type.model_validate(dict(received.headers or {}))
        counter.add()

    await receiving.subscribe("sensors.*.measured", queue="sensors", cb=on_message)
    await receiving.flush()
    message = payload_type.model_validate_json(MEASUREMENT)
    start = time.perf_counter()
    for index in range(count):
        await sending.publish(f"sensors.{index % 8}.measured", message.model_dump_json().encode(), headers=TENANT)
    await asyncio.wait_for(counter.done.wait(), 120)
    elapsed = time.perf_counter() - start
    await sending.close()
    await receiving.close()
    return count / elapsed


async def generated_nats(url: str, count: int) -> float:
    counter = Counter(count)

    class Sensors(sensors.ServerHandler):
        async def on_measurement(self, session: Any, message: Any, **envelope: Any) -> None:
            counter.add()

    message = sensors.models.MeasurementPayload.model_validate_json(MEASUREMENT)
    headers = sensors.models.MeasurementHeaders.model_validate(TENANT)
    async with sensors.Server(Sensors, url=url), sensors.Client(url) as client:
        start = time.perf_counter()
        for index in range(count):
            await client.send_measurement(message, sensor_id=str(index % 8), headers=headers)
        await asyncio.wait_for(counter.done.wait(), 120)
        return count / (time.perf_counter() - start)


async def raw_redis(url: str, count: int) -> float:
    receiving, sending = redis.asyncio.from_url(url), redis.asyncio.from_url(url)
    counter = Counter(count)
    pubsub = receiving.pubsub()
    await pubsub.psubscribe("chat.*.posted")

    async def receive() -> None:
        async for message in pubsub.listen():
            if message["type"] == "pmessage":
                counter.add()
                if counter.done.is_set():
                    return

    task = asyncio.create_task(receive())
    start = time.perf_counter()
    for index in range(count):
        await sending.publish(f"chat.{index % 8}.posted", POST)
    await asyncio.wait_for(counter.done.wait(), 120)
    elapsed = time.perf_counter() - start
    await task
    await pubsub.aclose()
    await sending.aclose()
    await receiving.aclose()
    return count / elapsed


async def generated_redis(url: str, count: int) -> float:
    counter = Counter(count)

    class Room(chat.ServerHandler):
        async def on_post(self, session: Any, message: Any, **envelope: Any) -> None:
            counter.add()

    message = chat.models.PostPayload.model_validate_json(POST)
    async with chat.Server(Room, url=url), chat.Client(url) as client:
        start = time.perf_counter()
        for index in range(count):
            await client.send_post(message, room=str(index % 8))
        await asyncio.wait_for(counter.done.wait(), 120)
        return count / (time.perf_counter() - start)


def compare(name: str, url: str, count: int, rounds: int,
            raw: Callable[[str, int], Awaitable[float]], generated: Callable[[str, int], Awaitable[float]]) -> float:
    """Alternate raw and generated rounds; the ratio of their medians (the best rounds are shown beside it:
    two cores shared with the broker make single rounds swing by 20 %)."""
    rates: dict[str, list[float]] = {"raw": [], "generated": []}
    for _ in range(rounds):
        rates["raw"].append(asyncio.run(raw(url, count)))  # type: ignore[arg-type]
        rates["generated"].append(asyncio.run(generated(url, count)))  # type: ignore[arg-type]
    median = {side: statistics.median(values) for side, values in rates.items()}
    best = {side: max(values) for side, values in rates.items()}
    ratio = median["generated"] / median["raw"]
    print(f"{name}: raw {median['raw']:8.0f} msg/s, generated {median['generated']:8.0f} msg/s, "
          f"generated/raw {ratio:.2f}x (medians of {rounds} alternating rounds of {count} messages; "
          f"best rounds {best['raw']:.0f} and {best['generated']:.0f}, {best['generated'] / best['raw']:.2f}x)",
          flush=True)
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default="mqtt,amqp,nats,redis", help="comma-separated protocols to measure")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if "mqtt" in only:
        with running_mosquitto() as url:
            compare("MQTT", url, args.count, args.rounds, raw_mqtt, generated_mqtt)
    if "amqp" in only:
        with running_rabbitmq() as rabbit:
            compare("AMQP", rabbit.url, args.count, args.rounds, raw_amqp, generated_amqp)
    if "nats" in only:
        with running_nats() as url:
            compare("NATS", url, args.count, args.rounds, raw_nats, generated_nats)
            compare("NATS against raw nats-py with the same pydantic encode and validate", url, args.count,
                    args.rounds, raw_nats_validated, generated_nats)
    if "redis" in only:
        with running_redis() as url:
            compare("Redis", url, args.count, args.rounds, raw_redis, generated_redis)


if __name__ == "__main__":
    main()
