"""One session of the generated package's web page in headless Chromium, against the generated mock.

Run by test_web_page.py inside a fresh network namespace (`unshare -n`) that has only loopback, so Chromium offers
127.0.0.1 and nothing can leave the machine: `python web_session.py MODE OUT_DIR [SCREENSHOT]`. It drives the
page through the DevTools protocol as a person would (typing, clicks), measures through the page (its
`getStats()` counters and what it shows), and writes OUT_DIR/result.json for the test to judge; it judges nothing
itself. MODE `recorded`: the mock runs in this process, recording what it receives. MODE `cli`: the mock is
`python -m runway_characters.mock --web --api-key ...`, as a person would run it, and the page is given the key.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

GENERATED = Path(__file__).resolve().parents[2] / "generated" / "runway-characters"
sys.path.insert(0, str(GENERATED))

from chromium import DevTools, launch_chromium, stop_chromium
from runway_characters import CloseReason, IceConfig, Server, ServerSession, models
from runway_characters.mock import MockHandler

# A fresh namespace: these ports are free, and nothing else listens.
SIGNALING_PORT, HTTP_PORT, DEVTOOLS_PORT = 8765, 8766, 9222
FPS_WINDOW_MS = 5000
API_KEY = "key-typed-into-the-page"
PAGE_FLAGS = (
    f"--remote-debugging-port={DEVTOOLS_PORT}",
    "--window-size=1366,860",  # a laptop's screen
    "--use-fake-device-for-media-stream",  # the microphone: Chromium's own test tone
    "--use-fake-ui-for-media-stream",  # ... allowed without asking
)

# What the page shows, read from its DOM.
SHOWN = """(() => ({
  connection: document.getElementById("connection").textContent,
  state: document.getElementById("state").textContent,
  session: document.body.dataset.session || null,
  ended: document.getElementById("ended-banner").hidden ? null : document.getElementById("ended-banner").textContent,
  log: [...document.querySelectorAll("#log li")].map(li => li.innerText.replace(/\\s+/g, " ").trim()),
  logKinds: [...document.querySelectorAll("#log li")].map(li => li.className),
  errors: [...document.querySelectorAll("#errors li")].map(li => li.innerText.replace(/\\s+/g, " ").trim()),
  buttons: [...document.querySelectorAll("#controls button")].map(b => ({label: b.textContent, disabled: b.disabled})),
  videoPlaying: (() => { const v = document.getElementById("remote-video");
    return !!v.srcObject && !v.paused && v.readyState >= 2 && v.videoWidth > 0; })(),
  audioPlaying: (() => { const a = document.getElementById("remote-audio"); return !!a.srcObject && !a.paused; })(),
}))()"""

FPS = f"""(async () => {{
  const first = await window.asyncapiPage.stats();
  const start = performance.now();
  await new Promise(resolve => setTimeout(resolve, {FPS_WINDOW_MS}));
  const last = await window.asyncapiPage.stats();
  return {{first, last, ms: performance.now() - start}};
}})()"""


class RecordingMock(MockHandler):
    """The generated mock, also recording what the page sent it and how its session ended."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[str] = []
        self.close_reasons: list[CloseReason] = []

    async def on_control_message(self, session: ServerSession, message: models.SessionControl) -> None:
        self.received.append(message.type.value if hasattr(message.type, "value") else str(message.type))
        await super().on_control_message(session, message)

    async def on_close(self, session: ServerSession, reason: CloseReason) -> None:
        self.close_reasons.append(reason)
        await super().on_close(session, reason)


async def until(page: DevTools, what: str, expression: str, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = await page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"the page never showed {what}")
        await asyncio.sleep(0.1)


async def wait_for(what: str, predicate: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"never happened: {what}")
        await asyncio.sleep(0.05)


async def click(page: DevTools, label: str) -> None:
    # A real click (a user gesture, as a person's), on the control the page labels so.
    found = await page.evaluate(f"""(() => {{
      const button = [...document.querySelectorAll("button")].find(b => b.textContent === {json.dumps(label)});
      if (!button || button.disabled) return false;
      button.click();
      return true;
    }})()""", user_gesture=True)
    if not found:
        raise AssertionError(f"no enabled button {label!r} on the page")


