"""Which MQTT client: messages/s one way through a real mosquitto, raw aiomqtt against FastStream 0.7's MQTT.

`python bench/broker_choice.py [N]`: starts mosquitto (tests/brokers/servers.py), sends N trivial JSON payloads
at QoS 0 from one connection to a subscriber on another, and prints messages/s for each library (same run).
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiomqtt  # noqa: E402

from tests.brokers.servers import running_mosquitto  # noqa: E402

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


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with running_mosquitto() as url:
        parts = urlsplit(url)
        assert parts.hostname and parts.port
        print(f"aiomqtt 2.5.1 raw:        {asyncio.run(raw_aiomqtt(parts.hostname, parts.port, count)):9.0f} msg/s")
        print(f"faststream 0.7.8 MQTT:    {asyncio.run(faststream_mqtt(url, count)):9.0f} msg/s")


if __name__ == "__main__":
    main()
