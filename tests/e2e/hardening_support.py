"""Helpers of test_hardening.py, and the attackers it runs as subprocesses.

Everything here is black-box: the generated package's public API (Client, Server, models, the mock's
command line and HTTP endpoint), or aiortc and websockets used directly as a misbehaving peer would.
Nothing leaves 127.0.0.1: ICE gathers host candidates on loopback only and no STUN server is given.

As a script (the test runs it with the generated package on PYTHONPATH):

    python hardening_support.py flood URL TOKEN SECONDS
        connects with the generated Client and calls send_control_message(mute) in a tight loop for
        SECONDS, then closes; prints "SENT <n>" and "CLOSED".
    python hardening_support.py oversize URL TOKEN NBYTES
        a raw aiortc peer that ignores the advertised max-message-size sends one NBYTES message on
        "/session/data"; prints "SENT <monotonic>", then "ENDED <monotonic> <how>" when the server
        ends the session (or "NOT_ENDED <monotonic>" after 30 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlencode

import aioice.ice
from aiortc import RTCConfiguration, RTCDataChannel, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

HERE = Path(__file__).resolve().parent
GENERATED = HERE.parents[1] / "generated" / "runway-characters"
DATA_CHANNEL = "/session/data"
MAX_MESSAGE_SIZE = re.compile(r"a=max-message-size:(\d+)")


# ---------------------------------------------------------------------------------------------- asyncio


def run(coro_factory: Callable[[], Awaitable[None]], timeout: float = 55.0) -> None:
    """Run a scenario in a fresh loop, bounded, and fail if it leaves a task running (3 s grace)."""

    async def bounded() -> None:
        await asyncio.wait_for(coro_factory(), timeout)
        # aiortc's own tasks (ICE checks of a closed connection) take a few iterations to notice the close.
        await wait_until(lambda: not others(), 3.0)
        assert not others(), f"tasks left running: {others()}"

    def others() -> list[asyncio.Task[Any]]:
        return [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]

    asyncio.run(bounded())


async def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    """True once ``predicate()`` holds, False if it still does not after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.02)
    return True


class LagProbe:
    """Measures how late this process's event loop wakes from ``asyncio.sleep(interval)``."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.max_lag = 0.0
        self.worst_at = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._tick())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _tick(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(self.interval)
            lag = time.monotonic() - before - self.interval
            if lag > self.max_lag:
                self.max_lag, self.worst_at = lag, before


def largest_gap(arrivals: list[float], start: float, end: float) -> float:
    """The longest stretch of [start, end] without an arrival (frames before ``start`` are ignored)."""
    points = [start, *(t for t in arrivals if start < t < end), end]
    return max(b - a for a, b in itertools.pairwise(points))


async def record_frames(track: MediaStreamTrack, arrivals: list[float]) -> None:
    """Append the arrival time of every frame of ``track`` until it ends (run as a task)."""
    while True:
        try:
            await track.recv()
        except MediaStreamError:
            return
        arrivals.append(time.monotonic())


# ---------------------------------------------------------------------------------------------- network


async def close_quietly(pc: RTCPeerConnection | None, ws: ClientConnection | None) -> None:
    """Close a raw client's peer connection and signaling socket, whatever state they are in (each bounded)."""
    if pc is not None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(pc.close(), 10)
    if ws is not None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ws.close(), 5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class HttpAnswer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def http_post_sync(url: str, headers: dict[str, str] | None = None) -> HttpAnswer:
    request = urllib.request.Request(url, method="POST", data=b"", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return HttpAnswer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return HttpAnswer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


async def http_post(url: str, headers: dict[str, str] | None = None) -> HttpAnswer:
    return await asyncio.to_thread(http_post_sync, url, headers)


@contextlib.contextmanager
def loopback_only() -> Iterator[None]:
    """ICE gathering in this block offers 127.0.0.1 only (used around a raw peer's setLocalDescription).

    It swaps aioice's address lookup for the duration of the block: callers make sure no other peer
    connection of the process gathers at the same time (the raw peer offers before the server answers).
    """
    previous = aioice.ice.get_host_addresses

    def loopback(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return ["127.0.0.1"] if use_ipv4 else []

    aioice.ice.get_host_addresses = loopback
    try:
        yield
    finally:
        aioice.ice.get_host_addresses = previous


def with_token(url: str, token: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'token': token})}"


# ---------------------------------------------------------------------------------------------- raw peer


