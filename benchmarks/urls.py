"""The benchmark's URLs: our token views and a protected view, and simplejwt's twins."""

from django.urls import include, path
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from drf_paseto.authentication import PasetoAuthentication


class PasetoProtectedView(APIView):
    authentication_classes = [PasetoAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response({"user": request.user.get_username()})


class JWTProtectedView(PasetoProtectedView):
    authentication_classes = [JWTAuthentication]


urlpatterns = [
    path("auth/", include("drf_paseto.urls")),
    path("protected/", PasetoProtectedView.as_view()),
    path("jwt/login/", TokenObtainPairView.as_view()),
    path("jwt/refresh/", TokenRefreshView.as_view()),
    path("jwt/protected/", JWTProtectedView.as_view()),
]
