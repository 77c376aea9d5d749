"""What each transport means for a generated package: its template, the runtime it copies, its dependencies.

One table, so that a new transport is one row here, one folder of the runtime and one template of macros
(`templates/transports/<name>.jinja`, with the same macro names as the others): never a branch in a template.
"""

from __future__ import annotations

from asyncapi_gen.ir import Transport, TransportBinding

_PYDANTIC = "pydantic>=2.11,<3"
_WEBSOCKETS = "websockets>=13"
_AIORTC = "aiortc>=1.9"
_AIOMQTT = "aiomqtt>=2.5,<3"
_AIO_PIKA = "aio-pika>=9.4,<11"
_NATS_PY = "nats-py>=2.7,<3"
_REDIS = "redis>=5"
_FASTSTREAM_KAFKA = "faststream[kafka]>=0.7,<0.8"
# A browser can join a WebRTC session with plain JS (docs/runtime.md), so WebRTC packages ship a page that does.
_WEB_PAGE = ("web/index.html.jinja", "web/app.js.jinja", "web/style.css.jinja")

_BINDINGS = {
    # WebRTC signaling rides on the WebSocket transport's client socket and listener, so it copies both; `pool`
    # (sessions placed across processes through Redis) is imported only when the server is given a pool.
    Transport.WEBRTC: TransportBinding(Transport.WEBRTC, "transports/webrtc.jinja",
                                       ("core", "websocket", "webrtc", "pool"),
                                       (_PYDANTIC, _WEBSOCKETS, _AIORTC), media=True, built_in=True,
                                       web_page=_WEB_PAGE),
    Transport.WEBSOCKET: TransportBinding(Transport.WEBSOCKET, "transports/websocket.jinja", ("core", "websocket"),
                                          (_PYDANTIC, _WEBSOCKETS), media=False, built_in=True),
    # A broker: both sides connect to it, each message names its own address (a topic) and carries headers.
    Transport.MQTT: TransportBinding(Transport.MQTT, "transports/mqtt.jinja", ("core", "mqtt"), (_PYDANTIC, _AIOMQTT),
                                     media=False, built_in=True, addressed=True),
    Transport.AMQP: TransportBinding(Transport.AMQP, "transports/amqp.jinja", ("core", "amqp"), (_PYDANTIC, _AIO_PIKA),
                                     media=False, built_in=True, addressed=True),
    Transport.NATS: TransportBinding(Transport.NATS, "transports/nats.jinja", ("core", "nats"), (_PYDANTIC, _NATS_PY),
                                     media=False, built_in=True, addressed=True),
    # Redis pub/sub carries a message's payload alone: no headers (docs/design-notes.md, Broker transports).
    Transport.REDIS: TransportBinding(Transport.REDIS, "transports/redis.jinja", ("core", "redis"), (_PYDANTIC, _REDIS),
                                      media=False, built_in=True, addressed=True, headers=False),
    # Kafka through FastStream, which also documents the application (its AsyncAPI export) and tests it in memory.
    Transport.KAFKA: TransportBinding(Transport.KAFKA, "transports/kafka.jinja", ("core", "kafka"),
                                      (_PYDANTIC, _FASTSTREAM_KAFKA), media=False, built_in=True, addressed=True,
                                      keyed=True),
    # A protocol without a built-in transport is most likely a broker: the transport the user plugs in gives each
    # message its own address (channel parameters filled in) and headers.
    Transport.NONE: TransportBinding(Transport.NONE, "transports/none.jinja", ("core",), (_PYDANTIC,), media=False,
                                     built_in=False, addressed=True),
}


def binding_for(transport: Transport) -> TransportBinding:
    """The binding of a transport."""
    return _BINDINGS[transport]