@dataclass
class RawPeer:
    """A client built from aiortc and websockets directly, as an attacker would: it can break every rule.

    Offer: one audio (sendrecv) and one video (recvonly) transceiver, in that order, and a data
    channel labelled "/session/data" (the Runway spec's channels). ``answer_max_message_size``
    rewrites the answer's ``a=max-message-size`` before it is applied (a peer ignoring the limit).
    """

    url: str
    token: str
    answer_max_message_size: int | None = None
    offer_sdp: str = ""
    answer_sdp: str = ""
    frames: list[float] = field(default_factory=list)
    signals: list[Any] = field(default_factory=list)
    ended_at: float | None = None
    ended_how: str = ""
    close_code: int | None = None
    _ws: ClientConnection | None = None
    _pc: RTCPeerConnection | None = None
    _channel: RTCDataChannel | None = None
    _video: MediaStreamTrack | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _ended: asyncio.Event = field(default_factory=asyncio.Event)
    _video_ready: asyncio.Event = field(default_factory=asyncio.Event)
    _channel_open: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def ws(self) -> ClientConnection:
        assert self._ws is not None
        return self._ws

    @property
    def channel(self) -> RTCDataChannel:
        assert self._channel is not None
        return self._channel

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    async def start(self) -> None:
        """Signal, apply the answer, then watch signaling, the connection state and the video."""
        self._ws = await connect(with_token(self.url, self.token), max_size=None, proxy=None, open_timeout=10)
        pc = self._pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.addTransceiver("audio", direction="sendrecv")
        pc.addTransceiver("video", direction="recvonly")
        self._channel = pc.createDataChannel(DATA_CHANNEL, ordered=True)
        self._channel.on("open", self._channel_open.set)
        self._channel.on("close", lambda: self._end("data channel closed"))

        @pc.on("track")
        def _on_track(track: MediaStreamTrack) -> None:
            if track.kind == "video" and self._video is None:
                self._video = track
                self._video_ready.set()

        @pc.on("connectionstatechange")
        def _on_state() -> None:
            if pc.connectionState in ("failed", "closed"):
                self._end(f"peer connection {pc.connectionState}")

        with loopback_only():
            await pc.setLocalDescription(await pc.createOffer())
        self.offer_sdp = pc.localDescription.sdp
        await self.ws.send(json.dumps({"type": "offer", "sdp": self.offer_sdp}))
        answer = json.loads(await asyncio.wait_for(self.ws.recv(), 15))
        assert answer.get("type") == "answer", f"expected an answer, got {str(answer)[:200]}"
        self.answer_sdp = sdp = answer["sdp"]
        if self.answer_max_message_size is not None:
            sdp = MAX_MESSAGE_SIZE.sub(f"a=max-message-size:{self.answer_max_message_size}", sdp)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
        self._tasks.append(asyncio.create_task(self._read_signaling()))

    async def wait_video(self, timeout: float = 15.0) -> None:
        """Wait for the video track, start recording its frames, and wait for the first one."""
        await asyncio.wait_for(self._video_ready.wait(), timeout)
        assert self._video is not None
        self._tasks.append(asyncio.create_task(record_frames(self._video, self.frames)))
        assert await wait_until(lambda: bool(self.frames), timeout), "no video frame arrived"

    async def wait_channel_open(self, timeout: float = 15.0) -> None:
        await asyncio.wait_for(self._channel_open.wait(), timeout)

    async def wait_ended(self, timeout: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ended.wait(), timeout)
        return self.ended

    def frames_between(self, start: float, end: float) -> int:
        return sum(1 for t in self.frames if start <= t < end)

    async def send_signaling(self, frame: str) -> bool:
        """Send a text frame on the signaling socket; False when the socket is already closed."""
        try:
            await self.ws.send(frame)
        except ConnectionClosed:
            return False
        return True

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await close_quietly(self._pc, self._ws)

    def _end(self, how: str) -> None:
        if not self._ended.is_set():
            self.ended_at, self.ended_how = time.monotonic(), how
            self._ended.set()

    async def _read_signaling(self) -> None:
        try:
            async for frame in self.ws:
                try:
                    signal_ = json.loads(frame)
                except ValueError:
                    signal_ = frame
                self.signals.append(signal_)
                if isinstance(signal_, dict) and signal_.get("type") == "bye":
                    self._end(f"bye {signal_.get('reason')}")
        except ConnectionClosed:
            pass
        self.close_code = self.ws.close_code
        self._end(f"signaling socket closed (code {self.close_code})")


# ---------------------------------------------------------------------------------------------- the mock


