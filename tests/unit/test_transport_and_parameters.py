"""Normalization choices the templates rely on: the transport, channel parameters, headers, method names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from asyncapi_gen.build import BuildOptions, build
from asyncapi_gen.ir import Role, Transport
from asyncapi_gen.render import parameter_type

from .conftest import SpecWriter


def _api(write_spec: SpecWriter, doc: dict[str, Any], **options: Any) -> Any:
    result = build(write_spec(doc), BuildOptions(**options))
    assert result.ok, [d.render() for d in result.diagnostics]
    assert result.api is not None
    return result.api


@pytest.mark.parametrize(
    ("protocol", "media", "expected"),
    [
        ("wss", True, Transport.WEBRTC),
        ("wss", False, Transport.WEBSOCKET),
        ("ws", False, Transport.WEBSOCKET),
        ("mqtt", False, Transport.MQTT),
        ("kafka", False, Transport.KAFKA),
        ("kafka-secure", False, Transport.KAFKA),
        ("jms", False, Transport.NONE),
        (None, False, Transport.WEBSOCKET),
    ],
)
def test_transport_follows_media_and_server_protocol(
    write_spec: SpecWriter, minimal_doc: dict[str, Any], protocol: str | None, media: bool, expected: Transport
) -> None:
    if protocol:
        minimal_doc["servers"] = {"main": {"url": "example.com", "protocol": protocol}}
    if media:
        minimal_doc["channels"]["audio"] = {"publish": {"message": {"contentType": "audio/opus", "payload": {}}}}
    assert _api(write_spec, minimal_doc).transport is expected


def test_transport_extension_and_option_override_the_choice(
    write_spec: SpecWriter, minimal_doc: dict[str, Any]
) -> None:
    minimal_doc["x-asyncapi-gen-transport"] = "none"
    assert _api(write_spec, minimal_doc).transport is Transport.NONE
    assert _api(write_spec, minimal_doc, transport=Transport.WEBSOCKET).transport is Transport.WEBSOCKET


def test_unknown_transport_extension_is_a_located_error(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    minimal_doc["x-asyncapi-gen-transport"] = "pigeon"
    result = build(write_spec(minimal_doc))
    codes = [d.code for d in result.diagnostics]
    assert codes == ["invalid-transport"]
    assert result.diagnostics[0].pointer == "/x-asyncapi-gen-transport"


def test_channel_parameters_are_typed_in_address_order(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    minimal_doc["channels"] = {
        "rooms/{room}/users/{user-id}": {
            "parameters": {
                "user-id": {"schema": {"type": "integer"}},
                "room": {"description": "Room name", "schema": {"type": "string", "enum": ["a'b", "c"]}},
            },
            "subscribe": {"operationId": "onUser", "message": {"payload": {"type": "string"}}},
        }
    }
    channel = _api(write_spec, minimal_doc).channels[0]
    assert [(p.name, p.py_name, p.json_type, p.choices) for p in channel.parameters] == [
        ("room", "room", "string", ("a'b", "c")),
        ("user-id", "user_id", "integer", ()),
    ]
    assert [parameter_type(p) for p in channel.parameters] == ["Literal[\"a'b\", 'c']", "int"]


def test_message_headers_become_a_model(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    message = minimal_doc["channels"]["events"]["subscribe"]["message"]
    message["headers"] = {"type": "object", "properties": {"trace-id": {"type": "string"}}}
    message["correlationId"] = {"location": "$message.header#/trace-id"}
    api = _api(write_spec, minimal_doc)
    assert api.messages[0].headers_model == "EventHeaders"
    assert api.messages[0].correlation_id == "$message.header#/trace-id"
    assert "EventHeaders" in api.model_names


def test_client_methods_are_named_by_role_not_by_operation_id(
    write_spec: SpecWriter, minimal_doc: dict[str, Any]
) -> None:
    # 3.0-style names from the described application's side: it "sends" what the client receives.
    minimal_doc["channels"]["events"]["subscribe"]["operationId"] = "sendEvent"
    minimal_doc["channels"]["events"]["publish"] = {"operationId": "receiveEvent", "message": {"payload": {}}}
    api = _api(write_spec, minimal_doc)
    methods = {op.sender: op.client_method for op in api.operations}
    assert methods == {Role.SERVER: "receive_event", Role.CLIENT: "send_event"}


def test_parameter_names_that_the_address_helper_uses_are_renamed(
    write_spec: SpecWriter, minimal_doc: dict[str, Any]
) -> None:
    minimal_doc["channels"] = {
        "wallet/{address}/{quote}/{self}": {"subscribe": {"message": {"payload": {"type": "string"}}}}
    }
    channel = _api(write_spec, minimal_doc).channels[0]
    assert [p.py_name for p in channel.parameters] == ["address_2", "quote_2", "self_2"]


@pytest.mark.parametrize("content_type", ['audio/x"""\n__import__("os").system("x")', "audio/", "video/vp8 x"])
def test_a_media_content_type_that_is_not_a_mime_type_is_refused(
    write_spec: SpecWriter, minimal_doc: dict[str, Any], content_type: str
) -> None:
    minimal_doc["channels"]["events"]["subscribe"]["message"]["contentType"] = content_type
    result = build(write_spec(minimal_doc))
    assert [d.code for d in result.diagnostics] == ["invalid-content-type"]
    assert result.diagnostics[0].pointer.endswith("/message/contentType")
    assert not result.files


