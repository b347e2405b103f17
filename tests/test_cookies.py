"""Browser clients: token cookies, the CSRF double submit, and where tokens come from.

drf_paseto/_cookies.py and the cookie paths through drf_paseto/authentication.py and
drf_paseto/views.py; also ``JSON_TYPE`` and the JSON body with headers configured.

The module is its own URLconf: the package's views under ``auth/`` (they follow
``TOKEN_LOCATION``), cookie-only token views under ``browser/`` (as the example project's),
and protected views with their own ``paseto_token_location``. ``Browser`` keeps cookies the
way a browser does (per path, deleted by ``Max-Age=0``) so that a cookie confined by
``REFRESH_COOKIE_PATH`` is really not sent elsewhere.
"""

from __future__ import annotations

from datetime import timedelta
from http.cookies import Morsel
from typing import Any
from unittest import mock

from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import include, path
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_paseto.clock import current_time
from drf_paseto.permissions import IsAccessToken
from drf_paseto.testing import tokens_for
from drf_paseto.tokens import AccessToken, RefreshToken
from drf_paseto.views import LogoutAllView, LogoutView, TokenObtainView, TokenRefreshView
from tests.helpers import (
    PASSWORD,
    USERNAME,
    TokenAPITestCase,
    compare_digest_calls,
    paseto_settings,
)

# --- the URLconf of this module -----------------------------------------------------------


class WhereView(APIView):
    """Who is authenticated, and where the token came from; every method."""

    permission_classes = [IsAccessToken]

    def get(self, request: Request) -> Response:
        return Response({"user": request.user.get_username(), "location": request.auth.location})

    post = put = patch = delete = get


