"""Bad input on a data channel reaches the handler as a typed WireError, and the session goes on."""

from __future__ import annotations

import json

import pytest
from asyncapi_gen.runtime.core import InvalidJson, MessageTooLarge, SchemaViolation, UnknownMessage, WireError
from asyncapi_gen.runtime.webrtc import WebRTCClientSession, WebRTCServer
from rt_support import DATA, LOOPBACK, Recorder, SessionControl, data_channel, run, within


def test_bad_messages_become_typed_errors_and_valid_ones_still_arrive() -> None:
    async def scenario() -> None:
        recorder = Recorder()
        channels = [data_channel()]
        # Over the channel's 256 KiB, under the 512 KiB at which the link cuts a peer off.
        too_large = json.dumps({"type": "mute", "metadata": {"blob": "x" * (300 << 10)}})
        bad: list[tuple[str, type[WireError]]] = [
            ('{"type": "mute"', InvalidJson),
            ('{"type": "nope"}', UnknownMessage),
            ('{"type": "mute", "metadata": 3}', SchemaViolation),
            (too_large, MessageTooLarge),
        ]
        async with WebRTCServer(channels, recorder, ice=LOOPBACK) as server:
            url, token = server.issue_session()
            async with WebRTCClientSession(url, token, channels, ice=LOOPBACK) as client:
                # Misbehave: aiortc refuses to send more than the server advertises (its 256 KiB limit).
                client._link._pc.sctp._remote_max_message_size = 0
                for raw, expected in bad:
                    await client.send_raw(DATA, raw)
                    error = await within(recorder.handlers[0].errors.get(), 20)
                    assert isinstance(error, expected), error
                    assert error.channel == DATA
                    assert error.raw == raw.encode()[:1024]
                    await client.send(DATA, SessionControl(type="unmute"))
                    assert await within(recorder.handlers[0].messages.get()) == (DATA, SessionControl(type="unmute"))

    run(scenario)


def test_send_refuses_a_message_over_the_channel_limit_locally() -> None:
    async def scenario() -> None:
        channels = [data_channel(max_message_bytes=64)]
        async with WebRTCServer(channels, Recorder(), ice=LOOPBACK) as server:
            url, token = server.issue_session()
            async with WebRTCClientSession(url, token, channels, ice=LOOPBACK) as client:
                with pytest.raises(MessageTooLarge):
                    await client.send(DATA, SessionControl(type="mute", metadata={"pad": "x" * 100}))

    run(scenario)
