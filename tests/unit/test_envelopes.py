"""Channel parameters and headers, on a transport whose messages carry them (a broker client the user plugs in).

The streetlights golden record is the package under test: its document writes `{streetlightId}` in every channel
address and gives every message a header schema through a trait. The transport here is the user's, the extension
point the generated client and server document (`transport=`): it records what the generated code publishes,
and hands the generated code what a broker would deliver.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import BaseModel

from .support import forget, import_from

GOLDEN = Path(__file__).resolve().parents[2] / "generated" / "streetlights-mqtt"
MEASURED = "smartylighting/streetlights/1/0/event/{streetlightId}/lighting/measured"
TURN_ON = "smartylighting/streetlights/1/0/action/{streetlightId}/turn/on"


class BrokerSide:
    """A user's transport: what generated code publishes, and a way to deliver what a broker would."""

    def __init__(self, core: ModuleType) -> None:
        self.core = core
        self.published: list[tuple[str, str, BaseModel, BaseModel | None]] = []
        self.callbacks: dict[str, list[Any]] = {}
        self.id = "session-1"
        self.closed = False
        self.close_reason = None

    async def publish(self, channel: str, address: str, message: BaseModel, headers: BaseModel | None = None) -> None:
        self.published.append((channel, address, message, headers))

    def on_received(self, channel: str, callback: Any) -> None:
        self.callbacks.setdefault(channel, []).append(callback)

    def received(self, channel: str) -> AsyncIterator[Any]:
        raise NotImplementedError

    def on_message(self, address: str, callback: Any) -> None:
        pass

    def on_error(self, callback: Any) -> None:
        pass

    async def deliver(self, channel: str, address: str, message: BaseModel, headers: BaseModel | None) -> None:
        parameters = self.core.parameters_of(channel, address)
        assert parameters is not None, f"{address!r} is not an address of {channel!r}"
        envelope = self.core.Received(message, address, parameters, headers)
        for callback in self.callbacks[channel]:
            await callback(envelope)


@pytest.fixture(scope="module")
def streetlights() -> Iterator[ModuleType]:
    package = import_from(GOLDEN, "streetlights")
    yield package
    forget(GOLDEN, "streetlights")


def test_a_send_fills_the_address_in_and_carries_the_headers(streetlights: ModuleType) -> None:
    models, core = streetlights.models, streetlights._runtime.core
    broker = BrokerSide(core)
    client = streetlights.Client("mqtt://127.0.0.1", transport=broker)
    message = models.LightMeasuredPayload(lumens=803)
    headers = models.CommonHeaders(my_app_header=7)

    asyncio.run(client.send_light_measurement(message, streetlight_id="lamp 7/b", headers=headers))

    [(channel, address, sent, sent_headers)] = broker.published
    assert channel == MEASURED
    assert address == "smartylighting/streetlights/1/0/event/lamp%207%2Fb/lighting/measured"
    assert sent is message and sent_headers is headers
    assert sent_headers.model_dump() == {"my-app-header": 7}  # wire names, as a broker header map
    assert core.parameters_of(MEASURED, address) == {"streetlightId": "lamp 7/b"}


def test_headers_may_be_left_out_of_a_send(streetlights: ModuleType) -> None:
    broker = BrokerSide(streetlights._runtime.core)
    client = streetlights.Client("mqtt://127.0.0.1", transport=broker)
    asyncio.run(client.send_light_measurement(streetlights.models.LightMeasuredPayload(), streetlight_id="1"))
    assert broker.published[0][3] is None


def test_a_client_hook_is_given_the_parameters_and_headers(streetlights: ModuleType) -> None:
    models, core = streetlights.models, streetlights._runtime.core
    seen: list[tuple[Any, ...]] = []

    class Handler(streetlights.ClientHandler):  # type: ignore[misc, name-defined]
        async def on_turn_on(self, client: Any, message: Any, *, streetlight_id: str, headers: Any) -> None:
            seen.append((message, streetlight_id, headers))

    broker = BrokerSide(core)
    streetlights.Client("mqtt://127.0.0.1", handler=Handler(), transport=broker)
    message = models.TurnOnOffPayload(command="on")
    headers = models.CommonHeaders(my_app_header=1)
    asyncio.run(broker.deliver(TURN_ON, "smartylighting/streetlights/1/0/action/lamp-9/turn/on", message, headers))
    assert seen == [(message, "lamp-9", headers)]


