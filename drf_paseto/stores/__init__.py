"""The revocation stores: where login sessions and cutoffs are kept, read and written.

``DENYLIST_STORE`` names one by its dotted path, as Django names cache backends
(``"drf_paseto.stores.redis.RedisStore"``); ``"database"``, ``"redis"`` and ``"cache"`` are
short names of the three that hold sessions:

- ``drf_paseto.stores.database.DatabaseStore``: the ``LoginSession`` and ``SubjectCutoff``
  tables, the truth that every store writes;
- ``drf_paseto.stores.redis.RedisStore``: the database store with a copy in Redis
  (``DENYLIST_REDIS_CLIENT``), merged atomically;
- ``drf_paseto.stores.cache.CacheStore``: the database store with a copy in a Django cache.

A service that only verifies the issuer's tokens has no session tables:
``drf_paseto.stores.verify_only.IntrospectionStore`` and ``.SharedRedisStore`` read the
issuer's answers and write nothing. A store that cannot reach its service raises
``StoreUnavailable`` (503, fail closed).
"""

from drf_paseto.stores.base import RevocationStore, SessionState
from drf_paseto.stores.cache import CacheStore
from drf_paseto.stores.database import DatabaseStore
from drf_paseto.stores.mirrored import Copies, MirroredStore
from drf_paseto.stores.redis import RedisStore, cluster_client, redis_client, sentinel_client
from drf_paseto.stores.verify_only import IntrospectionStore, ReadOnlyStore, SharedRedisStore

__all__ = [
    "STORES",
    "CacheStore",
    "Copies",
    "DatabaseStore",
    "IntrospectionStore",
    "MirroredStore",
    "ReadOnlyStore",
    "RedisStore",
    "RevocationStore",
    "SessionState",
    "SharedRedisStore",
    "cluster_client",
    "redis_client",
    "sentinel_client",
]

#: The short names of ``DENYLIST_STORE``, and the dotted paths they stand for.
STORES: dict[str, str] = {
    "database": "drf_paseto.stores.database.DatabaseStore",
    "redis": "drf_paseto.stores.redis.RedisStore",
    "cache": "drf_paseto.stores.cache.CacheStore",
}
