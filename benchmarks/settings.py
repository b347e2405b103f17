"""Django settings of the benchmark suite only (``make bench``, ``benchmarks/run.py``).

One process, one SQLite file database, one Redis server: every figure of the table is
measured against the same user, database and Django. ``benchmarks/run.py`` points
``DRF_PASETO_BENCH_SQLITE`` at a fresh file before Django starts (its helper subprocess,
which changes users from "another process", inherits it); the Redis URL comes from
``DRF_PASETO_BENCH_REDIS`` (``make bench`` uses databases 15 and 14 of the server that
``.ci/services.sh`` starts, so the test suite's database 0 is never touched). The login
sessions live in two SQLite files (``routing.py``): 1 thousand and 1 million sessions.
"""

import os
import tempfile
from datetime import timedelta

SECRET_KEY = "benchmarks-only-django-secret-key-not-for-production-0123456789"
DEBUG = False  # DEBUG=True would record every SQL query
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGE_CODE = "en"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "rest_framework_simplejwt",
    "drf_paseto",
]

# The same middleware for both packages' views: what an API-only project typically keeps.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "benchmarks.urls"

SQLITE_PATH = os.environ.get(
    "DRF_PASETO_BENCH_SQLITE", os.path.join(tempfile.gettempdir(), "drf_paseto_bench.sqlite3")
)
DATABASES = {
    # Users and 1 thousand login sessions: every figure but one uses this database.
    # One persistent connection, as a production server keeps with CONN_MAX_AGE: the
    # figures compare queries, not connection set-up.
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": SQLITE_PATH, "CONN_MAX_AGE": None},
    # The same users and 1 million login sessions, for the revocation check at scale
    # (routing.py).
    "large": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": SQLITE_PATH.replace(".sqlite3", "") + "-large.sqlite3",
        "CONN_MAX_AGE": None,
    },
}
DATABASE_ROUTERS = ["benchmarks.routing.SessionRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("DRF_PASETO_BENCH_REDIS", "redis://127.0.0.1:63799/15")
# The same server, the database number below (14 for 15): the copies of 1 million sessions.
_base, _, _db = REDIS_URL.rpartition("/")
REDIS_LARGE_URL = os.environ.get(
    "DRF_PASETO_BENCH_REDIS_LARGE",
    f"{_base}/{(int(_db) + 15) % 16}" if _db.isdigit() else REDIS_URL,
)
CACHES = {
    # Django's default: the login throttle's counters (the throttle is off, see below).
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # The "cache" revocation store: Django's own RedisCache backend on a real Redis server.
    "redis": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "drf_paseto_bench",
    },
}

# Login is measured for the token work, not for PBKDF2's deliberate ~0.3 s per password.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["drf_paseto.authentication.PasetoAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # The benchmark logs in thousands of times a second; simplejwt's login has no throttle.
    "DEFAULT_THROTTLE_RATES": {"paseto_login": None},
}

# A fixed benchmark-only key (a k4.local PASERK), so that the helper subprocess reads the
# same tokens. The database store is the default; run.py switches to the "redis" store
# (redis-py on REDIS_URL) or the "cache" store (the "redis" alias) with override_settings.
# Every key the benchmark writes to Redis starts with REDIS_KEY_PREFIX (run.py deletes them).
REDIS_KEY_PREFIX = "drf_paseto_bench"
BENCH_LOCAL_KEY = "k4.local.mycyS_STnD_8fBItx8ze7gqLHHsgzbQisokvtcIZmpc"
DRF_PASETO = {
    "SECRET_KEY": BENCH_LOCAL_KEY,
    "PURPOSE": "local",
    "VERSION": 4,
    "DENYLIST_ENABLED": True,
    "DENYLIST_STORE": "database",
    "CACHE_ALIAS": "redis",
    "DENYLIST_REDIS_URL": REDIS_URL,
    "DENYLIST_REDIS_KEY_PREFIX": REDIS_KEY_PREFIX + "_redis",
    "ROTATE_REFRESH_TOKENS": True,
    "UPDATE_LAST_LOGIN": True,
}

# simplejwt with HS256, doing the same work per login as ours (last_login updated).
SIMPLE_JWT = {
    "ALGORITHM": "HS256",
    "SIGNING_KEY": "benchmarks-only-hs256-signing-key-0123456789abcdef",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=30),
    "ROTATE_REFRESH_TOKENS": True,
    "UPDATE_LAST_LOGIN": True,
}
