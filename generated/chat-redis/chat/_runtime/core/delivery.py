# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""Handing validated messages and wire errors to callbacks and message streams, in arrival order.

Delivery is eager: a callback starts running as soon as its message is validated, in the
receiver's own task, so a callback that never waits costs no extra trip through the event loop.
The first time a callback does wait, it is finished in a drainer task, and what arrives
meanwhile queues behind it, so each session's callbacks still run one at a time, in order.
A session composes one ``Delivery``; the transport never sees it.

What waits is bounded. Once ``HIGH_WATER`` messages wait (for the callbacks, or in any one
message stream), ``room`` is cleared and the transport stops reading until the wait is down to
``LOW_WATER``: a peer that sends faster than the handler works is slowed down by its own
connection's flow control, instead of growing this process's memory. The drainer yields to the
event loop between queued messages, so no backlog holds the loop. A callback that keeps failing
is logged once per session and kind of failure, then counted.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import weakref
from collections import Counter, deque
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Generator,
    Iterable,
    Sequence,
)
from types import CoroutineType
from typing import Any

from .contracts import ErrorCallback, MessageCallback
from .errors import SessionClosed, SessionError
from .steps import logged

__all__ = ["HIGH_WATER", "LOW_WATER", "Delivery", "ended_stream"]

logger = logging.getLogger(__name__)

#: Messages that may wait before the transport is asked to stop reading.
HIGH_WATER = 256
#: Reading resumes once no more than this many wait.
LOW_WATER = 64

Callback = Callable[[Any], Awaitable[None]]


