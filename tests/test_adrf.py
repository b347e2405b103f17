"""drf_paseto.adrf: the async authenticators on adrf views (tests/async_urls.py), on every
store leg, and system check E010 (an async-only class on a view that cannot await it)."""

from __future__ import annotations

import sys
import types
from typing import Any

from asgiref.sync import sync_to_async
from django.test import SimpleTestCase, override_settings
from django.urls import path

from drf_paseto import revocation
from drf_paseto.adrf import AsyncPasetoAuthentication, AsyncPasetoStatelessAuthentication
from drf_paseto.checks.async_views import _check_async_classes
from drf_paseto.testing import tokens_for
from drf_paseto.tokens import RefreshToken
from tests.helpers import (
    CHALLENGE,
    DatabaseLeg,
    LocMemCacheLeg,
    RedisCacheLeg,
    RedisLeg,
    TokenAPITestCase,
    assert_store_hops_only,
    thread_hops,
)


class AdrfViewTests:
    """The seed flow on adrf views, with the sync views' codes and bodies."""

    user: Any
    async_client: Any

    async def tokens(self) -> dict[str, str]:
        pair: dict[str, str] = await sync_to_async(tokens_for)(self.user)
        return pair

    async def get(self, url: str, token: str | None = None) -> Any:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        return await self.async_client.get(url, headers=headers)

    def assertRefused(self, response: Any, status: int, code: str) -> None:
        test: Any = self
        test.assertEqual(response.status_code, status, response.content)
        body = response.json()
        test.assertEqual(set(body), {"detail", "code"}, body)
        test.assertEqual(body["code"], code)
        if status == 401:
            test.assertEqual(response["WWW-Authenticate"], CHALLENGE)

    async def test_an_access_token_opens_the_async_view(self) -> None:
        pair = await self.tokens()
        response = await self.get("/async/protected/", pair["access_token"])
        test: Any = self
        test.assertEqual(response.status_code, 200, response.content)
        test.assertEqual(response.json(), {"user": "alice", "token_type": "access"})

    async def test_a_refresh_token_opens_nothing_but_refresh(self) -> None:
        pair = await self.tokens()
        response = await self.get("/async/protected/", pair["refresh_token"])
        self.assertRefused(response, 401, "token_wrong_type")
        response = await self.get("/async/refresh-only/", pair["refresh_token"])
        test: Any = self
        test.assertEqual(response.status_code, 200, response.content)
        response = await self.get("/async/refresh-only/", pair["access_token"])
        self.assertRefused(response, 401, "token_wrong_type")

    async def test_the_sync_class_on_an_adrf_view(self) -> None:
        # docs/async.md: on adrf 0.1.x the sync authenticators cost less; the same rules hold.
        pair = await self.tokens()
        url = "/async/sync-authentication/"
        response = await self.get(url, pair["access_token"])
        test: Any = self
        test.assertEqual(response.status_code, 200, response.content)
        test.assertEqual(response.json(), {"user": "alice", "token_type": "access"})
        self.assertRefused(await self.get(url, pair["refresh_token"]), 401, "token_wrong_type")
        self.assertRefused(await self.get(url), 401, "not_authenticated")
        token = RefreshToken(pair["refresh_token"])
        await sync_to_async(revocation.revoke_session)(
            token.session_id, token.subject, reason="logout"
        )
        self.assertRefused(await self.get(url, pair["access_token"]), 401, "token_revoked")

    async def test_no_token_and_a_bad_token(self) -> None:
        self.assertRefused(await self.get("/async/protected/"), 401, "not_authenticated")
        self.assertRefused(
            await self.get("/async/protected/", "v4.local.bad"), 401, "token_invalid"
        )

    async def test_fresh_is_required_where_asked(self) -> None:
        pair = await self.tokens()
        test: Any = self
        response = await self.get("/async/fresh/", pair["access_token"])
        test.assertEqual(response.status_code, 200, response.content)
        refreshed = str(RefreshToken(pair["refresh_token"]).access_token)
        self.assertRefused(await self.get("/async/fresh/", refreshed), 403, "token_not_fresh")

    async def test_a_logged_out_session_is_refused(self) -> None:
        pair = await self.tokens()
        await self.get("/async/protected/", pair["access_token"])  # a copy, where kept
        token = RefreshToken(pair["refresh_token"])
        await sync_to_async(revocation.revoke_session)(
            token.session_id, token.subject, reason="logout"
        )
        response = await self.get("/async/protected/", pair["access_token"])
        self.assertRefused(response, 401, "token_revoked")

    async def test_stateless_authentication_does_no_io_of_its_own_in_a_thread(self) -> None:
        pair = await self.tokens()
        await self.get("/async/stateless/", pair["access_token"])  # a copy, where kept
        with thread_hops() as hops:
            response = await self.get("/async/stateless/", pair["access_token"])
        test: Any = self
        test.assertEqual(response.status_code, 200, response.content)
        test.assertEqual(response.json()["user"], str(self.user.pk))
        # adrf's own hop (initial() in a worker thread) and Django's are always there; ours
        # is the store's read, in one hop, except on the Redis store (redis.asyncio).
        test.assertIn("rest_framework.views.APIView.initial", hops)
        assert_store_hops_only(test, hops)

    async def test_a_user_read_with_its_session_is_not_read_again_in_a_thread(self) -> None:
        # The database store brings the user in its one query: aget_user has nothing to read.
        pair = await self.tokens()
        await self.get("/async/protected/", pair["access_token"])  # a copy, where kept
        with thread_hops() as hops:
            response = await self.get("/async/protected/", pair["access_token"])
        test: Any = self
        test.assertEqual(response.status_code, 200, response.content)
        ours = [hop for hop in hops if hop.startswith("drf_paseto.")]
        if not test.mirrored:
            test.assertEqual(ours, ["drf_paseto.stores.base.RevocationStore.read_token"], hops)
        else:  # a copy holds no user: it is read in one more hop
            test.assertIn("drf_paseto.authentication.PasetoAuthentication.get_user", ours)


