"""Ready-made views: login, refresh, verify, the public keys, logout and logout-all."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from typing import Any, cast

from django.apps import apps
from django.db import transaction
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from drf_paseto import _cookies, revocation
from drf_paseto._keys import get_key_ring
from drf_paseto._request import as_locations, is_token_text, read_request_data
from drf_paseto.authentication import (
    PasetoAnyTokenAuthentication,
    PasetoAuthentication,
    PasetoRefreshAuthentication,
)
from drf_paseto.exceptions import (
    CredentialsError,
    Forbidden,
    NotFound,
    PasetoError,
    TokenError,
    _add_hint,
    _as_api_exception,
    add_error_code,
)
from drf_paseto.serializers import (
    TokenObtainSerializer,
    TokenRefreshSerializer,
    TokenVerifySerializer,
)
from drf_paseto.settings import api_settings
from drf_paseto.throttling import LoginFailureThrottle, LoginRateThrottle
from drf_paseto.tokens import Token
from drf_paseto.utils import is_same_origin

__all__ = [
    "IntrospectView",
    "LogoutAllView",
    "LogoutView",
    "PasetoAPIView",
    "PublicKeysView",
    "TokenObtainView",
    "TokenRefreshView",
    "TokenVerifyView",
]


@functools.cache
def _say_the_app_is_missing() -> None:
    # The first view built in a project without the app (the URL check of ``manage.py check``,
    # ``runserver`` and ``migrate`` builds them) says so, once per process. A system check
    # cannot: Django registers checks in ``AppConfig.ready()``, which a missing app never runs.
    logging.getLogger("drf_paseto").warning(
        'drf_paseto: add "drf_paseto" to INSTALLED_APPS (its system checks, migrations and '
        "receivers); until then, requests that need its session tables answer 503"
    )


# Passwords and tokens stay out of Django's error reports (mail to ADMINS on any 5xx): every
# POST parameter, and every local variable of the frames below dispatch(), is hidden.
@method_decorator(sensitive_post_parameters(), name="dispatch")
@method_decorator(sensitive_variables(), name="dispatch")
class PasetoAPIView(GenericAPIView[Any]):
    """Base view: every error body is ``{"detail", "code"}`` (plus ``errors`` for fields).

    ``paseto_token_location`` (also ``as_view(paseto_token_location=...)``) overrides
    ``TOKEN_LOCATION`` for this view: where its tokens are read from, and where the token
    views deliver new ones (cookies for ``"cookies"``, the body for the others).
    """

    paseto_token_location: Sequence[str] | None = None
    #: Locations always read, whatever is configured (refresh/ and logout/ take the token
    #: from the header or the JSON body as fastapi-paseto-auth does).
    always_read_from: tuple[str, ...] = ()

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        """The view, outside ``ATOMIC_REQUESTS``: what it writes about sessions (a reuse, a
        rotation, a logout) commits whatever the response is."""
        if apps.ready and not apps.is_installed("drf_paseto"):
            _say_the_app_is_missing()
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    def get_delivery_locations(self) -> tuple[str, ...]:
        return as_locations(self.paseto_token_location)

    def get_paseto_token_location(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.get_delivery_locations(), *self.always_read_from)))

    def delivers_cookies(self) -> bool:
        return "cookies" in self.get_delivery_locations()

    def delivers_body(self) -> bool:
        return bool({"headers", "json"} & set(self.get_delivery_locations()))

    def check_origin(self, request: Request) -> None:
        """Refuse (403 ``origin_not_allowed``) a request a page of another site made:
        ``drf_paseto.utils.is_same_origin``, unless ``COOKIE_CSRF_PROTECT`` is off."""
        if api_settings.COOKIE_CSRF_PROTECT and not is_same_origin(request):
            raise Forbidden("origin_not_allowed")

    def get_serializer_class(self) -> type[serializers.Serializer[Any]]:
        if self.serializer_class is not None:
            return cast("type[serializers.Serializer[Any]]", self.serializer_class)
        return serializers.Serializer  # logout/, keys/: no body (OPTIONS still asks)

    def get_authenticate_header(self, request: Request) -> str:
        # Token views answer 401 with a challenge even when they take no authenticator.
        return PasetoAuthentication().authenticate_header(request)

    def handle_exception(self, exc: Exception) -> Response:
        # Where the errors of the layers below become DRF's: bad credentials, a store or
        # the database away (fail closed, in JSON), keys that cannot be used, custom claims
        # that cannot be issued (the reason logged, never answered). The project's exception
        # handler then runs, and the body gets drf_paseto's shape.
        exc = _as_api_exception(exc)
        response: Response = _add_hint(
            add_error_code(super().handle_exception(exc), exc), self.request
        )
        return response

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        # Token responses must never be cached (RFC 6749, section 5.1).
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response


class _TokenView(PasetoAPIView):
    """A POST whose serializer turns the request into tokens (or a verdict).

    A view that issues tokens into cookies refuses requests from pages of other sites
    (``check_origin``) before anything else: a forged form must not log the victim's browser
    into the attacker's account (login CSRF).
    """

    #: Whether this view issues tokens (login/, refresh/) or only judges one (verify/).
    issues_tokens = True

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if self.issues_tokens and self.delivers_cookies():
            self.check_origin(request)
        super().initial(request, *args, **kwargs)

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["bind_csrf"] = self.delivers_cookies() and api_settings.COOKIE_CSRF_PROTECT
        return context

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=self.get_request_data(request))
        serializer.is_valid(raise_exception=True)
        issued: dict[str, Token] = getattr(serializer, "issued", {})
        body = dict(serializer.validated_data)
        if issued and not self.delivers_body():
            # Cookie-only: no token string in the body, where page scripts could read it.
            body = {f"{name}_token_expires_at": token["exp"] for name, token in issued.items()}
        response = Response(body)
        if issued and self.delivers_cookies():
            _cookies.set_token_cookies(response, issued)
        return response

    def get_request_data(self, request: Request) -> Any:
        """The body, or a plain 400 ``parse_error`` (see ``read_request_data``)."""
        return read_request_data(request)


class TokenObtainView(_TokenView):
    """POST credentials: a fresh access token and a refresh token. Throttled (scope
    ``paseto_login``)."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (LoginRateThrottle, LoginFailureThrottle)
    serializer_class = TokenObtainSerializer

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # LoginFailureThrottle counted this attempt before the credentials were checked; it
        # stays counted only when they were wrong.
        wrong_credentials = False
        try:
            return super().post(request, *args, **kwargs)
        except (CredentialsError, exceptions.AuthenticationFailed):
            # Wrong credentials (a custom serializer may raise DRF's own exception).
            wrong_credentials = True
            raise
        finally:
            if not wrong_credentials:
                self._refund_failure(request)

    def check_throttles(self, request: Request) -> None:
        # DRF asks every throttle, so the failure count took this attempt even when another
        # throttle refuses it: no password is checked, nothing failed.
        try:
            super().check_throttles(request)
        except exceptions.Throttled:
            self._refund_failure(request)
            raise

    def _refund_failure(self, request: Request) -> None:
        """Take back the attempt ``LoginFailureThrottle`` counted for this request."""
        for throttle in self.get_throttles():
            if isinstance(throttle, LoginFailureThrottle):
                throttle.refund(request, self)


