"""Synthetic media tracks for demos, mocks and tests, plus a frame counter.

Every track is paced in real time, like a microphone or camera, and counts what it hands out in
``frames_sent``. They use only the standard library and PyAV, so no numpy is needed.

``ToneAudioTrack`` and ``SyntheticVideoTrack`` hand aiortc raw frames, which it encodes for each
peer: one Opus and one VP8 encoder per session. ``EncodedToneAudioTrack`` and
``EncodedSyntheticVideoTrack`` carry the same media encoded once per process (a loop of packets,
shared by every session) and hand aiortc packets, which it only packetizes: a session then costs
no encoder at all. aiortc relays a packet as the negotiated codec without looking at it, so an
encoded track tells which codec it carries (``mime_type``); where the peer negotiated another one,
the session sends ``live()``, the same media as raw frames, instead.
"""

from __future__ import annotations

import asyncio
import fractions
import functools
import math
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import av
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, VideoFrame
from av.audio.resampler import AudioResampler
from av.packet import Packet
from av.video.frame import PictureType

from ..core.contracts import Track

__all__ = [
    "EncodedSyntheticVideoTrack",
    "EncodedToneAudioTrack",
    "EncodedTrack",
    "SyntheticVideoTrack",
    "ToneAudioTrack",
    "count_frames",
]

