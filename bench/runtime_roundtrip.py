"""Data-channel round trip and throughput: the runtime against raw aiortc, in one process, on loopback.

Run by hand: ``python bench/runtime_roundtrip.py [--round-trips N] [--messages N] [--rounds N]``.

Both setups use the same loopback-pinned ICE, the same ~1 KiB JSON payloads and an echo peer. The
runtime adds what raw aiortc lacks: signaling over a WebSocket with a token, validation of every
message against its pydantic model on receipt, model encoding on send, ordered callback dispatch.
Both run in alternating rounds; each figure is printed with the median of its per-round ratios to raw aiortc
(latency: >1 is slower; throughput: <1 is slower). Single runs swing by tens of percent on two shared cores.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal

from aiortc import RTCDataChannel, RTCPeerConnection
from asyncapi_gen.runtime.core import ChannelKind, ChannelSpec, CloseReason, ServerSession, WireError
from asyncapi_gen.runtime.core.codec import encode_message
from asyncapi_gen.runtime.webrtc import IceConfig, WebRTCClientSession, WebRTCServer
from asyncapi_gen.runtime.webrtc.ice import pinned_host_addresses, rtc_configuration
from pydantic import BaseModel, TypeAdapter

LOOPBACK = IceConfig(host_addresses=("127.0.0.1",))
ADDRESS = "/bench/data"


class Ping(BaseModel):
    """A ~1 KiB message: a tag, a sequence number and padding."""

    type: Literal["ping"] = "ping"
    seq: int
    pad: str


CHANNELS = [
    ChannelSpec(
        ADDRESS,
        ChannelKind.DATA,
        None,
        client_sends=True,
        server_sends=True,
        client_inbound=TypeAdapter(Ping),
        server_inbound=TypeAdapter(Ping),
    )
]


def ping(seq: int) -> Ping:
    return Ping(seq=seq, pad="x" * 990)


# ---------------------------------------------------------------- what is measured


async def measure_round_trips(
    send: Callable[[int], Awaitable[None]], replies: asyncio.Queue[int | None], n: int
) -> list[float]:
    """Seconds for each of ``n`` sequential send-and-await-reply exchanges (a reply names its seq, or None)."""
    latencies = []
    for seq in range(n):
        started = time.perf_counter()
        await send(seq)
        reply = await replies.get()
        assert reply is None or reply == seq, (reply, seq)
        latencies.append(time.perf_counter() - started)
    return latencies


async def measure_throughput(send: Callable[[int], Awaitable[None]], received: asyncio.Event, n: int) -> float:
    """Messages per second from the first send until the receiver has seen all ``n``."""
    started = time.perf_counter()
    for seq in range(n):
        await send(seq)
    await received.wait()
    return n / (time.perf_counter() - started)


# ---------------------------------------------------------------- the runtime


class Receiver:
    """Server side of the runtime bench: echoes in round-trip mode, counts in throughput mode."""

    def __init__(self) -> None:
        self.echo = True
        self.expected = 0
        self.count = 0
        self.done = asyncio.Event()

    async def on_open(self, session: ServerSession) -> None:
        pass

    async def on_message(self, session: ServerSession, address: str, message: Ping) -> None:
        if self.echo:
            await session.send(address, message)
            return
        self.count += 1
        if self.count == self.expected:
            self.done.set()

    async def on_error(self, session: ServerSession, error: WireError) -> None:
        raise AssertionError(error)

    async def on_close(self, session: ServerSession, reason: CloseReason) -> None:
        pass


async def bench_runtime(round_trips: int, messages: int) -> tuple[list[float], float]:
    receiver = Receiver()
    async with WebRTCServer(CHANNELS, lambda: receiver, ice=LOOPBACK) as server:
        url, token = server.issue_session()
        async with WebRTCClientSession(url, token, CHANNELS, ice=LOOPBACK) as client:
            replies: asyncio.Queue[int | None] = asyncio.Queue()

            async def on_reply(message: Ping) -> None:
                await replies.put(message.seq)

            client.on_message(ADDRESS, on_reply)

            async def send(seq: int) -> None:
                await client.send(ADDRESS, ping(seq))

            await measure_round_trips(send, replies, 50)  # warm up
            latencies = await measure_round_trips(send, replies, round_trips)
            receiver.echo, receiver.expected = False, messages
            rate = await measure_throughput(send, receiver.done, messages)
    return latencies, rate


# ---------------------------------------------------------------- raw aiortc


def seq_of(raw: str) -> int:
    """The seq of a ping's JSON, read the cheapest way raw code would, without parsing the rest."""
    return int(raw.split('"seq":', 1)[1].split(",", 1)[0])


