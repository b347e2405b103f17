"""What the check modules share: the "wrong value" message (``drf_paseto.E003``) and a few
predicates about values."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.checks import Error
from django.core.exceptions import FieldDoesNotExist

from drf_paseto.reporting import _URL_SETTINGS
from drf_paseto.settings import DEFAULTS, api_settings

#: Settings whose value a message never repeats: URLs may carry a password, and secrets are
#: secrets (check messages reach terminals and CI logs).
UNSHOWN = frozenset({*_URL_SETTINGS, "INTROSPECT_CLIENT_SECRETS"})


def wrong_value(name: str, expected: str, hint: str | None = None) -> Error:
    """``drf_paseto.E003``, the one id for "this setting has the wrong type or value": the
    message names the setting, its value (or only its type, for URLs and secrets) and what
    it takes; the hint gives the default or an example."""
    value = getattr(api_settings, name)
    if value is None and DEFAULTS[name] is None:
        shown = "not set"
    elif name in UNSHOWN:
        shown = f"a {type(value).__name__}"
    else:
        shown = f"{value!r}"
    default = f"The default is {DEFAULTS[name]!r}."
    return Error(
        f"DRF_PASETO[{name!r}] is {shown}: it must be {expected}.",
        hint=hint or default,
        id="drf_paseto.E003",
    )


def is_str_or_strings(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)


def is_strings(value: Any) -> bool:
    return isinstance(value, (list, tuple, set)) and all(isinstance(v, str) for v in value)


def is_seconds(value: Any, minimum: int = 0) -> bool:
    """An ``int`` (not a bool) of at least ``minimum``."""
    return type(value) is int and value >= minimum


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_plain_http_to_another_host(url: str) -> bool:
    """An ``http://`` URL off this machine, outside ``DEBUG``: whoever is on the way reads or
    changes what crosses it."""
    return url.startswith("http://") and not is_loopback_url(url) and not django_settings.DEBUG


def user_has_field(name: str) -> bool:
    """Whether ``name`` is a unique concrete field: a token's ``sub`` must name one user."""
    try:
        field = get_user_model()._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return bool(getattr(field, "concrete", False) and getattr(field, "unique", False))


def cache_backend(alias: str) -> str:
    """The ``BACKEND`` of a ``CACHES`` alias ("" when there is none)."""
    configured = getattr(django_settings, "CACHES", {})
    return str(configured.get(alias, {}).get("BACKEND", ""))
