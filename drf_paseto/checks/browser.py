"""Where tokens travel: headers, JSON, cookies (docs/browser-clients.md) and WebSockets
(docs/websockets.md)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from drf_paseto.checks._base import is_seconds, is_strings, wrong_value
from drf_paseto.settings import api_settings

__all__: list[str] = []


_TOKEN_LOCATIONS = ("headers", "cookies", "json")
_WEBSOCKET_TOKEN_LOCATIONS = ("headers", "subprotocol", "query", "cookies")
# RFC 7230's "token": what a cookie name or a header name may be made of.
_HTTP_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_NAME_SETTINGS = (
    "ACCESS_COOKIE_KEY",
    "REFRESH_COOKIE_KEY",
    "ACCESS_CSRF_COOKIE_KEY",
    "REFRESH_CSRF_COOKIE_KEY",
    "CSRF_HEADER_NAME",
)


@register(Tags.security)
def _check_token_locations(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    locations = api_settings.TOKEN_LOCATION
    if not is_strings(locations) or not locations or not set(locations) <= set(_TOKEN_LOCATIONS):
        messages.append(
            wrong_value(
                "TOKEN_LOCATION", f"a non-empty list of {', '.join(map(repr, _TOKEN_LOCATIONS))}"
            )
        )
    for name in ("HEADER_NAME", "JSON_KEY", "REFRESH_JSON_KEY"):
        value = getattr(api_settings, name)
        if not isinstance(value, str) or not value:
            messages.append(wrong_value(name, "a non-empty string"))
    for name, bare in (("HEADER_TYPE", "empty"), ("JSON_TYPE", "None")):
        value = getattr(api_settings, name)
        if not isinstance(value, (str, type(None))) or (value and " " in value):
            messages.append(wrong_value(name, f"one word, or {bare} for a bare token"))
    return messages + _check_cookies() + _check_websockets()


def _check_cookies() -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for name in _NAME_SETTINGS:
        value = getattr(api_settings, name)
        if not isinstance(value, str) or not _HTTP_TOKEN.fullmatch(value):
            messages.append(wrong_value(name, "a non-empty cookie or header name"))
    for name in ("ACCESS_COOKIE_PATH", "REFRESH_COOKIE_PATH"):
        value = getattr(api_settings, name)
        if not isinstance(value, str) or not value.startswith("/"):
            messages.append(wrong_value(name, "a path starting with '/'"))
    max_age = api_settings.COOKIE_MAX_AGE
    if max_age is not None and not is_seconds(max_age, minimum=1):
        messages.append(wrong_value("COOKIE_MAX_AGE", "None (session cookies) or seconds"))
    if not isinstance(api_settings.COOKIE_DOMAIN, (str, type(None))):
        messages.append(wrong_value("COOKIE_DOMAIN", "a string or None"))
    for name in ("COOKIE_SECURE", "COOKIE_CSRF_PROTECT"):
        if not isinstance(getattr(api_settings, name), bool):
            messages.append(wrong_value(name, "True or False"))
    samesite = api_settings.COOKIE_SAMESITE
    if samesite not in ("Lax", "Strict", "None", False):
        messages.append(wrong_value("COOKIE_SAMESITE", "'Lax', 'Strict', 'None' or False"))
    elif samesite == "None" and api_settings.COOKIE_SECURE is not True:
        messages.append(
            Error(
                "COOKIE_SAMESITE 'None' needs COOKIE_SECURE: browsers drop such cookies.",
                hint="Set COOKIE_SECURE = True.",
                id="drf_paseto.E006",
            )
        )
    methods = api_settings.CSRF_METHODS
    if not is_strings(methods) or any(m != m.upper() for m in methods):
        messages.append(wrong_value("CSRF_METHODS", "a collection of upper-case method names"))
    return messages


def _check_websockets() -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    locations = api_settings.WEBSOCKET_TOKEN_LOCATION
    if (
        not isinstance(locations, (list, tuple))
        or not is_strings(locations)
        or not locations
        or not set(locations) <= set(_WEBSOCKET_TOKEN_LOCATIONS)
        or len(set(locations)) != len(locations)
    ):
        messages.append(
            wrong_value(
                "WEBSOCKET_TOKEN_LOCATION",
                f"an ordered list of distinct {', '.join(map(repr, _WEBSOCKET_TOKEN_LOCATIONS))}",
            )
        )
    elif "query" in locations:
        messages.append(
            Warning(
                "WEBSOCKET_TOKEN_LOCATION includes 'query': tokens in URLs end up in server "
                "and proxy logs and in browser history.",
                hint="Prefer 'headers', 'subprotocol' or 'cookies'; keep access tokens "
                "short-lived.",
                id="drf_paseto.W008",
            )
        )
    code = api_settings.WEBSOCKET_CLOSE_CODE
    sendable = (*range(1000, 1004), *range(1007, 1015), *range(3000, 5000))
    if type(code) is not int or code not in sendable:
        messages.append(
            wrong_value(
                "WEBSOCKET_CLOSE_CODE",
                "a close code a server may send",
                "Use 1008 (policy violation, the default) or an application code 4000-4999.",
            )
        )
    return messages


@register(Tags.security, deploy=True)
def _check_cookie_protection(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Token cookies that lose one of their protections in production."""
    locations = api_settings.TOKEN_LOCATION
    if not isinstance(locations, (list, tuple, set)) or "cookies" not in locations:
        return []
    messages: list[CheckMessage] = []
    if api_settings.COOKIE_SECURE is not True:
        messages.append(
            Warning(
                "Token cookies are sent without Secure: plain HTTP exposes them on the way.",
                hint="Set DRF_PASETO['COOKIE_SECURE'] = True (the default) and serve over HTTPS.",
                id="drf_paseto.W005",
            )
        )
    if api_settings.COOKIE_CSRF_PROTECT is not True or not api_settings.CSRF_METHODS:
        messages.append(
            Warning(
                "Token cookies without CSRF protection: other sites can send requests.",
                hint="Set DRF_PASETO['COOKIE_CSRF_PROTECT'] = True (the default) and keep "
                "CSRF_METHODS.",
                id="drf_paseto.W005",
            )
        )
    return messages
