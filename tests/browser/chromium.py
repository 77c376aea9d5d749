"""Headless Chromium for the browser tests: its flags, launching and stopping it, and a small DevTools client.

Chromium is required: CI installs the Debian package `chromium`; without it these tests fail, they are not
skipped.
"""

from __future__ import annotations

import asyncio
import base64
import ctypes
import itertools
import json
import os
import shutil
import signal
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--no-pings",
    "--mute-audio",
    # Nothing leaves the machine: every host name except 127.0.0.1 fails to resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    # WebRTC on loopback: offer real host candidates (no mDNS names), including 127.0.0.1.
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--allow-loopback-in-peer-connection",
    # The page's AudioContext (the tone it sends) must run without a user gesture.
    "--autoplay-policy=no-user-gesture-required",
)


def find_chromium() -> str:
    candidates = [os.environ.get("CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome"]
    for name in candidates:
        path = shutil.which(name) if name else None
        if path:
            return path
    pytest.fail(
        "Chromium not found: this test needs a headless Chromium (Debian: `apt-get install -y chromium`), "
        "or CHROMIUM=/path/to/chrome"
    )


def _die_with_parent() -> None:
    # Should the test's process be killed, the browser goes too (it then ends its own zygote and renderers).
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


async def launch_chromium(
    url: str, profile: Path, log: Path, extra_flags: tuple[str, ...] = ()
) -> asyncio.subprocess.Process:
    with log.open("wb") as stderr:
        return await asyncio.create_subprocess_exec(
            find_chromium(),
            *CHROMIUM_FLAGS,
            *extra_flags,
            f"--user-data-dir={profile}",
            url,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=stderr,
            stderr=stderr,
            start_new_session=True,  # its own process group: the browser, its zygote and renderers end together
            preexec_fn=_die_with_parent,
        )


async def stop_chromium(process: asyncio.subprocess.Process) -> None:
    # SIGTERM to the browser alone lets it end and reap its zygote and renderers; then SIGKILL whatever of its
    # process group is left (all of it, if the browser did not end in time).
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 5.0)
        except TimeoutError:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    await process.wait()


class PageError(Exception):
    """A script evaluated in the page threw."""


class DevTools:
    """The Chrome DevTools Protocol on one page: evaluate script, take screenshots. One call at a time."""

    def __init__(self, socket: ClientConnection) -> None:
        self._socket = socket
        self._ids = itertools.count(1)

    @classmethod
    async def attach(cls, port: int, timeout: float = 15.0) -> DevTools:
        """Connect to the first page of the browser whose DevTools listen on 127.0.0.1:port."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                targets = await asyncio.to_thread(_targets, port)
                page = next(t for t in targets if t.get("type") == "page")
                break
            except (OSError, StopIteration, ValueError):
                if loop.time() > deadline:
                    raise
                await asyncio.sleep(0.2)
        socket = await connect(page["webSocketDebuggerUrl"], max_size=64 * 1024 * 1024)
        return cls(socket)

    async def close(self) -> None:
        await self._socket.close()

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self._ids)
        await self._socket.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            reply = json.loads(await self._socket.recv())
            if reply.get("id") == call_id:
                if "error" in reply:
                    raise PageError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result

    async def evaluate(self, expression: str, *, user_gesture: bool = False) -> Any:
        """The value of expression in the page (a promise is awaited), as JSON data."""
        result = await self.call("Runtime.evaluate", expression=expression, awaitPromise=True,
                                 returnByValue=True, userGesture=user_gesture)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise PageError(details.get("exception", {}).get("description") or details.get("text"))
        return result["result"].get("value")

    async def screenshot(self, path: Path) -> None:
        shot = await self.call("Page.captureScreenshot", format="png")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))


async def devtools_port(profile: Path, timeout: float = 15.0) -> int:
    """The port of a browser started with `--remote-debugging-port=0` and `--user-data-dir=profile`."""
    deadline = asyncio.get_running_loop().time() + timeout
    active = profile / "DevToolsActivePort"
    while not active.exists() or not active.read_text().strip():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("Chromium did not open its DevTools port")
        await asyncio.sleep(0.1)
    return int(active.read_text().split()[0])


def _targets(port: int) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as response:
        targets: list[dict[str, Any]] = json.loads(response.read())
        return targets
