"""Black-box tests of the findings of an attack on the generated Runway server, one test (or a few) per finding.

Each test states the behaviour the hardened runtime promises (its "contract") and fails on the runtime
that was attacked. Everything runs on 127.0.0.1: ICE pinned to loopback, no STUN server. Heavy work
(the attackers) runs in subprocesses when it would distort what the test process measures; every
subprocess is stopped by its pid in a finally block.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import pytest
from hardening_support import (
    MAX_MESSAGE_SIZE,
    Attacker,
    LagProbe,
    MockProcess,
    RawPeer,
    http_post,
    largest_gap,
    record_frames,
    run,
    wait_until,
)
from runway_characters import Client, ConnectError, IceConfig, Server, TokenRejected, models
from runway_characters.mock import MockHandler

LOOPBACK = IceConfig(host_addresses=("127.0.0.1",))

#: The Runway spec's data channel takes messages of at most 256 KiB; the answer must advertise that.
RUNWAY_MAX_MESSAGE_BYTES = 262_144
#: Contract: output of a mock under attack stays small (the attack printed 46k tracebacks, 60 MB).
MAX_MOCK_OUTPUT_BYTES = 200_000


def in_server(scenario: Any, timeout: float = 55.0) -> None:
    """Run ``scenario(server)`` against an in-process mock server that is always stopped afterwards."""

    async def wrapped() -> None:
        server = Server(MockHandler, host="127.0.0.1", port=0, max_duration=None, ice=LOOPBACK)
        await server.start()
        try:
            await scenario(server)
        finally:
            await asyncio.wait_for(server.stop(), 20)

    run(wrapped, timeout)


async def count_video_frames(client: Client, seconds: float) -> int:
    video = await client.receive_avatar_video()
    arrivals: list[float] = []
    recorder = asyncio.create_task(record_frames(video, arrivals))
    try:
        assert await wait_until(lambda: bool(arrivals), 15), "no video frame arrived"
        start = arrivals[0]
        await asyncio.sleep(seconds)
        return sum(1 for t in arrivals if start <= t < start + seconds)
    finally:
        recorder.cancel()
        await asyncio.gather(recorder, return_exceptions=True)


# ---------------------------------------------------------------------------------------------- finding 1


def test_1_flood_then_close_does_not_stall_other_sessions() -> None:
    """A client floods control messages for 10 s, then closes: another session's video must not stall.

    Today the server's per-session callback queue grows to tens of thousands of messages, delivered
    after the close without yielding, each reply raising SessionClosed with a logged traceback.
    """
    with MockProcess() as mock:
        mock.start()
        observed: dict[str, Any] = {}

        async def scenario() -> None:
            issued = await http_post(mock.http_url)
            assert issued.status == 200, issued
            flooder_url, flooder_token = issued.json()["url"], issued.json()["token"]
            arrivals: list[float] = []
            victim = Client(mock.signaling_url, mock.token, ice=LOOPBACK)
            await victim.connect()
            recorder = asyncio.create_task(record_frames(await victim.receive_avatar_video(), arrivals))
            try:
                assert await wait_until(lambda: len(arrivals) >= 10, 15), "the victim gets no video"
                start = time.monotonic()
                attacker = Attacker("flood", flooder_url, flooder_token, "10")
                try:
                    flooded = await attacker.wait_line("SENT", timeout=25)  # connected, flooded 10 s, now closing
                    observed["flood_done_after"] = time.monotonic() - start
                    observed["flooder_exit"] = await attacker.wait_exit(10)
                    observed["flooder_gone_after"] = time.monotonic() - start
                    observed["sent"] = int(flooded[1][0]) if flooded is not None else 0
                    observed["flooder_output"] = attacker.output()[-1000:]
                finally:
                    await asyncio.to_thread(attacker.stop)
                await asyncio.sleep(3.0)  # the victim keeps watching after the flooder is gone
                end = time.monotonic()
                observed["gap"] = largest_gap(arrivals, start, end)
                observed["frames"] = sum(1 for t in arrivals if start <= t < end)
                observed["seconds"] = end - start
            finally:
                recorder.cancel()
                await asyncio.gather(recorder, return_exceptions=True)
                # The mock goes first (a stalled one would make the victim's close wait for it), by its pid.
                await asyncio.to_thread(mock.stop)
                await victim.close()

        try:
            run(scenario, timeout=58)
        finally:
            mock.stop()
        output_size = mock.output_size()
    assert observed["sent"] >= 100, f"the flooder did not flood: {observed}"
    summary = (f"flooder sent {observed['sent']} messages (flood over after {observed['flood_done_after']:.1f} s, "
               f"flooder gone after {observed['flooder_gone_after']:.1f} s, exit {observed['flooder_exit']}); "
               f"victim: {observed['frames']} frames in {observed['seconds']:.1f} s, "
               f"largest gap {observed['gap']:.2f} s; mock output {output_size} bytes")
    print(summary)
    assert observed["gap"] <= 0.5, f"the victim's video stalled: {summary}"
    assert output_size < MAX_MOCK_OUTPUT_BYTES, f"the mock's output exploded: {summary}"


# ---------------------------------------------------------------------------------------------- finding 2


def test_2_deep_json_on_signaling_ends_the_session_and_its_media() -> None:
    """A 100k-deep JSON array on the signaling socket must end the session: no orphan keeps streaming.

    Today the signaling reader dies of RecursionError: the session leaves ``active_sessions`` but its
    video keeps flowing, even after ``server.stop()``.
    """
    observed: dict[str, Any] = {}

    async def scenario() -> None:
        server = Server(MockHandler, host="127.0.0.1", port=0, max_duration=None, ice=LOOPBACK)
        await server.start()
        url, token = server.issue_session()
        peer = RawPeer(url, token)
        stopped = False
        try:
            await peer.start()
            await peer.wait_video()
            assert await wait_until(lambda: server.active_sessions == 1, 5)
            sent = time.monotonic()
            await peer.send_signaling("[" * 100_000 + "]" * 100_000)
            await asyncio.sleep(sent + 7.0 - time.monotonic())
            observed["frames_5_to_7_s"] = peer.frames_between(sent + 5.0, sent + 7.0)
            observed["frames_0_to_5_s"] = peer.frames_between(sent, sent + 5.0)
            observed["active_sessions"] = server.active_sessions
            await asyncio.wait_for(server.stop(), 20)
            stopped = True
            after_stop = time.monotonic()
            await asyncio.sleep(3.0)
            observed["frames_1_to_3_s_after_stop"] = peer.frames_between(after_stop + 1.0, after_stop + 3.0)
            observed["peer_end"] = peer.ended_how
        finally:
            await peer.close()
            if not stopped:
                await asyncio.wait_for(server.stop(), 20)

    run(scenario, timeout=50)
    assert observed["frames_5_to_7_s"] == 0, f"video still flows 5 s after the deep frame: {observed}"
    assert observed["active_sessions"] == 0, observed
    assert observed["frames_1_to_3_s_after_stop"] == 0, f"video still flows after server.stop(): {observed}"


# ---------------------------------------------------------------------------------------------- finding 3

JUNK: dict[str, Any] = {
    "60kB-of-x": lambda sdp: "x" * 60_000,
    "not-json": lambda sdp: "{not json",
    "unknown-type": lambda sdp: json.dumps({"type": "nope"}),
    "second-offer": lambda sdp: json.dumps({"type": "offer", "sdp": sdp}),
}


@pytest.mark.parametrize("kind", list(JUNK))
def test_3_protocol_violations_on_signaling_end_the_session(kind: str) -> None:
    """Frames that break the signaling protocol mid-session are violations: a few of them end the session.

    Contract: after 3 violations the server says ``{"type": "bye", "reason": "error"}`` and ends the
    session. This test sends 5 and then only waits. Today every such frame is logged and ignored.
    """
    observed: dict[str, Any] = {}

    async def scenario(server: Server) -> None:
        url, token = server.issue_session()
        peer = RawPeer(url, token)
        try:
            await peer.start()
            await peer.wait_video()
            frame = JUNK[kind](peer.offer_sdp)
            sent = 0
            for _ in range(5):
                if peer.ended or not await peer.send_signaling(frame):
                    break
                sent += 1
            observed["violations_sent"] = sent
            observed["ended"] = await peer.wait_ended(5.0)
            observed["how"] = peer.ended_how
            observed["signals"] = [str(s)[:100] for s in peer.signals]
            observed["sessions_gone"] = observed["ended"] and await wait_until(
                lambda: server.active_sessions == 0, 5.0
            )
        finally:
            await peer.close()

    in_server(scenario)
    assert observed["ended"], f"the session survives 5 protocol violations: {observed}"
    how = observed["how"]
    assert how == "bye error" or how.startswith("signaling socket closed"), f"ended by something else: {observed}"
    assert observed["sessions_gone"], f"the server still counts the session: {observed}"


def test_3_oversized_signaling_frame_closes_the_socket_at_once() -> None:
    """A signaling frame above the limit (128 KiB; here 1 MiB) closes the signaling socket at once.

    Today the server reads 1 MiB frames whole, logs them as junk and goes on.
    """
    observed: dict[str, Any] = {}

    async def scenario(server: Server) -> None:
        url, token = server.issue_session()
        peer = RawPeer(url, token)
        try:
            await peer.start()
            await peer.wait_video()
            sent = time.monotonic()
            await peer.send_signaling("x" * (1 << 20))
            try:
                await asyncio.wait_for(peer.ws.wait_closed(), 2.0)
            except TimeoutError:
                observed["closed_after"] = None
            else:
                observed["closed_after"] = time.monotonic() - sent
            observed["close_code"] = peer.ws.close_code
            observed["sessions_gone"] = observed["closed_after"] is not None and await wait_until(
                lambda: server.active_sessions == 0, 5.0
            )
        finally:
            await peer.close()

    in_server(scenario)
    assert observed["closed_after"] is not None, f"the signaling socket is still open 2 s after 1 MiB: {observed}"
    assert observed["sessions_gone"], f"the server still counts the session: {observed}"


# ---------------------------------------------------------------------------------------------- finding 4


def test_4_answer_advertises_the_data_channel_limit() -> None:
    """The answer's ``a=max-message-size`` is the largest data channel's limit: 262144 for Runway."""
    advertised: list[str] = []

    async def scenario(server: Server) -> None:
        url, token = server.issue_session()
        peer = RawPeer(url, token)
        try:
            await peer.start()
            await peer.wait_video()
            advertised.extend(MAX_MESSAGE_SIZE.findall(peer.answer_sdp))
        finally:
            await peer.close()

    in_server(scenario)
    assert advertised == [str(RUNWAY_MAX_MESSAGE_BYTES)], f"the answer advertises a=max-message-size:{advertised}"


def test_4_oversized_data_channel_message_ends_the_session_quickly() -> None:
    """A peer that ignores max-message-size sends 8 MiB on "/session/data": the session ends within 5 s,
    and the server's event loop stays responsive meanwhile.

    Contract: a message more than twice the advertised limit is cut off mid-reassembly and the session
    ends. Today the server reassembles the whole message, at a cost of minutes of CPU.
    """
    observed: dict[str, Any] = {}

    async def scenario(server: Server) -> None:
        url, token = server.issue_session()
        probe = LagProbe()
        probe.start()
        attacker = Attacker("oversize", url, token, str(8 << 20))
        try:
            ready = await attacker.wait_line("READY", timeout=30)
            assert ready is not None, f"the attacker did not connect:\n{attacker.output()[-3000:]}"
            probe.max_lag = 0.0  # only what follows the send counts
            sent = await attacker.wait_line("SENT", timeout=10)
            assert sent is not None, f"the attacker did not send:\n{attacker.output()[-3000:]}"
            sent_at = float(sent[1][0])
            result = await attacker.wait_line("ENDED", "NOT_ENDED", timeout=sent_at + 8.0 - time.monotonic())
            observed["result"] = result
            observed["ended_after"] = (
                float(result[1][0]) - sent_at if result is not None and result[0] == "ENDED" else None
            )
            await asyncio.sleep(max(0.0, sent_at + 6.0 - time.monotonic()))  # the loop is watched for 6 s at least
            observed["max_lag"] = probe.max_lag
            observed["sessions_gone"] = await wait_until(lambda: server.active_sessions == 0, 1.0)
            observed["attacker_output"] = attacker.output()[-1500:]
        finally:
            await probe.stop()
            await asyncio.to_thread(attacker.stop)

    in_server(scenario)
    ended_after = observed["ended_after"]
    assert ended_after is not None and ended_after <= 5.0, f"the session did not end within 5 s: {observed}"
    assert observed["max_lag"] <= 1.0, f"the server's event loop stalled: {observed}"
    assert observed["sessions_gone"], f"the server still counts the session: {observed}"


# ---------------------------------------------------------------------------------------------- finding 5


def test_5_tokens_appear_in_no_log_record_and_no_error(caplog: pytest.LogCaptureFixture) -> None:
    """Session tokens are secrets: no log record (websockets' DEBUG log included) and no error shows one."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="websockets")
    tokens: list[str] = []
    errors: list[BaseException] = []

    async def scenario(server: Server) -> None:
        url, token = server.issue_session()
        tokens.append(token)
        async with Client(url, token, ice=LOOPBACK) as client:
            video = await client.receive_avatar_video()
            await asyncio.wait_for(video.recv(), 10)
            await client.send_control_message(models.SessionControl(type=models.SessionControlType.MUTE))
        _, spare = server.issue_session()
        tokens.append(spare)
        for bad_url in ("http://127.0.0.1:1/?x=1", "ws://127.0.0.1:1/"):
            with pytest.raises((ConnectError, TokenRejected)) as raised:
                await Client(bad_url, spare, ice=LOOPBACK, connect_timeout=5).connect()
            errors.append(raised.value)

    in_server(scenario)
    assert len(errors) == 2 and all(tokens)
    leaks: list[str] = []
    formatter = logging.Formatter()
    for record in caplog.records:
        text = record.getMessage() + (formatter.formatException(record.exc_info) if record.exc_info else "")
        for token in tokens:
            if token in text:
                leaks.append(f"log record of {record.name!r}: {text.replace(token, '<TOKEN>')[:200]}")
    for error in errors:
        chain: BaseException | None = error
        while chain is not None:
            for token in tokens:
                if token in str(chain):
                    leaks.append(f"{type(chain).__name__}: {str(chain).replace(token, '<TOKEN>')[:200]}")
            chain = chain.__cause__ or chain.__context__
    assert not leaks, "tokens leak:\n" + "\n".join(leaks[:10])


# ---------------------------------------------------------------------------------------------- finding 6


def test_6_admission_control_refuses_sessions_beyond_max_sessions() -> None:
    """``--max-sessions 2``: two sessions stream at full rate, a third is refused (503) until one closes."""
    with MockProcess("--max-sessions", "2") as mock:
        mock.start()
        observed: dict[str, Any] = {}

        async def scenario() -> None:
            issued = [await http_post(mock.http_url) for _ in range(2)]
            assert [answer.status for answer in issued] == [200, 200], issued
            first = Client(issued[0].json()["url"], issued[0].json()["token"], ice=LOOPBACK)
            second = Client(issued[1].json()["url"], issued[1].json()["token"], ice=LOOPBACK)
            async with first, second:
                observed["frames"] = await asyncio.gather(count_video_frames(first, 3.0),
                                                          count_video_frames(second, 3.0))
                third = await http_post(mock.http_url)
                observed["third_post"] = (third.status, third.headers.get("retry-after"))
                try:
                    await Client(mock.signaling_url, mock.token, ice=LOOPBACK, connect_timeout=10).connect()
                except (ConnectError, TokenRejected) as exc:
                    observed["upgrade"] = (type(exc).__name__, str(exc))
                else:
                    observed["upgrade"] = ("accepted", "")
                await first.close()
                answers: list[int] = []

                async def post_until_ok() -> bool:
                    answer = await http_post(mock.http_url)
                    answers.append(answer.status)
                    if answer.status == 200:
                        observed["after_close_token"] = answer.json()
                    return answer.status == 200

                deadline = time.monotonic() + 5.0
                while not await post_until_ok() and time.monotonic() < deadline:
                    await asyncio.sleep(0.1)
                observed["posts_after_close"] = answers
                fresh = observed.get("after_close_token")
                if fresh is not None:
                    async with Client(fresh["url"], fresh["token"], ice=LOOPBACK) as again:
                        await asyncio.wait_for((await again.receive_avatar_video()).recv(), 10)

        try:
            run(scenario, timeout=58)
        finally:
            mock.stop()
    assert all(frames / 3.0 >= 25 for frames in observed["frames"]), f"video too slow: {observed}"
    status, retry_after = observed["third_post"]
    assert status == 503 and retry_after, f"a third POST must answer 503 with Retry-After: {observed}"
    kind, message = observed["upgrade"]
    assert kind == "ConnectError" and "503" in message, f"a third upgrade must be refused with 503: {observed}"
    assert observed["posts_after_close"][-1] == 200, f"no room again after a session closed: {observed}"


# ---------------------------------------------------------------------------------------------- finding 7


def test_7_session_endpoint_requires_the_api_key() -> None:
    """``--api-key``: POST needs ``Authorization: Bearer <key>`` (401 + WWW-Authenticate otherwise)."""
    with MockProcess("--api-key", "s3cret") as mock:
        mock.start()
        observed: dict[str, Any] = {}

        async def scenario() -> None:
            for name, headers in (("none", {}), ("wrong", {"Authorization": "Bearer wrong"}),
                                  ("right", {"Authorization": "Bearer s3cret"})):
                answer = await http_post(mock.http_url, headers)
                observed[name] = (answer.status, answer.headers.get("www-authenticate", ""))
                if name == "right" and answer.status == 200:
                    issued = answer.json()
                    async with Client(issued["url"], issued["token"], ice=LOOPBACK) as client:
                        frame = await asyncio.wait_for((await client.receive_avatar_video()).recv(), 10)
                        observed["frame"] = type(frame).__name__

        try:
            run(scenario, timeout=40)
        finally:
            mock.stop()
        output = mock.output()
    for name in ("none", "wrong"):
        status, challenge = observed[name]
        assert status == 401 and challenge.startswith("Bearer"), f"{name} key: {observed}"
    assert observed["right"][0] == 200 and observed.get("frame") == "VideoFrame", observed
    assert "s3cret" not in output, "the api key appears in the mock's output"