class DatabaseStoreAdrfTests(DatabaseLeg, AdrfViewTests, TokenAPITestCase):
    pass


class LocMemCacheStoreAdrfTests(LocMemCacheLeg, AdrfViewTests, TokenAPITestCase):
    pass


class RedisCacheStoreAdrfTests(RedisCacheLeg, AdrfViewTests, TokenAPITestCase):
    pass


class RedisStoreAdrfTests(RedisLeg, AdrfViewTests, TokenAPITestCase):
    pass


# --- E010 -------------------------------------------------------------------------------------


class AsyncPermission:
    """A third-party permission with an async ``has_permission``."""

    async def has_permission(self, request: Any, view: Any) -> bool:
        return False


def _plain(name: str, **attributes: Any) -> Any:
    from rest_framework.views import APIView

    return type(name, (APIView,), attributes)


def _adrf(name: str, **attributes: Any) -> Any:
    from adrf.views import APIView

    return type(name, (APIView,), attributes)


class AsyncClassCheckTests(SimpleTestCase):
    def run_check(self, patterns: list[Any]) -> list[Any]:
        module = types.ModuleType("tests._async_check_urls")
        module.urlpatterns = patterns  # type: ignore[attr-defined]
        sys.modules[module.__name__] = module
        self.addCleanup(sys.modules.pop, module.__name__)
        with override_settings(ROOT_URLCONF=module.__name__):
            return _check_async_classes()

    def test_async_classes_on_adrf_views_pass(self) -> None:
        from adrf.decorators import api_view
        from adrf.viewsets import ViewSet
        from rest_framework.decorators import authentication_classes

        @api_view(["GET"])
        @authentication_classes([AsyncPasetoAuthentication])
        async def function_view(request: Any) -> Any:
            return None

        class Sessions(ViewSet):  # type: ignore[misc]
            authentication_classes = [AsyncPasetoStatelessAuthentication]
            permission_classes = [AsyncPermission]

            async def list(self, request: Any) -> Any:
                return None

        patterns = [
            path("a/", _adrf("Fine", authentication_classes=[AsyncPasetoAuthentication]).as_view()),
            path("f/", function_view),
            path("v/", Sessions.as_view({"get": "list"})),
        ]
        self.assertEqual(self.run_check(patterns), [])
        self.assertEqual(_check_async_classes(), [])  # the suite's own URLconf

    def test_async_classes_on_plain_drf_views_are_errors(self) -> None:
        patterns = [
            path(
                "a/", _plain("Auth", authentication_classes=[AsyncPasetoAuthentication]).as_view()
            ),
            path("p/", _plain("Perm", permission_classes=[AsyncPermission]).as_view()),
            path(
                "k/",
                _plain("ByKwargs").as_view(
                    authentication_classes=[AsyncPasetoStatelessAuthentication]
                ),
            ),
        ]
        messages = self.run_check(patterns)
        self.assertEqual(
            [(m.id, m.obj.__name__) for m in messages],
            [
                ("drf_paseto.E010", "Auth"),
                ("drf_paseto.E010", "Perm"),
                ("drf_paseto.E010", "ByKwargs"),
            ],
        )
        self.assertIn("500", messages[0].msg)
        self.assertIn("let in", messages[1].msg)

    def test_manage_py_check_fails(self) -> None:
        from django.core.management import call_command
        from django.core.management.base import SystemCheckError

        view = _plain("Plain", authentication_classes=[AsyncPasetoAuthentication])
        module = types.ModuleType("tests._async_check_command_urls")
        module.urlpatterns = [path("p/", view.as_view())]  # type: ignore[attr-defined]
        sys.modules[module.__name__] = module
        self.addCleanup(sys.modules.pop, module.__name__)
        with (
            override_settings(ROOT_URLCONF=module.__name__),
            self.assertRaisesMessage(SystemCheckError, "drf_paseto.E010"),
        ):
            call_command("check", tags=["urls"])

    def test_an_async_default_authenticator_reaches_plain_views(self) -> None:
        view = _plain("Defaults")
        view.authentication_classes = [AsyncPasetoAuthentication]  # as the default would
        messages = self.run_check([path("d/", view.as_view())])
        self.assertEqual([m.id for m in messages], ["drf_paseto.E010"])
