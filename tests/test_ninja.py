"""drf_paseto.ninja: the auth classes, the errors and the token endpoints on a NinjaAPI
(tests/async_urls.py, mounted at /async/ninja/), on every store leg."""

from __future__ import annotations

from typing import Any

from django.test import SimpleTestCase
from ninja import NinjaAPI

from drf_paseto.ninja import get_router
from tests.helpers import (
    CHALLENGE,
    PASSWORD,
    PROTECTED_URL,
    USERNAME,
    DatabaseLeg,
    LocMemCacheLeg,
    RedisCacheLeg,
    RedisLeg,
    TokenAPITestCase,
    assert_store_hops_only,
    thread_hops,
)

NINJA = "/async/ninja"


class NinjaTests:
    """The seed flow on ninja operations, sync and async, with DRF's codes and bodies."""

    user: Any
    client: Any
    async_client: Any

    def check(self) -> Any:
        return self

    def post(self, url: str, token: str | None = None, body: Any = None) -> Any:
        headers = {} if token is None else {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        return self.client.post(url, body, format="json", **headers)

    def get(self, url: str, token: str | None = None) -> Any:
        headers = {} if token is None else {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        return self.client.get(url, **headers)

    def ninja_login(self) -> dict[str, str]:
        response = self.post(
            f"{NINJA}/auth/login/", body={"username": USERNAME, "password": PASSWORD}
        )
        self.check().assertEqual(response.status_code, 200, response.content)
        tokens: dict[str, str] = response.json()
        self.check().assertEqual(set(tokens), {"access_token", "refresh_token"})
        self.check().assertEqual(response["Cache-Control"], "no-store")
        return tokens

    def assertRefused(self, response: Any, status: int, code: str) -> None:
        test = self.check()
        test.assertEqual(response.status_code, status, response.content)
        body = response.json()
        test.assertEqual(set(body) - {"errors"}, {"detail", "code"}, body)
        test.assertEqual(body["code"], code, body)
        if status == 401:
            test.assertEqual(response["WWW-Authenticate"], CHALLENGE)

    def test_one_login_session_opens_drf_and_ninja_endpoints(self) -> None:
        test = self.check()
        tokens = self.ninja_login()
        access = tokens["access_token"]
        for url in (PROTECTED_URL, "/async/protected/"):
            test.assertEqual(self.get(url, access).status_code, 200)
        for url in (f"{NINJA}/protected/", f"{NINJA}/async/protected/"):
            response = self.get(url, access)
            test.assertEqual(response.status_code, 200, response.content)
            test.assertEqual(response.json(), {"user": USERNAME, "token_type": "access"})
        drf_login = test.login()  # DRF's login/: its tokens open ninja's endpoints
        test.assertEqual(
            self.get(f"{NINJA}/protected/", drf_login["access_token"]).status_code, 200
        )

    def test_a_refresh_token_opens_nothing_but_refresh(self) -> None:
        test = self.check()
        tokens = self.ninja_login()
        refresh, access = tokens["refresh_token"], tokens["access_token"]
        for url in (f"{NINJA}/protected/", f"{NINJA}/async/protected/", f"{NINJA}/fresh/"):
            self.assertRefused(self.get(url, refresh), 401, "token_wrong_type")
        for url in (f"{NINJA}/refresh-only/", f"{NINJA}/async/refresh-only/"):
            test.assertEqual(self.post(url, refresh).status_code, 200)
            self.assertRefused(self.post(url, access), 401, "token_wrong_type")
        self.assertRefused(self.post(f"{NINJA}/auth/refresh/", access), 401, "token_wrong_type")
        response = self.post(f"{NINJA}/auth/refresh/", refresh)
        test.assertEqual(response.status_code, 200, response.content)
        renewed = response.json()["access_token"]
        test.assertEqual(self.get(f"{NINJA}/async/protected/", renewed).status_code, 200)

    def test_fresh_is_required_where_asked(self) -> None:
        test = self.check()
        tokens = self.ninja_login()
        for url in (f"{NINJA}/fresh/", f"{NINJA}/async/fresh/"):
            test.assertEqual(self.get(url, tokens["access_token"]).status_code, 200)
        refreshed = self.post(f"{NINJA}/auth/refresh/", tokens["refresh_token"]).json()
        for url in (f"{NINJA}/fresh/", f"{NINJA}/async/fresh/"):
            self.assertRefused(self.get(url, refreshed["access_token"]), 403, "token_not_fresh")

    def test_no_token_a_bad_token_and_bad_credentials(self) -> None:
        for url in (f"{NINJA}/protected/", f"{NINJA}/async/protected/"):
            self.assertRefused(self.get(url), 401, "not_authenticated")
            self.assertRefused(self.get(url, "v4.local.bad"), 401, "token_invalid")
        wrong = {"username": USERNAME, "password": "wrong"}
        self.assertRefused(
            self.post(f"{NINJA}/auth/login/", body=wrong), 401, "invalid_credentials"
        )
        self.assertRefused(self.post(f"{NINJA}/auth/login/", body={}), 400, "invalid_request")

    def test_logout_revokes_on_both_frameworks(self) -> None:
        test = self.check()
        tokens = self.ninja_login()
        response = self.post(f"{NINJA}/auth/logout/", tokens["access_token"])
        test.assertEqual(response.status_code, 204, response.content)
        for url in (PROTECTED_URL, f"{NINJA}/protected/", f"{NINJA}/async/protected/"):
            self.assertRefused(self.get(url, tokens["access_token"]), 401, "token_revoked")
        self.assertRefused(
            self.post(f"{NINJA}/auth/refresh/", tokens["refresh_token"]), 401, "token_revoked"
        )

    def test_logout_everywhere(self) -> None:
        test = self.check()
        first, second = self.ninja_login(), test.login()
        response = self.post(f"{NINJA}/auth/logout/all/", first["access_token"])
        test.assertEqual(response.status_code, 204, response.content)
        for tokens in (first, second):
            self.assertRefused(
                self.get(f"{NINJA}/async/protected/", tokens["access_token"]), 401, "token_revoked"
            )

    def test_a_cookie_token_needs_its_csrf_header(self) -> None:
        test = self.check()
        with test.paseto(TOKEN_LOCATION=["cookies"]):
            login = self.post("/auth/login/", body={"username": USERNAME, "password": PASSWORD})
            test.assertEqual(login.status_code, 200, login.content)
            url = f"{NINJA}/async/cookie/"
            self.assertRefused(self.client.post(url), 403, "csrf_missing")
            csrf = login.cookies["csrf_access_token"].value
            self.assertRefused(
                self.client.post(url, HTTP_X_CSRF_TOKEN=csrf + "x"), 403, "csrf_mismatch"
            )
            response = self.client.post(url, HTTP_X_CSRF_TOKEN=csrf)
            test.assertEqual(response.status_code, 200, response.content)
            self.client.cookies.clear()
            self.assertRefused(self.client.post(url), 401, "not_authenticated")

    def test_errors_of_the_project_operations(self) -> None:
        test = self.check()
        self.assertRefused(self.get(f"{NINJA}/raises/paseto/"), 403, "token_not_fresh")
        throttled = self.get(f"{NINJA}/raises/drf/")
        self.assertRefused(throttled, 429, "throttled")
        test.assertEqual(throttled["Retry-After"], "7")
        with test.assertLogs("drf_paseto", "ERROR"):
            away = self.get(f"{NINJA}/raises/database/")
        self.assertRefused(away, 503, "database_unavailable")

    async def test_stateless_async_auth_does_no_io_of_its_own_in_a_thread(self) -> None:
        test = self.check()
        response = await self.async_client.post(
            f"{NINJA}/auth/login/",
            {"username": USERNAME, "password": PASSWORD},
            content_type="application/json",
        )
        access = response.json()["access_token"]
        headers = {"Authorization": f"Bearer {access}"}
        await self.async_client.get(f"{NINJA}/async/stateless/", headers=headers)  # the copy
        with thread_hops() as hops:
            response = await self.async_client.get(f"{NINJA}/async/stateless/", headers=headers)
        test.assertEqual(response.status_code, 200, response.content)
        test.assertEqual(response.json()["user"], str(self.user.pk))
        assert_store_hops_only(test, hops)


class DatabaseStoreNinjaTests(DatabaseLeg, NinjaTests, TokenAPITestCase):
    pass


class LocMemCacheStoreNinjaTests(LocMemCacheLeg, NinjaTests, TokenAPITestCase):
    pass


class RedisCacheStoreNinjaTests(RedisCacheLeg, NinjaTests, TokenAPITestCase):
    pass


class RedisStoreNinjaTests(RedisLeg, NinjaTests, TokenAPITestCase):
    pass


class RouterTests(SimpleTestCase):
    def test_each_call_builds_a_router_of_its_own(self) -> None:
        first, second = get_router(), get_router()
        self.assertIsNot(first, second)
        api = NinjaAPI(urls_namespace="tests-ninja-router")
        api.add_router("/a/", first)
        api.add_router("/b/", second)
        routes = {str(pattern.pattern) for pattern in api.urls[0]}
        self.assertLessEqual({"a/login/", "a/refresh/", "b/logout/", "b/logout/all/"}, routes)
