"""The original's example views, as DRF views."""

from typing import Any

from django.urls import reverse
from django.views.generic import TemplateView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_paseto.permissions import IsAccessToken, IsFreshToken


def username_of(request: Request) -> Any:
    return request.user.get_username() if request.user.is_authenticated else None


class ProtectedView(APIView):
    """Any access token, fresh or not (the original's ``paseto_required()``)."""

    permission_classes = [IsAccessToken]

    def get(self, request: Request) -> Response:
        return Response({"user": username_of(request)})


class FreshView(ProtectedView):
    """A fresh access token only: one that came from logging in with credentials."""

    permission_classes = [IsFreshToken]


class OptionalView(ProtectedView):
    """Anonymous without a token, the user with a valid one, 401 with a bad one."""

    permission_classes = [AllowAny]


class OrdersView(APIView):
    """The resource service's API (example_project/resource_settings.py): the user is a
    ``TokenUser`` built from the issuer's token, whose ``pk`` is the token's subject."""

    permission_classes = [IsAccessToken]

    def get(self, request: Request) -> Response:
        return Response({"service": "resource", "user_id": request.user.pk, "orders": []})


class DemoView(TemplateView):
    """The browser demo page: log in with cookies, call protected/ and fresh/, refresh, list
    and end sessions, log out, with a little inline JavaScript and no build step."""

    template_name = "example_project/demo.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["urls"] = {
            "login": reverse("browser-login"),
            "refresh": reverse("browser-refresh"),
            "logout": reverse("browser-logout"),
            "protected": reverse("protected"),
            "fresh": reverse("fresh"),
            "sessions": reverse("drf_paseto:sessions"),
            "logout_others": reverse("drf_paseto:logout_others"),
        }
        return context