class Delivery:
    """The callbacks and message streams of one session's data channels."""

    def __init__(self, addresses: Iterable[str]) -> None:
        self._targets = {address: _Targets() for address in addresses}
        self._error_callbacks: list[ErrorCallback] = []
        self._backlog: deque[tuple[Sequence[Callback], Any]] = deque()
        self._drainer: asyncio.Task[None] | None = None
        self._in_callback = False
        self._failures: Counter[tuple[str, str]] = Counter()
        self.room = asyncio.Event()
        """Set while fewer than ``HIGH_WATER`` messages wait; a transport reads only while it is set."""
        self.room.set()

    def on_message(self, address: str, callback: MessageCallback) -> None:
        """Call ``callback`` with every message delivered for ``address``."""
        self._targets[address].callbacks.append(callback)

    def on_error(self, callback: ErrorCallback) -> None:
        """Call ``callback`` with every wire error delivered."""
        self._error_callbacks.append(callback)

    def messages(self, address: str) -> AsyncIterator[Any]:
        """A stream of every message delivered for ``address`` from now on, until ``end()``."""
        stream = MessageStream(self._update_room)
        self._targets[address].add_stream(stream)
        return stream

    def deliver(
        self, address: str, message: Any, done: MessageCallback | None = None
    ) -> None:
        """Hand a validated ``message`` of ``address`` to its streams and callbacks; then, when given, call
        ``done`` with it, once every callback has finished with it (a broker acknowledges it there)."""
        targets = self._targets[address]
        if targets.streaming:
            self._push(targets, message)
        callbacks = targets.callbacks
        self._dispatch([*callbacks, done] if done is not None else callbacks, message)

    def deliverer(self, address: str) -> Callable[[Any], None]:
        """``deliver`` for the messages of ``address``, with its lookups done once: what a link with a
        connection of its own per channel calls per message."""
        targets, push, dispatch = self._targets[address], self._push, self._dispatch
        # The list itself: callbacks added later are called too.
        callbacks = targets.callbacks

        def deliver(message: Any) -> None:
            if targets.streaming:
                push(targets, message)
            dispatch(callbacks, message)

        return deliver

    def _push(self, targets: _Targets, message: Any) -> None:
        if targets.push(message) >= HIGH_WATER:
            self.room.clear()

    def deliver_error(self, error: SessionError) -> None:
        """Hand an error (a wire error, a failed task) to the error callbacks, in order with the messages."""
        self._dispatch(self._error_callbacks, error)

    @property
    def in_callback(self) -> bool:
        """True when the running code is one of the callbacks (so it must not wait for them)."""
        return self._in_callback or asyncio.current_task() is self._drainer

    async def finish(self, timeout: float) -> None:
        """Let the callbacks deliver what already arrived (for at most ``timeout`` s), then end streams."""
        drainer = self._drainer
        if drainer is not None and drainer is not asyncio.current_task():
            # A callback stuck past the timeout is cancelled.
            with logged("finishing callbacks", quiet=(TimeoutError,)):
                await asyncio.wait_for(drainer, timeout)
        self._backlog.clear()
        for targets in self._targets.values():
            for stream in targets.streams:
                stream.end()
        self.room.set()  # nothing waits any more, and nothing will be read
        for (callback, kind), count in sorted(self._failures.items()):
            if count > 1:
                logger.debug("%s raised %s %d more times", callback, kind, count - 1)

    @property
    def waiting(self) -> int:
        """Messages waiting: for the callbacks, or in the fullest message stream."""
        fullest = max(
            (
                stream.waiting
                for targets in self._targets.values()
                for stream in targets.streams
            ),
            default=0,
        )
        return max(len(self._backlog), fullest)

    def _update_room(self) -> None:
        if not self.room.is_set() and self.waiting <= LOW_WATER:
            self.room.set()

    def _failed(self, callback: Callback, exc: Exception) -> None:
        """Log the first failure of each kind of each callback; count the others."""
        name = _name_of(callback)
        key = (name, type(exc).__name__)
        self._failures[key] += 1
        if self._failures[key] > 1:
            return
        if isinstance(exc, SessionClosed):
            # A reply to a message that arrived just before the end: expected, not a bug.
            logger.info("%s could not send: %s", name, exc)
        else:
            logger.error("%s failed (logged once per session)", name, exc_info=exc)

    def _dispatch(self, callbacks: Sequence[Callback], payload: Any) -> None:
        if not callbacks:
            return
        if self._drainer is not None:
            self._backlog.append((tuple(callbacks), payload))
            if len(self._backlog) >= HIGH_WATER:
                self.room.clear()
            return
        for index, callback in enumerate(callbacks):
            waiting = self._start_callback(callback, payload)
            if waiting is not None:
                rest = tuple(callbacks[index + 1 :])
                # The callback goes on in the Context its first step ran in: a library that sets a context
                # variable before its first wait (FastStream's publish does) resets it there afterwards.
                self._drainer = asyncio.create_task(
                    self._drain(waiting, rest, payload),
                    name="asyncapi-runtime-drain",
                    context=waiting.context,
                )
                return

    def _start_callback(self, callback: Callback, payload: Any) -> _Resume | None:
        """Run ``callback`` up to its first wait; None when it finished without waiting."""
        self._in_callback = True
        context = contextvars.copy_context()
        try:
            awaitable = callback(payload)
            coroutine = (
                awaitable if isinstance(awaitable, CoroutineType) else _await(awaitable)
            )
            try:
                return _Resume(
                    callback, coroutine, context.run(coroutine.send, None), context
                )
            except StopIteration:
                return None
        except Exception as exc:  # noqa: BLE001 - a handler's bug must not stop delivery
            self._failed(callback, exc)
            return None
        finally:
            self._in_callback = False

    async def _drain(
        self, waiting: _Resume, rest: Sequence[Callback], payload: Any
    ) -> None:
        """Finish the callback that waited, then run what queued behind it, one at a time, in order."""
        try:
            try:
                await waiting
            except Exception as exc:  # noqa: BLE001 - a handler's bug must not stop delivery
                self._failed(waiting.callback, exc)
            for callback in rest:
                await self._run(callback, payload)
            while self._backlog:
                callbacks, payload = self._backlog.popleft()
                self._update_room()
                for callback in callbacks:
                    await self._run(callback, payload)
                # However fast the callbacks are, the backlog never holds the event loop.
                await asyncio.sleep(0)
        finally:
            self._drainer = None
            self._update_room()

    async def _run(self, callback: Callback, payload: Any) -> None:
        try:
            await callback(payload)
        except Exception as exc:  # noqa: BLE001 - a handler's bug must not stop delivery
            self._failed(callback, exc)


