"""NATS transport on nats-py: both sides of a broker document connect to the NATS server.

``NatsClientTransport`` is the counterpart's connection, ``NatsAppTransport`` the described
application's; both carry addressed messages (subjects from channel addresses, ``*`` for each
parameter) with headers as NATS message headers, queue groups from the operation bindings, and
answers at the reply subject a request names.
"""

from .client import NatsClientTransport
from .server import NatsAppTransport
from .session import CORRELATION_HEADER, NatsSession, SlowConsumer, subscription_of

__all__ = [
    "CORRELATION_HEADER",
    "NatsAppTransport",
    "NatsClientTransport",
    "NatsSession",
    "SlowConsumer",
    "subscription_of",
]
