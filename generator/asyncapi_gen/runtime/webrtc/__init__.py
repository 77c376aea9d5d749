"""The WebRTC transport (aiortc): data channels for messages, transceivers for audio and video.

Signaling rides on the WebSocket transport's client socket and listener, so this package
imports ``..websocket``, never the reverse. ``WebRTCClientSession`` is a
``MediaClientTransport``; the sessions a ``WebRTCServer`` hands its handlers are
``MediaServerSession``s.
"""

from ..websocket.endpoint import web_files
from .client import WebRTCClientSession
from .ice import IceConfig
from .media import (
    EncodedSyntheticVideoTrack,
    EncodedToneAudioTrack,
    EncodedTrack,
    SyntheticVideoTrack,
    ToneAudioTrack,
    count_frames,
)
from .server import WebRTCServer, WebRTCServerSession
from .signaling import SignalingError
from .tracks import AudioTrack, VideoTrack, audio_track, video_track

__all__ = [
    "AudioTrack",
    "EncodedSyntheticVideoTrack",
    "EncodedToneAudioTrack",
    "EncodedTrack",
    "IceConfig",
    "SignalingError",
    "SyntheticVideoTrack",
    "ToneAudioTrack",
    "VideoTrack",
    "WebRTCClientSession",
    "WebRTCServer",
    "WebRTCServerSession",
    "audio_track",
    "count_frames",
    "video_track",
    "web_files",
]