def _name_of(callback: Callable[..., Any]) -> str:
    """What a log line calls ``callback``: a partial is named after the function it wraps."""
    while isinstance(callback, functools.partial):
        callback = callback.func
    name = getattr(callback, "__qualname__", None)
    return name if isinstance(name, str) else type(callback).__qualname__


class _Targets:
    """Who gets the messages of one address: its callbacks, and its message streams."""

    __slots__ = ("callbacks", "streaming", "streams")

    def __init__(self) -> None:
        self.callbacks: list[MessageCallback] = []
        # Weak: a stream its reader dropped (a ``receive_*`` loop left early) stops holding messages.
        self.streams: weakref.WeakSet[MessageStream] = weakref.WeakSet()
        self.streaming = False
        """False while no stream is known to be alive: most sessions read with callbacks only, and a
        WeakSet is a Python-level container, so a message skips it then."""

    def add_stream(self, stream: MessageStream) -> None:
        self.streams.add(stream)
        self.streaming = True

    def push(self, message: Any) -> int:
        """Queue ``message`` on every live stream: the most that now wait in one (0 when none is left)."""
        fullest = 0
        for stream in self.streams:
            fullest = max(fullest, stream.push(message))
        self.streaming = fullest > 0
        return fullest


class _Resume:
    """Awaiting this finishes a coroutine that ``_start_callback`` ran up to its first wait.

    It hands the task what the coroutine waits on (a future, or None for a bare yield) and then
    drives the coroutine on, passing in whatever the task passes (a cancellation included).
    """

    __slots__ = ("_coroutine", "_waiting_on", "callback", "context")

    def __init__(
        self,
        callback: Callback,
        coroutine: Coroutine[Any, Any, Any],
        waiting_on: Any,
        context: contextvars.Context,
    ) -> None:
        self.callback = callback
        self.context = context
        """The Context the coroutine's first step ran in: the rest must run there too."""
        self._coroutine = coroutine
        self._waiting_on = waiting_on

    def __await__(self) -> Generator[Any, None, None]:
        coroutine, waiting_on = self._coroutine, self._waiting_on
        while True:
            try:
                yield waiting_on
            except BaseException as exc:  # noqa: BLE001 - thrown in by the task (cancellation): pass it on
                try:
                    waiting_on = coroutine.throw(exc)
                except StopIteration:
                    return
                continue
            try:
                waiting_on = coroutine.send(None)
            except StopIteration:
                return


async def _await(awaitable: Awaitable[None]) -> None:
    """A coroutine around an awaitable of another kind, so every callback is driven the same way."""
    await awaitable


class MessageStream:
    """An async iterator fed by delivery; ``end()`` makes it stop after what is queued."""

    _END = object()

    def __init__(self, consumed: Callable[[], None] = lambda: None) -> None:
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._consumed = consumed

    @property
    def waiting(self) -> int:
        """Messages pushed and not yet taken."""
        return self._queue.qsize()

    def push(self, message: Any) -> int:
        """Queue ``message``; returns how many now wait."""
        self._queue.put_nowait(message)
        return self._queue.qsize()

    def end(self) -> None:
        self._queue.put_nowait(self._END)

    def __aiter__(self) -> MessageStream:
        return self

    async def __anext__(self) -> Any:
        item = await self._queue.get()
        self._consumed()
        if item is self._END:
            self._queue.put_nowait(self._END)  # stay ended for any later call
            raise StopAsyncIteration
        return item


def ended_stream() -> AsyncIterator[Any]:
    """A stream that has already ended (``messages()`` of a closed session)."""
    stream = MessageStream()
    stream.end()
    return stream
