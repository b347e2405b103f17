"""System checks for every ``DRF_PASETO`` setting that can be wrong.

Each problem has a unique id (``drf_paseto.E0xx`` errors, ``drf_paseto.W0xx`` warnings) and
a hint; docs/checks.md lists them all. Runtime code assumes these checks passed.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

import django
from django.apps import AppConfig
from django.conf import settings as django_settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from drf_paseto import backend
from drf_paseto.checks_browser import check_browser_settings
from drf_paseto.checks_common import is_loopback_url, is_str_or_strings, is_strings, user_has_field
from drf_paseto.checks_revocation import check_revocation_settings
from drf_paseto.clock import as_leeway, as_lifetime
from drf_paseto.exceptions import KeyConfigurationError
from drf_paseto.keys import build_key_ring, looks_like_paserk
from drf_paseto.settings import DEFAULTS, SETTINGS_NAME, api_settings

TOKEN_LOCATIONS = ("headers", "cookies", "json")
BOOL_SETTINGS = (
    "DENYLIST_ENABLED",
    "ROTATE_REFRESH_TOKENS",
    "REVOKE_ON_PASSWORD_CHANGE",
    "UPDATE_LAST_LOGIN",
    "COOKIE_SECURE",
    "COOKIE_CSRF_PROTECT",
)
SERIALIZER_SETTINGS = (
    "TOKEN_OBTAIN_SERIALIZER",
    "TOKEN_REFRESH_SERIALIZER",
    "TOKEN_VERIFY_SERIALIZER",
)


@register(Tags.security)
def check_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    raw = getattr(django_settings, SETTINGS_NAME, {})
    if not isinstance(raw, dict):
        return [
            Error(
                f"{SETTINGS_NAME} must be a dict.",
                hint=f"Set {SETTINGS_NAME} = {{...}}.",
                id="drf_paseto.E001",
            )
        ]
    messages: list[CheckMessage] = []
    for name in raw:
        if name not in DEFAULTS:
            upper = str(name).upper()
            close = difflib.get_close_matches(upper, list(DEFAULTS), n=1)
            if upper in DEFAULTS:
                hint = f"Setting names are upper-case: did you mean {upper!r}?"
            else:
                hint = f"Did you mean {close[0]!r}?" if close else "See the settings reference."
            messages.append(
                Error(
                    f"{SETTINGS_NAME}[{name!r}] is not a setting.", hint=hint, id="drf_paseto.E002"
                )
            )
    messages += _check_format()
    messages += _check_claims()
    messages += _check_request_settings()
    messages += check_revocation_settings()
    messages += check_browser_settings()
    return messages


def _check_format() -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    version, purpose = api_settings.VERSION, api_settings.PURPOSE
    try:
        backend.check_version(version)
    except KeyConfigurationError:
        messages.append(
            Error(
                f"VERSION {version!r} is not supported.",
                hint="Use 4 (default) or 3; v1 and v2 are refused.",
                id="drf_paseto.E003",
            )
        )
    if purpose not in backend.PURPOSES:
        messages.append(
            Error(
                f"PURPOSE {purpose!r} is not valid.",
                hint="Use 'local' or 'public'.",
                id="drf_paseto.E004",
            )
        )
    if api_settings.KEYS_URL is not None:
        messages += _check_keys_url()
    if messages:
        return messages
    try:
        ring = build_key_ring()
    except KeyConfigurationError as err:
        return [
            Error(
                f"The key settings cannot be used: {err}.",
                hint="See docs/keys.md; `manage.py paseto_keygen` makes valid keys.",
                id="drf_paseto.E005",
            )
        ]
    if ring.signing_key is None and api_settings.KEYS_URL is None:
        messages.append(
            Warning(
                "No PRIVATE_KEY: this service can verify tokens but not issue them.",
                hint="Set PRIVATE_KEY (or PRIVATE_KEY_FILE) where login/ and refresh/ are served.",
                id="drf_paseto.W001",
            )
        )
    return messages


def _check_keys_url() -> list[CheckMessage]:
    """``KEYS_URL`` and the settings of following the issuer's keys."""
    messages: list[CheckMessage] = []
    url = api_settings.KEYS_URL
    if api_settings.PURPOSE == "local":
        messages.append(
            Error(
                "KEYS_URL is set with PURPOSE 'local': local keys are secret and never "
                "published, so there is no key set to follow.",
                hint="Use PURPOSE 'public' on the issuer and on this service, or drop KEYS_URL "
                "and share the local key.",
                id="drf_paseto.E060",
            )
        )
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        messages.append(
            Error(
                f"KEYS_URL {url!r} is not an http(s) URL.",
                hint='The issuer\'s keys/ endpoint, such as "https://auth.example.com/auth/keys/".',
                id="drf_paseto.E061",
            )
        )
    elif not url.startswith("https://") and not is_loopback_url(url) and not django_settings.DEBUG:
        messages.append(
            Warning(
                "KEYS_URL is plain http to another host: whoever sits on the way can hand this "
                "service keys of their own, and their tokens are then accepted.",
                hint="Serve the issuer's keys/ over https (or on loopback).",
                id="drf_paseto.W030",
            )
        )
    for name in (
        "KEYS_REFRESH_SECONDS",
        "KEYS_REFETCH_INTERVAL_SECONDS",
        "KEYS_MAX_STALE_SECONDS",
    ):
        value = getattr(api_settings, name)
        if type(value) is not int or value <= 0:
            messages.append(
                Error(
                    f"{name} {value!r} must be a positive number of seconds.",
                    hint=f"The default is {DEFAULTS[name]}.",
                    id="drf_paseto.E062",
                )
            )
    alias = api_settings.KEYS_CACHE_ALIAS
    if not isinstance(alias, str) or alias not in getattr(django_settings, "CACHES", {}):
        messages.append(
            Error(
                f"KEYS_CACHE_ALIAS {alias!r} is not a cache in CACHES.",
                hint="Name a cache that all workers of this service share (Redis, Memcached, "
                "the database): the key set is fetched once for all of them.",
                id="drf_paseto.E063",
            )
        )
    return messages


