# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""Waiting on several events at once without leaving waiter tasks behind."""

from __future__ import annotations

import asyncio

__all__ = ["first_of"]


async def first_of(*events: asyncio.Event) -> None:
    """Wait until any of ``events`` is set."""
    if any(event.is_set() for event in events):
        return
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        # Cancelled and awaited here, so neither a normal return nor a cancellation leaks a waiter.
        for waiter in waiters:
            waiter.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)
