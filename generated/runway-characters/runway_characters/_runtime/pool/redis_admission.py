# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""``RedisAdmission``: server processes sharing one Redis place sessions on each other.

Every process of a pool heartbeats its load into Redis; ``place()`` picks the least-loaded live
process with room and ``redeem()`` accepts a token only at the process it was placed on. Both
run as Lua scripts, so two endpoints placing at once never overfill a process and a token raced
at two processes opens exactly one session. Scripts read Redis's own clock (``TIME``, Redis 5 or
later), so the processes' clocks never need to agree.

Keys, under ``<pool>:``:

- ``processes``: a set of the pool's process ids;
- ``process:<id>``: a hash ``url``, ``max`` (-1: no limit), ``live``, which expires
  ``dead_after`` seconds after the last heartbeat: a killed process leaves by itself;
- ``reserved:<id>``: a sorted set of the digests of tokens placed on the process and not yet
  redeemed, scored by when their slot is given back (Redis time, in milliseconds);
- ``token:<digest>``: the id of the process a token was placed on, for ``token_ttl`` seconds.

A token is keyed by the hex SHA-256 of it (``token_digest``): the token itself is never stored,
logged or put in an error.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from ..core.admission import RESERVATION_SECONDS, Placement, ServerLoad
from ..core.errors import AsyncApiRuntimeError
from ..core.tokens import token_digest

__all__ = ["PoolUnavailable", "RedisAdmission"]

logger = logging.getLogger(__name__)

_NOW_MS = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
"""

# KEYS: processes, process:<id>. ARGV: id, url, max, live, dead_after ms.
_HEARTBEAT = """
redis.call('HSET', KEYS[2], 'url', ARGV[2], 'max', ARGV[3], 'live', ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('SADD', KEYS[1], ARGV[1])
"""

# KEYS: processes, process:<id>, reserved:<id>. ARGV: id.
_LEAVE = """
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2], KEYS[3])
"""

# KEYS: processes. ARGV: key prefix, token digest, token_ttl ms, reservation ms.
# Returns the chosen process's URL, or false when no live process has room.
_PLACE = (
    _NOW_MS
    + """
local prefix = ARGV[1]
local best, best_url, best_load, best_room
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local process = redis.call('HMGET', prefix .. 'process:' .. id, 'url', 'max', 'live')
  local reserved = prefix .. 'reserved:' .. id
  if not process[1] then
    redis.call('SREM', KEYS[1], id)
    redis.call('DEL', reserved)
  else
    redis.call('ZREMRANGEBYSCORE', reserved, '-inf', now)
    local load = tonumber(process[3]) + redis.call('ZCARD', reserved)
    local limit = tonumber(process[2])
    local room = math.huge
    if limit >= 0 then room = limit - load end
    if room > 0 and (best == nil or load < best_load
        or (load == best_load and room > best_room)) then
      best, best_url, best_load, best_room = id, process[1], load, room
    end
  end
end
if best == nil then return false end
redis.call('SET', prefix .. 'token:' .. ARGV[2], best, 'PX', ARGV[3])
local reserved = prefix .. 'reserved:' .. best
redis.call('ZADD', reserved, now + tonumber(ARGV[4]), ARGV[2])
redis.call('PEXPIRE', reserved, ARGV[4])
return best_url
"""
)

# KEYS: token:<digest>, reserved:<id>, process:<id>. ARGV: id, token digest.
# The redeemed session counts as live at once, not only from this process's next heartbeat.
_REDEEM = (
    _NOW_MS
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
if redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('HINCRBY', KEYS[3], 'live', 1)
end
return 1
"""
)


class PoolUnavailable(AsyncApiRuntimeError):
    """The pool's Redis could not be reached (the message names it, without its password)."""


