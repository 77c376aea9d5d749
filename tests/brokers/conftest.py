"""Fixtures: one real broker per module that asks for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .servers import running_mosquitto, running_nats, running_rabbitmq, running_redis


@pytest.fixture(scope="module")
def mosquitto_url() -> Iterator[str]:
    """``mqtt://127.0.0.1:<port>`` of a mosquitto started for this module."""
    with running_mosquitto() as url:
        yield url


@pytest.fixture(scope="session")
def rabbitmq_url() -> Iterator[str]:
    """``amqp://guest:guest@127.0.0.1:<port>/`` of one RabbitMQ started for the whole session (it takes seconds)."""
    with running_rabbitmq() as broker:
        yield broker.url


@pytest.fixture(scope="module")
def nats_url() -> Iterator[str]:
    """``nats://127.0.0.1:<port>`` of a nats-server started for this module."""
    with running_nats() as url:
        yield url


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """``redis://127.0.0.1:<port>/0`` of a redis-server started for this module (no persistence)."""
    with running_redis() as url:
        yield url
