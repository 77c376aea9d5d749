# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""Synthetic media tracks for demos, mocks and tests, plus a frame counter.

Both tracks are paced in real time, like a microphone or camera, and count what they hand out in
``frames_sent``. They use only the standard library and PyAV, so no numpy is needed.
"""

from __future__ import annotations

import asyncio
import fractions
import functools
import math
import struct
import time

from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, VideoFrame

from ..core.contracts import Track

__all__ = ["SyntheticVideoTrack", "ToneAudioTrack", "count_frames"]

AUDIO_FRAME_SECONDS = 0.020


class ToneAudioTrack(MediaStreamTrack):
    """A sine tone as 20 ms mono s16 frames."""

    kind = "audio"

    def __init__(self, frequency: float = 440.0, sample_rate: int = 48000) -> None:
        super().__init__()
        self.frequency = frequency
        self.sample_rate = sample_rate
        self.frames_sent = 0
        self._samples_per_frame = int(sample_rate * AUDIO_FRAME_SECONDS)
        self._second = _one_second_of_tone(frequency, sample_rate)
        self._start: float | None = None

    async def recv(self) -> AudioFrame:
        """The next frame, no earlier than its real-time due date."""
        if self.readyState != "live":
            raise MediaStreamError
        index = self.frames_sent
        self._start = await _pace(self._start, index * AUDIO_FRAME_SECONDS)
        frame = AudioFrame(format="s16", layout="mono", samples=self._samples_per_frame)
        offset = (index * self._samples_per_frame) % self.sample_rate
        frame.planes[0].update(
            self._second[offset * 2 : (offset + self._samples_per_frame) * 2]
        )
        frame.sample_rate = self.sample_rate
        frame.pts = index * self._samples_per_frame
        frame.time_base = fractions.Fraction(1, self.sample_rate)
        self.frames_sent += 1
        return frame


class SyntheticVideoTrack(MediaStreamTrack):
    """A moving diagonal gradient in yuv420p, small enough for many sessions on two cores."""

    kind = "video"

    def __init__(self, width: int = 320, height: int = 240, fps: int = 30) -> None:
        super().__init__()
        self.width = width
        self.height = height
        self.fps = fps
        self.frames_sent = 0
        self._gradient = bytes(range(256)) * (width // 256 + 2)
        self._start: float | None = None

    async def recv(self) -> VideoFrame:
        """The next frame, no earlier than its real-time due date."""
        if self.readyState != "live":
            raise MediaStreamError
        index = self.frames_sent
        self._start = await _pace(self._start, index / self.fps)
        frame = VideoFrame(width=self.width, height=self.height, format="yuv420p")
        luma = frame.planes[0]
        rows = [self._row(index * 4 + y, luma.line_size) for y in range(self.height)]
        luma.update(b"".join(rows))
        for chroma in frame.planes[1:]:
            chroma.update(
                bytes([128]) * chroma.buffer_size
            )  # neutral colour: a grey picture
        frame.pts = index * (90_000 // self.fps)
        frame.time_base = fractions.Fraction(1, 90_000)
        self.frames_sent += 1
        return frame

    def _row(self, shift: int, line_size: int) -> bytes:
        start = shift % 256
        return self._gradient[start : start + line_size]


async def count_frames(track: Track, seconds: float) -> int:
    """How many frames ``track`` delivers within ``seconds`` (stops early if the track ends)."""
    frames = 0
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (remaining := deadline - loop.time()) > 0:
        try:
            await asyncio.wait_for(track.recv(), timeout=remaining)
        except (TimeoutError, MediaStreamError):
            break
        frames += 1
    return frames


@functools.lru_cache(maxsize=8)
def _one_second_of_tone(frequency: float, sample_rate: int) -> bytes:
    """One second of s16 samples, sliced frame by frame: seamless for whole-hertz tones; cached per tone."""
    amplitude = 12_000  # about -8.7 dBFS: clearly audible, far from clipping
    return b"".join(
        struct.pack(
            "<h", round(amplitude * math.sin(2 * math.pi * frequency * n / sample_rate))
        )
        for n in range(sample_rate)
    )


async def _pace(start: float | None, offset: float) -> float:
    """Sleep until ``start + offset`` (the first call starts the clock); returns the start time."""
    now = time.monotonic()
    if start is None:
        return now
    delay = start + offset - now
    if delay > 0:
        await asyncio.sleep(delay)
    return start
