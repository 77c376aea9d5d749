"""Streetlights over a real mosquitto: the generated application and its counterpart, both AsyncAPI versions.

The 2.6 package is the committed golden record (as a user who vendored it has it); the 3.0 one is built from the
corpus document. A raw aiomqtt client plays the outside world: it publishes malformed messages and watches the mock.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import aiomqtt
import pytest

from .packages import CORPUS, GENERATED, build_into, imported, payload_validator
from .servers import free_port, running_mosquitto, stop

SPEC_26 = CORPUS / "asyncapi-spec@v2.6.0/streetlights-mqtt.yml"
SPEC_30 = CORPUS / "asyncapi-spec@v3.0.0/streetlights-mqtt-asyncapi.yml"
MEASURED = "smartylighting/streetlights/1/0/event/{streetlightId}/lighting/measured"
# What the application sends: channel address -> the payload schema the document gives it.
APP_SENDS = {
    "smartylighting/streetlights/1/0/action/{streetlightId}/turn/on": "#/components/schemas/turnOnOffPayload",
    "smartylighting/streetlights/1/0/action/{streetlightId}/turn/off": "#/components/schemas/turnOnOffPayload",
    "smartylighting/streetlights/1/0/action/{streetlightId}/dim": "#/components/schemas/dimLightPayload",
}
TIMEOUT = 10.0


@pytest.fixture(scope="module", params=["2.6", "3.0"])
def streetlights(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    if request.param == "2.6":
        with imported(GENERATED / "streetlights-mqtt", "streetlights") as package:
            yield package
    else:
        root = build_into(SPEC_30, "streetlights3", tmp_path_factory.mktemp("streetlights3"))
        with imported(root, "streetlights3") as package:
            yield package


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


def test_both_sides_exchange_typed_messages_with_parameters_and_headers(streetlights: ModuleType,
                                                                        mosquitto_url: str) -> None:
    models = streetlights.models
    app_got, client_got = Recorder(), Recorder()

    class Lamp(streetlights.ServerHandler):  # type: ignore[misc, name-defined]
        async def on_light_measurement(self, session: Any, message: Any, **envelope: Any) -> None:
            app_got.add("on_light_measurement", message, **envelope)
            light = envelope["streetlight_id"]
            await session.send_turn_on(models.TurnOnOffPayload(command="on"), streetlight_id=light,
                                       headers=models.CommonHeaders(my_app_header=7))
            await session.send_dim_light(models.DimLightPayload(percentage=40), streetlight_id=light)

    class Operator(streetlights.ClientHandler):  # type: ignore[misc, name-defined]
        async def on_turn_on(self, client: Any, message: Any, **envelope: Any) -> None:
            client_got.add("on_turn_on", message, **envelope)

        async def on_dim_light(self, client: Any, message: Any, **envelope: Any) -> None:
            client_got.add("on_dim_light", message, **envelope)

    async def scenario() -> None:
        async with (streetlights.Server(Lamp, url=mosquitto_url) as app,
                    streetlights.Client(app.url, handler=Operator()) as client):
            await client.send_light_measurement(models.LightMeasuredPayload(lumens=803), streetlight_id="lamp/7",
                                                headers=models.CommonHeaders(my_app_header=3))
            await client_got.wait_for(2)
            assert app_got.calls[0][0] == "on_light_measurement"

    asyncio.run(scenario())
    (_, measured, envelope), = app_got.calls
    assert isinstance(measured, streetlights.models.LightMeasuredPayload) and measured.lumens == 803
    assert envelope["streetlight_id"] == "lamp/7"  # a '/' in a parameter travels quoted and comes back whole
    assert envelope["headers"].my_app_header == 3
    by_hook = {hook: (message, envelope) for hook, message, envelope in client_got.calls}
    turned, envelope = by_hook["on_turn_on"]
    assert isinstance(turned, models.TurnOnOffPayload) and turned.command == "on"
    assert envelope == {"streetlight_id": "lamp/7", "headers": models.CommonHeaders(my_app_header=7)}
    dimmed, envelope = by_hook["on_dim_light"]
    assert dimmed.percentage == 40 and envelope["headers"].my_app_header is None


def test_a_malformed_message_reaches_on_error_and_the_app_goes_on(streetlights: ModuleType,
                                                                  mosquitto_url: str) -> None:
    core = streetlights._runtime.core
    got = Recorder()

    class Lamp(streetlights.ServerHandler):  # type: ignore[misc, name-defined]
        async def on_light_measurement(self, session: Any, message: Any, **envelope: Any) -> None:
            got.add("measured", message, **envelope)

        async def on_error(self, session: Any, error: Any) -> None:
            got.add("error", error)

    host, port = mosquitto_url.removeprefix("mqtt://").split(":")
    topic = MEASURED.replace("{streetlightId}", "9")

    async def scenario() -> None:
        async with streetlights.Server(Lamp, url=mosquitto_url), aiomqtt.Client(host, int(port)) as raw:
            await raw.publish(topic, b"{not json", qos=1)
            await raw.publish(topic, json.dumps({"lumens": "bright"}), qos=1)
            await raw.publish(topic, json.dumps({"lumens": 5}), qos=1)
            await got.wait_for(3)

    asyncio.run(scenario())
    kinds = [(hook, type(message)) for hook, message, _ in got.calls]
    assert kinds[0] == ("error", core.InvalidJson)
    assert kinds[1] == ("error", core.SchemaViolation)
    assert kinds[2] == ("measured", streetlights.models.LightMeasuredPayload)
    assert got.calls[2][2]["streetlight_id"] == "9"


def test_a_handler_far_behind_gets_every_message_in_order(streetlights: ModuleType, mosquitto_url: str) -> None:
    """Messages reach the session as they arrive; while its handler is behind, they wait (in the delivery
    backlog, then in aiomqtt's queue) and come out in order once it catches up: none lost, none reordered."""
    delivery = streetlights._runtime.core.delivery
    count = delivery.HIGH_WATER + delivery.HIGH_WATER // 2  # more than the backlog alone holds
    later = delivery.HIGH_WATER // 2
    release, got = asyncio.Event(), Recorder()

    class Lamp(streetlights.ServerHandler):  # type: ignore[misc, name-defined]
        async def on_light_measurement(self, session: Any, message: Any, **envelope: Any) -> None:
            await release.wait()
            got.add("measured", message, **envelope)

    host, port = mosquitto_url.removeprefix("mqtt://").split(":")
    topic = MEASURED.replace("{streetlightId}", "3")

    async def scenario() -> None:
        async with streetlights.Server(Lamp, url=mosquitto_url) as app, aiomqtt.Client(host, int(port)) as raw:
            for lumens in range(count):
                await raw.publish(topic, json.dumps({"lumens": lumens}), qos=1)
            async with asyncio.timeout(TIMEOUT):  # every message is in this process, most not yet handled
                while app._server.session._delivery.waiting < delivery.HIGH_WATER - 1:
                    await asyncio.sleep(0.01)
            assert not got.calls
            release.set()
            # More arrive while the queued ones are still being handed over: they must wait their turn.
            for lumens in range(count, count + later):
                await raw.publish(topic, json.dumps({"lumens": lumens}), qos=1)
            async with asyncio.timeout(TIMEOUT):
                while len(got.calls) < count + later:
                    await asyncio.sleep(0.01)

    asyncio.run(scenario())
    assert [message.lumens for _, message, _ in got.calls] == list(range(count + later))


def test_the_mock_publishes_every_message_the_app_sends_on_matching_topics(mosquitto_url: str) -> None:
    """Acceptance: a raw subscriber on `#` sees each operation within 15 s, schema-valid, and nothing else."""
    root = GENERATED / "streetlights-mqtt"
    with imported(root, "streetlights") as streetlights:
        parameters_of = streetlights.parameters_of
    validators = {address: payload_validator(SPEC_26, pointer) for address, pointer in APP_SENDS.items()}
    host, port = mosquitto_url.removeprefix("mqtt://").split(":")
    seen: dict[str, list[Any]] = {}
    stray: list[str] = []

    async def watch() -> None:
        async with aiomqtt.Client(host, int(port)) as raw:
            await raw.subscribe("#")
            mock = subprocess.Popen(  # noqa: ASYNC220 (started once, stopped by its pid below)
                [sys.executable, "-m", "streetlights.mock", "--url", mosquitto_url],
                                    env={**os.environ, "PYTHONPATH": str(root)}, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
            started = time.monotonic()
            try:
                async with asyncio.timeout(15):
                    async for message in raw.messages:
                        topic = str(message.topic)
                        channel = next((a for a in APP_SENDS if parameters_of(a, topic) is not None), None)
                        if channel is None:
                            stray.append(topic)
                            continue
                        assert isinstance(message.payload, bytes)
                        seen.setdefault(channel, []).append(json.loads(message.payload))
                        if set(seen) == set(APP_SENDS):
                            break
            finally:
                stop(mock)  # type: ignore[arg-type]
            assert time.monotonic() - started < 15

    asyncio.run(watch())
    assert set(seen) == set(APP_SENDS)
    assert not stray, f"the mock published on topics of no channel it sends on: {stray}"
    for channel, payloads in seen.items():
        for payload in payloads:
            errors = [e.message for e in validators[channel].iter_errors(payload)]
            assert not errors, f"{channel}: {payload} is not valid: {errors}"


def test_a_broker_restart_ends_the_session_with_a_clear_error_and_a_new_one_connects(streetlights: ModuleType) -> None:
    """aiomqtt does not reconnect by itself: the session ends (PEER_GONE), its handler hears why, sends fail
    with SessionClosed, and a new client connects once the broker is back."""
    core = streetlights._runtime.core
    errors: list[Any] = []

    class Operator(streetlights.ClientHandler):  # type: ignore[misc, name-defined]
        async def on_error(self, client: Any, error: Any) -> None:
            errors.append(error)

    port = free_port()
    models = streetlights.models

    async def scenario() -> None:
        with running_mosquitto(port) as url:
            client = streetlights.Client(url, handler=Operator())
            await client.connect()
            await client.send_light_measurement(models.LightMeasuredPayload(lumens=1), streetlight_id="1")
        # the broker is gone
        async with asyncio.timeout(TIMEOUT):
            reason = await client.wait_closed()
        assert reason is core.CloseReason.PEER_GONE
        with pytest.raises(core.SessionClosed):
            await client.send_light_measurement(models.LightMeasuredPayload(lumens=2), streetlight_id="1")
        await client.close()
        with running_mosquitto(port) as url:
            async with streetlights.Client(url) as again:
                await again.send_light_measurement(models.LightMeasuredPayload(lumens=3), streetlight_id="1")

    asyncio.run(scenario())
    assert [type(e) for e in errors] == [core.TaskFailed]
    assert "mqtt" in str(errors[0]).lower()


def test_an_unreachable_broker_is_a_connect_error(streetlights: ModuleType) -> None:
    core = streetlights._runtime.core

    async def scenario() -> None:
        with pytest.raises(core.ConnectError, match="MQTT broker"):
            await streetlights.Client(f"mqtt://127.0.0.1:{free_port()}", connect_timeout=5).connect()

    asyncio.run(scenario())
