"""The token permissions (drf_paseto/permissions.py): what each view needs, and the second
line of defence behind a permissive authenticator."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.test import SimpleTestCase, override_settings
from django.urls import include, path
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_paseto.authentication import PasetoAuthentication, PasetoRefreshAuthentication
from drf_paseto.exceptions import InvalidToken, NotAuthenticated, TokenPermissionDenied
from drf_paseto.permissions import IsAccessToken, IsFreshToken, IsRefreshToken
from drf_paseto.tokens import AccessToken, RefreshToken, Token, create_token
from tests.helpers import TokenAPITestCase


class AnyTokenAuthentication(PasetoAuthentication):
    """A careless authenticator that lets every token of ours through, whatever its type."""

    token_class = Token


class _View(APIView):
    def get(self, request: Request) -> Response:
        user = request.user.get_username() if request.user.is_authenticated else None
        return Response({"user": user})


def view(authentication: list[Any], permission: type[BasePermission]) -> Any:
    attrs = {"authentication_classes": authentication, "permission_classes": [permission]}
    return type("TestView", (_View,), attrs).as_view()


PERMISSIONS = {"access": IsAccessToken, "fresh": IsFreshToken, "refresh": IsRefreshToken}
urlpatterns = [
    path("auth/", include("drf_paseto.urls")),
    # Misconfigured views: the authenticator of the other token type.
    path("mixed/access/", view([PasetoRefreshAuthentication], IsAccessToken)),
    path("mixed/fresh/", view([PasetoRefreshAuthentication], IsFreshToken)),
    path("mixed/refresh/", view([PasetoAuthentication], IsRefreshToken)),
    *(
        path(f"any/{name}/", view([AnyTokenAuthentication], permission))
        for name, permission in PERMISSIONS.items()
    ),
    *(
        path(f"session/{name}/", view([PasetoAuthentication, SessionAuthentication], permission))
        for name, permission in PERMISSIONS.items()
    ),
    path("none/access/", view([], IsAccessToken)),
]


class ViewPermissionTests(TokenAPITestCase):
    def test_fresh_and_refreshed_access_tokens(self) -> None:
        tokens = self.login()
        refreshed = self.refresh(tokens["refresh_token"])
        self.assertUser(self.get_with("/fresh/", tokens["access_token"]))
        self.assertUser(self.get_with("/protected/", tokens["access_token"]))
        self.assertError(self.get_with("/fresh/", refreshed), 403, "token_not_fresh")
        self.assertUser(self.get_with("/protected/", refreshed))
        # Refreshing again never gives a fresh token back; a new login does.
        again = self.refresh(tokens["refresh_token"])
        self.assertError(self.get_with("/fresh/", again), 403, "token_not_fresh")
        self.assertUser(self.get_with("/fresh/", self.login()["access_token"]))

    def test_refresh_token_is_refused_before_freshness_is_looked_at(self) -> None:
        tokens = self.login()
        self.assertError(self.get_with("/fresh/", tokens["refresh_token"]), 401, "token_wrong_type")

    def test_post_is_checked_too(self) -> None:
        tokens = self.login()
        refreshed = self.refresh(tokens["refresh_token"])
        response = self.client.post("/fresh/", **self.bearer(refreshed))
        self.assertError(response, 403, "token_not_fresh")
        response = self.client.post("/fresh/", **self.bearer(tokens["access_token"]))
        self.assertUser(response)

    def test_no_token(self) -> None:
        for url in ("/protected/", "/fresh/", "/refresh-only/"):
            with self.subTest(url=url):
                self.assertError(self.client.get(url), 401, "not_authenticated")

    def test_forced_authentication_with_a_token(self) -> None:
        self.client.force_authenticate(self.user, token=AccessToken.for_user(self.user, fresh=True))
        self.assertUser(self.client.get("/fresh/"))
        self.client.force_authenticate(self.user, token=AccessToken.for_user(self.user))
        self.assertUser(self.client.get("/protected/"))
        self.assertError(self.client.get("/fresh/"), 403, "token_not_fresh")
        self.client.force_authenticate(self.user)  # a user, no token
        self.assertError(self.client.get("/protected/"), 403, "token_required")


@override_settings(ROOT_URLCONF=__name__)
class SessionAuthenticatedTests(TokenAPITestCase):
    """A user logged in by session, on a view that demands a token: 403 token_required."""

    def test_session_user_has_no_token(self) -> None:
        self.client.force_login(self.user)
        for name in PERMISSIONS:
            with self.subTest(name=name):
                self.assertError(self.client.get(f"/session/{name}/"), 403, "token_required")

    def test_token_still_works_next_to_the_session_authenticator(self) -> None:
        tokens = self.login()
        self.assertUser(self.get_with("/session/access/", tokens["access_token"]))
        self.assertUser(self.get_with("/session/fresh/", tokens["access_token"]))
        # PasetoAuthentication comes first and refuses the refresh token outright.
        self.assertError(
            self.get_with("/session/refresh/", tokens["refresh_token"]), 401, "token_wrong_type"
        )

    def test_anonymous(self) -> None:
        for name in PERMISSIONS:
            with self.subTest(name=name):
                self.assertError(self.client.get(f"/session/{name}/"), 401, "not_authenticated")

    def test_view_without_authenticators(self) -> None:
        # Nobody can answer with a challenge: DRF turns the 401 into a 403, code kept.
        self.assertError(self.client.get("/none/access/"), 403, "not_authenticated")


@override_settings(ROOT_URLCONF=__name__)
class SecondLineOfDefenceTests(TokenAPITestCase):
    """Behind the wrong authenticator, the permissions still hold."""

    def test_refresh_authenticator_on_access_views(self) -> None:
        tokens = self.login()
        for name in ("access", "fresh"):
            with self.subTest(name=name):
                response = self.get_with(f"/mixed/{name}/", tokens["refresh_token"])
                self.assertError(response, 401, "token_wrong_type")
                # The authenticator itself refuses access tokens.
                response = self.get_with(f"/mixed/{name}/", tokens["access_token"])
                self.assertError(response, 401, "token_wrong_type")

    def test_access_authenticator_on_a_refresh_view(self) -> None:
        tokens = self.login()
        for raw in (tokens["access_token"], self.refresh(tokens["refresh_token"])):
            self.assertError(self.get_with("/mixed/refresh/", raw), 401, "token_wrong_type")

    def test_tokens_decoded_as_plain_token_are_refused(self) -> None:
        # An authenticator that decodes every type as ``Token`` skips the checks of
        # AccessToken / RefreshToken: the permissions fail closed, for every type.
        tokens = self.login()
        refreshed = self.refresh(tokens["refresh_token"])
        custom = str(create_token(self.user, "reset", lifetime=AccessToken.get_lifetime()))
        for name in PERMISSIONS:
            for raw in (tokens["access_token"], tokens["refresh_token"], refreshed, custom):
                with self.subTest(permission=name, token=Token(raw).type):
                    response = self.get_with(f"/any/{name}/", raw)
                    self.assertError(response, 401, "token_wrong_type")


class PermissionUnitTests(SimpleTestCase):
    """``has_permission`` against hand-made requests."""

    def request(self, auth: Any, authenticator: Any = "present") -> Any:
        if authenticator == "present":
            authenticator = PasetoAuthentication()
        return SimpleNamespace(auth=auth, successful_authenticator=authenticator)

    def payload(self, token_type: str, **extra: Any) -> dict[str, Any]:
        return {"sub": "1", "type": token_type, "jti": "j", "sid": "s", **extra}

    def test_grants(self) -> None:
        fresh = AccessToken(payload=self.payload("access", fresh=True))
        stale = AccessToken(payload=self.payload("access", fresh=False))
        refresh = RefreshToken(payload=self.payload("refresh"))
        self.assertTrue(IsAccessToken().has_permission(self.request(fresh), None))
        self.assertTrue(IsAccessToken().has_permission(self.request(stale), None))
        self.assertTrue(IsFreshToken().has_permission(self.request(fresh), None))
        self.assertTrue(IsRefreshToken().has_permission(self.request(refresh), None))
        self.assertTrue(IsAccessToken().has_object_permission(self.request(fresh), None, None))

    def test_not_authenticated(self) -> None:
        for permission in (IsAccessToken, IsFreshToken, IsRefreshToken):
            with self.subTest(permission=permission.__name__):
                with self.assertRaises(NotAuthenticated) as caught:
                    permission().has_permission(self.request(None, authenticator=None), None)
                self.assertEqual(caught.exception.status_code, 401)
                self.assertEqual(caught.exception.detail["code"], "not_authenticated")

    def test_no_token_of_ours(self) -> None:
        for auth in (None, "a-drf-authtoken-key", {"type": "access"}, object()):
            with self.subTest(auth=type(auth).__name__):
                with self.assertRaises(TokenPermissionDenied) as caught:
                    IsAccessToken().has_permission(self.request(auth), None)
                self.assertEqual(caught.exception.status_code, 403)
                self.assertEqual(caught.exception.code, "token_required")

    def test_wrong_class_or_wrong_type_claim(self) -> None:
        cases = [
            (IsAccessToken, RefreshToken(payload=self.payload("refresh"))),
            (IsAccessToken, Token(payload=self.payload("access", fresh=True))),  # not the class
            (IsAccessToken, AccessToken(payload=self.payload("refresh", fresh=True))),
            (IsFreshToken, AccessToken(payload=self.payload("refresh", fresh=True))),
            (IsRefreshToken, AccessToken(payload=self.payload("access", fresh=True))),
            (IsRefreshToken, RefreshToken(payload=self.payload("access"))),
        ]
        for permission, token in cases:
            with self.subTest(permission=permission.__name__, token=token):
                with self.assertRaises(InvalidToken) as caught:
                    permission().has_permission(self.request(token), None)
                self.assertEqual(caught.exception.status_code, 401)
                self.assertEqual(caught.exception.code, "token_wrong_type")

    def test_not_fresh(self) -> None:
        for fresh in (False, None, "true", 1):
            token = AccessToken(payload=self.payload("access"))
            if fresh is not None:
                token.payload["fresh"] = fresh
            with self.subTest(fresh=fresh):
                with self.assertRaises(TokenPermissionDenied) as caught:
                    IsFreshToken().has_permission(self.request(token), None)
                self.assertEqual(caught.exception.status_code, 403)
                self.assertEqual(caught.exception.code, "token_not_fresh")
