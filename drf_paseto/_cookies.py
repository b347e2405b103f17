"""Token cookies: httpOnly token cookies and page-readable CSRF cookies (double submit).

Set by the token views when ``"cookies"`` is one of their token locations; every attribute
follows the ``COOKIE_*`` settings, read when the response is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest_framework.response import Response

from drf_paseto.settings import api_settings
from drf_paseto.tokens import Token


@dataclass(frozen=True)
class _CookieSettings:
    """The names of the settings that name one token type's cookies and CSRF header."""

    key: str
    path: str
    csrf_cookie: str
    csrf_header: str

    def value(self, part: str) -> Any:
        """The current value of one of them: ``value("key")`` is the cookie's name."""
        return getattr(api_settings, getattr(self, part))


#: Per token type, the settings of its cookies: the one map of them (the authenticators'
#: CSRF check and the OpenAPI schema read it too).
COOKIES = {
    "access": _CookieSettings(
        "ACCESS_COOKIE_KEY",
        "ACCESS_COOKIE_PATH",
        "ACCESS_CSRF_COOKIE_KEY",
        "CSRF_HEADER_NAME",
    ),
    "refresh": _CookieSettings(
        "REFRESH_COOKIE_KEY",
        "REFRESH_COOKIE_PATH",
        "REFRESH_CSRF_COOKIE_KEY",
        "CSRF_HEADER_NAME",
    ),
}
# CSRF cookies live at "/" whatever the token cookies' paths: the page must read them.
_CSRF_COOKIE_PATH = "/"


def _attributes() -> dict[str, Any]:
    return {
        "max_age": api_settings.COOKIE_MAX_AGE,
        "domain": api_settings.COOKIE_DOMAIN,
        "secure": api_settings.COOKIE_SECURE,
        "samesite": api_settings.COOKIE_SAMESITE,
    }


def set_token_cookies(response: Response, issued: dict[str, Token]) -> None:
    """Set the token cookie (httpOnly) and, if the token has one, its CSRF cookie."""
    attributes = _attributes()
    for name, token in issued.items():
        names = COOKIES[name]
        response.set_cookie(
            names.value("key"),
            str(token),
            path=names.value("path"),
            httponly=True,
            **attributes,
        )
        if "csrf" in token:
            response.set_cookie(
                names.value("csrf_cookie"),
                token["csrf"],
                path=_CSRF_COOKIE_PATH,
                httponly=False,
                **attributes,
            )


def sent_token_cookie(request: Any) -> bool:
    """Whether the request carried one of the token cookies."""
    keys = (api_settings.ACCESS_COOKIE_KEY, api_settings.REFRESH_COOKIE_KEY)
    return any(key in request.COOKIES for key in keys)


def clear_token_cookies(response: Response) -> None:
    """Expire all four cookies (the logout of a cookie client)."""
    domain, samesite = api_settings.COOKIE_DOMAIN, api_settings.COOKIE_SAMESITE
    for names in COOKIES.values():
        response.delete_cookie(
            names.value("key"),
            path=names.value("path"),
            domain=domain,
            samesite=samesite,
        )
        response.delete_cookie(
            names.value("csrf_cookie"),
            path=_CSRF_COOKIE_PATH,
            domain=domain,
            samesite=samesite,
        )
