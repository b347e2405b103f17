"""The end-to-end rows' protected views: one per package, the same view body; and the same
view as an adrf async view (drf_paseto's async authenticators) for the async rows."""

from adrf.views import APIView as AsyncAPIView
from django.urls import path
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication

from drf_paseto.adrf import AsyncPasetoAuthentication, AsyncPasetoStatelessAuthentication
from drf_paseto.authentication import PasetoAuthentication


class PasetoProtectedView(APIView):
    authentication_classes = [PasetoAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response({"user": request.user.get_username()})


class JWTProtectedView(PasetoProtectedView):
    authentication_classes = [JWTAuthentication]


class KnoxProtectedView(PasetoProtectedView):
    authentication_classes = [KnoxTokenAuthentication]


class AsyncPasetoProtectedView(AsyncAPIView):
    """``PasetoProtectedView`` as an adrf view: authenticated on the event loop."""

    authentication_classes = [AsyncPasetoAuthentication]
    permission_classes = [IsAuthenticated]

    async def get(self, request: Request) -> Response:
        return Response({"user": request.user.get_username()})


class AsyncStatelessProtectedView(AsyncPasetoProtectedView):
    authentication_classes = [AsyncPasetoStatelessAuthentication]


urlpatterns = [
    path("paseto/protected/", PasetoProtectedView.as_view()),
    path("jwt/protected/", JWTProtectedView.as_view()),
    path("knox/protected/", KnoxProtectedView.as_view()),
    path("async/protected/", AsyncPasetoProtectedView.as_view()),
    path("async/stateless/", AsyncStatelessProtectedView.as_view()),
]