def _check_claims() -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for name in ("ACCESS_TOKEN_EXPIRES", "REFRESH_TOKEN_EXPIRES"):
        value = getattr(api_settings, name)
        try:
            as_lifetime(value, name)
        except ImproperlyConfigured as err:
            messages.append(
                Error(
                    str(err),
                    hint="Use an int of seconds, a timedelta, or False.",
                    id="drf_paseto.E006",
                )
            )
            continue
        if value is False:
            messages.append(
                Warning(
                    f"{name} is False: these tokens expire only after 100 years.",
                    hint="Prefer a lifetime; revocation is the only other way to end them.",
                    id="drf_paseto.W002",
                )
            )
    try:
        as_leeway(api_settings.DECODE_LEEWAY)
    except ImproperlyConfigured as err:
        messages.append(
            Error(str(err), hint="Use a small number of seconds, such as 10.", id="drf_paseto.E007")
        )
    for name in ("ENCODE_ISSUER", "DECODE_ISSUER"):
        if not isinstance(getattr(api_settings, name), (str, type(None))):
            messages.append(
                Error(
                    f"{name} must be a string or None.",
                    hint="Use a string such as 'https://auth.example.com'.",
                    id="drf_paseto.E008",
                )
            )
    for name in ("ENCODE_AUDIENCE", "DECODE_AUDIENCE"):
        value = getattr(api_settings, name)
        # An empty list would put ``"aud": []`` in every token, which no decoder accepts.
        if value is not None and (not is_str_or_strings(value) or not value):
            messages.append(
                Error(
                    f"{name} must be a string, a list of strings, or None.",
                    hint="Use a string such as 'api'.",
                    id="drf_paseto.E009",
                )
            )
    field = api_settings.USER_ID_FIELD
    if not isinstance(field, str) or (field != "pk" and not user_has_field(field)):
        messages.append(
            Error(
                f"USER_ID_FIELD {field!r} is not a unique field of the user model.",
                hint="Use 'pk' (default) or a unique field of AUTH_USER_MODEL.",
                id="drf_paseto.E010",
            )
        )
    claim = api_settings.TOKEN_USER_USERNAME_CLAIM
    if claim is not None and (not isinstance(claim, str) or not claim):
        messages.append(
            Error(
                "TOKEN_USER_USERNAME_CLAIM must be a claim name or None.",
                hint="None (the default) makes the subject the username.",
                id="drf_paseto.E037",
            )
        )
    return messages


