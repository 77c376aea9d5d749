"""Throwaway brokers for tests: ``with running_mosquitto() as url: ...``.

Each broker is a child process on a free loopback port, with its files in a temporary directory
and no persistence; it is stopped by its pid when the block ends. Without the program the test
fails (it is never skipped), saying which Debian package installs it; ``.ci/install-test-deps``
installs them all.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

__all__ = ["RabbitMQ", "find_program", "free_port", "running_mosquitto", "running_nats", "running_rabbitmq", "running_redis",
           "stop"]

START_TIMEOUT = 10.0
RABBITMQ_START_TIMEOUT = 60.0  # RabbitMQ boots an Erlang node: about 9 s here
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
def running_mosquitto(port: int | None = None) -> Iterator[str]:
    """Start mosquitto on 127.0.0.1 (anonymous, no persistence) and yield ``mqtt://127.0.0.1:<port>``.

    ``port`` pins the port (to restart a broker where its clients were); by default any free one.
    """
    program = find_program("mosquitto", "mosquitto", "/usr/sbin/mosquitto")
    with tempfile.TemporaryDirectory(prefix="mosquitto-test-") as directory:
        log = Path(directory) / "mosquitto.log"
        for _attempt in range(3):
            chosen = port or free_port()
            config = Path(directory) / "mosquitto.conf"
            config.write_text(
                f"listener {chosen} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                f"log_dest stdout\n"
            )
            with log.open("wb") as output:
                process = subprocess.Popen(
                    [program, "-c", str(config)],
                    stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, cwd=directory,
                )
            try:
                if _accepts(chosen, process):
                    yield f"mqtt://127.0.0.1:{chosen}"
                    return
            finally:
                stop(process)
        pytest.fail(f"mosquitto did not start; its last log:\n{log.read_text(errors='replace')[-2000:]}")


@contextmanager
def running_nats(port: int | None = None) -> Iterator[str]:
    """Start nats-server on 127.0.0.1 (no JetStream, its files in a temporary directory) and yield
    ``nats://127.0.0.1:<port>``; ``port`` pins the port (to restart a server where its clients were)."""
    program = find_program("nats-server", "nats-server", "/usr/sbin/nats-server")
    with tempfile.TemporaryDirectory(prefix="nats-test-") as directory:
        log = Path(directory) / "nats.log"
        for _attempt in range(3):
            chosen = port or free_port()
            with log.open("wb") as output:
                process = subprocess.Popen(
                    [program, "-a", "127.0.0.1", "-p", str(chosen), "--pid",
                     str(Path(directory) / "nats.pid")],
                    stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, cwd=directory,
                )
            try:
                if _accepts(chosen, process):
                    yield f"nats://127.0.0.1:{chosen}"
                    return
            finally:
                stop(process)
        pytest.fail(f"nats-server did not start; its last log:\n{log.read_text(errors='replace')[-2000:]}")


@contextmanager
def running_redis(port: int | None = None) -> Iterator[str]:
    """Start redis-server on 127.0.0.1 (no persistence, its files in a temporary directory) and yield
    ``redis://127.0.0.1:<port>/0``; ``port`` pins the port (to restart a server where its clients were).

    (tests/redis_server.py starts one for the pool tests too; this one takes the brokers' shape and a pinned port.)
    """
    program = find_program("redis-server", "redis-server", "/usr/bin/redis-server")
    with tempfile.TemporaryDirectory(prefix="redis-test-") as directory:
        log = Path(directory) / "redis.log"
        for _attempt in range(3):
            chosen = port or free_port()
            with log.open("wb") as output:
                process = subprocess.Popen(
                    [program, "--port", str(chosen), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                     "--dir", directory, "--daemonize", "no"],
                    stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, cwd=directory,
                )
            try:
                if _accepts(chosen, process):
                    yield f"redis://127.0.0.1:{chosen}/0"
                    return
            finally:
                stop(process)
        pytest.fail(f"redis-server did not start; its last log:\n{log.read_text(errors='replace')[-2000:]}")


def free_port() -> int:
    """A port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _accepts(port: int, process: subprocess.Popen[bytes], timeout: float = START_TIMEOUT) -> bool:
    """Wait until the port accepts a connection; False when the process exits first."""
    deadline = time.monotonic() + timeout
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


class RabbitMQ:
    """A RabbitMQ node of its own: its ports, node name, database and logs all private, restartable in place.

    ``/usr/lib/rabbitmq/bin/rabbitmq-server`` runs with ``RABBITMQ_*`` and ``ERL_EPMD_PORT`` pointing at a
    throwaway directory and free ports, so it shares nothing with a system RabbitMQ; ``stop`` ends the node by its
    pid and its epmd with ``epmd -kill`` on the same ``ERL_EPMD_PORT``. Its database survives a ``stop``/``start``
    (durable queues and persistent messages with it), as a real broker restart would.
    """

    PROGRAM = "/usr/lib/rabbitmq/bin/rabbitmq-server"

    def __init__(self, directory: Path) -> None:
        find_program("rabbitmq-server", "rabbitmq-server", self.PROGRAM)
        self.directory = directory
        self.port = free_port()
        self.epmd_port = free_port()
        self.dist_port = free_port()
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}/"
        self._process: subprocess.Popen[bytes] | None = None
        (directory / "enabled_plugins").write_text("[].\n")
        (directory / "rabbitmq.conf").write_text("loopback_users = none\n")
        self.env = {
            **os.environ,
            "HOME": str(directory),  # the Erlang cookie
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_NODENAME": f"asyncapi-gen-test-{self.port}@localhost",
            "RABBITMQ_MNESIA_BASE": str(directory / "mnesia"),
            "RABBITMQ_LOG_BASE": str(directory / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(directory / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(directory / "rabbitmq"),
            "RABBITMQ_CONF_ENV_FILE": str(directory / "rabbitmq-env.conf"),
            "ERL_EPMD_PORT": str(self.epmd_port),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }

    def start(self) -> None:
        """Start the node and wait until it accepts AMQP connections; fails the test with its log when it does not."""
        output = (self.directory / "rabbitmq.out").open("ab")
        self._process = subprocess.Popen([self.PROGRAM], env=self.env, stdin=subprocess.DEVNULL, stdout=output,
                                         stderr=subprocess.STDOUT, cwd=self.directory, start_new_session=True)
        output.close()
        if not _accepts(self.port, self._process, RABBITMQ_START_TIMEOUT):
            log = (self.directory / "rabbitmq.out").read_text(errors="replace")[-3000:]
            self.stop()
            pytest.fail(f"rabbitmq-server did not start; its output:\n{log}")

    def stop(self) -> None:
        """Stop the node by its pid (its whole process group: the script and the Erlang VM), then its epmd."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        subprocess.run(["epmd", "-kill"], env=self.env, capture_output=True, check=False, timeout=10)


@contextmanager
def running_rabbitmq() -> Iterator[RabbitMQ]:
    """A started ``RabbitMQ`` in a temporary directory, stopped (with its epmd) when the block ends."""
    with tempfile.TemporaryDirectory(prefix="rabbitmq-test-") as directory:
        broker = RabbitMQ(Path(directory))
        try:
            broker.start()
            yield broker
        finally:
            broker.stop()
