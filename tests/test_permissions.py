"""The token permissions (drf_paseto/permissions.py): what each view needs, and the second
line of defence behind a permissive authenticator."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.test import SimpleTestCase, override_settings
from django.urls import include, path
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission, IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_paseto.authentication import (
    PasetoAnyTokenAuthentication,
    PasetoAuthentication,
    PasetoRefreshAuthentication,
)
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


def view(authentication: list[Any], permission: Any) -> Any:
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
    # Composition: DRF's operators on the token permissions.
    path("fresh-or-admin/", view([PasetoAuthentication], IsFreshToken | IsAdminUser)),
    path("fresh-and-admin/", view([PasetoAuthentication], IsFreshToken & IsAdminUser)),
    path("not-refresh/", view([PasetoAnyTokenAuthentication], ~IsRefreshToken)),
    path(
        "access-or-refresh/",
        view([PasetoAnyTokenAuthentication], IsAccessToken | IsRefreshToken),
    ),
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
                self.assertNotAuthenticated(self.client.get(url))

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
                self.assertNotAuthenticated(self.client.get(f"/session/{name}/"))

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
                # The refresh authenticator accepted the token: the permission refuses it,
                # 403 (the request is authenticated, with the wrong kind of token).
                response = self.get_with(f"/mixed/{name}/", tokens["refresh_token"])
                self.assertError(response, 403, "token_wrong_type")
                # The authenticator itself refuses access tokens.
                response = self.get_with(f"/mixed/{name}/", tokens["access_token"])
                self.assertError(response, 401, "token_wrong_type")

    def test_access_authenticator_on_a_refresh_view(self) -> None:
        tokens = self.login()
        for raw in (tokens["access_token"], self.refresh(tokens["refresh_token"])):
            # The access authenticator accepted the token: the permission refuses it, 403.
            self.assertError(self.get_with("/mixed/refresh/", raw), 403, "token_wrong_type")

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
                    self.assertError(response, 403, "token_wrong_type")


@override_settings(ROOT_URLCONF=__name__)
class CompositionTests(TokenAPITestCase):
    """``|``, ``&`` and ``~``: the permissions return booleans, so DRF's operators work."""

    def setUp(self) -> None:
        super().setUp()
        self.tokens = self.login()
        self.stale = self.refresh(self.tokens["refresh_token"])

    def assertDenied(self, response: Any) -> None:
        """DRF's own 403: a composition has no single reason to give, so DRF words it (its
        body gets a ``code`` from drf_paseto's exception handler, which the test settings
        install as the README does)."""
        self.assertEqual(response.status_code, 403, response.content)
        self.assertEqual(
            response.json(),
            {
                "detail": "You do not have permission to perform this action.",
                "code": "permission_denied",
            },
        )

    def make_staff(self) -> None:
        self.user.is_staff = True
        self.user.save(update_fields=["is_staff"])

    def test_or_lets_a_staff_user_in_without_a_fresh_token(self) -> None:
        self.assertUser(self.get_with("/fresh-or-admin/", self.tokens["access_token"]))
        # Neither operand grants: DRF's own 403 (an OR has no single reason to give).
        response = self.get_with("/fresh-or-admin/", self.stale)
        self.assertDenied(response)
        self.make_staff()
        self.assertUser(self.get_with("/fresh-or-admin/", self.stale))

    def test_and_needs_both(self) -> None:
        response = self.get_with("/fresh-and-admin/", self.tokens["access_token"])
        self.assertDenied(response)
        self.make_staff()
        self.assertUser(self.get_with("/fresh-and-admin/", self.tokens["access_token"]))
        response = self.get_with("/fresh-and-admin/", self.stale)
        self.assertDenied(response)

    def test_not(self) -> None:
        self.assertUser(self.get_with("/not-refresh/", self.tokens["access_token"]))
        response = self.get_with("/not-refresh/", self.tokens["refresh_token"])
        self.assertDenied(response)

    def test_or_of_two_token_permissions(self) -> None:
        self.assertUser(self.get_with("/access-or-refresh/", self.tokens["access_token"]))
        self.assertUser(self.get_with("/access-or-refresh/", self.tokens["refresh_token"]))
        # Neither grants a bare Token; the authenticator here refuses other types anyway.
        self.client.force_authenticate(self.user, token=Token(payload={"type": "reset"}))
        self.assertDenied(self.client.get("/access-or-refresh/"))

    def test_anonymous_is_401_whatever_the_composition(self) -> None:
        # DRF's permission_denied: no credentials on a view with authenticators is 401.
        for url in ("/fresh-or-admin/", "/fresh-and-admin/"):
            with self.subTest(url=url):
                self.assertNotAuthenticated(self.client.get(url))


