"""The Redis store: the database store with its copy in Redis, through redis-py.

Copies are stamped with the ``run_id`` of the server that wrote them (``_READ_SCRIPT``,
``_MERGE_SCRIPT``). ``DENYLIST_REDIS_CLIENT`` names the function that builds the client (a
dotted path, called with no arguments): ``redis_client`` (the default, one server at
``DENYLIST_REDIS_URL``), ``cluster_client`` (a Redis Cluster) or ``sentinel_client`` (the
master a Sentinel names), or a project's own. Each of these sets explicit timeouts
(``_CONNECT_TIMEOUT_SECONDS``, ``_SOCKET_TIMEOUT_SECONDS``) and one retry: a Redis that stops
answering is a 503 within a few seconds, never a hung request. A ``socket_timeout`` /
``socket_connect_timeout`` query in the first URL changes them (redis-py reads it), as do the
functions' keyword arguments.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import weakref
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.utils.module_loading import import_string

from drf_paseto import tokens
from drf_paseto.exceptions import StoreUnavailable
from drf_paseto.settings import api_settings
from drf_paseto.stores.base import SessionState, _log_store_failure
from drf_paseto.stores.mirrored import Copies, MirroredStore, _Item

__all__ = [
    "RedisStore",
    "cluster_client",
    "redis_client",
    "sentinel_client",
]


#: How long connecting to a Redis server may take, in seconds.
_CONNECT_TIMEOUT_SECONDS = 2.0
#: How long a Redis server may take to answer a command, in seconds.
_SOCKET_TIMEOUT_SECONDS = 1.0

# Every copy is stamped with the ``run_id`` of the Redis server that wrote it
# (``<run_id>/<value>``), and a copy with another server's stamp is a miss. A Redis
# restarted on an older snapshot, or a replica promoted by a failover, is another server
# process: the copies it holds may predate a revocation, so they are read again from the
# database instead of answering "live". The stamp is taken inside the scripts (``INFO
# server``), so a check stays one round trip, on the node that holds its keys.
_STAMPS = """
local run = string.match(redis.call("INFO", "server"), "run_id:(%x+)")
local function unstamped(value)
  if not value then return nil end
  local stamp, rest = string.match(value, "^(%x+)/(.*)$")
  if stamp ~= run then return nil end
  return rest
end
"""

# One round trip reads a session and a cutoff, each only if this server wrote it.
_READ_SCRIPT = (
    _STAMPS
    + """
local values = redis.call("MGET", unpack(KEYS))
for i = 1, #KEYS do
  values[i] = unstamped(values[i]) or false
end
return values
"""
)

# One round trip merges a session and a cutoff: the later state wins, whatever the order.
_MERGE_SCRIPT = (
    _STAMPS
    + """
local function rank(value)
  if value == "R" then return math.huge end
  local generation = string.match(value, "^L|(%d+)|")
  if generation then return tonumber(generation) end
  return tonumber(value) or -1  -- anything unreadable loses to any state of ours
end
for i, key in ipairs(KEYS) do
  local value = ARGV[2 * i - 1]
  local old = unstamped(redis.call("GET", key))
  if not old or rank(value) > rank(old) then
    redis.call("SET", key, run .. "/" .. value, "EX", ARGV[2 * i])
  end
end
return 1
"""
)


def _urls(urls: str | list[str] | None) -> list[str]:
    setting = api_settings.DENYLIST_REDIS_URL if urls is None else urls
    return [setting] if isinstance(setting, str) else list(setting)


def _defaults(options: dict[str, Any], asyncio: bool = False) -> dict[str, Any]:
    """Our client options (explicit timeouts, one retry at once), then the caller's."""
    from redis.backoff import NoBackoff

    if asyncio:
        from redis.asyncio.retry import Retry as AsyncRetry

        retry: Any = AsyncRetry(NoBackoff(), 1)
    else:
        from redis.retry import Retry

        retry = Retry(NoBackoff(), 1)
    return {
        "decode_responses": True,
        "socket_connect_timeout": _CONNECT_TIMEOUT_SECONDS,
        "socket_timeout": _SOCKET_TIMEOUT_SECONDS,
        "retry": retry,
        **options,
    }


