"""System checks of the revocation settings: the stores, Redis, introspection (drf_paseto.checks
runs them with the others; docs/checks.md lists them)."""

from __future__ import annotations

import importlib.util
import re

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.checks import CheckMessage, Error, Warning
from django.utils.module_loading import import_string

from drf_paseto.checks_common import is_loopback_url, is_strings, user_has_field
from drf_paseto.settings import api_settings
from drf_paseto.stores import (
    CacheStore,
    IntrospectionStore,
    RedisStore,
    RevocationStore,
    SharedRedisStore,
)


def check_revocation_settings() -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    checks = api_settings.DENYLIST_TOKEN_CHECKS
    if not is_strings(checks) or not set(checks) <= {"access", "refresh"}:
        messages.append(
            Error(
                f"DENYLIST_TOKEN_CHECKS {checks!r} is not valid.",
                hint='Use a collection of "access" and/or "refresh".',
                id="drf_paseto.E017",
            )
        )
    if api_settings.ROTATE_REFRESH_TOKENS is True and api_settings.DENYLIST_ENABLED is not True:
        messages.append(
            Error(
                "ROTATE_REFRESH_TOKENS needs DENYLIST_ENABLED: spent tokens must be refused.",
                hint="Set DENYLIST_ENABLED = True.",
                id="drf_paseto.E019",
            )
        )
    name = api_settings.DENYLIST_STORE
    if name == "cache":
        messages += _check_cache_store()
    elif name == "redis":
        messages += _check_redis_store()
    elif name != "database":
        try:
            if not isinstance(name, str):
                raise ImportError("not a dotted path")
            store_class = import_string(name)
            if not (isinstance(store_class, type) and issubclass(store_class, RevocationStore)):
                raise ImportError("not a RevocationStore")
        except ImportError:
            messages.append(
                Error(
                    f"DENYLIST_STORE {name!r} is not a store.",
                    hint='"database", "redis", "cache", or the dotted path of a '
                    "RevocationStore subclass.",
                    id="drf_paseto.E020",
                )
            )
        else:
            if issubclass(store_class, CacheStore):  # a subclass still uses the cache alias
                messages += _check_cache_store()
            elif issubclass(store_class, RedisStore):
                messages += _check_redis_store()
            if issubclass(store_class, (IntrospectionStore, SharedRedisStore)):
                messages += _check_introspect_client()
    checks = api_settings.DENYLIST_TOKEN_CHECKS
    if api_settings.DENYLIST_ENABLED is True and is_strings(checks) and "refresh" not in checks:
        messages.append(
            Warning(
                "DENYLIST_TOKEN_CHECKS leaves out refresh tokens: logout and reuse detection "
                "cannot stop a refresh token.",
                hint='Keep "refresh" in DENYLIST_TOKEN_CHECKS.',
                id="drf_paseto.W007",
            )
        )
    field = api_settings.USER_ID_FIELD
    if (
        api_settings.DENYLIST_ENABLED is not True
        and isinstance(field, str)
        and field not in ("pk", get_user_model()._meta.pk.name)
        and user_has_field(field)
    ):
        messages.append(
            Warning(
                f"USER_ID_FIELD {field!r} can pass from one account to another (a renamed "
                "user, a freed email): with DENYLIST_ENABLED off, the old account's tokens "
                "then authenticate as the new one until they expire.",
                hint="Use 'pk' (the default), or turn DENYLIST_ENABLED on: sessions bind "
                "tokens to the user row, and a change of the field revokes them.",
                id="drf_paseto.W020",
            )
        )
    return messages


def _check_introspect_client() -> list[CheckMessage]:
    """A store that asks the issuer (``drf_paseto.introspection``) needs where and how."""
    url = api_settings.INTROSPECT_URL
    client_id = api_settings.INTROSPECT_CLIENT_ID
    secret = api_settings.INTROSPECT_CLIENT_SECRET
    if (
        not isinstance(url, str)
        or not url.startswith(("https://", "http://"))
        or not isinstance(client_id, str)
        or not client_id
        or ":" in client_id
        or not isinstance(secret, str)
        or not secret
    ):
        return [
            Error(
                "This DENYLIST_STORE asks the issuer: it needs INTROSPECT_URL (an http(s) URL), "
                "INTROSPECT_CLIENT_ID (without ':') and INTROSPECT_CLIENT_SECRET.",
                hint="The issuer's introspect/ URL, and a client id and secret listed in the "
                "issuer's INTROSPECT_CLIENT_SECRETS.",
                id="drf_paseto.E065",
            )
        ]
    if not url.startswith("https://") and not is_loopback_url(url) and not django_settings.DEBUG:
        return [
            Warning(
                "INTROSPECT_URL is plain http to another host: the client secret and the "
                "tokens cross the network in clear.",
                hint="Serve the issuer's introspect/ over https (or on loopback).",
                id="drf_paseto.W031",
            )
        ]
    return []


