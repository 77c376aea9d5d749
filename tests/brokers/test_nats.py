"""Sensors over a real nats-server: a NATS 3.0 document of our own (a subject with a parameter, typed headers, a queue
group, a request answered at its reply subject), the generated application and its counterpart both sending and
receiving.

A raw nats-py client plays the outside world: it publishes malformed messages, watches the mock and asks it for a
status; the server is restarted under a connected client.
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

import nats
import pytest

from .packages import build_into, imported, payload_validator
from .servers import free_port, running_nats, stop

SENSORS = Path(__file__).parents[2] / "spec" / "sensors-nats.yml"  # also the golden record generated/sensors-nats
MEASURED = "sensors.{sensorId}.measured"
# What the application sends on its own: channel address -> the payload schema the document gives it.
APP_SENDS = {"alerts.{sensorId}": "#/components/messages/alert/payload"}
TIMEOUT = 10.0


@pytest.fixture(scope="module")
def sensors(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, ModuleType]]:
    root = build_into(SENSORS, "sensors", tmp_path_factory.mktemp("sensors"))
    with imported(root, "sensors") as package:
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


def test_both_sides_exchange_typed_messages_with_parameters_headers_and_a_reply(
        sensors: tuple[Path, ModuleType], nats_url: str) -> None:
    _, package = sensors
    models = package.models
    app_got, client_got = Recorder(), Recorder()

    class Station(package.ServerHandler):  # type: ignore[misc, name-defined]
        async def on_measurement(self, session: Any, message: Any, **envelope: Any) -> None:
            app_got.add("on_measurement", message, **envelope)
            level = "high" if message.celsius > 30 else "low"
            await session.send_alert(models.AlertPayload(level=level), sensor_id=envelope["sensor_id"])

        async def on_answer_status(self, session: Any, message: Any, **envelope: Any) -> None:
            app_got.add("on_answer_status", message, **envelope)
            await session.send_answer_status_reply(
                models.StatusReplyPayload(sensor_id=message.sensor_id, online=True), inbox=envelope["reply_to"])

    class Operator(package.ClientHandler):  # type: ignore[misc, name-defined]
        async def on_alert(self, client: Any, message: Any, **envelope: Any) -> None:
            client_got.add("on_alert", message, **envelope)

        async def on_answer_status_reply(self, client: Any, message: Any, **envelope: Any) -> None:
            client_got.add("on_answer_status_reply", message, **envelope)

    async def scenario() -> None:
        async with (package.Server(Station, url=nats_url) as app,
                    package.Client(app.url, handler=Operator()) as client):
            await client.send_measurement(models.MeasurementPayload(celsius=31.5), sensor_id="roof/1",
                                          headers=models.MeasurementHeaders(tenant="acme", sequence=4))
            await client_got.wait_for(1)
            await client.send_answer_status(models.StatusRequestPayload(sensor_id="roof/1"))
            await client_got.wait_for(2)

    asyncio.run(scenario())
    (_, measured, envelope), (_, asked, asked_envelope) = app_got.calls
    assert isinstance(measured, models.MeasurementPayload) and measured.celsius == 31.5
    assert envelope == {"sensor_id": "roof/1", "headers": models.MeasurementHeaders(tenant="acme", sequence=4)}
    assert asked.sensor_id == "roof/1" and asked_envelope["reply_to"].startswith("_INBOX.")
    (_, alert, alert_envelope), (_, reply, _) = client_got.calls
    assert isinstance(alert, models.AlertPayload) and alert.level == "high"
    assert alert_envelope == {"sensor_id": "roof/1"}  # '/' travelled quoted and came back whole
    assert isinstance(reply, models.StatusReplyPayload) and reply.online is True and reply.sensor_id == "roof/1"


def test_a_queue_group_gives_each_message_to_one_member(sensors: tuple[Path, ModuleType], nats_url: str) -> None:
    """Two applications in the binding's queue group share the measurements: each arrives once, in all."""
    _, package = sensors
    models = package.models
    got: dict[str, list[float]] = {"a": [], "b": []}
    total = 40
    done = asyncio.Event()

    def member(name: str) -> type:
        class Member(package.ServerHandler):  # type: ignore[misc, name-defined]
            async def on_measurement(self, session: Any, message: Any, **envelope: Any) -> None:
                got[name].append(message.celsius)
                if len(got["a"]) + len(got["b"]) >= total:
                    done.set()
        return Member

    async def scenario() -> None:
        async with (package.Server(member("a"), url=nats_url), package.Server(member("b"), url=nats_url),
                    package.Client(nats_url) as client):
            for index in range(total):
                await client.send_measurement(models.MeasurementPayload(celsius=index), sensor_id="s",
                                              headers=models.MeasurementHeaders(tenant="t"))
            async with asyncio.timeout(TIMEOUT):
                await done.wait()
            await asyncio.sleep(0.3)  # a message delivered twice would show up now

    asyncio.run(scenario())
    assert sorted(got["a"] + got["b"]) == list(range(total))
    assert got["a"] and got["b"], "the queue group spread nothing: one member took every message"


