"""What the generated mock does, decided from the spec: which replies it sends, its error reply, its state machine.

The mock is generic: it answers every valid message with one instance of each message the server sends on that
channel (the spec's example, else a value made valid from the schema); it answers an invalid message with the
server's error message where the spec has one (a server message whose name says "error"); and when a server
message has a required enum property named `state` or `status`, it walks those values: the first two on open,
the middle ones as the conversation goes, the last when a client message asks to end (a value containing "end",
"stop", "close", "terminate" or "hang").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from asyncapi_gen.ir import Api, Message, MessageKind, Role
from asyncapi_gen.samples import sample

_STATE_FIELDS = ("state", "status")
_END_WORDS = re.compile(r"end|stop|close|terminat|hang", re.IGNORECASE)


@dataclass(frozen=True)
class Reply:
    """One server message the mock can send: on which channel, which class, and its JSON."""

    address: str
    model: str
    json_text: str


@dataclass(frozen=True)
class ClientExample:
    """A valid message for one client operation (its method name), shown in the package README."""

    operation: str
    model: str
    json_text: str


@dataclass(frozen=True)
class StateMachine:
    """The server message that reports the session's state, and the values it walks through."""

    address: str
    model: str
    json_text: str
    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class ErrorReply:
    """The server message sent back for an invalid client message; `field` receives the error's text."""

    address: str
    model: str
    json_text: str
    field: str | None


@dataclass(frozen=True)
class EndSignal:
    """A client message value that asks the mock to end the session."""

    address: str
    field: str
    value: str


@dataclass(frozen=True)
class MockPlan:
    """Everything mock.py.jinja needs beyond the IR."""

    replies: tuple[Reply, ...]
    state: StateMachine | None
    error: ErrorReply | None
    end_signals: tuple[EndSignal, ...]
    client_examples: tuple[ClientExample, ...]  # one valid message per client-sent data operation, for the README


def client_examples(api: Api) -> tuple[ClientExample, ...]:
    """The first message of each client-sent data operation, as JSON valid for its model."""
    defs: dict[str, Any] = api.models_schema.get("$defs", {})
    examples: list[ClientExample] = []
    for operation in api.operations_sent_by(Role.CLIENT):
        message = next((m for m in operation.messages if m.kind is MessageKind.DATA and m.payload_model), None)
        if message and message.payload_model:
            schema = defs.get(message.payload_model, {})
            examples.append(ClientExample(operation.client_method, message.payload_model, _json(message, schema, defs)))
    return tuple(examples)


def plan_mock(api: Api) -> MockPlan:
    """Decide the mock's behaviour for api."""
    defs: dict[str, Any] = api.models_schema.get("$defs", {})
    replies: list[Reply] = []
    state: StateMachine | None = None
    error: ErrorReply | None = None
    for operation in api.operations_sent_by(Role.SERVER):
        address = _address(api, operation.channel)
        for message in operation.messages:
            if message.kind is not MessageKind.DATA or not message.payload_model:
                continue
            schema = defs.get(message.payload_model, {})
            text = _json(message, schema, defs)
            state_field = _state_field(schema)
            if state is None and state_field:
                values = tuple(str(v) for v in schema["properties"][state_field]["enum"])
                state = StateMachine(address, message.payload_model, text, state_field, values)
            elif error is None and "error" in f"{message.key} {message.payload_model}".lower():
                error = ErrorReply(address, message.payload_model, text, _text_field(schema))
            else:
                replies.append(Reply(address, message.payload_model, text))
    return MockPlan(tuple(replies), state, error, tuple(_end_signals(api, defs)), client_examples(api))


def _address(api: Api, channel_name: str) -> str:
    return next(c.address for c in api.channels if c.name == channel_name)


def _json(message: Message, schema: dict[str, Any], defs: dict[str, Any]) -> str:
    value = message.examples[0] if message.examples else sample(schema, defs)
    return json.dumps(value, sort_keys=True, ensure_ascii=True)


def _state_field(schema: dict[str, Any]) -> str | None:
    properties = schema.get("properties") or {}
    for name in _STATE_FIELDS:
        spec = properties.get(name)
        if name in (schema.get("required") or ()) and isinstance(spec, dict) and len(spec.get("enum") or ()) >= 2:
            return name
    return None


def _text_field(schema: dict[str, Any]) -> str | None:
    properties = schema.get("properties") or {}
    for name in schema.get("required") or ():
        spec = properties.get(name)
        if isinstance(spec, dict) and spec.get("type") == "string" and not {"const", "enum", "format"} & set(spec):
            return str(name)
    return None


def _end_signals(api: Api, defs: dict[str, Any]) -> list[EndSignal]:
    signals: list[EndSignal] = []
    for operation in api.operations_sent_by(Role.CLIENT):
        for message in operation.messages:
            schema = defs.get(message.payload_model or "", {})
            for name, spec in (schema.get("properties") or {}).items():
                values = spec.get("enum", []) if isinstance(spec, dict) else []
                signals += [EndSignal(_address(api, operation.channel), name, str(v))
                            for v in values if isinstance(v, str) and _END_WORDS.search(v)]
    return signals
