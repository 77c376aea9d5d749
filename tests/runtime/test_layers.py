"""The runtime's layers load only what they need: core no transport library, WebSocket no WebRTC, a broker only its
own client."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

TRANSPORT_LIBRARIES = ("websockets", "aiortc", "av", "aioice", "aiomqtt", "paho", "aio_pika", "aiormq")
WEBRTC_LIBRARIES = ("aiortc", "av", "aioice")


def loaded_after(module: str) -> set[str]:
    """Top-level packages in ``sys.modules`` after importing ``module`` in a fresh interpreter."""
    code = f"import json, sys, {module}; print(json.dumps(sorted({{name.split('.')[0] for name in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout))


@pytest.mark.parametrize("module", ["asyncapi_gen.runtime", "asyncapi_gen.runtime.core"])
def test_the_core_imports_no_transport_library(module: str) -> None:
    loaded = loaded_after(module)
    assert "pydantic" in loaded or module == "asyncapi_gen.runtime"
    assert loaded.isdisjoint(TRANSPORT_LIBRARIES), loaded & set(TRANSPORT_LIBRARIES)


def test_the_websocket_transport_imports_no_webrtc_library() -> None:
    loaded = loaded_after("asyncapi_gen.runtime.websocket")
    assert "websockets" in loaded
    assert loaded.isdisjoint(WEBRTC_LIBRARIES), loaded & set(WEBRTC_LIBRARIES)


def test_the_mqtt_transport_imports_only_its_own_client() -> None:
    loaded = loaded_after("asyncapi_gen.runtime.mqtt")
    assert "aiomqtt" in loaded
    others = set(TRANSPORT_LIBRARIES) - {"aiomqtt", "paho"}
    assert loaded.isdisjoint(others), loaded & others
