"""Ready-made views: login, refresh, verify, and the public keys."""

from __future__ import annotations

from typing import Any, cast

from rest_framework import exceptions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from drf_paseto.authentication import PasetoAuthentication, PasetoRefreshAuthentication
from drf_paseto.exceptions import add_error_code
from drf_paseto.keys import get_key_ring
from drf_paseto.serializers import get_serializer_class


class PasetoAPIView(GenericAPIView[Any]):
    """Base view: every error body is ``{"detail", "code"}`` (plus ``errors`` for fields)."""

    serializer_setting: str = ""

    def get_serializer_class(self) -> type[serializers.Serializer[Any]]:
        if self.serializer_class is not None:
            return cast("type[serializers.Serializer[Any]]", self.serializer_class)
        return get_serializer_class(self.serializer_setting)

    def get_authenticate_header(self, request: Request) -> str:
        # Token views answer 401 with a challenge even when they take no authenticator.
        return PasetoAuthentication().authenticate_header(request)

    def handle_exception(self, exc: Exception) -> Response:
        # The project's exception handler runs; the body then gets drf_paseto's shape.
        response: Response = add_error_code(super().handle_exception(exc), exc)
        return response


class TokenView(PasetoAPIView):
    """A POST whose serializer turns the request into tokens (or a verdict)."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=self.get_request_data(request))
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)

    def get_request_data(self, request: Request) -> Any:
        """``request.data``; a body that cannot be parsed is a plain 400 ``parse_error``.

        The parser's own message is not passed on: it can quote the body (a byte of the
        password and its position, for a body that is not UTF-8). And DRF's JSON parser lets
        ``RecursionError`` through on deeply nested input, which would be a 500.
        """
        try:
            return request.data
        except (exceptions.ParseError, RecursionError) as err:
            raise exceptions.ParseError() from err


class TokenObtainView(TokenView):
    """POST credentials: a fresh access token and a refresh token."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    serializer_setting = "TOKEN_OBTAIN_SERIALIZER"


class TokenRefreshView(TokenView):
    """POST with ``Authorization: Bearer <refresh_token>``: a new access token, not fresh."""

    authentication_classes = (PasetoRefreshAuthentication,)
    permission_classes = (AllowAny,)  # the token may also come in the body
    serializer_setting = "TOKEN_REFRESH_SERIALIZER"


class TokenVerifyView(TokenView):
    """POST ``{"token"}``: 200 when valid, 401 with the reason otherwise."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    serializer_setting = "TOKEN_VERIFY_SERIALIZER"


class PublicKeysView(PasetoAPIView):
    """GET the public keys that verify our v4.public / v3.public tokens, as PASERK.

    Local and secret keys are never shown: with the local purpose the list is empty.
    """

    authentication_classes = ()
    permission_classes = (AllowAny,)

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
