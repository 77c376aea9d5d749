"""SACKs wait briefly and travel with outgoing data (webrtc/sctp.py, ``delay_sacks``), and nothing is lost.

Two real aiortc peer connections on loopback. What each side puts on the wire is read where aiortc's
SCTP hands a packet to DTLS, parsed with aiortc's own parser; plain aiortc is the comparison.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from aiortc import RTCDataChannel
from aiortc.rtcsctptransport import SCTP_MAX_PACKET_LENGTH, DataChunk, SackChunk, parse_packet
from asyncapi_gen.runtime.webrtc.sctp import coalesce_flushes, delay_sacks
from rt_support import Arrivals, opened, peer_pair, run, seq_text, within


class Wire:
    """The SCTP packets one side sends, as (loop time, chunks, bytes); ``drop`` can lose one on purpose."""

    def __init__(self, sctp: Any, drop: Callable[[list[Any]], bool] = lambda chunks: False) -> None:
        self.packets: list[tuple[float, list[Any], int]] = []
        dtls = sctp.transport
        send_data = dtls._send_data

        async def recorded(data: bytes) -> None:
            chunks = parse_packet(data)[3]
            if drop(chunks):
                return
            self.packets.append((asyncio.get_running_loop().time(), chunks, len(data)))
            await send_data(data)

        dtls._send_data = recorded

    def count(self, *kinds: type) -> int:
        """Packets made of exactly these chunk types, in this order."""
        return sum(1 for _, chunks, _ in self.packets if tuple(type(chunk) for chunk in chunks) == kinds)

    def since(self, index: int) -> Wire:
        later = Wire.__new__(Wire)
        later.packets = self.packets[index:]
        return later


def echoing(inbound: RTCDataChannel) -> None:
    inbound.on("message", inbound.send)


async def round_trips(delayed: bool, n: int, size: int = 900) -> tuple[Wire, Wire, list[int]]:
    """``n`` sequential request/reply exchanges; what each side sent after the warm-up, and the replies' seqs."""
    replies: asyncio.Queue[int] = asyncio.Queue()
    async with peer_pair(echoing) as (offerer, answerer, channel):
        channel.on("message", lambda raw: replies.put_nowait(json.loads(raw)["seq"]))
        await opened(channel)
        assert offerer.sctp is not None and answerer.sctp is not None
        if delayed:
            assert delay_sacks(offerer.sctp) and delay_sacks(answerer.sctp)
        up, down = Wire(offerer.sctp), Wire(answerer.sctp)
        seen = []
        for seq in range(n):
            channel.send(seq_text(seq, size))
            seen.append(await within(replies.get()))
        return up, down, seen


def test_a_request_and_its_reply_carry_their_sacks_instead_of_sending_them_alone() -> None:
    async def scenario() -> None:
        n = 300
        up, down, seen = await round_trips(delayed=True, n=n)
        assert seen == list(range(n))
        bundled = up.count(SackChunk, DataChunk) + down.count(SackChunk, DataChunk)
        alone = up.count(SackChunk) + down.count(SackChunk)
        assert bundled >= 2 * n - 4, (bundled, alone)
        assert alone <= 4, (bundled, alone)

        up, down, seen = await round_trips(delayed=False, n=n)  # plain aiortc: four packets a round trip
        assert seen == list(range(n))
        assert up.count(SackChunk) + down.count(SackChunk) >= 2 * n - 4
        assert up.count(SackChunk, DataChunk) + down.count(SackChunk, DataChunk) == 0

    run(scenario)


def test_bundled_packets_stay_within_aiortcs_largest_and_big_messages_still_round_trip() -> None:
    async def scenario() -> None:
        for size in (1090, 1120, 1140, 1160, 1200, 5000):  # around where a SACK no longer fits, and fragments
            up, down, seen = await round_trips(delayed=True, n=20, size=size)
            assert seen == list(range(20)), size
            sizes = [length for wire in (up, down) for _, _, length in wire.packets]
            assert max(sizes) <= SCTP_MAX_PACKET_LENGTH, (size, max(sizes))

    run(scenario)