async def session(out: Path, screenshot: Path | None, result: dict[str, Any], mode: str) -> None:
    handlers: list[RecordingMock] = []

    def factory() -> RecordingMock:
        handlers.append(RecordingMock())
        return handlers[-1]

    async with contextlib.AsyncExitStack() as stack:
        server: Server | None = None
        if mode == "recorded":
            ice = IceConfig(host_addresses=("127.0.0.1",))
            server = await stack.enter_async_context(
                Server(factory, host="127.0.0.1", port=SIGNALING_PORT, http_port=HTTP_PORT, ice=ice, web=True))
        else:
            stack.enter_context(mock_process(out / "mock.log"))
        browser = await launch_chromium(f"http://127.0.0.1:{HTTP_PORT}/", out / "profile", out / "chromium.log",
                                        PAGE_FLAGS)
        page: DevTools | None = None
        try:
            page = await DevTools.attach(DEVTOOLS_PORT)
            await until(page, "its script loaded", "document.readyState === 'complete' && !!window.asyncapiPage")
            result["before"] = await page.evaluate(SHOWN)
            if screenshot is not None:
                await page.screenshot(screenshot.with_name(screenshot.stem + "-before.png"))
            if mode == "cli":  # first without the key the mock requires, then with it typed in
                await click(page, "Connect")
                await until(page, "the refusal", "document.body.dataset.session === 'ended'")
                result["refused"] = await page.evaluate(SHOWN)
                await page.evaluate(f"document.getElementById('api-key').value = {json.dumps(API_KEY)}")
                await click(page, "New session")
            else:
                await click(page, "Connect")
            await until(page, "playing video", "document.getElementById('remote-video').videoWidth > 0")
            await until(page, "open controls", "!document.querySelector('#controls button').disabled")
            result["connected"] = await page.evaluate(SHOWN)
            if mode == "recorded":
                result["fps"] = await page.evaluate(FPS)
                await wait_for("the mock decoding the page's audio",
                               lambda: bool(handlers) and handlers[0].frames_received.get("/session/audio", 0) > 0)
            for label, sent in (("Mute", "mute"), ("Unmute", "unmute")):
                await click(page, label)
                if handlers:
                    await wait_for(f"the mock receiving {sent}", lambda sent=sent: sent in handlers[0].received)
            await until(page, "two transcripts", "document.querySelectorAll('#log li.line-event').length >= 2")
            if screenshot is not None:
                await page.screenshot(screenshot)  # after the fps window: it costs the page a frame or two
            result["mid"] = await page.evaluate(SHOWN)
            if handlers:
                result["micFramesAtMock"] = handlers[0].frames_received.get("/session/audio", 0)
            await click(page, "End session")
            await until(page, "the session ended", "document.body.dataset.session === 'ended'")
            if server is not None:
                await wait_for("the server to close its session", lambda: server.active_sessions == 0)
            result["end"] = await page.evaluate(SHOWN)
            if screenshot is not None:
                await page.screenshot(screenshot.with_name(screenshot.stem + "-ended.png"))
            result["endStats"] = await page.evaluate("window.asyncapiPage.stats()")
        finally:
            result["mockReceived"] = handlers[0].received if handlers else []
            result["mockCloseReasons"] = [r.name for r in handlers[0].close_reasons] if handlers else []
            result["mockErrors"] = [repr(e) for e in handlers[0].errors] if handlers else []
            result["sessions"] = len(handlers)
            if page is not None:
                try:
                    result.setdefault("last", await asyncio.wait_for(page.evaluate(SHOWN), 5))
                except Exception as exc:  # noqa: BLE001 - a report of what the page showed, if it still answers
                    result.setdefault("last", f"the page did not answer: {exc!r}")
                await page.close()
            await stop_chromium(browser)


@contextlib.contextmanager
def mock_process(log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m runway_characters.mock --web ...`, started and, at the end, stopped by its pid."""
    command = [sys.executable, "-m", "runway_characters.mock", "--web", "--host", "127.0.0.1",
               "--port", str(SIGNALING_PORT), "--http-port", str(HTTP_PORT), "--api-key", API_KEY]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=GENERATED, stdin=subprocess.DEVNULL, stdout=output,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while "web: http://127.0.0.1:" not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the mock did not start:\n" + log.read_text(errors="replace")[-2000:])
            time.sleep(0.05)
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def main() -> None:
    mode, out = sys.argv[1], Path(sys.argv[2])
    screenshot = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    result: dict[str, Any] = {"ok": False}
    try:
        asyncio.run(asyncio.wait_for(session(out, screenshot, result, mode), 90))
        result["ok"] = True
    except BaseException as exc:  # noqa: BLE001 - reported to the test, which fails with it
        result["error"] = "".join(traceback.format_exception(exc))
    (out / "result.json").write_text(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
