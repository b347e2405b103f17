"""Token cookies: httpOnly token cookies and page-readable CSRF cookies (double submit).

Set by the token views when ``"cookies"`` is one of their token locations; every attribute
follows the ``COOKIE_*`` settings, read when the response is made.
"""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response

from drf_paseto.settings import api_settings
from drf_paseto.tokens import Token

# Per token name: (token cookie key setting, its path setting, CSRF cookie key setting).
COOKIES = {
    "access": ("ACCESS_COOKIE_KEY", "ACCESS_COOKIE_PATH", "ACCESS_CSRF_COOKIE_KEY"),
    "refresh": ("REFRESH_COOKIE_KEY", "REFRESH_COOKIE_PATH", "REFRESH_CSRF_COOKIE_KEY"),
}
# CSRF cookies live at "/" whatever the token cookies' paths: the page must read them.
CSRF_COOKIE_PATH = "/"


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
        key_setting, path_setting, csrf_setting = COOKIES[name]
        response.set_cookie(
            getattr(api_settings, key_setting),
            str(token),
            path=getattr(api_settings, path_setting),
            httponly=True,
            **attributes,
        )
        if "csrf" in token:
            response.set_cookie(
                getattr(api_settings, csrf_setting),
                token["csrf"],
                path=CSRF_COOKIE_PATH,
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
    for key_setting, path_setting, csrf_setting in COOKIES.values():
        response.delete_cookie(
            getattr(api_settings, key_setting),
            path=getattr(api_settings, path_setting),
            domain=domain,
            samesite=samesite,
        )
        response.delete_cookie(
            getattr(api_settings, csrf_setting),
            path=CSRF_COOKIE_PATH,
            domain=domain,
            samesite=samesite,
        )
