# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""Redis pub/sub transport on redis-py (``redis.asyncio``): both sides connect to the Redis server.

``RedisClientTransport`` is the counterpart's connection, ``RedisAppTransport`` the described
application's; both carry addressed messages (channel names from channel addresses, ``PSUBSCRIBE``
patterns with ``*`` for each parameter), each message its JSON payload alone (no headers).
"""

from .client import RedisClientTransport
from .server import RedisAppTransport
from .session import RedisSession, pattern_of

__all__ = ["RedisAppTransport", "RedisClientTransport", "RedisSession", "pattern_of"]