def test_malformed_messages_and_headers_reach_on_error_and_the_app_goes_on(sensors: tuple[Path, ModuleType],
                                                                         nats_url: str) -> None:
    _, package = sensors
    core = package._runtime.core
    got = Recorder()

    class Station(package.ServerHandler):  # type: ignore[misc, name-defined]
        async def on_measurement(self, session: Any, message: Any, **envelope: Any) -> None:
            got.add("measured", message, **envelope)

        async def on_error(self, session: Any, error: Any) -> None:
            got.add("error", error)

    subject = MEASURED.replace("{sensorId}", "9")

    async def scenario() -> None:
        async with package.Server(Station, url=nats_url):
            raw = await nats.connect(nats_url)
            try:
                await raw.publish(subject, b"{not json", headers={"tenant": "t"})
                await raw.publish(subject, json.dumps({"celsius": "hot"}).encode(), headers={"tenant": "t"})
                await raw.publish(subject, json.dumps({"celsius": 1}).encode())  # the required header is missing
                await raw.publish(subject, json.dumps({"celsius": 5}).encode(), headers={"tenant": "t"})
                await raw.flush()
                await got.wait_for(4)
            finally:
                await raw.close()

    asyncio.run(scenario())
    kinds = [(hook, type(message)) for hook, message, _ in got.calls]
    assert kinds == [("error", core.InvalidJson), ("error", core.SchemaViolation), ("error", core.SchemaViolation),
                     ("measured", package.models.MeasurementPayload)]
    assert "headers" in str(got.calls[2][1])
    assert got.calls[3][2] == {"sensor_id": "9", "headers": package.models.MeasurementHeaders(tenant="t")}


def test_a_handler_far_behind_hears_slow_consumer_and_then_goes_on(sensors: tuple[Path, ModuleType],
                                                                   nats_url: str) -> None:
    """NATS core has no flow control: while the handler is stuck, the reader stops, the subscription's pending
    limit fills, and nats-py drops the rest. Once unstuck, the handler gets what was kept, in order, hears a
    ``SlowConsumer`` (errors are delivered in order with the messages), and then gets new messages."""
    _, package = sensors
    limit = package._runtime.nats.session.PENDING_MESSAGES
    sent = limit + 4000  # far past what the subscription and the delivery queue can hold
    stuck, measured, errors = asyncio.Event(), [], []
    after = asyncio.Event()

    class Station(package.ServerHandler):  # type: ignore[misc, name-defined]
        async def on_measurement(self, session: Any, message: Any, **envelope: Any) -> None:
            measured.append(message.celsius)
            if len(measured) == 1:
                await stuck.wait()
            if message.celsius == -1:
                after.set()

        async def on_error(self, session: Any, error: Any) -> None:
            errors.append(error)

    subject = MEASURED.replace("{sensorId}", "9")

    async def scenario() -> None:
        async with package.Server(Station, url=nats_url):
            raw = await nats.connect(nats_url)
            try:
                for index in range(sent):
                    await raw.publish(subject, b'{"celsius": %d}' % index, headers={"tenant": "t"})
                await raw.flush()
                await asyncio.sleep(1.0)  # the server has sent them all: nats-py has kept what it can
                assert measured == [0] and not errors  # still stuck: errors queue behind the messages
                stuck.set()
                async with asyncio.timeout(TIMEOUT):  # what was kept drains; then the subscription has room again
                    while len(measured) < limit:
                        await asyncio.sleep(0.05)
                await raw.publish(subject, b'{"celsius": -1}', headers={"tenant": "t"})
                await raw.flush()
                async with asyncio.timeout(TIMEOUT):
                    await after.wait()
            finally:
                await raw.close()

    asyncio.run(scenario())
    slow = [error for error in errors if isinstance(error, package.SlowConsumer)]
    assert slow and "handler is behind" in str(slow[0]), errors
    assert len(slow) <= 3, f"{len(slow)} SlowConsumer errors for one burst: one per dropped message"
    assert limit <= len(measured) - 1 < sent, "nothing was dropped, or nothing was kept"
    kept = measured[:-1]
    assert kept == sorted(kept), "what was kept arrived out of order"
    assert measured[-1] == -1


