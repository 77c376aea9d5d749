"""Media encoded once per process: a real session decodes it, sessions share it, another codec gets raw frames."""

from __future__ import annotations

import asyncio

import av
from aiortc import MediaStreamTrack
from asyncapi_gen.runtime.core import ChannelKind, ChannelSpec, ServerSession
from asyncapi_gen.runtime.webrtc import (
    EncodedSyntheticVideoTrack,
    EncodedToneAudioTrack,
    SyntheticVideoTrack,
    ToneAudioTrack,
    WebRTCClientSession,
    WebRTCServer,
    count_frames,
)
from av import VideoFrame
from rt_support import AUDIO, LOOPBACK, VIDEO, Recorder, data_channel, run, runway_channels, within


def test_encoded_loops_decode_to_the_synthetic_media_and_are_shared_by_every_track() -> None:
    first, second = EncodedSyntheticVideoTrack(), EncodedSyntheticVideoTrack()
    assert first._encoded is second._encoded  # encoded once per process, not once per session
    assert EncodedToneAudioTrack(220.0)._encoded is EncodedToneAudioTrack(220.0)._encoded
    decoder = av.CodecContext.create("libvpx", "r")
    frames = [frame for packet in first._encoded.packets for frame in decoder.decode(av.Packet(packet))]
    assert len(frames) == len(first._encoded.packets)
    raw, decoded = SyntheticVideoTrack().frame(5).planes[0], frames[5].planes[0]
    expected, got = bytes(raw), bytes(decoded)
    samples = [(x, y) for y in range(0, 240, 3) for x in range(0, 320, 5)]
    error = sum(abs(got[y * decoded.line_size + x] - expected[y * raw.line_size + x]) for x, y in samples)
    assert error / len(samples) < 8, "the decoded loop is not the synthetic picture"
    other = SyntheticVideoTrack().frame(20).planes[0]  # the judge can fail: another frame of the loop differs
    mismatch = sum(abs(got[y * decoded.line_size + x] - bytes(other)[y * other.line_size + x]) for x, y in samples)
    assert mismatch / len(samples) > 16
    opus = av.CodecContext.create("libopus", "r")
    audio = [f for p in EncodedToneAudioTrack(220.0)._encoded.packets for f in opus.decode(av.Packet(p))]
    assert sum(frame.samples for frame in audio) == 48_000  # one second of 20 ms packets


def test_a_session_sends_encoded_media_and_the_client_decodes_it_in_real_time() -> None:
    async def scenario() -> None:
        sent: dict[str, MediaStreamTrack] = {}

        async def on_open(session: ServerSession) -> None:
            sent["audio"], sent["video"] = EncodedToneAudioTrack(220.0), EncodedSyntheticVideoTrack()
            session.set_send_track(AUDIO, sent["audio"])
            session.set_send_track(VIDEO, sent["video"])

        async with WebRTCServer(runway_channels(), Recorder(on_open), ice=LOOPBACK) as server:
            url, token = server.issue_session()
            client = WebRTCClientSession(url, token, runway_channels(), ice=LOOPBACK)
            client.set_send_track(AUDIO, ToneAudioTrack())
            async with client:
                video = await client.remote_track(VIDEO)
                audio = await client.remote_track(AUDIO)
                frame = await within(video.recv())
                assert isinstance(frame, VideoFrame) and (frame.width, frame.height) == (320, 240)
                await within(audio.recv())
                video_frames, audio_frames = await asyncio.gather(
                    count_frames(video, 3.0), count_frames(audio, 3.0)
                )
                assert video_frames / 3.0 >= 25, f"video at {video_frames / 3.0:.1f} fps"
                assert audio_frames >= 0.9 * 150, f"{audio_frames} audio frames in 3 s"
            assert isinstance(sent["video"], EncodedSyntheticVideoTrack)

    run(scenario)


def test_a_peer_that_negotiated_another_codec_gets_the_same_media_as_raw_frames() -> None:
    """VP8 packets sent as H.264 would be garbage: the session sends the track's raw frames instead."""
    h264 = [
        ChannelSpec(AUDIO, ChannelKind.AUDIO, "opus", client_sends=True, server_sends=True),
        ChannelSpec(VIDEO, ChannelKind.VIDEO, "h264", client_sends=False, server_sends=True),
        data_channel(),
    ]

    async def scenario() -> None:
        replaced: list[object] = []

        async def on_open(session: ServerSession) -> None:
            session.set_send_track(VIDEO, EncodedSyntheticVideoTrack())
            session.set_send_track(AUDIO, EncodedToneAudioTrack())
            replaced.append(session._link.send_track(VIDEO))  # type: ignore[attr-defined]
            replaced.append(session._link.send_track(AUDIO))  # type: ignore[attr-defined]

        async with WebRTCServer(h264, Recorder(on_open), ice=LOOPBACK) as server:
            url, token = server.issue_session()
            client = WebRTCClientSession(url, token, h264, ice=LOOPBACK)
            client.set_send_track(AUDIO, ToneAudioTrack())
            async with client:
                video = await client.remote_track(VIDEO)
                frame = await within(video.recv(), 20.0)
                assert isinstance(frame, VideoFrame) and (frame.width, frame.height) == (320, 240)
                assert await count_frames(video, 2.0) >= 20
        video_track, audio_track = replaced
        assert isinstance(video_track, SyntheticVideoTrack), "H.264 was negotiated: raw frames, encoded by aiortc"
        assert isinstance(audio_track, EncodedToneAudioTrack), "Opus was negotiated: the packets as they are"

    run(scenario)
