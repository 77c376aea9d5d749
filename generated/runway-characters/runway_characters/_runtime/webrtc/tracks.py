# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""Tracks between aiortc and the runtime's callers.

``BufferedTrack``: aiortc queues every decoded frame of a remote track until someone calls
``recv()``; a handler that ignores a track (or reads it slowly) would hold minutes of decoded
video. This wrapper keeps only the newest ``capacity``: for live media a late frame is worth
nothing. Where the remote track is aiortc's (its frames in an ``asyncio.Queue`` named ``_queue``),
that queue itself is made to drop its oldest frame when full, and ``recv()`` reads it directly:
a frame wakes one task, the reader, as with aiortc alone. Otherwise a ``pump`` task moves frames
into a bounded buffer (a second task woken per frame).

``sendable``: callers hand the runtime any core ``Track``; aiortc sends only its own
``MediaStreamTrack``, so anything else is wrapped.

``AudioTrack``/``VideoTrack``: a received track as typed code sees it. aiortc types every track's
``recv()`` as ``Frame | Packet``, but a remote track it decodes yields ``AudioFrame``s or
``VideoFrame``s by kind; ``audio_track``/``video_track`` check the kind and say so.
"""

from __future__ import annotations

import asyncio
import collections
from typing import Any, Protocol, cast

from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from av.audio.frame import AudioFrame
from av.frame import Frame
from av.packet import Packet
from av.video.frame import VideoFrame

from ..core.contracts import Track

__all__ = [
    "AudioTrack",
    "BufferedTrack",
    "VideoTrack",
    "audio_track",
    "sendable",
    "video_track",
]


class AudioTrack(Protocol):
    """A received audio track: ``recv()`` gives decoded ``AudioFrame``s."""

    @property
    def kind(self) -> str: ...

    async def recv(self) -> AudioFrame:
        """The next frame; ``MediaStreamError`` once the track has ended."""
        ...

    def stop(self) -> None: ...


class VideoTrack(Protocol):
    """A received video track: ``recv()`` gives decoded ``VideoFrame``s."""

    @property
    def kind(self) -> str: ...

    async def recv(self) -> VideoFrame:
        """The next frame; ``MediaStreamError`` once the track has ended."""
        ...

    def stop(self) -> None: ...


def audio_track(track: MediaStreamTrack) -> AudioTrack:
    """``track``, a remote audio track, typed as one (``TypeError`` for any other kind)."""
    if track.kind != "audio":
        raise TypeError(f"expected an audio track, got a {track.kind} track")
    return cast(AudioTrack, track)


def video_track(track: MediaStreamTrack) -> VideoTrack:
    """``track``, a remote video track, typed as one (``TypeError`` for any other kind)."""
    if track.kind != "video":
        raise TypeError(f"expected a video track, got a {track.kind} track")
    return cast(VideoTrack, track)


class BufferedTrack(MediaStreamTrack):
    """Frames of ``source``, of which at most ``capacity`` wait; older ones are dropped."""

    def __init__(self, source: MediaStreamTrack, capacity: int = 64) -> None:
        super().__init__()
        self.kind = source.kind
        self.frames_dropped = 0
        self._source = source
        self._frames: collections.deque[Frame | Packet[Any]] = collections.deque(
            maxlen=capacity
        )
        self._arrived = asyncio.Event()
        self._ended = False
        self._queue = self._bound_in_place(source, capacity)

    @property
    def needs_pump(self) -> bool:
        """True when ``pump`` must run as a task for frames to arrive (the source is not aiortc's)."""
        return self._queue is None

    def _bound_in_place(
        self, source: MediaStreamTrack, capacity: int
    ) -> asyncio.Queue[Any] | None:
        """Make the source's own queue keep at most ``capacity`` frames; None where it has none."""
        queue = getattr(source, "_queue", None)
        if type(queue) is not asyncio.Queue:
            return None
        put_nowait = queue.put_nowait

        def put_dropping_oldest(item: Any) -> None:
            if queue.qsize() >= capacity:
                queue.get_nowait()
                self.frames_dropped += 1
            put_nowait(item)

        async def put(item: Any) -> None:
            # aiortc's decoder thread schedules ``put`` for each frame: never waits, drops the oldest.
            put_dropping_oldest(item)

        while queue.qsize() > capacity:  # frames decoded before this wrapper existed
            queue.get_nowait()
            self.frames_dropped += 1
        queue.put_nowait = put_dropping_oldest  # type: ignore[method-assign]
        queue.put = put  # type: ignore[method-assign]
        return queue

    async def pump(self) -> None:
        """Move frames from the source into the buffer until the source ends (run as a task)."""
        try:
            while True:
                frame = await self._source.recv()
                if len(self._frames) == self._frames.maxlen:
                    self.frames_dropped += 1
                self._frames.append(frame)
                self._arrived.set()
        except MediaStreamError:
            pass
        finally:
            self._ended = True
            self._arrived.set()

    async def recv(self) -> Frame | Packet[Any]:
        """The oldest buffered frame; raises ``MediaStreamError`` once the track has ended."""
        if self._queue is not None:
            if self._ended or self.readyState != "live":
                self.stop()
                raise MediaStreamError
            frame: Frame | Packet[Any] = await self._source.recv()
            return frame
        while not self._frames:
            if self._ended or self.readyState != "live":
                self.stop()
                raise MediaStreamError
            self._arrived.clear()
            await self._arrived.wait()
        return self._frames.popleft()

    def stop(self) -> None:
        """Stop this track and wake a waiting reader."""
        super().stop()
        if self._queue is not None and not self._ended:
            # What aiortc queues at the end: the reader raises MediaStreamError.
            self._queue.put_nowait(None)
        self._ended = True
        self._arrived.set()


def sendable(track: Track) -> MediaStreamTrack:
    """``track`` as aiortc can send it."""
    return track if isinstance(track, MediaStreamTrack) else _ForeignTrack(track)


class _ForeignTrack(MediaStreamTrack):
    """A ``Track`` of another library, seen as aiortc's ``MediaStreamTrack``."""

    def __init__(self, track: Track) -> None:
        super().__init__()
        self.kind = track.kind
        self._track = track

    async def recv(self) -> Frame | Packet[Any]:
        frame: Frame | Packet[Any] = await self._track.recv()
        return frame

    def stop(self) -> None:
        super().stop()
        self._track.stop()
