"""A throwaway redis-server for tests: ``with running_redis() as url: ...``.

The server is a child process on a free loopback port, with no persistence and its files in a
temporary directory; it is stopped by its pid when the block ends. Without redis-server the
test fails (it is never skipped): Debian installs it with ``apt-get install redis-server``, and
``.ci/install-test-deps`` does.
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

__all__ = ["find_redis_server", "running_redis"]

START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0


def find_redis_server() -> str:
    """The redis-server program; fails the test when there is none."""
    path = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(path).is_file():
        pytest.fail(
            "redis-server not found: this test needs a real Redis "
            "(Debian: `apt-get install -y redis-server`; .ci/install-test-deps installs it)",
            pytrace=False,
        )
    return path


@contextmanager
def running_redis(*options: str) -> Iterator[str]:
    """Start redis-server on 127.0.0.1 and yield its URL (``redis://127.0.0.1:<port>/0``).

    ``options`` are more redis-server arguments, say ``"--requirepass", "secret"``.
    """
    program = find_redis_server()
    with tempfile.TemporaryDirectory(prefix="redis-test-") as directory:
        for _attempt in range(3):
            port = _free_port()
            log = Path(directory) / "redis.log"
            with log.open("wb") as output:
                process = subprocess.Popen(
                    [program, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
                    + ["--dir", directory, "--daemonize", "no", *options],
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            try:
                if _answers_ping(port, process):
                    yield f"redis://127.0.0.1:{port}/0"
                    return
            finally:
                _stop(process)
        pytest.fail(f"redis-server did not start; its last log:\n{log.read_text(errors='replace')[-2000:]}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _answers_ping(port: int, process: subprocess.Popen[bytes]) -> bool:
    """Wait until the server answers PING (or asks for a password first); False when it exits first."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0) as connection:
                connection.sendall(b"PING\r\n")
                if connection.recv(64).startswith((b"+PONG", b"-NOAUTH")):
                    return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