def test_a_lone_message_is_acknowledged_alone_once_the_delay_has_passed() -> None:
    async def scenario() -> None:
        delay = 0.05
        arrived: list[float] = []
        loop = asyncio.get_running_loop()

        def noting(inbound: RTCDataChannel) -> None:
            inbound.on("message", lambda raw: arrived.append(loop.time()))

        async with peer_pair(noting) as (offerer, answerer, channel):
            await opened(channel)
            assert offerer.sctp is not None and answerer.sctp is not None
            assert delay_sacks(answerer.sctp, delay)
            down = Wire(answerer.sctp)
            channel.send("nobody replies to this")
            while not arrived:
                await within(asyncio.sleep(0.001))
            while offerer.sctp._flight_size:  # outstanding until the SACK comes
                await within(asyncio.sleep(0.005))
            assert len(arrived) == 1
            assert down.count(SackChunk) == 1 and len(down.packets) == 1
            sent_at = down.packets[0][0]
            assert sent_at - arrived[0] >= delay / 2, (sent_at, arrived)

    run(scenario)


def test_a_burst_takes_fewer_sacks_and_arrives_whole_and_in_order() -> None:
    async def burst(delayed: bool, messages: int = 2000) -> tuple[Wire, list[int]]:
        arrivals = Arrivals(messages)
        async with peer_pair(arrivals.attach) as (offerer, answerer, channel):
            await opened(channel)
            assert offerer.sctp is not None and answerer.sctp is not None
            coalesce_flushes(offerer.sctp)
            if delayed:
                assert delay_sacks(answerer.sctp)
            down = Wire(answerer.sctp)
            for seq in range(messages):
                channel.send(seq_text(seq))
            await within(arrivals.done.wait(), 60)
            return down, arrivals.seqs

    async def scenario() -> None:
        down, received = await burst(delayed=True)
        assert received == list(range(2000))
        delayed = down.count(SackChunk)
        down, received = await burst(delayed=False)
        assert received == list(range(2000))
        plain = down.count(SackChunk)
        # Plain aiortc: a SACK for each packet received (~2,000, more with losses). Delayed: at once for
        # every second packet, or for a gap; here ~0.56 of plain's.
        assert plain >= 1800, plain
        assert delayed <= plain * 0.7, (delayed, plain)

    run(scenario, timeout=120)


def test_a_lost_packet_is_reported_at_once_and_sent_again() -> None:
    async def scenario() -> None:
        messages, lost = 40, 10
        arrivals = Arrivals(messages)
        dropped: list[int] = []

        def drop_once(chunks: list[Any]) -> bool:
            # The first transmission of one DATA chunk mid-burst never reaches the other side.
            data = [chunk for chunk in chunks if isinstance(chunk, DataChunk)]
            if data and not dropped and json.loads(data[0].user_data)["seq"] == lost:
                dropped.append(data[0].tsn)
                return True
            return False

        async with peer_pair(arrivals.attach) as (offerer, answerer, channel):
            await opened(channel)
            assert offerer.sctp is not None and answerer.sctp is not None
            assert delay_sacks(answerer.sctp)
            up, down = Wire(offerer.sctp, drop_once), Wire(answerer.sctp)
            for seq in range(messages):
                channel.send(seq_text(seq))
            await within(arrivals.done.wait(), 30)
        assert dropped and arrivals.seqs == list(range(messages))
        gap_reports = [
            chunks[0] for _, chunks, _ in down.packets if isinstance(chunks[0], SackChunk) and chunks[0].gaps
        ]
        assert gap_reports, "the receiver never reported the gap"
        # The packet after the lost one is reported at once, in a SACK of its own.
        assert all(len(chunks) == 1 for _, chunks, _ in down.packets if chunks[0] in gap_reports)
        resent = [
            chunk
            for _, chunks, _ in up.packets
            for chunk in chunks
            if isinstance(chunk, DataChunk) and chunk.tsn == dropped[0]
        ]
        assert resent, "the lost chunk was never sent again"

    run(scenario)


def test_a_transport_is_changed_once_and_anything_else_is_left_alone() -> None:
    async def scenario() -> None:
        async with peer_pair(echoing) as (offerer, _, channel):
            await opened(channel)
            assert offerer.sctp is not None
            assert delay_sacks(offerer.sctp)
            assert not delay_sacks(offerer.sctp)
        assert not delay_sacks(object())

    run(scenario)
