"""Helpers for your own tests (Django's test runner or pytest): tokens in one line, and
clients that send them.

    from drf_paseto.testing import PasetoAPIClient, tokens_for

    class ProfileTests(APITestCase):
        client_class = PasetoAPIClient

        def test_profile(self):
            self.client.authenticate_as(self.user)              # a fresh access token
            self.assertEqual(self.client.get("/profile/").status_code, 200)
            self.client.authenticate_as(self.user, fresh=False)  # as after a refresh
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.test import APIClient

from drf_paseto.authentication import header_meta_key
from drf_paseto.settings import api_settings
from drf_paseto.tokens import AccessToken, RefreshToken

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


def tokens_for(
    user: AbstractBaseUser, *, fresh: bool = True, claims: dict[str, Any] | None = None
) -> dict[str, str]:
    """A new login session for ``user``, as ``login/`` would answer: both token strings."""
    refresh = RefreshToken.for_user(user, claims=claims)
    access = refresh.make_access_token(fresh=fresh)
    return {"access_token": str(access), "refresh_token": str(refresh)}


def access_token_for(
    user: AbstractBaseUser, *, fresh: bool = True, claims: dict[str, Any] | None = None
) -> AccessToken:
    """An access token for ``user`` (fresh by default) in a new session."""
    return AccessToken.for_user(user, fresh=fresh, claims=claims)


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

    def authenticate_as(
        self, user: AbstractBaseUser, *, fresh: bool = True, claims: dict[str, Any] | None = None
    ) -> AccessToken:
        """Send an access token for ``user`` with every following request; returns it."""
        token = access_token_for(user, fresh=fresh, claims=claims)
        self.use_token(token)
        return token

    def use_token(self, token: Any) -> None:
        """Send this token (any type: a refresh token for refresh-style views)."""
        self.defaults.update(auth_header(token))

    def clear_token(self) -> None:
        self.defaults.pop(header_meta_key(api_settings.HEADER_NAME), None)


class PasetoAPIClient(PasetoClientMixin, APIClient):
    """DRF's ``APIClient`` with ``authenticate_as()``; set it as ``client_class``."""

    def logout(self) -> None:
        self.clear_token()
        super().logout()
