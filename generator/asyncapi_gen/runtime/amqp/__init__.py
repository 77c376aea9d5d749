"""AMQP 0-9-1 transport on aio-pika (RabbitMQ): both sides of a broker document connect to the broker.

``AmqpClientTransport`` is the counterpart's connection, ``AmqpAppTransport`` the described
application's; both carry addressed messages placed by each channel's ``amqp`` binding (a work
queue, or an exchange and routing key), headers as AMQP headers, and correlation ids and reply
queues as the AMQP properties of those names.
"""

from .client import AmqpClientTransport
from .server import AmqpAppTransport
from .session import AmqpSession, PublishFailed, placement_of

__all__ = [
    "AmqpAppTransport",
    "AmqpClientTransport",
    "AmqpSession",
    "PublishFailed",
    "placement_of",
]
