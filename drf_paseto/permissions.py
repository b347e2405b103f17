"""Permissions that look at the token on ``request.auth``.

They are the view-level statement of what a view needs, and a second line of defence: even
if an authenticator of the project lets some other token through, ``IsAccessToken`` opens
only to an access token, ``IsRefreshToken`` only to a refresh token, and ``IsFreshToken``
only to an access token minted from credentials.

DRF's contract, to the letter: ``has_permission`` returns a boolean and never raises. On
``False`` it leaves the reason in ``message`` (the ``{"detail", "code"}`` body) and ``code``
of the instance, and DRF's ``APIView.permission_denied`` answers: 401 ``not_authenticated``
when the request carries no credentials at all, 403 with that body otherwise. So the
permissions compose with ``|``, ``&`` and ``~``: ``IsFreshToken | IsAdminUser`` lets a staff
user in with a token that is not fresh.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from drf_paseto.exceptions import Forbidden, _error_body
from drf_paseto.tokens import AccessToken, RefreshToken, Token

__all__ = [
    "IsAccessToken",
    "IsFreshToken",
    "IsRefreshToken",
]


class _TokenPermission(BasePermission):
    token_class: type[Token] = Token
    #: Read by DRF's ``permission_denied`` after ``has_permission`` returned ``False``; set
    #: on the instance (DRF makes one per request) to the reason of that refusal.
    message: Any = _error_body(Forbidden.messages["token_required"], "token_required")
    code: str = "token_required"

    def refuse(self, code: str) -> bool:
        """Keep ``Forbidden(code)`` as the reason DRF will answer with; return ``False``."""
        self.message = _error_body(Forbidden.messages[code], code)
        self.code = code
        return False

    def refuse_anonymous(self) -> bool:
        """Nothing authenticated the request. DRF answers 401 ``not_authenticated`` itself
        when the view has authenticators; without any, 403 with this body."""
        not_authenticated = exceptions.NotAuthenticated
        self.message = _error_body(not_authenticated.default_detail, not_authenticated.default_code)
        self.code = not_authenticated.default_code
        return False

    def has_permission(self, request: Request, view: APIView) -> bool:
        token = request.auth
        if request.successful_authenticator is None:
            return self.refuse_anonymous()
        if not isinstance(token, Token):
            return self.refuse("token_required")
        if not isinstance(token, self.token_class) or token.type != self.token_class.token_type:
            return self.refuse("token_wrong_type")
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
        if not super().has_permission(request, view):
            return False
        token = request.auth  # an AccessToken: IsAccessToken granted
        if not (isinstance(token, AccessToken) and token.fresh):
            return self.refuse("token_not_fresh")
        return True