AUDIO_FRAME_SECONDS = 0.020
OPUS_RATE = 48_000
VIDEO_CLOCK = 90_000
VIDEO_LOOP_FRAMES = (
    64  # the gradient moves 4 levels a frame: after 64 frames it is back where it began
)
VIDEO_KEYFRAME_EVERY = (
    32  # a peer that lost a keyframe sees a picture again within about a second
)
VIDEO_BITRATE = 500_000  # aiortc's own VP8 starting bitrate
AUDIO_LOOP_FRAMES = 50  # one second: a whole-hertz tone is seamless across the loop


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
        self.frames_sent += 1
        return self.frame(index)

    def frame(self, index: int) -> AudioFrame:
        """Frame number ``index`` of the tone, unpaced."""
        frame = AudioFrame(format="s16", layout="mono", samples=self._samples_per_frame)
        offset = (index * self._samples_per_frame) % self.sample_rate
        frame.planes[0].update(
            self._second[offset * 2 : (offset + self._samples_per_frame) * 2]
        )
        frame.sample_rate = self.sample_rate
        frame.pts = index * self._samples_per_frame
        frame.time_base = fractions.Fraction(1, self.sample_rate)
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
        self.frames_sent += 1
        return self.frame(index)

    def frame(self, index: int) -> VideoFrame:
        """Frame number ``index`` of the picture, unpaced."""
        frame = VideoFrame(width=self.width, height=self.height, format="yuv420p")
        luma = frame.planes[0]
        rows = [self._row(index * 4 + y, luma.line_size) for y in range(self.height)]
        luma.update(b"".join(rows))
        for chroma in frame.planes[1:]:
            chroma.update(
                bytes([128]) * chroma.buffer_size
            )  # neutral colour: a grey picture
        frame.pts = index * (VIDEO_CLOCK // self.fps)
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        return frame

    def _row(self, shift: int, line_size: int) -> bytes:
        start = shift % 256
        return self._gradient[start : start + line_size]


@dataclass(frozen=True)
class EncodedLoop:
    """Encoded packets replayed in a loop: one per frame, ``ticks`` apart on a ``clock_rate`` clock."""

    mime_type: str
    packets: tuple[bytes, ...]
    frame_seconds: float
    clock_rate: int
    ticks: int


class EncodedTrack(MediaStreamTrack):
    """Packets of an ``EncodedLoop`` in real time: aiortc sends them as they are, encoding nothing."""

    def __init__(self, loop: EncodedLoop, live: Callable[[], MediaStreamTrack]) -> None:
        super().__init__()
        self.mime_type = loop.mime_type
        self.frames_sent = 0
        self._encoded = loop  # not `_loop`: pyee's event emitter, aiortc's base, keeps its event loop there
        self._live = live
        self._time_base = fractions.Fraction(1, loop.clock_rate)
        self._start: float | None = None

    def live(self) -> MediaStreamTrack:
        """The same media as raw frames, for a peer that negotiated another codec than ``mime_type``."""
        return self._live()

    async def recv(self) -> Packet[Any]:
        """The next packet, no earlier than its real-time due date."""
        if self.readyState != "live":
            raise MediaStreamError
        index = self.frames_sent
        loop = self._encoded
        self._start = await _pace(self._start, index * loop.frame_seconds)
        packet: Packet[Any] = Packet(loop.packets[index % len(loop.packets)])
        packet.pts = index * loop.ticks
        packet.time_base = self._time_base
        self.frames_sent += 1
        return packet


class EncodedToneAudioTrack(EncodedTrack):
    """``ToneAudioTrack``'s tone encoded once per process as Opus (48 kHz stereo, 20 ms packets)."""

    kind = "audio"

    def __init__(self, frequency: float = 440.0) -> None:
        super().__init__(
            _opus_tone(frequency), functools.partial(ToneAudioTrack, frequency)
        )


class EncodedSyntheticVideoTrack(EncodedTrack):
    """``SyntheticVideoTrack``'s picture encoded once per process as VP8 (a keyframe a second)."""

    kind = "video"

    def __init__(self, width: int = 320, height: int = 240, fps: int = 30) -> None:
        super().__init__(
            _vp8_picture(width, height, fps),
            functools.partial(SyntheticVideoTrack, width, height, fps),
        )


@functools.lru_cache(maxsize=4)
def _opus_tone(frequency: float) -> EncodedLoop:
    """Two seconds of the tone through libopus with aiortc's settings, keeping the second one.

    The first second is left out so that the loop starts past the encoder's warm-up.
    """
    tone = ToneAudioTrack(frequency, OPUS_RATE)
    codec: Any = av.CodecContext.create("libopus", "w")
    codec.bit_rate = 96_000
    codec.format = "s16"
    codec.layout = "stereo"
    codec.sample_rate = OPUS_RATE
    codec.time_base = fractions.Fraction(1, OPUS_RATE)
    codec.options = {"application": "voip"}
    resampler = AudioResampler(
        format="s16", layout="stereo", rate=OPUS_RATE, frame_size=960
    )
    packets: list[bytes] = []
    for index in range(2 * AUDIO_LOOP_FRAMES):
        for frame in resampler.resample(tone.frame(index)):
            packets += [bytes(packet) for packet in codec.encode(frame)]
    loop = tuple(packets[-AUDIO_LOOP_FRAMES:])
    return EncodedLoop("audio/opus", loop, AUDIO_FRAME_SECONDS, OPUS_RATE, 960)


@functools.lru_cache(maxsize=4)
def _vp8_picture(width: int, height: int, fps: int) -> EncodedLoop:
    """One loop of the picture through libvpx with aiortc's real-time settings, one packet a frame."""
    picture = SyntheticVideoTrack(width, height, fps)
    codec: Any = av.CodecContext.create("libvpx", "w")
    codec.width = width
    codec.height = height
    codec.pix_fmt = "yuv420p"
    codec.bit_rate = VIDEO_BITRATE
    codec.time_base = fractions.Fraction(1, fps)
    codec.gop_size = VIDEO_KEYFRAME_EVERY
    codec.options = {"deadline": "realtime", "cpu-used": "-6", "lag-in-frames": "0"}
    packets: list[bytes] = []
    for index in range(VIDEO_LOOP_FRAMES):
        frame = picture.frame(index)
        frame.pts = index
        frame.time_base = fractions.Fraction(1, fps)
        if index % VIDEO_KEYFRAME_EVERY == 0:
            frame.pict_type = PictureType.I
        packets.append(b"".join(bytes(packet) for packet in codec.encode(frame)))
    if not all(packets):
        raise RuntimeError("libvpx held frames back; expected one packet per frame")
    return EncodedLoop(
        "video/VP8", tuple(packets), 1 / fps, VIDEO_CLOCK, VIDEO_CLOCK // fps
    )


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
