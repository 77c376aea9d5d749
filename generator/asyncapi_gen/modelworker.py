"""datamodel-code-generator in a forked child process, so that the models are made beside the rest of the build.

A build spends most of its time in datamodel-code-generator: ~0.3 s importing it, then its parse, which is most
of a large document's build. Neither needs the rest of the build, only the JSON Schema that normalization
collects. So the CLI forks a child before it imports the build, and the child imports datamodel-code-generator
(and warms it with a one-model schema) while the parent imports, loads, validates and normalizes; the child then
makes models.py while the parent renders and formats every other file. On two cores the build takes about as
long as the longer of the two paths instead of their sum. The child's code is the same function the in-process
path calls (`dmcode.datamodel_code`), so both give the same text; `tests/unit/test_modelworker.py` compares
them on every golden spec.

The worker is an optimisation and never a point of failure: where fork is unsafe or pointless (not Linux, one
core, threads already running) none is started, and a child that dies or cannot answer is replaced by the
in-process call. The child is killed and reaped when the CLI is done with it; it writes nothing but its answers.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import struct
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

_LENGTH = struct.Struct(">Q")
_WARM_UP: dict[str, Any] = {"$defs": {"Warm": {"type": "object", "properties": {"a": {"type": "string"}}}}}


class Pending:
    """models.py's datamodel-code-generator code for one schema, on its way."""

    def __init__(self, schema: dict[str, Any], answer: Callable[[], dict[str, Any] | None]) -> None:
        self._schema = schema
        self._answer = answer

    def result(self) -> str:
        """The code; raises `ModelEmitError` as the in-process call would."""
        from asyncapi_gen.dmcode import ModelEmitError, datamodel_code

        reply = self._answer()
        if reply is None:  # the child is gone: make the models here
            return datamodel_code(self._schema)
        if "error" in reply:
            raise ModelEmitError(str(reply["error"]))
        return str(reply["code"])


class ModelWorker:
    """A forked child that answers schemas with datamodel-code-generator's code, one request at a time."""

    def __init__(self, pid: int, requests: BinaryIO, replies: BinaryIO) -> None:
        self.pid = pid
        self._requests = requests
        self._replies = replies
        self._writer: threading.Thread | None = None
        self._alive = True
        self._closed = False

    def submit(self, schema: dict[str, Any]) -> Pending:
        """Send schema to the child, without waiting: the write runs in a thread while the child warms up."""
        data = json.dumps(schema).encode("utf-8")
        if self._writer is not None:
            self._writer.join()
        self._writer = threading.Thread(target=self._send, args=(data,), daemon=True)
        self._writer.start()
        return Pending(schema, self._receive)

    def close(self) -> None:
        """Kill the child (it may still be warming up: nobody waits for that) and reap it; once only, since a
        reaped child's pid may already be another process's."""
        if self._closed:
            return
        self._closed = True
        for stream in (self._requests, self._replies):
            with contextlib.suppress(OSError):
                stream.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self._alive = False

    def _send(self, data: bytes) -> None:
        try:
            self._requests.write(_LENGTH.pack(len(data)) + data)
            self._requests.flush()
        except OSError:
            self._alive = False

    def _receive(self) -> dict[str, Any] | None:
        if self._writer is not None:
            self._writer.join()
        if not self._alive:
            return None
        reply = _read_message(self._replies)
        if reply is None:
            self._alive = False
        return reply


def start_worker() -> ModelWorker | None:
    """A new worker, or None where forking would be unsafe or would buy nothing."""
    if sys.platform != "linux" or (os.cpu_count() or 1) < 2 or threading.active_count() > 1:
        return None  # fork in a threaded process can copy a held lock; macOS forbids it under many frameworks
    request_read, request_write = os.pipe()
    reply_read, reply_write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        status = 0
        try:
            os.close(request_write)
            os.close(reply_read)
            _serve(os.fdopen(request_read, "rb"), os.fdopen(reply_write, "wb"))
        except BaseException:  # noqa: BLE001 - the parent makes the models itself when the child fails
            status = 1
        finally:
            os._exit(status)
    os.close(request_read)
    os.close(reply_write)
    return ModelWorker(pid, os.fdopen(request_write, "wb"), os.fdopen(reply_read, "rb"))


_early: ModelWorker | None = None  # started by `launch` before the CLI's imports, for the first model_worker()


def start_early() -> None:
    """Start the worker the next model_worker() block will use; it is killed at exit if no block takes it."""
    global _early
    _early = start_worker()
    if _early is not None:
        atexit.register(_early.close)


@contextlib.contextmanager
def model_worker() -> Iterator[ModelWorker | None]:
    """A worker for the duration of the block (None where none can be started), killed and reaped after it."""
    global _early
    worker, _early = _early or start_worker(), None
    try:
        yield worker
    finally:
        if worker is not None:
            worker.close()


def _serve(requests: BinaryIO, replies: BinaryIO) -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # the parent's stdout carries its own report (`--format json`): the child writes nowhere
    from asyncapi_gen.dmcode import ModelEmitError, datamodel_code

    with contextlib.suppress(ModelEmitError):
        datamodel_code(_WARM_UP)  # its first run imports what the import alone does not
    while (request := _read_message(requests)) is not None:
        try:
            answer: dict[str, Any] = {"code": datamodel_code(request)}
        except ModelEmitError as error:
            answer = {"error": str(error)}
        data = json.dumps(answer).encode("utf-8")
        replies.write(_LENGTH.pack(len(data)) + data)
        replies.flush()


def _read_message(stream: BinaryIO) -> dict[str, Any] | None:
    try:
        head = stream.read(_LENGTH.size)
        if len(head) < _LENGTH.size:
            return None
        (length,) = _LENGTH.unpack(head)
        body = stream.read(length)
    except (OSError, ValueError):
        return None
    if len(body) < length:
        return None
    message = json.loads(body)
    return message if isinstance(message, dict) else None
