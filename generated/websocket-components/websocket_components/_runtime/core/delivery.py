# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""Handing validated messages and wire errors to callbacks and message streams, in arrival order.

Delivery is eager: a callback starts running as soon as its message is validated, in the
receiver's own task, so a callback that never waits costs no extra trip through the event loop.
The first time a callback does wait, it is finished in a drainer task, and what arrives
meanwhile queues behind it, so each session's callbacks still run one at a time, in order.
A session composes one ``Delivery``; the transport never sees it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
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
from .errors import WireError
from .steps import logged

__all__ = ["Delivery", "ended_stream"]

logger = logging.getLogger(__name__)

Callback = Callable[[Any], Awaitable[None]]


class Delivery:
    """The callbacks and message streams of one session's data channels."""

    def __init__(self, addresses: Iterable[str]) -> None:
        self._message_callbacks: dict[str, list[MessageCallback]] = {}
        self._streams: dict[str, set[MessageStream]] = {}
        for address in addresses:
            self._message_callbacks[address] = []
            self._streams[address] = set()
        self._error_callbacks: list[ErrorCallback] = []
        self._backlog: deque[tuple[Sequence[Callback], Any]] = deque()
        self._drainer: asyncio.Task[None] | None = None
        self._in_callback = False

    def on_message(self, address: str, callback: MessageCallback) -> None:
        """Call ``callback`` with every message delivered for ``address``."""
        self._message_callbacks[address].append(callback)

    def on_error(self, callback: ErrorCallback) -> None:
        """Call ``callback`` with every wire error delivered."""
        self._error_callbacks.append(callback)

    def messages(self, address: str) -> AsyncIterator[Any]:
        """A stream of every message delivered for ``address`` from now on, until ``end()``."""
        stream = MessageStream()
        self._streams[address].add(stream)
        return stream

    def deliver(self, address: str, message: Any) -> None:
        """Hand a validated ``message`` of ``address`` to its streams and callbacks."""
        for stream in self._streams[address]:
            stream.push(message)
        self._dispatch(self._message_callbacks[address], message)

    def deliver_error(self, error: WireError) -> None:
        """Hand a wire error to the error callbacks, in order with the messages."""
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
        for streams in self._streams.values():
            for stream in streams:
                stream.end()

    def _dispatch(self, callbacks: Sequence[Callback], payload: Any) -> None:
        if not callbacks:
            return
        if self._drainer is not None:
            self._backlog.append((tuple(callbacks), payload))
            return
        for index, callback in enumerate(callbacks):
            waiting = self._start_callback(callback, payload)
            if waiting is not None:
                rest = tuple(callbacks[index + 1 :])
                self._drainer = asyncio.create_task(
                    self._drain(waiting, rest, payload), name="asyncapi-runtime-drain"
                )
                return

    def _start_callback(self, callback: Callback, payload: Any) -> _Resume | None:
        """Run ``callback`` up to its first wait; None when it finished without waiting."""
        self._in_callback = True
        try:
            awaitable = callback(payload)
            coroutine = (
                awaitable if isinstance(awaitable, CoroutineType) else _await(awaitable)
            )
            try:
                return _Resume(coroutine, coroutine.send(None))
            except StopIteration:
                return None
        except Exception:
            logger.exception("callback %r failed", callback)
            return None
        finally:
            self._in_callback = False

    async def _drain(
        self, waiting: _Resume, rest: Sequence[Callback], payload: Any
    ) -> None:
        """Finish the callback that waited, then run what queued behind it, one at a time, in order."""
        try:
            with logged("a callback"):
                await waiting
            for callback in rest:
                with logged("a callback"):
                    await callback(payload)
            while self._backlog:
                callbacks, payload = self._backlog.popleft()
                for callback in callbacks:
                    with logged("a callback"):
                        await callback(payload)
        finally:
            self._drainer = None


class _Resume:
    """Awaiting this finishes a coroutine that ``_start_callback`` ran up to its first wait.

    It hands the task what the coroutine waits on (a future, or None for a bare yield) and then
    drives the coroutine on, passing in whatever the task passes (a cancellation included).
    """

    __slots__ = ("_coroutine", "_waiting_on")

    def __init__(self, coroutine: Coroutine[Any, Any, Any], waiting_on: Any) -> None:
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

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Any] = asyncio.Queue()

    def push(self, message: Any) -> None:
        self._queue.put_nowait(message)

    def end(self) -> None:
        self._queue.put_nowait(self._END)

    def __aiter__(self) -> MessageStream:
        return self

    async def __anext__(self) -> Any:
        item = await self._queue.get()
        if item is self._END:
            self._queue.put_nowait(self._END)  # stay ended for any later call
            raise StopAsyncIteration
        return item


def ended_stream() -> AsyncIterator[Any]:
    """A stream that has already ended (``messages()`` of a closed session)."""
    stream = MessageStream()
    stream.end()
    return stream
