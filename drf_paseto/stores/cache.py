"""The cache store: the database store with its copy in any Django cache
(``CACHE_ALIAS``), through the cache's public API."""

from __future__ import annotations

from typing import Any

from django.core.cache import caches

from drf_paseto.exceptions import StoreUnavailable
from drf_paseto.settings import api_settings
from drf_paseto.stores.base import _log_store_failure
from drf_paseto.stores.mirrored import Copies, MirroredStore, _Item

__all__ = [
    "CacheStore",
]


class _CacheCopies(Copies):
    """Copies in a Django cache. Its API has no atomic merge, so a write only drops the
    copy, and a refill is an ``add`` (it never overwrites a newer copy)."""

    def __init__(self, alias: str | None = None) -> None:
        self.alias = alias

    @property
    def cache(self) -> Any:
        return caches[self.alias or api_settings.CACHE_ALIAS]

    def _call(self, method: str, *args: Any) -> Any:
        try:
            return getattr(self.cache, method)(*args)
        except Exception as err:  # redis.ConnectionError, pymemcache errors, timeouts ...
            _log_store_failure(err)
            raise StoreUnavailable() from err

    def get(self, keys: list[str]) -> list[str | None]:
        found = self._call("get_many", keys)
        return [found.get(key) for key in keys]

    def merge(self, items: list[_Item]) -> None:
        self.drop([key for key, _, _ in items])

    def refill(self, items: list[_Item]) -> None:
        # ``add``: a refill never overwrites a write that landed since the database was read.
        for key, value, seconds in items:
            self._call("add", key, value, seconds)

    def drop(self, keys: list[str]) -> None:
        self._call("delete_many", keys)


class CacheStore(MirroredStore):
    """The database store with its copy in a Django cache (``_CacheCopies``).

    One race remains: a read of the database just before a write commits, refilled just
    after the write dropped the copy, leaves the state before the write in the copy;
    ``copy_seconds`` (30) bounds how long. ``RedisStore`` merges atomically and keeps
    copies longer.
    """

    copy_seconds = 30

    def __init__(self, alias: str | None = None) -> None:
        self.copies = _CacheCopies(alias)
