"""Permissions that look at the token on ``request.auth``.

They are the view-level statement of what a view needs, and a second line of defence: even
if an authenticator of the project lets some other token through, ``IsAccessToken`` opens
only to an access token, ``IsRefreshToken`` only to a refresh token, and ``IsFreshToken``
only to an access token minted from credentials.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from drf_paseto.exceptions import (
    NotAuthenticated,
    TokenNotFresh,
    TokenRequired,
    TokenWrongType,
    to_api_exception,
)
from drf_paseto.tokens import AccessToken, RefreshToken, Token


class _TokenPermission(BasePermission):
    token_class: type[Token] = Token

    def get_token(self, request: Request) -> Any:
        token = request.auth
        if request.successful_authenticator is None:
            raise NotAuthenticated()
        if not isinstance(token, Token):
            raise to_api_exception(TokenRequired())
        if not isinstance(token, self.token_class) or token.type != self.token_class.token_type:
            raise to_api_exception(TokenWrongType())
        return token

    def has_permission(self, request: Request, view: APIView) -> bool:
        self.get_token(request)
        return True


class IsAccessToken(_TokenPermission):
    """The request is authenticated with an access token (fresh or not)."""

    token_class = AccessToken


class IsRefreshToken(_TokenPermission):
    """The request is authenticated with a refresh token."""

    token_class = RefreshToken


class IsFreshToken(IsAccessToken):
    """The request is authenticated with a fresh access token: one minted from credentials."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        token = self.get_token(request)
        if not token.fresh:
            raise to_api_exception(TokenNotFresh())
        return True