def _options(url: str, options: dict[str, Any], asyncio: bool = False) -> dict[str, Any]:
    """``_defaults``, then the URL's (credentials, database, TLS and any timeout in its
    query), for every node."""
    import redis

    merged = _defaults(options, asyncio)
    merged.update(redis.connection.parse_url(url))  # type: ignore[no-untyped-call]
    merged.pop("host", None)
    merged.pop("port", None)
    if merged.pop("connection_class", None) is redis.SSLConnection:  # rediss://
        merged["ssl"] = True
    return merged


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 6379


def redis_client(url: str | None = None, *, asyncio: bool = False, **options: Any) -> Any:
    """One Redis server at ``url`` (``DENYLIST_REDIS_URL``): ``redis.Redis``; with
    ``asyncio``, ``redis.asyncio.Redis`` (for the async check, one per event loop)."""
    if asyncio:
        from redis.asyncio import Redis as AsyncRedis

        return AsyncRedis.from_url(_urls(url)[0], **_defaults(options, asyncio=True))
    import redis

    # ``from_url`` lets the URL's query win over these (``?socket_timeout=5``).
    return redis.Redis.from_url(_urls(url)[0], **_defaults(options))


def cluster_client(
    urls: str | list[str] | None = None, *, asyncio: bool = False, **options: Any
) -> Any:
    """A Redis Cluster: ``redis.cluster.RedisCluster`` started from ``urls`` (one node's URL
    or a list of them; ``DENYLIST_REDIS_URL``). A check's two keys share one hash slot, so
    it stays one ``MGET`` on a cluster too. With ``asyncio``, redis.asyncio's twin."""
    nodes = _urls(urls)
    config = _options(nodes[0], options, asyncio)
    config.pop("db", None)  # a cluster has database 0 only
    if asyncio:
        from redis.asyncio.cluster import ClusterNode as AsyncNode
        from redis.asyncio.cluster import RedisCluster as AsyncCluster

        return AsyncCluster(startup_nodes=[AsyncNode(*_host_port(url)) for url in nodes], **config)
    from redis.cluster import ClusterNode, RedisCluster

    startup = [ClusterNode(*_host_port(url)) for url in nodes]  # type: ignore[no-untyped-call]
    return RedisCluster(startup_nodes=startup, **config)


def sentinel_client(
    urls: str | list[str] | None = None,
    master: str = "mymaster",
    *,
    asyncio: bool = False,
    **options: Any,
) -> Any:
    """The master that the sentinels at ``urls`` (``DENYLIST_REDIS_URL``) name ``master``:
    ``redis.sentinel.Sentinel.master_for``. The sentinels are asked with the same timeouts.
    Another master name: a function of the project's that calls this one. With
    ``asyncio``, redis.asyncio's twin."""
    sentinels = _urls(urls)
    config = _options(sentinels[0], options, asyncio)
    nodes = [_host_port(url) for url in sentinels]
    if asyncio:
        from redis.asyncio.sentinel import Sentinel as AsyncSentinel

        return AsyncSentinel(nodes, **config).master_for(master)  # type: ignore[no-untyped-call]
    from redis.sentinel import Sentinel

    sentinel = Sentinel(nodes, **config)  # type: ignore[no-untyped-call]
    return sentinel.master_for(master)  # type: ignore[no-untyped-call]


def _build_client() -> Any:
    """The client ``DENYLIST_REDIS_CLIENT`` builds."""
    factory = import_string(api_settings.DENYLIST_REDIS_CLIENT)
    return factory()


def _build_async_client() -> Any:
    """The ``redis.asyncio`` twin of ``_build_client()``: the ``DENYLIST_REDIS_CLIENT``
    function called with ``asyncio=True``; ``None`` when it takes no ``asyncio`` argument
    (a project's own: the async check then reads Redis in one ``sync_to_async`` call)."""
    factory = import_string(api_settings.DENYLIST_REDIS_CLIENT)
    if "asyncio" not in inspect.signature(factory).parameters:
        return None
    return factory(asyncio=True)


