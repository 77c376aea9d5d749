"""What the package's web page shows and sends, decided from the IR (and the mock's plan): data for one template.

The page (templates/web/) is generic JS. It reads one JSON description made here, never spec text spliced into
code: the media sections to offer, in the order the server maps them; the data channels to open; one control
per data operation the client sends (a button per value of a message's constant or enum type field, else a
JSON editor pre-filled with a valid message); how to recognise each message the server sends (its constant
properties), which of them reports the session's state, which are errors, and which field carries its text.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from asyncapi_gen.fastcheck import model_check
from asyncapi_gen.ir import Api, Channel, Message, MessageKind, Operation, Role
from asyncapi_gen.mockplan import MockPlan, text_field
from asyncapi_gen.samples import sample


@dataclass(frozen=True)
class MediaSection:
    """One transceiver of the offer, in channel order (the server pairs the i-th section with its i-th channel)."""

    address: str
    kind: str  # audio | video
    codec: str
    direction: str  # seen from the page: sendrecv | sendonly | recvonly


@dataclass(frozen=True)
class Button:
    """A button that sends one fixed, schema-valid message."""

    label: str
    message: Any
    ends: bool  # the value asks the server to end the session (the page then expects it to hang up)


@dataclass(frozen=True)
class Control:
    """What the page offers for one message of a client-sent data operation: buttons, or an editor."""

    address: str
    title: str
    description: str
    buttons: tuple[Button, ...]
    editor: str | None  # pre-filled JSON text (pretty), when the message is not a set of buttons


@dataclass(frozen=True)
class Received:
    """One kind of message the server sends: how to recognise it and how to show it."""

    address: str
    name: str
    fixed: dict[str, Any]  # properties with one allowed value: a message matches when it has all of them
    text_field: str | None  # the free-text property shown as the line's text
    role: str  # state | error | event


@dataclass(frozen=True)
class StateReport:
    """The message that reports the session's state, the field that holds it, and its values in order."""

    address: str
    field: str
    fixed: dict[str, Any]
    values: tuple[str, ...]


@dataclass(frozen=True)
class WebPlan:
    """Everything the page needs, as one JSON-able value."""

    title: str
    version: str
    session_endpoint: str
    media: tuple[MediaSection, ...]
    data_channels: tuple[str, ...]
    controls: tuple[Control, ...]
    received: tuple[Received, ...]
    state: StateReport | None

    def as_json(self) -> dict[str, Any]:
        """The plan as plain JSON data (tuples become lists)."""
        return asdict(self)


def plan_web(api: Api, mock: MockPlan) -> WebPlan:
    """Decide the page's media, channels, controls and received messages for api."""
    defs = _defs(api)
    media = tuple(_media_section(channel) for channel in api.channels if channel.media)
    data_channels = tuple(channel.address for channel in api.channels if not channel.media)
    ends = {(signal.address, signal.field, signal.value) for signal in mock.end_signals}
    controls = tuple(control for operation in api.data_operations_sent_by(Role.CLIENT)
                     for message in operation.messages
                     if (control := _control(operation, message, defs, ends)) is not None)
    received = tuple(_received(api, mock, defs))
    state = None
    if mock.state is not None:
        state = StateReport(mock.state.address, mock.state.field, _fixed(_schema(defs, mock.state.model)),
                            mock.state.values)
    return WebPlan(api.title, api.version, api.session_endpoint, media, data_channels,
                   controls, received, state)


def label(value: str) -> str:
    """A button's text for an enum value: `end_session` -> `End session`, `startRecording` -> `Start recording`."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", value)
    text = " ".join(re.sub(r"[_\-.]+", " ", spaced).split()).lower()
    return text[:1].upper() + text[1:] if text else value


def _media_section(channel: Channel) -> MediaSection:
    if channel.client_sends and channel.server_sends:
        direction = "sendrecv"
    elif channel.client_sends:
        direction = "sendonly"
    else:
        direction = "recvonly"
    return MediaSection(channel.address, channel.kind.value, channel.codec or "", direction)


def _control(operation: Operation, message: Message, defs: dict[str, Any],
             ends: set[tuple[str, str, str]]) -> Control | None:
    address = operation.channel.address
    title = message.title or message.name or operation.summary or operation.subject
    description = message.summary or operation.summary or message.description
    if message.kind is not MessageKind.DATA:
        return None
    if not message.payload_model:
        first = message.examples[0] if message.examples else {}
        return Control(address, title, description, (), json.dumps(first, indent=2, sort_keys=True))
    schema = _schema(defs, message.payload_model)
    valid = model_check(defs, message.payload_model)
    base = next((v for v in [*message.examples, sample(schema, defs)] if valid(v)), None)
    field = _type_field(schema)
    if field is not None and isinstance(base, dict):
        values = _choices(schema["properties"][field])
        buttons = tuple(Button(label(value), {**base, field: value}, (address, field, value) in ends)
                        for value in values if valid({**base, field: value}))
        if buttons:
            return Control(address, title, description, buttons, None)
    editor = json.dumps(base if base is not None else {}, indent=2, sort_keys=True)
    return Control(address, title, description, (), editor)


def _type_field(schema: dict[str, Any]) -> str | None:
    """The message's only required property, when it has fixed string choices (const or enum): one button each.

    A message that requires more than its type needs values a button cannot choose, so it gets an editor.
    """
    required = [name for name in schema.get("required") or () if isinstance(name, str)]
    spec = (schema.get("properties") or {}).get(required[0]) if len(required) == 1 else None
    return required[0] if isinstance(spec, dict) and _choices(spec) else None


def _choices(spec: dict[str, Any]) -> list[str]:
    if "const" in spec:
        return [spec["const"]] if isinstance(spec["const"], str) else []
    values = spec.get("enum")
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def _received(api: Api, mock: MockPlan, defs: dict[str, Any]) -> list[Received]:
    state_model = mock.state.model if mock.state else None
    error_model = mock.error.model if mock.error else None
    found: list[Received] = []
    for operation in api.data_operations_sent_by(Role.SERVER):
        for message in operation.messages:
            classes = message.payload_classes or ((message.payload_model,) if message.payload_model else ())
            for model in classes:
                schema = _schema(defs, model)
                role = "state" if model == state_model else "error" if model == error_model else "event"
                name = (message.title or message.name) if len(classes) == 1 else model
                found.append(Received(operation.channel.address, name, _fixed(schema), text_field(schema), role))
    return found


def _fixed(schema: dict[str, Any]) -> dict[str, Any]:
    """The properties a message of this schema always has with the same value (const, or a one-value enum)."""
    properties = schema.get("properties") or {}
    fixed: dict[str, Any] = {}
    for name in schema.get("required") or ():
        spec = properties.get(name)
        if isinstance(spec, dict) and "const" in spec:
            fixed[name] = spec["const"]
        elif isinstance(spec, dict) and isinstance(spec.get("enum"), list) and len(spec["enum"]) == 1:
            fixed[name] = spec["enum"][0]
    return fixed


def _defs(api: Api) -> dict[str, Any]:
    found = api.models_schema.get("$defs")
    return found if isinstance(found, dict) else {}


def _schema(defs: dict[str, Any], name: str) -> dict[str, Any]:
    found = defs.get(name)
    return found if isinstance(found, dict) else {}
