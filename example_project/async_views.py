"""The async examples: an adrf view and a django-ninja API, on the same tokens and login
sessions as the DRF views (docs/async.md, docs/ninja.md)."""

from typing import Any

from adrf.views import APIView as AsyncAPIView
from django.http import HttpRequest
from ninja import NinjaAPI
from rest_framework.request import Request
from rest_framework.response import Response

from drf_paseto.adrf import AsyncPasetoAuthentication
from drf_paseto.ninja import (
    AsyncPasetoAuth,
    PasetoFreshAuth,
    get_router,
    install_exception_handlers,
)
from drf_paseto.permissions import IsAccessToken, IsFreshToken


class AsyncProtectedView(AsyncAPIView):
    """``protected/`` as an adrf async view: any access token."""

    authentication_classes = [AsyncPasetoAuthentication]
    permission_classes = [IsAccessToken]

    async def get(self, request: Request) -> Response:
        return Response({"user": request.user.get_username(), "async": True})


class AsyncFreshView(AsyncProtectedView):
    """``fresh/`` as an adrf async view: a fresh access token only."""

    permission_classes = [IsFreshToken]


api = NinjaAPI(title="drf_paseto example (django-ninja)", urls_namespace="ninja")
install_exception_handlers(api)
api.add_router("/auth/", get_router())  # ninja/auth/login/, refresh/, logout/, logout/all/


@api.get("/protected/", auth=AsyncPasetoAuth())
async def protected(request: HttpRequest) -> dict[str, Any]:
    """Any access token (an async operation: authenticated on the event loop)."""
    return {"user": request.user.get_username(), "framework": "ninja"}


@api.get("/fresh/", auth=PasetoFreshAuth())
def fresh(request: HttpRequest) -> dict[str, Any]:
    """A fresh access token only."""
    return {"user": request.user.get_username(), "framework": "ninja"}
