"""Async views of the suite (``/async/`` in tests/urls.py): adrf views like
tests/views.py's, and a django-ninja API (tests/test_adrf.py, tests/test_ninja.py,
tests/test_async_live.py)."""

from __future__ import annotations

from typing import Any

from adrf.views import APIView as AsyncAPIView  # type: ignore[import-untyped]
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response

from drf_paseto.adrf import (
    AsyncPasetoAuthentication,
    AsyncPasetoRefreshAuthentication,
    AsyncPasetoStatelessAuthentication,
)
from drf_paseto.permissions import IsAccessToken, IsFreshToken, IsRefreshToken
from tests import hop_probe


class AsyncProtectedView(AsyncAPIView):  # type: ignore[misc]
    authentication_classes = [AsyncPasetoAuthentication]
    permission_classes = [IsAccessToken]

    async def get(self, request: Request) -> Response:
        return Response({"user": request.user.get_username(), "token_type": request.auth.type})

    post = get


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


urlpatterns = [
    path("protected/", AsyncProtectedView.as_view()),
    path("fresh/", AsyncFreshView.as_view()),
    path("refresh-only/", AsyncRefreshOnlyView.as_view()),
    path("stateless/", AsyncStatelessView.as_view()),
]
