"""The asyncapi-gen transport runtime: WebRTC and WebSocket sessions for channels described by an AsyncAPI document.

Copied verbatim into every generated package as ``_runtime/``; it imports nothing from the
generator. Generated code describes its channels with ``ChannelSpec`` and talks to a
``ClientTransport`` (``WebRTCClientSession``, ``WebSocketClientSession``) on the client side and a
``ServerTransport`` (``WebRTCServer``, ``WebSocketServer``) driving ``SessionHandler``s on the server
side; ``UnavailableClientTransport``/``UnavailableServerTransport`` stand in for other protocols.
"""

from .channels import ChannelKind, ChannelSpec
from .codec import decode_first, decode_message, encode_message
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
from .transport import (
    ClientTransport,
    ServerSession,
    ServerTransport,
    SessionHandler,
    UnavailableClientTransport,
    UnavailableServerTransport,
)
from .webrtc_client import WebRTCClientSession
from .webrtc_server import WebRTCServer, WebRTCServerSession
from .websocket_client import WebSocketClientSession
from .websocket_server import WebSocketServer, WebSocketServerSession

__all__ = [
    "AsyncApiRuntimeError",
    "ChannelKind",
    "ChannelSpec",
    "ClientTransport",
    "CloseReason",
    "IceConfig",
    "InMemoryTokenIssuer",
    "InvalidJson",
    "MessageTooLarge",
    "SchemaViolation",
    "ServerSession",
    "ServerTransport",
    "SessionClosed",
    "SessionHandler",
    "SignalingError",
    "SyntheticVideoTrack",
    "TokenIssuer",
    "TokenRejected",
    "ToneAudioTrack",
    "TransportNotAvailable",
    "UnavailableClientTransport",
    "UnavailableServerTransport",
    "UnknownMessage",
    "WebRTCClientSession",
    "WebRTCServer",
    "WebRTCServerSession",
    "WebSocketClientSession",
    "WebSocketServer",
    "WebSocketServerSession",
    "WireError",
    "count_frames",
    "decode_first",
    "decode_message",
    "encode_message",
]
