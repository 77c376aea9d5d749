# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""Errors the runtime raises or hands to callbacks, and why a session ended."""

from __future__ import annotations

import enum
from typing import Any

__all__ = [
    "AsyncApiRuntimeError",
    "CloseReason",
    "ConnectError",
    "InvalidJson",
    "MessageTooLarge",
    "SchemaViolation",
    "SessionClosed",
    "SessionError",
    "TaskFailed",
    "TokenRejected",
    "TransportNotAvailable",
    "UnknownMessage",
    "WireError",
]

#: How much of an offending message an error keeps: enough to see what it was, not a copy of a flood.
RAW_EXCERPT_BYTES = 1024


class AsyncApiRuntimeError(Exception):
    """Base class of every error the runtime raises."""


class TokenRejected(AsyncApiRuntimeError):
    """The server refused the session token at the WebSocket upgrade (HTTP 401 or 403)."""

    def __init__(self, status: int, detail: str = "") -> None:
        self.status = status
        super().__init__(
            f"session token rejected by the server (HTTP {status}){': ' + detail if detail else ''}"
        )


class ConnectError(AsyncApiRuntimeError):
    """The session could not be opened: unreachable server, refused upgrade, bad setup or timeout."""


class SessionClosed(AsyncApiRuntimeError):
    """The session is closed (or closing), so nothing more can be sent or received on it."""


class TransportNotAvailable(AsyncApiRuntimeError):
    """The document's protocol has no built-in transport; the message says what to implement."""


class SessionError(AsyncApiRuntimeError):
    """Something failed inside a session that goes on: what ``on_error`` hooks receive.

    ``detail`` says what, in a line (never with a token or a whole message in it).
    """

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


class WireError(SessionError):
    """A message that arrived on a data channel could not be accepted; the session continues."""

    def __init__(self, channel: str, raw: bytes, detail: str) -> None:
        super().__init__(detail)
        self.channel = channel
        self.raw = raw[:RAW_EXCERPT_BYTES]
        self.args = (f"{channel}: {detail}",)


class TaskFailed(SessionError):
    """Work spawned for a session raised ``error``; the session continues."""

    def __init__(self, task: str, error: BaseException) -> None:
        super().__init__(f"{task} raised {type(error).__name__}: {error}")
        self.task = task
        self.error = error


class InvalidJson(WireError):
    """The message is not well-formed JSON (or not UTF-8)."""


class UnknownMessage(WireError):
    """The message's discriminator (e.g. its ``type``) names no message defined for this channel."""

    def __init__(
        self,
        channel: str,
        raw: bytes,
        detail: str,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(channel, raw, detail)
        self.errors: list[dict[str, Any]] = errors or []


class SchemaViolation(WireError):
    """The message is a known kind but does not match its schema; ``errors`` is pydantic's list."""

    def __init__(
        self,
        channel: str,
        raw: bytes,
        detail: str,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(channel, raw, detail)
        self.errors: list[dict[str, Any]] = errors or []


class MessageTooLarge(WireError):
    """The message exceeds the channel's ``max_message_bytes``."""


class CloseReason(enum.Enum):
    """Why a session ended."""

    LOCAL = "local"
    """This side called ``close()`` (or the server stopped)."""
    REMOTE_BYE = "remote_bye"
    """The other side said bye."""
    TIMEOUT = "timeout"
    """The session reached its maximum duration."""
    PEER_GONE = "peer_gone"
    """The connection dropped without the other side saying bye."""
    ERROR = "error"
    """Setting the session up failed (a bad handshake, or a timeout while connecting)."""
