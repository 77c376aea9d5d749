"""A burst of data-channel sends shares flush tasks (webrtc/sctp.py), and nothing is lost or reordered.

Two real aiortc peer connections on loopback; the sending side's SCTP transport is coalesced (or not,
for the comparison). aiortc's flush method is wrapped to count how often it runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiortc import RTCPeerConnection
from aiortc.rtcsctptransport import RTCSctpTransport
from asyncapi_gen.runtime.webrtc.ice import rtc_configuration
from asyncapi_gen.runtime.webrtc.sctp import coalesce_flushes
from rt_support import LOOPBACK, Arrivals, opened, peer_pair, seq_text, within

BURST = 2000


def _counting_flush(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    runs = [0]
    flush: Callable[[RTCSctpTransport], Awaitable[None]] = RTCSctpTransport._data_channel_flush

    async def counted(self: RTCSctpTransport) -> None:
        runs[0] += 1
        await flush(self)

    monkeypatch.setattr(RTCSctpTransport, "_data_channel_flush", counted)
    return runs


async def _burst(coalesced: bool, messages: int) -> tuple[list[int], Any]:
    """Send ``messages`` JSON texts in one burst; what the other side received, in order."""
    arrivals = Arrivals(messages)
    async with peer_pair(arrivals.attach) as (offerer, _, channel):
        assert offerer.sctp is not None
        if coalesced:
            assert coalesce_flushes(offerer.sctp)
        await opened(channel)
        for seq in range(messages):
            channel.send(seq_text(seq))
        await within(arrivals.done.wait(), 60)
        return arrivals.seqs, offerer.sctp


def test_a_burst_of_sends_shares_flush_tasks_and_arrives_whole_and_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    runs = _counting_flush(monkeypatch)
    received, sctp = asyncio.run(_burst(coalesced=True, messages=BURST))
    assert received == list(range(BURST))
    # aiortc also flushes after each SACK; the sends themselves add next to nothing.
    sacks_and_sends = runs[0]
    assert "_data_channel_flush" not in vars(sctp)  # the class's own method is back after each send

    runs[0] = 0
    received, _ = asyncio.run(_burst(coalesced=False, messages=BURST))
    assert received == list(range(BURST))
    assert runs[0] >= BURST  # aiortc alone: a flush task per send, plus those after SACKs
    assert sacks_and_sends <= runs[0] - BURST * 3 // 4, (sacks_and_sends, runs[0])


def test_a_send_aiortc_refuses_still_raises_and_leaves_the_transport_as_it_was() -> None:
    async def scenario() -> None:
        offerer = RTCPeerConnection(rtc_configuration(LOOPBACK))
        channel = offerer.createDataChannel("data")
        try:
            sctp = offerer.sctp
            assert sctp is not None and coalesce_flushes(sctp)
            assert not coalesce_flushes(sctp)  # once is enough: a second call changes nothing
            sctp._remote_max_message_size = 16
            with pytest.raises(ValueError, match="Cannot send message"):
                sctp._data_channel_send(channel, "x" * 64)
            assert "_data_channel_flush" not in vars(sctp)
        finally:
            await offerer.close()

    asyncio.run(scenario())
