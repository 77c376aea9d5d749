"""A real headless Chromium joins a session with the generated mock, following docs/runtime.md in plain JS.

The page (client.html) and the mock run on 127.0.0.1 in this process. The mock offers only a 127.0.0.1 ICE
candidate and the browser has no STUN server (host candidates only, on this machine's own addresses), so every
ICE pair ends on this machine; Chromium resolves no host name, so nothing else goes out either. The page reports to a tiny HTTP server
here (POST /log while it runs, POST /result at the end), so no browser driver is needed. Chromium is required:
CI installs the Debian package `chromium`; without it this test fails, it is not skipped.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from chromium import find_chromium, launch_chromium, stop_chromium
from runway_characters import CloseReason, IceConfig, Server, ServerSession
from runway_characters.mock import MockHandler

LOOPBACK = IceConfig(host_addresses=("127.0.0.1",))
PAGE = Path(__file__).with_name("client.html")
RESULT_TIMEOUT = 25.0


class PageServer:
    """Serves client.html on 127.0.0.1 and collects what the page POSTs (/log lines, then /result)."""

    def __init__(self) -> None:
        self.logs: list[str] = []
        self.result: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def url(self, signal_url: str, token: str) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/client.html?" + urlencode({"signal": signal_url, "token": token})

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            request_line, *header_lines = head.decode("latin-1").split("\r\n")
            method, target, _ = request_line.split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines if h)}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            path = target.split("?", 1)[0]
            if method == "GET" and path == "/client.html":
                await self._respond(writer, 200, PAGE.read_bytes(), "text/html; charset=utf-8")
            elif method == "POST" and path == "/log":
                entry = json.loads(body)
                self.logs.append(f"[{entry['t']} ms] {entry['text']}")
                await self._respond(writer, 204, b"")
            elif method == "POST" and path == "/result":
                if not self.result.done():
                    self.result.set_result(json.loads(body))
                await self._respond(writer, 204, b"")
            else:  # /favicon.ico and anything else
                await self._respond(writer, 404, b"")
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except ConnectionError:
                pass

    @staticmethod
    async def _respond(writer: asyncio.StreamWriter, status: int, body: bytes, content_type: str = "") -> None:
        reason = {200: "OK", 204: "No Content", 404: "Not Found"}[status]
        head = f"HTTP/1.1 {status} {reason}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
        if content_type:
            head += f"Content-Type: {content_type}\r\nCache-Control: no-store\r\n"
        writer.write(head.encode() + b"\r\n" + body)
        await writer.drain()


async def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


def run(coro_factory: Callable[[], Awaitable[None]], timeout: float) -> None:
    async def bounded() -> None:
        await asyncio.wait_for(coro_factory(), timeout)
        await asyncio.sleep(0)
        leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
        assert not leftover, f"tasks left running: {leftover}"

    asyncio.run(bounded())


class RecordingMock(MockHandler):
    """The generated mock, also recording how its session ended."""

    def __init__(self) -> None:
        super().__init__()
        self.close_reasons: list[CloseReason] = []

    async def on_close(self, session: ServerSession, reason: CloseReason) -> None:
        self.close_reasons.append(reason)
        await super().on_close(session, reason)


def test_chromium_joins_a_session_with_the_generated_mock(tmp_path: Path) -> None:
    find_chromium()  # fail at once, with the message, when there is no browser
    handlers: list[RecordingMock] = []
    report: dict[str, Any] = {}
    logs: list[str] = []

    def factory() -> RecordingMock:
        handlers.append(RecordingMock())
        return handlers[-1]

    async def scenario() -> None:
        async with Server(factory, ice=LOOPBACK) as server:
            page = PageServer()
            await page.start()
            url, token = server.issue_session()
            browser_log = tmp_path / "chromium.log"
            browser = await launch_chromium(page.url(url, token), tmp_path / "profile", browser_log)
            try:
                try:
                    report.update(await asyncio.wait_for(page.result, RESULT_TIMEOUT))
                except TimeoutError:
                    tail = browser_log.read_text(errors="replace")[-3000:]
                    pytest.fail(
                        f"the page sent no result within {RESULT_TIMEOUT:.0f} s\npage log:\n"
                        + "\n".join(page.logs)
                        + f"\nchromium output (tail):\n{tail}"
                    )
                finally:
                    logs.extend(page.logs)
            finally:
                await stop_chromium(browser)
                await page.stop()
            await wait_until(lambda: server.active_sessions == 0)

    run(scenario, timeout=40)

    context = "page log:\n" + "\n".join(logs) + "\nreport: " + json.dumps(report, indent=1)[:4000]
    assert report.get("ok"), f"the page failed: {report.get('error')}\n{context}"
    result = report["result"]
    # Loopback only: the mock offers 127.0.0.1 alone and the browser (no STUN) only host candidates, so the pair
    # in use ends at 127.0.0.1. Chromium offers 127.0.0.1 itself only on a machine with no other interface; its
    # candidates are this machine's own addresses, which the kernel routes over loopback too.
    assert result["answerCandidates"], context
    assert all(" 127.0.0.1 " in line for line in result["answerCandidates"]), context
    assert all(" typ host" in line for line in result["candidates"]), context
    assert result.get("selectedPair", {}).get("remote", "").startswith("127.0.0.1:"), context
    # Media both ways.
    assert len(handlers) == 1, context
    mock = handlers[0]
    assert mock.frames_received.get("/session/audio", 0) > 0, f"the mock decoded no audio from the browser\n{context}"
    assert result["framesDecoded"] > 0, f"the browser decoded no avatar video\n{context}"
    assert result["videoFrameCallbacks"] > 0, f"no avatar video frame was presented\n{context}"
    assert result["audioPacketsReceived"] > 0, f"the browser received no avatar audio\n{context}"
    assert (result["videoCodec"] or "").lower() == "video/vp8", context
    assert (result["audioCodec"] or "").lower() == "audio/opus", context
    # Typed replies on the data channel, and nothing the mock found invalid.
    assert "session_state" in result["types"], context
    assert "transcript" in result["types"], context
    assert mock.errors == [], f"the mock saw wire errors: {mock.errors}\n{context}"
    # Closed on both sides: the browser's bye ended the mock's session, which closed the data channel and socket.
    assert mock.close_reasons == [CloseReason.REMOTE_BYE], context
    assert result["wsClose"] is not None, f"the server did not close the signaling socket\n{context}"
    assert result["dataChannelClosed"], f"the server did not close the data channel\n{context}"
    assert "closeError" not in result, context
