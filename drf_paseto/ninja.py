"""django-ninja: auth classes, errors and the token endpoints
(the ``ninja`` extra, docs/ninja.md).

The auth classes are ``ninja.security.HttpBearer``s that hand the request to drf_paseto's
authenticators: the same token locations (``TOKEN_LOCATION``), CSRF double submit,
decoding, revocation and error codes as DRF views, on the same sessions. The token lands in
``request.auth`` (ninja's place for it) and its user in ``request.user``.

======================  ==========================  ===================================
token                   sync operations             async operations (no thread hop)
======================  ==========================  ===================================
access                  ``PasetoAuth``              ``AsyncPasetoAuth``
fresh access            ``PasetoFreshAuth``         ``AsyncPasetoFreshAuth``
refresh (refresh only)  ``PasetoRefreshAuth``       ``AsyncPasetoRefreshAuth``
access, no user query   ``PasetoStatelessAuth``     ``AsyncPasetoStatelessAuth``
======================  ==========================  ===================================

Errors are ``{"detail", "code"}`` bodies once ``install_exception_handlers(api)`` has run on
the project's ``NinjaAPI`` (ninja's own handlers answer ``{"detail"}`` only).
``get_router()`` serves ``login/``, ``refresh/``, ``logout/`` and ``logout/all/``: the DRF
views of ``drf_paseto.views`` themselves, so URLs' bodies, codes, throttles, cookies and
CSRF are theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.request import Request

from drf_paseto import adrf, authentication, views
from drf_paseto._request import as_locations
from drf_paseto.exceptions import Forbidden, PasetoError, _as_api_exception, exception_handler
from drf_paseto.tokens import AccessToken, Token

__all__ = [
    "AsyncPasetoAuth",
    "AsyncPasetoFreshAuth",
    "AsyncPasetoRefreshAuth",
    "AsyncPasetoStatelessAuth",
    "PasetoAuth",
    "PasetoFreshAuth",
    "PasetoRefreshAuth",
    "PasetoStatelessAuth",
    "get_router",
    "install_exception_handlers",
]


class PasetoAuth(HttpBearer):
    """An access token, for sync operations: ``auth=PasetoAuth()``.

    ``token_location`` overrides ``TOKEN_LOCATION`` for the operations it guards, as a DRF
    view's ``paseto_token_location`` does.
    """

    #: The drf_paseto authenticator that reads and judges the token.
    authentication_class: type[authentication.PasetoAuthentication] = (
        authentication.PasetoAuthentication
    )
    #: Whether only a fresh access token (one minted from credentials) is accepted.
    fresh = False
    #: Where tokens may come from; ``None``: ``TOKEN_LOCATION``.
    paseto_token_location: Sequence[str] | None = None

    def __init__(self, *, token_location: str | Sequence[str] | None = None) -> None:
        if token_location is not None:
            self.paseto_token_location = as_locations(token_location)
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        # The token is read where TOKEN_LOCATION says, not only from Authorization.
        return self.authenticate(request, "")

    def drf_request(self, request: HttpRequest) -> Request:
        """``request`` as the authenticators read it (DRF's ``Request``, JSON bodies)."""
        return Request(request, parsers=[JSONParser()], parser_context={"view": self})

    def accept(self, request: HttpRequest, found: tuple[Any, Token] | None) -> Token | None:
        """The token for ``request.auth`` (its user on ``request.user``), or ``None``."""
        if found is None:
            return None
        user, token = found
        if self.fresh and not (isinstance(token, AccessToken) and token.fresh):
            raise Forbidden("token_not_fresh")
        request.user = user
        return token

    def authenticate(self, request: HttpRequest, token: str) -> Token | None:
        """ninja's hook; ``token`` (the Authorization header's) is not used: the
        authenticator reads the request itself."""
        return self.accept(
            request, self.authentication_class().authenticate(self.drf_request(request))
        )


class PasetoFreshAuth(PasetoAuth):
    """A fresh access token (``token_not_fresh``, 403, otherwise)."""

    fresh = True


class PasetoRefreshAuth(PasetoAuth):
    """A refresh token: what refresh endpoints take, and nothing else does."""

    authentication_class = authentication.PasetoRefreshAuthentication


class PasetoStatelessAuth(PasetoAuth):
    """An access token and a ``TokenUser``: no user query."""

    authentication_class = authentication.PasetoStatelessAuthentication


class AsyncPasetoAuth(PasetoAuth):
    """An access token, for async operations: awaited on the event loop (ninja 1.0+)."""

    authentication_class: type[authentication.PasetoAuthentication] = adrf.AsyncPasetoAuthentication

    async def authenticate(self, request: HttpRequest, token: str) -> Token | None:  # type: ignore[override]
        authenticator: Any = self.authentication_class()
        return self.accept(request, await authenticator.authenticate(self.drf_request(request)))


class AsyncPasetoFreshAuth(AsyncPasetoAuth):
    fresh = True


class AsyncPasetoRefreshAuth(AsyncPasetoAuth):
    authentication_class = adrf.AsyncPasetoRefreshAuthentication


class AsyncPasetoStatelessAuth(AsyncPasetoAuth):
    """With the Redis store: no thread hop at all, for a token whose copy is in Redis."""

    authentication_class = adrf.AsyncPasetoStatelessAuthentication


# --- errors ------------------------------------------------------------------------------------

#: The response headers of DRF's answer that the ninja answer keeps.
_KEPT_HEADERS = ("WWW-Authenticate", "Retry-After")


def install_exception_handlers(api: NinjaAPI) -> None:
    """Answer drf_paseto's errors (and DRF's, and ninja's missing credentials) on ``api``
    with ``{"detail", "code"}`` bodies, the statuses and the ``WWW-Authenticate`` challenge
    of DRF views."""

    def handle(request: HttpRequest, exc: Any) -> HttpResponse:
        exc = _as_api_exception(exc)
        if isinstance(exc, AuthenticationError):  # no auth callback accepted the request
            exc = exceptions.NotAuthenticated()
        if isinstance(exc, (exceptions.AuthenticationFailed, exceptions.NotAuthenticated)):
            exc.auth_header = authentication.PasetoAuthentication().authenticate_header(  # type: ignore[union-attr]
                Request(request)
            )
        drf_request = Request(request, parsers=[JSONParser()])
        answer = exception_handler(exc, {"request": drf_request, "view": None})
        response = api.create_response(request, answer.data, status=answer.status_code)
        for name in _KEPT_HEADERS:
            if name in answer:
                response[name] = answer[name]
        return response

    for exc_class in (PasetoError, exceptions.APIException, AuthenticationError, DatabaseError):
        api.add_exception_handler(exc_class, handle)


# --- the token endpoints -------------------------------------------------------------------------


def get_router(
    *, token_location: str | Sequence[str] | None = None, tags: Sequence[str] = ("auth",)
) -> Router:
    """A new ``Router`` with ``login/``, ``refresh/``, ``logout/`` and ``logout/all/``:
    ``api.add_router("/auth/", get_router())``. Each operation is drf_paseto's DRF view
    (``token_location`` is its ``paseto_token_location``), public to ninja's auth: the
    views authenticate their own tokens."""
    router = Router(tags=list(tags))
    options: dict[str, Any] = (
        {} if token_location is None else {"paseto_token_location": as_locations(token_location)}
    )
    endpoints = (
        ("login", "login/", views.TokenObtainView, "Log in: a fresh access and a refresh token."),
        ("refresh", "refresh/", views.TokenRefreshView, "A refresh token in, an access token out."),
        ("logout", "logout/", views.LogoutView, "Revoke this login session's tokens."),
        ("logout_all", "logout/all/", views.LogoutAllView, "Revoke every token of the user."),
    )
    for name, route, view_class, summary in endpoints:
        router.add_api_operation(
            route,
            ["POST"],
            _operation(view_class.as_view(**options)),
            auth=None,
            summary=summary,
            operation_id=f"drf_paseto_{name}",
            url_name=f"paseto-{name.replace('_', '-')}",
        )
    return router


def _operation(view: Any) -> Any:
    """A ninja operation answering with the DRF ``view``'s response."""

    def operation(request: HttpRequest) -> HttpResponse:
        response: HttpResponse = view(request)
        return response

    return operation
