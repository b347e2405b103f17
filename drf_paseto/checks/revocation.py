"""Revocation: the store, its Redis or cache, and asking the issuer (docs/revocation.md,
docs/many-services.md)."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.utils.module_loading import import_string

from drf_paseto.checks._base import (
    cache_backend,
    is_plain_http_to_another_host,
    is_seconds,
    is_strings,
    user_has_field,
    wrong_value,
)
from drf_paseto.settings import api_settings
from drf_paseto.stores import (
    STORES,
    CacheStore,
    ReadOnlyStore,
    RedisStore,
    RevocationStore,
)

__all__: list[str] = []


_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


@register(Tags.security)
def _check_revocation(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for name in ("DENYLIST_ENABLED", "ROTATE_REFRESH_TOKENS", "REVOKE_ON_PASSWORD_CHANGE"):
        if not isinstance(getattr(api_settings, name), bool):
            messages.append(wrong_value(name, "True or False"))
    checks = api_settings.DENYLIST_TOKEN_CHECKS
    if not is_strings(checks) or not set(checks) <= {"access", "refresh"}:
        messages.append(
            wrong_value("DENYLIST_TOKEN_CHECKS", 'a collection of "access" and/or "refresh"')
        )
    elif api_settings.DENYLIST_ENABLED is True and "refresh" not in checks:
        messages.append(
            Warning(
                "DENYLIST_TOKEN_CHECKS leaves out refresh tokens: logout and reuse detection "
                "cannot stop a refresh token.",
                hint='Keep "refresh" in DENYLIST_TOKEN_CHECKS.',
                id="drf_paseto.W007",
            )
        )
    if api_settings.ROTATE_REFRESH_TOKENS is True and api_settings.DENYLIST_ENABLED is not True:
        messages.append(
            Error(
                "ROTATE_REFRESH_TOKENS needs DENYLIST_ENABLED: spent tokens must be refused.",
                hint="Set DENYLIST_ENABLED = True.",
                id="drf_paseto.E006",
            )
        )
    alias = api_settings.CACHE_ALIAS
    if not isinstance(alias, str) or alias not in getattr(django_settings, "CACHES", {}):
        messages.append(
            Error(
                f"CACHE_ALIAS {alias!r} is not a cache in CACHES.",
                hint="Name a CACHES alias that every worker shares (Redis, memcached).",
                id="drf_paseto.E004",
            )
        )
    else:
        messages += _check_store()
    clients = api_settings.INTROSPECT_CLIENT_SECRETS
    if not isinstance(clients, dict) or not all(
        isinstance(k, str) and k and ":" not in k and isinstance(v, str) and len(v) >= 32
        for k, v in clients.items()
    ):
        messages.append(
            wrong_value(
                "INTROSPECT_CLIENT_SECRETS",
                "a dict of client ids (without ':') to secrets of 32 characters or more",
                'Such as {"orders": os.environ["ORDERS_INTROSPECT_SECRET"]}; '
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'` makes one.",
            )
        )
    if not is_seconds(api_settings.INTROSPECT_CACHE_SECONDS):
        messages.append(wrong_value("INTROSPECT_CACHE_SECONDS", "an int of seconds, 0 or more"))
    return messages + _check_user_id_field()


def _check_store() -> list[CheckMessage]:
    name = api_settings.DENYLIST_STORE
    try:
        if not isinstance(name, str):
            raise ImportError("not a dotted path")
        store_class = import_string(STORES.get(name, name))
        if not (isinstance(store_class, type) and issubclass(store_class, RevocationStore)):
            raise ImportError("not a RevocationStore")
    except ImportError:
        return [
            Error(
                f"DENYLIST_STORE {name!r} is not a store.",
                hint='"database", "redis", "cache", or the dotted path of a RevocationStore '
                "subclass.",
                id="drf_paseto.E004",
            )
        ]
    # By class, so that a short name, its dotted path and a subclass are checked alike.
    messages: list[CheckMessage] = []
    if issubclass(store_class, CacheStore):  # a subclass still uses the cache alias
        messages += _check_cache_store()
    elif issubclass(store_class, RedisStore):
        messages += _check_redis_store() + _check_verify_only_store()
    if issubclass(store_class, ReadOnlyStore):
        messages += _check_introspect_url()
    return messages


def _check_verify_only_store() -> list[CheckMessage]:
    """A service that follows the issuer's keys has none of its sessions: the issuer's own
    "redis" store finds no session and refuses every token as revoked."""
    if api_settings.KEYS_URL is None or api_settings.DENYLIST_ENABLED is not True:
        return []
    return [
        Warning(
            'DENYLIST_STORE is "redis" on a service that follows the issuer\'s keys '
            "(KEYS_URL): its database holds none of the issuer's sessions, so every live "
            "token is refused as token_revoked.",
            hint='Use DENYLIST_STORE = "drf_paseto.stores.verify_only.SharedRedisStore" (it reads '
            "the issuer's Redis) or IntrospectionStore; see docs/many-services.md.",
            id="drf_paseto.W012",
        )
    ]


def _check_introspect_url() -> list[CheckMessage]:
    """A store that asks the issuer needs where: its introspect/ URL."""
    url = api_settings.INTROSPECT_URL
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return [
            Error(
                "This DENYLIST_STORE asks the issuer, and INTROSPECT_URL is not an http(s) URL.",
                hint="The issuer's introspect/ URL, with a client id and secret listed in the "
                "issuer's INTROSPECT_CLIENT_SECRETS.",
                id="drf_paseto.E006",
            )
        ]
    if is_plain_http_to_another_host(url):
        return [
            Warning(
                "INTROSPECT_URL is plain http to another host: the client secret and the "
                "tokens cross the network in clear.",
                hint="Serve the issuer's introspect/ over https (or on loopback).",
                id="drf_paseto.W004",
            )
        ]
    return []


def _check_redis_store() -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    url = api_settings.DENYLIST_REDIS_URL
    urls = url if isinstance(url, (list, tuple)) else [url]
    if not urls or not all(isinstance(u, str) and u.startswith(_REDIS_SCHEMES) for u in urls):
        messages.append(
            wrong_value(
                "DENYLIST_REDIS_URL",
                "a redis://, rediss:// or unix:// URL (or a list of them for a cluster) with "
                "the redis store",
                'Such as "redis://127.0.0.1:6379/0".',
            )
        )
    elif importlib.util.find_spec("redis") is None:
        messages.append(
            Error(
                "DENYLIST_STORE 'redis' needs redis-py, which is not installed.",
                hint="Install redis-py as the package's redis extra does: "
                "pip install 'redis[hiredis]>=5'",
                id="drf_paseto.E007",
            )
        )
    prefix = api_settings.DENYLIST_REDIS_KEY_PREFIX
    if not isinstance(prefix, str) or not prefix or set(prefix) & set("{} "):
        messages.append(
            wrong_value("DENYLIST_REDIS_KEY_PREFIX", "a non-empty string without braces or spaces")
        )
    return messages


def _check_cache_store() -> list[CheckMessage]:
    alias = api_settings.CACHE_ALIAS
    backend_path = cache_backend(alias)
    location = django_settings.CACHES[alias].get("LOCATION", "")
    servers = re.split("[;,]", location) if isinstance(location, str) else list(location)
    problem = ""
    if backend_path.endswith("DummyCache"):
        problem = "is a DummyCache: nothing would be revoked"
    elif backend_path.endswith("LocMemCache"):
        problem = (
            "is local to one process: a session revoked in one process would stay valid in "
            "the copies the others keep"
        )
    elif backend_path.endswith("RedisCache") and len(servers) > 1:
        problem = (
            "has several Redis servers: Django reads from the replicas, which may not have "
            "the latest revocation yet"
        )
    if problem:
        return [
            Error(
                f"The revocation cache {alias!r} {problem}.",
                hint="Use one cache every process shares (one Redis primary, memcached), or "
                'the "database" or "redis" store.',
                id="drf_paseto.E008",
            )
        ]
    if backend_path.endswith("FileBasedCache"):
        return [
            Warning(
                f"The revocation cache {alias!r} is local to one machine: a session revoked "
                "on one machine stays valid in the copies the others keep.",
                hint="Use a cache that every server shares (Redis, memcached) in production.",
                id="drf_paseto.W006",
            )
        ]
    return []


def _check_user_id_field() -> list[CheckMessage]:
    field = api_settings.USER_ID_FIELD
    if (
        api_settings.DENYLIST_ENABLED is True
        or not isinstance(field, str)
        or field in ("pk", get_user_model()._meta.pk.name)
        or not user_has_field(field)
    ):
        return []
    return [
        Warning(
            f"USER_ID_FIELD {field!r} can pass from one account to another (a renamed user, "
            "a freed email): with DENYLIST_ENABLED off, the old account's tokens then "
            "authenticate as the new one until they expire.",
            hint="Use 'pk' (the default), or turn DENYLIST_ENABLED on: sessions bind tokens "
            "to the user row, and a change of the field revokes them.",
            id="drf_paseto.W011",
        )
    ]
