"""The login view: its throttles (docs/throttling.md) and what a login writes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings as django_settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from rest_framework.throttling import SimpleRateThrottle

from drf_paseto.checks._base import cache_backend, wrong_value
from drf_paseto.settings import api_settings
from drf_paseto.throttling import _DEFAULT_RATES, _configured_rate

__all__: list[str] = []


def _valid_rate(rate: Any) -> bool:
    if not isinstance(rate, str):
        return False
    try:
        count, _ = SimpleRateThrottle.parse_rate(
            SimpleRateThrottle.__new__(SimpleRateThrottle), rate
        )
    except (ValueError, KeyError, IndexError):
        return False
    return count is not None and count >= 1


@register(Tags.security)
def _check_login(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if not isinstance(api_settings.UPDATE_LAST_LOGIN, bool):
        messages.append(wrong_value("UPDATE_LAST_LOGIN", "True or False"))
    for scope, default in _DEFAULT_RATES.items():
        rate = _configured_rate(scope)  # our defaults are valid rates
        if rate is not None and not _valid_rate(rate):
            messages.append(
                Error(
                    f'REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][{scope!r}] is {rate!r}: it must '
                    "be a DRF rate or None.",
                    hint=f"Such as {default!r} (the default when the scope is not named), or "
                    "None to turn the throttle off.",
                    id="drf_paseto.E003",
                )
            )
    return messages


@register(Tags.security, deploy=True)
def _check_throttle_cache(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """The login throttles count in DRF's throttle cache, Django's ``default``: one that each
    process (or machine) keeps for itself lets every worker count on its own. Not under
    ``DEBUG`` (``runserver``, one process; Django's own deploy check says to turn it off),
    as the plain-http URL warnings."""
    if django_settings.DEBUG or all(_configured_rate(scope) is None for scope in _DEFAULT_RATES):
        return []
    backend = cache_backend("default")
    if backend.endswith(("LocMemCache", "FileBasedCache", "DummyCache")):
        kind = backend.rsplit(".", 1)[-1]
        return [
            Warning(
                f"The login throttles count in the 'default' cache, a {kind}: each worker (or "
                "machine) counts on its own, so N workers allow N times the rate of password "
                "guesses (a DummyCache counts nothing).",
                hint="Make CACHES['default'] a cache that every worker shares (Redis, "
                "memcached), or turn the throttles off in DEFAULT_THROTTLE_RATES and throttle "
                "in front of Django.",
                id="drf_paseto.W006",
            )
        ]
    return []
