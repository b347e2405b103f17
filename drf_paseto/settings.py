"""The ``DRF_PASETO`` settings dict, read when used.

``api_settings`` looks a value up in ``django.conf.settings.DRF_PASETO`` the first time it
is asked for and remembers it until Django says that settings changed (``setting_changed``,
sent by ``override_settings`` among others). No other module keeps a setting's value: they
all ask ``api_settings`` at the moment they need it, so ``override_settings`` works in tests
without any reload helper. The object itself is never rebound.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings as django_settings
from django.core.signals import setting_changed
from django.dispatch import receiver

__all__ = [
    "DEFAULTS",
    "api_settings",
]


_SETTINGS_NAME = "DRF_PASETO"

DEFAULTS: dict[str, Any] = {
    # Keys and token format
    "SECRET_KEY": None,
    "PRIVATE_KEY": None,
    "PUBLIC_KEY": None,
    "RETIRED_KEYS": [],
    "PURPOSE": "local",
    "VERSION": 4,
    # Following the issuer's keys (docs/many-services.md)
    "KEYS_URL": None,
    "KEYS_MAX_AGE_SECONDS": 300,
    # Lifetimes and claims
    "ACCESS_TOKEN_EXPIRES": timedelta(minutes=15),
    "REFRESH_TOKEN_EXPIRES": timedelta(days=30),
    "DECODE_LEEWAY": 0,
    "ISSUER": None,
    "AUDIENCE": None,
    "USER_ID_FIELD": "pk",
    "TOKEN_USER_USERNAME_CLAIM": None,
    # Where tokens come from
    "TOKEN_LOCATION": ["headers"],
    "HEADER_NAME": "Authorization",
    "HEADER_TYPE": "Bearer",
    "JSON_KEY": "access_token",
    "JSON_TYPE": None,
    "REFRESH_JSON_KEY": "refresh_token",
    # Cookies (docs/browser-clients.md), named after fastapi-jwt-auth's
    "ACCESS_COOKIE_KEY": "access_token_cookie",
    "REFRESH_COOKIE_KEY": "refresh_token_cookie",
    "ACCESS_COOKIE_PATH": "/",
    "REFRESH_COOKIE_PATH": "/",
    "COOKIE_MAX_AGE": None,
    "COOKIE_DOMAIN": None,
    "COOKIE_SECURE": True,
    "COOKIE_SAMESITE": "Lax",
    "COOKIE_CSRF_PROTECT": True,
    "ACCESS_CSRF_COOKIE_KEY": "csrf_access_token",
    "REFRESH_CSRF_COOKIE_KEY": "csrf_refresh_token",
    "CSRF_HEADER_NAME": "X-CSRF-Token",
    "CSRF_METHODS": ("POST", "PUT", "PATCH", "DELETE"),
    # Revocation (docs/revocation.md)
    "DENYLIST_ENABLED": False,
    "DENYLIST_TOKEN_CHECKS": ("access", "refresh"),
    "DENYLIST_STORE": "database",
    "CACHE_ALIAS": "default",
    "DENYLIST_REDIS_URL": None,
    "DENYLIST_REDIS_KEY_PREFIX": "drf_paseto",
    "DENYLIST_REDIS_CLIENT": "drf_paseto.stores.redis.redis_client",
    # Revocation across services (docs/many-services.md)
    "INTROSPECT_URL": None,
    "INTROSPECT_CACHE_SECONDS": 5,
    "INTROSPECT_CLIENT_SECRETS": {},
    "ROTATE_REFRESH_TOKENS": False,
    "REVOKE_ON_PASSWORD_CHANGE": True,
    "MAX_SESSIONS_PER_USER": 100,
    # Login hardening
    "UPDATE_LAST_LOGIN": True,
    # WebSockets through Django Channels (drf_paseto.channels, docs/websockets.md)
    "WEBSOCKET_TOKEN_LOCATION": ["headers", "subprotocol", "cookies"],
    "WEBSOCKET_CLOSE_CODE": 1008,
}


class _PasetoSettings:
    """Attribute access to ``DRF_PASETO`` with defaults, cached until settings change."""

    def __init__(self) -> None:
        self._cached: set[str] = set()
        # Objects derived from settings (parsed keys, imported classes), dropped on reload.
        self.derived: dict[str, Any] = {}

    @property
    def user_settings(self) -> dict[str, Any]:
        value = getattr(django_settings, _SETTINGS_NAME, {})
        return value if isinstance(value, dict) else {}

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"Invalid {_SETTINGS_NAME} setting: {name!r}")
        value = self.user_settings.get(name, DEFAULTS[name])
        self._cached.add(name)
        setattr(self, name, value)
        return value

    def reload(self) -> None:
        for name in self._cached:
            self.__dict__.pop(name, None)
        self._cached.clear()
        self.derived.clear()


api_settings = _PasetoSettings()


@receiver(setting_changed)
def _reload_api_settings(*, setting: str, **kwargs: Any) -> None:
    # Django's SECRET_KEY matters too: with no DRF_PASETO["SECRET_KEY"] the key derives from it.
    if setting in (_SETTINGS_NAME, "SECRET_KEY", "AUTH_USER_MODEL"):
        api_settings.reload()
