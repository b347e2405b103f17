"""Django settings of the benchmark only (``make bench``, ``python -m benchmarks.run``).

One process measures every row on PostgreSQL (the figures that judge) and on SQLite (for
information), side by side: ``DATABASES`` has one alias per engine and per store size, and
``benchmarks.routing`` sends every model to the alias a measurement names. The gunicorn
workers of the end-to-end row read the same settings, on the ``default`` alias.

The environment, set by ``benchmarks.run`` before Django starts (the workers inherit it):

* ``DRF_PASETO_TEST_POSTGRES``: the server ``.ci/services.sh`` starts; the benchmark creates
  and drops its own databases on it, named ``DRF_PASETO_BENCH_DATABASE`` (default
  ``drf_paseto_bench``) plus ``_100k`` and ``_1m``.
* ``DRF_PASETO_BENCH_SQLITE``: the directory of the SQLite files.
* ``DRF_PASETO_BENCH_REDIS``: the Redis database of the Redis rows (default: database 15 of
  ``DRF_PASETO_TEST_REDIS``'s server; the test suite uses 0).
* ``DRF_PASETO_BENCH_STORE``: the revocation store of the gunicorn and uvicorn workers.
* ``DRF_PASETO_BENCH_ASGI``: set for the uvicorn workers (no persistent connections).
"""

import os
import tempfile
from datetime import timedelta
from urllib.parse import urlsplit

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
    "rest_framework.authtoken",
    "rest_framework_simplejwt",
    "knox",
    "drf_paseto",
]

# The same middleware for every package's views: what an API-only project typically keeps.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "benchmarks.urls"
WSGI_APPLICATION = "benchmarks.wsgi.application"

# --- databases -------------------------------------------------------------------------------

#: The store sizes of the cost-growth row: the suffix of an alias, and its login sessions.
SIZES = {"": 1_000, "_100k": 100_000, "_1m": 1_000_000}

POSTGRES_URL = os.environ.get(
    "DRF_PASETO_TEST_POSTGRES", "postgres://postgres@127.0.0.1:54329/postgres"
)
DATABASE_PREFIX = os.environ.get("DRF_PASETO_BENCH_DATABASE", "drf_paseto_bench")
SQLITE_DIR = os.environ.get("DRF_PASETO_BENCH_SQLITE", tempfile.gettempdir())


def _postgres(name: str) -> dict[str, object]:
    url = urlsplit(POSTGRES_URL)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": url.username or "postgres",
        "PASSWORD": url.password or "",
        "HOST": url.hostname or "127.0.0.1",
        "PORT": str(url.port or 5432),
        # One persistent connection, as a production server keeps: the figures compare
        # queries, not connection set-up. Not under ASGI (the async rows' uvicorn), where
        # Django keeps connections per request context and never reuses them: Django's
        # docs say to disable persistent connections there (its connection pool needs
        # psycopg_pool, not installed here), so every request there opens its own.
        "CONN_MAX_AGE": 0 if os.environ.get("DRF_PASETO_BENCH_ASGI") else None,
    }


def _sqlite(name: str) -> dict[str, object]:
    path = os.path.join(SQLITE_DIR, f"{name}.sqlite3")
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": path, "CONN_MAX_AGE": None}


DATABASES = {}
for _suffix in SIZES:
    DATABASES[f"default{_suffix}"] = _postgres(DATABASE_PREFIX + _suffix)
    DATABASES[f"sqlite{_suffix}"] = _sqlite(DATABASE_PREFIX + _suffix)
DATABASE_ROUTERS = ["benchmarks.routing.ActiveDatabaseRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis -----------------------------------------------------------------------------------


def _bench_redis_url() -> str:
    base = os.environ.get("DRF_PASETO_TEST_REDIS", "redis://127.0.0.1:63799/0")
    return base.rsplit("/", 1)[0] + "/15"


REDIS_URL = os.environ.get("DRF_PASETO_BENCH_REDIS") or _bench_redis_url()
#: Every key the benchmark writes starts with this (``benchmarks.run`` deletes them).
REDIS_KEY_PREFIX = "drf_paseto_bench"
CACHES = {
    # The "cache" revocation store: Django's own RedisCache backend on the same Redis, as the
    # default alias (CACHE_ALIAS's default).
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": REDIS_KEY_PREFIX + "_cache",
    },
}

# Login is measured for the token work, not for PBKDF2's deliberate ~0.3 s per password.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["drf_paseto.authentication.PasetoAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}

# --- the packages compared -------------------------------------------------------------------

# A fixed benchmark-only key (a k4.local PASERK): the gunicorn workers read the tokens the
# benchmark process mints. ``benchmarks.run`` switches stores with ``store_settings()``.
BENCH_LOCAL_KEY = "k4.local.mycyS_STnD_8fBItx8ze7gqLHHsgzbQisokvtcIZmpc"
DRF_PASETO = {
    "SECRET_KEY": BENCH_LOCAL_KEY,
    "PURPOSE": "local",
    "VERSION": 4,
    "DENYLIST_ENABLED": True,
    "DENYLIST_STORE": os.environ.get("DRF_PASETO_BENCH_STORE", "database"),
    "DENYLIST_REDIS_URL": REDIS_URL,
    "DENYLIST_REDIS_KEY_PREFIX": REDIS_KEY_PREFIX + "_redis",
    "ROTATE_REFRESH_TOKENS": True,
    # Lifted: the cost-growth rows need users with 10 thousand live sessions, which their own
    # logins must not end. The Redis client is the default (DENYLIST_REDIS_CLIENT): a plain
    # redis.Redis from DENYLIST_REDIS_URL.
    "MAX_SESSIONS_PER_USER": None,
}

# simplejwt with HS256: JWTAuthentication, one user query a request, no revocation.
SIMPLE_JWT = {
    "ALGORITHM": "HS256",
    "SIGNING_KEY": "benchmarks-only-hs256-signing-key-0123456789abcdef",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
}

# knox with its defaults (SHA-512 digests, a 10-hour TTL, no auto-refresh: no write a
# request), its own "Token" header prefix.
REST_KNOX: dict[str, object] = {}
