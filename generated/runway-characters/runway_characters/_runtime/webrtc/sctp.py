# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""Two changes to aiortc's SCTP transport, made on one instance: one flush task per burst of sends, and
SACKs that wait briefly to travel with outgoing data.

Flushes (``coalesce_flushes``).

aiortc's ``RTCDataChannel.send`` hands the message to ``RTCSctpTransport._data_channel_send``, which
queues it and schedules a task running ``_data_channel_flush``: one task per message. The first of
those tasks to run moves everything queued into the association; the rest find the queue empty (or
the congestion window full) and end, and a burst of 10,000 sends costs 10,000 tasks. Measured in
bench/generated_roundtrip.py, those tasks are about 15 µs a message in a one-way stream, more than
validating the message on receipt.

Here a send schedules a flush only when none is scheduled and not yet started: data queued before a
flush starts is seen by that flush, so the tasks left out had nothing to do. A flush that has
started does not count (what is queued after it looked is flushed by the next one), and the flush
aiortc awaits itself after each SACK is left as it is. Where the private names are missing (another
aiortc), nothing is changed and aiortc's own behaviour applies.

SACKs (``delay_sacks``). aiortc acknowledges every packet carrying DATA at once, in a packet of its own,
so a request and its reply cost four packets, each encrypted, sent, received, decrypted and parsed: in a
round trip between two aiortc peers on one machine, the two lone SACKs are a good part of the time.
RFC 9260 section 6.2 lets a receiver delay its SACK (up to 500 ms, 200 ms being the usual; browsers'
SCTP stacks do) as long as it acknowledges at least every second packet, and at once when it sees a
gap or a duplicate. Here the SACK for a lone packet waits at most ``SACK_DELAY``; when DATA goes out
meanwhile (a reply, most often), the SACK travels in front of it in the same packet (section 6.10,
bundling), provided the packet stays within aiortc's own largest. A second packet, a gap, a duplicate,
or any state but established sends it at once, as aiortc would. The SACK itself is built by aiortc.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import Any

__all__ = ["SACK_DELAY", "coalesce_flushes", "delay_sacks"]

SACK_DELAY = 0.010
"""Seconds a SACK for a lone packet may wait for outgoing data to travel with: short against aiortc's
smallest retransmission timeout (1 s), long against the time a handler takes to reply."""
_HEADER_LENGTH = 12  # SCTP's common header
_DATA_HEADER_LENGTH = 16
_SACK_LENGTH = 16  # a SACK chunk without gaps or duplicates: the only kind that waits


def coalesce_flushes(sctp: Any) -> bool:
    """Make ``sctp`` (an ``RTCSctpTransport``) schedule one flush per burst of sends; False when this
    aiortc has not the private methods it relies on."""
    send = getattr(sctp, "_data_channel_send", None)
    flush = getattr(type(sctp), "_data_channel_flush", None)
    if send is None or flush is None or "_data_channel_send" in vars(sctp):
        return False  # not this aiortc's transport, or already changed
    scheduled: asyncio.Future[None] | None = None

    async def run_flush() -> None:
        nonlocal scheduled
        scheduled = None  # started: a send from now on needs a flush of its own
        await flush(sctp)

    def schedule_flush() -> asyncio.Future[None]:
        # What ``_data_channel_send`` passes to ``ensure_future``: a future is used as it is, not wrapped.
        nonlocal scheduled
        if scheduled is None:
            scheduled = asyncio.ensure_future(run_flush())
        return scheduled

    def send_coalesced(channel: Any, data: str | bytes) -> None:
        # For the one call, ``_data_channel_flush`` names the scheduler; the class's method is back after.
        sctp._data_channel_flush = schedule_flush
        try:
            send(channel, data)
        finally:
            del sctp._data_channel_flush

    sctp._data_channel_send = send_coalesced
    return True


def _padded(chunk: Any) -> int:
    """Bytes of a DATA chunk on the wire, without serializing it."""
    return _DATA_HEADER_LENGTH + (len(chunk.user_data) + 3) // 4 * 4


class _Bundle:
    """Chunks sent in one packet: what aiortc's ``serialize_packet`` reads of a chunk is its bytes."""

    __slots__ = ("chunks",)

    def __init__(self, *chunks: Any) -> None:
        self.chunks = chunks

    def __bytes__(self) -> bytes:
        return b"".join(bytes(chunk) for chunk in self.chunks)

    def __repr__(self) -> str:
        return " + ".join(repr(chunk) for chunk in self.chunks)


def delay_sacks(sctp: Any, delay: float = SACK_DELAY) -> bool:
    """Have ``sctp`` (an ``RTCSctpTransport``) delay the SACK for a lone packet up to ``delay`` seconds and
    bundle it with the next DATA chunk sent; False when this aiortc has not the private names it relies on."""
    cls, module = type(sctp), sys.modules.get(type(sctp).__module__)
    send_sack: Any = getattr(cls, "_send_sack", None)
    send_chunk: Any = getattr(cls, "_send_chunk", None)
    data_chunk: Any = getattr(module, "DataChunk", None)
    max_packet: Any = getattr(module, "SCTP_MAX_PACKET_LENGTH", None)
    established: Any = getattr(getattr(cls, "State", None), "ESTABLISHED", None)
    needed = (send_sack, send_chunk, data_chunk, max_packet, established)
    if any(name is None for name in needed) or not hasattr(sctp, "_sack_needed"):
        return False  # not this aiortc's transport
    if "_send_sack" in vars(sctp):
        return False  # already changed
    # What a DATA chunk may take of a packet that a SACK travels in too.
    room = max_packet - _HEADER_LENGTH - _SACK_LENGTH
    unacknowledged = 0  # packets received with DATA since the last SACK
    timer: asyncio.TimerHandle | None = None
    captured: list[Any] | None = None  # set while aiortc builds a SACK to be bundled

    def settle() -> None:
        nonlocal unacknowledged, timer
        unacknowledged = 0
        if timer is not None:
            timer.cancel()
            timer = None

    async def send_now() -> None:
        settle()
        await send_sack(sctp)

    async def send_late() -> None:
        # By the time this runs, DATA may have carried the SACK, or the transport may have closed.
        if sctp._sack_needed and sctp._association_state == established:
            # DTLS closed first: nobody left to acknowledge.
            with contextlib.suppress(ConnectionError):
                await send_now()

    def expired() -> None:
        nonlocal timer
        timer = None
        asyncio.ensure_future(send_late())

    async def sack_or_wait() -> None:
        # Called by aiortc's ``_handle_data`` after each packet that needs a SACK.
        nonlocal unacknowledged, timer
        unacknowledged += 1
        if (
            unacknowledged >= 2
            or sctp._sack_misordered
            or sctp._sack_duplicates
            or sctp._association_state != established
        ):
            await send_now()
        elif timer is None:
            timer = asyncio.get_running_loop().call_later(delay, expired)

    async def send_bundling(chunk: Any) -> None:
        nonlocal captured
        if captured is not None:
            # aiortc's ``_send_sack`` handing over the SACK it built.
            captured.append(chunk)
            return
        if (
            timer is None
            or not sctp._sack_needed
            or type(chunk) is not data_chunk
            or _padded(chunk) > room
        ):
            await send_chunk(sctp, chunk)
            return
        settle()
        captured = []
        try:
            # aiortc builds the SACK and marks it sent; ``captured`` holds it.
            await send_sack(sctp)
            (sack,) = captured
        finally:
            captured = None
        await send_chunk(sctp, _Bundle(sack, chunk))

    sctp._send_sack = sack_or_wait
    sctp._send_chunk = send_bundling
    return True
