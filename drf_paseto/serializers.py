"""Request and response bodies of the token views. Replaceable through settings."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, get_user_model
from rest_framework import serializers

from drf_paseto.authentication import PasetoAuthentication, PasetoRefreshAuthentication
from drf_paseto.exceptions import InvalidCredentials, NotAuthenticated, TokenError, to_api_exception
from drf_paseto.settings import api_settings
from drf_paseto.tokens import RefreshToken, Token

# Django's own ceiling for password length (hashers.MAXIMUM_PASSWORD_LENGTH).
MAX_PASSWORD_LENGTH = 4096
MAX_USERNAME_LENGTH = 1024


class TokenObtainSerializer(serializers.Serializer[Any]):
    """``{"<USERNAME_FIELD>", "password"}`` in, ``{"access_token", "refresh_token"}`` out.

    Credentials go through Django's ``authenticate()``, so every configured auth backend
    applies. Override ``get_token_claims()`` to add custom claims to both tokens.
    """

    password = serializers.CharField(
        write_only=True,
        trim_whitespace=False,
        max_length=MAX_PASSWORD_LENGTH,
        style={"input_type": "password"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[self.username_field] = serializers.CharField(
            write_only=True, max_length=MAX_USERNAME_LENGTH
        )

    @property
    def username_field(self) -> str:
        return str(get_user_model().USERNAME_FIELD)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        credentials = {
            self.username_field: attrs[self.username_field],
            "password": attrs["password"],
        }
        user = authenticate(self.context.get("request"), **credentials)
        if user is None or getattr(user, "is_active", True) is False:
            raise to_api_exception(InvalidCredentials())
        self.user = user
        return self.get_tokens(user)

    def get_token_claims(self, user: Any) -> dict[str, Any]:
        """Hook: custom claims for the new tokens of ``user`` (never reserved ones)."""
        return {}

    def get_tokens(self, user: Any) -> dict[str, Any]:
        refresh = RefreshToken.for_user(user, claims=self.get_token_claims(user))
        access = refresh.make_access_token(fresh=True)
        return {"access_token": str(access), "refresh_token": str(refresh)}


class TokenRefreshSerializer(serializers.Serializer[Any]):
    """A refresh token from the ``Authorization`` header (or the JSON body) in, an access
    token out: never fresh."""

    refresh_token = serializers.CharField(required=False, write_only=True, trim_whitespace=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context["request"]
        token = request.auth
        if not isinstance(token, RefreshToken):
            raw = attrs.get("refresh_token")
            if raw is None:
                raise NotAuthenticated()
            try:
                self.user, token = PasetoRefreshAuthentication().authenticate_token(raw, "json")
            except TokenError as err:
                raise to_api_exception(err) from err
        else:
            self.user = request.user
        self.token = token
        return self.get_tokens(token)

    def get_tokens(self, refresh: Token) -> dict[str, Any]:
        assert isinstance(refresh, RefreshToken)
        return {"access_token": str(refresh.access_token)}


class _AnyTokenAuthentication(PasetoAuthentication):
    token_class = Token


class TokenVerifySerializer(serializers.Serializer[Any]):
    """``{"token"}`` in: 200 when it would be accepted, 401 with the reason otherwise."""

    token = serializers.CharField(write_only=True, trim_whitespace=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            _, token = _AnyTokenAuthentication().authenticate_token(attrs["token"], "json")
        except TokenError as err:
            raise to_api_exception(err) from err
        return {"token_type": token.type, "expires_at": token["exp"]}


def get_serializer_class(setting: str) -> type[serializers.Serializer[Any]]:
    """The serializer class a setting names, imported once per settings change."""
    from django.utils.module_loading import import_string

    cache = api_settings.derived
    if setting not in cache:
        cache[setting] = import_string(getattr(api_settings, setting))
    cls: type[serializers.Serializer[Any]] = cache[setting]
    return cls
