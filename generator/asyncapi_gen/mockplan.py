"""What the generated mock does, decided from the spec: which replies it sends, its error reply, its state machine.

The mock is generic: it answers every valid message with one instance of each message the server sends on that
channel (the spec's example, else a value made valid from the schema); it answers an invalid message with the
server's error message where the spec has one (a server message whose name says "error"); and when a server
message has a required enum property named `state` or `status`, it walks those values: the first two on open,
the middle ones as the conversation goes, the last when a client message asks to end (a value containing "end",
"stop", "close", "terminate" or "hang").
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

from asyncapi_gen.fastcheck import model_check
from asyncapi_gen.ir import Api, Message, MessageKind, Operation, Role
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
    """A valid message for one client operation, shown in the package README."""

    sent_by: Operation  # the operation itself (its method is `sent_by.send_method`): templates look nothing up
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
    message_examples: tuple[ClientExample, ...] = ()  # one valid instance per data message model, for the README

    def first_reply(self, address: str) -> Reply | None:
        """The first reply the mock sends on address, if any (indexed once: templates ask per channel)."""
        return self._first_replies.get(address)

    @functools.cached_property
    def _first_replies(self) -> dict[str, Reply]:
        found: dict[str, Reply] = {}
        for reply in self.replies:
            found.setdefault(reply.address, reply)
        return found


def client_examples(api: Api) -> tuple[ClientExample, ...]:
    """The first message of each client-sent data operation, as JSON valid for its model."""
    defs = _defs(api)
    examples: list[ClientExample] = []
    for operation in api.data_operations_sent_by(Role.CLIENT):
        message = next((m for m in operation.messages if m.payload_model), None)
        text = _json(message, defs, api.binding.addressed) if message else None
        if message and message.payload_model and text is not None:
            examples.append(ClientExample(operation, _class_for(message, defs, text), text))
    return tuple(examples)


def plan_mock(api: Api) -> MockPlan:
    """Decide the mock's behaviour for api."""
    defs = _defs(api)
    replies: list[Reply] = []
    state: StateMachine | None = None
    error: ErrorReply | None = None
    for operation in api.operations_sent_by(Role.SERVER):
        address = operation.channel.address
        for message in operation.messages:
            if message.kind is not MessageKind.DATA or not message.payload_model:
                continue
            schema = _schema(defs, message.payload_model)
            text = _json(message, defs, api.binding.addressed)
            if text is None:
                continue  # neither the spec's example nor a made-up value is valid: the mock never sends it
            state_field = _state_field(schema)
            model = _class_for(message, defs, text)
            if state is None and state_field:
                values = tuple(str(v) for v in schema["properties"][state_field]["enum"])
                state = StateMachine(address, model, text, state_field, values)
            elif error is None and "error" in f"{message.key} {message.payload_model}".lower():
                error = ErrorReply(address, model, text, text_field(schema))
            else:
                replies.append(Reply(address, model, text))
    return MockPlan(tuple(replies), state, error, tuple(_end_signals(api, defs)), client_examples(api),
                    message_examples(api))


def message_examples(api: Api) -> tuple[ClientExample, ...]:
    """One valid instance of each data message's model (the operation that first carries it names it)."""
    defs = _defs(api)
    examples: dict[str, ClientExample] = {}
    for operation in api.operations:
        for message in operation.messages:
            model = message.payload_model
            if model and model not in examples and (text := _json(message, defs, api.binding.addressed)) is not None:
                examples[model] = ClientExample(operation, _class_for(message, defs, text), text)
    return tuple(examples.values())


def _json(message: Message, defs: dict[str, Any], every_property: bool = False) -> str | None:
    """JSON of a value valid for the message's model: its first valid example, else one made from the schema
    (with every property it describes when every_property, as the periodic messages of a broker mock have)."""
    name = message.payload_model or ""
    valid = model_check(defs, name)
    made = [sample(_schema(defs, name), defs, every_property=True)] if every_property else []
    candidates = [*message.examples, *made, sample(_schema(defs, name), defs)]
    chosen = next((value for value in candidates if valid(value)), _INVALID)
    return None if chosen is _INVALID else json.dumps(chosen, sort_keys=True, ensure_ascii=True)


_INVALID = object()


def _class_for(message: Message, defs: dict[str, Any], text: str) -> str:
    """The model class that JSON text is an instance of: the payload's own, or the union member it matches."""
    if len(message.payload_classes) <= 1:
        return message.payload_model or ""
    value = json.loads(text)
    for member in message.payload_classes:
        if model_check(defs, member)(value):
            return member
    return message.payload_classes[0]


def _state_field(schema: dict[str, Any]) -> str | None:
    properties = schema.get("properties") or {}
    for name in _STATE_FIELDS:
        spec = properties.get(name)
        if name in (schema.get("required") or ()) and isinstance(spec, dict) and len(spec.get("enum") or ()) >= 2:
            return name
    return None


def text_field(schema: dict[str, Any]) -> str | None:
    """The first required free-text property (a string with no const, enum or format): an error's message."""
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
            schema = _schema(defs, message.payload_model or "")
            for name, spec in (schema.get("properties") or {}).items():
                values = spec.get("enum", []) if isinstance(spec, dict) else []
                signals += [EndSignal(operation.channel.address, name, str(v))
                            for v in values if isinstance(v, str) and _END_WORDS.search(v)]
    return signals


def _defs(api: Api) -> dict[str, Any]:
    found = api.models_schema.get("$defs")
    return found if isinstance(found, dict) else {}


def _schema(defs: dict[str, Any], name: str) -> dict[str, Any]:
    """A definition as a dict; `true`/`false` schemas (anything / nothing) have no properties to plan with."""
    found = defs.get(name)
    return found if isinstance(found, dict) else {}