def _check_redis_store() -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    mode = api_settings.DENYLIST_REDIS_MODE
    if mode not in ("single", "cluster", "sentinel"):
        messages.append(
            Error(
                f"DENYLIST_REDIS_MODE {mode!r} is not 'single', 'cluster' or 'sentinel'.",
                hint="'single' (the default): one Redis server at DENYLIST_REDIS_URL.",
                id="drf_paseto.E068",
            )
        )
    url = api_settings.DENYLIST_REDIS_URL
    if mode in ("cluster", "sentinel") and isinstance(url, (list, tuple)):
        if not url or not all(
            isinstance(u, str) and u.startswith(("redis://", "rediss://")) for u in url
        ):
            messages.append(
                Error(
                    f"DENYLIST_REDIS_URL must list redis:// or rediss:// URLs with {mode!r}.",
                    hint='Such as ["redis://10.0.0.1:6379", "redis://10.0.0.2:6379"].',
                    id="drf_paseto.E069",
                )
            )
    elif not isinstance(url, str) or not url.startswith(("redis://", "rediss://", "unix://")):
        messages.append(
            Error(
                "DENYLIST_STORE 'redis' needs DENYLIST_REDIS_URL: a redis://, rediss:// or "
                "unix:// URL.",
                hint='Such as "redis://127.0.0.1:6379/0".',
                id="drf_paseto.E045",
            )
        )
    elif importlib.util.find_spec("redis") is None:
        messages.append(
            Error(
                "DENYLIST_STORE 'redis' needs redis-py, which is not installed.",
                hint="pip install 'djangorestframework-paseto[redis]'",
                id="drf_paseto.E046",
            )
        )
    master = api_settings.DENYLIST_REDIS_SENTINEL_MASTER
    if mode == "sentinel" and (not isinstance(master, str) or not master):
        messages.append(
            Error(
                "DENYLIST_REDIS_SENTINEL_MASTER must name the master the sentinels watch.",
                hint='The name in the sentinels\' "sentinel monitor <name> ..." line.',
                id="drf_paseto.E070",
            )
        )
    prefix = api_settings.DENYLIST_REDIS_KEY_PREFIX
    if not isinstance(prefix, str) or not prefix or set(prefix) & set("{} "):
        messages.append(
            Error(
                "DENYLIST_REDIS_KEY_PREFIX must be a non-empty string without braces or spaces.",
                hint='The default is "drf_paseto".',
                id="drf_paseto.E047",
            )
        )
    return messages


def _check_cache_store() -> list[CheckMessage]:
    alias = api_settings.DENYLIST_CACHE_ALIAS
    configured = getattr(django_settings, "CACHES", {})
    if not isinstance(alias, str) or alias not in configured:
        return [
            Error(
                f"DENYLIST_CACHE_ALIAS {alias!r} is not in CACHES.",
                hint="Name a CACHES alias.",
                id="drf_paseto.E021",
            )
        ]
    backend_path = str(configured[alias].get("BACKEND", ""))
    if backend_path.endswith("DummyCache"):
        return [
            Error(
                f"The revocation cache {alias!r} is a DummyCache: nothing would be revoked.",
                hint="Use Redis or memcached.",
                id="drf_paseto.E022",
            )
        ]
    location = configured[alias].get("LOCATION", "")
    servers = re.split("[;,]", location) if isinstance(location, str) else list(location)
    if backend_path.endswith("RedisCache") and len(servers) > 1:
        return [
            Error(
                f"The revocation cache {alias!r} has several Redis servers: Django reads "
                "from the replicas, which may not have the latest revocation yet.",
                hint='Give it one server (the primary), or use the "redis" store.',
                id="drf_paseto.E049",
            )
        ]
    if backend_path.endswith("LocMemCache"):
        return [
            Error(
                f"The revocation cache {alias!r} is local to one process: a session revoked "
                "in one process would stay valid in the copies the others keep.",
                hint="Use a cache that every process shares (Redis, memcached), or the "
                '"database" or "redis" store.',
                id="drf_paseto.E048",
            )
        ]
    if backend_path.endswith("FileBasedCache"):
        return [
            Warning(
                f"The revocation cache {alias!r} is local to one machine: a session revoked "
                "on one machine stays valid in the copies the others keep.",
                hint="Use a cache that every server shares (Redis, memcached) in production.",
                id="drf_paseto.W004",
            )
        ]
    return []