class RedisAdmission:
    """Admission for one process of a pool of servers sharing the Redis at ``redis_url``.

    ``heartbeat``: how often this process publishes its load; ``dead_after``: how long after
    its last heartbeat a process (killed, frozen, cut off) stops being placed on.
    ``reservation_seconds``: how long a placed token holds its slot unless redeemed first.
    ``timeout``: the most any one Redis connect or command may take. ``process_id`` is this
    process's random id in the pool's keys.

    When Redis fails after ``start()``, ``place()`` answers None (no room: the endpoint answers
    503) and ``redeem()`` False, each logged as a warning: a pool that cannot coordinate admits
    nobody rather than overfilling a process.
    """

    def __init__(
        self,
        redis_url: str,
        *,
        pool: str = "asyncapi",
        token_ttl: float = 300.0,
        heartbeat: float = 1.0,
        dead_after: float = 3.0,
        reservation_seconds: float = RESERVATION_SECONDS,
        timeout: float = 5.0,
    ) -> None:
        if heartbeat <= 0 or dead_after <= heartbeat:
            raise ValueError("need 0 < heartbeat < dead_after")
        if token_ttl <= 0 or reservation_seconds <= 0 or timeout <= 0:
            raise ValueError("token_ttl, reservation_seconds and timeout must be > 0")
        self._url = redis_url
        self._pool = pool
        self._prefix = f"{pool}:"
        self._token_ttl_ms = _milliseconds(token_ttl)
        self._heartbeat = heartbeat
        self._dead_after_ms = _milliseconds(dead_after)
        self._reservation_ms = _milliseconds(reservation_seconds)
        self._timeout = timeout
        self.process_id = secrets.token_hex(8)
        self._server: ServerLoad | None = None
        self._client: aioredis.Redis | None = None
        self._beating: asyncio.Task[None] | None = None
        self._scripts: dict[str, Any] = {}

    @property
    def redis_url(self) -> str:
        """The Redis URL, with any password in it replaced by ``***``."""
        return _redacted_url(self._url)

    async def start(self, server: ServerLoad) -> None:
        """Join the pool (``PoolUnavailable`` when Redis cannot be reached) and heartbeat."""
        if self._client is not None:
            raise RuntimeError("RedisAdmission already started")
        self._server = server
        try:
            client = aioredis.from_url(
                self._url,
                decode_responses=True,
                socket_connect_timeout=self._timeout,
                socket_timeout=self._timeout,
            )
        except ValueError as error:
            raise self._unavailable(error) from None
        self._scripts = {
            name: client.register_script(source)
            for name, source in (
                ("heartbeat", _HEARTBEAT),
                ("leave", _LEAVE),
                ("place", _PLACE),
                ("redeem", _REDEEM),
            )
        }
        self._client = client
        try:
            await self._publish()
        except (RedisError, OSError) as error:
            self._client = None
            await client.aclose()
            raise self._unavailable(error) from None
        self._beating = asyncio.create_task(
            self._beat(), name=f"pool-heartbeat-{self.process_id}"
        )
        logger.info(
            "joined session pool %r at %s as %s", self._pool, self.redis_url, server.url
        )

    async def stop(self) -> None:
        """Stop heartbeating and leave the pool at once; does nothing when not started."""
        client, beating = self._client, self._beating
        self._client = self._beating = None
        if beating is not None:
            beating.cancel()
            await asyncio.gather(beating, return_exceptions=True)
        if client is None:
            return
        try:
            await self._scripts["leave"](
                keys=[
                    self._key("processes"),
                    self._own("process"),
                    self._own("reserved"),
                ],
                args=[self.process_id],
            )
        except (RedisError, OSError) as error:
            logger.warning(
                "could not leave session pool %r at %s (it expires in %.1f s): %s",
                self._pool,
                self.redis_url,
                self._dead_after_ms / 1000,
                self._scrubbed(str(error)),
            )
        finally:
            await client.aclose()

    async def place(self) -> Placement | None:
        """A URL and a fresh token on the least-loaded live process with room, or None."""
        self._started()
        token = secrets.token_urlsafe(32)
        try:
            url = await self._scripts["place"](
                keys=[self._key("processes")],
                args=[
                    self._prefix,
                    token_digest(token).hex(),
                    self._token_ttl_ms,
                    self._reservation_ms,
                ],
            )
        except (RedisError, OSError) as error:
            self._warn("place a session", error)
            return None
        return None if url is None else Placement(str(url), token)

    async def redeem(self, token: str) -> bool:
        """True exactly once for a token placed on this process; others' are left alone."""
        self._started()
        digest = token_digest(token).hex()
        try:
            redeemed = await self._scripts["redeem"](
                keys=[
                    self._key("token:" + digest),
                    self._own("reserved"),
                    self._own("process"),
                ],
                args=[self.process_id, digest],
            )
        except (RedisError, OSError) as error:
            self._warn("redeem a session token", error)
            return False
        return bool(redeemed)

    async def _beat(self) -> None:
        """Publish this process's load every ``heartbeat`` seconds until cancelled."""
        failing = False
        while True:
            await asyncio.sleep(self._heartbeat)
            try:
                await self._publish()
            except (RedisError, OSError) as error:
                if not failing:
                    self._warn("heartbeat", error)
                failing = True
            else:
                if failing:
                    logger.info("session pool %r heartbeat is back", self._pool)
                failing = False

    async def _publish(self) -> None:
        server = self._server
        assert server is not None
        limit = server.max_sessions
        await self._scripts["heartbeat"](
            keys=[self._key("processes"), self._own("process")],
            args=[
                self.process_id,
                server.url,
                -1 if limit is None else limit,
                server.live_sessions,
                self._dead_after_ms,
            ],
        )

    def _started(self) -> None:
        if self._client is None:
            raise RuntimeError("RedisAdmission: start() first")

    def _key(self, name: str) -> str:
        return self._prefix + name

    def _own(self, kind: str) -> str:
        return f"{self._prefix}{kind}:{self.process_id}"

    def _warn(self, what: str, error: BaseException) -> None:
        logger.warning(
            "session pool %r at %s: could not %s: %s: %s",
            self._pool,
            self.redis_url,
            what,
            type(error).__name__,
            self._scrubbed(str(error)),
        )

    def _unavailable(self, error: BaseException) -> PoolUnavailable:
        return PoolUnavailable(
            f"cannot join session pool {self._pool!r} at Redis {self.redis_url}: "
            f"{type(error).__name__}: {self._scrubbed(str(error))}"
        )

    def _scrubbed(self, text: str) -> str:
        """``text`` with every password of the Redis URL in it replaced by ``***``."""
        for secret in _passwords(self._url):
            text = text.replace(secret, "***")
        return text


def _milliseconds(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def _passwords(url: str) -> list[str]:
    """The secrets a Redis URL may carry: its userinfo password and ``password=`` values."""
    try:
        parts = urlsplit(url)
        found = [parts.password or ""]
        found += parse_qs(parts.query).get("password", [])
    except ValueError:
        return []
    found += [unquote(secret) for secret in found]
    return sorted({secret for secret in found if secret}, key=len, reverse=True)


def _redacted_url(url: str) -> str:
    """``url`` with its password, if any, replaced by ``***`` and its query left out."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<unparsable Redis URL>"
    if ":" in host:
        host = f"[{host}]"
    if port is not None:
        host = f"{host}:{port}"
    user = parts.username or ""
    if parts.password is not None:
        user += ":***"
    netloc = f"{user}@{host}" if user else host
    query = "?..." if parts.query else ""
    return f"{parts.scheme}://{netloc}{parts.path}{query}"
