# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""MQTT transport on aiomqtt: both sides of a broker document connect to the broker.

``MqttClientTransport`` is the counterpart's connection, ``MqttAppTransport`` the described
application's; both carry addressed messages (topics from channel addresses, ``+`` for each
parameter) with headers as MQTT 5 user properties.
"""

from .client import MqttClientTransport
from .server import MqttAppTransport
from .session import MqttSession, subscription_of

__all__ = ["MqttAppTransport", "MqttClientTransport", "MqttSession", "subscription_of"]
