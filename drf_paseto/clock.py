"""The one clock: what time it is, how much leeway decoding grants, how long tokens live.

Tokens, the revocation stores, the key set and the testing helpers all read the time from
``current_time()``, always through this module (``clock.current_time()``), so that a test
that moves the clock (``mock.patch("drf_paseto.clock.current_time", ...)``) moves it for all
of them. This module is the bottom layer: it imports nothing of drf_paseto but its settings.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from drf_paseto.settings import api_settings

__all__ = [
    "current_time",
]


# ``False`` as a lifetime means "no limit" to users of fastapi-paseto-auth; PASETO wants
# ``exp`` on every token, and so do we, so such tokens get an ``exp`` this far ahead (a system
# check warns).
_UNLIMITED_LIFETIME = timedelta(days=365 * 100)
_MAX_LIFETIME = timedelta(days=365 * 1000)


def current_time() -> datetime:
    """Now, in UTC: the clock every claim is checked against.

    Microseconds are kept: ``iat`` is compared with the cutoff of "log out everywhere", and a
    login right after one must not fall into the same second as the tokens it revoked.
    """
    return datetime.now(tz=timezone.utc)


def _as_lifetime(value: Any, name: str) -> timedelta:
    """A lifetime setting (seconds, ``timedelta`` or ``False``) as a ``timedelta``."""
    if value is False:
        return _UNLIMITED_LIFETIME
    if isinstance(value, timedelta):
        lifetime = value
    elif isinstance(value, int) and not isinstance(value, bool):
        try:
            lifetime = timedelta(seconds=value)
        except OverflowError:
            lifetime = timedelta.max
    else:
        raise ImproperlyConfigured(f"DRF_PASETO[{name!r}] must be seconds, a timedelta or False")
    if lifetime <= timedelta(0):
        raise ImproperlyConfigured(f"DRF_PASETO[{name!r}] must be positive")
    if lifetime > _MAX_LIFETIME:
        # Longer would overflow ``datetime`` when the token is issued.
        raise ImproperlyConfigured(f"DRF_PASETO[{name!r}] must be at most 1000 years")
    return lifetime


def _as_leeway(value: Any) -> timedelta:
    """``DECODE_LEEWAY`` (seconds or a ``timedelta``, not negative) as a ``timedelta``."""
    if isinstance(value, timedelta) and value >= timedelta(0):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return timedelta(seconds=value)
    if isinstance(value, (int, timedelta)) and not isinstance(value, bool):
        raise ImproperlyConfigured(f"DRF_PASETO['DECODE_LEEWAY'] {value!r} must not be negative")
    raise ImproperlyConfigured("DRF_PASETO['DECODE_LEEWAY'] must be seconds or a timedelta")


def _leeway() -> timedelta:
    """The configured ``DECODE_LEEWAY``."""
    return _as_leeway(api_settings.DECODE_LEEWAY)


def _lifetime(setting: str) -> timedelta:
    """The lifetime a setting (``ACCESS_TOKEN_EXPIRES``, ``REFRESH_TOKEN_EXPIRES``) holds."""
    return _as_lifetime(getattr(api_settings, setting), setting)


def _longest_lifetime() -> timedelta:
    """How long a token issued now with the configured lifetimes can live, leeway included."""
    return max(_lifetime("ACCESS_TOKEN_EXPIRES"), _lifetime("REFRESH_TOKEN_EXPIRES")) + _leeway()
