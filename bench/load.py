"""Load: N full-media Runway sessions with data traffic, on one mock process and on a pool of two.

Run by hand: ``python bench/load.py [--sessions N] [--seconds S] [--max-sessions M] [--modes single,pool]``.

Each mode starts the committed generated mock (``python -m runway_characters.mock``) as child
processes on 127.0.0.1 (the pool: two of them sharing a real ``redis-server`` with ``--redis``,
each given half of ``--max-sessions``, since both share this machine's cores), then asks its session
endpoint (the first process's, in a pool) for N sessions. Sessions it admits are opened by client
worker processes, each session with the generated ``Client``: the mock's VP8 video and Opus audio
decoded, a tone sent as the microphone, and a ``SessionControl`` every 200 ms whose answer (the
mock's ``Transcript``) gives the round trip. After S seconds every worker reports:

- sessions held and refused (HTTP 503);
- messages lost: controls sent that got no answer by the end (goal 0);
- video fps per session (the lowest and the median), over the whole run;
- RTT p50/p99 in the first and in the last 5 s;
- RSS and CPU of the mock processes (CPU as a share of one core) and of the clients.

The goal: past capacity, sessions are refused and the admitted ones never fall below 25 fps.
The clients run on the same two cores as the mock, so the capacity this measures is a lower bound.
Every process it starts is stopped by its pid when it ends.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from hardening_support import GENERATED, MockProcess, http_post_sync, stop_process, subprocess_env
from redis_server import running_redis

CONTROL_INTERVAL = 0.2
WINDOW = 5.0
TICKS = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------- worker


async def one_session(url: str, token: str, seconds: float) -> dict[str, Any]:
    """Open one session, keep it busy for ``seconds``, and say what it saw."""
    from runway_characters import Client, ClientHandler, IceConfig, ToneAudioTrack, models

    pending: list[float] = []
    rtts: list[tuple[float, float]] = []

    class Timing(ClientHandler):
        async def on_session_event(self, client: Client, message: models.SessionEvent) -> None:
            if isinstance(message, models.Transcript) and pending:
                sent = pending.pop(0)
                now = time.monotonic()
                rtts.append((now, now - sent))

    frames: list[float] = []
    audio_frames = 0

    async def read_video(client: Client) -> None:
        video = await client.receive_avatar_video()
        while True:
            await video.recv()
            frames.append(time.monotonic())

    async def read_audio(client: Client) -> None:
        nonlocal audio_frames
        audio = await client.receive_avatar_audio()
        while True:
            await audio.recv()
            audio_frames += 1

    sent = 0
    controls = [models.SessionControl(type=models.SessionControlType.MUTE),
                models.SessionControl(type=models.SessionControlType.UNMUTE)]
    client = Client(url, token, handler=Timing(), ice=IceConfig(host_addresses=("127.0.0.1",)), connect_timeout=30)
    try:
        client.send_user_audio(ToneAudioTrack(frequency=440.0))
        await client.connect()
    except Exception as error:  # noqa: BLE001 - a session that cannot open is a result, not a crash
        return {"opened": False, "error": f"{type(error).__name__}: {error}"}
    started = time.monotonic()
    readers = [asyncio.create_task(read_video(client)), asyncio.create_task(read_audio(client))]
    try:
        while time.monotonic() - started < seconds and not client.closed:
            pending.append(time.monotonic())
            await client.send_control_message(controls[sent % 2])
            sent += 1
            await asyncio.sleep(CONTROL_INTERVAL)
        # Answers still on their way get a moment before they count as lost.
        deadline = time.monotonic() + 2.0
        while pending and time.monotonic() < deadline and not client.closed:
            await asyncio.sleep(0.05)
    except Exception as error:  # noqa: BLE001
        return {"opened": True, "error": f"{type(error).__name__}: {error}", "sent": sent, "answered": len(rtts)}
    finally:
        for reader in readers:
            reader.cancel()
        ended_early = client.closed
        await client.close()
    return {
        "opened": True,
        "ended_early": ended_early,
        "started": started,
        "seconds": seconds,
        "frames": frames,
        "audio_frames": audio_frames,
        "sent": sent,
        "answered": len(rtts),
        "rtts": rtts,
    }


async def worker(placements: list[dict[str, str]], seconds: float) -> list[dict[str, Any]]:
    return list(await asyncio.gather(*(one_session(p["url"], p["token"], seconds) for p in placements)))


# ---------------------------------------------------------------------------------------------- orchestrator


@dataclass
class ProcessSample:
    cpu_seconds: float
    rss_bytes: int
    at: float


def sample(pid: int) -> ProcessSample:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) * 1024
    return ProcessSample(cpu, rss, time.monotonic())


def read_results(children: list[subprocess.Popen[bytes]], timeout: float) -> list[dict[str, Any]]:
    """Every client worker's JSON list of per-session results, in worker order, each worker then reaped."""
    results: list[dict[str, Any]] = []
    for child in children:
        assert child.stdout is not None
        results.extend(json.loads(child.stdout.read()))
        child.wait(timeout=timeout)
    return results


