"""Turn a validated document into the IR: names made once, messages typed, payload models and unions planned."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from asyncapi_gen import v2, v3
from asyncapi_gen.diagnostics import Diagnostic, join_pointer, unescape_pointer_token
from asyncapi_gen.ir import (
    Api,
    Channel,
    ChannelBindings,
    ChannelParameter,
    Message,
    MessageKind,
    Operation,
    Payload,
    Role,
    Route,
    Server,
    Transport,
    Union,
)
from asyncapi_gen.names import NameTable, pascal_name, snake_name, words
from asyncapi_gen.raw import RawChannel, RawOperation, apply_traits
from asyncapi_gen.refs import Location, Resolver, lookup
from asyncapi_gen.schemas import ModelSchemaBuilder, is_json_schema_format
from asyncapi_gen.transports import binding_for

# type/subtype, then optional `; name=value` parameters (RFC 6838 characters); anything else is refused, since the
# subtype becomes a codec name in generated code.
_MIME = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=[^;\s\"]+)*")
_WEBSOCKET_PROTOCOLS = frozenset({"ws", "wss"})
_MQTT_PROTOCOLS = frozenset({"mqtt", "mqtts", "secure-mqtt", "mqtt5"})
_AMQP_PROTOCOLS = frozenset({"amqp", "amqps"})
_NATS_PROTOCOLS = frozenset({"nats", "tls"})
_REDIS_PROTOCOLS = frozenset({"redis", "rediss"})
_KAFKA_PROTOCOLS = frozenset({"kafka", "kafka-secure"})
_ONE_PARAMETER = re.compile(r"\{[^{}]+\}")
_VERBS = frozenset({"receive", "send", "publish", "subscribe", "on", "handle", "get", "emit"})


def normalize(resolver: Resolver, package: str, distribution: str,
              transport: Transport | None = None, describes: Role | None = None) -> tuple[Api, list[Diagnostic]]:
    """The IR of the main document, plus warnings (errors only for what validation cannot have caught).

    transport overrides the choice made from the document (its `x-asyncapi-gen-transport`, else its media and
    server protocols).
    """
    data = resolver.main.data
    builder = ModelSchemaBuilder(resolver)
    builder.add_components()
    if str(data.get("asyncapi", "")).startswith("3."):
        servers = v3.read_servers(resolver)
        raw_channels, raw_operations = v3.read_channels(resolver)
    else:
        servers = v2.read_servers(resolver)
        raw_channels, raw_operations = v2.read_channels(resolver)
    state = _State(resolver, builder, data.get("defaultContentType"), _binding_keys(_protocol(servers)))
    side, side_diagnostics = _described_side(resolver, describes)
    state.diagnostics += side_diagnostics
    if side is Role.CLIENT:
        # The document's application is the client of the connection: what it sends, our client sends.
        raw_operations = [dataclasses.replace(raw, sender=raw.sender.other) for raw in raw_operations]
    drafts = _paired([state.operation(raw) for raw in raw_operations],
                     {raw.name: raw.address for raw in raw_channels})
    channels = {raw.name: state.channel(raw, drafts) for raw in raw_channels}
    operations = [draft.linked(channels[draft.raw.channel]) for draft in drafts if draft.raw.channel in channels]
    info = data.get("info") if isinstance(data.get("info"), dict) else {}
    api = Api(
        title=str(info.get("title", "")),
        version=str(info.get("version", "")),
        description=str(info.get("description", "") or ""),
        asyncapi_version=str(data.get("asyncapi")),
        spec_file=resolver.main.path.name,
        spec_sha256=resolver.main.sha256,
        package=package,
        distribution=distribution,
        servers=tuple(servers),
        channels=tuple(channels.values()),
        operations=tuple(operations),
        messages=tuple(state.messages.values()),
        unions=tuple(state.unions),
        models_schema=builder.root_schema(),
        model_names=tuple(sorted(set(builder.defs) - set(state.replaced))),
        binding=binding_for(Transport.NONE),
        protocol=_protocol(servers),
        session_endpoint=_session_endpoint(data, servers),
    )
    chosen, diagnostics = _transport(resolver, api, transport)
    state.diagnostics += diagnostics + builder.diagnostics
    if api.has_media() and not binding_for(chosen).media:
        state.diagnostics.append(resolver.main.diagnostic(
            "media-not-carried", f"the {chosen.value} transport carries no audio or video: the document's media "
            "operations get no methods", "", warning=True))
    carries_headers = binding_for(chosen).addressed and binding_for(chosen).headers
    if not carries_headers and any(m.headers_model for m in api.messages):
        state.diagnostics.append(resolver.main.diagnostic(
            "headers-not-carried", f"the {chosen.value} transport sends a message as its payload alone: the "
            "document's message headers are typed in models.py but not sent or received", "", warning=True))
    if binding_for(chosen).addressed and not binding_for(chosen).headers:
        api = _without_headers(api)
    if binding_for(chosen).keyed:
        api = _keyed(api)
    api = dataclasses.replace(api, binding=binding_for(chosen))
    return api, state.diagnostics


def _without_headers(api: Api) -> Api:
    """The API with no message headers to send or receive (their models stay in models.py): for an addressed
    transport whose messages carry none (Redis pub/sub), so that no method takes headers it would drop and no
    hook is typed as given headers that never arrive."""
    def bare(messages: tuple[Message, ...]) -> tuple[Message, ...]:
        return tuple(dataclasses.replace(m, headers_model=None) for m in messages)

    channels = {c.name: dataclasses.replace(c, client_routes=tuple(dataclasses.replace(r, headers=()) for r in
                                                                   c.client_routes),
                                            server_routes=tuple(dataclasses.replace(r, headers=()) for r in
                                                                c.server_routes))
                for c in api.channels}
    operations = tuple(dataclasses.replace(op, channel=channels[op.channel.name], messages=bare(op.messages))
                       for op in api.operations)
    return dataclasses.replace(api, channels=tuple(channels.values()), operations=operations,
                               messages=bare(api.messages))


def _keyed(api: Api) -> Api:
    """The API with a key on every data message (a transport whose records have one, Kafka): send methods take
    it and hooks are given it."""
    channels = {c.name: dataclasses.replace(c, client_routes=tuple(dataclasses.replace(r, keyed=True) for r in
                                                                   c.client_routes),
                                            server_routes=tuple(dataclasses.replace(r, keyed=True) for r in
                                                                c.server_routes))
                for c in api.channels}
    operations = tuple(dataclasses.replace(op, channel=channels[op.channel.name], keyed=True)
                       for op in api.operations)
    return dataclasses.replace(api, channels=tuple(channels.values()), operations=operations)


@dataclasses.dataclass(frozen=True)
class _Draft:
    """An operation before its channel is built (the channel's routes are made from the operations)."""

    raw: RawOperation
    op_id: str
    messages: tuple[Message, ...]
    payload: Payload | None
    subject: str
    replied_by: str = ""  # a request: the subject of the other side's draft that answers it
    answers: str = ""  # a reply: the subject of the request it answers

    @property
    def correlated(self) -> bool:
        return any(m.correlation_id for m in self.messages)

    def linked(self, channel: Channel) -> Operation:
        hook = "on_" + self.subject
        routed = self.payload is None or any(r.hook == hook for r in channel.routes_to(self.raw.sender.other))
        return Operation(self.op_id, channel, self.raw.sender, self.messages, self.raw.summary,
                         self.raw.description, self.payload, self.subject, self.subject.replace("_", " "), routed,
                         self.replied_by, self.answers)


def _paired(drafts: list[_Draft], addresses: dict[str, str]) -> list[_Draft]:
    """The drafts with each request linked to the other side's operation that answers it.

    A 3.0 `reply` names its request. Without one, a correlated operation is a request when the other side sends a
    correlated operation on a channel whose address is nothing but one parameter: a reply queue (or topic) that the
    request names in its `reply_to`, as in AsyncAPI's rpc-server and rpc-client examples.
    """
    by_key = {draft.raw.op_id: draft for draft in drafts if draft.raw.op_id}
    pairs = [(by_key[d.raw.reply_of], d) for d in drafts if d.raw.reply_of and d.raw.reply_of in by_key]
    if not pairs:
        replies = [d for d in drafts if d.correlated and _ONE_PARAMETER.fullmatch(addresses.get(d.raw.channel, ""))]
        for request in (d for d in drafts if d.correlated and d not in replies):
            reply = next((d for d in replies if d.raw.sender is request.raw.sender.other), None)
            if reply is not None:
                pairs.append((request, reply))
    replied_by = {id(request): reply.subject for request, reply in pairs}
    answers = {id(reply): request.subject for request, reply in pairs}
    return [dataclasses.replace(d, replied_by=replied_by.get(id(d), ""), answers=answers.get(id(d), ""))
            for d in drafts]


class _State:
    """What normalization accumulates: messages by location, names in use, unions, diagnostics."""

    def __init__(self, resolver: Resolver, builder: ModelSchemaBuilder, default_content_type: Any,
                 binding_keys: tuple[str, ...] = ()) -> None:
        self.resolver = resolver
        self.binding_keys = binding_keys  # the `bindings` keys of the servers' protocol (`mqtt`, `mqtt5`)
        self.builder = builder
        self.default_content_type = default_content_type if isinstance(default_content_type, str) else None
        self.messages: dict[tuple[str, str], Message] = {}
        self.unions: list[Union] = []
        self.replaced: dict[str, tuple[str, ...]] = {}  # payload definitions written as union aliases instead
        self.diagnostics: list[Diagnostic] = []
        self.method_names = NameTable(frozenset({"connect", "close", "send", "messages", "errors"}))
        self.message_keys = NameTable()
        # Hooks are `on_<subject>` and server sends are `send_<subject>`: keep clear of the fixed hook names.
        # One namespace per sender: `send_x` (client) and `receive_x` (client) or `on_x` hooks never meet.
        reserved = frozenset({"open", "close", "error", "raw"})
        self.subjects = {role: NameTable(reserved) for role in Role}
        # CHANNELS is the table of them all; MAX_DURATION_SECONDS is a constant of the client and server modules.
        self.channel_names = NameTable(frozenset({"channels", "max_duration_seconds"}))

    def operation(self, raw: RawOperation) -> _Draft:
        op_id = raw.op_id or f"{raw.action} {raw.channel}"
        messages = tuple(self.message(data, location, op_id) for data, location in raw.messages)
        # Without an operationId, a lone message's name says more than `subscribe /v1/...` does.
        naming = raw.op_id or (messages[0].name if len(messages) == 1 else op_id)
        subject = self.subjects[raw.sender].claim(snake_name(" ".join(_without_verb(naming)), "message"))
        return _Draft(raw, op_id, messages, self._payload_type(naming, messages), subject)

    def channel(self, raw: RawChannel, drafts: list[_Draft]) -> Channel:
        mine = [draft for draft in drafts if draft.raw.channel == raw.name]
        kinds = {_kind_of(draft.messages) for draft in mine if draft.messages}
        media = sorted(m.codec or "" for draft in mine for m in draft.messages if m.codec)
        if len(kinds) > 1:
            self.diagnostics.append(raw.location.file.diagnostic(
                "channel-mixed-kinds", f"channel {raw.name!r} mixes media and data messages", raw.location.pointer))
        kind = kinds.pop() if len(kinds) == 1 else MessageKind.DATA
        return Channel(
            raw.name, raw.address, self.channel_names.claim(snake_name(raw.address, "channel")), raw.description,
            kind, media[0] if media else None,
            client_sends=any(draft.raw.sender is Role.CLIENT for draft in mine),
            server_sends=any(draft.raw.sender is Role.SERVER for draft in mine),
            client_routes=self._routes(raw, [draft for draft in mine if draft.raw.sender is Role.SERVER]),
            server_routes=self._routes(raw, [draft for draft in mine if draft.raw.sender is Role.CLIENT]),
            parameters=self._parameters(raw),
            bindings=ChannelBindings(
                self._binding(raw.bindings),
                self._binding(*(draft.raw.bindings for draft in mine if draft.raw.sender is Role.CLIENT)),
                self._binding(*(draft.raw.bindings for draft in mine if draft.raw.sender is Role.SERVER))),
        )

    def _binding(self, *bindings: dict[str, Any]) -> str:
        """The protocol's bindings among bindings, merged in order (later operations win), as sorted JSON."""
        merged: dict[str, Any] = {}
        for by_protocol in bindings:
            for key in self.binding_keys:
                if isinstance(by_protocol.get(key), dict):
                    merged.update(by_protocol[key])
        return json.dumps(merged, sort_keys=True, ensure_ascii=True, default=str)

    def _routes(self, raw: RawChannel, drafts: list[_Draft]) -> tuple[Route, ...]:
        """The receiving side's hooks for the data operations sent on one channel, typed ones first.

        A message goes to the first route whose classes it is an instance of, and an untyped operation takes
        whatever no typed one did. An operation whose every message an earlier one already takes can never be
        told apart from it: it gets no route, and a warning says so.
        """
        typed = [draft for draft in drafts if draft.payload is not None and draft.payload.typed]
        untyped = [draft for draft in drafts if draft.payload is not None and not draft.payload.typed]
        routes: list[Route] = []
        taken: set[str] = set()
        for draft in typed + untyped:
            assert draft.payload is not None
            classes = set(draft.payload.classes)
            if draft.payload.typed and classes <= taken:
                earlier = next(r.hook for r in routes if classes & set(r.payload.classes))
            elif not draft.payload.typed and routes and not routes[-1].payload.typed:
                earlier = routes[-1].hook
            else:
                taken |= classes
                routes.append(Route("on_" + draft.subject, draft.payload,
                                    tuple(dict.fromkeys(m.headers_model for m in draft.messages if m.headers_model)),
                                    draft.correlated, bool(draft.replied_by)))
                continue
            self.diagnostics.append(raw.location.file.diagnostic(
                "operation-indistinguishable",
                f"operation {draft.op_id!r} carries only messages that an earlier operation on channel "
                f"{raw.name!r} also carries: they all reach {earlier}", draft.raw.location.pointer, warning=True))
        return tuple(routes)

    def _parameters(self, raw: RawChannel) -> tuple[ChannelParameter, ...]:
        """The address's `{name}` placeholders, in order, typed from the channel's `parameters`."""
        channel, location = self.resolver.deref(lookup(raw.location.file.data, raw.location.pointer), raw.location)
        declared = channel.get("parameters") if isinstance(channel, dict) else None
        declared = declared if isinstance(declared, dict) else {}
        names = NameTable(frozenset({"self", "address", "quote", "str"}))  # names the address helper uses
        found: list[ChannelParameter] = []
        for name in dict.fromkeys(re.findall(r"\{([^{}]+)\}", raw.address)):
            spec, _ = self.resolver.deref(declared.get(name, {}),
                                          Location(location.file, join_pointer(location.pointer, "parameters", name)))
            spec = spec if isinstance(spec, dict) else {}
            schema, _ = self.resolver.deref(spec.get("schema", {}), location)
            schema = schema if isinstance(schema, dict) else {}
            found.append(ChannelParameter(name, names.claim(snake_name(name, "parameter")),
                                          str(spec.get("description") or schema.get("description") or ""),
                                          *_parameter_type(spec.get("enum") or schema.get("enum"), schema.get("type"))))
        return tuple(found)

    def message(self, data: Any, location: Location, op_id: str) -> Message:
        key = (location.file.display, location.pointer)
        if key in self.messages:
            return self.messages[key]
        body = data if isinstance(data, dict) else {}
        body, origins = apply_traits(self.resolver, body, location)
        parent, last = location.pointer.rsplit("/", 2)[-2:] if location.pointer.count("/") > 1 else ("", "")
        # A message written under a `messages` map (components; 3.0 channels) is named by its key.
        fallback = unescape_pointer_token(last) if parent == "messages" else f"{op_id} message"
        name = str(body.get("name") or body.get("messageId") or fallback)
        content_type = str(body.get("contentType") or self.default_content_type or "application/json")
        if not _MIME.fullmatch(content_type):
            # The codec of a media type becomes a name in generated code: refuse; for data it is only a label.
            media = content_type.lower().startswith(("audio/", "video/"))
            pointer = join_pointer(location.pointer, "contentType") if "contentType" in body else "/defaultContentType"
            self.diagnostics.append(location.file.diagnostic(
                "invalid-content-type", f"content type {content_type!r} is not a MIME type like 'application/json'",
                pointer, warning=not media))
        kind = _kind(content_type)
        payload_model = None
        if kind is MessageKind.DATA and "payload" in body:
            payload, payload_location, schema_format = self._payload(body, origins, location)
            if self._payload_is_json_schema(schema_format):
                merged = isinstance(payload, dict) and "$ref" not in payload and \
                    lookup(payload_location.file.data, payload_location.pointer) is not payload
                add = self.builder.add_schema if merged else self.builder.add_payload  # merged: written nowhere
                payload_model = add(payload, payload_location, name + " payload")
        examples = tuple(e["payload"] for e in body.get("examples") or () if isinstance(e, dict) and "payload" in e)
        headers_model = self._headers_model(body, origins, location, name)
        correlation, _ = self.resolver.deref(body.get("correlationId"), location)
        correlation_id = str(correlation.get("location", "")) if isinstance(correlation, dict) else ""
        message = Message(self.message_keys.claim(pascal_name(name, "Message")), name, str(body.get("title", "")),
                          str(body.get("summary", "")), str(body.get("description", "")), content_type, kind,
                          payload_model, examples, headers_model, correlation_id,
                          self._payload_classes(payload_model) if payload_model else ())
        self.messages[key] = message
        return message

    def _headers_model(self, body: dict[str, Any], origins: dict[str, Location], location: Location,
                       name: str) -> str | None:
        """The model of a message's `headers` schema, from the message itself or its traits (None without one).

        Headers a trait gives whole are read where the trait writes them (one model for every message of the
        trait, named after it); headers merged from the message and its traits are a schema of their own.
        """
        if not isinstance(body.get("headers"), dict):
            return None
        written = origins.get("headers") or Location(location.file, join_pointer(location.pointer, "headers"))
        headers, where = self.resolver.deref(body["headers"], written)
        if isinstance(headers, dict) and "schema" in headers and "schemaFormat" in headers:  # 3.0 multi-format
            headers, where = headers["schema"], Location(where.file, join_pointer(where.pointer, "schema"))
        if lookup(where.file.data, where.pointer) is not headers:
            return self.builder.add_schema(headers, where, name + " headers")  # merged: written nowhere
        trait = where.pointer.split("/messageTraits/", 1)[1].split("/", 1)[0] if "/messageTraits/" in where.pointer \
            else None
        return self.builder.add_payload(headers, where, unescape_pointer_token(trait) if trait else name + " headers")

    def _payload_classes(self, model: str) -> tuple[str, ...]:
        """The classes a payload model may be: itself, or the members of the discriminated union it becomes.

        A payload schema that is nothing but a `oneOf` of object schemas, each fixing one property to its own
        constant, is written as `Market = Annotated[Heartbeat | Update, Field(discriminator="type")]`, not as a
        root model: one clear error for a bad message, and no `.root` to unwrap.
        """
        if model in self.replaced:
            return self.replaced[model]
        branches = self.builder.union_branches(model)
        discriminator = _discriminator(branches) if branches else None
        if branches is None or discriminator is None:
            return (model,)
        members = self.builder.union_members(model, [str(_constant(b, discriminator)) for b in branches])
        self.replaced[model] = members
        description = str(self.builder.definition(model).get("description") or f"One of {', '.join(members)}.")
        self.unions.append(Union(model, members, discriminator, description, replaces_definition=True))
        return members

    def _payload(self, body: dict[str, Any], origins: dict[str, Location],
                 location: Location) -> tuple[Any, Location, tuple[Any, Location]]:
        """The payload schema, where it is, and its schemaFormat with where that is written.

        2.x puts `schemaFormat` on the message; 3.0 wraps the schema in a Multi Format Schema Object
        `{schemaFormat, schema}`, possibly behind a `$ref`.
        """
        payload_location = origins.get("payload") or Location(location.file, join_pointer(location.pointer, "payload"))
        schema_format = (body.get("schemaFormat"), Location(location.file, join_pointer(location.pointer,
                                                                                        "schemaFormat")))
        payload, target = self.resolver.deref(body["payload"], payload_location)
        if isinstance(payload, dict) and "schemaFormat" in payload and "schema" in payload:
            format_location = Location(target.file, join_pointer(target.pointer, "schemaFormat"))
            return payload["schema"], Location(target.file, join_pointer(target.pointer, "schema")), (
                payload["schemaFormat"], format_location)
        return body["payload"], payload_location, schema_format

    def _payload_is_json_schema(self, schema_format: tuple[Any, Location]) -> bool:
        value, format_location = schema_format
        if is_json_schema_format(value):
            return True
        self.diagnostics.append(format_location.file.diagnostic(
            "schema-format-unsupported",
            f"payload schemaFormat {value!r} is not JSON Schema: the payload is typed as Any",
            format_location.pointer, warning=True))
        return False

    def _payload_type(self, op_id: str, messages: tuple[Message, ...]) -> Payload | None:
        if any(m.kind is not MessageKind.DATA for m in messages):
            return None
        models = tuple(dict.fromkeys(m.payload_model for m in messages if m.payload_model))
        if not messages or any(m.payload_model is None for m in messages):
            return Payload(None, ())  # no message described, or one without a JSON Schema payload: any JSON
        if len(models) == 1:
            return Payload(models[0], messages[0].payload_classes)
        models = tuple(dict.fromkeys(c for m in messages for c in m.payload_classes))
        name = self.builder.names.claim(pascal_name(" ".join(_without_verb(op_id)), "Messages"))
        discriminator = _discriminator([self.builder.definition(m) for m in models])
        self.unions.append(Union(name, models, discriminator, f"The messages of operation {op_id!r}."))
        return Payload(name, models)


_BINDING_KEYS = {"mqtts": ("mqtt",), "secure-mqtt": ("mqtt",), "mqtt": ("mqtt", "mqtt5"), "mqtt5": ("mqtt5", "mqtt"),
                 "amqps": ("amqp",), "kafka-secure": ("kafka",), "rediss": ("redis",), "tls": ("nats",)}


def _binding_keys(protocol: str) -> tuple[str, ...]:
    """The `bindings` keys that speak of a protocol (an `mqtts` server reads the `mqtt` bindings)."""
    return _BINDING_KEYS.get(protocol, (protocol,) if protocol else ())


def _protocol(servers: list[Server]) -> str:
    protocols = sorted({server.protocol.lower() for server in servers if server.protocol})
    websocket = [p for p in protocols if p in _WEBSOCKET_PROTOCOLS]
    return (websocket or protocols or [""])[0]


def _transport(resolver: Resolver, api: Api, override: Transport | None) -> tuple[Transport, list[Diagnostic]]:
    """The override, else `x-asyncapi-gen-transport`, else WebRTC for media, WebSocket for ws/wss (or no servers)."""
    if override is not None:
        return override, []
    declared = resolver.main.data.get("x-asyncapi-gen-transport")
    if declared is not None:
        try:
            return Transport(str(declared)), []
        except ValueError:
            choices = ", ".join(t.value for t in Transport)
            return _default_transport(api), [resolver.main.diagnostic(
                "invalid-transport", f"x-asyncapi-gen-transport must be one of {choices}, not {declared!r}",
                "/x-asyncapi-gen-transport")]
    return _default_transport(api), []


def _described_side(resolver: Resolver, override: Role | None) -> tuple[Role, list[Diagnostic]]:
    """Which end of the connection the document's application is: the option, else `x-asyncapi-gen-describes`,
    else the server (AsyncAPI documents most often describe the service)."""
    if override is not None:
        return override, []
    declared = resolver.main.data.get("x-asyncapi-gen-describes")
    if declared is None:
        return Role.SERVER, []
    try:
        return Role(str(declared)), []
    except ValueError:
        return Role.SERVER, [resolver.main.diagnostic(
            "invalid-describes", f"x-asyncapi-gen-describes must be server or client, not {declared!r}",
            "/x-asyncapi-gen-describes")]


def _default_transport(api: Api) -> Transport:
    if api.has_media():
        return Transport.WEBRTC
    if api.protocol in _WEBSOCKET_PROTOCOLS or not api.protocol:
        return Transport.WEBSOCKET
    if api.protocol in _MQTT_PROTOCOLS:
        return Transport.MQTT
    if api.protocol in _AMQP_PROTOCOLS:
        return Transport.AMQP
    if api.protocol in _NATS_PROTOCOLS:
        return Transport.NATS
    if api.protocol in _REDIS_PROTOCOLS:
        return Transport.REDIS
    if api.protocol in _KAFKA_PROTOCOLS:
        return Transport.KAFKA
    return Transport.NONE


def _without_verb(name: str) -> list[str]:
    """The words of an operation's name without a leading verb: `receiveSessionEvent` -> session, event."""
    found = words(name)
    return found[1:] if len(found) > 1 and found[0].lower() in _VERBS else found


_SCALARS = frozenset({"string", "integer", "number", "boolean"})


def _parameter_type(enum: Any, json_type: Any) -> tuple[str, tuple[str | int, ...]]:
    """A parameter's JSON type and, when its enum lists strings or integers only, those values."""
    kind = str(json_type) if json_type in _SCALARS else "string"
    if isinstance(enum, list) and enum and all(isinstance(v, str | int) and not isinstance(v, bool) for v in enum):
        return kind, tuple(dict.fromkeys(enum))
    return kind, ()


def _kind_of(messages: tuple[Message, ...]) -> MessageKind:
    return messages[0].kind if messages else MessageKind.DATA


_SESSION_ENDPOINT = re.compile(r"\bPOST\s+(/[A-Za-z0-9._~/-]*)")


def _session_endpoint(data: dict[str, Any], servers: list[Server]) -> str:
    """The HTTP path that hands out sessions: `x-asyncapi-gen-session-endpoint`, else a `POST /path` that the
    servers' descriptions name (Runway: "returned by the POST /v1/realtime_sessions endpoint"), else /sessions."""
    declared = data.get("x-asyncapi-gen-session-endpoint")
    if isinstance(declared, str) and re.fullmatch(r"/[A-Za-z0-9._~/-]*", declared):
        return declared
    texts = [server.description for server in servers]
    texts += [variable.description for server in servers for variable in server.variables]
    found = next((match.group(1) for text in texts if (match := _SESSION_ENDPOINT.search(text))), None)
    return found or "/sessions"


def _kind(content_type: str) -> MessageKind:
    lowered = content_type.lower()
    if lowered.startswith("audio/"):
        return MessageKind.AUDIO
    if lowered.startswith("video/"):
        return MessageKind.VIDEO
    return MessageKind.DATA


def _discriminator(schemas: list[dict[str, Any]]) -> str | None:
    """The property every member requires and fixes to a distinct constant, if there is one."""
    if not schemas:
        return None
    parts = [schemas[0], *(p for p in schemas[0].get("allOf") or () if isinstance(p, dict))]
    candidates = list(dict.fromkeys(p for part in parts for p in (part.get("properties") or {}) if isinstance(p, str)))
    for prop in candidates:
        values = [_constant(s, prop) for s in schemas]
        if all(v is not None for v in values) and len(set(values)) == len(values):
            return prop
    return None


def _constant(schema: dict[str, Any], prop: str) -> str | None:
    """The constant a schema fixes prop to, looking through inline allOf parts (where discriminators land)."""
    parts = [schema, *(p for p in schema.get("allOf") or () if isinstance(p, dict))]
    if not any(prop in (part.get("required") or ()) for part in parts):
        return None
    for part in parts:
        spec = (part.get("properties") or {}).get(prop)
        if not isinstance(spec, dict):
            continue
        if isinstance(spec.get("const"), str):
            return str(spec["const"])
        enum = spec.get("enum")
        if isinstance(enum, list) and len(enum) == 1 and isinstance(enum[0], str):
            return enum[0]
    return None