# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""One session seen from one side, whatever carries it: the only session class of the runtime.

``Session`` is never subclassed. A transport gives it a ``Link`` (the connection: how bytes go
out, how it is torn down) and the link hands what arrives to ``receive``, which routes it through
the codec's ``Router`` and on to ``Delivery``. The session owns the lifecycle: the max-duration
timer, every task a link spawns (readers, track pumps), the close reason (the first wins) and the
one closer task that every ending goes through, whatever ended the session:

1. the link closes its connection (bye or close frame, tracks, sockets);
2. spawned tasks are cancelled and awaited;
3. callbacks deliver what already arrived (at most ``STEP_TIMEOUT`` s), ``messages()`` end;
4. close hooks run (a server's ``SessionHandler.on_close``);
5. the link releases what must not outlive the session, even when shutdown was cancelled.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from .channels import ChannelKind, ChannelSpec, Side, index_channels
from .codec import Router, encode_json, too_large
from .contracts import ErrorCallback, Link, MessageCallback
from .delivery import Delivery, ended_stream
from .errors import CloseReason, MessageTooLarge, SessionClosed, TaskFailed, WireError
from .steps import STEP_TIMEOUT, logged
from .tasks import failure_of

__all__ = ["CloseHook", "Session"]

L = TypeVar("L", bound=Link)

CloseHook = Callable[[CloseReason], Awaitable[None]]


class Session(Generic[L]):
    """A session over ``link``, which is made for this session by ``link_factory(session)``."""

    def __init__(
        self,
        channels: Sequence[ChannelSpec],
        side: Side,
        link_factory: Callable[[Session[Any]], L],
        *,
        max_duration: float | None,
    ) -> None:
        self.id = secrets.token_hex(8)
        """A unique id of this session (for logs)."""
        self.channels = index_channels(channels)
        self.side = side
        self._max_duration = max_duration
        data = [
            spec for spec in self.channels.values() if spec.kind is ChannelKind.DATA
        ]
        #: Data channels this side sends on, by address (``send`` looks here once per message).
        self._outbound = {spec.address: spec for spec in data if side.sends(spec)}
        self._router = Router(data, side)
        self._route = self._router.route
        self._delivery = Delivery(spec.address for spec in data)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._close_hooks: list[CloseHook] = []
        self._closing = asyncio.Event()
        self._closer: asyncio.Task[None] | None = None
        self._close_reason: CloseReason | None = None
        self._established = False
        self.link: L = link_factory(self)

    # ----------------------------------------------------------------- DataTransport

    @property
    def closed(self) -> bool:
        """True once the session has started closing; nothing can be sent from then on."""
        return self._closing.is_set()

    @property
    def close_reason(self) -> CloseReason | None:
        """Why the session ended, or None while it runs."""
        return self._close_reason

    @property
    def established(self) -> bool:
        """True once the connection is up (a socket accepted, or a peer connection established)."""
        return self._established

    def on_message(self, address: str, callback: MessageCallback) -> None:
        """Call ``callback`` with every validated message received on data channel ``address``."""
        self._delivery.on_message(self._data_channel(address), callback)

    def on_error(self, callback: ErrorCallback) -> None:
        """Call ``callback`` with every message that failed validation (the session continues)."""
        self._delivery.on_error(callback)

    def messages(self, address: str) -> AsyncIterator[Any]:
        """Every validated message received on ``address`` from now on; ends when the session closes."""
        address = self._data_channel(address)
        return ended_stream() if self.closed else self._delivery.messages(address)

    def send(self, address: str, message: BaseModel) -> Coroutine[Any, Any, None]:
        """Send ``message`` on data channel ``address``; ``SessionClosed`` after close.

        Not a coroutine of its own: it checks and encodes at once, raising there, and returns the link's
        ``transmit`` to await, so that a send costs one coroutine however many views it passes through.
        """
        spec = self._outbound.get(address)
        if spec is None:
            raise ValueError(self._why_not_sendable(address))
        data = encode_json(message)
        if len(data) > spec.max_message_bytes:
            raise MessageTooLarge(address, data, too_large(spec, len(data)))
        self._check_open(address)
        return self.link.transmit(address, data.decode())

    async def send_raw(self, address: str, data: str | bytes) -> None:
        """Send ``data`` as is, unchecked: for tests and tools that must misbehave on purpose."""
        self._check_open(self._data_channel(address))
        await self.link.transmit(address, data)

    async def close(self) -> None:
        """End the session and close everything; idempotent, and safe to call from a message callback."""
        closer = self.end(CloseReason.LOCAL, notify_peer=True)
        if self._delivery.in_callback:
            return  # the closer waits for the callbacks, and this is one of them
        await asyncio.shield(closer)

    async def wait_closed(self) -> CloseReason:
        """Wait until the session has fully closed; returns why it ended."""
        await self._closing.wait()
        assert self._closer is not None and self._close_reason is not None
        await asyncio.shield(self._closer)
        return self._close_reason

    # ----------------------------------------------------------------- for links and transports

    @property
    def closing(self) -> asyncio.Event:
        """Set once the session starts closing: what a link's waits race against."""
        return self._closing

    @property
    def room(self) -> asyncio.Event:
        """Set while the receiver keeps up: a link reads (or accepts) more only while it is set."""
        return self._delivery.room

    def receive(self, address: str | None, raw: str | bytes) -> None:
        """Route ``raw``, received on ``address`` (None: the transport cannot say), and deliver it."""
        if self._closing.is_set():
            return
        try:
            address, message = self._route(address, raw)
        except WireError as error:
            self._delivery.deliver_error(error)
            return
        self._delivery.deliver(address, message)

    def receiver(self, address: str) -> Callable[[str | bytes], None]:
        """``receive`` for everything that arrives on ``address``, with the lookups done once: what a link
        with a stream of its own per data channel calls per message."""
        closing, decode = self._closing, self._router.decoder_for(address)
        deliver, deliver_error = (
            self._delivery.deliverer(address),
            self._delivery.deliver_error,
        )

        def receive(raw: str | bytes) -> None:
            if closing.is_set():
                return
            try:
                message = decode(raw)
            except WireError as error:
                deliver_error(error)
                return
            deliver(message)

        return receive

    def end(self, reason: CloseReason, *, notify_peer: bool) -> asyncio.Task[None]:
        """Start closing for ``reason`` (the first reason wins) and return the closer task."""
        if self._closer is None:
            self._close_reason = reason
            self._closing.set()
            self._closer = asyncio.create_task(
                self._shutdown(reason, notify_peer), name="asyncapi-runtime-close"
            )
        return self._closer

    def spawn(self, coroutine: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``coroutine`` as a task the closer cancels and awaits; its failure goes to ``on_error``."""
        task = asyncio.create_task(coroutine, name=f"asyncapi-runtime-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        error = failure_of(task)
        if error is not None and not self.closed:
            self._delivery.deliver_error(TaskFailed(task.get_name(), error))

    def mark_established(self) -> None:
        """The link's connection is up: the session is no longer negotiating."""
        self._established = True

    def start_timer(self) -> None:
        """Start the max-duration clock (once the connection is accepted)."""
        if self._max_duration is not None:
            self.spawn(self._expire(self._max_duration), "max-duration")

    def on_closed(self, hook: CloseHook) -> None:
        """Await ``hook(reason)`` at the end of shutdown, once everything else is closed."""
        self._close_hooks.append(hook)

    # ----------------------------------------------------------------- internals

    def _data_channel(self, address: str) -> str:
        spec = self.channels.get(address)
        if spec is None or spec.kind is not ChannelKind.DATA:
            raise ValueError(f"{address!r} is not a data channel of this session")
        return address

    def _why_not_sendable(self, address: str) -> str:
        self._data_channel(address)
        return f"the {self.side.value} does not send on {address!r}"

    def _check_open(self, address: str) -> None:
        if self._close_reason is not None:
            raise SessionClosed(
                f"session closed ({self._close_reason}); cannot send on {address}"
            )

    async def _expire(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        self.end(CloseReason.TIMEOUT, notify_peer=True)

    async def _shutdown(self, reason: CloseReason, notify_peer: bool) -> None:
        """The one path out: the link, the tasks, the callbacks, the streams, the close hooks."""
        try:
            with logged("closing the transport"):
                await self.link.close(reason, notify_peer)
            current = asyncio.current_task()
            tasks = [task for task in self._tasks if task is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._delivery.finish(STEP_TIMEOUT)
            for hook in self._close_hooks:
                with logged("close hook"):
                    await hook(reason)
        finally:
            self.link.release()
