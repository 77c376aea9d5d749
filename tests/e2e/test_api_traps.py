"""The API traps found by writing apps from the generated README (finding 6), each shown fixed.

- a send awaited in ``on_open`` (before the data channel is open) neither deadlocks the handshake
  nor is lost: it is queued and goes out when the channel opens;
- work ``spawn()``ed for a session that fails reaches ``on_error`` as a ``TaskFailed``, and nothing
  logs "Task exception was never retrieved";
- client hooks are given the client, so they can answer;
- the video track is typed as video (checked with mypy --strict on code a user would write).
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hardening_support import GENERATED, run, wait_until
from runway_characters import (
    Client,
    ClientHandler,
    IceConfig,
    Server,
    ServerHandler,
    ServerSession,
    SessionError,
    SyntheticVideoTrack,
    TaskFailed,
    models,
)

LOOPBACK = IceConfig(host_addresses=("127.0.0.1",))


def state(value: models.SessionStateState) -> models.SessionState:
    return models.SessionState(state=value, timestamp=datetime.now(UTC))


def test_a_send_awaited_in_on_open_is_queued_until_the_channel_opens() -> None:
    received: list[models.SessionEvent] = []

    class Greeter(ServerHandler):
        async def on_open(self, session: ServerSession) -> None:
            session.send_avatar_video(SyntheticVideoTrack())
            # The data channel cannot be open yet: the offer has not been answered.
            await session.send_session_event(state(models.SessionStateState.CONNECTING))
            await session.send_session_event(state(models.SessionStateState.CONNECTED))

    class Recorder(ClientHandler):
        async def on_session_event(self, client: Client, message: models.SessionEvent) -> None:
            received.append(message)

    async def scenario() -> None:
        async with Server(Greeter, ice=LOOPBACK) as server:
            url, token = server.issue_session()
            started = asyncio.get_running_loop().time()
            async with Client(url, token, handler=Recorder(), ice=LOOPBACK, connect_timeout=10):
                connected_after = asyncio.get_running_loop().time() - started
                await wait_until(lambda: len(received) >= 2, 10)
            assert connected_after < 5, f"the handshake took {connected_after:.1f} s"

    run(scenario, timeout=40)
    assert [event.state for event in received if isinstance(event, models.SessionState)] == [
        models.SessionStateState.CONNECTING,
        models.SessionStateState.CONNECTED,
    ]


def test_a_spawned_task_that_fails_reaches_on_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="asyncio")
    errors: list[SessionError] = []
    events: list[models.SessionEvent] = []

    class Failing(ServerHandler):
        async def on_open(self, session: ServerSession) -> None:
            session.send_avatar_video(SyntheticVideoTrack())
            session.spawn(self.broken())
            session.spawn(self.ticker(session))

        async def broken(self) -> None:
            await asyncio.sleep(0.1)
            raise ValueError("spawned work broke")

        async def ticker(self, session: ServerSession) -> None:
            while True:
                await session.send_session_event(state(models.SessionStateState.LISTENING))
                await asyncio.sleep(0.2)

        async def on_error(self, session: ServerSession, error: SessionError) -> None:
            errors.append(error)

    class Recorder(ClientHandler):
        async def on_session_event(self, client: Client, message: models.SessionEvent) -> None:
            events.append(message)

    async def scenario() -> None:
        async with Server(Failing, ice=LOOPBACK) as server:
            url, token = server.issue_session()
            async with Client(url, token, handler=Recorder(), ice=LOOPBACK):
                await wait_until(lambda: bool(errors), 10)
                count = len(events)
                # The session goes on after the failure: the other spawned task still sends.
                await wait_until(lambda: len(events) >= count + 3, 10)

    run(scenario, timeout=40)
    assert len(errors) == 1 and isinstance(errors[0], TaskFailed), errors
    assert isinstance(errors[0].error, ValueError) and "spawned work broke" in str(errors[0].error)
    never_retrieved = [r for r in caplog.records if "never retrieved" in r.getMessage()]
    assert not never_retrieved, never_retrieved


def test_a_client_hook_is_given_the_client_and_can_answer() -> None:
    controls: list[models.SessionControl] = []

    class Listener(ServerHandler):
        async def on_open(self, session: ServerSession) -> None:
            session.send_avatar_video(SyntheticVideoTrack())
            session.spawn(session.send_session_event(state(models.SessionStateState.SPEAKING)))

        async def on_control_message(self, session: ServerSession, message: models.SessionControl) -> None:
            controls.append(message)

    class Answering(ClientHandler):
        async def on_session_event(self, client: Client, message: models.SessionEvent) -> None:
            if isinstance(message, models.SessionState) and message.state is models.SessionStateState.SPEAKING:
                await client.send_control_message(models.SessionControl(type=models.SessionControlType.MUTE))

    async def scenario() -> None:
        async with Server(Listener, ice=LOOPBACK) as server:
            url, token = server.issue_session()
            async with Client(url, token, handler=Answering(), ice=LOOPBACK):
                await wait_until(lambda: bool(controls), 10)

    run(scenario, timeout=40)
    assert [control.type for control in controls] == [models.SessionControlType.MUTE]


def test_the_received_video_is_typed_as_video(tmp_path: Path) -> None:
    """mypy --strict accepts VideoFrame-only calls on what ``receive_avatar_video().recv()`` gives."""
    user_code = tmp_path / "user_app.py"
    user_code.write_text(textwrap.dedent("""
        from av.video.frame import VideoFrame

        from runway_characters import Client


        async def first_frame_size(client: Client) -> tuple[int, int]:
            video = await client.receive_avatar_video()
            frame: VideoFrame = await video.recv()
            audio = await client.receive_avatar_audio()
            samples = (await audio.recv()).samples
            return frame.width + samples, frame.to_ndarray(format="rgb24").shape[0]
    """))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"),
         str(user_code)],
        capture_output=True, text=True, env={"MYPYPATH": str(GENERATED), "PATH": "/usr/bin:/bin"}, cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
