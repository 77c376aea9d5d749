"""Fixtures: one real broker per module that asks for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .servers import running_mosquitto


@pytest.fixture(scope="module")
def mosquitto_url() -> Iterator[str]:
    """``mqtt://127.0.0.1:<port>`` of a mosquitto started for this module."""
    with running_mosquitto() as url:
        yield url
