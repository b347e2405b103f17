"""OpenAPI 3 schema for drf_paseto through drf-spectacular (the ``spectacular`` extra).

``DrfPasetoConfig.ready()`` imports this module when drf-spectacular is installed, which
registers the extensions below with drf-spectacular:

- one security scheme per kind of token the authenticators accept: ``PasetoAuth`` (an access
  token, for ``PasetoAuthentication``) and ``PasetoRefreshAuth`` (a refresh token, for
  ``PasetoRefreshAuthentication``); ``PasetoSessionAuthentication`` accepts either. Both are
  ``http``/``bearer`` schemes with ``bearerFormat: PASETO`` for the default
  ``Authorization: Bearer <token>``, and ``apiKey`` schemes in the configured header
  otherwise (OpenAPI's bearer scheme knows no other header name and no other prefix);
- the request and response bodies of the token views (login, refresh, verify, keys, logout,
  logout-all), their ``{"detail", "code"}`` errors and logout's 204.

Every setting is read while the schema is generated, never at import, so
``override_settings`` and per-deployment settings are reflected. The targets are dotted
strings: nothing of drf_paseto's views is imported until drf-spectacular looks for them.

Only the views themselves are matched, not subclasses of them: a subclass that changes what
a view accepts or answers documents itself with ``@extend_schema``, and can reuse the
serializers defined here.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiViewExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ComponentIdentity, ResolvedComponent
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from drf_paseto.serializers import get_serializer_class
from drf_paseto.settings import api_settings

ACCESS_SCHEME = "PasetoAuth"
REFRESH_SCHEME = "PasetoRefreshAuth"
BEARER_FORMAT = "PASETO"

# --- Response bodies -------------------------------------------------------------------------


class TokenPairSerializer(serializers.Serializer[Any]):
    """A new login session: a fresh access token and its refresh token."""

    access_token = serializers.CharField(help_text="A PASETO access token (fresh after login).")
    refresh_token = serializers.CharField(help_text="A PASETO refresh token.")


class AccessTokenSerializer(serializers.Serializer[Any]):
    """A new access token, never fresh."""

    access_token = serializers.CharField(help_text="A PASETO access token (not fresh).")


class TokenVerifyResponseSerializer(serializers.Serializer[Any]):
    """The token would be accepted: its type and when it expires."""

    token_type = serializers.CharField(help_text='The token\'s type: "access", "refresh", …')
    expires_at = serializers.DateTimeField(help_text="The token's ``exp`` claim (ISO 8601).")


class PublicKeySerializer(serializers.Serializer[Any]):
    """A public key that verifies our v4.public / v3.public tokens, as PASERK."""

    kid = serializers.CharField(help_text="The key's PASERK id (the tokens' footer ``kid``).")
    paserk = serializers.CharField(help_text="The public key as PASERK (k4.public.…).")
    version = serializers.CharField(help_text='The PASETO version: "v4" or "v3".')
    purpose = serializers.CharField(help_text='Always "public".')
    current = serializers.BooleanField(help_text="Whether new tokens are signed with it.")


class PublicKeysResponseSerializer(serializers.Serializer[Any]):
    """The public keys; empty with the local purpose (local keys are never shown)."""

    keys = PublicKeySerializer(many=True)


class ErrorSerializer(serializers.Serializer[Any]):
    """Every drf_paseto error: a translatable message and a stable machine-readable code."""

    detail = serializers.CharField(help_text="A human-readable, translatable message.")
    code = serializers.CharField(help_text="A stable code, e.g. token_expired.")


class ValidationErrorSerializer(ErrorSerializer):
    """400: ``invalid_request`` with the fields' errors, or ``parse_error`` without."""

    # A declared field, which DRF's metaclass takes out of the class: Serializer.errors stays.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Field name → its error messages (invalid_request only).",
    )


