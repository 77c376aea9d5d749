"""A callback that waits runs in one Context from its first step to its last.

Delivery runs a callback up to its first wait at once and finishes it in a task. A library that sets a context
variable before its first wait and resets it after (FastStream's publish does, as structured loggers and tracers
do) needs both halves in the same Context: `ContextVar.reset` refuses a token made in another one.
"""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

from asyncapi_gen.runtime.core.delivery import Delivery

SCOPE: contextvars.ContextVar[str] = contextvars.ContextVar("scope", default="outside")


def test_a_callback_resets_after_its_first_wait_what_it_set_before() -> None:
    seen: list[tuple[int, str, str]] = []
    failures: list[Any] = []

    async def handler(message: int) -> None:
        token = SCOPE.set(f"message {message}")
        await asyncio.sleep(0.01)  # the first wait: the rest runs in Delivery's task
        during = SCOPE.get()
        SCOPE.reset(token)  # raises ValueError when the halves ran in different Contexts
        seen.append((message, during, SCOPE.get()))

    async def scenario() -> str:
        delivery = Delivery(["a"])
        delivery.on_message("a", handler)
        delivery.on_error(lambda error: failures.append(error))  # type: ignore[arg-type, func-returns-value]
        for message in range(3):
            delivery.deliver("a", message)
        await delivery.finish(2.0)
        return SCOPE.get()

    caller_sees = asyncio.run(scenario())
    assert seen == [(n, f"message {n}", "outside") for n in range(3)], seen
    assert caller_sees == "outside"  # what a callback sets stays in its own Context
    assert not failures
