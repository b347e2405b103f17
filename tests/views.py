"""Views the tests authenticate against, one per protection the package offers."""

from typing import Any

from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_paseto.authentication import (
    PasetoAuthentication,
    PasetoRefreshAuthentication,
    PasetoStatelessAuthentication,
)
from drf_paseto.permissions import IsAccessToken, IsFreshToken, IsRefreshToken


def _username(request: Request) -> Any:
    return request.user.get_username() if request.user.is_authenticated else None


class ProtectedView(APIView):
    permission_classes = [IsAccessToken]

    def get(self, request: Request) -> Response:
        return Response({"user": _username(request)})

    post = get


class FreshView(ProtectedView):
    permission_classes = [IsFreshToken]


class OptionalView(ProtectedView):
    permission_classes = [AllowAny]


class AuthenticatedView(ProtectedView):
    permission_classes = [IsAuthenticated]


class OpenView(ProtectedView):
    authentication_classes = [PasetoAuthentication]
    permission_classes = [AllowAny]


class RefreshOnlyView(ProtectedView):
    authentication_classes = [PasetoRefreshAuthentication]
    permission_classes = [IsRefreshToken]


class StatelessView(ProtectedView):
    """What a resource service without the user table serves (docs/many-services.md)."""

    authentication_classes = [PasetoStatelessAuthentication]


class PasswordView(APIView):
    """POST ``{"password"}`` with a fresh access token: the user's new password."""

    permission_classes = [IsFreshToken]

    def post(self, request: Request) -> Response:
        request.user.set_password(request.data["password"])
        request.user.save()
        return Response(status=204)
