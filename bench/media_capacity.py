"""Media capacity: full-media Runway sessions one server process holds at 30 fps, the mock against raw aiortc.

    python bench/media_capacity.py [--sessions 8,16,24,28,32,36,40,44,48] [--seconds 12] [--workers 2]

For each count N of the ladder, in the same run and alternating, two servers each get N sessions:
- **asyncapi-gen**: the committed generated mock, `python -m runway_characters.mock`, a child process;
- **raw aiortc**: `python bench/media_capacity.py raw-server PORT`, a child process of ~60 lines of aiortc and
  websockets that speaks the same signaling (an offer in, an answer out on a WebSocket) and answers every
  data-channel message as the mock does (a session state, then a transcript), with none of our runtime.

Both send the same media: Opus audio and VP8 video encoded once per process and replayed to every session
(`EncodedToneAudioTrack`, `EncodedSyntheticVideoTrack` from the generated package's runtime; they are the media
source, not the transport), and both receive each client's Opus microphone, which aiortc decodes. The sessions are
opened by the same client for both: raw aiortc peers in `--workers` processes, each sending an encoded-once tone as
its microphone and a control message every 200 ms on the data channel. The clients do not decode: their
receivers' decoder threads are replaced by one that notes when each complete frame arrives (a measuring probe in
the client, so that client decoding is not what limits the server). A session is held when, over the last
`--seconds` minus a 3 s warm-up, its video arrived at 95 % of 30 fps or more and its audio at 95 % of 50 packets/s,
and every control but the last two in flight was answered.
A server's capacity is the largest N of the ladder at which it held every session (and every smaller N).

The clients share this machine's cores with the server, so the capacities are lower bounds for both; the ratio
is the figure to read, with the server's CPU per session at each N beside it. Every process started is stopped by
its pid.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from hardening_support import (
    GENERATED,
    MockProcess,
    close_quietly,
    free_port,
    http_post_sync,
    stop_process,
    subprocess_env,
)

sys.path.insert(0, str(HERE))
from load import read_results, sample, usage

DATA_CHANNEL = "/session/data"
FPS, AUDIO_PPS, HELD_SHARE, WARM_UP, CONTROL_INTERVAL = 30.0, 50.0, 0.95, 3.0, 0.2
UNANSWERED_AT_END = 2  # controls of the last 400 ms may still be on their way; any other one unanswered is lost
NEGOTIATING_PER_WORKER = 4  # below the mock's MAX_NEGOTIATING (16) with two workers: no 503 for a burst
KINDS = ("raw aiortc", "asyncapi-gen")


def loopback_ice() -> None:
    """Host candidates on 127.0.0.1 only, for the whole process (both the raw server and the clients)."""
    import aioice.ice

    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"] if use_ipv4 else []


# ---------------------------------------------------------------------------------------------- raw server


async def raw_server(port: int) -> None:
    """aiortc and websockets alone: answer each offer with the encoded media, each message with a state and a
    transcript (as the mock does)."""
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
    from aiortc.mediastreams import MediaStreamError
    from runway_characters._runtime.webrtc import EncodedSyntheticVideoTrack, EncodedToneAudioTrack
    from websockets.asyncio.server import ServerConnection, serve

    loopback_ice()

    async def drain(track: Any) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                await track.recv()

    async def session(ws: ServerConnection) -> None:
        offer = json.loads(await ws.recv())
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        tasks: list[asyncio.Task[None]] = []

        @pc.on("datachannel")
        def on_channel(channel: Any) -> None:
            @channel.on("message")
            def on_message(message: str) -> None:
                json.loads(message)
                now = time.strftime("%Y-%m-%dT%H:%M:%SZ")
                # what the mock answers a control with: a new state, then a transcript
                channel.send(json.dumps({"type": "session_state", "state": "listening", "timestamp": now}))
                channel.send(json.dumps({"type": "transcript", "role": "avatar", "text": "heard you",
                                         "isFinal": True, "timestamp": now}))

        @pc.on("track")
        def on_track(track: Any) -> None:
            tasks.append(asyncio.create_task(drain(track)))

        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type="offer"))
        pc.addTrack(EncodedToneAudioTrack(frequency=220.0))
        pc.addTrack(EncodedSyntheticVideoTrack())
        await pc.setLocalDescription(await pc.createAnswer())
        await ws.send(json.dumps({"type": "answer", "sdp": pc.localDescription.sdp}))
        with contextlib.suppress(Exception):
            async for _ in ws:
                pass
        for task in tasks:
            task.cancel()
        await pc.close()

    async with serve(session, "127.0.0.1", port, max_size=None):
        print("ready", flush=True)
        await asyncio.Future()


# ---------------------------------------------------------------------------------------------- client worker


ARRIVALS: dict[int, list[float]] = {}  # id(track's frame queue) -> when each complete frame arrived


def count_instead_of_decoding() -> None:
    """Replace aiortc's decoder thread body: note each complete frame's arrival, decode nothing."""
    import aiortc.rtcrtpreceiver as receiver

    def counting_worker(loop: Any, input_q: Any, output_q: Any, decode_error: threading.Event) -> None:
        arrivals = ARRIVALS.setdefault(id(output_q), [])
        while input_q.get() is not None:
            arrivals.append(time.monotonic())
        asyncio.run_coroutine_threadsafe(output_q.put(None), loop)

    receiver.decoder_worker = counting_worker


class ClientSession:
    """One raw aiortc client session: an encoded-once tone up, video and audio down (counted), controls on data."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.queues: dict[str, int] = {}
        self.pending: list[float] = []
        self.rtts: list[float] = []
        self.sent = 0
        self.error = ""
        self._pc: Any = None
        self._ws: Any = None
        self._channel: Any = None

    async def open(self) -> None:
        from urllib.parse import urlencode

        from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
        from runway_characters._runtime.webrtc import EncodedToneAudioTrack
        from websockets.asyncio.client import connect

        url = f"{self.url}{'&' if '?' in self.url else '?'}{urlencode({'token': self.token})}"
        try:
            self._ws = ws = await connect(url, max_size=None, proxy=None, open_timeout=30)
            self._pc = pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            pc.addTransceiver(EncodedToneAudioTrack(frequency=440.0), direction="sendrecv")
            pc.addTransceiver("video", direction="recvonly")
            self._channel = channel = pc.createDataChannel(DATA_CHANNEL, ordered=True)
            opened = asyncio.Event()
            channel.on("open", opened.set)

            @channel.on("message")
            def on_message(message: str) -> None:
                if json.loads(message).get("type") == "transcript" and self.pending:
                    self.rtts.append(time.monotonic() - self.pending.pop(0))

            @pc.on("track")
            def on_track(track: Any) -> None:
                self.queues[track.kind] = id(track._queue)  # the decoder thread's output (count_instead_of_decoding)

            await pc.setLocalDescription(await pc.createOffer())
            await ws.send(json.dumps({"type": "offer", "sdp": pc.localDescription.sdp}))
            while (answer := json.loads(await asyncio.wait_for(ws.recv(), 30))).get("type") != "answer":
                pass
            await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))
            await asyncio.wait_for(opened.wait(), 30)
        except Exception as error:  # noqa: BLE001 - a session that cannot open is a result, not a crash
            self.error = f"{type(error).__name__}: {error}"

    async def stream(self, seconds: float) -> dict[str, Any]:
        """Controls every 200 ms for ``seconds``; then what arrived after the warm-up."""
        started = time.monotonic()
        controls = [json.dumps({"type": "mute"}), json.dumps({"type": "unmute"})]
        while not self.error and time.monotonic() - started < seconds:
            self.pending.append(time.monotonic())
            try:
                self._channel.send(controls[self.sent % 2])
            except Exception as error:  # noqa: BLE001
                self.error = f"{type(error).__name__}: {error}"
            self.sent += 1
            await asyncio.sleep(CONTROL_INTERVAL)
        window = (started + WARM_UP, started + seconds)
        rates = {
            kind: sum(window[0] <= t < window[1] for t in ARRIVALS.get(queue, ())) / (seconds - WARM_UP)
            for kind, queue in self.queues.items()
        }
        return {
            "opened": not self.error,
            "error": self.error,
            "fps": rates.get("video", 0.0),
            "audio_pps": rates.get("audio", 0.0),
            "sent": self.sent,
            "answered": len(self.rtts),
            "rtt_ms": 1000 * statistics.median(self.rtts) if self.rtts else None,
        }

    async def close(self) -> None:
        await close_quietly(self._pc, self._ws)


