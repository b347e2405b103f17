"""drf_paseto.adrf_views (``/async/auth/``, tests/async_urls.py) answer as the sync token
views (``/auth/``) do: every scenario below runs on both, and the answers' shapes (status,
body keys, code, the headers and cookies that matter) must be the same. The store legs run
it on the database and the Redis store."""

from __future__ import annotations

import json
from typing import Any

from asgiref.sync import sync_to_async
from django.core.cache import caches

from drf_paseto.adrf_views import AsyncTokenObtainView
from tests.helpers import (
    PASSWORD,
    USERNAME,
    DatabaseLeg,
    RedisLeg,
    TokenAPITestCase,
    drf_settings,
    thread_hops,
)

SYNC, ASYNC = "/auth/", "/async/auth/"
HEADERS = ("Cache-Control", "WWW-Authenticate", "Retry-After", "Content-Type")


class Caller:
    """One side: the sync views through the sync test client, the adrf views through
    Django's ``AsyncClient`` (ASGI)."""

    def __init__(self, test: Any, prefix: str) -> None:
        self.test, self.prefix = test, prefix

    async def __call__(
        self,
        method: str,
        route: str,
        token: str | None = None,
        body: Any = None,
        raw: str | None = None,
        **headers: str,
    ) -> Any:
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (None if body is None else json.dumps(body))
        url = self.prefix + route
        if self.prefix == SYNC:
            meta = {
                "HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()
            }
            call = getattr(self.test.client, method.lower())
            kwargs: dict[str, Any] = dict(meta)
            if data is not None:
                kwargs.update(data=data, content_type="application/json")
            return await sync_to_async(call)(url, **kwargs)
        call = getattr(self.test.async_client, method.lower())
        kwargs = {"headers": headers}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        return await call(url, **kwargs)


def shape(response: Any) -> tuple[Any, ...]:
    """What must be the same on both sides: not the tokens, which differ."""
    try:
        body = json.loads(response.content) if response.content else None
    except ValueError:
        body = response.content
    keys = sorted(body) if isinstance(body, dict) else body
    code = body.get("code") if isinstance(body, dict) else None
    headers = tuple(response.get(name) for name in HEADERS)
    cookies = sorted((name, bool(morsel.value)) for name, morsel in response.cookies.items())
    return response.status_code, keys, code, headers, cookies


