"""Helpers for your own tests (Django's test runner or pytest): tokens in one line, and
clients that send them.

    from drf_paseto.testing import PasetoAPIClient, tokens_for

    class ProfileTests(APITestCase):
        client_class = PasetoAPIClient

        def test_profile(self):
            self.client.authenticate_as(self.user)              # a fresh access token
            self.assertEqual(self.client.get("/profile/").status_code, 200)
            self.client.authenticate_as(self.user, fresh=False)  # as after a refresh
            self.client.authenticate_as(self.user, cookies=True)  # a browser: cookie + CSRF
            self.client.authenticate_as(self.user, expired=True)  # 401 token_expired
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from rest_framework.test import APIClient

from drf_paseto import _encoding, clock, revocation
from drf_paseto._request import header_meta_key
from drf_paseto.settings import api_settings
from drf_paseto.tokens import AccessToken, RefreshToken, Token

__all__ = [
    "PasetoAPIClient",
    "PasetoClientMixin",
    "access_token_for",
    "auth_header",
    "expire",
    "tokens_for",
]


_T = TypeVar("_T", bound=Token)


def expire(token: _T) -> _T:
    """Move a token that is not issued yet an hour past its expiry (beyond ``DECODE_LEEWAY``):
    it is refused with ``token_expired``. Returns it."""
    expired_at = clock.current_time() - clock._leeway() - timedelta(hours=1)
    token.payload["exp"] = _encoding.format_time(expired_at)
    token.payload["iat"] = _encoding.format_time(expired_at - timedelta(minutes=15))
    return token


if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


def tokens_for(
    user: AbstractBaseUser,
    *,
    fresh: bool = True,
    claims: dict[str, Any] | None = None,
    expired: bool = False,
) -> dict[str, str]:
    """A new login session for ``user``, as ``login/`` would answer: both token strings
    (both expired with ``expired=True``). With ``DENYLIST_ENABLED`` the session is recorded
    (``drf_paseto.revocation.start_session``)."""
    refresh = RefreshToken.for_user(user, claims=claims)
    access = refresh.make_access_token(fresh=fresh)
    revocation.start_session(user, refresh, access)
    if expired:
        expire(refresh)
        expire(access)
    return {"access_token": str(access), "refresh_token": str(refresh)}


def access_token_for(
    user: AbstractBaseUser,
    *,
    fresh: bool = True,
    claims: dict[str, Any] | None = None,
    expired: bool = False,
) -> AccessToken:
    """An access token for ``user`` (fresh by default) in a new session (recorded with
    ``DENYLIST_ENABLED``); ``expired=True``: one that expired an hour ago."""
    token = AccessToken.for_user(user, fresh=fresh, claims=claims)
    revocation.start_session(user, token)
    return expire(token) if expired else token


def auth_header(token: Any) -> dict[str, str]:
    """The request header carrying ``token``, as ``**kwargs`` for a test client call.

    ``client.get("/protected/", **auth_header(token))`` works with Django's ``Client`` and
    DRF's ``APIClient`` alike; the header name and type follow ``HEADER_NAME`` and
    ``HEADER_TYPE``.
    """
    scheme = api_settings.HEADER_TYPE
    value = f"{scheme} {token}" if scheme else str(token)
    return {header_meta_key(api_settings.HEADER_NAME): value}


class PasetoClientMixin:
    """For any Django or DRF test client: ``authenticate_as(user)`` and ``logout()``."""

    defaults: dict[str, Any]
    cookies: Any

    def authenticate_as(
        self,
        user: AbstractBaseUser,
        *,
        fresh: bool = True,
        claims: dict[str, Any] | None = None,
        cookies: bool = False,
        expired: bool = False,
    ) -> AccessToken:
        """Send an access token for ``user`` with every following request; returns it.

        ``cookies=True`` sends it as a browser logged in with cookies does: in the
        ``ACCESS_COOKIE_KEY`` cookie, with its CSRF value in ``CSRF_HEADER_NAME`` (for
        views whose ``TOKEN_LOCATION`` includes ``"cookies"``). ``expired=True``: a token
        that expired an hour ago.
        """
        token = access_token_for(user, fresh=fresh, claims=claims, expired=expired)
        if cookies:
            csrf = token.bind_csrf()
            self.use_cookie_token(token, csrf)
        else:
            self.use_token(token)
        return token

    def use_token(self, token: Any) -> None:
        """Send this token (any type: a refresh token for refresh-style views)."""
        self.defaults.update(auth_header(token))

    def use_cookie_token(self, token: Any, csrf: str | None = None) -> None:
        """Send this access token in its cookie, and ``csrf`` (its ``csrf`` claim) in the
        CSRF header."""
        self.cookies[api_settings.ACCESS_COOKIE_KEY] = str(token)
        if csrf is not None:
            self.defaults[header_meta_key(api_settings.CSRF_HEADER_NAME)] = csrf

    def clear_token(self) -> None:
        self.defaults.pop(header_meta_key(api_settings.HEADER_NAME), None)
        self.defaults.pop(header_meta_key(api_settings.CSRF_HEADER_NAME), None)
        self.cookies.pop(api_settings.ACCESS_COOKIE_KEY, None)


class PasetoAPIClient(PasetoClientMixin, APIClient):
    """DRF's ``APIClient`` with ``authenticate_as()``; set it as ``client_class``."""

    def logout(self) -> None:
        self.clear_token()
        super().logout()
