"""The asyncapi-gen transport runtime: WebRTC sessions for channels described by an AsyncAPI document.

Copied verbatim into every generated package as ``_runtime/``; it imports nothing from the
generator. Generated code describes its channels with ``ChannelSpec`` and talks to
``WebRTCClientSession`` (client side) or ``WebRTCServer``/``SessionHandler`` (server side).
"""

from .channels import ChannelKind, ChannelSpec
from .codec import decode_message, encode_message
from .errors import (
    AsyncApiRuntimeError,
    CloseReason,
    InvalidJson,
    MessageTooLarge,
    SchemaViolation,
    SessionClosed,
    SignalingError,
    TokenRejected,
    TransportNotAvailable,
    UnknownMessage,
    WireError,
)
from .ice import IceConfig
from .media import SyntheticVideoTrack, ToneAudioTrack, count_frames
from .tokens import InMemoryTokenIssuer, TokenIssuer
from .webrtc_client import WebRTCClientSession
from .webrtc_server import ServerSession, SessionHandler, WebRTCServer

__all__ = [
    "AsyncApiRuntimeError",
    "ChannelKind",
    "ChannelSpec",
    "CloseReason",
    "IceConfig",
    "InMemoryTokenIssuer",
    "InvalidJson",
    "MessageTooLarge",
    "SchemaViolation",
    "ServerSession",
    "SessionClosed",
    "SessionHandler",
    "SignalingError",
    "SyntheticVideoTrack",
    "TokenIssuer",
    "TokenRejected",
    "ToneAudioTrack",
    "TransportNotAvailable",
    "UnknownMessage",
    "WebRTCClientSession",
    "WebRTCServer",
    "WireError",
    "count_frames",
    "decode_message",
    "encode_message",
]
