"""DRF authenticators: access tokens for every view, refresh tokens for the refresh view.

``PasetoAuthentication`` accepts access tokens only. A refresh token presented to it is
refused with 401 ``token_wrong_type``, whatever the view's permissions (``AllowAny`` and
``IsAuthenticated`` included), so a stolen refresh token opens nothing but the refresh view,
which uses ``PasetoRefreshAuthentication``.

The DRF contract, to the letter: ``None`` when the request carries no token for us (other
authenticators may run, and ``AllowAny`` views see an anonymous user), ``(user, token)`` on
success, ``AuthenticationFailed`` otherwise (a bad token is 401 even on ``AllowAny`` views).
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from drf_paseto.exceptions import (
    BadAuthorizationHeader,
    TokenError,
    UserInactive,
    UserNotFound,
    to_api_exception,
)
from drf_paseto.settings import api_settings
from drf_paseto.tokens import AccessToken, RefreshToken, Token

# What a PASETO string is made of; anything else in the header is refused before decoding.
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_.\-]+", re.ASCII)
_SCHEME_END = re.compile(r"\s")


def header_meta_key(name: str) -> str:
    """``Authorization`` -> ``HTTP_AUTHORIZATION``, as WSGI names request headers."""
    return "HTTP_" + name.upper().replace("-", "_")


class PasetoAuthentication(BaseAuthentication):
    """Authenticate with an access token from ``Authorization: Bearer <token>``."""

    token_class: type[Token] = AccessToken
    www_authenticate_realm = "api"

    def authenticate(self, request: Request) -> tuple[Any, Token] | None:
        found = self.get_raw_token(request)
        if found is None:
            return None
        raw, location = found
        try:
            return self.authenticate_token(raw, location)
        except TokenError as err:
            raise to_api_exception(err) from err

    def authenticate_header(self, request: Request) -> str:
        scheme = api_settings.HEADER_TYPE or "Bearer"
        return f'{scheme} realm="{self.www_authenticate_realm}"'

    # --- hooks ----------------------------------------------------------------------------

    def authenticate_token(self, raw: str, location: str) -> tuple[Any, Token]:
        """Validate a raw token and resolve its user. Raises ``TokenError``."""
        token = self.get_validated_token(raw)
        token.location = location
        return self.get_user(token), token

    def get_raw_token(self, request: Request) -> tuple[str, str] | None:
        """The raw token and where it was found, or ``None`` when the request has none."""
        if "headers" in api_settings.TOKEN_LOCATION:
            raw = self.get_header_token(request)
            if raw is not None:
                return raw, "headers"
        return None

    def get_header_token(self, request: Request) -> str | None:
        header: str | None = request.META.get(header_meta_key(api_settings.HEADER_NAME))
        if header is None:
            return None
        header_type = api_settings.HEADER_TYPE
        if header_type:
            # The scheme ends at the first whitespace of any kind, so "Bearer<TAB><token>" is
            # a malformed Bearer header (401), not another scheme that is silently ignored.
            scheme = _SCHEME_END.split(header, maxsplit=1)[0]
            rest = header[len(scheme) :]
            if scheme.lower() != header_type.lower():
                return None  # another scheme: some other authenticator's business
            raw = rest.strip(" ")
        else:
            raw = header.strip(" ")
        if not _TOKEN_CHARS.fullmatch(raw):
            raise to_api_exception(BadAuthorizationHeader())
        return raw

    def get_validated_token(self, raw: str) -> Token:
        return self.token_class(raw)

    def get_user(self, token: Token) -> Any:
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get(**{api_settings.USER_ID_FIELD: token.subject})
        except (
            user_model.DoesNotExist,
            ValidationError,
            ValueError,
            TypeError,
            OverflowError,
        ) as err:
            raise UserNotFound() from err
        if not self.user_can_authenticate(user):
            raise UserInactive()
        return user

    def user_can_authenticate(self, user: Any) -> bool:
        return getattr(user, "is_active", True) is not False


class PasetoRefreshAuthentication(PasetoAuthentication):
    """Authenticate with a refresh token: for the refresh view and views like it only."""

    token_class = RefreshToken