def test_boolean_schemas_build_without_a_traceback(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    minimal_doc["channels"]["events"]["subscribe"]["message"] = {"payload": True}
    minimal_doc["channels"]["events"]["publish"] = {"message": {"payload": {"$ref": "#/components/schemas/Never"}}}
    minimal_doc["components"]["schemas"]["Never"] = False
    assert build(write_spec(minimal_doc)).ok


def test_a_recursive_yaml_alias_is_a_located_error(write_spec: SpecWriter) -> None:
    text = (
        "asyncapi: 2.6.0\ninfo: {title: t, version: '1'}\nchannels: {}\ncomponents:\n  schemas:\n"
        "    Node: &node\n      type: object\n      properties:\n        child: *node\n"
    )
    result = build(write_spec(text))
    assert [(d.code, d.line) for d in result.diagnostics] == [("yaml-recursive-alias", 6)]


def test_a_data_content_type_that_is_not_a_mime_type_is_a_warning(
    write_spec: SpecWriter, minimal_doc: dict[str, Any]
) -> None:
    minimal_doc["defaultContentType"] = "json"  # seen in real documents
    result = build(write_spec(minimal_doc))
    assert result.ok
    assert [(d.code, d.severity.value, d.pointer) for d in result.diagnostics] == [
        ("invalid-content-type", "warning", "/defaultContentType")
    ]


def test_asyncapi_discriminator_keyword_makes_a_discriminated_union_by_field_name(
    write_spec: SpecWriter, tmp_path: Any
) -> None:
    pet = {"type": "object", "discriminator": "petType", "required": ["petType"],
           "properties": {"petType": {"type": "string"}}}
    doc = {
        "asyncapi": "2.6.0",
        "info": {"title": "Pets", "version": "1"},
        "channels": {"pets": {"subscribe": {"operationId": "receivePet", "message": {"oneOf": [
            {"payload": {"$ref": "#/components/schemas/Cat"}}, {"payload": {"$ref": "#/components/schemas/Dog"}}]}}}},
        "components": {"schemas": {
            "Pet": pet,
            "Cat": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"properties": {"lives": {"type": "integer"}}}]},
            "Dog": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"properties": {"bark": {"type": "string"}}}]},
        }},
    }
    result = build(write_spec(doc), BuildOptions(package="pets"))
    assert result.ok, [d.render() for d in result.diagnostics]
    models = result.files["pets/models.py"]
    assert 'Pet2 = Annotated[Cat | Dog, Field(discriminator="pet_type")]' in models
    assert 'pet_type: Annotated[Literal["Cat"], Field(alias="petType")]' in models


@pytest.mark.parametrize("target", ["#/info", "#/info/title", "#/channels", "#/servers"])
def test_a_payload_ref_to_something_that_is_not_a_schema_is_a_located_error(
    write_spec: SpecWriter, minimal_doc: dict[str, Any], target: str
) -> None:
    minimal_doc["servers"] = {"s": {"url": "example.com", "protocol": "ws"}}
    minimal_doc["channels"]["events"]["subscribe"]["message"]["payload"] = {"$ref": target}
    result = build(write_spec(minimal_doc))
    assert [d.code for d in result.diagnostics] == ["ref-not-schema"]
    assert result.diagnostics[0].pointer == "/channels/events/subscribe/message/payload/$ref"
    assert result.diagnostics[0].line > 1


@pytest.mark.parametrize(
    ("transport", "runtime", "requirements"),
    [
        (Transport.WEBRTC, ("core", "websocket", "webrtc", "pool"), {"pydantic", "websockets", "aiortc"}),
        (Transport.WEBSOCKET, ("core", "websocket"), {"pydantic", "websockets"}),
        (Transport.NONE, ("core",), {"pydantic"}),
        (Transport.KAFKA, ("core", "kafka"), {"pydantic", "faststream[kafka]"}),
    ],
)
def test_a_package_carries_the_runtime_and_dependencies_of_its_transport(
    write_spec: SpecWriter, minimal_doc: dict[str, Any], transport: Transport, runtime: tuple[str, ...],
    requirements: set[str],
) -> None:
    result = build(write_spec(minimal_doc), BuildOptions(package="pkg", transport=transport))
    assert result.ok and result.api is not None
    assert result.api.binding.runtime_packages == runtime
    assert {re.split(r"[<>=]", r)[0] for r in result.api.binding.dependencies} == requirements
    folders = {path.split("/")[2] for path in result.files if path.startswith("pkg/_runtime/") and path.count("/") > 2}
    assert folders == set(runtime)
    rendered = "".join(text for path, text in result.files.items() if "/_runtime/" not in path)
    assert ("aiortc" in rendered) is (transport is Transport.WEBRTC)


