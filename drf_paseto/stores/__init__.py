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

# The package's names, imported from their modules (``X as X``: its API).
from drf_paseto.stores.base import (
    EPOCH as EPOCH,
)
from drf_paseto.stores.base import (
    RevocationStore as RevocationStore,
)
from drf_paseto.stores.base import (
    SessionState as SessionState,
)
from drf_paseto.stores.base import (
    db_datetime as db_datetime,
)
from drf_paseto.stores.base import (
    leeway as leeway,
)
from drf_paseto.stores.base import (
    log_store_failure as log_store_failure,
)
from drf_paseto.stores.base import (
    logger as logger,
)
from drf_paseto.stores.base import (
    longest_lifetime as longest_lifetime,
)
from drf_paseto.stores.base import (
    now as now,
)
from drf_paseto.stores.cache import (
    CacheCopies as CacheCopies,
)
from drf_paseto.stores.cache import (
    CacheStore as CacheStore,
)
from drf_paseto.stores.database import (
    DatabaseStore as DatabaseStore,
)
from drf_paseto.stores.mirrored import (
    NO_CUTOFF as NO_CUTOFF,
)
from drf_paseto.stores.mirrored import (
    Copies as Copies,
)
from drf_paseto.stores.mirrored import (
    MirroredStore as MirroredStore,
)
from drf_paseto.stores.mirrored import (
    decode_state as decode_state,
)
from drf_paseto.stores.mirrored import (
    encode_state as encode_state,
)
from drf_paseto.stores.redis import (
    RedisCopies as RedisCopies,
)
from drf_paseto.stores.redis import (
    RedisStore as RedisStore,
)
from drf_paseto.stores.redis import (
    cluster_client as cluster_client,
)
from drf_paseto.stores.redis import (
    redis_client as redis_client,
)
from drf_paseto.stores.redis import (
    sentinel_client as sentinel_client,
)
from drf_paseto.stores.verify_only import (
    IntrospectionStore as IntrospectionStore,
)
from drf_paseto.stores.verify_only import (
    ReadOnlyStore as ReadOnlyStore,
)
from drf_paseto.stores.verify_only import (
    SharedRedisStore as SharedRedisStore,
)

#: The short names of ``DENYLIST_STORE``.
STORES: dict[str, type[RevocationStore]] = {
    "database": DatabaseStore,
    "redis": RedisStore,
    "cache": CacheStore,
}
