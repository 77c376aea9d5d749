"""A received track keeps only its newest frames (webrtc/tracks.py, ``BufferedTrack``), read without a pump task
where the source is aiortc's remote track, and ends or stops as aiortc's would.

The source is aiortc's own ``RemoteStreamTrack``, fed the way its decoder thread feeds it (``put`` of each
frame, ``None`` at the end); the frames are numbers, which is all a buffer sees of them.
"""

from __future__ import annotations

import asyncio
import fractions

import pytest
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError
from aiortc.rtcrtpreceiver import RemoteStreamTrack
from asyncapi_gen.runtime.webrtc.tracks import BufferedTrack
from rt_support import run, within


async def _decoded(source: RemoteStreamTrack, frames: range) -> None:
    for frame in frames:
        await source._queue.put(frame)  # what aiortc's decoder schedules for each frame


def test_a_track_nobody_reads_holds_only_its_newest_frames_and_ends_after_them() -> None:
    async def scenario() -> None:
        source = RemoteStreamTrack(kind="audio")
        track = BufferedTrack(source, capacity=64)
        assert not track.needs_pump  # aiortc's queue is bounded in place: no task per frame
        await _decoded(source, range(200))
        assert source._queue.qsize() == 64 and track.frames_dropped == 136
        await source._queue.put(None)  # the decoder's end of stream, which takes a place of its own
        assert track.frames_dropped == 137
        got = [await within(track.recv()) for _ in range(63)]
        assert got == list(range(137, 200))
        with pytest.raises(MediaStreamError):
            await within(track.recv())
        with pytest.raises(MediaStreamError):  # and stays ended
            await within(track.recv())

    run(scenario)


def test_frames_read_as_they_come_are_all_kept_in_order() -> None:
    async def scenario() -> None:
        source = RemoteStreamTrack(kind="video")
        track = BufferedTrack(source, capacity=4)
        got = []
        for frame in range(100):
            await _decoded(source, range(frame, frame + 1))
            got.append(await within(track.recv()))
        assert got == list(range(100)) and track.frames_dropped == 0

    run(scenario)


def test_stopping_wakes_a_waiting_reader_with_the_end_of_the_track() -> None:
    async def scenario() -> None:
        source = RemoteStreamTrack(kind="audio")
        track = BufferedTrack(source)
        reader = asyncio.ensure_future(track.recv())
        await asyncio.sleep(0.01)
        assert not reader.done()
        track.stop()
        with pytest.raises(MediaStreamError):
            await within(reader)
        with pytest.raises(MediaStreamError):
            await within(track.recv())

    run(scenario)


def test_a_source_without_aiortcs_queue_is_pumped_into_a_bounded_buffer() -> None:
    async def scenario() -> None:
        source = AudioStreamTrack()  # aiortc's silence generator: frames of its own, no queue to bound
        track = BufferedTrack(source, capacity=3)
        assert track.needs_pump
        pump = asyncio.ensure_future(track.pump())
        frame = await within(track.recv())
        assert frame.sample_rate == 8000 and frame.time_base == fractions.Fraction(1, 8000)
        source.stop()  # the source ends: the pump stops and the reader sees the end
        await within(pump)
        while True:
            try:
                await within(track.recv())
            except MediaStreamError:
                break

    run(scenario)
