"""The ``DRF_PASETO`` dict itself: a name that is no setting (``E001``), a setting that was
removed (``E002``, naming what replaced it), and a leftover ``SIMPLE_JWT`` (``W012``)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings as django_settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from drf_paseto.settings import _SETTINGS_NAME, DEFAULTS

__all__ = [
    "REMOVED",
]


#: Every setting removed before 1.0, and what to use instead. This check is the only
#: compatibility code the removals have: the old names do nothing any more.
REMOVED: dict[str, str] = {
    "TRUSTED_PROXY_COUNT": 'REST_FRAMEWORK["NUM_PROXIES"] (DRF\'s own setting)',
    "LOGIN_THROTTLE_RATE": 'REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["paseto_login"]',
    "LOGIN_FAILURE_THROTTLE_RATE": (
        'REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["paseto_login_failures"]'
    ),
    "ACCESS_CSRF_HEADER_NAME": "CSRF_HEADER_NAME (one header for both tokens)",
    "REFRESH_CSRF_HEADER_NAME": "CSRF_HEADER_NAME (one header for both tokens)",
    "TOKEN_OBTAIN_SERIALIZER": "TokenObtainView.as_view(serializer_class=...) or a subclass",
    "TOKEN_REFRESH_SERIALIZER": "TokenRefreshView.as_view(serializer_class=...) or a subclass",
    "TOKEN_VERIFY_SERIALIZER": "TokenVerifyView.as_view(serializer_class=...) or a subclass",
    "ENCODE_ISSUER": "ISSUER (written into new tokens and required of every token)",
    "DECODE_ISSUER": "ISSUER (written into new tokens and required of every token)",
    "ENCODE_AUDIENCE": "AUDIENCE (written into new tokens and required of every token)",
    "DECODE_AUDIENCE": "AUDIENCE (written into new tokens and required of every token)",
    "MAX_TOKEN_LENGTH": "nothing: the bound is fixed (drf_paseto.backend.MAX_TOKEN_LENGTH)",
    "MAX_JSON_DEPTH": "nothing: the bound is fixed (drf_paseto.backend.MAX_JSON_DEPTH)",
    "WEBSOCKET_QUERY_KEY": 'nothing: the query parameter is always "token"',
    "WEBSOCKET_SUBPROTOCOL": 'nothing: the marker subprotocol is always "paseto"',
    "WEBSOCKET_ALLOWED_ORIGINS": "Django's CSRF_TRUSTED_ORIGINS",
    "DENYLIST_CACHE_ALIAS": "CACHE_ALIAS (one cache alias for everything drf_paseto caches)",
    "KEYS_CACHE_ALIAS": "CACHE_ALIAS (one cache alias for everything drf_paseto caches)",
    "PRIVATE_KEY_FILE": "PRIVATE_KEY: read the file in your settings module (Path.read_text())",
    "PUBLIC_KEY_FILE": "PUBLIC_KEY: read the file in your settings module (Path.read_text())",
    "KEYS_REFRESH_SECONDS": (
        "KEYS_MAX_AGE_SECONDS (how long a key set is fresh, on the issuer and on the "
        "services that follow it)"
    ),
    "KEYS_REFETCH_INTERVAL_SECONDS": "nothing: a fixed interval (docs/many-services.md)",
    "KEYS_MAX_STALE_SECONDS": "nothing: a fixed staleness limit (docs/many-services.md)",
    "DENYLIST_REDIS_MODE": "DENYLIST_REDIS_CLIENT (the dotted path of a client factory)",
    "DENYLIST_REDIS_SENTINEL_MASTER": "DENYLIST_REDIS_CLIENT (the dotted path of a client factory)",
    "INTROSPECT_CLIENT_ID": "the user part of INTROSPECT_URL (https://id:secret@host/...)",
    "INTROSPECT_CLIENT_SECRET": "the password part of INTROSPECT_URL (https://id:secret@host/...)",
}


def _runs_simple_jwt() -> bool:
    """Whether Simple JWT still authenticates beside drf_paseto (docs/migrating-from-simplejwt.md,
    "Running both"): then its settings are not a leftover."""
    rest_framework = getattr(django_settings, "REST_FRAMEWORK", {})
    classes = (
        rest_framework.get("DEFAULT_AUTHENTICATION_CLASSES", ())
        if isinstance(rest_framework, dict)
        else ()
    )
    return any(
        (c if isinstance(c, str) else getattr(c, "__module__", "")).startswith(
            "rest_framework_simplejwt."
        )
        for c in classes
    )


@register(Tags.compatibility)
def _check_names(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if hasattr(django_settings, "SIMPLE_JWT") and not _runs_simple_jwt():
        messages.append(
            Warning(
                "SIMPLE_JWT is set, and drf_paseto reads nothing from it.",
                hint="Move what you need into DRF_PASETO (docs/migrating-from-simplejwt.md "
                "maps each name), then delete SIMPLE_JWT. Still running Simple JWT on some "
                "views? Silence this warning.",
                id="drf_paseto.W012",
            )
        )
    raw = getattr(django_settings, _SETTINGS_NAME, {})
    if not isinstance(raw, dict):
        return [
            *messages,
            Error(
                f"{_SETTINGS_NAME} is {type(raw).__name__}: it must be a dict.",
                hint=f"Set {_SETTINGS_NAME} = {{...}}; every setting takes its default meanwhile.",
                id="drf_paseto.E003",
            ),
        ]
    for name in raw:
        if name in DEFAULTS:
            continue
        if name in REMOVED:
            messages.append(
                Error(
                    f"{_SETTINGS_NAME}[{name!r}] was removed: it does nothing any more.",
                    hint=f"Use {REMOVED[name]}.",
                    id="drf_paseto.E002",
                )
            )
        else:
            upper = str(name).upper()
            if upper in DEFAULTS:
                hint = f"Setting names are upper-case: did you mean {upper!r}?"
            else:
                close = difflib.get_close_matches(upper, list(DEFAULTS), n=1)
                hint = f"Did you mean {close[0]!r}?" if close else "See docs/settings.md."
            messages.append(
                Error(
                    f"{_SETTINGS_NAME}[{name!r}] is not a setting.", hint=hint, id="drf_paseto.E001"
                )
            )
    return messages