class MockProcess:
    """``python -m runway_characters.mock`` as a subprocess, its stdout and stderr in one file."""

    def __init__(self, *extra_args: str) -> None:
        self.port = free_port()
        self.http_port = free_port()
        self.args = [
            sys.executable, "-m", "runway_characters.mock", "--host", "127.0.0.1",
            "--port", str(self.port), "--http-port", str(self.http_port), *extra_args,
        ]
        self._output = tempfile.NamedTemporaryFile(prefix="hardening-mock-", suffix=".log", delete=False)  # noqa: SIM115
        self.output_path = Path(self._output.name)
        self.process: subprocess.Popen[bytes] | None = None
        self.signaling_url = ""
        self.token = ""
        self.http_url = ""

    def start(self, timeout: float = 30.0) -> None:
        """Start the mock and wait for its three start lines (fails with its output if it exits)."""
        self.process = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=self._output,
                                        stderr=subprocess.STDOUT, env=subprocess_env(), cwd=GENERATED)
        deadline = time.monotonic() + timeout
        while True:
            text = self.output()
            found = {key: re.search(rf"^{key}: (?:POST )?(\S+)", text, re.MULTILINE)
                     for key in ("signaling", "token", "sessions")}
            signaling, token, sessions = found["signaling"], found["token"], found["sessions"]
            if signaling is not None and token is not None and sessions is not None:
                self.signaling_url, self.token, self.http_url = signaling.group(1), token.group(1), sessions.group(1)
                return
            code = self.process.poll()
            if code is not None:
                raise AssertionError(f"the mock exited ({code}) before it started:\n{text[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the mock did not start within {timeout} s:\n{text[-3000:]}")
            time.sleep(0.05)

    def output(self) -> str:
        return self.output_path.read_bytes().decode("utf-8", "replace")

    def output_size(self) -> int:
        return self.output_path.stat().st_size

    def stop(self) -> None:
        """Interrupt the mock (SIGINT: its KeyboardInterrupt path), kill it if it does not exit in 5 s."""
        process = self.process
        if process is not None and process.poll() is None:
            stop_process(process, signal.SIGINT)
        self._output.close()

    def remove_output(self) -> None:
        with contextlib.suppress(OSError):
            self.output_path.unlink()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        self.remove_output()


def stop_process(process: subprocess.Popen[bytes], how: int = signal.SIGTERM, grace: float = 5.0) -> None:
    """Stop one process we started, by its pid: ``how`` first, SIGKILL if it is still there after ``grace`` s."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(how)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


class Attacker:
    """A script of this module (``flood`` or ``oversize``) run as a subprocess, its output in a file."""

    def __init__(self, *args: str) -> None:
        self._output = tempfile.NamedTemporaryFile(prefix="hardening-attacker-", suffix=".log", delete=False)  # noqa: SIM115
        self.output_path = Path(self._output.name)
        self.process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *args],
                                        stdin=subprocess.DEVNULL, stdout=self._output, stderr=subprocess.STDOUT,
                                        env=subprocess_env(), cwd=HERE)

    def output(self) -> str:
        return self.output_path.read_bytes().decode("utf-8", "replace")

    def line(self, key: str) -> list[str] | None:
        """The words after ``key`` on the first line that starts with it, if printed yet."""
        match = re.search(rf"^{key}\b(.*)$", self.output(), re.MULTILINE)
        return match.group(1).split() if match else None

    async def wait_line(self, *keys: str, timeout: float) -> tuple[str, list[str]] | None:
        """The first of ``keys`` printed (and its words), or None after ``timeout`` s or if the script exits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for key in keys:
                words = self.line(key)
                if words is not None:
                    return key, words
            if self.process.poll() is not None:
                break
            await asyncio.sleep(0.05)
        for key in keys:
            words = self.line(key)
            if words is not None:
                return key, words
        return None

    async def wait_exit(self, timeout: float) -> int | None:
        """The script's exit code, or None if it is still running after ``timeout`` s."""
        await wait_until(lambda: self.process.poll() is not None, timeout)
        return self.process.poll()

    def stop(self) -> None:
        stop_process(self.process)
        self._output.close()
        with contextlib.suppress(OSError):
            self.output_path.unlink()


def subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(GENERATED), *filter(None, [env.get("PYTHONPATH")])])
    env["PYTHONUNBUFFERED"] = "1"
    return env


# ---------------------------------------------------------------------------------------------- attackers


async def flood(url: str, token: str, seconds: float) -> None:
    from runway_characters import Client, IceConfig, models

    client = Client(url, token, ice=IceConfig(host_addresses=("127.0.0.1",)))
    await client.connect()
    sent = 0
    deadline = time.monotonic() + seconds
    mute = models.SessionControl(type="mute")  # type: ignore[arg-type]
    try:
        # The loop yields only when a send waits for the send buffer to drain: the timeout ends such a
        # wait at the deadline, so a server that stops reading does not stretch the flood.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds + 0.1):
                while time.monotonic() < deadline:
                    await client.send_control_message(mute)
                    sent += 1
    finally:
        print(f"SENT {sent}", flush=True)
        await asyncio.wait_for(client.close(), 20)
        print("CLOSED", flush=True)


async def oversize(url: str, token: str, size: int) -> None:
    peer = RawPeer(url, token, answer_max_message_size=1 << 30)
    try:
        await peer.start()
        await peer.wait_channel_open()
        print(f"READY {time.monotonic()}", flush=True)
        peer.channel.send("x" * size)
        print(f"SENT {time.monotonic()}", flush=True)
        if await peer.wait_ended(30):
            print(f"ENDED {peer.ended_at} {peer.ended_how}", flush=True)
        else:
            print(f"NOT_ENDED {time.monotonic()}", flush=True)
    finally:
        await peer.close()


def main(argv: list[str]) -> None:
    command, url, token, amount = argv
    if command == "flood":
        asyncio.run(asyncio.wait_for(flood(url, token, float(amount)), float(amount) + 40))
    elif command == "oversize":
        asyncio.run(asyncio.wait_for(oversize(url, token, int(amount)), 60))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
