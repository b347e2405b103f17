"""Async views of the suite (``/async/`` in tests/urls.py): adrf views like
tests/views.py's, and a django-ninja API (tests/test_adrf.py, tests/test_ninja.py,
tests/test_async_live.py)."""

from __future__ import annotations

from typing import Any

from adrf.views import APIView as AsyncAPIView  # type: ignore[import-untyped]
from django.db import OperationalError
from django.http import HttpRequest
from django.urls import include, path
from ninja import NinjaAPI
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from drf_paseto.adrf import (
    AsyncPasetoAuthentication,
    AsyncPasetoRefreshAuthentication,
    AsyncPasetoStatelessAuthentication,
)
from drf_paseto.authentication import PasetoAuthentication
from drf_paseto.exceptions import Forbidden
from drf_paseto.ninja import (
    AsyncPasetoAuth,
    AsyncPasetoFreshAuth,
    AsyncPasetoRefreshAuth,
    AsyncPasetoStatelessAuth,
    PasetoAuth,
    PasetoFreshAuth,
    PasetoRefreshAuth,
    get_router,
    install_exception_handlers,
)
from drf_paseto.permissions import IsAccessToken, IsFreshToken, IsRefreshToken
from tests import hop_probe


class AsyncProtectedView(AsyncAPIView):  # type: ignore[misc]
    authentication_classes = [AsyncPasetoAuthentication]
    permission_classes = [IsAccessToken]

    async def get(self, request: Request) -> Response:
        return Response({"user": request.user.get_username(), "token_type": request.auth.type})

    post = get


class AsyncViewWithSyncAuthentication(AsyncProtectedView):
    """The sync class on an adrf view: adrf 0.1.x calls it in its worker thread."""

    authentication_classes = [PasetoAuthentication]


class AsyncFreshView(AsyncProtectedView):
    permission_classes = [IsFreshToken]


class AsyncRefreshOnlyView(AsyncProtectedView):
    authentication_classes = [AsyncPasetoRefreshAuthentication]
    permission_classes = [IsRefreshToken]


class ProbedStatelessAuthentication(AsyncPasetoStatelessAuthentication):
    """Counts the thread hops of its own ``authenticate`` (``tests.hop_probe``)."""

    probe: dict[str, Any]

    async def authenticate(self, request: Request) -> Any:
        with hop_probe.scoped() as self.probe:
            return await super().authenticate(request)


class AsyncStatelessView(AsyncProtectedView):
    """A ``TokenUser``, no user query: the hops of authentication in the body."""

    authentication_classes = [ProbedStatelessAuthentication]

    async def get(self, request: Request) -> Response:
        return Response(
            {
                "user": request.user.pk,
                "token_type": request.auth.type,
                "probe": request.successful_authenticator.probe,
            }
        )


# --- django-ninja ------------------------------------------------------------------------------

api = NinjaAPI(urls_namespace="tests-ninja")
install_exception_handlers(api)
api.add_router("/auth/", get_router())


def _answer(request: HttpRequest) -> dict[str, Any]:
    user = request.user  # set by drf_paseto.ninja's auth classes
    return {"user": user.get_username(), "token_type": request.auth.type}  # type: ignore[attr-defined]


@api.get("/protected/", auth=PasetoAuth())
def protected(request: HttpRequest) -> dict[str, Any]:
    return _answer(request)


@api.get("/async/protected/", auth=AsyncPasetoAuth())
async def async_protected(request: HttpRequest) -> dict[str, Any]:
    return _answer(request)


@api.get("/fresh/", auth=PasetoFreshAuth())
def fresh(request: HttpRequest) -> dict[str, Any]:
    return _answer(request)


@api.get("/async/fresh/", auth=AsyncPasetoFreshAuth())
async def async_fresh(request: HttpRequest) -> dict[str, Any]:
    return _answer(request)


@api.post("/refresh-only/", auth=PasetoRefreshAuth())
def refresh_only(request: HttpRequest) -> dict[str, Any]:
    return _answer(request)


@api.post("/async/refresh-only/", auth=AsyncPasetoRefreshAuth())
async def async_refresh_only(request: HttpRequest) -> dict[str, Any]:
    return _answer(request)


@api.post("/async/cookie/", auth=AsyncPasetoAuth(token_location="cookies"))
async def async_cookie(request: HttpRequest) -> dict[str, Any]:
    return _answer(request)


@api.get("/raises/{what}/", auth=None)
def raises(request: HttpRequest, what: str) -> dict[str, Any]:
    """drf_paseto's, DRF's and the database's errors, raised by an operation of the project."""
    if what == "paseto":
        raise Forbidden("token_not_fresh")
    if what == "drf":
        raise exceptions.Throttled(wait=7)
    raise OperationalError("the database is away")


class ProbedStatelessAuth(AsyncPasetoStatelessAuth):
    """Counts the thread hops of its own ``authenticate`` (``tests.hop_probe``)."""

    async def authenticate(self, request: HttpRequest, token: str) -> Any:
        with hop_probe.scoped() as probe:
            accepted = await super().authenticate(request, token)
        request.paseto_probe = probe  # type: ignore[attr-defined]
        return accepted


@api.get("/async/stateless/", auth=ProbedStatelessAuth())
async def async_stateless(request: HttpRequest) -> dict[str, Any]:
    return {
        "user": request.user.pk,
        "token_type": request.auth.type,  # type: ignore[attr-defined]
        "probe": request.paseto_probe,  # type: ignore[attr-defined]
    }


urlpatterns = [
    # drf_paseto.urls as adrf views (tests/test_adrf_views.py).
    path("auth/", include(("drf_paseto.adrf_urls", "drf_paseto"), namespace="drf_paseto_async")),
    path("ninja/", api.urls),
    path("protected/", AsyncProtectedView.as_view()),
    path("sync-authentication/", AsyncViewWithSyncAuthentication.as_view()),
    path("fresh/", AsyncFreshView.as_view()),
    path("refresh-only/", AsyncRefreshOnlyView.as_view()),
    path("stateless/", AsyncStatelessView.as_view()),
]