@contextlib.contextmanager
def _fail_closed() -> Iterator[None]:
    """Redis away, or answering an error: logged, and ``StoreUnavailable`` (503)."""
    import redis
    from redis.exceptions import RedisClusterException

    try:
        yield
    except (redis.RedisError, RedisClusterException, OSError) as err:
        _log_store_failure(err)
        raise StoreUnavailable() from err


def _call(operation: Any) -> Any:
    with _fail_closed():
        return operation()


class _RedisCopies(Copies):
    """Copies in Redis (``DENYLIST_REDIS_CLIENT``, ``DENYLIST_REDIS_KEY_PREFIX``), stamped
    with the server that wrote them: one script a check (an ``MGET``), one script a merge.
    The client and its connection pool are kept per settings."""

    def prefix(self) -> str:
        return str(api_settings.DENYLIST_REDIS_KEY_PREFIX)

    def client(self) -> Any:
        kept = api_settings.derived.get("redis_client")
        if kept is None:
            client = _call(_build_client)  # a cluster client connects at once
            scripts = (client.register_script(_READ_SCRIPT), client.register_script(_MERGE_SCRIPT))
            kept = (client, *scripts)
            api_settings.derived["redis_client"] = kept
        return kept

    def get(self, keys: list[str]) -> list[str | None]:
        _, read, _ = self.client()
        values: list[str | None] = _call(lambda: read(keys=keys))
        return values

    def async_client(self) -> tuple[Any, Any] | None:
        """The running event loop's ``redis.asyncio`` client and its ``_READ_SCRIPT``, kept per
        loop and per settings (a client is bound to the loop it first ran on); ``None``
        when ``DENYLIST_REDIS_CLIENT`` builds no async client."""
        loop = asyncio.get_running_loop()
        kept: weakref.WeakKeyDictionary[Any, Any] | None = api_settings.derived.get(
            "redis_async_clients"
        )
        if kept is None:
            kept = api_settings.derived["redis_async_clients"] = weakref.WeakKeyDictionary()
        if loop not in kept:
            # A closed loop never runs again: its client goes when a new loop comes.
            for closed in [other for other in kept if other.is_closed()]:
                del kept[closed]
            client = _call(_build_async_client)
            kept[loop] = None if client is None else (client, client.register_script(_READ_SCRIPT))
        found: tuple[Any, Any] | None = kept[loop]
        return found

    async def aget(self, keys: list[str]) -> list[str | None] | None:
        """``get()`` on the event loop, through ``redis.asyncio``: the same script, one round
        trip. ``None`` when there is no async client (the caller reads through ``get()``)."""
        kept = self.async_client()
        if kept is None:
            return None
        _, read = kept
        with _fail_closed():
            values: list[str | None] = await read(keys=keys)
        return values

    def merge(self, items: list[_Item]) -> None:
        _, _, merge = self.client()
        keys = [key for key, _, _ in items]
        args = [part for _, value, seconds in items for part in (value, seconds)]
        _call(lambda: merge(keys=keys, args=args))

    def drop(self, keys: list[str]) -> None:
        client, _, _ = self.client()
        _call(lambda: client.delete(*keys))


class RedisStore(MirroredStore):
    """The database store with its copy in Redis (``_RedisCopies``), merged atomically."""

    copies: _RedisCopies

    def __init__(self) -> None:
        self.copies = _RedisCopies()

    async def aread_token(self, token: tokens.Token) -> tuple[SessionState | None, datetime | None]:
        """The copy through ``redis.asyncio`` on the event loop (no thread); a miss reads the
        database (and refills the copy) in one ``sync_to_async`` call."""
        from asgiref.sync import sync_to_async

        keys = self.copies.keys(token.session_id, token.subject)
        values = await self.copies.aget(keys)
        if values is None:  # no async client: the sync read, in one thread hop
            return await super().aread_token(token)
        copied = self.copies.decoded(token.subject, values)
        if copied is not None:
            return copied
        return await sync_to_async(self.read_through)(token.session_id, token.subject)