async def worker(placements: list[dict[str, str]], seconds: float) -> list[dict[str, Any]]:
    """Open every session (a few negotiating at a time, as clients behind one page would), say so, stream."""
    loopback_ice()
    count_instead_of_decoding()
    sessions = [ClientSession(p["url"], p["token"]) for p in placements]
    negotiating = asyncio.Semaphore(NEGOTIATING_PER_WORKER)

    async def open_one(session: ClientSession) -> None:
        async with negotiating:
            await session.open()

    await asyncio.gather(*(open_one(session) for session in sessions))
    print("OPEN", file=sys.stderr, flush=True)
    try:
        return list(await asyncio.gather(*(session.stream(seconds) for session in sessions)))
    finally:
        await asyncio.gather(*(session.close() for session in sessions))


# ---------------------------------------------------------------------------------------------- orchestrator


@contextlib.contextmanager
def server(kind: str, sessions: int) -> Iterator[tuple[int, list[dict[str, str]]]]:
    """The server process of ``kind`` and ``sessions`` placements (url, token) on it."""
    if kind == "asyncapi-gen":
        with MockProcess("--max-sessions", str(sessions), "--max-duration", "600") as mock:
            mock.start()
            assert mock.process is not None
            answers = [http_post_sync(mock.http_url) for _ in range(sessions)]
            if any(answer.status != 200 for answer in answers):
                raise RuntimeError(f"the mock refused sessions: {[answer.status for answer in answers]}")
            yield mock.process.pid, [answer.json() for answer in answers]
        return
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "raw-server", str(port)],
        stdout=subprocess.PIPE,
        env=subprocess_env(),
        cwd=GENERATED,
    )
    try:
        assert process.stdout is not None
        if process.stdout.readline().strip() != b"ready":
            raise RuntimeError("the raw aiortc server did not start")
        yield process.pid, [{"url": f"ws://127.0.0.1:{port}/", "token": f"raw-{i}"} for i in range(sessions)]
    finally:
        stop_process(process)  # type: ignore[arg-type]


