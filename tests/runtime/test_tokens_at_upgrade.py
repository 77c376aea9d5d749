"""Tokens are checked at the WebSocket upgrade: a used or bad token is a 401 and TokenRejected."""

from __future__ import annotations

import pytest
from asyncapi_gen.runtime.core import TokenRejected
from asyncapi_gen.runtime.webrtc import WebRTCClientSession, WebRTCServer
from rt_support import DATA, LOOPBACK, Recorder, SessionControl, data_channel, run, within


@pytest.mark.parametrize("reuse", [True, False], ids=["same-token-twice", "bad-token"])
def test_a_refused_token_raises_token_rejected_and_the_server_keeps_serving(reuse: bool) -> None:
    async def scenario() -> None:
        recorder = Recorder()
        channels = [data_channel()]
        async with WebRTCServer(channels, recorder, ice=LOOPBACK) as server:
            url, token = server.issue_session()
            if reuse:
                async with WebRTCClientSession(url, token, channels, ice=LOOPBACK) as first:
                    await first.send(DATA, SessionControl(type="mute"))
                    await within(recorder.handlers[0].messages.get())
                refused_token = token
            else:
                refused_token = "forged-" + token[::-1]

            refused = WebRTCClientSession(url, refused_token, channels, ice=LOOPBACK)
            with pytest.raises(TokenRejected) as caught:
                await refused.connect()
            assert caught.value.status == 401
            assert refused.closed
            assert len(recorder.handlers) == (1 if reuse else 0)  # no session was started for it

            url, fresh = server.issue_session()
            async with WebRTCClientSession(url, fresh, channels, ice=LOOPBACK) as again:
                await again.send(DATA, SessionControl(type="unmute"))
                _, message = await within(recorder.handlers[-1].messages.get())
                assert message == SessionControl(type="unmute")

    run(scenario)


def test_a_missing_token_is_rejected() -> None:
    async def scenario() -> None:
        channels = [data_channel()]
        async with WebRTCServer(channels, Recorder(), ice=LOOPBACK) as server:
            with pytest.raises(TokenRejected):
                await WebRTCClientSession(server.url, None, channels, ice=LOOPBACK).connect()

    run(scenario)