def _check_request_settings() -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    clients = api_settings.INTROSPECT_CLIENT_SECRETS
    if not isinstance(clients, dict) or not all(
        isinstance(k, str) and k and ":" not in k and isinstance(v, str) and len(v) >= 32
        for k, v in clients.items()
    ):
        messages.append(
            Error(
                "INTROSPECT_CLIENT_SECRETS must map client ids (without ':') to secrets of 32 "
                "characters or more.",
                hint='Such as {"orders": os.environ["ORDERS_INTROSPECT_SECRET"]}; '
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'` makes one.",
                id="drf_paseto.E066",
            )
        )
    cache_seconds = api_settings.INTROSPECT_CACHE_SECONDS
    if type(cache_seconds) is not int or cache_seconds < 0:
        messages.append(
            Error(
                f"INTROSPECT_CACHE_SECONDS {cache_seconds!r} must be seconds, 0 or more.",
                hint="How long a service keeps the issuer's answer; the default is 5.",
                id="drf_paseto.E067",
            )
        )
    max_age = api_settings.KEYS_MAX_AGE_SECONDS
    if type(max_age) is not int or max_age < 0:
        messages.append(
            Error(
                f"KEYS_MAX_AGE_SECONDS {max_age!r} must be a number of seconds, 0 or more.",
                hint="How long services may keep the answer of keys/; the default is 300.",
                id="drf_paseto.E064",
            )
        )
    locations = api_settings.TOKEN_LOCATION
    if not is_strings(locations) or not locations or not set(locations) <= set(TOKEN_LOCATIONS):
        messages.append(
            Error(
                f"TOKEN_LOCATION {locations!r} is not valid.",
                hint=f"Use a non-empty list of {', '.join(map(repr, TOKEN_LOCATIONS))}.",
                id="drf_paseto.E011",
            )
        )
    for name in ("HEADER_NAME", "JSON_KEY", "REFRESH_JSON_KEY"):
        value = getattr(api_settings, name)
        if not isinstance(value, str) or not value:
            messages.append(
                Error(
                    f"{name} must be a non-empty string.",
                    hint=f"The default is {DEFAULTS[name]!r}.",
                    id="drf_paseto.E012",
                )
            )
    for name, bare in (("HEADER_TYPE", "empty"), ("JSON_TYPE", "None")):
        value = getattr(api_settings, name)
        if not isinstance(value, (str, type(None))) or (value and " " in value):
            messages.append(
                Error(
                    f"{name} must be one word, or {bare} for a bare token.",
                    hint=f"The default is {DEFAULTS[name]!r}.",
                    id="drf_paseto.E013",
                )
            )
    for name in ("LOGIN_THROTTLE_RATE", "LOGIN_FAILURE_THROTTLE_RATE"):
        rate = getattr(api_settings, name)
        if rate is not None and not (isinstance(rate, str) and _valid_rate(rate)):
            messages.append(
                Error(
                    f"{name} {rate!r} is not a rate.",
                    hint=f"Use {DEFAULTS[name]!r} or None.",
                    id="drf_paseto.E023",
                )
            )
    proxies = api_settings.TRUSTED_PROXY_COUNT
    if proxies is not None and (type(proxies) is not int or proxies < 0):
        messages.append(
            Error(
                f"TRUSTED_PROXY_COUNT {proxies!r} is not a number of proxies.",
                hint="0 (the connecting address is the client), the number of proxies that "
                "append to X-Forwarded-For, or None for DRF's NUM_PROXIES.",
                id="drf_paseto.E040",
            )
        )
    for name in BOOL_SETTINGS:
        if not isinstance(getattr(api_settings, name), bool):
            messages.append(
                Error(f"{name} must be True or False.", hint="Use a bool.", id="drf_paseto.E016")
            )
    for name in ("MAX_TOKEN_LENGTH", "MAX_JSON_DEPTH"):
        value = getattr(api_settings, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            messages.append(
                Error(
                    f"{name} must be a positive int.",
                    hint=f"The default is {DEFAULTS[name]!r}.",
                    id="drf_paseto.E014",
                )
            )
    for name in SERIALIZER_SETTINGS:
        value = getattr(api_settings, name)
        try:
            if not isinstance(value, str):
                raise ImportError(f"{name} is not a dotted path")
            import_string(value)
        except ImportError:
            messages.append(
                Error(
                    f"{name} cannot be imported.",
                    hint="Give the dotted path of a serializer class.",
                    id="drf_paseto.E015",
                )
            )
    return messages


# RFC 7230's "token": what a cookie name or a header name may be made of.
def _valid_rate(rate: str) -> bool:
    from rest_framework.throttling import SimpleRateThrottle

    try:
        parsed = SimpleRateThrottle.parse_rate(SimpleRateThrottle.__new__(SimpleRateThrottle), rate)
    except (ValueError, KeyError, IndexError):
        return False
    return parsed[0] is not None and parsed[0] >= 1


@register(Tags.security)
def check_error_reports(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Django 4.2's error reports print the Authorization header: bearer tokens."""
    configured = getattr(
        django_settings,
        "DEFAULT_EXCEPTION_REPORTER_FILTER",
        "django.views.debug.SafeExceptionReporterFilter",
    )
    if django.VERSION < (5, 0) and configured == "django.views.debug.SafeExceptionReporterFilter":
        return [
            Warning(
                "Django 4.2's error reports (mail to ADMINS, the django.request log) show the "
                "Authorization header, and with it bearer tokens.",
                hint="Set DEFAULT_EXCEPTION_REPORTER_FILTER = "
                '"drf_paseto.reporting.PasetoExceptionReporterFilter".',
                id="drf_paseto.W009",
            )
        ]
    return []


EXCEPTION_HANDLER = "drf_paseto.exceptions.exception_handler"


def _views(patterns: Sequence[Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Every DRF view class of the URLconf, with its route and ``as_view()`` arguments."""
    found: list[tuple[str, Any]] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if hasattr(pattern, "url_patterns"):
            found += _views(pattern.url_patterns, route)
            continue
        view_class = getattr(pattern.callback, "cls", None)
        if isinstance(view_class, type):
            found.append((route, pattern.callback))
    return found


def _accepts_refresh_tokens(authentication_class: type) -> bool:
    from drf_paseto.tokens import RefreshToken

    classes = getattr(authentication_class, "token_classes", ()) or (
        getattr(authentication_class, "token_class", None),
    )
    return any(isinstance(c, type) and issubclass(c, RefreshToken) for c in classes)


@register(Tags.urls)
def check_views(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """drf_paseto's permissions on a view that no authenticator of ours can satisfy: every
    request would be refused (401 or 403 token_wrong_type)."""
    from django.urls import get_resolver

    from drf_paseto.authentication import PasetoAuthentication
    from drf_paseto.permissions import IsRefreshToken, _TokenPermission

    messages: list[CheckMessage] = []
    for route, callback in _views(get_resolver().url_patterns):
        view_class, initkwargs = callback.cls, getattr(callback, "initkwargs", {}) or {}
        permissions = [
            p
            for p in initkwargs.get("permission_classes", view_class.permission_classes)
            if isinstance(p, type) and issubclass(p, _TokenPermission)
        ]
        if not permissions:
            continue
        ours = [
            a
            for a in initkwargs.get("authentication_classes", view_class.authentication_classes)
            if isinstance(a, type) and issubclass(a, PasetoAuthentication)
        ]
        names = ", ".join(p.__name__ for p in permissions)
        if not ours:
            messages.append(
                Error(
                    f"The view {view_class.__name__} at '{route}' requires {names}, but none "
                    "of its authentication classes is drf_paseto's: every request is refused.",
                    hint="Add drf_paseto.authentication.PasetoAuthentication to its "
                    "authentication_classes (or to DEFAULT_AUTHENTICATION_CLASSES).",
                    obj=view_class,
                    id="drf_paseto.E041",
                )
            )
        elif any(issubclass(p, IsRefreshToken) for p in permissions) and not any(
            _accepts_refresh_tokens(a) for a in ours
        ):
            messages.append(
                Error(
                    f"The view {view_class.__name__} at '{route}' requires IsRefreshToken, but "
                    "none of its authentication classes accepts refresh tokens: every request "
                    "is refused (token_wrong_type).",
                    hint="Use drf_paseto.authentication.PasetoRefreshAuthentication on it.",
                    obj=view_class,
                    id="drf_paseto.E042",
                )
            )
    return messages


@register()
def check_exception_handler(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Without drf_paseto's handler, the errors DRF raises itself (``IsAuthenticated``'s 401,
    a parse error of the authenticator, throttling) have no ``code``."""
    from rest_framework.settings import api_settings as drf_settings

    handler = drf_settings.EXCEPTION_HANDLER
    if getattr(handler, "__module__", None) == "drf_paseto.exceptions":
        return []
    return [
        Warning(
            "REST_FRAMEWORK['EXCEPTION_HANDLER'] is not drf_paseto's: the errors DRF raises "
            "itself (no credentials on an IsAuthenticated view, a throttled request) have no "
            "'code', unlike drf_paseto's.",
            hint=f'Set REST_FRAMEWORK["EXCEPTION_HANDLER"] = "{EXCEPTION_HANDLER}" (a handler '
            "of your own can call drf_paseto.exceptions.add_error_code(); then silence this).",
            id="drf_paseto.W010",
        )
    ]


@register(Tags.security, deploy=True)
def check_deploy(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    locations = api_settings.TOKEN_LOCATION
    if isinstance(locations, (list, tuple, set)) and "cookies" in locations:
        if api_settings.COOKIE_SECURE is not True:
            messages.append(
                Warning(
                    "Token cookies are sent without Secure: plain HTTP exposes them on the way.",
                    hint=(
                        "Set DRF_PASETO['COOKIE_SECURE'] = True (the default) and serve over HTTPS."
                    ),
                    id="drf_paseto.W005",
                )
            )
        if api_settings.COOKIE_CSRF_PROTECT is not True or not api_settings.CSRF_METHODS:
            messages.append(
                Warning(
                    "Token cookies without CSRF protection: other sites can send requests.",
                    hint="Set DRF_PASETO['COOKIE_CSRF_PROTECT'] = True (the default).",
                    id="drf_paseto.W006",
                )
            )
    return messages + _check_deploy_secret()


def _check_deploy_secret() -> list[CheckMessage]:
    secret = api_settings.SECRET_KEY
    if (
        api_settings.PURPOSE == "local"
        and isinstance(secret, str)
        and not looks_like_paserk(secret)
        and len(secret) < 32
    ):
        return [
            Warning(
                "DRF_PASETO['SECRET_KEY'] is not a PASERK and is shorter than 32 characters.",
                hint="Use `manage.py paseto_keygen` for a k4.local key, or a long random string.",
                id="drf_paseto.W003",
            )
        ]
    return []