def forward(stream: Any) -> None:
    for line in stream:
        sys.stderr.write(line.decode(errors="replace"))


def measure(kind: str, sessions: int, seconds: float, workers: int) -> dict[str, Any]:
    with server(kind, sessions) as (pid, placements):
        shares = [share for share in (placements[index::workers] for index in range(workers)) if share]
        children = [
            subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "worker", str(seconds)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=subprocess_env(),
                cwd=GENERATED,
            )
            for _ in shares
        ]
        try:
            for child, share in zip(children, shares, strict=True):
                assert child.stdin is not None
                child.stdin.write(json.dumps(share).encode())
                child.stdin.close()
            for child in children:  # every session is open (or failed to) once its worker says OPEN
                assert child.stderr is not None
                while (line := child.stderr.readline()) and line.strip() != b"OPEN":
                    sys.stderr.write(line.decode(errors="replace"))
                threading.Thread(target=forward, args=(child.stderr,), daemon=True).start()  # never let it fill
            time.sleep(WARM_UP)  # the CPU is sampled while all of them stream, past the warm-up
            before = [sample(pid)]
            time.sleep(max(1.0, seconds - WARM_UP - 1.0))
            after = [sample(pid)]
            results = read_results(children, timeout=60)
        finally:
            for child in children:
                stop_process(child)  # type: ignore[arg-type]
    cpu, rss = usage(before, after)
    held = [
        r
        for r in results
        if r["opened"]
        and r["fps"] >= HELD_SHARE * FPS
        and r["audio_pps"] >= HELD_SHARE * AUDIO_PPS
        and r["sent"] - r["answered"] <= UNANSWERED_AT_END
    ]
    rtts = [r["rtt_ms"] for r in results if r["rtt_ms"] is not None]
    return {
        "kind": kind,
        "sessions": sessions,
        "held": len(held),
        "fps_min": min(r["fps"] for r in results),
        "fps_median": statistics.median(r["fps"] for r in results),
        "audio_min": min(r["audio_pps"] for r in results),
        "lost": sum(r["sent"] - r["answered"] for r in results),
        "sent": sum(r["sent"] for r in results),
        "rtt_ms": statistics.median(rtts) if rtts else float("nan"),
        "cpu": cpu,
        "rss_mb": rss / 2**20,
        "errors": [r["error"] for r in results if not r["opened"]],
    }


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        ("| N | server | held | video fps min/median | audio pkt/s min | data lost/sent | data RTT p50 ms "
         "| server CPU (cores) | per session | RSS MB |"),
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['sessions']} | {r['kind']} | {r['held']}/{r['sessions']} | {r['fps_min']:.1f}/"
            f"{r['fps_median']:.1f} | {r['audio_min']:.1f} | {r['lost']}/{r['sent']} | {r['rtt_ms']:.0f} "
            f"| {r['cpu']:.2f} | {r['cpu'] / r['sessions']:.3f} | {r['rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def capacity(rows: list[dict[str, Any]], kind: str) -> int:
    """The largest N at which ``kind`` held every session, and at every smaller N measured."""
    best = 0
    for row in sorted((r for r in rows if r["kind"] == kind), key=lambda r: r["sessions"]):
        if row["held"] < row["sessions"]:
            break
        best = row["sessions"]
    return best


