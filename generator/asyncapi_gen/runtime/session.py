"""What every session shares, whatever carries it: channels, delivery, sending checks and shutdown.

``BaseSession`` knows channels, callbacks and the closing sequence; a transport subclass (WebRTC in
``webrtc_session``, a plain WebSocket in ``websocket_session``) supplies how bytes go out
(``_transmit``) and how the connection is torn down (``_close_transport``), and hands what arrives
to ``_deliver``/``_deliver_error``. Everything a session starts (timer, readers, the callback
drainer, track pumps) is finished by the one closer task, whatever ended the session.

Delivery is eager: a callback starts running as soon as its message is validated, in the
receiver's own task, and a callback that never waits costs no extra trip through the event loop.
The first time a callback does wait, it is finished in a drainer task, and messages that arrive
meanwhile queue behind it, so each session's callbacks still run one at a time, in arrival order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Generator,
    Iterator,
    Sequence,
)
from types import CoroutineType
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, TypeAdapter

from .channels import ChannelKind, ChannelSpec, Side, index_channels
from .codec import encode_json, too_large
from .errors import (
    CloseReason,
    MessageTooLarge,
    SessionClosed,
    TransportNotAvailable,
    WireError,
)

if TYPE_CHECKING:
    from aiortc import MediaStreamTrack

__all__ = [
    "ANY_JSON",
    "STEP_TIMEOUT",
    "BaseSession",
    "ErrorCallback",
    "MessageCallback",
    "logged",
]

logger = logging.getLogger(__name__)

MessageCallback = Callable[[Any], Awaitable[None]]
ErrorCallback = Callable[[WireError], Awaitable[None]]

#: Channels without an inbound adapter still get JSON checked.
ANY_JSON: TypeAdapter[Any] = TypeAdapter(Any)
#: Seconds each shutdown step may take before it is abandoned (a dead peer must not hang close()).
STEP_TIMEOUT = 5.0


class BaseSession:
    """One session seen from one side; subclassed once per transport."""

    def __init__(
        self, channels: Sequence[ChannelSpec], side: Side, *, max_duration: float | None
    ) -> None:
        self._channels = index_channels(channels)
        self._side = side
        self._max_duration = max_duration
        data = [
            spec for spec in self._channels.values() if spec.kind is ChannelKind.DATA
        ]
        #: Data channels this side sends on, by address (``send`` looks here once per message).
        self._outbound = {spec.address: spec for spec in data if side.sends(spec)}
        #: Every data channel's adapter for what this side receives; None where the peer never sends.
        self._inbound: dict[str, tuple[ChannelSpec, TypeAdapter[Any] | None]] = {
            spec.address: (
                spec,
                (side.inbound(spec) or ANY_JSON) if side.receives(spec) else None,
            )
            for spec in data
        }
        self._message_callbacks: dict[str, list[MessageCallback]] = {
            spec.address: [] for spec in data
        }
        self._error_callbacks: list[ErrorCallback] = []
        self._streams: dict[str, set[_MessageStream]] = {
            spec.address: set() for spec in data
        }
        self._backlog: deque[tuple[Sequence[Callable[[Any], Awaitable[None]]], Any]] = (
            deque()
        )
        self._drainer: asyncio.Task[None] | None = None
        self._in_callback = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._close_started = asyncio.Event()
        self._closer: asyncio.Task[None] | None = None
        self._close_reason: CloseReason | None = None

    # ----------------------------------------------------------------- public API

    @property
    def closed(self) -> bool:
        """True once the session has started closing; nothing can be sent from then on."""
        return self._close_started.is_set()

    @property
    def close_reason(self) -> CloseReason | None:
        """Why the session ended, or None while it runs."""
        return self._close_reason

    def on_message(self, address: str, callback: MessageCallback) -> None:
        """Call ``callback`` with every validated message received on data channel ``address``."""
        self._message_callbacks[self._data_channel(address).address].append(callback)

    def on_error(self, callback: ErrorCallback) -> None:
        """Call ``callback`` with every message that failed validation (the session continues)."""
        self._error_callbacks.append(callback)

    def messages(self, address: str) -> AsyncIterator[Any]:
        """Every validated message received on ``address`` from now on; ends when the session closes."""
        stream = _MessageStream()
        if self.closed:
            stream.end()
        else:
            self._streams[self._data_channel(address).address].add(stream)
        return stream

    async def send(self, address: str, message: BaseModel) -> None:
        """Send ``message`` on data channel ``address``; ``SessionClosed`` after close."""
        spec = self._outbound.get(address)
        if spec is None:
            raise ValueError(self._why_not_sendable(address))
        data = encode_json(message)
        if len(data) > spec.max_message_bytes:
            raise MessageTooLarge(address, data, too_large(spec, len(data)))
        if self._close_reason is not None:
            raise SessionClosed(
                f"session closed ({self._close_reason}); cannot send on {address}"
            )
        await self._transmit(address, data.decode())

    async def send_raw(self, address: str, data: str | bytes) -> None:
        """Send ``data`` as is, unchecked: for tests and tools that must misbehave on purpose."""
        if address not in self._inbound:
            raise ValueError(f"{address!r} is not a data channel of this session")
        if self._close_reason is not None:
            raise SessionClosed(
                f"session closed ({self._close_reason}); cannot send on {address}"
            )
        await self._transmit(address, data)

    def set_send_track(self, address: str, track: MediaStreamTrack) -> None:
        """Send ``track`` on media channel ``address`` (transports that carry media override this)."""
        raise TransportNotAvailable(
            f"{type(self).__name__} carries no media; cannot send a track on {address}"
        )

    async def remote_track(self, address: str) -> MediaStreamTrack:
        """The peer's track on media channel ``address`` (transports that carry media override this)."""
        raise TransportNotAvailable(
            f"{type(self).__name__} carries no media; no track on {address}"
        )

    async def close(self) -> None:
        """End the session and close everything; idempotent, and safe to call from a message callback."""
        closer = self._begin_close(CloseReason.LOCAL, notify_peer=True)
        if self._in_callback or asyncio.current_task() is self._drainer:
            return  # the closer waits for the callbacks, and this is one of them
        await asyncio.shield(closer)

    async def wait_closed(self) -> CloseReason:
        """Wait until the session has fully closed; returns why it ended."""
        await self._close_started.wait()
        assert self._closer is not None and self._close_reason is not None
        await asyncio.shield(self._closer)
        return self._close_reason

    # ----------------------------------------------------------------- for transports

    async def _transmit(self, address: str, data: str | bytes) -> None:
        """Put ``data`` on the wire for ``address``; raise ``SessionClosed`` if that is no longer possible."""
        raise NotImplementedError

    async def _close_transport(self, reason: CloseReason, notify_peer: bool) -> None:
        """Tear the connection down (telling the peer why, when ``notify_peer``); must not raise."""

    def _release(self) -> None:
        """Last step of every shutdown, even a cancelled one: free what must not outlive the session."""

    async def _on_closed(self, reason: CloseReason) -> None:
        """Hook run once at the end of shutdown (a server session calls its handler's on_close here)."""

    def _deliver(self, address: str, message: Any) -> None:
        """Hand a validated ``message`` of data channel ``address`` to its streams and callbacks."""
        for stream in self._streams[address]:
            stream.push(message)
        self._dispatch(self._message_callbacks[address], message)

    def _deliver_error(self, error: WireError) -> None:
        """Hand a wire error to the error callbacks, in order with the messages."""
        self._dispatch(self._error_callbacks, error)

    def _start_timer(self) -> None:
        if self._max_duration is not None:
            self._spawn(self._expire(self._max_duration), "max-duration")

    def _spawn(self, coroutine: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(coroutine, name=f"asyncapi-runtime-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _begin_close(
        self, reason: CloseReason, *, notify_peer: bool
    ) -> asyncio.Task[None]:
        """Start closing for ``reason`` (the first reason wins) and return the closer task."""
        if self._closer is None:
            self._close_reason = reason
            self._close_started.set()
            self._closer = asyncio.create_task(
                self._shutdown(reason, notify_peer), name="asyncapi-runtime-close"
            )
        return self._closer

    def _data_channel(self, address: str) -> ChannelSpec:
        entry = self._inbound.get(address)
        if entry is None:
            raise ValueError(f"{address!r} is not a data channel of this session")
        return entry[0]

    def _why_not_sendable(self, address: str) -> str:
        spec = self._channels.get(address)
        if spec is None or spec.kind is not ChannelKind.DATA:
            return f"{address!r} is not a data channel of this session"
        return f"the {self._side.value} does not send on {address!r}"

    # ----------------------------------------------------------------- delivery

    def _dispatch(
        self, callbacks: Sequence[Callable[[Any], Awaitable[None]]], payload: Any
    ) -> None:
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

    def _start_callback(
        self, callback: Callable[[Any], Awaitable[None]], payload: Any
    ) -> _Resume | None:
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
        self,
        waiting: _Resume,
        rest: Sequence[Callable[[Any], Awaitable[None]]],
        payload: Any,
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

    # ----------------------------------------------------------------- shutdown

    async def _expire(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        self._begin_close(CloseReason.TIMEOUT, notify_peer=True)

    async def _shutdown(self, reason: CloseReason, notify_peer: bool) -> None:
        """The one path out: the transport, the tasks, the callbacks, the streams, the close hook."""
        try:
            with logged("closing the transport"):
                await self._close_transport(reason, notify_peer)
            await self._finish_tasks()
            for streams in self._streams.values():
                for stream in streams:
                    stream.end()
            with logged("close hook"):
                await self._on_closed(reason)
        finally:
            self._release()

    async def _finish_tasks(self) -> None:
        current = asyncio.current_task()
        tasks = [task for task in self._tasks if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        drainer = self._drainer
        if drainer is not None and drainer is not current:
            # Deliver what already arrived, then stop; a callback stuck past the timeout is cancelled.
            with logged("finishing callbacks", quiet=(TimeoutError,)):
                await asyncio.wait_for(drainer, STEP_TIMEOUT)
        self._backlog.clear()


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


class _MessageStream:
    """An async iterator fed by the session; ``end()`` makes it stop after what is queued."""

    _END = object()

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Any] = asyncio.Queue()

    def push(self, message: Any) -> None:
        self._queue.put_nowait(message)

    def end(self) -> None:
        self._queue.put_nowait(self._END)

    def __aiter__(self) -> _MessageStream:
        return self

    async def __anext__(self) -> Any:
        item = await self._queue.get()
        if item is self._END:
            self._queue.put_nowait(self._END)  # stay ended for any later call
            raise StopAsyncIteration
        return item


@contextlib.contextmanager
def logged(what: str, quiet: tuple[type[BaseException], ...] = ()) -> Iterator[None]:
    """Log and swallow an exception from one step, so one failure never skips the rest of a shutdown."""
    try:
        yield
    except quiet:
        logger.debug("%s failed quietly", what, exc_info=True)
    except Exception:
        logger.exception("%s failed", what)
