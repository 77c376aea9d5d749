# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""The signaling messages: JSON text frames on the signaling WebSocket, parsed and written here only.

``{"type": "offer", "sdp": ...}`` (client), ``{"type": "answer", "sdp": ...}`` (server),
``{"type": "bye"}`` or ``{"type": "bye", "reason": "timeout"}`` (either side).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..core.errors import CloseReason, ConnectError

__all__ = [
    "MAX_VIOLATIONS",
    "SIGNALING_MAX_FRAME",
    "Answer",
    "Bye",
    "Offer",
    "Signal",
    "SignalingError",
    "bye_for",
    "format_signal",
    "parse_signal",
    "reason_of_bye",
]


#: Signaling frames carry SDP only: a larger frame closes the socket before it is read whole.
SIGNALING_MAX_FRAME = 128 << 10

#: Frames that break the protocol during a session (not JSON, unknown, out of turn) that a
#: session survives; the next one ends it.
MAX_VIOLATIONS = 3


class SignalingError(ConnectError):
    """The offer/answer exchange failed: unreachable server, bad message, timeout or early bye."""


@dataclass(frozen=True)
class Offer:
    """The client's session description."""

    sdp: str


@dataclass(frozen=True)
class Answer:
    """The server's session description."""

    sdp: str


@dataclass(frozen=True)
class Bye:
    """Either side ends the session; ``reason`` is a ``CloseReason`` value or None."""

    reason: str | None = None


Signal = Offer | Answer | Bye


def parse_signal(text: str | bytes) -> Signal:
    """One signaling frame; raises ``SignalingError`` for anything that is not one."""
    try:
        frame = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        # RecursionError: JSON nested deeper than the parser's stack, which is no SDP either.
        raise SignalingError(
            f"signaling frame is not JSON: {type(exc).__name__}"
        ) from None
    if not isinstance(frame, dict):
        raise SignalingError("signaling frame is not a JSON object")
    kind = frame.get("type")
    if kind in ("offer", "answer"):
        sdp = frame.get("sdp")
        if not isinstance(sdp, str) or not sdp:
            raise SignalingError(f"{kind} without an sdp string")
        return Offer(sdp) if kind == "offer" else Answer(sdp)
    if kind == "bye":
        reason = frame.get("reason")
        return Bye(reason if isinstance(reason, str) else None)
    raise SignalingError(f"unknown signaling message type {kind!r}")


def format_signal(signal: Signal) -> str:
    """The JSON text frame for ``signal``."""
    if isinstance(signal, Offer):
        return json.dumps({"type": "offer", "sdp": signal.sdp})
    if isinstance(signal, Answer):
        return json.dumps({"type": "answer", "sdp": signal.sdp})
    if signal.reason is None:
        return json.dumps({"type": "bye"})
    return json.dumps({"type": "bye", "reason": signal.reason})


def bye_for(reason: CloseReason) -> Bye:
    """The bye this side sends when it ends a session for ``reason``: plain for a local close."""
    return Bye(None if reason is CloseReason.LOCAL else reason.value)


def reason_of_bye(bye: Bye) -> CloseReason:
    """How the receiver of ``bye`` records the end: TIMEOUT when the sender timed out, else REMOTE_BYE."""
    return (
        CloseReason.TIMEOUT
        if bye.reason == CloseReason.TIMEOUT.value
        else CloseReason.REMOTE_BYE
    )
