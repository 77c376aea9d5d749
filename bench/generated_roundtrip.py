"""Data-channel round trip and throughput through the generated Runway client and server, against raw aiortc.

Run by hand: ``python bench/generated_roundtrip.py [--round-trips N] [--messages N] [--rounds N] [--package-root DIR]``.

The generated side is the committed package (``generated/runway-characters``, or ``--package-root``):
``Client.send_control_message`` sends a ``SessionControl`` (~1 KiB, padded in its
``metadata``); the server is a ``ServerHandler`` subclass whose ``on_control_message``
replies with a ``SessionState`` (round trips) or counts (one-way throughput); the client's
``on_session_event`` hook receives the reply. Typed models, validated on both sides, as a user of
the package would write it; the session also negotiates Runway's audio and video (idle here).

Raw aiortc, in the same process, sends the same JSON texts (the same models encoded per message)
over one data channel between two peer connections, and reads nothing back but that a reply came.
A second raw baseline does the same and validates what each side receives with pydantic, on the same
models: what the generated code costs beyond the check any receiver of untrusted JSON needs. A third
applies the runtime's two changes to aiortc's SCTP transport (webrtc/sctp.py: one flush per burst of
sends, SACKs that travel with the reply) to raw aiortc: what the layers above the transport cost,
without what the transport change saves.
The three run in rotating rounds (see runtime_roundtrip.py); each figure is printed with the median of its
per-round ratios to each baseline (latency: >1 is slower; throughput: <1 is slower).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from asyncapi_gen.runtime.core.codec import encode_message
from asyncapi_gen.runtime.webrtc.sctp import coalesce_flushes, delay_sacks
from pydantic import TypeAdapter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from runtime_roundtrip import (
    LOOPBACK,
    Result,
    bench_raw,
    measure_round_trips,
    measure_throughput,
    report,
    rotating,
)

GENERATED = Path(__file__).resolve().parents[1] / "generated" / "runway-characters"
PAD = "x" * 960
STARTED = datetime(2024, 11, 6, tzinfo=UTC)


def load_package(root: Path) -> ModuleType:
    """``runway_characters`` imported from the distribution folder ``root``."""
    sys.path.insert(0, str(root))
    import runway_characters

    return runway_characters


async def bench_generated(rc: ModuleType, round_trips: int, messages: int) -> tuple[list[float], float]:
    models = rc.models

    class Avatar(rc.ServerHandler):  # type: ignore[name-defined,misc]
        """Replies to each control message with a session state, or counts them."""

        echo = True
        expected = 0
        count = 0
        done = asyncio.Event()

        async def on_control_message(self, session: Any, message: Any) -> None:
            if Avatar.echo:
                await session.send_session_event(state(models))
                return
            Avatar.count += 1
            if Avatar.count == Avatar.expected:
                Avatar.done.set()

    replies: asyncio.Queue[int | None] = asyncio.Queue()

    class Listener(rc.ClientHandler):  # type: ignore[name-defined,misc]
        async def on_session_event(self, client: Any, message: Any) -> None:
            replies.put_nowait(None)

    async with rc.Server(Avatar, ice=LOOPBACK) as server:
        url, token = server.issue_session()
        async with rc.Client(url, token, handler=Listener(), ice=LOOPBACK) as client:

            async def send(seq: int) -> None:
                await client.send_control_message(control(models, seq))

            await measure_round_trips(send, replies, 50)  # warm up
            latencies = await measure_round_trips(send, replies, round_trips)
            Avatar.echo, Avatar.expected = False, messages
            rate = await measure_throughput(send, Avatar.done, messages)
    return latencies, rate


def control(models: ModuleType, seq: int) -> Any:
    return models.SessionControl(type="mute", metadata={"seq": seq, "pad": PAD})


def state(models: ModuleType) -> Any:
    return models.SessionState(type="session_state", state="listening", timestamp=STARTED)


async def main(root: Path, round_trips: int, messages: int, rounds: int) -> None:
    rc = load_package(root)
    models = rc.models
    # Raw code that checks what it receives, as every receiver of untrusted JSON must: pydantic on the same
    # models (the server validates each SessionControl, the client each SessionEvent), nothing else.
    control_adapter, event_adapter = TypeAdapter(models.SessionControl), TypeAdapter(models.SessionEvent)

    def adapted(sctp: Any) -> None:
        coalesce_flushes(sctp)
        delay_sacks(sctp)

    def raw(validating: bool, sctp_changes: bool = False) -> Callable[[], Awaitable[Result]]:
        def read_reply(text: str) -> None:
            if validating:
                event_adapter.validate_json(text)

        return lambda: bench_raw(
            round_trips,
            messages,
            request=lambda seq: encode_message(control(models, seq)),
            respond=lambda text: encode_message(state(models)),
            read_reply=read_reply,
            accept=control_adapter.validate_json if validating else lambda text: None,
            adapt=adapted if sctp_changes else lambda sctp: None,
        )

    setups = [raw(False), raw(True), raw(False, sctp_changes=True), lambda: bench_generated(rc, round_trips, messages)]
    raws, validating, changed, generated = await rotating(rounds, setups)
    up, down = len(encode_message(control(models, 0))), len(encode_message(state(models)))
    title = (
        f"generated Runway client/server from {root}: SessionControl {up} B up, SessionState {down} B back, "
        f"{round_trips} round trips, {messages} one-way messages, loopback"
    )
    report(title, "generated", raws, generated)
    print("\nagainst raw aiortc that validates what it receives with pydantic, on the same models:")
    report("", "generated", validating, generated, baseline_label="raw+pydantic")
    print("\nagainst raw aiortc with the runtime's two SCTP changes (webrtc/sctp.py), no validation:")
    report("", "generated", changed, generated, baseline_label="raw+sctp.py")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--round-trips", type=int, default=2000, help="per round")
    parser.add_argument("--messages", type=int, default=10000, help="per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--package-root",
        type=Path,
        default=GENERATED,
        help="distribution folder holding runway_characters/ (default: the committed one)",
    )
    arguments = parser.parse_args()
    asyncio.run(main(arguments.package_root, arguments.round_trips, arguments.messages, arguments.rounds))
