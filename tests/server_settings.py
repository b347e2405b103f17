"""Settings of the real servers (gunicorn workers, manage.py) that the multi-process tests
start: tests/test_concurrency.py and tests/test_faults.py, through tests/live_server.py.

The test process passes everything through the environment:

* ``DRF_PASETO_SERVER_DATABASE``: the database URL (``sqlite:////tmp/.../db.sqlite3`` or
  ``postgres://...``); required.
* ``DRF_PASETO_SERVER_SQLITE_TIMEOUT``: SQLite's busy timeout in seconds (default 20).
* ``DRF_PASETO_SERVER_CONN_MAX_AGE``: persistent database connections (default 0).
* ``DRF_PASETO_SERVER_STORE``: ``database`` (default), ``redis`` or ``cache``.
* ``DRF_PASETO_SERVER_REDIS`` / ``DRF_PASETO_SERVER_KEY_PREFIX``: the Redis that the redis
  store uses, and the cache store (required with ``redis`` and ``cache``).
"""

import os

import environ
from django.core.exceptions import ImproperlyConfigured

from tests.settings import *  # noqa: F403
from tests.settings import DRF_PASETO as _TEST_DRF_PASETO

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "tests.urls"

_DATABASE_URL = os.environ.get("DRF_PASETO_SERVER_DATABASE", "")
if not _DATABASE_URL:
    raise ImproperlyConfigured("tests.server_settings needs DRF_PASETO_SERVER_DATABASE")
_database = environ.Env.db_url_config(_DATABASE_URL)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["OPTIONS"] = {
        "timeout": float(os.environ.get("DRF_PASETO_SERVER_SQLITE_TIMEOUT", "20"))
    }
_database["CONN_MAX_AGE"] = int(os.environ.get("DRF_PASETO_SERVER_CONN_MAX_AGE", "0"))
DATABASES = {"default": _database}

_STORE = os.environ.get("DRF_PASETO_SERVER_STORE", "database")
_REDIS_URL = os.environ.get("DRF_PASETO_SERVER_REDIS", "")
if _STORE in ("redis", "cache") and not _REDIS_URL:
    raise ImproperlyConfigured(f"the {_STORE} store of the test servers needs a Redis")

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if _REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _REDIS_URL,
        "KEY_PREFIX": os.environ.get("DRF_PASETO_SERVER_KEY_PREFIX", "drf_paseto_server"),
        # A Redis that is away must be noticed quickly: the request then answers 503.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
    }

DRF_PASETO = {
    **_TEST_DRF_PASETO,
    "DENYLIST_ENABLED": True,
    "ROTATE_REFRESH_TOKENS": True,
    "DENYLIST_STORE": _STORE,
    "CACHE_ALIAS": "default",
    "DENYLIST_REDIS_URL": _REDIS_URL or None,
    "DENYLIST_REDIS_KEY_PREFIX": os.environ.get("DRF_PASETO_SERVER_KEY_PREFIX", "drf_paseto"),
}

# Server errors go to stderr (the server's log file), so that a failing test can show them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        "drf_paseto": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}
