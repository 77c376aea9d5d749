# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""Kafka transport on FastStream's ``KafkaBroker`` (aiokafka under it): both sides of a broker document connect to
the cluster.

``KafkaClientTransport`` is the counterpart's connection, ``KafkaAppTransport`` the described application's;
both carry addressed messages (topics from channel addresses, a topic pattern for each channel with parameters)
with headers as record headers, consumer groups from the operation bindings, and answers at the topic a request
names. Not tested against a real Kafka cluster here: the tests use FastStream's in-memory ``TestKafkaBroker``.
"""

from faststream.kafka import KafkaBroker

from .client import KafkaClientTransport
from .server import KafkaAppTransport
from .session import CORRELATION_HEADER, REPLY_TO_HEADER, KafkaSession, bootstrap_of

__all__ = [
    "CORRELATION_HEADER",
    "REPLY_TO_HEADER",
    "KafkaAppTransport",
    "KafkaBroker",
    "KafkaClientTransport",
    "KafkaSession",
    "bootstrap_of",
]