async def bench_raw(
    round_trips: int,
    messages: int,
    *,
    request: Callable[[int], str] = lambda seq: encode_message(ping(seq)),
    respond: Callable[[str], str] = lambda raw: raw,
    read_reply: Callable[[str], int | None] = seq_of,
    accept: Callable[[str], object] = lambda raw: None,
    adapt: Callable[[Any], object] = lambda sctp: None,
) -> tuple[list[float], float]:
    """Two raw aiortc peer connections, one data channel: ``request(seq)`` out, ``respond(raw)`` back;
    ``accept(raw)`` is called on every message the answerer receives (to validate it, say), ``adapt(sctp)``
    on each side's SCTP transport once the channel is open."""
    offerer, answerer = RTCPeerConnection(rtc_configuration(LOOPBACK)), RTCPeerConnection(rtc_configuration(LOOPBACK))
    client_channel = offerer.createDataChannel(ADDRESS, ordered=True)
    opened = asyncio.Event()
    client_channel.on("open", opened.set)
    replies: asyncio.Queue[int | None] = asyncio.Queue()
    state: dict[str, Any] = {"echo": True, "expected": 0, "count": 0}
    received = asyncio.Event()

    @answerer.on("datachannel")
    def on_channel(channel: RTCDataChannel) -> None:
        @channel.on("message")
        def on_message(raw: str) -> None:
            accept(raw)
            if state["echo"]:
                channel.send(respond(raw))
                return
            state["count"] += 1
            if state["count"] == state["expected"]:
                received.set()

    @client_channel.on("message")
    def on_reply(raw: str) -> None:
        replies.put_nowait(read_reply(raw))

    with pinned_host_addresses(LOOPBACK):
        await offerer.setLocalDescription(await offerer.createOffer())
        await answerer.setRemoteDescription(offerer.localDescription)
        await answerer.setLocalDescription(await answerer.createAnswer())
        await offerer.setRemoteDescription(answerer.localDescription)
    await opened.wait()
    adapt(offerer.sctp)
    adapt(answerer.sctp)

    async def send(seq: int) -> None:
        client_channel.send(request(seq))

    try:
        await measure_round_trips(send, replies, 50)
        latencies = await measure_round_trips(send, replies, round_trips)
        state["echo"], state["expected"] = False, messages
        rate = await measure_throughput(send, received, messages)
    finally:
        await offerer.close()
        await answerer.close()
    return latencies, rate


# ---------------------------------------------------------------- report


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


Result = tuple[list[float], float]  # round-trip latencies in seconds, one-way messages/s


def figures(result: Result) -> tuple[float, float, float]:
    """Median and p99 round trip in ms, and one-way messages/s."""
    latencies, rate = result
    return statistics.median(latencies) * 1e3, percentile(latencies, 0.99) * 1e3, rate


async def alternating(
    rounds: int, raw: Callable[[], Awaitable[Result]], measured: Callable[[], Awaitable[Result]]
) -> tuple[list[Result], list[Result]]:
    """``rounds`` runs of each, alternating which goes first, so that drift on a shared machine hits both alike."""
    raws, ours = await rotating(rounds, [raw, measured])
    return raws, ours


async def rotating(rounds: int, setups: Sequence[Callable[[], Awaitable[Result]]]) -> list[list[Result]]:
    """``rounds`` runs of each setup, the order rotated every round (A B C, B C A, ...): each setup's results."""
    results: list[list[Result]] = [[] for _ in setups]
    for index in range(rounds):
        for offset in range(len(setups)):
            which = (index + offset) % len(setups)
            results[which].append(await setups[which]())
    return results


def report(title: str, label: str, raws: list[Result], measured: list[Result], baseline_label: str = "raw aiortc") -> None:
    """Per figure: the median over rounds of raw aiortc and of ours, and the median of the per-round ratios
    (with their range): median and p99 round trip, one-way rate."""
    if title:
        print(f"{title}; {len(raws)} alternating rounds, medians")
    print(f"{'':22}{baseline_label:>12}{label:>12}{'ratio':>8}  ratio range")
    names = ("round trip median ms", "round trip p99 ms", "one-way messages/s")
    raw_figures, our_figures = [figures(r) for r in raws], [figures(r) for r in measured]
    for index, name in enumerate(names):
        baseline = statistics.median(f[index] for f in raw_figures)
        value = statistics.median(f[index] for f in our_figures)
        ratios = [o[index] / r[index] for r, o in zip(raw_figures, our_figures, strict=True)]
        print(f"{name:22}{baseline:12.2f}{value:12.2f}{statistics.median(ratios):8.2f}  "
              f"{min(ratios):.2f}-{max(ratios):.2f}")


async def main(round_trips: int, messages: int, rounds: int) -> None:
    raws, runtime = await alternating(
        rounds, lambda: bench_raw(round_trips, messages), lambda: bench_runtime(round_trips, messages)
    )
    size = len(encode_message(ping(0)))
    title = f"payload {size} bytes JSON, {round_trips} round trips, {messages} one-way messages, loopback"
    report(title, "runtime", raws, runtime)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--round-trips", type=int, default=2000, help="per round")
    parser.add_argument("--messages", type=int, default=10000, help="per round")
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.round_trips, arguments.messages, arguments.rounds))
