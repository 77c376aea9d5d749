"""The optional HTTP endpoint: POST hands out a signaling URL and a working one-use token."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from asyncapi_gen.runtime.webrtc import WebRTCClientSession, WebRTCServer, web_files
from asyncapi_gen.runtime.websocket.endpoint import WEB_CSP
from rt_support import DATA, LOOPBACK, Recorder, SessionControl, data_channel, run, within


async def http(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """One raw HTTP/1.1 exchange; the server closes the connection after answering."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    response = await within(reader.read())
    writer.close()
    await writer.wait_closed()
    head, _, body = response.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return int(status_line.split(" ")[1]), headers, body


def test_post_returns_a_url_and_token_that_open_a_session() -> None:
    async def scenario() -> None:
        recorder = Recorder()
        channels = [data_channel()]
        async with WebRTCServer(channels, recorder, ice=LOOPBACK, http_port=0) as server:
            assert server.http_url is not None and server.http_url.endswith("/sessions")
            port = int(server.http_url.split(":")[2].split("/")[0])
            request = b"POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
            status, headers, body = await http(port, request)
            assert status == 200
            assert headers["content-type"] == "application/json"
            assert headers["connection"] == "close"
            assert int(headers["content-length"]) == len(body)
            session = json.loads(body)
            assert session["url"] == server.url
            async with WebRTCClientSession(session["url"], session["token"], channels, ice=LOOPBACK) as client:
                await client.send(DATA, SessionControl(type="mute"))
                assert await within(recorder.handlers[0].messages.get()) == (DATA, SessionControl(type="mute"))

    run(scenario)


def test_other_paths_and_methods_are_refused() -> None:
    async def scenario() -> None:
        channels = [data_channel()]
        endpoint = "/v1/realtime_sessions"
        async with WebRTCServer(channels, Recorder(), ice=LOOPBACK, http_port=0, session_endpoint=endpoint) as server:
            assert server.http_url is not None and server.http_url.endswith(endpoint)
            port = int(server.http_url.split(":")[2].split("/")[0])
            status, headers, _ = await http(port, b"GET /v1/realtime_sessions HTTP/1.1\r\nHost: x\r\n\r\n")
            assert status == 405 and headers["allow"] == "POST"
            status, _, _ = await http(port, b"POST /elsewhere HTTP/1.1\r\nHost: x\r\n\r\n")
            assert status == 404
            status, _, _ = await http(port, b"POST /sessions HTTP/1.1\r\nHost: x\r\n\r\n")
            assert status == 404  # the default path is not served when another is given
            status, _, _ = await http(port, b"nonsense\r\n\r\n")
            assert status == 400
            assert server.tokens.redeem("anything") is False

    run(scenario)


def test_no_http_endpoint_unless_asked() -> None:
    async def scenario() -> None:
        async with WebRTCServer([data_channel()], Recorder(), ice=LOOPBACK) as server:
            assert server.http_url is None

    run(scenario)


def test_web_files_are_served_at_their_paths_only_when_given(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><p>page</p>")
    (tmp_path / "app.js").write_text("console.log(1)")
    (tmp_path / "notes.txt").write_text("not a web file")  # no known content type: not served
    files = web_files(tmp_path)
    assert sorted(files) == ["/", "/app.js"]

    async def scenario() -> None:
        channels = [data_channel()]
        async with WebRTCServer(channels, Recorder(), ice=LOOPBACK, http_port=0, web=files) as server:
            assert server.http_url is not None
            port = int(server.http_url.split(":")[2].split("/")[0])
            status, headers, body = await http(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert (status, body) == (200, b"<!doctype html><p>page</p>")
            assert headers["content-type"] == "text/html; charset=utf-8"
            assert headers["content-security-policy"] == WEB_CSP and "script-src 'self';" in WEB_CSP
            assert headers["x-content-type-options"] == "nosniff"
            status, headers, body = await http(port, b"GET /app.js?v=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            assert (status, headers["content-type"], body) == (200, "text/javascript; charset=utf-8", b"console.log(1)")
            status, headers, body = await http(port, b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert (status, body, headers["content-length"]) == (200, b"", str(len(files["/"].body)))
            for request in (b"GET /notes.txt", b"GET /../index.html", b"GET /index.html", b"GET /style.css"):
                status, _, _ = await http(port, request + b" HTTP/1.1\r\nHost: x\r\n\r\n")
                assert status == 404, request
            status, headers, _ = await http(port, b"POST / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert status == 405 and headers["allow"] == "GET, HEAD"
            status, _, body = await http(port, b"POST /sessions HTTP/1.1\r\nHost: x\r\n\r\n")
            assert status == 200 and "token" in json.loads(body)  # the endpoint itself is unchanged
        async with WebRTCServer(channels, Recorder(), ice=LOOPBACK, http_port=0) as server:
            assert server.http_url is not None
            port = int(server.http_url.split(":")[2].split("/")[0])
            status, _, _ = await http(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert status == 404  # no page unless given one

    run(scenario)