def test_the_mock_publishes_what_the_app_sends_and_answers_a_raw_request(sensors: tuple[Path, ModuleType],
                                                                        nats_url: str) -> None:
    """Acceptance: a raw subscriber on `>` sees each message the application sends on its own within 15 s,
    schema-valid, on subjects of its channels; a raw request gets its answer at its reply subject."""
    root, package = sensors
    validators = {address: payload_validator(SENSORS, pointer) for address, pointer in APP_SENDS.items()}
    reply_validator = payload_validator(SENSORS, "#/components/messages/statusReply/payload")
    seen: dict[str, list[Any]] = {}
    stray: list[str] = []
    answers: list[Any] = []

    async def watch() -> None:
        raw = await nats.connect(nats_url)
        everything = await raw.subscribe(">")
        mock = subprocess.Popen(  # noqa: ASYNC220 (started once, stopped by its pid below)
            [sys.executable, "-m", "sensors.mock", "--url", nats_url],
            env={**os.environ, "PYTHONPATH": str(root)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        started = time.monotonic()
        try:
            async with asyncio.timeout(15):
                async for message in everything.messages:
                    channel = next((a for a in APP_SENDS if package.parameters_of(a, message.subject)), None)
                    if channel is not None:
                        seen.setdefault(channel, []).append(json.loads(message.data))
                    elif not message.subject.startswith(("sensors.", "_INBOX.")):
                        stray.append(message.subject)
                    if set(seen) == set(APP_SENDS):
                        break
            assert time.monotonic() - started < 15
            async with asyncio.timeout(TIMEOUT):
                while not answers:  # the mock subscribes after it starts: ask until it answers
                    try:
                        answer = await raw.request("sensors.status", json.dumps({"sensorId": "s1"}).encode(),
                                                   timeout=1.0)
                        answers.append(json.loads(answer.data))
                    except nats.errors.TimeoutError:
                        pass
                    except nats.errors.NoRespondersError:
                        await asyncio.sleep(0.1)
        finally:
            stop(mock)  # type: ignore[arg-type]
            await raw.close()

    asyncio.run(watch())
    assert set(seen) == set(APP_SENDS)
    assert not stray, f"the mock published on subjects of no channel: {stray}"
    for channel, payloads in seen.items():
        for payload in payloads:
            errors = [e.message for e in validators[channel].iter_errors(payload)]
            assert not errors, f"{channel}: {payload} is not valid: {errors}"
    assert not [e.message for e in reply_validator.iter_errors(answers[0])], answers[0]


def test_a_server_restart_is_survived_by_reconnecting(sensors: tuple[Path, ModuleType]) -> None:
    """nats-py reconnects by itself and subscribes again: after the server comes back on the same port, the
    application receives what the counterpart sends, on the same sessions."""
    _, package = sensors
    models = package.models
    got = Recorder()

    class Station(package.ServerHandler):  # type: ignore[misc, name-defined]
        async def on_measurement(self, session: Any, message: Any, **envelope: Any) -> None:
            got.add("measured", message)

    port = free_port()

    async def scenario() -> None:
        with running_nats(port) as url:
            app = package.Server(Station, url=url)
            await app.start()
            client = package.Client(url)
            await client.connect()
            await client.send_measurement(models.MeasurementPayload(celsius=1), sensor_id="1",
                                          headers=models.MeasurementHeaders(tenant="t"))
            await got.wait_for(1)
        with running_nats(port):
            async with asyncio.timeout(TIMEOUT):  # sent until the reconnected app hears one
                while len(got.calls) < 2:
                    await client.send_measurement(models.MeasurementPayload(celsius=2), sensor_id="1",
                                                  headers=models.MeasurementHeaders(tenant="t"))
                    await asyncio.sleep(0.2)
            assert not client.closed and app.active_sessions == 1
            await client.close()
            await app.stop()

    asyncio.run(scenario())
    assert [m.celsius for _, m, _ in got.calls[:2]] == [1, 2]


def test_a_server_gone_for_good_ends_the_session(sensors: tuple[Path, ModuleType]) -> None:
    """Once nats-py gives up reconnecting the session ends (PEER_GONE) and sending raises SessionClosed."""
    _, package = sensors
    core = package._runtime.core

    async def scenario() -> None:
        with running_nats() as url:
            session = package._runtime.nats.NatsClientTransport(url, package.channels.CHANNELS,
                                                                 max_reconnect_attempts=1, reconnect_wait=1)
            await session.connect()
        async with asyncio.timeout(TIMEOUT):
            reason = await session.wait_closed()
        assert reason is core.CloseReason.PEER_GONE
        with pytest.raises(core.SessionClosed):
            await session.send_raw("sensors.status", b"{}")
        await session.close()

    asyncio.run(scenario())


def test_an_unreachable_server_is_a_connect_error(sensors: tuple[Path, ModuleType]) -> None:
    _, package = sensors
    core = package._runtime.core

    async def scenario() -> None:
        with pytest.raises(core.ConnectError, match="NATS server"):
            await package.Client(f"nats://127.0.0.1:{free_port()}", connect_timeout=5).connect()

    asyncio.run(scenario())