def summary(rows: list[dict[str, Any]]) -> str:
    raw, ours = capacity(rows, "raw aiortc"), capacity(rows, "asyncapi-gen")
    both = [n for n in sorted({r["sessions"] for r in rows}) if n <= min(raw, ours)]
    cpu = {kind: [r["cpu"] for r in rows if r["kind"] == kind and r["sessions"] in both] for kind in KINDS}
    top = max(r["sessions"] for r in rows)
    line = f"capacity at 30 fps: asyncapi-gen {ours}, raw aiortc {raw}"
    line += f": {ours / raw:.2f}x" if raw else " (raw aiortc held none: lower the ladder)"
    if both:
        line += (
            f"; server CPU where both held every session (N = {', '.join(map(str, both))}): "
            f"{sum(cpu['asyncapi-gen']) / sum(cpu['raw aiortc']):.2f}x of raw"
        )
    if top in (ours, raw):
        line += f" ({top} is the top of the ladder: a server that held it may hold more)"
    return line


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "raw-server":
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(raw_server(int(sys.argv[2])))
        return
    if len(sys.argv) >= 3 and sys.argv[1] == "worker":
        placements = json.loads(sys.stdin.read())
        sys.stdout.write(json.dumps(asyncio.run(worker(placements, float(sys.argv[2])))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", default="8,16,24,28,32,36,40,44,48", help="the ladder of session counts")
    parser.add_argument("--seconds", type=float, default=12.0, help="how long each session streams")
    parser.add_argument("--workers", type=int, default=2, help="client processes")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    failed: set[str] = set()
    for n in (int(text) for text in args.sessions.split(",")):
        for kind in KINDS:
            if kind in failed:
                continue
            print(f"{kind}: {n} sessions for {args.seconds:.0f} s ...", file=sys.stderr, flush=True)
            row = measure(kind, n, args.seconds, args.workers)
            rows.append(row)
            if row["errors"]:
                print(f"{kind}: sessions that failed to open: {row['errors'][:3]}", file=sys.stderr)
            if row["held"] < n:
                failed.add(kind)
        if failed == set(KINDS):
            break
    print(table(rows))
    print()
    print(summary(rows))


if __name__ == "__main__":
    main()
