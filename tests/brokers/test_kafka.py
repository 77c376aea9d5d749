"""Streetlights over Kafka, through FastStream: the generated application and its counterpart, both AsyncAPI versions.

No Kafka broker can be installed where these tests run (none is on the registries this machine reaches), so they
run on FastStream's own in-memory test broker, ``TestKafkaBroker``: the library the generated code uses, with its
producer and consumers replaced by in-process routing. Both sides are declared on one ``KafkaBroker`` (``broker=``)
that the test broker wraps. What this does not prove: aiokafka's connection, partitions, consumer groups, offsets
and reconnection against a real cluster (the README says so).

A FastStream subscriber of the test's own plays the outside world: it watches what the mock publishes. Raw records
published through the broker carry malformed payloads and headers. FastStream's AsyncAPI export of the generated
application is compared with the document it came from, for every Kafka document of the corpus.
"""

from __future__ import annotations

import asyncio
import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from asyncapi_gen.load import parse_text
from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.specification import AsyncAPI

from .packages import CORPUS, GENERATED, build_into, imported, payload_validator
from .servers import free_port

SPEC_26 = CORPUS / "asyncapi-spec@v2.6.0/streetlights-kafka.yml"
SPEC_30 = CORPUS / "asyncapi-spec@v3.0.0/streetlights-kafka-asyncapi.yml"
MEASURED = "smartylighting.streetlights.1.0.event.{streetlightId}.lighting.measured"
# What the application sends: channel address -> the payload schema the document gives it.
APP_SENDS = {
    "smartylighting.streetlights.1.0.action.{streetlightId}.turn.on": "#/components/schemas/turnOnOffPayload",
    "smartylighting.streetlights.1.0.action.{streetlightId}.turn.off": "#/components/schemas/turnOnOffPayload",
    "smartylighting.streetlights.1.0.action.{streetlightId}.dim": "#/components/schemas/dimLightPayload",
}
# The Kafka documents of the corpus (every one whose servers speak kafka or kafka-secure and that builds).
KAFKA_DOCUMENTS = [
    "apicurio-data-models/transformation/aai24-aai25/streetlights.input.json",
    "asyncapi-spec@v2.6.0/streetlights-kafka.yml",
    "asyncapi-spec@v2.6.0/streetlights-operation-security.yml",
    "asyncapi-spec@v3.0.0/streetlights-kafka-asyncapi.yml",
    "asyncapi-spec@v3.0.0/streetlights-operation-security-asyncapi.yml",
    "jasyncapi/examples/v2.6.0/schemaFormat_-_avro_payload.yml",
    "jasyncapi/examples/v2.6.0/schemaFormat_-_openapi_payload.yml",
    "microcks/webapp/src/test/resources/io/github/microcks/util/asyncapi/streetlights-asyncapi-3.0-dynamic.yaml",
    "modelina@c5793932/AsyncAPI-2_5/streetlight_kafka.json",
]
# path -> (the operations whose exported payload differs from the document's: what the export lists, why).
KNOWN_DIFFERENCES: dict[str, tuple[dict[tuple[str, str], set[str]], str]] = {
    "jasyncapi/examples/v2.6.0/schemaFormat_-_openapi_payload.yml": (
        {("products", "receive"): set()},
        ("the payload is an OpenAPI 3.0 schema (schemaFormat application/vnd.oai.openapi): the build types it as any "
         "JSON value and says so (warning schema-format-unsupported), so the export documents no properties")),
}
TIMEOUT = 10.0
URL = "kafka://127.0.0.1:9092"  # never dialled: the test broker replaces the connection


