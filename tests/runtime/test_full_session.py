"""A whole Runway-shaped session: Opus both ways, VP8 down, typed JSON both ways, clean close."""

from __future__ import annotations

import asyncio

from asyncapi_gen.runtime.core import CloseReason, ServerSession
from asyncapi_gen.runtime.webrtc import (
    SyntheticVideoTrack,
    ToneAudioTrack,
    WebRTCClientSession,
    WebRTCServer,
    count_frames,
)
from rt_support import (
    AUDIO,
    DATA,
    LOOPBACK,
    VIDEO,
    Recorder,
    SessionControl,
    SessionState,
    Transcript,
    now,
    run,
    runway_channels,
    within,
)

SECONDS = 5.0


def test_runway_session_carries_audio_video_and_typed_data_and_closes_cleanly() -> None:
    async def scenario() -> None:
        server_tracks: dict[str, ToneAudioTrack | SyntheticVideoTrack] = {}
        audio_from_client: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        async def on_open(session: ServerSession) -> None:
            server_tracks["audio"] = ToneAudioTrack(frequency=220.0)
            server_tracks["video"] = SyntheticVideoTrack()
            session.set_send_track(AUDIO, server_tracks["audio"])
            session.set_send_track(VIDEO, server_tracks["video"])
            asyncio.get_running_loop().create_task(count_client_audio(session))

        async def count_client_audio(session: ServerSession) -> None:
            track = await session.remote_track(AUDIO)
            await track.recv()  # the count starts once media flows
            audio_from_client.set_result(1 + await count_frames(track, SECONDS))

        recorder = Recorder(on_open)
        async with WebRTCServer(runway_channels(), recorder, ice=LOOPBACK) as server:
            url, token = server.issue_session()
            tone = ToneAudioTrack(frequency=440.0)
            client = WebRTCClientSession(url, token, runway_channels(), ice=LOOPBACK)
            client.set_send_track(AUDIO, tone)
            async with client:
                handler = recorder.handlers[0]
                events = client.messages(DATA)

                # data, both ways, typed
                await client.send(DATA, SessionControl(type="mute", metadata={"why": "test"}))
                address, control = await within(handler.messages.get())
                assert (address, control) == (DATA, SessionControl(type="mute", metadata={"why": "test"}))
                assert handler.session is not None
                await handler.session.send(DATA, SessionState(state="listening", timestamp=now()))
                await handler.session.send(DATA, Transcript(role="avatar", text="hi", isFinal=True, timestamp=now()))
                state = await within(anext(events))
                transcript = await within(anext(events))
                assert isinstance(state, SessionState) and state.state == "listening"
                assert isinstance(transcript, Transcript) and transcript.is_final is True

                # media: server video at >= 25 fps and server audio, measured while the client tone plays
                video = await client.remote_track(VIDEO)
                audio = await client.remote_track(AUDIO)
                await within(video.recv())
                await within(audio.recv())
                sent_before = tone.frames_sent
                video_frames, audio_frames = await asyncio.gather(
                    count_frames(video, 3.0), count_frames(audio, 3.0)
                )
                assert video_frames / 3.0 >= 25, f"video at {video_frames / 3.0:.1f} fps"
                assert audio_frames >= 0.9 * 150, f"{audio_frames} audio frames in 3 s"

                # the server heard >= 90 % of the client's 440 Hz frames over ~5 s
                received = await within(audio_from_client, SECONDS + 10)
                sent = tone.frames_sent - sent_before
                assert sent > 0
                assert received >= 0.9 * (SECONDS / 0.02), f"server got {received} frames of ~{sent} sent"

            assert client.close_reason is CloseReason.LOCAL
            await within(handler.closed.wait())
            assert handler.close_reasons == [CloseReason.REMOTE_BYE]
            assert tone.readyState == "ended"
            assert server.active_sessions == 0

    run(scenario)