def test_an_address_of_another_channel_has_no_parameters(streetlights: ModuleType) -> None:
    parameters_of = streetlights._runtime.core.parameters_of
    assert parameters_of(TURN_ON, "smartylighting/streetlights/1/0/action/lamp-9/turn/off") is None
    assert parameters_of(TURN_ON, "smartylighting/streetlights/1/0/action/a/b/turn/on") is None


def test_the_server_side_sends_with_parameters_and_hooks_get_them(streetlights: ModuleType) -> None:
    models, core, server = streetlights.models, streetlights._runtime.core, streetlights.server
    seen: list[tuple[Any, ...]] = []

    class Service(streetlights.ServerHandler):  # type: ignore[misc, name-defined]
        async def on_open(self, session: Any) -> None:
            await session.send_turn_on(models.TurnOnOffPayload(command="on"), streetlight_id="7",
                                       headers=models.CommonHeaders(my_app_header=3))

        async def on_light_measurement(self, session: Any, message: Any, *, streetlight_id: str,
                                       headers: Any) -> None:
            seen.append((message.lumens, streetlight_id, headers.my_app_header))

    broker = BrokerSide(core)

    async def run() -> None:
        adapter = server._Adapter(Service())
        await adapter.on_open(broker)
        await broker.deliver(MEASURED, "smartylighting/streetlights/1/0/event/12/lighting/measured",
                             models.LightMeasuredPayload(lumens=5), models.CommonHeaders(my_app_header=2))

    asyncio.run(run())
    [(channel, address, message, headers)] = broker.published
    assert (channel, address) == (TURN_ON, "smartylighting/streetlights/1/0/action/7/turn/on")
    assert message.command.value == "on" and headers.my_app_header == 3
    assert seen == [(5, "12", 2)]


def test_the_channels_validate_received_headers_by_wire_name(streetlights: ModuleType) -> None:
    channels = streetlights.channels
    spec = channels.SMARTYLIGHTING_STREETLIGHTS_1_0_ACTION_STREETLIGHT_ID_TURN_ON
    assert spec.client_headers is not None and spec.server_headers is None
    headers = spec.client_headers.validate_json('{"my-app-header": 42}')
    assert headers.my_app_header == 42
    with pytest.raises(ValueError):
        spec.client_headers.validate_json('{"my-app-header": 101}')  # maximum: 100


def test_typed_parameters_from_their_schemas(write_spec: Any, tmp_path: Path) -> None:
    """An integer parameter reaches a hook as an int; an enum one is a Literal of its values in a send."""
    from asyncapi_gen.build import BuildOptions, build
    from asyncapi_gen.write import write_tree

    spec = write_spec({
        "asyncapi": "2.6.0", "info": {"title": "Rooms", "version": "1"},
        "servers": {"broker": {"url": "localhost:1883", "protocol": "mqtt"}},
        "channels": {
            "rooms/{room}/{kind}": {
                "parameters": {"room": {"schema": {"type": "integer"}},
                               "kind": {"schema": {"type": "string", "enum": ["chat", "notice"]}}},
                "publish": {"operationId": "post", "message": {"payload": {"type": "string"}}},
                "subscribe": {"operationId": "relay", "message": {"payload": {"type": "string"}}},
            },
        },
    })
    result = build(spec, BuildOptions(package="rooms"))
    assert result.ok, [d.render() for d in result.diagnostics]
    root = tmp_path / "out"
    write_tree(result.files, root)
    client = result.files["rooms/client.py"]
    assert 'kind: Literal["chat", "notice"]' in client or "kind: Literal['chat', 'notice']" in client
    rooms = import_from(root, "rooms")
    try:
        seen: list[tuple[Any, ...]] = []

        class Handler(rooms.ClientHandler):  # type: ignore[misc, name-defined]
            async def on_relay(self, client: Any, message: Any, *, room: int, kind: str) -> None:
                seen.append((message, room, kind))

        broker = BrokerSide(rooms._runtime.core)
        client_object = rooms.Client("mqtt://127.0.0.1", handler=Handler(), transport=broker)
        asyncio.run(broker.deliver("rooms/{room}/{kind}", "rooms/42/notice", "hello", None))
        asyncio.run(client_object.send_post("hi", room=7, kind="chat"))
    finally:
        forget(root, "rooms")
    assert seen == [("hello", 42, "notice")]
    assert broker.published[0][1] == "rooms/7/chat"
