# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""Driving a server's ``SessionHandler`` from a session: the same for every server transport.

The handler sees the session as ``view`` (the ``ServerSession`` or ``MediaServerSession`` its
transport hands out): every message this side receives and every wire error go to it, and its
``on_close`` runs as the session's last close hook.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, TypeVar

from .channels import ChannelKind
from .contracts import ServerSession, SessionHandler
from .session import Session

__all__ = ["handle", "no_hook", "open_handler"]

logger = logging.getLogger(__name__)

ViewT = TypeVar("ViewT", bound=ServerSession)


def handle(session: Session[Any], view: ViewT, handler: SessionHandler[ViewT]) -> None:
    """Route what ``session`` receives, its wire errors and its end to ``handler``."""
    for address, spec in session.channels.items():
        if spec.kind is ChannelKind.DATA and session.side.receives(spec):
            # A partial, not a closure: one coroutine less per message.
            session.on_message(
                address, functools.partial(handler.on_message, view, address)
            )
    session.on_error(functools.partial(handler.on_error, view))
    session.on_closed(functools.partial(handler.on_close, view))


async def open_handler(view: ViewT, handler: SessionHandler[ViewT]) -> None:
    """Await ``handler.on_open(view)``; a failing hook is logged and the session goes on."""
    try:
        await handler.on_open(view)
    except Exception:
        logger.exception("on_open of session %s failed", view.id)


async def no_hook() -> None:
    """What a generated adapter hands back for a message no hook of its handler takes: nothing to do."""
