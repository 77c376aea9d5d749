"""Throwaway brokers for tests: ``with running_mosquitto() as url: ...``.

Each broker is a child process on a free loopback port, with its files in a temporary directory
and no persistence; it is stopped by its pid when the block ends. Without the program the test
fails (it is never skipped), saying which Debian package installs it; ``.ci/install-test-deps``
installs them all.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

__all__ = ["find_program", "free_port", "running_mosquitto", "stop"]

START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0


def find_program(name: str, package: str, *fallbacks: str) -> str:
    """The broker program ``name``; fails the test, naming the Debian ``package``, when there is none."""
    for candidate in (shutil.which(name), *fallbacks):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail(
        f"{name} not found: this test needs a real broker "
        f"(Debian: `apt-get install -y {package}`; .ci/install-test-deps installs it)",
        pytrace=False,
    )


@contextmanager
def running_mosquitto() -> Iterator[str]:
    """Start mosquitto on 127.0.0.1 (anonymous, no persistence) and yield ``mqtt://127.0.0.1:<port>``."""
    program = find_program("mosquitto", "mosquitto", "/usr/sbin/mosquitto")
    with tempfile.TemporaryDirectory(prefix="mosquitto-test-") as directory:
        log = Path(directory) / "mosquitto.log"
        for _attempt in range(3):
            port = free_port()
            config = Path(directory) / "mosquitto.conf"
            config.write_text(
                f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                f"log_dest stdout\n"
            )
            with log.open("wb") as output:
                process = subprocess.Popen(
                    [program, "-c", str(config)],
                    stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, cwd=directory,
                )
            try:
                if _accepts(port, process):
                    yield f"mqtt://127.0.0.1:{port}"
                    return
            finally:
                stop(process)
        pytest.fail(f"mosquitto did not start; its last log:\n{log.read_text(errors='replace')[-2000:]}")


def free_port() -> int:
    """A port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _accepts(port: int, process: subprocess.Popen[bytes]) -> bool:
    """Wait until the port accepts a connection; False when the process exits first."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop ``process`` by its pid: terminate, then kill after ``STOP_TIMEOUT``."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
