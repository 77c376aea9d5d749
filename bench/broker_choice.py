"""Which broker client: messages/s one way through a real broker, the protocol's asyncio library against FastStream.

`python bench/broker_choice.py [N]`: starts mosquitto and RabbitMQ (tests/brokers/servers.py), sends N trivial JSON
payloads from one connection to a subscriber on another, and prints messages/s for each library (same run): MQTT at
QoS 0 (aiomqtt against FastStream's MQTT), AMQP through the default exchange to one queue, consumer acking each
message (aio-pika against FastStream's RabbitMQ, which rides on aio-pika).
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aio_pika
import aiomqtt

from tests.brokers.servers import running_mosquitto, running_rabbitmq

PAYLOAD = b'{"lumens": 803}'


async def raw_aiomqtt(host: str, port: int, count: int) -> float:
    async with aiomqtt.Client(host, port) as subscriber, aiomqtt.Client(host, port) as publisher:
        await subscriber.subscribe("bench/+/x")
        done = asyncio.Event()

        async def receive() -> None:
            seen = 0
            async for _message in subscriber.messages:
                seen += 1
                if seen == count:
                    done.set()
                    return

        task = asyncio.create_task(receive())
        start = time.perf_counter()
        for index in range(count):
            await publisher.publish(f"bench/{index % 8}/x", PAYLOAD)
        await asyncio.wait_for(done.wait(), 60)
        elapsed = time.perf_counter() - start
        await task
        return count / elapsed


async def faststream_mqtt(url: str, count: int) -> float:
    from faststream.mqtt import MQTTBroker

    broker = MQTTBroker(url, logger=None)
    done = asyncio.Event()
    seen = 0

    @broker.subscriber("bench/+/x")
    async def handle(body: dict[str, int]) -> None:
        nonlocal seen
        seen += 1
        if seen == count:
            done.set()

    async with broker:
        await broker.start()
        start = time.perf_counter()
        for index in range(count):
            await broker.publish(PAYLOAD, f"bench/{index % 8}/x")
        await asyncio.wait_for(done.wait(), 60)
        return count / (time.perf_counter() - start)


async def raw_aio_pika(url: str, count: int) -> float:
    async with await aio_pika.connect(url) as receiving, await aio_pika.connect(url) as sending:
        channel = await receiving.channel()
        await channel.set_qos(prefetch_count=256)
        queue = await channel.declare_queue("bench-raw", auto_delete=True)
        done = asyncio.Event()
        seen = 0

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal seen
            await message.ack()
            seen += 1
            if seen == count:
                done.set()

        await queue.consume(on_message)
        publisher = await sending.channel()
        start = time.perf_counter()
        for _ in range(count):
            await publisher.default_exchange.publish(aio_pika.Message(PAYLOAD, content_type="application/json"),
                                                     routing_key="bench-raw")
        await asyncio.wait_for(done.wait(), 120)
        return count / (time.perf_counter() - start)


async def faststream_rabbit(url: str, count: int) -> float:
    from faststream.rabbit import RabbitBroker, RabbitQueue

    broker = RabbitBroker(url, logger=None)
    done = asyncio.Event()
    seen = 0

    @broker.subscriber(RabbitQueue("bench-faststream", auto_delete=True))
    async def handle(body: dict[str, int]) -> None:
        nonlocal seen
        seen += 1
        if seen == count:
            done.set()

    async with broker:
        await broker.start()
        start = time.perf_counter()
        for _ in range(count):
            await broker.publish(PAYLOAD, "bench-faststream")
        await asyncio.wait_for(done.wait(), 120)
        return count / (time.perf_counter() - start)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with running_mosquitto() as url:
        parts = urlsplit(url)
        assert parts.hostname and parts.port
        print(f"aiomqtt 2.5.1 raw:        {asyncio.run(raw_aiomqtt(parts.hostname, parts.port, count)):9.0f} msg/s")
        print(f"faststream 0.7.8 MQTT:    {asyncio.run(faststream_mqtt(url, count)):9.0f} msg/s")
    with running_rabbitmq() as rabbit:
        print(f"aio-pika raw:             {asyncio.run(raw_aio_pika(rabbit.url, count)):9.0f} msg/s")
        print(f"faststream 0.7.8 Rabbit:  {asyncio.run(faststream_rabbit(rabbit.url, count)):9.0f} msg/s")


if __name__ == "__main__":
    main()
