"""Settings for the test suite only (the example project has its own)."""

import os

import environ

# Imported under a lower-case name: an upper-case one would be a setting, and Django's
# error reports print every setting whose name does not look secret.
from tests import keys as _keys

SECRET_KEY = "tests-only-django-secret-key-not-for-production-0123456789"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGE_CODE = "en"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "rest_framework",
    "drf_paseto",
    "tests",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
STATIC_URL = "/static/"

ROOT_URLCONF = "tests.urls"
# Bearer tokens out of error reports on Django 4.2 too (check drf_paseto.W009).
DEFAULT_EXCEPTION_REPORTER_FILTER = "drf_paseto.reporting.PasetoExceptionReporterFilter"

# The server legs: `.ci/services.sh` starts PostgreSQL and Redis on loopback and prints these
# variables. DRF_PASETO_TEST_DATABASE makes a database the default one (the Makefile's
# PostgreSQL leg runs the unit tier again with it); DRF_PASETO_TEST_REDIS adds the "redis"
# cache alias that the revocation tests use for the Redis leg.
TEST_DATABASE_URL = os.environ.get("DRF_PASETO_TEST_DATABASE", "")
TEST_REDIS_URL = os.environ.get("DRF_PASETO_TEST_REDIS", "")
# `.ci/redis-cluster.sh`: a three-node Redis Cluster and a Sentinel, for the revocation legs.
TEST_REDIS_CLUSTER_URL = os.environ.get("DRF_PASETO_TEST_REDIS_CLUSTER", "")
TEST_REDIS_SENTINEL_URL = os.environ.get("DRF_PASETO_TEST_REDIS_SENTINEL", "")

DATABASES = {
    "default": environ.Env.db_url_config(TEST_DATABASE_URL)
    if TEST_DATABASE_URL
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
}
# A second database for the test that routes reads to a replica (tests/test_revocation.py).
DATABASES["replica"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "dummy": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
if TEST_REDIS_URL:
    CACHES["redis"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": TEST_REDIS_URL,
        "KEY_PREFIX": "drf_paseto_tests",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Fast hashing: the suite creates many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["drf_paseto.authentication.PasetoAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "EXCEPTION_HANDLER": "drf_paseto.exceptions.exception_handler",
    # The suite logs in far more often than any person: the throttle has its own tests.
    "DEFAULT_THROTTLE_RATES": {"paseto_login": None, "paseto_login_failures": None},
}

DRF_PASETO = {
    "SECRET_KEY": _keys.LOCAL_V4_1,
}
