"""Request and response bodies of the token views. Replaceable through DRF's own mechanism,
the view's ``serializer_class`` (``TokenObtainView.as_view(serializer_class=...)`` or a
subclass)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, get_user_model, user_logged_in
from rest_framework import serializers

from drf_paseto import clock, receivers, revocation, signals
from drf_paseto.authentication import PasetoAuthentication
from drf_paseto.exceptions import CredentialsError, TokenError
from drf_paseto.settings import api_settings
from drf_paseto.tokens import RefreshToken, Token

__all__ = [
    "TokenObtainSerializer",
    "TokenRefreshSerializer",
    "TokenVerifySerializer",
]


# Django's own ceiling for password length (hashers.MAXIMUM_PASSWORD_LENGTH).
_MAX_PASSWORD_LENGTH = 4096
_MAX_USERNAME_LENGTH = 1024


class _IssuingSerializer(serializers.Serializer[Any]):
    """Base of the serializers that issue tokens: ``issue()`` is where they leave."""

    #: The token objects issued by ``issue()``, by name ("access", "refresh"): the view
    #: sets cookies from them when cookies are a token location.
    issued: dict[str, Token]

    def issue(self, **tokens: Token) -> dict[str, str]:
        """Finish the new tokens (a ``csrf`` claim when the view delivers cookies) and return
        the response body: ``{"<name>_token": "<token>"}``."""
        if self.context.get("bind_csrf"):
            for token in tokens.values():
                token.bind_csrf()
        self.issued = tokens
        return {f"{name}_token": str(token) for name, token in tokens.items()}


class TokenObtainSerializer(_IssuingSerializer):
    """``{"<USERNAME_FIELD>", "password"}`` in, ``{"access_token", "refresh_token"}`` out.

    Credentials go through Django's ``authenticate()``, so every configured auth backend
    applies. Override ``get_token_claims()`` to add custom claims to both tokens.
    """

    password = serializers.CharField(
        write_only=True,
        trim_whitespace=False,
        max_length=_MAX_PASSWORD_LENGTH,
        style={"input_type": "password"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[self.username_field] = serializers.CharField(
            write_only=True, max_length=_MAX_USERNAME_LENGTH
        )

    @property
    def username_field(self) -> str:
        return str(get_user_model().USERNAME_FIELD)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        credentials = {
            self.username_field: attrs[self.username_field],
            "password": attrs["password"],
        }
        # Taken before the credentials are checked: a logout-all or a password change that
        # lands while they are being checked revokes this login's session too.
        self.auth_time = clock.current_time()
        with receivers.checking_password(attrs["password"]):  # a hash upgrade is no change
            user = authenticate(self.context.get("request"), **credentials)
        if user is None or getattr(user, "is_active", True) is False:
            raise CredentialsError("invalid_credentials")
        self.user = user
        tokens = self.get_tokens(user)
        request = self.context.get("request")
        if api_settings.UPDATE_LAST_LOGIN:
            # Django's own receiver of user_logged_in updates last_login, as login() does.
            user_logged_in.send(
                sender=type(user), request=getattr(request, "_request", request), user=user
            )
        signals.token_obtained.send(
            sender=type(self),
            user=user,
            session_id=self.session_id,
            request=self.context.get("request"),
        )
        return tokens

    def get_token_claims(self, user: Any) -> dict[str, Any]:
        """Hook: custom claims for the new tokens of ``user`` (never reserved ones)."""
        return {}

    def get_tokens(self, user: Any) -> dict[str, Any]:
        """A new login session: its refresh token and a fresh access token."""
        refresh = RefreshToken.for_user(user, claims=self.get_token_claims(user))
        access = refresh.make_access_token(fresh=True)
        revocation.start_session(
            user,
            refresh,
            access,
            auth_time=getattr(self, "auth_time", None),
            request=self.context.get("request"),
        )
        self.session_id = refresh.session_id
        return self.issue(access=access, refresh=refresh)


class TokenRefreshSerializer(_IssuingSerializer):
    """A refresh token in, a new access token out: never fresh.

    The view's authenticator reads the token from ``Authorization: Bearer`` or from the JSON
    body (``REFRESH_JSON_KEY``, ``"refresh_token"``); the header wins. With
    ``ROTATE_REFRESH_TOKENS`` the refresh token is spent and a new one of the same session
    is returned too; presenting a spent one again revokes its whole session (reuse).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Declared for schemas and browsable forms; the authenticator has already read it.
        self.fields[api_settings.REFRESH_JSON_KEY] = serializers.CharField(
            required=False, write_only=True, trim_whitespace=False
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context["request"]
        token = request.auth
        if not isinstance(token, RefreshToken):
            raise TokenError("not_authenticated")
        self.user, self.token = request.user, token
        tokens = self.get_tokens(token)
        signals.token_refreshed.send(
            sender=type(self),
            user=self.user,
            session_id=token.session_id,
            request=request,
            rotated="refresh_token" in tokens,
        )
        return tokens

    def get_tokens(self, refresh: RefreshToken) -> dict[str, Any]:
        """A new access token of ``refresh``'s session; with rotation, a new refresh token
        that replaces ``refresh``, whose second use is then a reuse (its session revoked)."""
        issued: dict[str, Token] = {"access": refresh.access_token}
        if api_settings.ROTATE_REFRESH_TOKENS:
            issued["refresh"] = RefreshToken.for_subject(
                refresh.subject, claims=refresh.custom_claims, session_id=refresh.session_id
            )
        if api_settings.DENYLIST_ENABLED:
            revocation._note_refresh(
                refresh, *issued.values(), user=self.user, request=self.context["request"]
            )
        return self.issue(**issued)


class _AnyTokenAuthentication(PasetoAuthentication):
    token_class = Token


class TokenVerifySerializer(serializers.Serializer[Any]):
    """``{"token"}`` in: 200 when it would be accepted, 401 with the reason otherwise."""

    token = serializers.CharField(write_only=True, trim_whitespace=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _, token = _AnyTokenAuthentication().authenticate_token(attrs["token"], "json")
        return {"token_type": token.type, "expires_at": token["exp"]}
