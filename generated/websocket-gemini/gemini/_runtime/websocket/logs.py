# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""websockets' loggers with every session token masked: its DEBUG log writes request lines whole."""

from __future__ import annotations

import logging
from typing import Any

from ..core.tokens import redacted

__all__ = ["redacting"]


class _Redacting(logging.LoggerAdapter[logging.Logger]):
    """Formats each record's message, masks ``token=...`` in it, then logs it."""

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        if self.isEnabledFor(level):
            text = str(msg) % args if args else str(msg)
            self.logger.log(level, "%s", redacted(text), **kwargs)


def redacting(name: str) -> logging.LoggerAdapter[logging.Logger]:
    """The logger ``name`` (``websockets.server``, ``websockets.client``), masking tokens."""
    return _Redacting(logging.getLogger(name), {})
