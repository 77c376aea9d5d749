# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""Work a handler starts for one session: cancelled when the session ends, its failures reported.

A task's exception is always retrieved (asyncio never logs "Task exception was never
retrieved"): a ``SessionClosed`` is the normal end of work that outlived its session and is
logged at debug level; any other exception is handed to ``report`` as a ``TaskFailed`` (a
server handler's ``on_error``), and if reporting fails too, it is logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from .errors import SessionClosed, SessionError, TaskFailed

__all__ = ["SessionTasks", "failure_of"]

logger = logging.getLogger(__name__)


def failure_of(task: asyncio.Task[Any]) -> BaseException | None:
    """The exception ``task`` ended with, retrieved; None when it succeeded, was cancelled or outlived its session."""
    if task.cancelled():
        return None
    error = task.exception()
    if isinstance(error, SessionClosed):
        logger.debug("%s ended with the session: %s", task.get_name(), error)
        return None
    return error


class SessionTasks:
    """The tasks of one session's handler; failures go to ``report``."""

    def __init__(self, report: Callable[[SessionError], Awaitable[None]]) -> None:
        self._report = report
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(
        self, work: Coroutine[Any, Any, None], name: str = "handler-task"
    ) -> None:
        """Run ``work`` until it ends or the session does."""
        self._track(asyncio.create_task(work, name=name), self._done)

    async def cancel_all(self) -> None:
        """Cancel every task still running and wait for them."""
        tasks = [task for task in self._tasks if not task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _track(
        self, task: asyncio.Task[None], done: Callable[[asyncio.Task[None]], None]
    ) -> None:
        self._tasks.add(task)
        task.add_done_callback(done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        error = failure_of(task)
        if error is not None:
            reporting = asyncio.create_task(
                self._send_report(TaskFailed(task.get_name(), error)),
                name="report-failure",
            )
            self._track(reporting, self._reported)

    async def _send_report(self, error: SessionError) -> None:
        await self._report(error)

    def _reported(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        error = failure_of(task)
        if error is not None:
            logger.error(
                "on_error failed while reporting a failed task", exc_info=error
            )
