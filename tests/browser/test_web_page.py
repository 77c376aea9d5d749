"""The generated package's web page runs a whole session in a real headless Chromium, against the generated mock.

web_session.py runs the mock (in process, recording what it receives) and Chromium in a fresh network namespace
with only loopback (`unshare -n`, as root), opens `http://127.0.0.1:8766/` as served by the mock's `--web`, clicks
Connect, Mute, Unmute and End session as a person would, and reports what the page measured and showed. The
browser's microphone is Chromium's fake device. A screenshot of the page mid-session is written to
tests/artifacts/web-page.png (not committed). Chromium is required: CI installs the Debian package `chromium`;
without it this test fails, it is not skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from chromium import find_chromium

HERE = Path(__file__).resolve().parent
SCREENSHOT = HERE.parents[0] / "artifacts" / "web-page.png"
MIN_FPS = 25.0


def run_session(mode: str, out: Path, screenshot: Path | None = None) -> dict[str, Any]:
    find_chromium()
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.fail("this test runs Chromium in its own network namespace: it needs root, `unshare` (util-linux) "
                    "and `ip` (iproute2)")
    command = ["unshare", "-n", "--", sys.executable, str(HERE / "web_session.py"), mode, str(out)]
    if screenshot is not None:
        screenshot.unlink(missing_ok=True)
        command.append(str(screenshot))
    done = subprocess.run(command, cwd=HERE, capture_output=True, text=True, timeout=150, check=False)
    report = out / "result.json"
    if not report.exists():
        pytest.fail(f"the session wrote no report (exit {done.returncode})\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(report.read_text())
    result["chromiumLog"] = (out / "chromium.log").read_text(errors="replace")[-2000:]
    return result


def test_the_web_page_runs_a_session_with_the_mock_in_chromium(tmp_path: Path) -> None:
    result = run_session("recorded", tmp_path, SCREENSHOT)
    context = json.dumps({k: v for k, v in result.items() if k != "chromiumLog"}, indent=1)[:6000]
    assert result["ok"], f"the session failed:\n{result.get('error')}\n{context}\n{result['chromiumLog']}"

    # Before connecting: one button per value of the control message's type, waiting for a session.
    labels = [button["label"] for button in result["before"]["buttons"]]
    assert labels == ["Mute", "Unmute", "End session"], context
    assert all(button["disabled"] for button in result["before"]["buttons"]), context

    # Connected: the avatar's video plays, its audio plays, the states are shown as they arrive.
    connected = result["connected"]
    assert connected["connection"] == "Connected", context
    assert connected["videoPlaying"] and connected["audioPlaying"], context
    assert connected["log"][:2] and "connecting" in connected["log"][0] and "connected" in connected["log"][1], context

    # Media, measured through the page: VP8 at >= 25 fps over 5 s, Opus both ways.
    fps = result["fps"]
    rate = (fps["last"]["framesDecoded"] - fps["first"]["framesDecoded"]) * 1000 / fps["ms"]
    assert fps["ms"] >= 4900, context
    assert rate >= MIN_FPS, f"the page decoded {rate:.1f} frames/s of the avatar's video\n{context}"
    assert fps["last"]["videoCodec"].lower() == "video/vp8", context
    assert fps["last"]["audioCodec"].lower() == "audio/opus", context
    assert fps["last"]["audioPacketsReceived"] - fps["first"]["audioPacketsReceived"] >= 150, context  # 20 ms each
    assert fps["last"]["audioPacketsSent"] >= 150, context
    assert result["micFramesAtMock"] > 100, f"the mock decoded too little of the page's microphone\n{context}"

    # Mid-session: each click sent its message, each answered with a state and a transcript, shown in order.
    mid = result["mid"]
    assert [line.split(" ", 1)[1] for line in mid["log"] if " sent " in f" {line} "] == ["sent Mute", "sent Unmute"]
    transcripts = [line for line in mid["log"] if "Transcript Event" in line]
    assert len(transcripts) == 2 and all("role: user" in line for line in transcripts), context
    assert mid["state"] in ("listening", "thinking", "speaking"), context
    assert mid["errors"] == [], context
    assert SCREENSHOT.stat().st_size > 10_000, "no screenshot of the page was saved"

    # End session: the message went, the mock said "ended" and hung up; the page shows that it ended.
    assert result["mockReceived"] == ["mute", "unmute", "end_session"], context
    assert result["mockErrors"] == [], context
    assert result["mockCloseReasons"] == ["LOCAL"], context
    end = result["end"]
    assert end["state"] == "ended" and end["connection"] == "Ended", context
    assert end["ended"] == "Session ended · The server ended the session", context
    assert not end["videoPlaying"] and all(button["disabled"] for button in end["buttons"]), context
    assert result["endStats"]["connectionState"] == "closed", context
    assert result["sessions"] == 1, context


def test_the_mock_command_with_web_serves_a_page_that_runs_a_session(tmp_path: Path) -> None:
    """`python -m runway_characters.mock --web --api-key KEY`: the page, given the key, connects, plays the video,
    shows states and transcripts, and ends the session on End session."""
    result = run_session("cli", tmp_path)
    mock_log = (tmp_path / "mock.log").read_text(errors="replace")
    context = json.dumps({k: v for k, v in result.items() if k != "chromiumLog"}, indent=1)[:5000] + "\n" + mock_log
    assert result["ok"], f"the session failed:\n{result.get('error')}\n{context}\n{result['chromiumLog']}"
    assert "web: http://127.0.0.1:8766/" in mock_log, context
    assert [button["label"] for button in result["before"]["buttons"]] == ["Mute", "Unmute", "End session"]
    refused = result["refused"]
    assert len(refused["errors"]) == 1 and "wants an API key (401)" in refused["errors"][0], context
    assert refused["ended"] == "Session ended · It could not connect", context
    assert result["connected"]["videoPlaying"] and result["connected"]["connection"] == "Connected", context
    assert any("Session State Event connected" in line for line in result["connected"]["log"]), context
    assert sum("Transcript Event" in line for line in result["mid"]["log"]) == 2, context
    end = result["end"]
    assert end["state"] == "ended" and end["ended"] == "Session ended · The server ended the session", context
    assert end["log"][-2].endswith("sent End session") and end["log"][-1].endswith("ended"), context
