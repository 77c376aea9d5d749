# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""A minimal HTTP/1.1 listener for ``POST <session_endpoint>``: it hands out a session URL and token.

websockets' HTTP parser only accepts GET upgrades, so this small separate listener answers the
one POST route; every response is complete (Content-Length) and closes the connection.

- 200 ``{"url": ..., "token": ...}``: where the new session goes (this process, or another of
  its pool);
- 503 with ``Retry-After`` when no server has room;
- 401 with ``WWW-Authenticate: Bearer`` when an API key is required and the request does not
  carry it as ``Authorization: Bearer <key>`` (compared in constant time, never logged).

Given ``web`` files (a generated package's page, see ``web_files``), it also answers ``GET`` of
exactly those paths, under ``WEB_CSP``; every other path stays 404.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from ..core.admission import Placement

__all__ = ["RETRY_AFTER_SECONDS", "WEB_CSP", "SessionEndpoint", "WebFile", "web_files"]

#: What a full server's 503 asks clients to wait before they try again.
RETRY_AFTER_SECONDS = 5

logger = logging.getLogger(__name__)

#: The Content-Security-Policy of every web file: scripts and styles only from this origin (no
#: inline script runs, so no string a page shows can become code); it may fetch and open
#: sockets anywhere (the servers a user types in).
WEB_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob: mediastream:; connect-src 'self' http: https: ws: wss:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}


@dataclass(frozen=True)
class WebFile:
    """A file served at a fixed path of the HTTP port."""

    content_type: str
    body: bytes


def web_files(folder: Path) -> dict[str, WebFile]:
    """The files of ``folder`` by the path they are served at: ``index.html`` at ``/``, others by name.

    Read once, here: the endpoint serves this mapping and never touches the file system.
    """
    files: dict[str, WebFile] = {}
    for entry in sorted(folder.iterdir()):
        content_type = _CONTENT_TYPES.get(entry.suffix)
        if entry.is_file() and content_type is not None:
            path = "/" if entry.name == "index.html" else "/" + entry.name
            files[path] = WebFile(content_type, entry.read_bytes())
    return files


_MAX_HEAD_BYTES = 16 * 1024
_MAX_BODY_BYTES = 64 * 1024
_READ_TIMEOUT = 10.0


class SessionEndpoint:
    """Serves ``POST path`` → ``{"url": ..., "token": ...}`` from ``place_session`` (and ``GET`` of ``web``)."""

    def __init__(
        self,
        path: str,
        place_session: Callable[[], Awaitable[Placement | None]],
        *,
        api_key: str | None = None,
        web: Mapping[str, WebFile] | None = None,
    ) -> None:
        self._path = path
        self._place_session = place_session
        self._api_key = api_key
        self._web = dict(web or {})
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    async def start(self, host: str, port: int) -> None:
        """Listen on ``host:port`` (0: any free port)."""
        # The reader's limit bounds the request head: readuntil() refuses to buffer more.
        self._server = await asyncio.start_server(
            self._handle, host, port, limit=_MAX_HEAD_BYTES
        )

    @property
    def path(self) -> str:
        """The one route served."""
        return self._path

    @property
    def port(self) -> int:
        """The port actually bound."""
        assert self._server is not None, "start() first"
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def stop(self) -> None:
        """Stop listening and end the requests in progress."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for handler in list(self._handlers):
            handler.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        # asyncio.Server (3.11) does not track its handler tasks, so stop() needs them listed here.
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            status, body, extra = await asyncio.wait_for(
                self._respond(reader), _READ_TIMEOUT
            )
        except (asyncio.LimitOverrunError, ValueError):
            status, body, extra = (
                HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                _error("headers too large"),
                {},
            )
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            status, body, extra = HTTPStatus.BAD_REQUEST, _error("bad request"), {}
        try:
            writer.write(_response(status, body, extra))
            with contextlib.suppress(ConnectionError):
                await writer.drain()
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
            self._handlers.discard(task)

    async def _respond(
        self, reader: asyncio.StreamReader
    ) -> tuple[HTTPStatus, bytes, dict[str, str]]:
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        parts = request_line.split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            return HTTPStatus.BAD_REQUEST, _error("bad request line"), {}
        method, target, _ = parts
        headers = _parse_headers(header_lines)
        length = headers.get("content-length", "0")
        if (
            not length.isdigit()
            or int(length) > _MAX_BODY_BYTES
            or "transfer-encoding" in headers
        ):
            return HTTPStatus.BAD_REQUEST, _error("unsupported request body"), {}
        await reader.readexactly(int(length))  # the request body carries nothing we use
        path = urlsplit(target).path
        if path in self._web and path != self._path:
            return _web_response(method, self._web[path])
        if path != self._path:
            return HTTPStatus.NOT_FOUND, _error("not found"), {}
        if method != "POST":
            return HTTPStatus.METHOD_NOT_ALLOWED, _error("use POST"), {"Allow": "POST"}
        if not self._authorized(headers.get("authorization", "")):
            return (
                HTTPStatus.UNAUTHORIZED,
                _error("an API key is required: Authorization: Bearer <key>"),
                {"WWW-Authenticate": "Bearer"},
            )
        placement = await self._place_session()
        if placement is None:
            return (
                HTTPStatus.SERVICE_UNAVAILABLE,
                _error("no server has room for another session; try again later"),
                {"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        return (
            HTTPStatus.OK,
            json.dumps({"url": placement.url, "token": placement.token}).encode(),
            {"Cache-Control": "no-store"},
        )

    def _authorized(self, authorization: str) -> bool:
        if self._api_key is None:
            return True
        scheme, _, key = authorization.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            key.strip().encode(), self._api_key.encode()
        )


def _parse_headers(lines: list[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in lines:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return headers


def _web_response(
    method: str, file: WebFile
) -> tuple[HTTPStatus, bytes, dict[str, str]]:
    if method not in ("GET", "HEAD"):
        return HTTPStatus.METHOD_NOT_ALLOWED, _error("use GET"), {"Allow": "GET, HEAD"}
    headers = {
        "Content-Type": file.content_type,
        "Content-Security-Policy": WEB_CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
    if method == "HEAD":
        headers["Content-Length"] = str(len(file.body))
        return HTTPStatus.OK, b"", headers
    return HTTPStatus.OK, file.body, headers


def _error(message: str) -> bytes:
    return json.dumps({"error": message}).encode()


def _response(status: HTTPStatus, body: bytes, extra: dict[str, str]) -> bytes:
    headers = {
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "Connection": "close",
        **extra,
    }
    lines = [
        f"HTTP/1.1 {status.value} {status.phrase}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
