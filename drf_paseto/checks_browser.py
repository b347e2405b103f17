"""System checks of the browser-facing settings: cookies and WebSockets (drf_paseto.checks
runs them with the others; docs/checks.md lists them)."""

from __future__ import annotations

import re
from typing import Any

from django.core.checks import CheckMessage, Error, Warning

from drf_paseto.checks_common import is_strings
from drf_paseto.settings import DEFAULTS, api_settings

_HTTP_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
COOKIE_NAME_SETTINGS = (
    "ACCESS_COOKIE_KEY",
    "REFRESH_COOKIE_KEY",
    "ACCESS_CSRF_COOKIE_KEY",
    "REFRESH_CSRF_COOKIE_KEY",
    "ACCESS_CSRF_HEADER_NAME",
    "REFRESH_CSRF_HEADER_NAME",
)


def _check_cookies() -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for name in COOKIE_NAME_SETTINGS:
        value = getattr(api_settings, name)
        if not isinstance(value, str) or not _HTTP_TOKEN.fullmatch(value):
            messages.append(
                Error(
                    f"{name} must be a non-empty name.",
                    hint=f"The default is {DEFAULTS[name]!r}.",
                    id="drf_paseto.E024",
                )
            )
    for name in ("ACCESS_COOKIE_PATH", "REFRESH_COOKIE_PATH"):
        value = getattr(api_settings, name)
        if not isinstance(value, str) or not value.startswith("/"):
            messages.append(
                Error(
                    f"{name} must be a path starting with '/'.",
                    hint="Such as '/'.",
                    id="drf_paseto.E025",
                )
            )
    max_age = api_settings.COOKIE_MAX_AGE
    if max_age is not None and (type(max_age) is not int or max_age <= 0):
        messages.append(
            Error(
                "COOKIE_MAX_AGE must be None (session cookies) or seconds.",
                hint="Such as 86400.",
                id="drf_paseto.E026",
            )
        )
    if not isinstance(api_settings.COOKIE_DOMAIN, (str, type(None))):
        messages.append(
            Error(
                "COOKIE_DOMAIN must be a string or None.",
                hint="Such as None.",
                id="drf_paseto.E027",
            )
        )
    samesite = api_settings.COOKIE_SAMESITE
    if samesite not in ("Lax", "Strict", "None", False):
        messages.append(
            Error(
                f"COOKIE_SAMESITE {samesite!r} is not valid.",
                hint="'Lax', 'Strict', 'None' or False.",
                id="drf_paseto.E028",
            )
        )
    elif samesite == "None" and api_settings.COOKIE_SECURE is not True:
        messages.append(
            Error(
                "COOKIE_SAMESITE 'None' needs COOKIE_SECURE: browsers drop such cookies.",
                hint="Set COOKIE_SECURE = True.",
                id="drf_paseto.E029",
            )
        )
    methods = api_settings.CSRF_METHODS
    if not is_strings(methods) or any(m != m.upper() for m in methods):
        messages.append(
            Error(
                "CSRF_METHODS must be a collection of upper-case method names.",
                hint="The default is POST, PUT, PATCH and DELETE.",
                id="drf_paseto.E030",
            )
        )
    return messages


WEBSOCKET_TOKEN_LOCATIONS = ("headers", "subprotocol", "query", "cookies")
# RFC 7230 "token" characters: what a Sec-WebSocket-Protocol value may be made of.
_TCHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _check_websockets() -> list[CheckMessage]:
    """The settings of drf_paseto.channels (docs/websockets.md)."""
    messages: list[CheckMessage] = []
    locations = api_settings.WEBSOCKET_TOKEN_LOCATION
    if (
        not isinstance(locations, (list, tuple))
        or not is_strings(locations)
        or not locations
        or not set(locations) <= set(WEBSOCKET_TOKEN_LOCATIONS)
        or len(set(locations)) != len(locations)
    ):
        messages.append(
            Error(
                f"WEBSOCKET_TOKEN_LOCATION {locations!r} is not valid.",
                hint="Use an ordered list of distinct "
                f"{', '.join(map(repr, WEBSOCKET_TOKEN_LOCATIONS))}.",
                id="drf_paseto.E031",
            )
        )
    elif "query" in locations:
        messages.append(
            Warning(
                "WEBSOCKET_TOKEN_LOCATION includes 'query': tokens in URLs end up in server "
                "and proxy logs and in browser history.",
                hint=(
                    "Prefer 'headers', 'subprotocol' or 'cookies'; keep access tokens short-lived."
                ),
                id="drf_paseto.W008",
            )
        )
    key = api_settings.WEBSOCKET_QUERY_KEY
    if not isinstance(key, str) or not key or not key.isascii() or any(c in key for c in " &=#"):
        messages.append(
            Error(
                "WEBSOCKET_QUERY_KEY must be a non-empty query parameter name.",
                hint="The default is 'token'.",
                id="drf_paseto.E032",
            )
        )
    marker = api_settings.WEBSOCKET_SUBPROTOCOL
    if not isinstance(marker, str) or not marker or not set(marker) <= _TCHARS:
        messages.append(
            Error(
                "WEBSOCKET_SUBPROTOCOL must be a non-empty subprotocol name (no spaces or commas).",
                hint="The default is 'paseto'.",
                id="drf_paseto.E033",
            )
        )
    origins = api_settings.WEBSOCKET_ALLOWED_ORIGINS
    if origins is not None and (
        not isinstance(origins, (list, tuple)) or not all(_is_origin(o) for o in origins)
    ):
        messages.append(
            Error(
                "WEBSOCKET_ALLOWED_ORIGINS must be None or a list of origins such as "
                "'https://app.example.com' or 'https://*.example.com'.",
                hint="A scheme, a host and an optional port; no path, and no '*' alone.",
                id="drf_paseto.E034",
            )
        )
    code = api_settings.WEBSOCKET_CLOSE_CODE
    sendable = (*range(1000, 1004), *range(1007, 1015), *range(3000, 5000))
    if type(code) is not int or code not in sendable:
        messages.append(
            Error(
                f"WEBSOCKET_CLOSE_CODE {code!r} is not a close code a server may send.",
                hint="Use 1008 (policy violation, the default) or an application code 4000-4999.",
                id="drf_paseto.E035",
            )
        )
    return messages


def _is_origin(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    scheme, sep, netloc = value.partition("://")
    host = netloc[2:] if netloc.startswith("*.") else netloc
    return (
        bool(sep)
        and scheme.lower() in ("http", "https")
        and bool(host)
        and not any(c in host for c in "/?#@*")
        and host.isascii()
        and " " not in host
    )


def check_browser_settings() -> list[CheckMessage]:
    return _check_cookies() + _check_websockets()
