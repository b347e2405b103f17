"""Redis round trips counted where the client sends them: one command sent is one round trip.

A script (the Redis store's check) is one ``EVALSHA`` sent, whatever it runs inside Redis;
the server's ``MONITOR`` feed would show its inner ``INFO`` and ``MGET`` as well, which is
why the benchmark no longer counts with it.

``CountingConnection`` is a redis-py ``Connection`` whose ``send_command`` (the one door of
every command a client sends on it) records the command's name in ``COMMANDS``. Both Redis
clients of the benchmark take it through a public option:

* the Redis store: ``redis_client``, the ``DENYLIST_REDIS_CLIENT`` of ``counted()``,
  drf_paseto's own ``redis_client`` with ``connection_class=CountingConnection``;
* the cache store: Django's ``RedisCache`` passes its ``OPTIONS`` to redis-py's connection
  pool, so ``OPTIONS={"connection_class": CountingConnection}`` counts its ``get_many``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis

__all__ = ["COMMANDS", "CountingConnection", "counted", "redis_client"]

#: The commands sent on a ``CountingConnection`` since ``counted()`` last cleared it.
COMMANDS: list[str] = []


class CountingConnection(redis.Connection):
    def send_command(self, *args: Any, **kwargs: Any) -> None:
        COMMANDS.append(str(args[0]).split(" ", 1)[0].upper())
        super().send_command(*args, **kwargs)


def redis_client(url: str | None = None, *, asyncio: bool = False, **options: Any) -> Any:
    """drf_paseto's default ``DENYLIST_REDIS_CLIENT``, counting what it sends (the async
    client is the default one: only the sync ``authenticate()`` rows are counted)."""
    from drf_paseto.stores.redis import redis_client as default_client

    if asyncio:
        return default_client(url, asyncio=True, **options)
    return default_client(url, connection_class=CountingConnection, **options)


@contextmanager
def counted() -> Iterator[list[str]]:
    """Both stores' Redis clients counting in ``COMMANDS`` (cleared on entry) for the block;
    the clients are new ones, so call once before counting (their connection handshake)."""
    from django.conf import settings
    from django.test import override_settings

    caches = {
        alias: {**config, "OPTIONS": {**config.get("OPTIONS", {}), **_counting_options(config)}}
        for alias, config in settings.CACHES.items()
    }
    paseto = {
        **settings.DRF_PASETO,
        "DENYLIST_REDIS_CLIENT": f"{__name__}.redis_client",
    }
    with override_settings(DRF_PASETO=paseto, CACHES=caches):
        COMMANDS.clear()
        yield COMMANDS


def _counting_options(config: dict[str, Any]) -> dict[str, Any]:
    if config.get("BACKEND") != "django.core.cache.backends.redis.RedisCache":
        return {}
    return {"connection_class": CountingConnection}
