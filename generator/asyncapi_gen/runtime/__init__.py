"""The asyncapi-gen transport runtime, copied verbatim into every generated package as ``_runtime/``.

It imports nothing from the generator, and this file imports nothing at all, so importing one
layer never loads another's dependencies:

- ``core/``: channels, the codec and its routing, delivery, the one ``Session`` class, the
  contracts generated code talks to (``ClientTransport``, ``ServerTransport``, ...), tokens;
  only the standard library and pydantic.
- ``websocket/``: the plain WebSocket transport (websockets), and the WebSocket client socket
  and listener that WebRTC signaling rides on.
- ``webrtc/``: the WebRTC transport (aiortc): data channels, audio and video tracks.

Each transport subpackage has the same module names: ``session.py`` (the link under a
``Session``), ``client.py``, ``server.py``.
"""
