"""drf_paseto._introspection, drf_paseto.stores.verify_only and introspect/: revocation across
services.

The issuer's side (introspect/) runs in the test client; the services' side
(IntrospectionStore, SharedRedisStore) asks a real HTTP server on loopback that plays the
issuer (tests.helpers.KeySetServer), or reads a real Redis written by the issuer's store.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from typing import Any
from unittest import mock, skipUnless

from django.core.cache import caches
from django.test import TestCase

from drf_paseto import revocation
from drf_paseto.tokens import AccessToken, RefreshToken
from tests import keys
from tests.helpers import (
    DEAD_REDIS_URL,
    HAS_REDIS_PY,
    REDIS_SKIP_REASON,
    REDIS_URL,
    KeySetServer,
    TokenAPITestCase,
    claims,
    delete_redis_keys,
    forge,
    paseto_settings,
)

INTROSPECT = "/auth/introspect/"
SECRET = "s" * 40
CLIENTS = {"orders": SECRET}
INTROSPECTION_STORE = "drf_paseto.stores.verify_only.IntrospectionStore"
SHARED_REDIS_STORE = "drf_paseto.stores.verify_only.SharedRedisStore"


def basic(client_id: str = "orders", secret: str = SECRET) -> dict[str, str]:
    encoded = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {encoded}"}


class IntrospectViewTests(TokenAPITestCase):
    def setUp(self) -> None:
        super().setUp()
        override = paseto_settings(DENYLIST_ENABLED=True, INTROSPECT_CLIENT_SECRETS=CLIENTS)
        override.enable()
        self.addCleanup(override.disable)

    def introspect(self, token: Any, **headers: Any) -> Any:
        headers = headers or basic()
        return self.client.post(INTROSPECT, {"token": token}, **headers)

    def test_an_active_token(self) -> None:
        access = self.login()["access_token"]
        response = self.introspect(access)
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        token = AccessToken(access)
        self.assertEqual(
            body,
            {
                "active": True,
                "sub": str(self.user.pk),
                "token_type": "access",
                "jti": token.jti,
                "sid": token.session_id,
                "iat": int(token.issued_at.timestamp()),
                "exp": int(token.expires_at.timestamp()),
                "fresh": True,
            },
        )
        self.assertEqual(response["Cache-Control"], "no-store")
        # JSON works as well as the form RFC 7662 uses.
        response = self.client.post(INTROSPECT, {"token": access}, format="json", **basic())
        self.assertIs(response.json()["active"], True)

    def test_inactive_tokens(self) -> None:
        tokens = self.login()
        self.client.post("/auth/logout/", **self.bearer(tokens["access_token"]))
        other = self.login()
        cases = {
            "logged out": tokens["access_token"],
            "a refresh token": other["refresh_token"],
            "garbage": "v4.local.garbage",
            "not token text": "<script>",
            "another key": forge(claims(self.user.pk), key=keys.LOCAL_V4_2),
            "expired": forge(claims(self.user.pk, exp="2020-01-01T00:00:00Z")),
            "a session never opened": forge(claims(self.user.pk)),
        }
        for name, token in cases.items():
            with self.subTest(name):
                response = self.introspect(token)
                self.assertEqual(response.status_code, 200, response.content)
                self.assertEqual(response.json(), {"active": False})
        # Asking changes nothing: the other session's refresh token still refreshes.
        self.refresh(other["refresh_token"])

    def test_an_inactive_user(self) -> None:
        access = self.login()["access_token"]
        self.user.is_active = False
        self.user.save()
        self.assertEqual(self.introspect(access).json(), {"active": False})

    def test_client_authentication(self) -> None:
        access = self.login()["access_token"]
        for name, headers in {
            "none": {"HTTP_X": "1"},
            "wrong secret": basic(secret="x" * 40),
            "unknown client": basic(client_id="billing"),
            "bearer": {"HTTP_AUTHORIZATION": f"Bearer {SECRET}"},
            "not base64": {"HTTP_AUTHORIZATION": "Basic ***"},
            "no colon": {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"orders").decode()},
        }.items():
            with self.subTest(name):
                response = self.introspect(access, **headers)
                self.assertError(
                    response, 401, "invalid_client", SECRET, challenge='Basic realm="introspect"'
                )

    def test_disabled_without_clients(self) -> None:
        with paseto_settings(DENYLIST_ENABLED=True):
            response = self.introspect("x")
        self.assertError(response, 404, "introspection_disabled")

    def test_no_token(self) -> None:
        for body in ({}, {"token": ""}):
            with self.subTest(body):
                response = self.client.post(INTROSPECT, body, **basic())
                self.assertError(response, 400, "parse_error")
        response = self.client.post(INTROSPECT, [1], format="json", **basic())
        self.assertError(response, 400, "parse_error")

    def test_a_store_away_is_503_not_inactive(self) -> None:
        access = self.login()["access_token"]
        config = {"DENYLIST_STORE": "redis", "DENYLIST_REDIS_URL": DEAD_REDIS_URL}
        with paseto_settings(DENYLIST_ENABLED=True, INTROSPECT_CLIENT_SECRETS=CLIENTS, **config):
            response = self.introspect(access)
        self.assertError(response, 503, "revocation_store_unavailable")


class ServiceTestCase(TestCase):
    """A service on another host than the issuer: it only verifies (same key, for brevity)."""

    store = INTROSPECTION_STORE

    def setUp(self) -> None:
        caches["default"].clear()
        self.issuer = KeySetServer()
        self.addCleanup(self.issuer.stop)
        self.answer(active=True)
        override = self.service()
        override.enable()
        self.addCleanup(override.disable)

    def service(self, **extra: Any) -> Any:
        url = self.issuer.url.replace("http://", f"http://orders:{SECRET}@")
        return paseto_settings(
            **{
                "DENYLIST_ENABLED": True,
                "DENYLIST_STORE": self.store,
                "INTROSPECT_URL": url,
                **extra,
            }
        )

    def answer(self, **body: Any) -> None:
        self.issuer.answer(json.dumps(body).encode())

    def get(self, token: str) -> Any:
        return self.client.get("/stateless/", HTTP_AUTHORIZATION=f"Bearer {token}")

    def assertStatus(self, token: str, status_code: int, code: str | None = None) -> None:
        response = self.get(token)
        self.assertEqual(response.status_code, status_code, response.content)
        if code is not None:
            self.assertEqual(response.json()["code"], code)


class IntrospectionStoreTests(ServiceTestCase):
    def test_the_issuer_decides(self) -> None:
        token = forge(claims("alice"))
        self.assertStatus(token, 200)
        headers, body = self.issuer.posts[0]
        self.assertEqual(headers["Authorization"], basic()["HTTP_AUTHORIZATION"])
        self.assertEqual(headers["Content-Type"], "application/x-www-form-urlencoded")
        self.assertEqual(
            urllib.parse.parse_qs(body.decode()),
            {"token": [token], "token_type_hint": ["access_token"]},
        )
        other = forge(claims("alice"))
        self.answer(active=False)
        self.assertStatus(other, 401, "token_revoked")

    def test_answers_are_kept_briefly(self) -> None:
        token = forge(claims("alice"))
        self.assertStatus(token, 200)
        self.answer(active=False)  # logged out on the issuer
        self.assertStatus(token, 200)  # within INTROSPECT_CACHE_SECONDS
        self.assertEqual(self.issuer.hits, 1)
        caches["default"].clear()  # INTROSPECT_CACHE_SECONDS later
        self.assertStatus(token, 401, "token_revoked")
        caches["default"].clear()
        with self.service(INTROSPECT_CACHE_SECONDS=0):  # never kept
            self.answer(active=True)
            self.assertStatus(token, 200)
            self.assertStatus(token, 200)
        self.assertEqual(self.issuer.hits, 4)

    def test_the_client_id_and_secret_are_the_urls_userinfo(self) -> None:
        secret = "p@ss:w/rd%" + "s" * 32
        url = self.issuer.url.replace(
            "http://", f"http://orders:{urllib.parse.quote(secret, safe='')}@"
        )
        with self.service(INTROSPECT_URL=url):
            self.assertStatus(forge(claims("alice")), 200)
        headers, _ = self.issuer.posts[-1]
        self.assertEqual(headers["Authorization"], basic("orders", secret)["HTTP_AUTHORIZATION"])
        for missing in (self.issuer.url, self.issuer.url.replace("http://", "http://orders@")):
            with (
                self.subTest(url=missing),
                self.service(INTROSPECT_URL=missing),
                self.assertLogs("drf_paseto", "ERROR") as logs,
            ):
                self.assertStatus(forge(claims("alice")), 503, "revocation_store_unavailable")
            self.assertIn("INTROSPECT_URL", logs.output[0])

    def test_the_issuer_away_or_garbage_fails_closed(self) -> None:
        token = forge(claims("alice"))
        for name, (body, status_code) in {
            "an error": (b'{"active": true}', 500),
            "not json": (b"<html>", 200),
            "no active": (b'{"sub": "alice"}', 200),
            "active not a bool": (b'{"active": "true"}', 200),
            "a list": (b"[true]", 200),
            "too large": (b'{"active": true, "x": "' + b"x" * 20_000 + b'"}', 200),
        }.items():
            with self.subTest(name), self.assertLogs("drf_paseto", "WARNING") as logs:
                self.issuer.answer(body, status_code)
                self.assertStatus(token, 503, "revocation_store_unavailable")
            self.assertNotIn(token, "\n".join(logs.output))
            self.assertNotIn(SECRET, "\n".join(logs.output))
        self.issuer.stop()
        self.issuer = KeySetServer()
        with self.assertLogs("drf_paseto", "WARNING"):
            self.assertStatus(token, 503, "revocation_store_unavailable")

    def test_a_broken_cache_still_asks(self) -> None:
        token = forge(claims("alice"))
        with (
            mock.patch.object(type(caches["default"]), "get", side_effect=ConnectionError),
            mock.patch.object(type(caches["default"]), "set", side_effect=ConnectionError),
            self.assertLogs("drf_paseto", "WARNING"),
        ):
            self.assertStatus(token, 200)

    def test_writes_are_refused(self) -> None:
        store = revocation.get_store()
        self.assertFalse(hasattr(store, "flush"))  # no session tables to flush
        token = RefreshToken.for_subject("alice")
        for call in (
            lambda: store.read(token.session_id, "alice"),
            lambda: store.open_session(mock.Mock()),
            lambda: store.refresh_session(mock.Mock(), "s", used_at=None, expires_at=None),
            lambda: store.revoke_session("s", "alice", at=None, reason="x"),
            lambda: store.revoke_subject("alice", cutoff=None, reason="x"),
            lambda: store.live_sessions("alice"),  # sessions/: a 503, not a 500
            lambda: store.sessions_over_cap("alice"),  # a login here: a 503
            lambda: store.sessions_ended_at("alice", None),
        ):
            with (
                self.assertLogs("drf_paseto", "ERROR"),
                self.assertRaises(revocation.StoreUnavailable),
            ):
                call()


@skipUnless(REDIS_URL and HAS_REDIS_PY, REDIS_SKIP_REASON)
class SharedRedisStoreTests(ServiceTestCase):
    """The issuer (RedisStore and the database) and a service (SharedRedisStore, which has
    no database) on one Redis: here, one after the other in one process."""

    store = SHARED_REDIS_STORE

    def setUp(self) -> None:
        import secrets

        self.key_prefix = f"drf_paseto_tests_{secrets.token_hex(4)}"
        super().setUp()
        self.addCleanup(self.wipe_copy)

    def redis(self) -> dict[str, str]:
        return {"DENYLIST_REDIS_URL": REDIS_URL, "DENYLIST_REDIS_KEY_PREFIX": self.key_prefix}

    def service(self, **extra: Any) -> Any:
        return super().service(**self.redis(), **extra)

    def issuer_side(self) -> Any:
        return paseto_settings(DENYLIST_ENABLED=True, DENYLIST_STORE="redis", **self.redis())

    def wipe_copy(self) -> None:
        delete_redis_keys(f"{self.key_prefix}:*")

    def test_the_copy_answers_and_a_miss_asks_the_issuer(self) -> None:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_user("alice-shared", password="x")
        with self.issuer_side():
            access = AccessToken.for_user(user)
            revocation.start_session(user, access)
            raw = str(access)
        self.answer(active=True)
        self.assertStatus(raw, 200)  # a miss: the issuer was asked
        self.assertEqual(self.issuer.hits, 1)
        with self.issuer_side():
            revocation.check(AccessToken(raw))  # the issuer's own check writes the copy
        self.assertStatus(raw, 200)
        self.assertEqual(self.issuer.hits, 1)  # the copy answered
        with self.issuer_side():
            revocation.revoke_session(access.session_id, access.subject, reason="logout")
        self.assertStatus(raw, 401, "token_revoked")  # at once, without asking
        self.assertEqual(self.issuer.hits, 1)
        self.wipe_copy()
        self.answer(active=False)
        self.assertStatus(raw, 401, "token_revoked")  # a wiped copy is not "not revoked"
        self.assertEqual(self.issuer.hits, 2)
