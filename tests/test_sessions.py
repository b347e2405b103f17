"""drf_paseto/sessions.py: ``sessions/``, ``sessions/<id>/`` and ``logout/others/``.

Run on every store leg (the database; the cache and redis stores, whose copies a session's
end must reach; the Redis legs skipped without Redis).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework import status

from drf_paseto import clock, revocation, signals
from drf_paseto.models import LoginSession
from drf_paseto.sessions import SessionListView
from drf_paseto.tokens import AccessToken
from tests.helpers import (
    LOGIN_URL,
    PASSWORD,
    PROTECTED_URL,
    REFRESH_URL,
    USERNAME,
    DatabaseLeg,
    LocMemCacheLeg,
    RedisCacheLeg,
    RedisLeg,
    TokenAPITestCase,
    drf_settings,
    paseto_settings,
)

SESSIONS_URL = "/auth/sessions/"
LOGOUT_OTHERS_URL = "/auth/logout/others/"
FIELDS = {"id", "current", "created_at", "last_used_at", "expires_at", "user_agent", "ip"}


def session_url(session_id: str) -> str:
    return f"{SESSIONS_URL}{session_id}/"


def sid(tokens: dict[str, str]) -> str:
    return AccessToken(tokens["access_token"]).session_id


class SessionEndpointTests:
    def login_from(self, agent: str, ip: str, username: str = USERNAME) -> dict[str, str]:
        response = self.client.post(
            LOGIN_URL,
            {"username": username, "password": PASSWORD},
            format="json",
            HTTP_USER_AGENT=agent,
            REMOTE_ADDR=ip,
        )
        self.assertEqual(response.status_code, 200, response.content)
        tokens: dict[str, str] = response.json()
        self.issued.extend(tokens.values())
        return tokens

    def list_sessions(self, tokens: dict[str, str]) -> list[dict[str, Any]]:
        response = self.client.get(SESSIONS_URL, **self.bearer(tokens["access_token"]))
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response["Cache-Control"], "no-store")
        body = response.json()
        self.assertEqual(set(body), {"sessions"})
        sessions: list[dict[str, Any]] = body["sessions"]
        return sessions

    def assertWorks(self, tokens: dict[str, str]) -> None:
        response = self.client.get(PROTECTED_URL, **self.bearer(tokens["access_token"]))
        self.assertEqual(response.status_code, 200, response.content)

    def assertEnded(self, tokens: dict[str, str]) -> None:
        response = self.client.get(PROTECTED_URL, **self.bearer(tokens["access_token"]))
        self.assertError(response, 401, "token_revoked")
        response = self.client.post(REFRESH_URL, **self.bearer(tokens["refresh_token"]))
        self.assertError(response, 401, "token_revoked")

    # --- GET sessions/ ------------------------------------------------------------------

    def test_urls(self) -> None:
        self.assertEqual(reverse("drf_paseto:sessions"), SESSIONS_URL)
        self.assertEqual(reverse("drf_paseto:session", args=["abc"]), session_url("abc"))
        self.assertEqual(reverse("drf_paseto:logout_others"), LOGOUT_OTHERS_URL)

    def test_the_callers_live_sessions_newest_first(self) -> None:
        laptop = self.login_from("Firefox/130", "198.51.100.7")
        phone = self.login_from("Mobile Safari", "2001:db8::1")
        get_user_model().objects.create_user("bob", password=PASSWORD)
        self.login_from("curl/8", "203.0.113.1", "bob")
        sessions = self.list_sessions(laptop)
        self.assertEqual([s["id"] for s in sessions], [sid(phone), sid(laptop)])
        self.assertEqual([s["current"] for s in sessions], [False, True])
        for session in sessions:
            self.assertEqual(set(session), FIELDS)
        newest = sessions[0]
        self.assertEqual((newest["user_agent"], newest["ip"]), ("Mobile Safari", "2001:db8::1"))
        row = LoginSession.objects.get(pk=sid(phone))
        self.assertEqual(newest["expires_at"], row.expires_at.isoformat().replace("+00:00", "Z"))
        self.assertEqual([s["current"] for s in self.list_sessions(phone)], [True, False])

    def test_ended_and_expired_sessions_are_not_listed(self) -> None:
        current, ended, expired = (self.login_from("a", "192.0.2.1") for _ in range(3))
        self.client.post("/auth/logout/", **self.bearer(ended["access_token"]))
        LoginSession.objects.filter(pk=sid(expired)).update(
            expires_at=clock.current_time() - timedelta(seconds=1)
        )
        self.assertEqual([s["id"] for s in self.list_sessions(current)], [sid(current)])

    def test_sessions_before_a_cutoff_are_not_listed(self) -> None:
        old = self.login_from("a", "192.0.2.1")
        # A cutoff that no session row was marked by (a login checking its password then).
        revocation.get_store().revoke_subject(
            str(self.user.pk), cutoff=clock.current_time(), reason="logout_all"
        )
        LoginSession.objects.filter(pk=sid(old)).update(revoked_at=None, revoked_reason="")
        new = self.login_from("b", "192.0.2.2")
        self.assertEqual([s["id"] for s in self.list_sessions(new)], [sid(new)])

    def test_last_used_moves_on_refresh(self) -> None:
        tokens = self.login_from("a", "192.0.2.1")
        before = self.list_sessions(tokens)[0]["last_used_at"]
        self.refresh(tokens["refresh_token"])
        self.assertGreater(self.list_sessions(tokens)[0]["last_used_at"], before)

    def test_the_connecting_address_not_a_forwarded_one(self) -> None:
        response = self.client.post(
            LOGIN_URL,
            {"username": USERNAME, "password": PASSWORD},
            format="json",
            REMOTE_ADDR="192.0.2.9",
            HTTP_X_FORWARDED_FOR="198.51.100.66",
        )
        tokens = response.json()
        self.assertEqual(self.list_sessions(tokens)[0]["ip"], "192.0.2.9")
        with drf_settings(NUM_PROXIES=1):
            response = self.client.post(
                LOGIN_URL,
                {"username": USERNAME, "password": PASSWORD},
                format="json",
                REMOTE_ADDR="192.0.2.9",
                HTTP_X_FORWARDED_FOR="198.51.100.66",
            )
            self.assertEqual(self.list_sessions(response.json())[0]["ip"], "198.51.100.66")

    # --- DELETE sessions/<id>/ -----------------------------------------------------------

    def test_end_another_session(self) -> None:
        laptop, phone = self.login_from("a", "192.0.2.1"), self.login_from("b", "192.0.2.2")
        response = self.client.delete(
            session_url(sid(phone)), **self.bearer(laptop["access_token"])
        )
        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT, response.content)
        self.assertEqual(response.content, b"")
        self.assertEnded(phone)
        self.assertWorks(laptop)
        self.assertEqual(LoginSession.objects.get(pk=sid(phone)).revoked_reason, "logout")

    def test_end_the_current_session(self) -> None:
        tokens = self.login_from("a", "192.0.2.1")
        response = self.client.delete(
            session_url(sid(tokens)), **self.bearer(tokens["access_token"])
        )
        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT)
        self.assertEnded(tokens)

    def test_another_users_session_is_the_same_404_as_none(self) -> None:
        mine = self.login_from("a", "192.0.2.1")
        get_user_model().objects.create_user("bob", password=PASSWORD)
        bobs = self.login_from("b", "192.0.2.2", "bob")
        ended = self.login_from("c", "192.0.2.3")
        self.client.post("/auth/logout/", **self.bearer(ended["access_token"]))
        for target in (sid(bobs), "0" * 32, sid(ended), "x" * 300, "%20"):
            with self.subTest(target=target):
                response = self.client.delete(
                    session_url(target), **self.bearer(mine["access_token"])
                )
                self.assertError(response, 404, "session_not_found")
        self.assertWorks(bobs)
        self.assertWorks(mine)

    # --- POST logout/others/ -------------------------------------------------------------

    def test_logout_others_keeps_the_current_session_only(self) -> None:
        current = self.login_from("a", "192.0.2.1")
        others = [self.login_from("b", "192.0.2.2"), self.login_from("c", "192.0.2.3")]
        get_user_model().objects.create_user("bob", password=PASSWORD)
        bobs = self.login_from("d", "192.0.2.4", "bob")
        response = self.client.post(LOGOUT_OTHERS_URL, **self.bearer(current["access_token"]))
        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT, response.content)
        for tokens in others:
            self.assertEnded(tokens)
            self.assertEqual(
                LoginSession.objects.get(pk=sid(tokens)).revoked_reason, "logout_others"
            )
        self.assertWorks(current)
        self.assertWorks(bobs)
        self.assertEqual([s["id"] for s in self.list_sessions(current)], [sid(current)])
        # Nothing left to end: still 204.
        response = self.client.post(LOGOUT_OTHERS_URL, **self.bearer(current["access_token"]))
        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT)

    # --- who may call them ----------------------------------------------------------------

    def test_a_refresh_token_is_refused(self) -> None:
        tokens = self.login_from("a", "192.0.2.1")
        calls = [
            lambda: self.client.get(SESSIONS_URL, **self.bearer(tokens["refresh_token"])),
            lambda: self.client.delete(
                session_url(sid(tokens)), **self.bearer(tokens["refresh_token"])
            ),
            lambda: self.client.post(LOGOUT_OTHERS_URL, **self.bearer(tokens["refresh_token"])),
        ]
        for call in calls:
            with self.subTest(call=call):
                self.assertError(call(), 401, "token_wrong_type")
        self.assertWorks(tokens)

    def test_no_token_and_bad_tokens(self) -> None:
        for method, url in (
            ("get", SESSIONS_URL),
            ("delete", session_url("x")),
            ("post", LOGOUT_OTHERS_URL),
        ):
            with self.subTest(url=url):
                self.assertNotAuthenticated(getattr(self.client, method)(url))
                response = getattr(self.client, method)(
                    url, HTTP_AUTHORIZATION="Bearer v4.local.AAAA"
                )
                self.assertEqual(response.status_code, 401)
                self.assertIn("code", response.json())

    def test_other_methods(self) -> None:
        tokens = self.login_from("a", "192.0.2.1")
        for method, url in (
            ("post", SESSIONS_URL),
            ("get", session_url(sid(tokens))),
            ("get", LOGOUT_OTHERS_URL),
        ):
            with self.subTest(method=method, url=url):
                response = getattr(self.client, method)(url, **self.bearer(tokens["access_token"]))
                self.assertCodedError(response, 405, "method_not_allowed")

    def test_revocation_off(self) -> None:
        with paseto_settings():
            tokens = self.login()
            for method, url in (
                ("get", SESSIONS_URL),
                ("delete", session_url(sid(tokens))),
                ("post", LOGOUT_OTHERS_URL),
            ):
                with self.subTest(url=url):
                    response = getattr(self.client, method)(
                        url, **self.bearer(tokens["access_token"])
                    )
                    self.assertError(response, 404, "revocation_disabled")

    def test_a_store_away_is_a_503(self) -> None:
        tokens = self.login_from("a", "192.0.2.1")
        from drf_paseto.exceptions import StoreUnavailable

        with mock.patch.object(
            type(revocation.get_store()), "live_sessions", side_effect=StoreUnavailable()
        ):
            for method, url in (("get", SESSIONS_URL), ("post", LOGOUT_OTHERS_URL)):
                with self.subTest(url=url):
                    response = getattr(self.client, method)(
                        url, **self.bearer(tokens["access_token"])
                    )
                    self.assertError(response, 503, "revocation_store_unavailable")

    # --- signals ----------------------------------------------------------------------

    def test_sessions_created_and_revoked_are_signalled(self) -> None:
        created: list[dict[str, Any]] = []
        revoked: list[dict[str, Any]] = []
        signals.session_created.connect(
            lambda **kw: created.append(kw), weak=False, dispatch_uid="t1"
        )
        signals.session_revoked.connect(
            lambda **kw: revoked.append(kw), weak=False, dispatch_uid="t2"
        )
        self.addCleanup(signals.session_created.disconnect, dispatch_uid="t1")
        self.addCleanup(signals.session_revoked.disconnect, dispatch_uid="t2")
        current, other, third = (self.login_from("a", "192.0.2.1") for _ in range(3))
        self.assertEqual(
            [kw["session"].id for kw in created], [sid(current), sid(other), sid(third)]
        )
        self.assertIsNotNone(created[0]["request"])
        self.client.delete(session_url(sid(other)), **self.bearer(current["access_token"]))
        self.client.post("/auth/logout/all/", **self.bearer(current["access_token"]))
        told = [(kw["session_id"], kw["reason"]) for kw in revoked]
        self.assertEqual(told[0], (sid(other), "logout"))
        # Logout everywhere tells each session it ended, once, in no promised order.
        self.assertCountEqual(told[1:], [(sid(third), "logout_all"), (sid(current), "logout_all")])
        for kw in revoked:
            self.assertEqual(kw["subject"], str(self.user.pk))
            self.assertEqual(kw["user"], self.user)

    def test_permission_classes_can_be_overridden(self) -> None:
        from rest_framework.permissions import IsAdminUser

        tokens = self.login_from("a", "192.0.2.1")
        view = SessionListView.as_view(permission_classes=[IsAdminUser])
        from rest_framework.test import APIRequestFactory

        request = APIRequestFactory().get(
            SESSIONS_URL, HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}"
        )
        self.assertEqual(view(request).status_code, 403)


class DatabaseSessionTests(DatabaseLeg, SessionEndpointTests, TokenAPITestCase):
    pass


class LocMemCacheSessionTests(LocMemCacheLeg, SessionEndpointTests, TokenAPITestCase):
    pass


class RedisCacheSessionTests(RedisCacheLeg, SessionEndpointTests, TokenAPITestCase):
    pass


class RedisSessionTests(RedisLeg, SessionEndpointTests, TokenAPITestCase):
    pass
