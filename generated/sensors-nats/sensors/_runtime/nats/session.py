# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""One connection to a NATS server, as a session of addressed messages (nats-py under it).

Both sides of a broker document connect to the server: the described application and its counterpart each
hold one ``NatsSession``, differing only in which channels they receive on (``Side``). A channel address is a
subject; each ``{parameter}`` token becomes ``*`` in the subscription (a parameter inside a token makes the whole
token ``*``, and ``parameters_of`` tells the subjects apart), and a received subject gives the parameters back.
A parameter value may not contain ``.`` (it would make more tokens); the generated address functions quote
every other character a subject cannot hold.

Headers are NATS message headers (wire names to strings; JSON values parsed back when they parse); a
correlation id travels as the ``Correlation-Id`` header, the address an answer should go to as the message's
reply subject. A channel whose address is one parameter alone (``{inbox}``, where requests are answered) is
received on an inbox of this connection: ``reply_address`` names it. The operation binding's ``queue`` puts the
receiver in that queue group (each message goes to one member).

Reading is bounded: each subscription holds at most ``PENDING_MESSAGES`` (and ``PENDING_BYTES``) undelivered
messages, and its reader stops while the handler is behind. NATS core has no flow control: past that, the server
and nats-py drop messages for a slow consumer, which the handler hears as ``SlowConsumer`` (once a second per subject at most). When the server goes
away, nats-py reconnects (every ``reconnect_wait`` s, up to ``max_reconnect_attempts`` times), subscribes again
and sends what was published meanwhile; once it gives up the session ends (``PEER_GONE``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Self
from urllib.parse import urlsplit

from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.errors import Error as NatsError
from nats.errors import SlowConsumerError
from pydantic import BaseModel

from ..core.addressing import (
    ChannelOwners,
    Received,
    header_texts,
    parameters_of,
    validated_headers,
)
from ..core.broker import BrokerSession, without_password
from ..core.channels import ChannelSpec, Side
from ..core.codec import Router, encode_json
from ..core.errors import (
    CloseReason,
    ConnectError,
    SessionClosed,
    SessionError,
    TaskFailed,
    WireError,
)

__all__ = ["CORRELATION_HEADER", "NatsSession", "SlowConsumer", "subscription_of"]

_PARAMETER = re.compile(r"\{[^{}]+\}")
#: The header a correlation id travels in.
CORRELATION_HEADER = "Correlation-Id"
#: At most this many received messages wait in one subscription (then nats-py drops: a slow consumer).
PENDING_MESSAGES = 8192
#: At most this many bytes of received messages wait in one subscription.
PENDING_BYTES = 16 * 1024 * 1024
#: nats-py reports every dropped message; the handler hears one ``SlowConsumer`` per subject per this many s.
SLOW_CONSUMER_REPORT_INTERVAL = 1.0


class SlowConsumer(SessionError):
    """The handler fell so far behind that messages of a subscription were dropped (NATS has no flow control)."""


def subscription_of(channel: str) -> str:
    """The NATS subscription subject of a channel address: each token holding a ``{parameter}`` becomes ``*``."""
    return ".".join(
        "*" if _PARAMETER.search(token) else token for token in channel.split(".")
    )


def _is_inbox(channel: str) -> bool:
    """True for a channel whose address is one parameter alone: where answers go, named per connection."""
    return _PARAMETER.fullmatch(channel) is not None


class NatsSession(BrokerSession):
    """A connection to the NATS server at ``url`` that sends and receives the messages of ``channels``."""

    def __init__(
        self,
        url: str,
        channels: Sequence[ChannelSpec],
        side: Side,
        *,
        client_id: str | None = None,
        connect_timeout: float = 15.0,
        reconnect_wait: int = 1,
        max_reconnect_attempts: int = 60,
    ) -> None:
        if urlsplit(url).scheme not in ("nats", "tls"):
            raise ValueError(f"not a NATS server URL: {url!r}")
        self._url = url
        self._channels = {spec.address: spec for spec in channels}
        self._side = side
        self._connect_timeout = connect_timeout
        self._reconnect_wait = reconnect_wait
        self._max_reconnect_attempts = max_reconnect_attempts
        self.id = client_id or f"asyncapi-gen-{uuid.uuid4().hex[:12]}"
        self._inbox = f"_INBOX.{uuid.uuid4().hex}"
        super().__init__(self._channels)
        self._router = Router(channels, side)
        self._client: NatsClient | None = None
        self._subscriptions: list[Subscription] = []
        self._slow_reported: dict[
            str, float
        ] = {}  # subject -> loop time of its last SlowConsumer
        self._owners = ChannelOwners(
            [
                a
                for a, s in self._channels.items()
                if side.receives(s) and not _is_inbox(a)
            ]
        )

    # -- connecting ------------------------------------------------------------------------
    async def connect(self) -> None:
        """Connect to the server and subscribe to every channel this side receives on."""
        try:
            async with asyncio.timeout(self._connect_timeout):
                client = NatsClient()
                await client.connect(
                    self._url,
                    name=self.id,
                    connect_timeout=max(1, math.ceil(self._connect_timeout)),
                    reconnect_time_wait=self._reconnect_wait,
                    max_reconnect_attempts=self._max_reconnect_attempts,
                    allow_reconnect=True,
                    error_cb=self._on_nats_error,
                    closed_cb=self._on_nats_closed,
                )
                self._client = client
                for address, spec in self._channels.items():
                    if self._side.receives(spec):
                        await self._subscribe(client, address, spec)
                await client.flush()
        except (OSError, NatsError, TimeoutError) as error:
            self._end(CloseReason.ERROR)
            await self._disconnect()
            raise ConnectError(
                f"cannot connect to the NATS server {without_password(self._url)}: {error!r}"
            ) from error

    async def _subscribe(
        self, client: NatsClient, address: str, spec: ChannelSpec
    ) -> None:
        subject = f"{self._inbox}.>" if _is_inbox(address) else subscription_of(address)
        queue = str(self._side.received_binding(spec).get("queue") or "")
        subscription = await client.subscribe(
            subject,
            queue=queue,
            cb=functools.partial(self._on_msg, address, spec),
            pending_msgs_limit=PENDING_MESSAGES,
            pending_bytes_limit=PENDING_BYTES,
        )
        self._subscriptions.append(subscription)

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
        """Publish ``message`` (JSON) to subject ``address``, with ``headers`` as NATS headers, the correlation id
        as the ``Correlation-Id`` header and ``reply_to`` as the reply subject."""
        values = header_texts(headers)
        if correlation_id is not None:
            values[CORRELATION_HEADER] = correlation_id
        if not _is_inbox(channel) and address.count(".") != channel.count("."):
            raise ValueError(
                f"{address!r} is not a subject of {channel!r}: a parameter value holds a '.'"
            )
        await self._publish(address, encode_json(message), values or None, reply_to)

    def reply_address(self, channel: str) -> str:
        """A subject of ``channel`` this connection receives on, to name as a request's reply subject: an inbox of
        its own for a channel that is one parameter, else the address with each parameter filled with its id."""
        if _is_inbox(channel):
            return f"{self._inbox}.{list(self._channels).index(channel)}"
        return _PARAMETER.sub(self.id, channel)

    async def send(self, address: str, message: BaseModel) -> None:
        """Publish ``message`` to subject ``address`` (a channel without parameters)."""
        await self.publish(address, address, message)

    async def send_raw(self, address: str, data: str | bytes) -> None:
        """Publish ``data`` unchecked to subject ``address``."""
        await self._publish(
            address, data.encode() if isinstance(data, str) else data, None, None
        )

    async def _publish(
        self,
        subject: str,
        data: bytes,
        headers: dict[str, str] | None,
        reply_to: str | None,
    ) -> None:
        client = self._client
        if client is None or self.closed or client.is_closed:
            raise SessionClosed("the NATS session is not connected")
        try:
            await client.publish(subject, data, reply=reply_to or "", headers=headers)
        except NatsError as error:
            raise SessionClosed(
                f"publishing to {subject!r} failed: {error!r}"
            ) from error

    # -- receiving -------------------------------------------------------------------------
    async def _on_msg(self, address: str, spec: ChannelSpec, msg: Msg) -> None:
        subject = msg.subject
        if _is_inbox(address):
            parameters: Mapping[str, str] = parameters_of(address, subject) or {}
        else:
            owner = self._owners.owner(subject)
            if owner is None or owner[0] != address:
                return
            parameters = owner[1]
        self._receive(address, spec, subject, parameters, msg)
        room = self._delivery.room
        if not room.is_set():  # bounded: stop reading while the handler is behind
            await room.wait()

    def _receive(
        self,
        address: str,
        spec: ChannelSpec,
        subject: str,
        parameters: Mapping[str, str],
        msg: Msg,
    ) -> None:
        raw = msg.data
        try:
            _, message = self._router.route(address, raw)
        except WireError as error:
            self._delivery.deliver_error(error)
            return
        carried = dict(msg.headers or {})
        correlation = carried.pop(CORRELATION_HEADER, None)
        headers = validated_headers(
            self._side.inbound_headers(spec), carried, address, raw
        )
        if isinstance(headers, SessionError):
            self._delivery.deliver_error(headers)
            return
        self._delivery.deliver(
            address,
            Received(
                message, subject, parameters, headers, correlation, msg.reply or None
            ),
        )

    async def _on_nats_error(self, error: Exception) -> None:
        if isinstance(error, SlowConsumerError):
            # One report per burst, not one per dropped message: a flood must not become a flood of errors.
            now = asyncio.get_running_loop().time()
            last = self._slow_reported.get(error.subject)
            if last is not None and now - last < SLOW_CONSUMER_REPORT_INTERVAL:
                return
            self._slow_reported[error.subject] = now
            self._delivery.deliver_error(
                SlowConsumer(
                    f"messages dropped on {error.subject!r}: the handler is behind"
                )
            )
        elif not self.closed and not isinstance(error, (OSError, NatsError)):
            self._delivery.deliver_error(TaskFailed("nats client", error))

    async def _on_nats_closed(self) -> None:
        self._end(
            CloseReason.PEER_GONE
        )  # no effect after close(): the first reason wins

    # -- ending ----------------------------------------------------------------------------
    async def close(self) -> None:
        """Disconnect from the server; idempotent."""
        self._end(CloseReason.LOCAL)
        await self._disconnect()
        if not self._delivery.in_callback:
            await self._delivery.finish(1.0)

    async def _disconnect(self) -> None:
        client, self._client = self._client, None
        self._subscriptions.clear()
        if client is not None and not client.is_closed:
            with contextlib.suppress(NatsError, OSError, TimeoutError):
                await asyncio.wait_for(client.close(), 5.0)
