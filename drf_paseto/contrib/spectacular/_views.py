"""The schemas of drf_paseto's own views: summaries, request bodies and every answer."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from drf_paseto.contrib.spectacular._schemes import header_example
from drf_paseto.contrib.spectacular._serializers import (
    AccessTokenSerializer,
    ErrorSerializer,
    IntrospectRequestSerializer,
    IntrospectResponseSerializer,
    LogoutSerializer,
    PublicKeysResponseSerializer,
    SessionListSerializer,
    TokenPairSerializer,
    TokenVerifyResponseSerializer,
    ValidationErrorSerializer,
)
from drf_paseto.settings import api_settings


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


def bad_request() -> OpenApiResponse:
    return OpenApiResponse(
        response=ValidationErrorSerializer,
        description="The body cannot be parsed (parse_error) or a field is invalid "
        "(invalid_request, with the fields' errors).",
    )


def unavailable(codes: str) -> OpenApiResponse:
    return error(f"Tokens cannot be handled right now; try again later ({codes}).")


UNAUTHORIZED_TOKEN = (
    "No token of ours, or one that cannot be accepted (not_authenticated, token_invalid, "
    "token_expired, token_wrong_type, token_revoked, bad_authorization_header, "
    "bad_json_token, user_not_found, user_inactive, …). The response carries a "
    "WWW-Authenticate challenge."
)


def replace(view: type[APIView], **schema: Any) -> type[APIView]:
    """A subclass of ``view`` annotated with ``extend_schema(**schema)``; ``view`` is unchanged."""
    replacement = type(view.__name__, (view,), {"__module__": view.__module__})
    annotated: type[APIView] = extend_schema(**schema)(replacement)
    return annotated


class TokenObtainViewSchema(OpenApiViewExtension):  # type: ignore[no-untyped-call]
    target_class = "drf_paseto.views.TokenObtainView"

    def view_replacement(self) -> type[APIView]:
        # The request body is the view's serializer_class's (username field and password).
        return replace(
            self.target,
            summary="Log in: a fresh access token and a refresh token",
            description=(
                "Send the user's credentials (the user model's USERNAME_FIELD and "
                "`password`); every configured authentication backend applies. The access "
                "token is fresh; the refresh token starts a new login session."
            ),
            responses={
                200: TokenPairSerializer,
                400: bad_request(),
                401: error(
                    "The credentials are wrong, or the user is inactive (invalid_credentials)."
                ),
                503: unavailable("keys_unavailable, database_unavailable"),
            },
        )


class TokenRefreshViewSchema(OpenApiViewExtension):  # type: ignore[no-untyped-call]
    target_class = "drf_paseto.views.TokenRefreshView"

    def view_replacement(self) -> type[APIView]:
        key = api_settings.REFRESH_JSON_KEY
        description = (
            f"Send a refresh token in the header (`{header_example('<refresh_token>')}`) or "
            f'in the JSON body as `{{"{key}": "<refresh_token>"}}`; the header wins when both '
            "carry one. The new access token is never fresh."
        )
        unauthorized = UNAUTHORIZED_TOKEN
        if api_settings.ROTATE_REFRESH_TOKENS:
            response: type[serializers.Serializer[Any]] = TokenPairSerializer
            unauthorized += " A spent refresh token sent again: token_reused."
            description += (
                " Refresh tokens are rotated: the one sent is spent and a new one of the same "
                "session is returned. Sending a spent one again revokes the whole session "
                "(401 token_reused)."
            )
        else:
            response = AccessTokenSerializer
        # The request body is the view's serializer_class's (the optional REFRESH_JSON_KEY),
        # read from JSON only: the authenticator ignores form bodies.
        return replace(
            self.target,
            summary="Refresh: a new access token for a refresh token",
            description=description,
            request={"application/json": self.target.serializer_class},
            responses={
                200: response,
                400: bad_request(),
                401: error(unauthorized),
                503: unavailable(
                    "keys_unavailable, revocation_store_unavailable, database_unavailable"
                ),
            },
        )


class TokenVerifyViewSchema(OpenApiViewExtension):  # type: ignore[no-untyped-call]
    target_class = "drf_paseto.views.TokenVerifyView"

    def view_replacement(self) -> type[APIView]:
        return replace(
            self.target,
            summary="Verify a token",
            description=(
                f'Send `{{"token": "<token>"}}` or the header `{header_example("<token>")}` '
                "(the header wins): 200 with its type and expiry when it would be accepted "
                "(signature or encryption, claims, revocation, user), 401 with the reason "
                "otherwise."
            ),
            responses={
                200: TokenVerifyResponseSerializer,
                400: bad_request(),
                401: error("The token would not be accepted; the code says why."),
                503: unavailable(
                    "keys_unavailable, revocation_store_unavailable, database_unavailable"
                ),
            },
        )


class PublicKeysViewSchema(OpenApiViewExtension):  # type: ignore[no-untyped-call]
    target_class = "drf_paseto.views.PublicKeysView"

    def view_replacement(self) -> type[APIView]:
        return replace(
            self.target,
            summary="The public keys that verify our tokens",
            description=(
                "The public keys of the v4.public / v3.public purpose, as PASERK; `current` marks "
                "the one that signs new tokens. Empty with the local purpose: local "
                "and secret keys are never shown."
            ),
            request=None,
            responses={200: PublicKeysResponseSerializer, 503: unavailable("keys_unavailable")},
        )


class _RevokeViewSchema(OpenApiViewExtension):  # type: ignore[no-untyped-call]
    summary = ""
    what = ""

    def view_replacement(self) -> type[APIView]:
        key = api_settings.REFRESH_JSON_KEY
        return replace(
            self.target,
            summary=self.summary,
            description=(
                f"{self.what} Send an access or a refresh token of the session in the header "
                f"(`{header_example('<token>')}`) or in the JSON body as "
                f'`{{"{key}": "<token>"}}`. Answers 204 with no body.'
            ),
            request={"application/json": LogoutSerializer},
            responses={
                204: OpenApiResponse(description="Revoked."),
                400: error("The JSON body cannot be parsed (parse_error)."),
                401: error(UNAUTHORIZED_TOKEN),
                404: error(
                    "This server does not revoke tokens: DENYLIST_ENABLED is off "
                    "(revocation_disabled)."
                ),
                503: unavailable(
                    "keys_unavailable, revocation_store_unavailable, database_unavailable"
                ),
            },
        )


class LogoutViewSchema(_RevokeViewSchema):  # type: ignore[no-untyped-call]
    target_class = "drf_paseto.views.LogoutView"
    summary = "Log out: revoke this login session"
    what = "Revokes the access and refresh tokens of this login session only."


class LogoutAllViewSchema(_RevokeViewSchema):  # type: ignore[no-untyped-call]
    target_class = "drf_paseto.views.LogoutAllView"
    summary = "Log out everywhere: revoke every token of the user"
    what = "Revokes every token of the user, on every device; a new login works at once."


# --- The caller's sessions -------------------------------------------------------------------


SESSION_ERRORS = {
    401: error(UNAUTHORIZED_TOKEN + " A refresh token is token_wrong_type here."),
    404: error(
        "This server does not revoke tokens: DENYLIST_ENABLED is off (revocation_disabled)."
    ),
    503: unavailable("keys_unavailable, revocation_store_unavailable, database_unavailable"),
}


class SessionListViewSchema(OpenApiViewExtension):  # type: ignore[no-untyped-call]
    target_class = "drf_paseto.sessions.SessionListView"

    def view_replacement(self) -> type[APIView]:
        return replace(
            self.target,
            summary="List my sessions",
            description=(
                "The caller's live login sessions (not revoked, not expired), newest first; "
                "`current` marks the one of the access token sent."
            ),
            responses={200: SessionListSerializer, **SESSION_ERRORS},
        )


class SessionViewSchema(OpenApiViewExtension):  # type: ignore[no-untyped-call]
    target_class = "drf_paseto.sessions.SessionView"

    def view_replacement(self) -> type[APIView]:
        return replace(
            self.target,
            summary="End one of my sessions",
            description=(
                "Revokes one of the caller's sessions (the current one too): its access and "
                "refresh tokens are refused from then on. Answers 204 with no body."
            ),
            responses={
                204: OpenApiResponse(description="Ended."),
                **SESSION_ERRORS,
                404: error(
                    "Not one of the caller's live sessions (session_not_found; another "
                    "user's session gets the same answer), or DENYLIST_ENABLED is off "
                    "(revocation_disabled)."
                ),
            },
        )


class LogoutOthersViewSchema(OpenApiViewExtension):  # type: ignore[no-untyped-call]
    target_class = "drf_paseto.sessions.LogoutOthersView"

    def view_replacement(self) -> type[APIView]:
        return replace(
            self.target,
            summary="Log out my other sessions",
            description=(
                "Revokes every session of the caller's but the current one. Answers 204 "
                "with no body."
            ),
            request=None,
            responses={204: OpenApiResponse(description="Ended."), **SESSION_ERRORS},
        )


class IntrospectViewSchema(OpenApiViewExtension):  # type: ignore[no-untyped-call]
    target_class = "drf_paseto.views.IntrospectView"

    def view_replacement(self) -> type[APIView]:
        return replace(
            self.target,
            summary="Introspect a token (RFC 7662), for the issuer's resource services",
            description=(
                "HTTP Basic with a client id and secret of INTROSPECT_CLIENT_SECRETS. Answers "
                '`{"active": false}` for any token the issuer would not accept now.'
            ),
            request={
                "application/x-www-form-urlencoded": IntrospectRequestSerializer,
                "application/json": IntrospectRequestSerializer,
            },
            responses={
                200: IntrospectResponseSerializer,
                400: error("No token in the body (parse_error)."),
                401: error("No or wrong client credentials (invalid_client)."),
                404: error("No INTROSPECT_CLIENT_SECRETS (introspection_disabled)."),
                503: unavailable(
                    "keys_unavailable, revocation_store_unavailable, database_unavailable"
                ),
            },
            auth=[],
        )
