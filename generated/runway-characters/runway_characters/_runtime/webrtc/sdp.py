# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""What the runtime writes into, or chooses for, a session description.

Directions and codec preferences follow from the channel list; the advertised data-channel
message size is raised so each channel's own limit is enforced by the codec, after receipt.
"""

from __future__ import annotations

import re

from aiortc import RTCRtpSender
from aiortc.rtcrtpparameters import RTCRtpCodecCapability

from ..core.channels import ChannelSpec, Side

__all__ = ["advertise_max_message_size", "codec_preferences", "direction_for"]

_MAX_MESSAGE_SIZE_LINE = re.compile(r"a=max-message-size:\d+")


def advertise_max_message_size(sdp: str, size: int) -> str:
    """``sdp`` advertising ``size`` as the largest data-channel message this side takes.

    aiortc advertises 256 KiB whatever the channels take, and refuses to send more than the peer
    advertises. The runtime advertises what it enforces (``message_limit``: the largest data
    channel's ``max_message_bytes``); a peer that sends more anyway gets a typed
    ``MessageTooLarge`` up to ``frame_limit``, and is cut off beyond it.
    """
    return _MAX_MESSAGE_SIZE_LINE.sub(f"a=max-message-size:{size}", sdp)


def direction_for(spec: ChannelSpec, side: Side) -> str:
    """The transceiver direction of a media channel, seen from ``side``."""
    sends, receives = side.sends(spec), side.receives(spec)
    if sends and receives:
        return "sendrecv"
    if sends:
        return "sendonly"
    if receives:
        return "recvonly"
    return "inactive"


def codec_preferences(spec: ChannelSpec) -> list[RTCRtpCodecCapability]:
    """aiortc's capabilities for the channel's codec (plus RTX for video, for retransmissions)."""
    kind = spec.kind.value
    wanted = {f"{kind}/{spec.codec}".lower(), "video/rtx"}
    codecs = [
        c
        for c in RTCRtpSender.getCapabilities(kind).codecs
        if c.mimeType.lower() in wanted
    ]
    if not any(c.mimeType.lower() != "video/rtx" for c in codecs):
        raise ValueError(
            f"aiortc has no {kind} codec {spec.codec!r} for channel {spec.address!r}"
        )
    return codecs