def usage(before: list[ProcessSample], after: list[ProcessSample]) -> tuple[float, int]:
    """(CPU as a share of one core, summed over the processes; RSS at the end, summed)."""
    cpu = sum((b.cpu_seconds - a.cpu_seconds) / max(1e-9, b.at - a.at) for a, b in zip(before, after, strict=True))
    return cpu, sum(b.rss_bytes for b in after)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@contextlib.contextmanager
def mocks(mode: str, max_sessions: int) -> Iterator[list[MockProcess]]:
    if mode == "single":
        with MockProcess("--max-sessions", str(max_sessions), "--max-duration", "600") as mock:
            mock.start()
            yield [mock]
        return
    with running_redis() as redis_url, contextlib.ExitStack() as stack:
        share = max(1, max_sessions // 2)
        pool = [stack.enter_context(MockProcess("--max-sessions", str(share), "--max-duration", "600",
                                                "--redis", redis_url)) for _ in range(2)]
        for mock in pool:
            mock.start()
        yield pool


def run_mode(mode: str, sessions: int, seconds: float, max_sessions: int, workers: int) -> dict[str, Any]:
    with mocks(mode, max_sessions) as processes:
        endpoint = processes[0].http_url
        answers = [http_post_sync(endpoint) for _ in range(sessions)]
        admitted = [answer.json() for answer in answers if answer.status == 200]
        refused = sum(answer.status == 503 for answer in answers)
        others = [answer.status for answer in answers if answer.status not in (200, 503)]
        placed_on = {mock.signaling_url: 0 for mock in processes}
        for placement in admitted:
            placed_on[placement["url"]] = placed_on.get(placement["url"], 0) + 1
        shares = [admitted[index::workers] for index in range(workers)]
        children = [
            subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "worker", str(seconds)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None,
                             env=subprocess_env(), cwd=GENERATED)
            for share in shares if share
        ]
        try:
            for child, share in zip(children, [share for share in shares if share], strict=True):
                assert child.stdin is not None
                child.stdin.write(json.dumps(share).encode())
                child.stdin.close()
            time.sleep(min(5.0, seconds / 3))  # sessions negotiating; sample once they stream
            pids = [mock.process.pid for mock in processes if mock.process is not None]
            before = [sample(pid) for pid in pids]
            client_before = [sample(child.pid) for child in children]
            time.sleep(max(0.0, seconds - min(5.0, seconds / 3) - 1.0))
            after = [sample(pid) for pid in pids]
            client_after = [sample(child.pid) for child in children]
            results = read_results(children, timeout=30)
        finally:
            for child in children:
                stop_process(child)  # type: ignore[arg-type]
    cpu, rss = usage(before, after)
    client_cpu, client_rss = usage(client_before, client_after)
    return summarize(mode, sessions, refused, others, placed_on, results, cpu, rss, client_cpu, client_rss)