class OptionalWhereView(WhereView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        if request.auth is None:
            return Response({"user": None, "location": None})
        return super().get(request)

    post = get


class CookieOnlyView(WhereView):
    paseto_token_location = "cookies"  # a plain string: one location


class JSONOnlyView(WhereView):
    paseto_token_location = "json"


cookie_only = {"paseto_token_location": ("cookies",)}

urlpatterns = [
    path("auth/", include("drf_paseto.urls")),
    path("browser/login/", TokenObtainView.as_view(**cookie_only)),
    path("browser/refresh/", TokenRefreshView.as_view(**cookie_only)),
    path("browser/logout/", LogoutView.as_view(**cookie_only)),
    path("browser/logout/all/", LogoutAllView.as_view(**cookie_only)),
    path("string/login/", TokenObtainView.as_view(paseto_token_location="cookies")),
    path("where/", WhereView.as_view()),
    path("optional/", OptionalWhereView.as_view()),
    path("cookie-only/", CookieOnlyView.as_view()),
    path("json-only/", JSONOnlyView.as_view()),
]

URLCONF = "tests.test_cookies"

# --- constants and helpers ----------------------------------------------------------------

OTHER = "bob"
ACCESS, REFRESH = "access_token_cookie", "refresh_token_cookie"
CSRF_ACCESS, CSRF_REFRESH = "csrf_access_token", "csrf_refresh_token"
ALL_COOKIES = {ACCESS, REFRESH, CSRF_ACCESS, CSRF_REFRESH}
MIXED = ["headers", "cookies"]
UNSAFE = ("post", "put", "patch", "delete")
SAFE = ("get", "head", "options")
DELETED_EXPIRES = "Thu, 01 Jan 1970 00:00:00 GMT"


def cookie_settings(**overrides: Any) -> override_settings:
    """Cookies next to headers unless the test says otherwise."""
    return paseto_settings(**{"TOKEN_LOCATION": MIXED, **overrides})


def path_matches(cookie_path: str, url: str) -> bool:
    """RFC 6265 section 5.1.4, for the absolute paths of this module."""
    if url == cookie_path or cookie_path == "/":
        return True
    prefix = cookie_path if cookie_path.endswith("/") else cookie_path + "/"
    return url.startswith(prefix)


@override_settings(ROOT_URLCONF=URLCONF)
class CookieTestCase(TokenAPITestCase):
    """A browser's cookie jar on top of the shared helpers."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.other = get_user_model().objects.create_user(OTHER, password=PASSWORD)

    def setUp(self) -> None:
        super().setUp()
        # (name, path) -> value, as a browser keeps them.
        self.jar: dict[tuple[str, str], str] = {}

    # --- the browser ----------------------------------------------------------------------

    def keep(self, response: Any) -> None:
        for name, morsel in response.cookies.items():
            key = (name, morsel["path"] or "/")
            if morsel["max-age"] == 0 or not morsel.value:
                self.jar.pop(key, None)
            else:
                self.jar[key] = morsel.value
                self.issued.append(morsel.value)

    def cookie_header(self, url: str) -> str:
        return "; ".join(
            f"{name}={value}"
            for (name, cookie_path), value in sorted(self.jar.items())
            if path_matches(cookie_path, url)
        )

    def jar_value(self, name: str) -> str:
        values = [v for (n, _), v in self.jar.items() if n == name]
        self.assertEqual(len(values), 1, name)
        return values[0]

    def browse(
        self,
        method: str,
        url: str,
        data: Any = None,
        *,
        csrf: str | None = None,
        csrf_header: str = "HTTP_X_CSRF_TOKEN",
        **extra: Any,
    ) -> Any:
        """A request the way the page makes it: the jar's cookies for this path, and the
        CSRF header when given."""
        extra["HTTP_COOKIE"] = self.cookie_header(url)
        if csrf is not None:
            extra[csrf_header] = csrf
        if method in ("get", "head"):
            response = getattr(self.client, method)(url, **extra)
        else:
            response = getattr(self.client, method)(url, data, format="json", **extra)
        self.keep(response)
        return response

    def with_cookies(self, method: str, url: str, cookies: dict[str, str], **extra: Any) -> Any:
        """A request with exactly these cookies (a client that crafts its own)."""
        self.issued.extend(v for v in cookies.values() if len(v) > 40)
        extra["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if method in ("get", "head"):
            return getattr(self.client, method)(url, **extra)
        return getattr(self.client, method)(url, extra.pop("data", None), format="json", **extra)

    def browser_login(self, url: str = "/browser/login/") -> Any:
        response = self.browse("post", url, {"username": USERNAME, "password": PASSWORD})
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)
        return response

    # --- assertions -----------------------------------------------------------------------

    def assertCookie(
        self,
        morsel: Morsel[str],
        *,
        httponly: bool,
        path: str = "/",
        secure: bool = True,
        samesite: str = "Lax",
        domain: str = "",
        max_age: Any = "",
    ) -> None:
        self.assertEqual(morsel["httponly"], True if httponly else "", morsel.key)
        self.assertEqual(morsel["secure"], True if secure else "", morsel.key)
        self.assertEqual(morsel["samesite"], samesite, morsel.key)
        self.assertEqual(morsel["path"], path, morsel.key)
        self.assertEqual(morsel["domain"], domain, morsel.key)
        self.assertEqual(morsel["max-age"], max_age, morsel.key)
        output = morsel.OutputString()
        self.assertEqual("HttpOnly" in output, httponly, output)
        self.assertEqual("Secure" in output, secure, output)

    def assertCleared(
        self,
        response: Any,
        *,
        access_path: str = "/",
        refresh_path: str = "/",
        names: tuple[str, str, str, str] = (ACCESS, REFRESH, CSRF_ACCESS, CSRF_REFRESH),
        domain: str = "",
        samesite: str = "Lax",
    ) -> None:
        """All four cookies expired, each at the path it was set with."""
        self.assertEqual(set(response.cookies), set(names))
        paths = dict(zip(names, (access_path, refresh_path, "/", "/"), strict=True))
        for name, morsel in response.cookies.items():
            self.assertEqual(morsel.value, "", name)
            self.assertEqual(morsel["max-age"], 0, name)
            self.assertEqual(morsel["expires"], DELETED_EXPIRES, name)
            self.assertEqual(morsel["path"], paths[name], name)
            self.assertEqual(morsel["domain"], domain, name)
            self.assertEqual(morsel["samesite"], samesite, name)

    def assertWhere(self, response: Any, location: str, username: str = USERNAME) -> None:
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)
        if response.request["REQUEST_METHOD"] in ("HEAD", "OPTIONS"):
            return
        self.assertEqual(response.json(), {"user": username, "location": location})


# --- Set-Cookie ---------------------------------------------------------------------------


class SetCookieTests(CookieTestCase):
    @cookie_settings()
    def test_login_sets_four_cookies_with_the_defaults(self) -> None:
        response = self.browser_login("/auth/login/")
        self.assertEqual(set(response.cookies), ALL_COOKIES)
        for name in (ACCESS, REFRESH):
            self.assertCookie(response.cookies[name], httponly=True)
        for name in (CSRF_ACCESS, CSRF_REFRESH):
            self.assertCookie(response.cookies[name], httponly=False)
        # Mixed mode: the body keeps the tokens for header clients, the same ones.
        body = response.json()
        self.assertEqual(set(body), {"access_token", "refresh_token"})
        self.assertEqual(response.cookies[ACCESS].value, body["access_token"])
        self.assertEqual(response.cookies[REFRESH].value, body["refresh_token"])
        access, refresh = AccessToken(body["access_token"]), RefreshToken(body["refresh_token"])
        self.assertEqual(response.cookies[CSRF_ACCESS].value, access["csrf"])
        self.assertEqual(response.cookies[CSRF_REFRESH].value, refresh["csrf"])
        self.assertNotEqual(access["csrf"], refresh["csrf"])
        self.assertGreaterEqual(len(access["csrf"]), 32)
        self.assertTrue(access.fresh)
        # The response is not cached, cookies and all.
        self.assertEqual(response["Cache-Control"], "no-store")

    @cookie_settings(
        COOKIE_MAX_AGE=3600,
        COOKIE_DOMAIN="example.com",
        COOKIE_SECURE=False,
        COOKIE_SAMESITE="Strict",
        ACCESS_COOKIE_PATH="/api/",
        REFRESH_COOKIE_PATH="/auth/refresh/",
        ACCESS_COOKIE_KEY="a",
        REFRESH_COOKIE_KEY="r",
        ACCESS_CSRF_COOKIE_KEY="ca",
        REFRESH_CSRF_COOKIE_KEY="cr",
    )
    def test_every_attribute_follows_the_settings(self) -> None:
        response = self.browser_login("/auth/login/")
        self.assertEqual(set(response.cookies), {"a", "r", "ca", "cr"})
        common = {"secure": False, "samesite": "Strict", "domain": "example.com", "max_age": 3600}
        self.assertCookie(response.cookies["a"], httponly=True, path="/api/", **common)
        self.assertCookie(response.cookies["r"], httponly=True, path="/auth/refresh/", **common)
        # The CSRF cookies stay at "/": the page must read them wherever it is.
        self.assertCookie(response.cookies["ca"], httponly=False, path="/", **common)
        self.assertCookie(response.cookies["cr"], httponly=False, path="/", **common)
        for name in ("a", "r", "ca", "cr"):
            self.assertTrue(response.cookies[name]["expires"], name)

    @cookie_settings(COOKIE_SAMESITE="None", COOKIE_SECURE=True)
    def test_samesite_none(self) -> None:
        response = self.browser_login("/auth/login/")
        for name in ALL_COOKIES:
            self.assertCookie(
                response.cookies[name], httponly=name in (ACCESS, REFRESH), samesite="None"
            )

    @cookie_settings(COOKIE_SAMESITE=False)
    def test_samesite_false_sends_no_attribute(self) -> None:
        response = self.browser_login("/auth/login/")
        for name in ALL_COOKIES:
            self.assertCookie(
                response.cookies[name], httponly=name in (ACCESS, REFRESH), samesite=""
            )
            self.assertNotIn("SameSite", response.cookies[name].OutputString())

    @cookie_settings(COOKIE_CSRF_PROTECT=False)
    def test_no_csrf_cookies_or_claims_without_csrf_protection(self) -> None:
        response = self.browser_login("/auth/login/")
        self.assertEqual(set(response.cookies), {ACCESS, REFRESH})
        self.assertNotIn("csrf", AccessToken(response.json()["access_token"]))
        self.assertNotIn("csrf", RefreshToken(response.json()["refresh_token"]))

    def test_header_only_sets_no_cookie_and_binds_no_csrf(self) -> None:
        response = self.browser_login("/auth/login/")
        self.assertEqual(dict(response.cookies), {})
        self.assertFalse(response.has_header("Set-Cookie"))
        self.assertNotIn("csrf", AccessToken(response.json()["access_token"]))

    @paseto_settings(TOKEN_LOCATION=["json"])
    def test_json_only_sets_no_cookie(self) -> None:
        response = self.browser_login("/auth/login/")
        self.assertEqual(dict(response.cookies), {})
        self.assertEqual(set(response.json()), {"access_token", "refresh_token"})

    @cookie_settings()
    def test_failed_login_sets_no_cookie(self) -> None:
        response = self.browse("post", "/browser/login/", {"username": USERNAME, "password": "x"})
        self.assertError(response, status.HTTP_401_UNAUTHORIZED, "invalid_credentials")
        self.assertEqual(dict(response.cookies), {})

    def test_verify_sets_no_cookie(self) -> None:
        token = tokens_for(self.user)["access_token"]
        self.issued.append(token)
        response = self.client.post("/auth/verify/", {"token": token}, format="json")
        self.assertEqual(response.status_code, status.HTTP_200_OK)
        self.assertEqual(dict(response.cookies), {})


# --- bodies: cookie-only views put no token in them ---------------------------------------


class BodyTests(CookieTestCase):
    def test_cookie_only_login_body_has_only_expiry_times(self) -> None:
        response = self.browser_login()
        access = AccessToken(response.cookies[ACCESS].value)
        refresh = RefreshToken(response.cookies[REFRESH].value)
        self.assertEqual(
            response.json(),
            {"access_token_expires_at": access["exp"], "refresh_token_expires_at": refresh["exp"]},
        )
        content = response.content.decode()
        self.assertNotIn(str(access), content)
        self.assertNotIn(str(refresh), content)
        self.assertNotIn(access["csrf"], content)
        self.assertEqual(set(response.cookies), ALL_COOKIES)

    def test_cookie_only_view_given_as_a_plain_string(self) -> None:
        response = self.browser_login("/string/login/")
        self.assertEqual(
            set(response.json()), {"access_token_expires_at", "refresh_token_expires_at"}
        )
        self.assertEqual(set(response.cookies), ALL_COOKIES)

    @cookie_settings()
    def test_mixed_mode_body_has_the_tokens(self) -> None:
        response = self.browser_login("/auth/login/")
        self.assertEqual(set(response.json()), {"access_token", "refresh_token"})
        response = self.browse("post", "/auth/refresh/", csrf=self.jar_value(CSRF_REFRESH))
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)
        self.assertEqual(set(response.json()), {"access_token"})
        self.assertEqual(response.json()["access_token"], response.cookies[ACCESS].value)

    @paseto_settings(TOKEN_LOCATION=["headers", "json", "cookies"])
    def test_json_and_cookies_body_has_the_tokens(self) -> None:
        response = self.browser_login("/auth/login/")
        self.assertEqual(set(response.json()), {"access_token", "refresh_token"})
        self.assertEqual(set(response.cookies), ALL_COOKIES)


# --- the flow: login, refresh, rotation, logout -------------------------------------------


class FlowTests(CookieTestCase):
    def test_login_then_protected_view_from_the_cookie(self) -> None:
        self.browser_login()
        self.assertWhere(self.browse("get", "/cookie-only/"), "cookies")
        self.assertWhere(
            self.browse("post", "/cookie-only/", csrf=self.jar_value(CSRF_ACCESS)), "cookies"
        )

    def test_refresh_from_the_cookie_sets_a_new_access_cookie(self) -> None:
        self.browser_login()
        old_access, old_csrf = self.jar_value(ACCESS), self.jar_value(CSRF_ACCESS)
        refresh = self.jar_value(REFRESH)
        response = self.browse("post", "/browser/refresh/", csrf=self.jar_value(CSRF_REFRESH))
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)
        # No rotation: only the access cookie and its CSRF cookie are new.
        self.assertEqual(set(response.cookies), {ACCESS, CSRF_ACCESS})
        self.assertCookie(response.cookies[ACCESS], httponly=True)
        self.assertCookie(response.cookies[CSRF_ACCESS], httponly=False)
        access = AccessToken(response.cookies[ACCESS].value)
        self.assertEqual(response.json(), {"access_token_expires_at": access["exp"]})
        self.assertNotEqual(str(access), old_access)
        self.assertNotEqual(access["csrf"], old_csrf)
        self.assertEqual(response.cookies[CSRF_ACCESS].value, access["csrf"])
        self.assertFalse(access.fresh)
        self.assertEqual(self.jar_value(REFRESH), refresh)
        # The new pair works; the old CSRF value no longer matches.
        self.assertWhere(
            self.browse("post", "/cookie-only/", csrf=self.jar_value(CSRF_ACCESS)), "cookies"
        )
        self.assertError(
            self.browse("post", "/cookie-only/", csrf=old_csrf),
            status.HTTP_403_FORBIDDEN,
            "csrf_mismatch",
        )

    def test_refresh_without_a_refresh_cookie(self) -> None:
        response = self.browse("post", "/browser/refresh/")
        self.assertError(response, status.HTTP_401_UNAUTHORIZED, "not_authenticated")
        self.assertEqual(dict(response.cookies), {})

    def test_refresh_from_a_header_on_a_cookie_only_view(self) -> None:
        # refresh/ always reads the header: the new tokens still go to cookies only.
        refresh = tokens_for(self.user)["refresh_token"]
        response = self.client.post("/browser/refresh/", **self.bearer(refresh))
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)
        self.assertEqual(set(response.json()), {"access_token_expires_at"})
        self.assertEqual(set(response.cookies), {ACCESS, CSRF_ACCESS})

    @paseto_settings(DENYLIST_ENABLED=True, ROTATE_REFRESH_TOKENS=True)
    def test_rotation_sets_both_cookies_and_reuse_is_refused(self) -> None:
        self.browser_login()
        spent, spent_csrf = self.jar_value(REFRESH), self.jar_value(CSRF_REFRESH)
        response = self.browse("post", "/browser/refresh/", csrf=spent_csrf)
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)
        self.assertEqual(set(response.cookies), ALL_COOKIES)
        access = AccessToken(response.cookies[ACCESS].value)
        refresh = RefreshToken(response.cookies[REFRESH].value)
        self.assertEqual(
            response.json(),
            {"access_token_expires_at": access["exp"], "refresh_token_expires_at": refresh["exp"]},
        )
        self.assertEqual(response.cookies[CSRF_REFRESH].value, refresh["csrf"])
        self.assertNotEqual(refresh["csrf"], spent_csrf)
        self.assertEqual(refresh.session_id, RefreshToken(spent).session_id)
        # The rotated cookie works once more...
        response = self.browse("post", "/browser/refresh/", csrf=self.jar_value(CSRF_REFRESH))
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)
        # ...and the spent one, replayed, is reuse: the session is gone.
        response = self.with_cookies(
            "post", "/browser/refresh/", {REFRESH: spent}, HTTP_X_CSRF_TOKEN=spent_csrf
        )
        self.assertError(response, status.HTTP_401_UNAUTHORIZED, "token_reused")
        self.assertError(
            self.browse("get", "/cookie-only/"), status.HTTP_401_UNAUTHORIZED, "token_revoked"
        )

    @paseto_settings(DENYLIST_ENABLED=True)
    def test_logout_revokes_and_clears_the_cookies(self) -> None:
        self.browser_login()
        access = self.jar_value(ACCESS)
        response = self.browse("post", "/browser/logout/", csrf=self.jar_value(CSRF_ACCESS))
        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT, response.content)
        self.assertCleared(response)
        self.assertEqual(self.jar, {})
        self.assertError(
            self.client.get("/where/", **self.bearer(access)),
            status.HTTP_401_UNAUTHORIZED,
            "token_revoked",
        )

    @paseto_settings(DENYLIST_ENABLED=True)
    def test_logout_all_revokes_and_clears_the_cookies(self) -> None:
        self.browser_login()
        other_session = tokens_for(self.user)["access_token"]
        response = self.browse("post", "/browser/logout/all/", csrf=self.jar_value(CSRF_ACCESS))
        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT, response.content)
        self.assertCleared(response)
        self.assertError(
            self.client.get("/where/", **self.bearer(other_session)),
            status.HTTP_401_UNAUTHORIZED,
            "token_revoked",
        )

    @paseto_settings(DENYLIST_ENABLED=True)
    def test_logout_with_the_refresh_cookie_alone(self) -> None:
        self.browser_login()
        self.jar.pop((ACCESS, "/"))
        response = self.browse("post", "/browser/logout/", csrf=self.jar_value(CSRF_REFRESH))
        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT, response.content)
        self.assertCleared(response)

    @paseto_settings(DENYLIST_ENABLED=True)
    def test_logout_without_csrf_changes_nothing(self) -> None:
        self.browser_login()
        response = self.browse("post", "/browser/logout/")
        self.assertError(response, status.HTTP_403_FORBIDDEN, "csrf_missing")
        self.assertEqual(dict(response.cookies), {})
        self.assertFalse(response.has_header("Set-Cookie"))
        self.assertWhere(self.browse("get", "/cookie-only/"), "cookies")
        response = self.browse("post", "/browser/logout/", csrf="forged")
        self.assertError(response, status.HTTP_403_FORBIDDEN, "csrf_mismatch")
        self.assertEqual(dict(response.cookies), {})

    @paseto_settings(DENYLIST_ENABLED=True)
    def test_logout_clears_cookies_on_401(self) -> None:
        self.browser_login()
        self.browse("post", "/browser/logout/", csrf=self.jar_value(CSRF_ACCESS))
        # The revoked cookies again (a second tab): 401, cleared again.
        tokens = tokens_for(self.user)
        self.assertEqual(
            self.client.post("/auth/logout/", **self.bearer(tokens["access_token"])).status_code,
            status.HTTP_204_NO_CONTENT,
        )
        response = self.with_cookies("post", "/browser/logout/", {ACCESS: tokens["access_token"]})
        self.assertError(response, status.HTTP_401_UNAUTHORIZED, "token_revoked")
        self.assertCleared(response)
        # A malformed cookie.
        response = self.with_cookies("post", "/browser/logout/", {ACCESS: "not!a!token"})
        self.assertError(response, status.HTTP_401_UNAUTHORIZED, "bad_cookie_token")
        self.assertCleared(response)
        # No cookie at all: nothing to clear, and no Set-Cookie (a cross-site request that
        # SameSite kept the cookies from must not log anybody out).
        response = self.with_cookies("post", "/browser/logout/", {})
        self.assertError(response, status.HTTP_401_UNAUTHORIZED, "not_authenticated")
        self.assertEqual(response.cookies, {})

    @paseto_settings(DENYLIST_ENABLED=True)
    def test_logout_with_an_expired_access_cookie(self) -> None:
        # The access cookie is read first: expired, it is a 401 and the cookies are cleared
        # (the refresh token, not consulted, is not revoked: docs/browser-clients.md#logout).
        with mock.patch(
            "drf_paseto.clock.current_time", return_value=current_time() - timedelta(hours=1)
        ):
            self.browser_login()
        refresh = self.jar_value(REFRESH)
        response = self.browse("post", "/browser/logout/", csrf=self.jar_value(CSRF_ACCESS))
        self.assertError(response, status.HTTP_401_UNAUTHORIZED, "token_expired")
        self.assertCleared(response)
        self.assertEqual(self.jar, {})
        response = self.client.post("/auth/refresh/", **self.bearer(refresh))
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)

    @paseto_settings()
    def test_logout_without_denylist_clears_the_cookies(self) -> None:
        self.browser_login()
        for url in ("/browser/logout/", "/browser/logout/all/"):
            with self.subTest(url=url):
                self.browser_login()
                response = self.browse("post", url, csrf=self.jar_value(CSRF_ACCESS))
                self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT, response.content)
                self.assertEqual(response.content, b"")
                self.assertCleared(response)
                self.assertEqual(self.jar, {})
        # Still CSRF-protected: without the header nothing happens.
        self.browser_login()
        response = self.browse("post", "/browser/logout/")
        self.assertError(response, status.HTTP_403_FORBIDDEN, "csrf_missing")
        self.assertEqual(dict(response.cookies), {})

    def test_logout_without_denylist_on_header_views_is_still_disabled(self) -> None:
        response = self.client.post(
            "/auth/logout/", **self.bearer(tokens_for(self.user)["access_token"])
        )
        self.assertError(response, status.HTTP_404_NOT_FOUND, "revocation_disabled")
        self.assertEqual(dict(response.cookies), {})

    @cookie_settings(DENYLIST_ENABLED=True)
    def test_mixed_logout_with_a_header_also_clears_cookies(self) -> None:
        self.browser_login("/auth/login/")
        tokens = tokens_for(self.user)
        response = self.client.post("/auth/logout/", **self.bearer(tokens["access_token"]))
        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT)
        self.assertCleared(response)

    @paseto_settings(
        DENYLIST_ENABLED=True,
        COOKIE_DOMAIN="example.com",
        COOKIE_SAMESITE="Strict",
        ACCESS_COOKIE_PATH="/api/",
        REFRESH_COOKIE_PATH="/browser/refresh/",
        ACCESS_COOKIE_KEY="a",
        REFRESH_COOKIE_KEY="r",
        ACCESS_CSRF_COOKIE_KEY="ca",
        REFRESH_CSRF_COOKIE_KEY="cr",
    )
    def test_clearing_follows_the_settings(self) -> None:
        response = self.with_cookies("post", "/browser/logout/", {"a": "not!a!token"})
        self.assertError(response, status.HTTP_401_UNAUTHORIZED, "bad_cookie_token")
        self.assertCleared(
            response,
            access_path="/api/",
            refresh_path="/browser/refresh/",
            names=("a", "r", "ca", "cr"),
            domain="example.com",
            samesite="Strict",
        )


class RefreshCookiePathTests(CookieTestCase):
    @cookie_settings(REFRESH_COOKIE_PATH="/auth/refresh/", DENYLIST_ENABLED=True)
    def test_refresh_cookie_confined_to_the_refresh_path(self) -> None:
        response = self.browser_login("/auth/login/")
        self.assertCookie(response.cookies[REFRESH], httponly=True, path="/auth/refresh/")
        self.assertCookie(response.cookies[CSRF_REFRESH], httponly=False, path="/")
        # Protected views are not sent the refresh cookie...
        self.assertNotIn(REFRESH, self.cookie_header("/where/"))
        self.assertNotIn(REFRESH, self.cookie_header("/auth/logout/"))
        self.assertIn(REFRESH, self.cookie_header("/auth/refresh/"))
        self.assertIn(CSRF_REFRESH, self.cookie_header("/where/"))
        # ...and without the access cookie they have nothing.
        self.jar.pop((ACCESS, "/"))
        self.assertNotAuthenticated(self.browse("get", "/where/"))
        # The refresh view still gets it.
        response = self.browse("post", "/auth/refresh/", csrf=self.jar_value(CSRF_REFRESH))
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)
        self.assertWhere(self.browse("get", "/where/"), "cookies")
        # Logout clears it at its own path.
        response = self.browse("post", "/auth/logout/", csrf=self.jar_value(CSRF_ACCESS))
        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT, response.content)
        self.assertCleared(response, refresh_path="/auth/refresh/")
        self.assertEqual(self.jar, {})


# --- CSRF ---------------------------------------------------------------------------------


class CSRFTests(CookieTestCase):
    def setUp(self) -> None:
        super().setUp()
        with cookie_settings():
            self.browser_login("/browser/login/")
        self.csrf = self.jar_value(CSRF_ACCESS)

    @cookie_settings()
    def test_unsafe_methods_need_the_header(self) -> None:
        for method in UNSAFE:
            with self.subTest(method=method):
                self.assertError(
                    self.browse(method, "/where/"), status.HTTP_403_FORBIDDEN, "csrf_missing"
                )
                self.assertWhere(self.browse(method, "/where/", csrf=self.csrf), "cookies")

    @cookie_settings()
    def test_safe_methods_need_no_header(self) -> None:
        for method in SAFE:
            with self.subTest(method=method):
                self.assertWhere(self.browse(method, "/where/"), "cookies")

    @cookie_settings(CSRF_METHODS=["DELETE", "GET"])
    def test_custom_csrf_methods(self) -> None:
        for method in ("delete", "get"):
            with self.subTest(method=method):
                self.assertError(
                    self.browse(method, "/where/"), status.HTTP_403_FORBIDDEN, "csrf_missing"
                )
                self.assertWhere(self.browse(method, "/where/", csrf=self.csrf), "cookies")
        for method in ("post", "put", "patch", "head", "options"):
            with self.subTest(method=method):
                self.assertWhere(self.browse(method, "/where/"), "cookies")

    @cookie_settings()
    def test_wrong_values_mismatch(self) -> None:
        refresh_csrf = self.jar_value(CSRF_REFRESH)
        for value in ("wrong", self.csrf[:-1], self.csrf + "x", self.csrf.upper(), refresh_csrf):
            with self.subTest(value=value):
                self.assertError(
                    self.browse("post", "/where/", csrf=value),
                    status.HTTP_403_FORBIDDEN,
                    "csrf_mismatch",
                    self.csrf,
                )

    @cookie_settings()
    def test_another_sessions_value_mismatches(self) -> None:
        other = self.client.post(
            "/browser/login/", {"username": OTHER, "password": PASSWORD}, format="json"
        )
        self.assertError(
            self.browse("post", "/where/", csrf=other.cookies[CSRF_ACCESS].value),
            status.HTTP_403_FORBIDDEN,
            "csrf_mismatch",
        )

    @cookie_settings()
    def test_an_empty_value_is_missing(self) -> None:
        # As flask-jwt-extended: an empty header is no header.
        self.assertError(
            self.browse("post", "/where/", csrf=""), status.HTTP_403_FORBIDDEN, "csrf_missing"
        )

    @cookie_settings()
    def test_compared_in_constant_time(self) -> None:
        """Every CSRF check, access and refresh, right or wrong, goes through compare_digest."""
        with compare_digest_calls() as calls:
            self.assertWhere(self.browse("post", "/where/", csrf=self.csrf), "cookies")
        self.assertIn((self.csrf.encode(), self.csrf.encode()), calls)
        forged = "x" * len(self.csrf)
        with compare_digest_calls() as calls:
            response = self.browse("post", "/where/", csrf=forged)
        self.assertError(response, status.HTTP_403_FORBIDDEN, "csrf_mismatch")
        self.assertIn((forged.encode(), self.csrf.encode()), calls)
        refresh_csrf = self.jar_value(CSRF_REFRESH)
        with compare_digest_calls() as calls:
            response = self.browse("post", "/browser/refresh/", csrf=refresh_csrf)
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)
        self.assertIn((refresh_csrf.encode(), refresh_csrf.encode()), calls)

    @cookie_settings()
    def test_refresh_csrf_with_the_same_header_name(self) -> None:
        response = self.browse("post", "/browser/refresh/", csrf=self.csrf)
        self.assertError(response, status.HTTP_403_FORBIDDEN, "csrf_mismatch")
        self.assertEqual(dict(response.cookies), {})
        response = self.browse("post", "/browser/refresh/")
        self.assertError(response, status.HTTP_403_FORBIDDEN, "csrf_missing")
        response = self.browse("post", "/browser/refresh/", csrf=self.jar_value(CSRF_REFRESH))
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)

    @cookie_settings(CSRF_HEADER_NAME="X-CSRF-Custom")
    def test_one_custom_header_carries_each_tokens_own_value(self) -> None:
        header = "HTTP_X_CSRF_CUSTOM"
        refresh_csrf = self.jar_value(CSRF_REFRESH)
        cases = [
            # (url, value, header, code or None)
            ("/browser/refresh/", self.csrf, header, "csrf_mismatch"),
            ("/browser/refresh/", refresh_csrf, "HTTP_X_CSRF_TOKEN", "csrf_missing"),
            ("/where/", refresh_csrf, header, "csrf_mismatch"),
            ("/where/", self.csrf, "HTTP_X_CSRF_TOKEN", "csrf_missing"),
            ("/where/", self.csrf, header, None),
            ("/browser/refresh/", refresh_csrf, header, None),
        ]
        for url, value, sent_in, code in cases:
            with self.subTest(url=url, header=sent_in, code=code):
                response = self.browse("post", url, csrf=value, csrf_header=sent_in)
                if code is None:
                    self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)
                else:
                    self.assertError(response, status.HTTP_403_FORBIDDEN, code)

    @cookie_settings()
    def test_cookie_token_without_a_csrf_claim(self) -> None:
        # A header client's token, put in the cookie by hand.
        access = tokens_for(self.user)["access_token"]
        self.assertNotIn("csrf", AccessToken(access))
        for value in ("anything", self.csrf):
            with self.subTest(value=value):
                response = self.with_cookies(
                    "post", "/where/", {ACCESS: access}, HTTP_X_CSRF_TOKEN=value
                )
                self.assertError(response, status.HTTP_403_FORBIDDEN, "csrf_mismatch")
        response = self.with_cookies("post", "/where/", {ACCESS: access})
        self.assertError(response, status.HTTP_403_FORBIDDEN, "csrf_missing")
        self.assertWhere(self.with_cookies("get", "/where/", {ACCESS: access}), "cookies")

    @cookie_settings()
    def test_a_csrf_claim_that_is_not_a_string_is_refused(self) -> None:
        token = AccessToken.for_user(self.user)
        token.payload["csrf"] = 12345
        response = self.with_cookies("get", "/where/", {ACCESS: str(token)})
        self.assertError(response, status.HTTP_401_UNAUTHORIZED, "token_claims_invalid")

    @cookie_settings(COOKIE_CSRF_PROTECT=False)
    def test_no_check_without_csrf_protection(self) -> None:
        for method in UNSAFE:
            with self.subTest(method=method):
                self.assertWhere(self.browse(method, "/where/"), "cookies")
                self.assertWhere(self.browse(method, "/where/", csrf="wrong"), "cookies")
        access = tokens_for(self.user)["access_token"]
        self.assertWhere(self.with_cookies("post", "/where/", {ACCESS: access}), "cookies")
        response = self.browse("post", "/browser/refresh/")
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)
        self.assertEqual(set(response.cookies), {ACCESS})

    @cookie_settings()
    def test_a_header_token_needs_no_csrf_value(self) -> None:
        body = self.login()  # mixed mode: these tokens carry a csrf claim
        self.assertIn("csrf", AccessToken(body["access_token"]))
        for method in UNSAFE:
            with self.subTest(method=method):
                response = getattr(self.client, method)(
                    "/where/", HTTP_COOKIE="", **self.bearer(body["access_token"])
                )
                self.assertWhere(response, "headers")
        response = self.client.post(
            "/auth/refresh/", HTTP_COOKIE="", **self.bearer(body["refresh_token"])
        )
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)

    @cookie_settings(DENYLIST_ENABLED=True)
    def test_revocation_is_checked_before_csrf(self) -> None:
        access = self.jar_value(ACCESS)
        self.client.post("/auth/logout/", HTTP_COOKIE="", **self.bearer(access))
        self.assertError(
            self.browse("post", "/where/"), status.HTTP_401_UNAUTHORIZED, "token_revoked"
        )


# --- where the token comes from -----------------------------------------------------------


class LocationTests(CookieTestCase):
    def other_access(self) -> str:
        token = tokens_for(self.other)["access_token"]
        self.issued.append(token)
        return token

    @cookie_settings()
    def test_header_wins_over_cookie(self) -> None:
        self.browser_login()  # alice in the cookie
        bob = self.other_access()
        response = self.browse("post", "/where/", HTTP_AUTHORIZATION=f"Bearer {bob}")
        self.assertWhere(response, "headers", OTHER)
        # Another scheme is not ours: the cookie is used (and needs its CSRF value).
        response = self.browse("get", "/where/", HTTP_AUTHORIZATION="Basic Ym9iOnB3")
        self.assertWhere(response, "cookies")
        # A bad Bearer header is not rescued by a good cookie.
        response = self.browse("get", "/where/", HTTP_AUTHORIZATION="Bearer not!a!token")
        self.assertError(response, status.HTTP_401_UNAUTHORIZED, "bad_authorization_header")

    @paseto_settings(TOKEN_LOCATION=["json", "cookies"])
    def test_cookie_wins_over_json_body(self) -> None:
        self.browser_login()
        bob = self.other_access()
        csrf = self.jar_value(CSRF_ACCESS)
        response = self.browse("post", "/where/", {"access_token": bob}, csrf=csrf)
        self.assertWhere(response, "cookies")
        self.jar.clear()
        self.assertWhere(self.browse("post", "/where/", {"access_token": bob}), "json", OTHER)

    @paseto_settings(TOKEN_LOCATION=["headers", "cookies", "json"])
    def test_each_location_reported(self) -> None:
        access = tokens_for(self.user)["access_token"]
        self.issued.append(access)
        self.assertWhere(self.client.post("/where/", **self.bearer(access)), "headers")
        self.assertWhere(
            self.client.post("/where/", {"access_token": access}, format="json"), "json"
        )
        self.assertWhere(self.with_cookies("get", "/where/", {ACCESS: access}), "cookies")

    @paseto_settings(TOKEN_LOCATION=["headers", "json"])
    def test_json_body_is_reached_with_headers_configured(self) -> None:
        # The original never got to the body when headers were configured too.
        access = tokens_for(self.user)["access_token"]
        self.issued.append(access)
        response = self.client.post("/where/", {"access_token": access}, format="json")
        self.assertWhere(response, "json")
        response = self.client.post(
            "/where/", {"access_token": access}, format="json", HTTP_AUTHORIZATION="Basic eDp5"
        )
        self.assertWhere(response, "json")
        refresh = tokens_for(self.user)["refresh_token"]
        self.issued.append(refresh)
        response = self.client.post("/auth/refresh/", {"refresh_token": refresh}, format="json")
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)

    @paseto_settings(TOKEN_LOCATION=["headers", "json"])
    def test_cookies_ignored_when_not_a_location(self) -> None:
        access = tokens_for(self.user)["access_token"]
        response = self.with_cookies("get", "/where/", {ACCESS: access})
        self.assertNotAuthenticated(response)
        # Not even a malformed one is looked at.
        response = self.with_cookies("get", "/where/", {ACCESS: "not!a!token"})
        self.assertNotAuthenticated(response)

    def test_per_view_location_as_a_plain_string(self) -> None:
        # TOKEN_LOCATION is ["headers"]; the view takes "cookies" only.
        access = tokens_for(self.user)["access_token"]
        self.assertWhere(self.with_cookies("get", "/cookie-only/", {ACCESS: access}), "cookies")
        self.assertNotAuthenticated(
            self.client.get("/cookie-only/", **self.bearer(access)),
        )
        self.assertNotAuthenticated(self.with_cookies("get", "/where/", {ACCESS: access}))
        self.assertWhere(
            self.client.post("/json-only/", {"access_token": access}, format="json"), "json"
        )
        self.assertNotAuthenticated(self.client.post("/json-only/", **self.bearer(access)))

    @cookie_settings()
    def test_malformed_cookie_values(self) -> None:
        for value in ("not a token", "not!a!token", "v4.local.abc/def", "a+b", "%41%42", "\\x00"):
            with self.subTest(value=value):
                response = self.with_cookies("get", "/where/", {ACCESS: value})
                self.assertError(response, status.HTTP_401_UNAUTHORIZED, "bad_cookie_token")
                response = self.with_cookies("get", "/optional/", {ACCESS: value})
                self.assertError(response, status.HTTP_401_UNAUTHORIZED, "bad_cookie_token")
        response = self.with_cookies("post", "/browser/refresh/", {REFRESH: "x y"})
        self.assertError(response, status.HTTP_401_UNAUTHORIZED, "bad_cookie_token")

    @cookie_settings()
    def test_cookie_values_of_token_characters_are_decoded(self) -> None:
        response = self.with_cookies("get", "/where/", {ACCESS: "v4.local.abc"})
        self.assertEqual(response.status_code, status.HTTP_401_UNAUTHORIZED)
        self.assertEqual(response.json()["code"], "token_invalid")
        response = self.with_cookies("get", "/where/", {ACCESS: "x" * 5000})
        self.assertError(response, status.HTTP_401_UNAUTHORIZED, "token_too_large")

    @cookie_settings()
    def test_an_empty_cookie_is_no_cookie(self) -> None:
        self.assertNotAuthenticated(
            self.with_cookies("get", "/where/", {ACCESS: ""}),
        )
        self.assertEqual(
            self.with_cookies("get", "/optional/", {ACCESS: ""}).json(),
            {"user": None, "location": None},
        )

    @cookie_settings()
    def test_a_refresh_token_in_the_access_cookie(self) -> None:
        refresh = tokens_for(self.user)["refresh_token"]
        response = self.with_cookies("get", "/where/", {ACCESS: refresh})
        self.assertError(response, status.HTTP_401_UNAUTHORIZED, "token_wrong_type")
        # And protected views never read the refresh cookie.
        response = self.with_cookies("get", "/where/", {REFRESH: refresh})
        self.assertNotAuthenticated(response)

    @cookie_settings(ACCESS_COOKIE_KEY="a", REFRESH_COOKIE_KEY="r")
    def test_cookie_names_follow_the_settings(self) -> None:
        tokens = tokens_for(self.user)
        self.assertWhere(
            self.with_cookies("get", "/where/", {"a": tokens["access_token"]}), "cookies"
        )
        self.assertNotAuthenticated(
            self.with_cookies("get", "/where/", {ACCESS: tokens["access_token"]}),
        )
        response = self.with_cookies(
            "get", "/browser/refresh/", {"r": tokens["refresh_token"]}
        )  # GET: not allowed, but authenticated first
        self.assertEqual(response.status_code, status.HTTP_405_METHOD_NOT_ALLOWED)

    @cookie_settings()
    def test_optional_view_reports_the_cookie(self) -> None:
        self.browser_login()
        self.assertWhere(self.browse("get", "/optional/"), "cookies")


# --- JSON_TYPE ----------------------------------------------------------------------------


@paseto_settings(TOKEN_LOCATION=["headers", "json"], JSON_TYPE="Bearer")
class JSONTypeTests(CookieTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tokens = tokens_for(self.user)
        self.issued.extend(self.tokens.values())

    def test_the_prefix_is_required(self) -> None:
        access = self.tokens["access_token"]
        for value in (f"Bearer {access}", f"bearer {access}", f"BEARER {access}"):
            with self.subTest(value=value[:7]):
                response = self.client.post("/where/", {"access_token": value}, format="json")
                self.assertWhere(response, "json")

    def test_wrong_or_missing_prefix(self) -> None:
        access = self.tokens["access_token"]
        for value in (
            access,
            f"Token {access}",
            f"Bearer  {access}",
            f"Bearer\t{access}",
            f"Bearer {access} ",
            "Bearer",
            "Bearer ",
            "",
        ):
            with self.subTest(value=value[:9]):
                response = self.client.post("/where/", {"access_token": value}, format="json")
                self.assertError(response, status.HTTP_401_UNAUTHORIZED, "bad_json_token")

    def test_bodies_without_a_json_token(self) -> None:
        value = f"Bearer {self.tokens['access_token']}"
        # Not a JSON body: not searched.
        response = self.client.post("/where/", {"access_token": value})
        self.assertNotAuthenticated(response)
        for body in ([value], {"other": value}, {"access_token": None}):
            with self.subTest(body=body):
                response = self.client.post("/where/", body, format="json")
                self.assertNotAuthenticated(response)
        for bad in (5, [value], {"token": value}, True):
            with self.subTest(bad=bad):
                response = self.client.post("/where/", {"access_token": bad}, format="json")
                self.assertError(response, status.HTTP_401_UNAUTHORIZED, "bad_json_token")
        response = self.client.post("/where/", "{not json", content_type="application/json")
        self.assertEqual(response.status_code, status.HTTP_400_BAD_REQUEST)
        self.assertEqual(response.json()["detail"], "Malformed request.")

    def test_refresh_body_takes_the_prefix_too(self) -> None:
        refresh = self.tokens["refresh_token"]
        response = self.client.post(
            "/auth/refresh/", {"refresh_token": f"Bearer {refresh}"}, format="json"
        )
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)
        response = self.client.post("/auth/refresh/", {"refresh_token": refresh}, format="json")
        self.assertError(response, status.HTTP_401_UNAUTHORIZED, "bad_json_token")

    def test_headers_and_cookies_are_not_affected(self) -> None:
        access = self.tokens["access_token"]
        self.assertWhere(self.client.get("/where/", **self.bearer(access)), "headers")
        self.assertWhere(self.with_cookies("get", "/cookie-only/", {ACCESS: access}), "cookies")

    @paseto_settings(TOKEN_LOCATION=["headers", "json"], JSON_TYPE=None)
    def test_without_json_type_the_token_is_bare(self) -> None:
        access = self.tokens["access_token"]
        response = self.client.post("/where/", {"access_token": access}, format="json")
        self.assertWhere(response, "json")
        response = self.client.post("/where/", {"access_token": f"Bearer {access}"}, format="json")
        self.assertError(response, status.HTTP_401_UNAUTHORIZED, "bad_json_token")

    @paseto_settings(TOKEN_LOCATION=["headers", "json"], JSON_TYPE="")
    def test_empty_json_type_is_a_bare_token(self) -> None:
        response = self.client.post(
            "/where/", {"access_token": self.tokens["access_token"]}, format="json"
        )
        self.assertWhere(response, "json")


class LogoutWithoutCookiesTests(TokenAPITestCase):
    """A logout request that sent no token cookie (say, from another site, where SameSite
    kept the cookies back) answers 401 and sets no cookie: it cannot log anybody out."""

    @paseto_settings(TOKEN_LOCATION=["cookies"], DENYLIST_ENABLED=True)
    def test_no_set_cookie_without_token_cookies(self) -> None:
        response = self.client.post("/auth/logout/")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["code"], "not_authenticated")
        self.assertEqual(response.cookies, {})


# --- requests from pages of other sites (login CSRF) --------------------------------------


CREDENTIALS = {"username": USERNAME, "password": PASSWORD}
# What a page of another site sends along with a forged request (browsers add these).
CROSS_SITE = (
    {"HTTP_ORIGIN": "https://evil.example"},
    {"HTTP_ORIGIN": "http://testserver.evil.example"},
    {"HTTP_ORIGIN": "https://testserver"},  # this host, but another scheme
    {"HTTP_ORIGIN": "http://testserver:8000"},  # this host, but another port
    {"HTTP_ORIGIN": "null"},  # a sandboxed page, a redirect from elsewhere
    {"HTTP_SEC_FETCH_SITE": "cross-site"},
    {"HTTP_SEC_FETCH_SITE": "same-site"},  # another origin of the same site
    {"HTTP_ORIGIN": "https://evil.example", "HTTP_SEC_FETCH_SITE": "same-origin"},
)
SAME_ORIGIN = (
    {},  # not a browser page: curl, a mobile app
    {"HTTP_ORIGIN": "http://testserver"},
    {"HTTP_ORIGIN": "HTTP://TestServer"},
    {"HTTP_SEC_FETCH_SITE": "same-origin"},
    {"HTTP_SEC_FETCH_SITE": "none"},  # typed by the user
    {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "cross-site"},
)


class CrossSiteTests(CookieTestCase):
    """Views that put tokens into cookies refuse requests made by pages of other sites: a
    forged login form must not log the victim's browser into the attacker's account."""

    def test_cookie_login_refuses_other_sites(self) -> None:
        for headers in CROSS_SITE:
            for form in ("json", "multipart"):
                with self.subTest(headers=headers, format=form):
                    response = self.client.post(
                        "/browser/login/", CREDENTIALS, format=form, **headers
                    )
                    self.assertError(response, status.HTTP_403_FORBIDDEN, "origin_not_allowed")
                    self.assertEqual(dict(response.cookies), {})

    def test_a_forged_form_login_is_refused(self) -> None:
        # The attack as a browser makes it: an auto-submitting urlencoded form.
        response = self.client.generic(
            "POST",
            "/browser/login/",
            f"username={USERNAME}&password={PASSWORD}",
            content_type="application/x-www-form-urlencoded",
            HTTP_ORIGIN="http://attacker.example",
            HTTP_SEC_FETCH_SITE="cross-site",
        )
        self.assertError(response, status.HTTP_403_FORBIDDEN, "origin_not_allowed")
        self.assertEqual(dict(response.cookies), {})

    def test_cookie_login_from_this_site(self) -> None:
        for headers in SAME_ORIGIN:
            with self.subTest(headers=headers):
                response = self.client.post(
                    "/browser/login/", CREDENTIALS, format="json", **headers
                )
                self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)
                self.assertIn(ACCESS, response.cookies)

    def test_https_and_trusted_origins(self) -> None:
        response = self.client.post(
            "/browser/login/", CREDENTIALS, format="json", secure=True,
            HTTP_ORIGIN="https://testserver",
        )  # fmt: skip
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)
        response = self.client.post(
            "/browser/login/", CREDENTIALS, format="json", secure=True,
            HTTP_ORIGIN="http://testserver",
        )  # fmt: skip
        self.assertError(response, status.HTTP_403_FORBIDDEN, "origin_not_allowed")
        trusted = ["https://app.example.com", "https://*.example.org"]
        with self.settings(CSRF_TRUSTED_ORIGINS=trusted):
            for origin, code in (
                ("https://app.example.com", 200),
                ("https://a.b.example.org", 200),
                ("http://app.example.com", 403),
                ("http://a.example.org", 403),
                ("https://example.org.evil.example", 403),
            ):
                with self.subTest(origin=origin):
                    response = self.client.post(
                        "/browser/login/", CREDENTIALS, format="json", HTTP_ORIGIN=origin
                    )
                    self.assertEqual(response.status_code, code, response.content)

    def test_cookie_refresh_refuses_other_sites(self) -> None:
        self.browser_login()
        refresh = self.jar_value(REFRESH)
        for headers in CROSS_SITE:
            with self.subTest(headers=headers):
                # Even with the refresh token in a header (no CSRF value needed there).
                response = self.client.post(
                    "/browser/refresh/", HTTP_AUTHORIZATION=f"Bearer {refresh}", **headers
                )
                self.assertError(response, status.HTTP_403_FORBIDDEN, "origin_not_allowed")
                self.assertEqual(dict(response.cookies), {})
        response = self.client.post(
            "/browser/refresh/",
            HTTP_AUTHORIZATION=f"Bearer {refresh}",
            HTTP_ORIGIN="http://testserver",
        )
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)

    def test_views_that_deliver_no_cookie_are_not_checked(self) -> None:
        # Tokens in the body: another site's page cannot read the answer (CORS), and the
        # browser keeps nothing. verify/ never sets cookies.
        headers = {"HTTP_ORIGIN": "https://evil.example", "HTTP_SEC_FETCH_SITE": "cross-site"}
        response = self.client.post("/auth/login/", CREDENTIALS, format="json", **headers)
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)
        with cookie_settings():
            token = self.login()["access_token"]
            response = self.client.post("/auth/verify/", {"token": token}, format="json", **headers)
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)

    @paseto_settings(COOKIE_CSRF_PROTECT=False)
    def test_no_check_without_csrf_protection(self) -> None:
        response = self.client.post(
            "/browser/login/", CREDENTIALS, format="json", HTTP_ORIGIN="https://evil.example"
        )
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)

    @paseto_settings()
    def test_logout_without_denylist_refuses_other_sites(self) -> None:
        # No token cookie goes along with a cross-site POST (SameSite): without the check,
        # any site could clear the user's cookies, a logout CSRF.
        for url in ("/browser/logout/", "/browser/logout/all/"):
            for headers in CROSS_SITE:
                with self.subTest(url=url, headers=headers):
                    response = self.client.post(url, **headers)
                    self.assertError(response, status.HTTP_403_FORBIDDEN, "origin_not_allowed")
                    self.assertEqual(dict(response.cookies), {})
            for headers in SAME_ORIGIN:
                with self.subTest(url=url, headers=headers):
                    response = self.client.post(url, **headers)
                    self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT)
                    self.assertEqual(response.content, b"")
        # A token of ours with its CSRF value: the request is ours, whatever its Origin.
        self.browser_login()
        response = self.browse(
            "post", "/browser/logout/", csrf=self.jar_value(CSRF_ACCESS),
            HTTP_ORIGIN="https://evil.example",
        )  # fmt: skip
        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT, response.content)
        self.assertCleared(response)
