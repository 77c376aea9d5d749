# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""The plain WebSocket transport (websockets): one socket per session, bare JSON text frames.

No media: ``WebSocketClientSession`` is a ``ClientTransport`` and the sessions a
``WebSocketServer`` hands its handlers are ``ServerSession``s. Imports no media library.
"""

from .client import WebSocketClientSession
from .server import WebSocketServer

__all__ = ["WebSocketClientSession", "WebSocketServer"]