class TokenRefreshView(_TokenView):
    """POST with ``Authorization: Bearer <refresh_token>`` (or ``{"refresh_token"}``): a new
    access token, not fresh; with rotation, a new refresh token too."""

    authentication_classes = (PasetoRefreshAuthentication,)
    permission_classes = (AllowAny,)  # the serializer answers 401 without a refresh token
    serializer_class = TokenRefreshSerializer
    always_read_from = ("headers", "json")


class TokenVerifyView(_TokenView):
    """POST ``{"token"}``, or the token in ``Authorization: Bearer`` as refresh/ and logout/
    take it (the header wins): 200 when valid, 401 with the reason otherwise."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    serializer_class = TokenVerifySerializer
    issues_tokens = False

    def get_request_data(self, request: Request) -> Any:
        header = PasetoAuthentication().get_header_token(request)  # 401 when malformed
        if header is not None:
            return {"token": header}
        return super().get_request_data(request)


class PublicKeysView(PasetoAPIView):
    """GET the public keys that verify our v4.public / v3.public tokens, as PASERK.

    Local and secret keys are never shown: with the local purpose the list is empty. The
    answer may be cached (``Cache-Control: public, max-age=<KEYS_MAX_AGE_SECONDS>``): services
    that follow these keys (``KEYS_URL``) fetch them again within that time at the latest.
    """

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:  # public keys, not tokens: they may be cached
            max_age = int(api_settings.KEYS_MAX_AGE_SECONDS)
            response["Cache-Control"] = f"public, max-age={max_age}"
            del response["Pragma"]
        return response

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ring = get_key_ring()
        keys = [
            {
                "kid": key.kid,
                "paserk": key.public_paserk(),
                "version": f"v{key.version}",
                "purpose": "public",
                "current": key.kid == ring.signing_kid,
            }
            for key in ring.public_keys()
        ]
        return Response({"keys": keys})


class _RevokeView(PasetoAPIView):
    """POST with a token of the session (access or refresh): revoke, then 204."""

    authentication_classes = (PasetoAnyTokenAuthentication,)
    permission_classes = (AllowAny,)  # checked in post(): 401 without a token of ours
    always_read_from = ("headers", "json")

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.delivers_cookies() and (
            response.status_code == 204
            or (response.status_code == 401 and _cookies.sent_token_cookie(request))
        ):
            # Logged out, or the cookies it sent hold no usable token: clear them. Not on a
            # 403 (a request without the CSRF header, perhaps forged, must change nothing),
            # nor for a request that sent no token cookie at all.
            _cookies.clear_token_cookies(response)
        return response

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not api_settings.DENYLIST_ENABLED:
            if self.delivers_cookies():
                # Nothing to revoke server-side: clearing the cookies is the logout, for a
                # request that is ours: a token of ours (its CSRF header checked), or one from
                # our own pages. A page of another site must not log the user out.
                if not isinstance(request.auth, Token):
                    self.check_origin(request)
                return Response(status=status.HTTP_204_NO_CONTENT)
            raise NotFound("revocation_disabled")
        token = request.auth
        if not isinstance(token, Token):
            raise TokenError("not_authenticated")
        self.revoke(request, token)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def revoke(self, request: Request, token: Token) -> None:
        raise NotImplementedError


class LogoutView(_RevokeView):
    """Revoke the tokens of this login session only (its access and refresh tokens)."""

    def revoke(self, request: Request, token: Token) -> None:
        revocation.revoke_session(
            token.session_id,
            token.subject,
            reason="logout",
            user=request.user,
            request=request,
            sender=type(self),
        )


class LogoutAllView(_RevokeView):
    """Revoke every token of the user, on every device; a new login works at once."""

    def revoke(self, request: Request, token: Token) -> None:
        revocation.revoke_user(
            token.subject,
            reason="logout_all",
            user=request.user,
            request=request,
            sender=type(self),
        )


class IntrospectView(PasetoAPIView):
    """POST ``token=<access token>`` (form or JSON), as a client of the issuer: after
    RFC 7662, ``{"active": true, "sub", "token_type", "jti", "sid", "iat", "exp", "fresh"}``
    or ``{"active": false}``.

    Clients authenticate with HTTP Basic, a client id and its secret from
    ``INTROSPECT_CLIENT_SECRETS`` (404 ``introspection_disabled`` when there is none). The
    token is judged as ``PasetoAuthentication`` would: decoded, its claims checked, its
    login session checked when revocation is on, its user active. A judge that cannot
    decide (the store or database away) answers 503, never ``active: false`` or ``true``.
    Nothing is changed by asking: a refresh token is simply not active here.
    """

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get_authenticate_header(self, request: Request) -> str:
        return 'Basic realm="introspect"'

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from drf_paseto._introspection import client_of

        if not api_settings.INTROSPECT_CLIENT_SECRETS:
            raise NotFound("introspection_disabled")
        if client_of(request.META.get("HTTP_AUTHORIZATION", "")) is None:
            raise CredentialsError("invalid_client")
        data = read_request_data(request)
        raw = data.get("token") if hasattr(data, "get") else None
        if not isinstance(raw, str) or not raw:
            raise exceptions.ParseError()
        if not is_token_text(raw):
            return Response({"active": False})
        try:
            _, token = PasetoAuthentication().authenticate_token(raw, "introspection", request)
        except PasetoError as err:
            if err.status_code >= 500:
                raise
            return Response({"active": False})
        answer: dict[str, Any] = {
            "active": True,
            "sub": token.subject,
            "token_type": token.type,
            "jti": token.jti,
            "sid": token.session_id,
            "iat": int(token.issued_at.timestamp()),
            "exp": int(token.expires_at.timestamp()),
            "fresh": token.get("fresh") is True,
        }
        return Response(answer)
