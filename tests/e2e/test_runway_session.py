"""Real sessions between the generated Runway client and the generated mock: aiortc and websockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from runway_characters import (
    Client,
    ClientHandler,
    CloseReason,
    IceConfig,
    Server,
    SessionError,
    TokenRejected,
    ToneAudioTrack,
    models,
)
from runway_characters.mock import MockHandler

LOOPBACK = IceConfig(host_addresses=("127.0.0.1",))
GENERATED = Path(__file__).resolve().parents[2] / "generated" / "runway-characters"


def run(coro_factory: Callable[[], Awaitable[None]], timeout: float = 60.0) -> None:
    async def bounded() -> None:
        await asyncio.wait_for(coro_factory(), timeout)
        await asyncio.sleep(0)
        leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
        assert not leftover, f"tasks left running: {leftover}"

    asyncio.run(bounded())


class Recorder(ClientHandler):
    def __init__(self) -> None:
        self.events: list[Any] = []
        self.errors: list[SessionError] = []

    async def on_session_event(self, client: Client, message: models.SessionEvent) -> None:
        self.events.append(message)

    async def on_error(self, client: Client, error: SessionError) -> None:
        self.errors.append(error)


async def count_frames(track: MediaStreamTrack, seconds: float) -> int:
    frames = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            await asyncio.wait_for(track.recv(), max(0.01, deadline - time.monotonic()))
        except (TimeoutError, MediaStreamError):
            break
        frames += 1
    return frames


async def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


def test_full_session_media_and_typed_messages() -> None:
    async def scenario() -> None:
        handlers: list[MockHandler] = []

        def factory() -> MockHandler:
            handlers.append(MockHandler())
            return handlers[-1]

        async with Server(factory, ice=LOOPBACK) as server:
            url, token = server.issue_session()
            recorder = Recorder()
            tone = ToneAudioTrack(frequency=440.0)
            client = Client(url, token, handler=recorder, ice=LOOPBACK)
            client.send_user_audio(tone)
            async with client:
                video = await client.receive_avatar_video()
                audio = await client.receive_avatar_audio()
                video_frames, audio_frames = await asyncio.gather(count_frames(video, 5.0), count_frames(audio, 5.0))
                await client.send_control_message(models.SessionControl(type=models.SessionControlType.MUTE))
                await client.send_control_message(models.SessionControl(type=models.SessionControlType.UNMUTE))
                await client.send_raw("/session/data", '{"type": "nope"}')
                await wait_until(lambda: any(isinstance(e, models.SessionError) for e in recorder.events))
                await wait_until(lambda: any(isinstance(e, models.Transcript) for e in recorder.events))
                sent = tone.frames_sent
                await wait_until(lambda: handlers[0].frames_received.get("/session/audio", 0) >= 0.9 * sent)
                await client.send_control_message(models.SessionControl(type=models.SessionControlType.END_SESSION))
                reason = await asyncio.wait_for(client.wait_closed(), 10)  # the mock hangs up after `ended`
            assert reason is CloseReason.REMOTE_BYE
            await wait_until(lambda: server.active_sessions == 0)
        assert video_frames / 5.0 >= 25, f"video at {video_frames / 5.0:.1f} fps"
        assert audio_frames / 5.0 >= 45, f"audio at {audio_frames / 5.0:.1f} frames/s (20 ms frames: 50/s)"
        states = [e.state for e in recorder.events if isinstance(e, models.SessionState)]
        assert states[:2] == [models.SessionStateState.CONNECTING, models.SessionStateState.CONNECTED]
        assert states[-1] is models.SessionStateState.ENDED
        error = next(e for e in recorder.events if isinstance(e, models.SessionError))
        assert "nope" in error.error or "Unknown" in error.error

    run(scenario, timeout=90)


def test_token_is_single_use_and_bad_tokens_are_refused() -> None:
    async def scenario() -> None:
        async with Server(MockHandler, ice=LOOPBACK) as server:
            url, token = server.issue_session()
            async with Client(url, token, ice=LOOPBACK) as client:
                await client.send_control_message(models.SessionControl(type=models.SessionControlType.MUTE))
            for bad in (token, "not-a-token", ""):
                with pytest.raises(TokenRejected):
                    await Client(url, bad, ice=LOOPBACK).connect()
            url, fresh = server.issue_session()
            async with Client(url, fresh, ice=LOOPBACK) as client:
                await client.send_control_message(models.SessionControl(type=models.SessionControlType.UNMUTE))

    run(scenario)


def test_bad_client_messages_give_typed_errors_and_the_session_goes_on() -> None:
    async def scenario() -> None:
        handlers: list[MockHandler] = []

        def factory() -> MockHandler:
            handlers.append(MockHandler())
            return handlers[-1]

        async with Server(factory, ice=LOOPBACK) as server:
            url, token = server.issue_session()
            recorder = Recorder()
            async with Client(url, token, handler=recorder, ice=LOOPBACK) as client:
                # Over the channel's 256 KiB, under the 512 KiB past which the server cuts the peer off.
                too_large = json.dumps({"type": "mute", "metadata": {"x": "y" * (300 << 10)}})
                bad = ["{not json", '{"type":"nope"}', too_large]
                # Misbehave: aiortc refuses to send more than the server advertises (the channel's limit).
                client._session._link._pc.sctp._remote_max_message_size = 0  # type: ignore[attr-defined]

                def transcripts() -> int:
                    return sum(isinstance(e, models.Transcript) for e in recorder.events)

                for index, payload in enumerate(bad):
                    await client.send_raw("/session/data", payload)
                    await wait_until(lambda n=index: len(handlers[0].errors) > n)
                    before = transcripts()
                    await client.send_control_message(models.SessionControl(type=models.SessionControlType.MUTE))
                    await wait_until(lambda b=before: transcripts() > b)
                assert not client.closed
        kinds = [type(e).__name__ for e in handlers[0].errors]
        assert kinds == ["InvalidJson", "UnknownMessage", "MessageTooLarge"]

    run(scenario)


def test_max_duration_ends_the_session_on_both_sides() -> None:
    async def scenario() -> None:
        closed: list[CloseReason] = []

        class Watch(MockHandler):
            async def on_close(self, session: Any, reason: CloseReason) -> None:
                closed.append(reason)

        async with Server(Watch, ice=LOOPBACK, max_duration=2.0) as server:
            url, token = server.issue_session()
            started = time.monotonic()
            async with Client(url, token, ice=LOOPBACK) as client:
                reason = await asyncio.wait_for(client.wait_closed(), 10)
            elapsed = time.monotonic() - started
            await wait_until(lambda: bool(closed))
        assert reason is CloseReason.TIMEOUT
        assert closed == [CloseReason.TIMEOUT]
        assert 1.5 <= elapsed <= 5.0, elapsed

    run(scenario)


def test_ten_concurrent_sessions_on_one_mock_without_a_session_limit() -> None:
    async def one(url: str, token: str) -> int:
        recorder = Recorder()
        async with Client(url, token, handler=recorder, ice=LOOPBACK) as client:
            await client.send_control_message(models.SessionControl(type=models.SessionControlType.MUTE))
            await wait_until(lambda: any(isinstance(e, models.Transcript) for e in recorder.events), 30)
        return len(recorder.events)

    async def scenario() -> None:
        # Past the default limit (MAX_SESSIONS, 8): these sessions are short and light.
        async with Server(MockHandler, ice=LOOPBACK, max_sessions=None) as server:
            sessions = [server.issue_session() for _ in range(10)]
            counts = await asyncio.gather(*(one(url, token) for url, token in sessions))
            await wait_until(lambda: server.active_sessions == 0, 20)
        assert all(count >= 2 for count in counts)

    run(scenario, timeout=120)


def test_http_session_endpoint_issues_working_tokens() -> None:
    async def scenario() -> None:
        async with Server(MockHandler, ice=LOOPBACK, http_port=0) as server:
            assert server.http_url is not None
            request = urllib.request.Request(server.http_url, method="POST", data=b"")
            body = await asyncio.to_thread(lambda: urllib.request.urlopen(request, timeout=5).read())
            issued = json.loads(body)
            async with Client(issued["url"], issued["token"], ice=LOOPBACK) as client:
                await client.send_control_message(models.SessionControl(type=models.SessionControlType.MUTE))

    run(scenario)


def test_the_generated_readme_example_runs() -> None:
    """A newcomer copies the README's example into a file and runs it: it must work as printed."""
    readme = (GENERATED / "README.md").read_text()
    example = re.search(r"```python\n(.*?)```", readme, re.DOTALL)
    assert example is not None
    result = subprocess.run([sys.executable, "-c", example.group(1)], cwd=GENERATED, capture_output=True,
                            text=True, timeout=90, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("SessionState ")
    assert "avatar_audio: <av.AudioFrame" in result.stdout and "avatar_video: <av.VideoFrame" in result.stdout
