"""OpenAPI 3 schema for drf_paseto through drf-spectacular (the ``spectacular`` extra).

drf-spectacular extensions: one security scheme per authenticator, and the bodies of the
token views. ``DrfPasetoConfig.ready()`` imports this module when drf-spectacular is
installed; settings are read while the schema is generated. docs/openapi.md describes what
the schema shows and how to extend it.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiViewExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from drf_paseto.cookies import COOKIES
from drf_paseto.sessions import SessionSerializer
from drf_paseto.settings import api_settings

ACCESS_SCHEME = "PasetoAuth"
REFRESH_SCHEME = "PasetoRefreshAuth"
ANY_TOKEN_SCHEME = "PasetoAnyTokenAuth"
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

    drf-spectacular's ``build_bearer_security_scheme_object`` makes it: OpenAPI 3.0's
    ``http``/``bearer`` scheme for ``Authorization: Bearer`` (header names and schemes are
    case-insensitive), an ``apiKey`` header whose value the client sends whole otherwise.
    """
    name: str = api_settings.HEADER_NAME
    prefix: str = api_settings.HEADER_TYPE or ""
    bearer = name.lower() == "authorization" and prefix.lower() == "bearer"
    definition = build_bearer_security_scheme_object(
        header_name="Authorization" if bearer else name,
        token_prefix="Bearer" if bearer else prefix,
        bearer_format=BEARER_FORMAT,
    )
    if bearer:
        description = f"A PASETO {token}: `{header_example('<token>')}`."
    elif prefix:
        description = (
            f'A PASETO {token} in the `{name}` header: the value is "{prefix} <token>" '
            "(prefix included)."
        )
    else:
        description = (
            f"A PASETO {token} in the `{name}` header: the value is the token itself, with no "
            "prefix."
        )
    return {**definition, "description": description}


def cookie_security_scheme(token_type: str) -> dict[str, Any]:
    """The ``token_type`` token in its httpOnly cookie; unsafe methods also need the CSRF
    header."""
    names = COOKIES[token_type]
    cookie, csrf_header, csrf_cookie = (
        names.value(part) for part in ("key", "csrf_header", "csrf_cookie")
    )
    description = f"A PASETO {token_type} token in the httpOnly `{cookie}` cookie."
    if api_settings.COOKIE_CSRF_PROTECT:
        methods = ", ".join(api_settings.CSRF_METHODS)
        description += (
            f" {methods} requests also send the `{csrf_header}` header with the value of the"
            f" `{csrf_cookie}` cookie (double submit)."
        )
    return {"type": "apiKey", "in": "cookie", "name": cookie, "description": description}


class PasetoScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """The base of the three extensions: a header scheme and, with ``"cookies"`` in
    ``TOKEN_LOCATION``, its cookie schemes, all alternatives (any one will do).

    Each authenticator class has schemes of its own names: drf-spectacular files a
    definition under the authenticator class that produced it, and one name for two classes
    would collide. Subclasses of the authenticators match too, at a negative priority, with
    their class name appended (``PasetoAuth_MyAuthentication``); a project's own extension
    for its subclass (priority 0, the default) takes precedence.
    """

    match_subclasses = True
    priority = -2
    #: The header scheme's name, and the token it carries.
    header_scheme = (ACCESS_SCHEME, "access token")
    #: The cookie schemes' names, and the token type of each one's cookie.
    cookie_schemes: tuple[tuple[str, str], ...] = (("PasetoCookieAuth", "access"),)

    def __init__(self, target: Any) -> None:
        super().__init__(target)  # type: ignore[no-untyped-call]
        scheme, token = self.header_scheme
        self.definitions = {self.scheme_name(scheme): header_security_scheme(token)}
        if "cookies" in api_settings.TOKEN_LOCATION:
            for name, token_type in self.cookie_schemes:
                self.definitions[self.scheme_name(name)] = cookie_security_scheme(token_type)
        self.name = list(self.definitions)

    def scheme_name(self, name: str) -> str:
        """``name`` for the authenticator itself, ``name_<ClassName>`` for a subclass."""
        target = self.target if isinstance(self.target, type) else type(self.target)
        # Matched, so target_class is loaded: the class itself.
        return name if target is self.target_class else f"{name}_{target.__name__}"

    def get_security_requirement(self, auto_schema: AutoSchema) -> list[dict[str, list[Any]]]:
        return [{scheme: []} for scheme in self.definitions]

    def get_security_definition(self, auto_schema: AutoSchema) -> list[dict[str, Any]]:
        return list(self.definitions.values())


class PasetoAuthenticationScheme(PasetoScheme):  # type: ignore[no-untyped-call]
    """``PasetoAuthentication``: an access token."""

    target_class = "drf_paseto.authentication.PasetoAuthentication"


class PasetoRefreshAuthenticationScheme(PasetoScheme):  # type: ignore[no-untyped-call]
    """``PasetoRefreshAuthentication``: a refresh token."""

    target_class = "drf_paseto.authentication.PasetoRefreshAuthentication"
    priority = -1  # before PasetoAuthentication's, whose subclass it is
    header_scheme = (REFRESH_SCHEME, "refresh token")
    cookie_schemes = (("PasetoRefreshCookieAuth", "refresh"),)


class PasetoAnyTokenAuthenticationScheme(PasetoScheme):  # type: ignore[no-untyped-call]
    """``PasetoAnyTokenAuthentication``: an access token or a refresh token."""

    target_class = "drf_paseto.authentication.PasetoAnyTokenAuthentication"
    priority = -1  # before PasetoAuthentication's, whose subclass it is
    header_scheme = (ANY_TOKEN_SCHEME, "access or refresh token")
    cookie_schemes = (
        ("PasetoAnyTokenCookieAuth", "access"),
        ("PasetoAnyTokenRefreshCookieAuth", "refresh"),
    )


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


class SessionListSerializer(serializers.Serializer[Any]):
    sessions = serializers.ListField(child=SessionSerializer())


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


# --- Introspection (many services) ----------------------------------------------------------


class IntrospectRequestSerializer(serializers.Serializer[Any]):
    """RFC 7662's request: the token, as a form field (or in a JSON body)."""

    token = serializers.CharField(write_only=True, help_text="The access token to judge.")
    token_type_hint = serializers.CharField(
        required=False, write_only=True, help_text='Ignored ("access_token" is assumed).'
    )


class IntrospectResponseSerializer(serializers.Serializer[Any]):
    """RFC 7662's answer; only ``active`` when it is false."""

    active = serializers.BooleanField(help_text="Whether the issuer accepts the token now.")
    sub = serializers.CharField(required=False, help_text="The token's subject.")
    token_type = serializers.CharField(required=False, help_text='Always "access".')
    jti = serializers.CharField(required=False, help_text="The token's id.")
    sid = serializers.CharField(required=False, help_text="Its login session.")
    iat = serializers.IntegerField(required=False, help_text="Issued at (seconds since 1970).")
    exp = serializers.IntegerField(required=False, help_text="Expires (seconds since 1970).")
    fresh = serializers.BooleanField(required=False, help_text="Whether the token is fresh.")


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
