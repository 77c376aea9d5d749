# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""ICE settings: which STUN/TURN servers to use and which local addresses to offer.

aioice gathers a host candidate on every interface except loopback, and aiortc falls back to a
public STUN server when given none. ``IceConfig`` makes both explicit, so a test (or a server bound
to one interface) can pin candidates to exactly the addresses it names.
"""

from __future__ import annotations

import contextvars
import ipaddress
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import aioice.ice
from aiortc import RTCConfiguration, RTCIceServer

__all__ = ["IceConfig", "pinned_host_addresses", "rtc_configuration"]


@dataclass(frozen=True)
class IceConfig:
    """STUN/TURN servers and the local addresses to gather host candidates on."""

    ice_servers: tuple[str, ...] = ()
    """STUN/TURN URLs (``stun:host:port``); none by default, so nothing leaves the machine unasked."""
    host_addresses: tuple[str, ...] | None = None
    """Only these addresses become host candidates (e.g. ``("127.0.0.1",)``); None: aioice's choice."""


def rtc_configuration(ice: IceConfig) -> RTCConfiguration:
    """The aiortc configuration for ``ice``; an empty server list stays empty (no default STUN)."""
    return RTCConfiguration(
        iceServers=[RTCIceServer(urls=url) for url in ice.ice_servers]
    )


# The addresses pinned for the current task. aioice calls its module-level get_host_addresses()
# from inside RTCPeerConnection.setLocalDescription(), in the task that awaits it (and in tasks it
# spawns, which copy the context), so a context variable pins one session without touching others.
_pinned: contextvars.ContextVar[tuple[str, ...] | None] = contextvars.ContextVar(
    "asyncapi_runtime_pinned_host_addresses", default=None
)
_aioice_get_host_addresses: Callable[[bool, bool], list[str]] | None = None


@contextmanager
def pinned_host_addresses(ice: IceConfig) -> Iterator[None]:
    """Within this block, ICE gathering in the current task offers only ``ice.host_addresses``."""
    if ice.host_addresses is None:
        yield
        return
    _install_hook()
    token = _pinned.set(ice.host_addresses)
    try:
        yield
    finally:
        _pinned.reset(token)


def _install_hook() -> None:
    # Installed once, and only when someone pins: without a pin the hook defers to aioice.
    global _aioice_get_host_addresses
    if _aioice_get_host_addresses is None:
        _aioice_get_host_addresses = aioice.ice.get_host_addresses
        aioice.ice.get_host_addresses = _get_host_addresses


def _get_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    pinned = _pinned.get()
    if pinned is None:
        assert _aioice_get_host_addresses is not None
        return _aioice_get_host_addresses(use_ipv4, use_ipv6)
    wanted = {4: use_ipv4, 6: use_ipv6}
    return [
        address for address in pinned if wanted[ipaddress.ip_address(address).version]
    ]