def summarize(mode: str, requested: int, refused: int, others: list[int], placed_on: dict[str, int],
              results: list[dict[str, Any]], cpu: float, rss: int, client_cpu: float,
              client_rss: int) -> dict[str, Any]:
    opened = [r for r in results if r.get("opened") and "frames" in r]
    fps = []
    for result in opened:
        start, end = result["started"] + 1.0, result["started"] + result["seconds"]  # the first second: warm-up
        fps.append(sum(start <= t <= end for t in result["frames"]) / (end - start))
    early = [(t, rtt) for r in opened for (t, rtt) in r["rtts"] if t - r["started"] <= WINDOW]
    late = [(t, rtt) for r in opened for (t, rtt) in r["rtts"] if t - r["started"] >= r["seconds"] - WINDOW]
    return {
        "mode": mode,
        "requested": requested,
        "held": len(opened),
        "refused": refused,
        "other_answers": others,
        "failed": [r.get("error") for r in results if r not in opened or r.get("error")],
        "placed_on": list(placed_on.values()),
        "ended_early": sum(bool(r.get("ended_early")) for r in opened),
        "sent": sum(r["sent"] for r in opened),
        "lost": sum(r["sent"] - r["answered"] for r in opened),
        "fps_min": min(fps, default=float("nan")),
        "fps_median": statistics.median(fps) if fps else float("nan"),
        "audio_frames_per_s": statistics.median([r["audio_frames"] / r["seconds"] for r in opened]) if opened else 0,
        "rtt_start_ms": (1000 * percentile([x for _, x in early], 0.5), 1000 * percentile([x for _, x in early], 0.99)),
        "rtt_end_ms": (1000 * percentile([x for _, x in late], 0.5), 1000 * percentile([x for _, x in late], 0.99)),
        "mock_cpu_cores": cpu,
        "mock_rss_mb": rss / 2**20,
        "client_cpu_cores": client_cpu,
        "client_rss_mb": client_rss / 2**20,
    }


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| mode | requested | held | refused | placed | lost/sent | fps min | fps median | RTT start p50/p99 ms"
            " | RTT end p50/p99 ms | mock CPU (cores) | mock RSS MB | clients CPU |\n"
            "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    lines = [head]
    for r in rows:
        lines.append(
            f"| {r['mode']} | {r['requested']} | {r['held']} | {r['refused']} | {'+'.join(map(str, r['placed_on']))} "
            f"| {r['lost']}/{r['sent']} | {r['fps_min']:.1f} | {r['fps_median']:.1f} "
            f"| {r['rtt_start_ms'][0]:.0f}/{r['rtt_start_ms'][1]:.0f} | {r['rtt_end_ms'][0]:.0f}/{r['rtt_end_ms'][1]:.0f} "
            f"| {r['mock_cpu_cores']:.2f} | {r['mock_rss_mb']:.0f} | {r['client_cpu_cores']:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) >= 2 and sys.argv[1] == "worker":
        placements = json.loads(sys.stdin.read())
        results = asyncio.run(worker(placements, float(sys.argv[2])))
        sys.stdout.write(json.dumps(results))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=12, help="sessions requested (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long each session runs")
    parser.add_argument("--max-sessions", type=int, default=8,
                        help="the mock's --max-sessions (the pool: half each); default: the mock's default, 8")
    parser.add_argument("--modes", default="single,pool", help="single, pool, or both (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=2, help="client processes (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON too")
    args = parser.parse_args()
    rows = []
    for mode in args.modes.split(","):
        print(f"{mode}: {args.sessions} sessions requested for {args.seconds:.0f} s ...", file=sys.stderr, flush=True)
        row = run_mode(mode, args.sessions, args.seconds, args.max_sessions, args.workers)
        rows.append(row)
        if row["failed"]:
            print(f"{mode}: sessions that failed: {row['failed']}", file=sys.stderr)
    print(table(rows))
    if args.json:
        print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