class TwinTests:
    """Each scenario returns the shapes of its answers; both sides must give the same."""

    async def both(self, scenario: Any) -> list[Any]:
        outcomes = []
        for prefix in (SYNC, ASYNC):
            await sync_to_async(caches["default"].clear)()  # the throttles' counts
            outcomes.append(await scenario(Caller(self, prefix)))
        test: Any = self
        test.assertEqual(outcomes[0], outcomes[1])
        return list(outcomes[1])

    async def login(self, call: Caller, password: str = PASSWORD) -> Any:
        return await call("POST", "login/", body={"username": USERNAME, "password": password})

    async def test_login(self) -> None:
        async def scenario(call: Caller) -> list[Any]:
            return [
                shape(await self.login(call)),
                shape(await self.login(call, "wrong")),
                shape(await call("POST", "login/", body={"username": USERNAME})),
                shape(await call("POST", "login/", raw="{not json")),
                shape(await call("GET", "login/")),
            ]

        shapes = await self.both(scenario)
        test: Any = self
        test.assertEqual([s[0] for s in shapes], [200, 401, 400, 400, 405])
        test.assertEqual(shapes[1][2], "invalid_credentials")

    async def test_refresh_and_the_token_split(self) -> None:
        async def scenario(call: Caller) -> list[Any]:
            tokens = (await self.login(call)).json()
            return [
                shape(await call("POST", "refresh/", tokens["refresh_token"])),
                shape(await call("POST", "refresh/", tokens["access_token"])),
                shape(await call("POST", "refresh/")),
                shape(
                    await call("POST", "refresh/", body={"refresh_token": tokens["refresh_token"]})
                ),
                shape(await call("GET", "sessions/", tokens["refresh_token"])),
            ]

        shapes = await self.both(scenario)
        test: Any = self
        test.assertEqual([s[0] for s in shapes], [200, 401, 401, 200, 401])
        test.assertEqual(shapes[1][2], "token_wrong_type")

    async def test_sessions_and_logouts(self) -> None:
        async def scenario(call: Caller) -> list[Any]:
            first = (await self.login(call)).json()
            second = (await self.login(call)).json()
            await self.login(call)
            listed = await call("GET", "sessions/", first["access_token"])
            sessions = listed.json()["sessions"]
            other = next(s["id"] for s in sessions if not s["current"])
            answers = [
                shape(listed),
                (len(sessions), sorted(sessions[0])),
                shape(await call("DELETE", "sessions/nope/", first["access_token"])),
                shape(await call("DELETE", f"sessions/{other}/", first["access_token"])),
                shape(await call("POST", "logout/others/", first["access_token"])),
                shape(await call("POST", "logout/", first["access_token"])),
                shape(await call("POST", "logout/", first["access_token"])),
                shape(await call("POST", "logout/all/", second["access_token"])),  # ended
            ]
            fourth = (await self.login(call)).json()
            answers += [
                shape(await call("POST", "logout/all/", fourth["refresh_token"])),
                shape(await call("GET", "sessions/", fourth["access_token"])),
            ]
            return answers

        shapes = await self.both(scenario)
        test: Any = self
        test.assertEqual(
            [s[0] for s in shapes if isinstance(s[0], int)],
            [200, 3, 404, 204, 204, 204, 401, 401, 204, 401],
        )

    async def test_login_throttles(self) -> None:
        rates = {"paseto_login": "2/min", "paseto_login_failures": "5/min"}
        with drf_settings(DEFAULT_THROTTLE_RATES=rates):

            async def scenario(call: Caller) -> list[Any]:
                return [shape(await self.login(call)) for _ in range(3)]

            shapes = await self.both(scenario)
        test: Any = self
        test.assertEqual([s[0] for s in shapes], [200, 200, 429])
        test.assertEqual(shapes[2][2], "throttled")

    async def test_cookies_and_the_origin_check(self) -> None:
        test: Any = self
        with test.paseto(TOKEN_LOCATION=["cookies"]):

            async def scenario(call: Caller) -> list[Any]:
                login = await self.login(call)
                forged = await call(
                    "POST",
                    "login/",
                    body={"username": USERNAME, "password": PASSWORD},
                    Origin="https://evil.example",
                )
                return [shape(login), shape(forged)]

            shapes = await self.both(scenario)
        test.assertEqual([s[0] for s in shapes], [200, 403])
        test.assertEqual(shapes[1][2], "origin_not_allowed")
        test.assertIn(("access_token_cookie", True), shapes[0][4])

    async def test_one_thread_hop_for_the_handler(self) -> None:
        with thread_hops() as hops:
            response = await self.login(Caller(self, ASYNC))
        test: Any = self
        test.assertEqual(response.status_code, 200)
        # adrf's initial() (AsyncViewMixin's, which hides its variables from error reports and
        # runs _TokenView's with the origin check), then the handler: one each.
        ours = [hop for hop in hops if hop.startswith("drf_paseto.")]
        test.assertEqual(
            ours,
            [
                "drf_paseto.adrf_views.AsyncViewMixin.initial",
                "drf_paseto.views.TokenObtainView.post",
            ],
        )
        test.assertTrue(AsyncTokenObtainView.view_is_async)


class DatabaseStoreAdrfViewTests(DatabaseLeg, TwinTests, TokenAPITestCase):
    pass


class RedisStoreAdrfViewTests(RedisLeg, TwinTests, TokenAPITestCase):
    pass


class ErrorReportTests(TokenAPITestCase):
    """An unexpected error while the login is throttled (adrf runs ``initial()`` in a worker
    thread) shows no password in Django's error report, as on the sync view."""

    SECRET = "hunter2-must-not-show"

    def request(self, is_async: bool) -> Any:
        from django.test import AsyncRequestFactory, RequestFactory

        body = json.dumps({"username": USERNAME, "password": self.SECRET})
        factory = AsyncRequestFactory() if is_async else RequestFactory()
        return factory.post("/login/", body, content_type="application/json")

    def report(self, view: Any) -> str:
        from unittest import mock

        from asgiref.sync import async_to_sync, iscoroutinefunction
        from django.contrib.auth import get_user_model
        from django.views.debug import ExceptionReporter

        failing = mock.patch.object(
            get_user_model(), "normalize_username", side_effect=RuntimeError("boom")
        )
        rates = {"paseto_login": "100/min", "paseto_login_failures": "100/min"}
        is_async = iscoroutinefunction(view)
        request = self.request(is_async)
        try:
            with failing, drf_settings(DEFAULT_THROTTLE_RATES=rates):
                response = (async_to_sync(view) if is_async else view)(request)
        except RuntimeError as err:
            reporter = ExceptionReporter(request, type(err), err, err.__traceback__)
        else:
            self.fail(f"the error was not raised: {response.status_code}")
        text: str = reporter.get_traceback_text() + reporter.get_traceback_html()
        self.assertIn("_login_username", text)  # the frame that held the body is shown
        return text

    def test_no_password_in_the_report(self) -> None:
        from drf_paseto.views import TokenObtainView

        for view in (TokenObtainView.as_view(), AsyncTokenObtainView.as_view()):
            with self.subTest(view=view.view_class.__name__):
                report = self.report(view)
                at = report.find(self.SECRET)
                self.assertEqual(at, -1, report[max(0, at - 400) : at + 50])
