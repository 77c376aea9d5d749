"""Message traits applied as each AsyncAPI version says, typed headers, discriminated payload unions, and
primitive `$ref`s inlined."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from asyncapi_gen.build import BuildOptions, build
from asyncapi_gen.write import write_tree
from pydantic import TypeAdapter, ValidationError

from .support import forget, import_from

GOLDEN = Path(__file__).resolve().parents[2] / "generated"


def _document(version: str, message: dict[str, Any], traits: dict[str, Any]) -> dict[str, Any]:
    """A one-channel document whose message uses the component traits given."""
    message = {**message, "traits": [{"$ref": f"#/components/messageTraits/{name}"} for name in traits]}
    base: dict[str, Any] = {"asyncapi": version, "info": {"title": "Traits", "version": "1"},
                            "servers": {"broker": ({"url": "localhost:1883", "protocol": "mqtt"} if version < "3"
                                                   else {"host": "localhost:1883", "protocol": "mqtt"})}}
    if version < "3":
        base["channels"] = {"lights": {"subscribe": {"operationId": "lightChanged", "message": message}}}
        base["components"] = {"messageTraits": traits}
    else:
        base["channels"] = {"lights": {"address": "lights", "messages": {"lightChanged": message}}}
        base["operations"] = {"lightChanged": {"action": "send", "channel": {"$ref": "#/channels/lights"}}}
        base["components"] = {"messageTraits": traits}
    return base


_MESSAGE = {"summary": "the message's own", "payload": {"type": "object", "properties": {"on": {"type": "boolean"}}},
            "headers": {"type": "object", "properties": {"mine": {"type": "string"}}}}
_TRAITS = {"common": {"summary": "the trait's", "headers": {"type": "object",
                                                            "properties": {"theirs": {"type": "integer"}}}}}


@pytest.mark.parametrize(("version", "summary"), [("2.6.0", "the trait's"), ("3.0.0", "the message's own")])
def test_traits_merge_as_the_version_says(write_spec: Any, version: str, summary: str) -> None:
    """2.x: JSON Merge Patch of each trait onto the message (the trait wins); 3.0: the message wins. Objects
    (here the header schemas) merge key by key in both."""
    result = build(write_spec(_document(version, _MESSAGE, _TRAITS)), BuildOptions(package="traits"))
    assert result.ok and result.api is not None, [d.render() for d in result.diagnostics]
    [message] = result.api.messages
    assert message.summary == summary
    assert message.headers_model is not None
    headers = result.api.models_schema["$defs"][message.headers_model]
    assert set(headers["properties"]) == {"mine", "theirs"}


def test_headers_a_trait_gives_are_one_typed_model_named_after_the_trait(write_spec: Any, tmp_path: Path) -> None:
    document = _document("2.6.0", {"payload": {"type": "string"}}, {"commonHeaders": {"headers": {
        "type": "object", "properties": {"my-app-header": {"type": "integer", "maximum": 100}}}}})
    result = build(write_spec(document), BuildOptions(package="trait_headers"))
    assert result.ok and result.api is not None, [d.render() for d in result.diagnostics]
    assert result.api.messages[0].headers_model == "CommonHeaders"
    write_tree(result.files, tmp_path / "out")
    package = import_from(tmp_path / "out", "trait_headers")
    try:
        adapter = package.channels.LIGHTS.client_headers
        validate_wire = package._runtime.core.codec.validate_wire  # what a transport validates received JSON with
        assert validate_wire(adapter, '{"my-app-header": 5}') == package.models.CommonHeaders(my_app_header=5)
        with pytest.raises(ValidationError):
            validate_wire(adapter, '{"my-app-header": "5"}')  # strict on the wire: a string is not an integer
        with pytest.raises(ValidationError):
            validate_wire(adapter, '{"my-app-header": 101}')
    finally:
        forget(tmp_path / "out", "trait_headers")


@pytest.fixture(scope="module")
def gemini() -> Any:
    root = GOLDEN / "websocket-gemini"
    yield import_from(root, "gemini")
    forget(root, "gemini")


def test_a_payload_oneof_of_constant_tagged_schemas_is_a_discriminated_union(gemini: Any) -> None:
    models = gemini.models
    assert not isinstance(models.Market, type), "Market should be a union alias, not a (root) model class"
    adapter = TypeAdapter[Any](models.Market)
    heartbeat = adapter.validate_json('{"type": "heartbeat", "socket_sequence": 3}')
    assert isinstance(heartbeat, models.Heartbeat) and heartbeat.socket_sequence == 3  # no `.root` to unwrap
    with pytest.raises(ValidationError) as caught:
        adapter.validate_json('{"type": "update", "socket_sequence": 1, "eventId": "x", "events": [],'
                              ' "timestamp": 1, "timestampms": 1}')
    errors = caught.value.errors()
    # One error, about the update's own field: the discriminator picked the branch, no error per branch.
    assert [error["loc"] for error in errors] == [("update", "eventId")]
    with pytest.raises(ValidationError) as caught:
        adapter.validate_json('{"socket_sequence": 1}')
    assert caught.value.errors()[0]["type"] == "union_tag_not_found"


def test_the_client_dispatches_union_members_to_one_hook(gemini: Any) -> None:
    import inspect

    hook = inspect.signature(gemini.ClientHandler.on_market_data)
    assert "Market" in str(hook.parameters["message"].annotation)


def test_a_ref_to_a_primitive_schema_is_inlined() -> None:
    models_py = (GOLDEN / "streetlights-mqtt" / "streetlights" / "models.py").read_text(encoding="utf-8")
    assert "class SentAt" not in models_py
    assert 'sent_at: Annotated[AwareDatetime | None, Field(alias="sentAt")] = None' in models_py


def test_a_primitive_payload_keeps_its_class(write_spec: Any) -> None:
    """A payload that is itself a `$ref` to a primitive schema still needs a class to validate and send."""
    document = {"asyncapi": "2.6.0", "info": {"title": "P", "version": "1"},
                "channels": {"c": {"subscribe": {"message": {"payload": {"$ref": "#/components/schemas/sentAt"}}}}},
                "components": {"schemas": {"sentAt": {"type": "string", "format": "date-time"}}}}
    result = build(write_spec(document), BuildOptions(package="p"))
    assert result.ok and result.api is not None
    assert result.api.messages[0].payload_model == "SentAt"
    assert "class SentAt(RootModel[AwareDatetime])" in result.files["p/models.py"]


def test_inline_constant_tagged_branches_become_named_union_members(write_spec: Any, tmp_path: Path) -> None:
    def branch(tag: str, field: str) -> dict[str, Any]:
        return {"type": "object", "required": ["event", field],
                "properties": {"event": {"const": tag}, field: {"type": "integer"}}}

    document = {"asyncapi": "2.6.0", "info": {"title": "Feed", "version": "1"},
                "channels": {"feed": {"subscribe": {"operationId": "feed", "message": {"name": "event", "payload": {
                    "oneOf": [branch("ping", "seq"), branch("trade", "price")]}}}}}}
    result = build(write_spec(document), BuildOptions(package="feed"))
    assert result.ok and result.api is not None, [d.render() for d in result.diagnostics]
    [union] = [u for u in result.api.unions if u.replaces_definition]
    assert (union.name, union.members, union.discriminator) == ("EventPayload", ("EventPayloadPing",
                                                                                 "EventPayloadTrade"), "event")
    write_tree(result.files, tmp_path / "out")
    feed = import_from(tmp_path / "out", "feed")
    try:
        adapter = TypeAdapter[Any](feed.models.EventPayload)
        trade = adapter.validate_json('{"event": "trade", "price": 3}')
        assert isinstance(trade, feed.models.EventPayloadTrade) and trade.price == 3
        with pytest.raises(ValidationError):
            adapter.validate_json('{"event": "trade", "seq": 3}')
    finally:
        forget(tmp_path / "out", "feed")
