"""Version-neutral raw parts that the 2.x and 3.x readers produce and normalize.py turns into the IR."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asyncapi_gen.ir import Role
from asyncapi_gen.refs import Location


@dataclass(frozen=True)
class RawChannel:
    """A channel as written: its key, its address and where it is."""

    name: str
    address: str
    description: str
    location: Location


@dataclass(frozen=True)
class RawOperation:
    """An operation as written, with its messages still as (data, location) pairs."""

    op_id: str | None
    action: str
    channel: str
    sender: Role
    summary: str
    description: str
    messages: list[tuple[Any, Location]]
    location: Location