def test_media_forced_onto_a_transport_without_media_warns_and_gets_no_methods(
    write_spec: SpecWriter, minimal_doc: dict[str, Any]
) -> None:
    minimal_doc["channels"]["audio"] = {"publish": {"operationId": "sendVoice",
                                                    "message": {"contentType": "audio/opus", "payload": {}}}}
    result = build(write_spec(minimal_doc), BuildOptions(package="pkg", transport=Transport.WEBSOCKET))
    assert result.ok, [d.render() for d in result.diagnostics]
    assert [d.code for d in result.diagnostics] == ["media-not-carried"]
    assert "send_voice" not in result.files["pkg/client.py"] and "on_voice" not in result.files["pkg/server.py"]


@pytest.mark.parametrize(
    ("extension", "server_text", "expected"),
    [
        ("/v2/sessions", "created by POST /v1/realtime_sessions", "/v2/sessions"),
        (None, "The URL returned by the POST /v1/realtime_sessions endpoint.", "/v1/realtime_sessions"),
        (None, "A plain server.", "/sessions"),
        ("not a path", "", "/sessions"),
    ],
)
def test_the_session_endpoint_comes_from_the_extension_or_the_servers_text(
    write_spec: SpecWriter, minimal_doc: dict[str, Any], extension: str | None, server_text: str, expected: str
) -> None:
    minimal_doc["servers"] = {"main": {"url": "{serverUrl}", "protocol": "wss",
                                       "variables": {"serverUrl": {"description": server_text}}}}
    if extension is not None:
        minimal_doc["x-asyncapi-gen-session-endpoint"] = extension
    assert _api(write_spec, minimal_doc).session_endpoint == expected


def test_an_operation_that_cannot_be_told_apart_gets_no_hook_and_a_warning(
    write_spec: SpecWriter, minimal_doc: dict[str, Any]
) -> None:
    hello = {"payload": {"type": "object", "properties": {"text": {"type": "string"}}}}
    spec = write_spec({
        "asyncapi": "3.0.0",
        "info": {"title": "T", "version": "1"},
        "channels": {"room": {"address": "room", "messages": {"Hello": hello}}},
        "operations": {
            "receiveHello": {"action": "receive", "channel": {"$ref": "#/channels/room"},
                          "messages": [{"$ref": "#/channels/room/messages/Hello"}]},
            "receiveEcho": {"action": "receive", "channel": {"$ref": "#/channels/room"},
                         "messages": [{"$ref": "#/channels/room/messages/Hello"}]},
        },
    })
    result = build(spec, BuildOptions(package="pkg"))
    assert result.ok and result.api is not None
    (warning,) = result.diagnostics
    assert warning.code == "operation-indistinguishable" and warning.pointer == "/operations/receiveEcho"
    assert [route.hook for route in result.api.channels[0].server_routes] == ["on_hello"]
    assert "def on_echo" not in result.files["pkg/server.py"] and "def on_hello" in result.files["pkg/server.py"]
    assert "def send_echo" in result.files["pkg/client.py"]  # the client can still send it


ECHO = Path(__file__).resolve().parents[1] / "corpus" / "documents" / (
    "generator/packages/templates/clients/websocket/test/__fixtures__/asyncapi-postman-echo.yml")


def _client_methods(result: Any) -> set[str]:
    return {op.client_method for op in result.api.operations}


def test_a_document_may_describe_the_client_of_the_connection(tmp_path: Path) -> None:
    # The postman-echo document describes the echo server's client: it sends `echo`, and receives the replies.
    as_server = build(ECHO, BuildOptions(package="echo"))
    as_client = build(ECHO, BuildOptions(package="echo", describes=Role.CLIENT))
    assert as_server.ok and as_client.ok
    assert _client_methods(as_server) == {"receive_echo_message", "send_echo_message_reply"}
    assert _client_methods(as_client) == {"send_echo_message", "receive_echo_message_reply"}
    spec = tmp_path / "echo.yml"
    spec.write_text("x-asyncapi-gen-describes: client\n" + ECHO.read_text())
    assert _client_methods(build(spec, BuildOptions(package="echo"))) == _client_methods(as_client)


def test_an_unknown_describes_extension_is_a_located_error(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    minimal_doc["x-asyncapi-gen-describes"] = "peer"
    result = build(write_spec(minimal_doc))
    assert [d.code for d in result.diagnostics] == ["invalid-describes"]
    assert result.diagnostics[0].pointer == "/x-asyncapi-gen-describes"
