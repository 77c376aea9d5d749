"""One connection to a Redis server's pub/sub, as a session of addressed messages (redis-py's asyncio client).

Both sides of a broker document connect to the server: the described application and its counterpart each
hold one ``RedisSession``, differing only in which channels they receive on (``Side``). A channel address is a
Redis channel name; a channel with parameters is received with ``PSUBSCRIBE``, each ``{parameter}`` a ``*``
(the literal parts glob-escaped), and a received channel name gives the parameters back (``parameters_of``).

A message is its JSON payload alone, as any Redis client publishes it: Redis pub/sub has no headers, and an
envelope of our own would make every raw publisher's message invalid (docs/design-notes.md), so headers,
correlation ids and reply addresses are not carried (the build warns ``headers-not-carried``).

Reading is bounded: the reader stops while the handler is behind, so what waits is in the socket and in
Redis's output buffer for this client (which Redis cuts off past its ``client-output-buffer-limit pubsub``).
Redis pub/sub is at most once and keeps nothing: when the server goes away the session ends (``PEER_GONE``, and
the handler hears a ``TaskFailed`` naming Redis); a new session connects once it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import Sequence
from typing import Any, Self
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from pydantic import BaseModel
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from ..core.addressing import ChannelOwners, Received
from ..core.broker import BrokerSession, without_password
from ..core.channels import ChannelSpec, Side
from ..core.codec import Router, encode_json
from ..core.errors import (
    CloseReason,
    ConnectError,
    SessionClosed,
    TaskFailed,
    WireError,
)

__all__ = ["RedisSession", "pattern_of"]

_PARAMETER = re.compile(r"\{[^{}]+\}")
_GLOB_SPECIAL = re.compile(r"([*?\[\]\\])")


def pattern_of(channel: str) -> str:
    """The ``PSUBSCRIBE`` pattern of a channel address: each ``{parameter}`` becomes ``*``, the rest escaped."""
    parts = _PARAMETER.split(channel)
    return "*".join(_GLOB_SPECIAL.sub(r"\\\1", part) for part in parts)


class RedisSession(BrokerSession):
    """A connection to the Redis server at ``url`` that publishes and receives the messages of ``channels``."""

    def __init__(
        self,
        url: str,
        channels: Sequence[ChannelSpec],
        side: Side,
        *,
        client_id: str | None = None,
        connect_timeout: float = 15.0,
    ) -> None:
        if urlsplit(url).scheme not in ("redis", "rediss"):
            raise ValueError(f"not a Redis server URL: {url!r}")
        self._url = url
        self._channels = {spec.address: spec for spec in channels}
        self._side = side
        self._connect_timeout = connect_timeout
        self.id = client_id or f"asyncapi-gen-{uuid.uuid4().hex[:12]}"
        super().__init__(self._channels)
        self._router = Router(channels, side)
        self._owners = ChannelOwners(
            [a for a, s in self._channels.items() if side.receives(s)]
        )
        self._redis: aioredis.Redis | None = None
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        # What each subscription (a channel name or a pattern) was made for.
        self._subscribed: dict[str, str] = {}

    # -- connecting ------------------------------------------------------------------------
    async def connect(self) -> None:
        """Connect to the server and subscribe to every channel this side receives on."""
        client = aioredis.from_url(
            self._url,
            socket_connect_timeout=self._connect_timeout,
            client_name=self.id,
            retry_on_error=[],
        )
        self._redis = client
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        self._pubsub = pubsub
        try:
            async with asyncio.timeout(self._connect_timeout):
                await client.ping()
                for address, spec in self._channels.items():
                    if not self._side.receives(spec):
                        continue
                    if _PARAMETER.search(address):
                        self._subscribed[pattern_of(address)] = address
                        await pubsub.psubscribe(pattern_of(address))
                    else:
                        self._subscribed[address] = address
                        await pubsub.subscribe(address)
        except (OSError, RedisError, TimeoutError) as error:
            self._end(CloseReason.ERROR)
            await self._disconnect()
            raise ConnectError(
                f"cannot connect to the Redis server {without_password(self._url)}: {error!r}"
            ) from error
        if self._subscribed:
            self._reader = asyncio.create_task(
                self._read(pubsub), name=f"redis reader {self.id}"
            )

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- sending ---------------------------------------------------------------------------
    async def publish(
        self,
        channel: str,
        address: str,
        message: BaseModel,
        headers: BaseModel | None = None,
        *,
        correlation_id: str | None = None,
        reply_to: str | None = None,
        key: str | None = None,
    ) -> None:
        """Publish ``message`` (JSON) to Redis channel ``address``; Redis pub/sub carries no headers, correlation
        id or reply address, so those are not sent."""
        await self._publish(address, encode_json(message))

    def reply_address(self, channel: str) -> str:
        """An address of ``channel`` this connection receives on: its parameters filled with the client id."""
        return _PARAMETER.sub(self.id, channel)

    async def send(self, address: str, message: BaseModel) -> None:
        """Publish ``message`` to Redis channel ``address`` (a channel without parameters)."""
        await self.publish(address, address, message)

    async def send_raw(self, address: str, data: str | bytes) -> None:
        """Publish ``data`` unchecked to Redis channel ``address``."""
        await self._publish(address, data.encode() if isinstance(data, str) else data)

    async def _publish(self, address: str, data: bytes) -> None:
        if self._redis is None or self.closed:
            raise SessionClosed("the Redis session is not connected")
        try:
            await self._redis.publish(address, data)
        except (RedisError, OSError) as error:
            raise SessionClosed(
                f"publishing to {address!r} failed: {error!r}"
            ) from error

    # -- receiving -------------------------------------------------------------------------
    async def _read(self, pubsub: PubSub) -> None:
        reason = CloseReason.PEER_GONE
        try:
            while True:
                message = await pubsub.get_message(timeout=None)
                if message is not None:
                    self._receive(message)
                room = self._delivery.room
                if (
                    not room.is_set()
                ):  # bounded: stop reading while the handler is behind
                    await room.wait()
        except (RedisError, OSError) as error:
            self._delivery.deliver_error(TaskFailed("redis reader", error))
        except asyncio.CancelledError:
            reason = CloseReason.LOCAL
            raise
        finally:
            self._end(reason)

    def _receive(self, message: dict[str, Any]) -> None:
        if message.get("type") not in ("message", "pmessage"):
            return
        name = _text(message["channel"])
        key = _text(message["pattern"]) if message["type"] == "pmessage" else name
        subscribed = self._subscribed.get(key)
        owner = self._owners.owner(name)
        if owner is None or owner[0] != subscribed:
            return
        address, parameters = owner
        raw = (
            message["data"]
            if isinstance(message["data"], bytes)
            else str(message["data"]).encode()
        )
        try:
            _, payload = self._router.route(address, raw)
        except WireError as error:
            self._delivery.deliver_error(error)
            return
        self._delivery.deliver(address, Received(payload, name, parameters, None))

    # -- ending ----------------------------------------------------------------------------
    async def close(self) -> None:
        """Disconnect from the server; idempotent."""
        reader = self._reader
        self._end(CloseReason.LOCAL)
        if reader is not None and reader is not asyncio.current_task():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        await self._disconnect()
        if not self._delivery.in_callback:
            await self._delivery.finish(1.0)

    async def _disconnect(self) -> None:
        pubsub, client, self._pubsub, self._redis = (
            self._pubsub,
            self._redis,
            None,
            None,
        )
        if pubsub is not None:
            with contextlib.suppress(RedisError, OSError, TimeoutError):
                await asyncio.wait_for(pubsub.aclose(), 5.0)
        if client is not None:
            with contextlib.suppress(RedisError, OSError, TimeoutError):
                await asyncio.wait_for(client.aclose(), 5.0)


def _text(value: Any) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