class LogoutSerializer(serializers.Serializer[Any]):
    """The session's token in the JSON body, for clients that do not send the header."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[api_settings.REFRESH_JSON_KEY] = serializers.CharField(
            required=False,
            write_only=True,
            help_text="An access or a refresh token of the session, when not in the header.",
        )


# --- Security schemes ------------------------------------------------------------------------


def header_example(token: str) -> str:
    """How the configured header carries a token: ``Authorization: Bearer <token>``."""
    prefix = api_settings.HEADER_TYPE
    value = f"{prefix} {token}" if prefix else token
    return f"{api_settings.HEADER_NAME}: {value}"


def header_security_scheme(token: str) -> dict[str, Any]:
    """The security scheme for a token in the configured header (``HEADER_NAME``/``_TYPE``).

    OpenAPI 3.0's ``http``/``bearer`` scheme is the ``Authorization`` header with the
    ``Bearer`` prefix; any other header or prefix (or none) is an ``apiKey`` header whose
    value the client sends whole, prefix included.
    """
    name: str = api_settings.HEADER_NAME
    prefix: str = api_settings.HEADER_TYPE or ""
    if name.lower() == "authorization" and prefix.lower() == "bearer":
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": BEARER_FORMAT,
            "description": f"A PASETO {token}: `{header_example('<token>')}`.",
        }
    if prefix:
        how = f'the value is "{prefix} <token>" (prefix included)'
    else:
        how = "the value is the token itself, with no prefix"
    return {
        "type": "apiKey",
        "in": "header",
        "name": name,
        "description": f"A PASETO {token} in the `{name}` header: {how}.",
    }


# With "cookies" in TOKEN_LOCATION, each header scheme has a cookie twin (an alternative).
COOKIE_SCHEMES = {ACCESS_SCHEME: "PasetoCookieAuth", REFRESH_SCHEME: "PasetoRefreshCookieAuth"}
_COOKIE_SETTINGS = {
    ACCESS_SCHEME: ("ACCESS_COOKIE_KEY", "ACCESS_CSRF_HEADER_NAME", "ACCESS_CSRF_COOKIE_KEY"),
    REFRESH_SCHEME: ("REFRESH_COOKIE_KEY", "REFRESH_CSRF_HEADER_NAME", "REFRESH_CSRF_COOKIE_KEY"),
}


def cookie_security_scheme(header_scheme: str, token: str) -> dict[str, Any]:
    """The token in its httpOnly cookie; unsafe methods also need the CSRF header."""
    cookie, csrf_header, csrf_cookie = (
        getattr(api_settings, name) for name in _COOKIE_SETTINGS[header_scheme]
    )
    description = f"A PASETO {token} in the httpOnly `{cookie}` cookie."
    if api_settings.COOKIE_CSRF_PROTECT:
        methods = ", ".join(api_settings.CSRF_METHODS)
        description += (
            f" {methods} requests also send the `{csrf_header}` header with the value of the"
            f" `{csrf_cookie}` cookie (double submit)."
        )
    return {"type": "apiKey", "in": "cookie", "name": cookie, "description": description}


class PasetoScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """The base of the three extensions: ``schemes`` are alternatives (any one will do).

    drf-spectacular files a definition under the authenticator class that produced it, so two
    authenticators sharing a scheme (the session authenticator shares both) would collide. The
    schemes are registered here instead, each under one identity of its own, and ``name`` is
    left empty so that drf-spectacular registers nothing more.

    Subclasses of the authenticators match too, at a negative priority: a project's own
    extension for its subclass (priority 0, drf-spectacular's default) takes precedence.
    """

    match_subclasses = True
    priority = -2
    name: list[str] = []
    #: Scheme name -> the token it carries.
    schemes: dict[str, str] = {}

    def get_security_requirement(self, auto_schema: AutoSchema) -> list[dict[str, list[Any]]]:
        definitions = {
            scheme: header_security_scheme(token) for scheme, token in self.schemes.items()
        }
        if "cookies" in api_settings.TOKEN_LOCATION:
            for scheme, token in self.schemes.items():
                definitions[COOKIE_SCHEMES[scheme]] = cookie_security_scheme(scheme, token)
        for scheme, definition in definitions.items():
            auto_schema.registry.register_on_missing(
                ResolvedComponent(  # type: ignore[no-untyped-call]
                    name=scheme,
                    type=ResolvedComponent.SECURITY_SCHEMA,
                    object=ComponentIdentity(f"drf_paseto.{scheme}"),  # type: ignore[no-untyped-call]
                    schema=definition,
                )
            )
        return [{scheme: []} for scheme in definitions]

    def get_security_definition(self, auto_schema: AutoSchema) -> list[dict[str, Any]]:
        return []  # registered by get_security_requirement()


class PasetoAuthenticationScheme(PasetoScheme):  # type: ignore[no-untyped-call]
    """``PasetoAuthentication``: an access token in the header."""

    target_class = "drf_paseto.authentication.PasetoAuthentication"
    schemes = {ACCESS_SCHEME: "access token"}


class PasetoRefreshAuthenticationScheme(PasetoScheme):  # type: ignore[no-untyped-call]
    """``PasetoRefreshAuthentication``: a refresh token in the header."""

    target_class = "drf_paseto.authentication.PasetoRefreshAuthentication"
    priority = -1  # before PasetoAuthentication's, whose subclass it is
    schemes = {REFRESH_SCHEME: "refresh token"}


class PasetoSessionAuthenticationScheme(PasetoScheme):  # type: ignore[no-untyped-call]
    """``PasetoSessionAuthentication``: an access token or a refresh token."""

    target_class = "drf_paseto.authentication.PasetoSessionAuthentication"
    priority = -1  # before PasetoAuthentication's, whose subclass it is
    schemes = {ACCESS_SCHEME: "access token", REFRESH_SCHEME: "refresh token"}


# --- Token views -----------------------------------------------------------------------------


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
        # The request body is the TOKEN_OBTAIN_SERIALIZER's (username field and password).
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
        # The request body is the TOKEN_REFRESH_SERIALIZER's (the optional REFRESH_JSON_KEY),
        # read from JSON only: the authenticator ignores form bodies.
        return replace(
            self.target,
            summary="Refresh: a new access token for a refresh token",
            description=description,
            request={"application/json": get_serializer_class("TOKEN_REFRESH_SERIALIZER")},
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
