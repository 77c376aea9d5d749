"""The signaling messages: JSON text frames on the WebSocket, parsed and written here only.

``{"type": "offer", "sdp": ...}`` (client), ``{"type": "answer", "sdp": ...}`` (server),
``{"type": "bye"}`` or ``{"type": "bye", "reason": "timeout"}`` (either side).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .channels import ChannelSpec
from .errors import CloseReason, SignalingError

__all__ = [
    "Answer",
    "Bye",
    "Offer",
    "Signal",
    "advertise_max_message_size",
    "advertised_message_size",
    "bye_for",
    "format_signal",
    "parse_signal",
    "reason_of_bye",
    "with_token",
]


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
    except (ValueError, UnicodeDecodeError) as exc:
        raise SignalingError(f"signaling frame is not JSON: {exc}") from None
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


def with_token(url: str, token: str | None) -> str:
    """``url`` with ``token=<token>`` appended to its query (existing parameters kept)."""
    if token is None:
        return url
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query.append(("token", token))
    return urlunsplit(parts._replace(query=urlencode(query)))


_MAX_MESSAGE_SIZE_LINE = re.compile(r"a=max-message-size:\d+")


def advertise_max_message_size(sdp: str, size: int) -> str:
    """``sdp`` advertising ``size`` as the largest data-channel message this side takes.

    aiortc advertises 256 KiB and refuses to send more than the peer advertises. The runtime
    enforces each channel's own limit after receipt, so it advertises more: an oversized message
    then reaches the validator and becomes a typed ``MessageTooLarge`` the handler sees.
    """
    return _MAX_MESSAGE_SIZE_LINE.sub(f"a=max-message-size:{size}", sdp)


def advertised_message_size(channels: Iterable[ChannelSpec]) -> int:
    """What to advertise as max-message-size: well above every channel's own limit (at least 4 MiB)."""
    return max([4 << 20, *(4 * spec.max_message_bytes for spec in channels)])