@pytest.fixture(scope="module", params=["2.6", "3.0"])
def streetlights(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    if request.param == "2.6":
        with imported(GENERATED / "streetlights-kafka", "streetlights_kafka") as package:
            yield package
    else:
        root = build_into(SPEC_30, "streetlights_kafka3", tmp_path_factory.mktemp("streetlights_kafka3"))
        with imported(root, "streetlights_kafka3") as package:
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


def test_both_sides_exchange_typed_messages_with_parameters_headers_and_keys(streetlights: ModuleType) -> None:
    package = streetlights
    models = package.models
    app_got, client_got = Recorder(), Recorder()

    class Streetlights(package.ServerHandler):  # type: ignore[misc, name-defined]
        async def on_light_measurement(self, session: Any, message: Any, **envelope: Any) -> None:
            app_got.add("on_light_measurement", message, **envelope)
            command = models.TurnOnOffPayload(command=models.TurnOnOffPayloadCommand("on"))
            await session.send_turn_on(command, streetlight_id=envelope["streetlight_id"],
                                       headers=models.CommonHeaders(my_app_header=7), key=envelope["key"])

    class Operator(package.ClientHandler):  # type: ignore[misc, name-defined]
        async def on_turn_on(self, client: Any, message: Any, **envelope: Any) -> None:
            client_got.add("on_turn_on", message, **envelope)

    async def scenario() -> None:
        broker = KafkaBroker(URL.removeprefix("kafka://"))
        app = package.Server(Streetlights, url=URL, broker=broker)
        client = package.Client(URL, handler=Operator(), broker=broker)
        async with TestKafkaBroker(broker, connect_only=False), app, client:
            await client.send_light_measurement(models.LightMeasuredPayload(lumens=250), streetlight_id="east-3",
                                                headers=models.CommonHeaders(my_app_header=3), key="lamp east-3")
            await client_got.wait_for(1)

    asyncio.run(scenario())
    [(_, measured, envelope)] = app_got.calls
    assert isinstance(measured, models.LightMeasuredPayload) and measured.lumens == 250
    assert envelope == {"streetlight_id": "east-3", "headers": models.CommonHeaders(my_app_header=3),
                        "key": "lamp east-3"}
    [(_, command, command_envelope)] = client_got.calls
    assert isinstance(command, models.TurnOnOffPayload) and command.command == models.TurnOnOffPayloadCommand("on")
    assert command_envelope == {"streetlight_id": "east-3", "headers": models.CommonHeaders(my_app_header=7),
                                "key": "lamp east-3"}  # the record key, sent back by the application


def test_malformed_records_reach_on_error_and_the_app_goes_on(streetlights: ModuleType) -> None:
    package = streetlights
    core = package._runtime.core
    got = Recorder()

    class Streetlights(package.ServerHandler):  # type: ignore[misc, name-defined]
        async def on_light_measurement(self, session: Any, message: Any, **envelope: Any) -> None:
            got.add("on_light_measurement", message, **envelope)

        async def on_error(self, session: Any, error: Any) -> None:
            got.add("on_error", error)

    topic = "smartylighting.streetlights.1.0.event.lamp-9.lighting.measured"

    async def scenario() -> None:
        broker = KafkaBroker(URL.removeprefix("kafka://"))
        app = package.Server(Streetlights, url=URL, broker=broker)
        async with TestKafkaBroker(broker, connect_only=False) as raw, app:
            await raw.publish(b"{not json", topic)  # a record FastStream itself neither decodes nor validates
            await raw.publish(json.dumps({"lumens": -5}).encode(), topic)  # minimum 0
            await raw.publish(json.dumps({"lumens": 5}).encode(), topic, headers={"my-app-header": "high"})
            await raw.publish(json.dumps({"lumens": 120}).encode(), topic, headers={"my-app-header": "12"})
            await got.wait_for(4)

    asyncio.run(scenario())
    kinds = [(hook, type(value).__name__) for hook, value, _ in got.calls]
    assert kinds[:3] == [("on_error", "InvalidJson"), ("on_error", "SchemaViolation"), ("on_error", "SchemaViolation")]
    assert "headers" in str(got.calls[2][1])
    assert all(isinstance(value, core.WireError) for _, value, _ in got.calls[:3])
    hook, measured, envelope = got.calls[3]
    assert hook == "on_light_measurement" and measured.lumens == 120
    assert envelope["streetlight_id"] == "lamp-9" and envelope["headers"].my_app_header == 12
    assert envelope["key"] is None  # published without a key


def test_correlation_reply_address_and_key_travel_as_faststream_does(streetlights: ModuleType) -> None:
    """What a FastStream application on the other end sends (its `correlation_id` and `reply_to`) reaches the
    envelope, and what the runtime publishes carries them, and the record key, the same way."""
    package = streetlights
    kafka = package._runtime.kafka
    channels = package.channels.CHANNELS
    turn_on = next(c for c in channels if c.address.endswith("turn.on"))
    measured_topic = MEASURED.replace("{streetlightId}", "s1")
    seen: list[KafkaMessage] = []

    async def scenario() -> Any:
        broker = KafkaBroker(URL.removeprefix("kafka://"))
        session = kafka.KafkaClientTransport(URL, channels, broker=broker)  # the counterpart: it receives turn.on

        @broker.subscriber(measured_topic)
        async def watch(body: Any, message: KafkaMessage) -> None:
            seen.append(message)

        async with TestKafkaBroker(broker, connect_only=False) as raw, session:
            commands = aiter(session.received(turn_on.address))  # iterators see what arrives once they exist
            await raw.publish(json.dumps({"command": "off"}).encode(), turn_on.address.replace("{streetlightId}", "s1"),
                              correlation_id="c-42", reply_to="answers")
            async with asyncio.timeout(TIMEOUT):
                received = await anext(commands)
            await session.publish(MEASURED, measured_topic, package.models.LightMeasuredPayload(lumens=1),
                                  correlation_id="c-43", reply_to="answers", key="s1")
            return received

    received = asyncio.run(scenario())
    assert received.correlation_id == "c-42" and received.reply_to == "answers"
    assert received.parameters == {"streetlightId": "s1"} and received.message.command.value == "off"
    [record] = seen
    assert (record.correlation_id, record.reply_to, record.raw_message.key) == ("c-43", "answers", b"s1")
    assert json.loads(record.body) == {"lumens": 1}


def test_the_mock_publishes_what_the_app_sends_schema_valid_on_its_channels(streetlights: ModuleType) -> None:
    """The mock, run as the application on the broker, publishes each message the application sends within a few
    seconds, on topics of its channels, with payloads the document's own schemas accept; nothing else."""
    package = streetlights
    spec = SPEC_26 if package.__name__ == "streetlights_kafka" else SPEC_30
    validators = {address: payload_validator(spec, pointer) for address, pointer in APP_SENDS.items()}
    seen: dict[str, list[Any]] = {}
    stray: list[str] = []
    everything = asyncio.Event()

    async def scenario() -> None:
        broker = KafkaBroker(URL.removeprefix("kafka://"))

        @broker.subscriber(pattern=r"smartylighting\..*")
        async def watch(body: Any, message: KafkaMessage) -> None:
            topic = message.raw_message.topic  # type: ignore[union-attr]
            channel = next((a for a in APP_SENDS if package.parameters_of(a, topic)), None)
            if channel is None:
                if package.parameters_of(MEASURED, topic) is None:
                    stray.append(topic)
                return
            seen.setdefault(channel, []).append(json.loads(message.body))
            if set(seen) == set(APP_SENDS):
                everything.set()

        mock = importlib.import_module(f"{package.__name__}.mock").MockHandler
        app = package.Server(lambda: mock(feed_interval=0.5), url=URL, broker=broker)
        async with TestKafkaBroker(broker, connect_only=False), app:
            async with asyncio.timeout(15):
                await everything.wait()

    asyncio.run(scenario())
    assert set(seen) == set(APP_SENDS) and not stray
    for channel, payloads in seen.items():
        for payload in payloads:
            errors = [e.message for e in validators[channel].iter_errors(payload)]
            assert not errors, (channel, payload, errors)


def test_a_cluster_that_cannot_be_reached_is_a_clear_connect_error(streetlights: ModuleType) -> None:
    """The one part of aiokafka these tests reach for real: its connection, to a loopback port nothing listens on."""
    package = streetlights
    core = package._runtime.core
    url = f"kafka://127.0.0.1:{free_port()}"

    async def scenario() -> None:
        with pytest.raises(core.ConnectError, match="cannot connect to the Kafka cluster"):
            await package.Client(url, connect_timeout=5.0).connect()
        with pytest.raises(core.ConnectError, match="cannot connect to the Kafka cluster"):
            await package.Server(package.ServerHandler, url=url).start()

    asyncio.run(asyncio.wait_for(scenario(), 30))


# -- the round trip: FastStream's export of the generated application against the document -----------------------

def _document_side(document: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    """(channel address, what the application does there) -> the property names of the payloads, read from the
    document alone: 2.x `publish` is what the application receives, `subscribe` what it sends; 3.0 says it."""
    side: dict[tuple[str, str], set[str]] = {}
    if str(document.get("asyncapi", "")).startswith("2."):
        for address, channel in (document.get("channels") or {}).items():
            for verb, action in (("publish", "receive"), ("subscribe", "send")):
                if verb in channel:
                    side[(address, action)] = _properties(document, channel[verb].get("message"))
        return side
    for operation in (document.get("operations") or {}).values():
        operation = _resolve(document, operation)
        channel = _resolve(document, operation["channel"])
        messages = operation.get("messages") or list((channel.get("messages") or {}).values())
        names: set[str] = set()
        for message in messages:
            names |= _properties(document, message)
        side[(channel["address"], operation["action"])] = names
    return side


def _export_side(export: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    side: dict[tuple[str, str], set[str]] = {}
    for operation in export["operations"].values():
        channel = _resolve(export, operation["channel"])
        names: set[str] = set()
        for message in operation["messages"]:
            names |= _properties(export, message)
        side[(channel["address"], operation["action"])] = names
    return side


def _properties(document: dict[str, Any], message: Any) -> set[str]:
    """The top-level property names a message's payload allows (of each alternative, for oneOf/anyOf)."""
    message = _resolve(document, message or {})
    if "oneOf" in message:
        return set().union(*(_properties(document, m) for m in message["oneOf"]))
    payload = message.get("payload", message.get("schema", {}))
    payload = _resolve(document, payload)
    if isinstance(payload, dict) and "schema" in payload and "schemaFormat" in payload:
        payload = _resolve(document, payload["schema"])  # 3.0's multi-format schema
    return _schema_properties(document, payload)


def _schema_properties(document: dict[str, Any], schema: Any) -> set[str]:
    schema = _resolve(document, schema)
    if not isinstance(schema, dict):
        return set()
    names = set(schema.get("properties") or {})
    for key in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(key) or []:
            names |= _schema_properties(document, part)
    return names


def _resolve(document: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node and str(node["$ref"]).startswith("#/"):
        target: Any = document
        for token in node["$ref"][2:].split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~").replace("%7B", "{").replace("%7D", "}")]
        node = target
    return node


@pytest.mark.parametrize("path", KAFKA_DOCUMENTS)
def test_faststream_export_of_the_application_lists_the_documents_channels_operations_and_payloads(
        path: str, tmp_path: Path) -> None:
    spec = CORPUS / path
    package = f"kafka_rt_{KAFKA_DOCUMENTS.index(path)}"
    root = build_into(spec, package, tmp_path)
    document: dict[str, Any] = parse_text(spec.read_text(), spec.name)[0]
    with imported(root, package) as built:
        broker = KafkaBroker(URL.removeprefix("kafka://"))
        built.Server(built.ServerHandler, url=URL, broker=broker)
        export = json.loads(AsyncAPI(broker, schema_version="3.0.0").to_specification().to_json())
    expected, exported = _document_side(document), _export_side(export)
    differences, _why = KNOWN_DIFFERENCES.get(path, ({}, ""))
    assert set(differences) <= set(expected), "a known difference names an operation the document does not have"
    assert exported == {**expected, **differences}
