# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""Shutdown steps: each is bounded in time, and a failing one is logged, never skipping the rest.

Whatever ends a session (a close, a bye, a timer, a dropped connection), its closer runs every
step; a dead peer must not hang ``close()``, and one broken step must not leak the others.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

__all__ = ["STEP_TIMEOUT", "logged"]

logger = logging.getLogger(__name__)

#: Seconds each shutdown step may take before it is abandoned.
STEP_TIMEOUT = 5.0


@contextlib.contextmanager
def logged(what: str, quiet: tuple[type[BaseException], ...] = ()) -> Iterator[None]:
    """Log and swallow an exception from one step (``quiet`` ones at debug level only)."""
    try:
        yield
    except quiet:
        logger.debug("%s failed quietly", what, exc_info=True)
    except Exception:
        logger.exception("%s failed", what)