class PermissionUnitTests(SimpleTestCase):
    """``has_permission`` against hand-made requests: a boolean, and the reason on refusal."""

    def request(self, auth: Any, authenticator: Any = "present") -> Any:
        if authenticator == "present":
            authenticator = PasetoAuthentication()
        return SimpleNamespace(auth=auth, successful_authenticator=authenticator)

    def payload(self, token_type: str, **extra: Any) -> dict[str, Any]:
        return {"sub": "1", "type": token_type, "jti": "j", "sid": "s", **extra}

    def assertRefused(self, permission: BasePermission, request: Any, code: str) -> None:
        self.assertIs(permission.has_permission(request, None), False)  # type: ignore[arg-type]
        self.assertEqual(permission.code, code)  # type: ignore[attr-defined]
        message = permission.message  # type: ignore[attr-defined]
        self.assertEqual(set(message), {"detail", "code"})
        self.assertEqual(message["code"], code)

    def test_grants(self) -> None:
        fresh = AccessToken(payload=self.payload("access", fresh=True))
        stale = AccessToken(payload=self.payload("access", fresh=False))
        refresh = RefreshToken(payload=self.payload("refresh"))
        self.assertIs(IsAccessToken().has_permission(self.request(fresh), None), True)
        self.assertIs(IsAccessToken().has_permission(self.request(stale), None), True)
        self.assertIs(IsFreshToken().has_permission(self.request(fresh), None), True)
        self.assertIs(IsRefreshToken().has_permission(self.request(refresh), None), True)
        self.assertIs(IsAccessToken().has_object_permission(self.request(fresh), None, None), True)

    def test_not_authenticated(self) -> None:
        for permission in (IsAccessToken, IsFreshToken, IsRefreshToken):
            with self.subTest(permission=permission.__name__):
                request = self.request(None, authenticator=None)
                self.assertRefused(permission(), request, "not_authenticated")

    def test_no_token_of_ours(self) -> None:
        for auth in (None, "a-drf-authtoken-key", {"type": "access"}, object()):
            with self.subTest(auth=type(auth).__name__):
                self.assertRefused(IsAccessToken(), self.request(auth), "token_required")

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
                self.assertRefused(permission(), self.request(token), "token_wrong_type")

    def test_not_fresh(self) -> None:
        for fresh in (False, None, "true", 1):
            token = AccessToken(payload=self.payload("access"))
            if fresh is not None:
                token.payload["fresh"] = fresh
            with self.subTest(fresh=fresh):
                self.assertRefused(IsFreshToken(), self.request(token), "token_not_fresh")

    def test_the_reason_belongs_to_the_instance(self) -> None:
        # DRF builds permissions per request: one refusal does not leak into another.
        refused, other = IsFreshToken(), IsFreshToken()
        stale = AccessToken(payload=self.payload("access", fresh=False))
        self.assertFalse(refused.has_permission(self.request(stale), None))  # type: ignore[arg-type]
        self.assertEqual(refused.code, "token_not_fresh")
        self.assertEqual(other.code, "token_required")
