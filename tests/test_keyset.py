"""drf_paseto.keyset: a verify-only service follows the issuer's keys/ (KEYS_URL).

Every test runs a real HTTP server on loopback (tests.helpers.KeySetServer) that plays the
issuer's keys/, and a service configured with KEYS_URL pointing at it.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any
from unittest import mock

from django.core.cache import caches
from django.test import Client, SimpleTestCase

from drf_paseto import keyset
from drf_paseto._encoding import format_time
from drf_paseto._keys import get_key_ring
from drf_paseto.clock import current_time
from drf_paseto.exceptions import KeysUnavailable, TokenKeyUnknown
from drf_paseto.settings import api_settings
from drf_paseto.tokens import AccessToken
from tests import keys
from tests.helpers import KeySetServer, claims, forge, kid_of, paseto_settings

STATELESS = "/stateless/"
LATER = current_time() + timedelta(days=3650)


def token_of(paserk: str, footer: bytes | None = None, **changes: Any) -> str:
    """An access token signed by ``paserk``, valid for years (tests move the clock)."""
    return forge(claims("alice", exp=format_time(LATER), **changes), key=paserk, footer=footer)


class KeySetTestCase(SimpleTestCase):
    def setUp(self) -> None:
        caches["default"].clear()
        self.server = KeySetServer()
        self.addCleanup(self.server.stop)
        self.server.serve_keys(keys.SECRET_V4_1, current=keys.SECRET_V4_1)
        self.settings_override = self.service()
        self.settings_override.enable()
        self.addCleanup(self.settings_override.disable)

    def service(self, **overrides: Any) -> Any:
        settings: dict[str, Any] = {
            "PURPOSE": "public",
            "KEYS_URL": self.server.url,
            **overrides,
        }
        return paseto_settings(**settings)

    def get(self, token: str) -> Any:
        return self.client.get(STATELESS, HTTP_AUTHORIZATION=f"Bearer {token}")

    def assertAccepted(self, token: str) -> None:
        response = self.get(token)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json(), {"user": "alice"})

    def assertRefused(self, token: str, status_code: int, code: str) -> None:
        response = self.get(token)
        self.assertEqual(
            (response.status_code, response.json()["code"]), (status_code, code), response.content
        )

    def at(self, seconds: float) -> Any:
        """The key set's clock, ``seconds`` from now (tokens are valid for years). The
        cache's clock does not move: ``interval_over()`` drops the gates."""
        return mock.patch.object(keyset, "_now", return_value=current_time().timestamp() + seconds)

    def interval_over(self) -> None:
        """As if KEYS_REFETCH_INTERVAL_SECONDS had passed since the last fetch or try."""
        for reason in ("refresh", "refetch"):
            caches["default"].delete(keyset._cache_key(reason))
        api_settings.derived.pop("key_set_gates", None)

    def forget_process_copy(self) -> None:
        """What another worker sees: nothing parsed in this process, the cache shared."""
        api_settings.derived.pop("key_set", None)
        api_settings.derived.pop("key_set_gates", None)


class FollowingTests(KeySetTestCase):
    def test_tokens_of_the_issuer_are_accepted(self) -> None:
        self.assertAccepted(token_of(keys.SECRET_V4_1))
        self.assertAccepted(token_of(keys.SECRET_V4_1))
        self.assertEqual(self.server.hits, 1)  # fetched once, then kept

    def test_one_fetch_for_all_workers(self) -> None:
        self.assertAccepted(token_of(keys.SECRET_V4_1))
        for _ in range(3):
            self.forget_process_copy()  # another worker: finds the set in the shared cache
            self.assertAccepted(token_of(keys.SECRET_V4_1))
        self.assertEqual(self.server.hits, 1)

    def test_other_keys_are_refused(self) -> None:
        self.assertRefused(token_of(keys.SECRET_V4_2), 401, "token_key_unknown")
        # A token claiming the issuer's kid but signed by another key: not authentic.
        self.assertRefused(
            token_of(
                keys.SECRET_V4_2, footer=json.dumps({"kid": kid_of(keys.SECRET_V4_1)}).encode()
            ),
            401,
            "token_invalid",
        )

    def test_this_service_issues_nothing(self) -> None:
        with self.assertRaises(Exception) as ctx:
            str(AccessToken.for_subject("alice"))
        self.assertEqual(type(ctx.exception).__name__, "KeyConfigurationError")

    def test_the_keys_endpoint_republishes_the_issuers_keys(self) -> None:
        response = self.client.get("/auth/keys/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual([k["paserk"] for k in response.json()["keys"]], [keys.PUBLIC_V4_1])


class RotationTests(KeySetTestCase):
    def test_a_new_key_is_picked_up_on_its_first_token(self) -> None:
        self.assertAccepted(token_of(keys.SECRET_V4_1))
        # The issuer rotates: the new key is current, the old one retired.
        self.server.serve_keys(keys.SECRET_V4_2, keys.SECRET_V4_1, current=keys.SECRET_V4_2)
        self.assertAccepted(token_of(keys.SECRET_V4_2))  # unknown kid: fetched again
        self.assertAccepted(token_of(keys.SECRET_V4_1))  # the retired key still verifies
        self.assertEqual(self.server.hits, 2)

    def test_a_dropped_key_is_refused_after_the_refresh_time(self) -> None:
        self.assertAccepted(token_of(keys.SECRET_V4_1))
        self.server.serve_keys(keys.SECRET_V4_2, current=keys.SECRET_V4_2)
        self.assertAccepted(token_of(keys.SECRET_V4_1))  # within KEYS_MAX_AGE_SECONDS
        with self.at(301):
            self.interval_over()
            self.assertRefused(token_of(keys.SECRET_V4_1), 401, "token_key_unknown")
            self.assertAccepted(token_of(keys.SECRET_V4_2))

    def test_the_issuers_max_age_when_shorter(self) -> None:
        self.server.headers["Cache-Control"] = "public, max-age=40"
        self.assertAccepted(token_of(keys.SECRET_V4_1))
        self.interval_over()
        with self.at(35):
            self.assertAccepted(token_of(keys.SECRET_V4_1))
        self.assertEqual(self.server.hits, 1)
        with self.at(41):
            self.assertAccepted(token_of(keys.SECRET_V4_1))
        self.assertEqual(self.server.hits, 2)

    def test_unknown_kids_fetch_once_per_interval_whatever_their_number(self) -> None:
        self.assertAccepted(token_of(keys.SECRET_V4_1))
        for number in range(200):
            footer = json.dumps({"kid": f"k4.pid.garbage{number}"}).encode()
            self.assertRefused(token_of(keys.SECRET_V4_2, footer=footer), 401, "token_key_unknown")
        self.assertEqual(self.server.hits, 2)  # the first set, and one refetch for all 200
        # A rotation during the interval is seen when the interval is over.
        self.server.serve_keys(keys.SECRET_V4_2, keys.SECRET_V4_1, current=keys.SECRET_V4_2)
        self.assertRefused(token_of(keys.SECRET_V4_2), 401, "token_key_unknown")
        self.interval_over()  # the interval is over
        self.assertAccepted(token_of(keys.SECRET_V4_2))
        self.assertEqual(self.server.hits, 3)

    def test_another_workers_fetch_is_used(self) -> None:
        self.assertAccepted(token_of(keys.SECRET_V4_1))
        self.server.serve_keys(keys.SECRET_V4_2, current=keys.SECRET_V4_2)
        self.assertAccepted(token_of(keys.SECRET_V4_2))  # this worker fetched
        hits = self.server.hits
        with self.service(KEYS_MAX_AGE_SECONDS=300):  # another worker: its own parsed copy
            self.assertAccepted(token_of(keys.SECRET_V4_2))
        self.assertEqual(self.server.hits, hits)


class FooterlessTests(KeySetTestCase):
    def test_the_current_key_of_the_set_verifies_tokens_without_a_footer(self) -> None:
        self.server.serve_keys(keys.SECRET_V4_2, keys.SECRET_V4_1, current=keys.SECRET_V4_2)
        self.assertAccepted(token_of(keys.SECRET_V4_2, footer=b""))
        self.assertRefused(token_of(keys.SECRET_V4_1, footer=b""), 401, "token_invalid")

    def test_a_token_as_another_library_writes_it(self) -> None:
        """pyseto directly, as any PASETO library: no footer, times with "Z"."""
        import pyseto

        payload = claims("alice", iat="2020-01-01T00:00:00Z")
        payload["exp"] = LATER.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        token = pyseto.encode(pyseto.Key.from_paserk(keys.SECRET_V4_1), json.dumps(payload))
        self.assertAccepted(token.decode("ascii"))

    def test_no_current_key_no_footerless_tokens(self) -> None:
        self.server.serve_keys(keys.SECRET_V4_1)
        self.assertRefused(token_of(keys.SECRET_V4_1, footer=b""), 401, "token_key_unknown")


class IssuerDownTests(KeySetTestCase):
    def test_stale_keys_then_fail_closed_then_recovery(self) -> None:
        token = token_of(keys.SECRET_V4_1)
        self.assertAccepted(token)
        self.server.answer(b"down", status_code=502, content_type="text/plain")
        self.interval_over()
        with self.at(301), self.assertLogs("drf_paseto", "WARNING") as logs:
            self.assertAccepted(token)  # stale but good
        self.assertIn("the issuer answered 502", logs.output[0])
        self.server.stop()
        self.server = KeySetServer()  # for the cleanup; the old address refuses connections
        with self.at(86_399):
            self.forget_process_copy()
            self.assertAccepted(token)  # the last try is recent: no fetch, the stale set
            self.interval_over()
            with self.assertLogs("drf_paseto", "WARNING") as logs:
                self.assertAccepted(token)  # a refused connection: still the stale set
            self.assertIn("ConnectionRefusedError", logs.output[0])
        with self.at(86_401):
            self.interval_over()
            with self.assertLogs("drf_paseto", "WARNING"):
                self.assertRefused(token, 503, "keys_unavailable")  # fails closed
            self.assertRefused(token, 503, "keys_unavailable")  # no fetch: within the interval

    def test_recovery_once_the_issuer_is_back(self) -> None:
        token = token_of(keys.SECRET_V4_1)
        self.server.answer(b"", status_code=503)
        with self.assertLogs("drf_paseto", "WARNING"):
            self.assertRefused(token, 503, "keys_unavailable")  # nothing good ever fetched
        self.server.serve_keys(keys.SECRET_V4_1, current=keys.SECRET_V4_1)
        self.assertRefused(token, 503, "keys_unavailable")  # the next try: after the interval
        self.interval_over()
        self.assertAccepted(token)

    def test_a_hanging_issuer_times_out(self) -> None:
        import time

        with (
            mock.patch.object(keyset, "FETCH_TIMEOUT_SECONDS", 0.2),
            mock.patch("http.server.BaseHTTPRequestHandler.handle_one_request") as hang,
        ):
            hang.side_effect = lambda: time.sleep(1)
            with self.assertLogs("drf_paseto", "WARNING") as logs:
                self.assertRefused(token_of(keys.SECRET_V4_1), 503, "keys_unavailable")
        self.assertIn("timeout", logs.output[0].lower())


class DeadlineTests(KeySetTestCase):
    """#25 hardening 6: a fetch ends within FETCH_TIMEOUT_SECONDS, connect, headers and body
    together, however slowly the peer sends."""

    def setUp(self) -> None:
        super().setUp()
        deadline = mock.patch.object(keyset, "FETCH_TIMEOUT_SECONDS", 0.3)
        deadline.start()
        self.addCleanup(deadline.stop)

    def timed(self, check: Any, *args: Any) -> float:
        started = time.monotonic()
        with self.assertLogs("drf_paseto", "WARNING") as logs:
            check(*args)
        self.assertIn("TimeoutError", logs.output[0])
        return time.monotonic() - started

    def test_a_dribbling_issuer_never_holds_a_request_past_the_deadline(self) -> None:
        token = token_of(keys.SECRET_V4_1)
        self.assertAccepted(token)
        # One byte every 50 ms: every read is quick, the whole answer would take 20 s.
        self.server.dribble = 0.05
        self.interval_over()
        with self.at(301):  # due: the refresh meets the slow peer
            elapsed = self.timed(self.assertAccepted, token)  # the last good set serves
        self.assertLess(elapsed, 1.0)
        self.assertTrue(self.server.cut_off.wait(2))  # the connection is dropped, not left
        with self.at(302):
            self.interval_over()
            footer = json.dumps({"kid": kid_of(keys.SECRET_V4_2)}).encode()
            unknown = token_of(keys.SECRET_V4_2, footer=footer)  # the refetch path
            elapsed = self.timed(self.assertRefused, unknown, 401, "token_key_unknown")
        self.assertLess(elapsed, 1.0)

    def test_a_cold_start_against_a_dribbling_issuer_fails_closed_in_time(self) -> None:
        self.server.dribble = 0.05
        elapsed = self.timed(
            self.assertRefused, token_of(keys.SECRET_V4_1), 503, "keys_unavailable"
        )
        self.assertLess(elapsed, 1.0)

    def test_dribbled_headers_count_too(self) -> None:
        self.server.headers = {"X-Padding": "x" * 200}  # 10 s of headers alone
        self.server.dribble = 0.05
        elapsed = self.timed(
            self.assertRefused, token_of(keys.SECRET_V4_1), 503, "keys_unavailable"
        )
        self.assertLess(elapsed, 1.0)


class ColdStartTests(KeySetTestCase):
    """#25 hardening 7: until the first fetch completes, one fetch at a time."""

    def test_concurrent_garbage_requests_make_one_fetch(self) -> None:
        self.server.delay = 0.2  # the first fetch is still running when the others arrive
        footer = json.dumps({"kid": kid_of(keys.SECRET_V4_1)}).encode()
        garbage = token_of(keys.SECRET_V4_2, footer=footer)  # the issuer's kid, a bad signature
        start = threading.Barrier(20)

        def call() -> tuple[int, str]:
            start.wait()
            response = Client().get(STATELESS, HTTP_AUTHORIZATION=f"Bearer {garbage}")
            return response.status_code, response.json()["code"]

        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(lambda _: call(), range(20)))
        self.assertEqual(self.server.hits, 1)
        # The others waited for it and judged the token with the set it fetched.
        self.assertEqual(answers, [(401, "token_invalid")] * 20)

    def test_another_workers_first_fetch_is_not_repeated(self) -> None:
        caches["default"].add(keyset._cache_key("refresh"), 1, 30)  # another worker fetches
        self.assertRefused(token_of(keys.SECRET_V4_1), 503, "keys_unavailable")
        self.assertEqual(self.server.hits, 0)
        self.interval_over()  # it failed, or its set was lost: the gate opens again
        self.assertAccepted(token_of(keys.SECRET_V4_1))
        self.assertEqual(self.server.hits, 1)


class BrokenCacheTests(KeySetTestCase):
    def cache_down(self) -> Any:
        cache_type = type(caches["default"])
        stack = contextlib.ExitStack()
        for method in ("get", "set", "add"):
            stack.enter_context(mock.patch.object(cache_type, method, side_effect=ConnectionError))
        stack.enter_context(self.assertLogs("drf_paseto", "WARNING"))
        return stack

    def test_a_cache_that_fails_leaves_each_worker_on_its_own(self) -> None:
        self.assertAccepted(token_of(keys.SECRET_V4_1))
        with self.cache_down():
            self.assertAccepted(token_of(keys.SECRET_V4_1))  # the process's own set
            self.forget_process_copy()  # a new worker: fetches by itself
            self.assertAccepted(token_of(keys.SECRET_V4_1))
            self.assertAccepted(token_of(keys.SECRET_V4_1))
        self.assertEqual(self.server.hits, 2)

    def test_a_dropped_key_is_refused_after_the_max_age_with_the_cache_down(self) -> None:
        """#25 hardening 8: a failed cache call is not "another worker's turn to fetch"."""
        self.assertAccepted(token_of(keys.SECRET_V4_1))
        self.server.serve_keys(keys.SECRET_V4_2, current=keys.SECRET_V4_2)  # a leaked key dropped
        with self.cache_down():
            self.assertAccepted(token_of(keys.SECRET_V4_1))  # within KEYS_MAX_AGE_SECONDS
            with self.at(301):  # due: this process refreshes by itself
                self.assertRefused(token_of(keys.SECRET_V4_1), 401, "token_key_unknown")
                self.assertAccepted(token_of(keys.SECRET_V4_2))
            self.assertEqual(self.server.hits, 3)  # the refresh, and one refetch for the kid
            with self.at(320):  # rate-limited in process: no fetch within the interval
                for number in range(20):
                    footer = json.dumps({"kid": f"k4.pid.garbage{number}"}).encode()
                    token = token_of(keys.SECRET_V4_2, footer=footer)
                    self.assertRefused(token, 401, "token_key_unknown")
            self.assertEqual(self.server.hits, 3)
            with self.at(332):  # the interval is over: one more
                self.assertRefused(token_of(keys.SECRET_V4_1), 401, "token_key_unknown")
            self.assertEqual(self.server.hits, 4)


class GarbageTests(KeySetTestCase):
    """Every answer that is not a good key set is refused whole."""

    def entries(self, **changes: Any) -> bytes:
        entry = {
            "kid": kid_of(keys.SECRET_V4_1),
            "paserk": keys.PUBLIC_V4_1,
            "version": "v4",
            "purpose": "public",
            "current": True,
            **changes,
        }
        return json.dumps({"keys": [entry]}).encode()

    def garbage(self) -> dict[str, tuple[bytes, int, str]]:
        good = self.entries()
        public = json.loads(good)["keys"][0]
        ok = "application/json"
        return {
            "not json": (b"<html>keys</html>", 200, ok),
            "html": (good, 200, "text/html"),
            "an error status": (good, 500, ok),
            "a redirect": (good, 302, ok),
            "not found": (good, 404, ok),
            "too large": (good + b" " * keyset._MAX_KEY_SET_BYTES, 200, ok),
            "a list": (b"[]", 200, ok),
            "no keys": (b'{"keys": []}', 200, ok),
            "other fields": (b'{"keys": [], "more": 1}', 200, ok),
            "duplicate names": (good[:-1] + b', "keys": []}', 200, ok),
            "a local key": (
                self.entries(paserk=keys.LOCAL_V4_1, kid=kid_of(keys.LOCAL_V4_1)),
                200,
                ok,
            ),
            "a secret key": (self.entries(paserk=keys.SECRET_V4_1), 200, ok),
            "a v3 key": (
                self.entries(paserk=keys.PUBLIC_V3_1, kid=kid_of(keys.PUBLIC_V3_1)),
                200,
                ok,
            ),
            "version v3": (self.entries(version="v3"), 200, ok),
            "purpose local": (self.entries(purpose="local"), 200, ok),
            "a wrong kid": (self.entries(kid=kid_of(keys.SECRET_V4_2)), 200, ok),
            "current not a bool": (self.entries(current=1), 200, ok),
            "an extra field": (self.entries(alg="none"), 200, ok),
            "a bad paserk": (self.entries(paserk="k4.public.AAAA"), 200, ok),
            "two current": (
                json.dumps(
                    {
                        "keys": [
                            public,
                            {**public, "paserk": keys.PUBLIC_V4_2, "kid": kid_of(keys.PUBLIC_V4_2)},
                        ]
                    }
                ).encode(),
                200,
                ok,
            ),
            "a good key beside a local one": (
                json.dumps(
                    {
                        "keys": [
                            public,
                            {
                                **public,
                                "current": False,
                                "paserk": keys.LOCAL_V4_1,
                                "kid": kid_of(keys.LOCAL_V4_1),
                            },
                        ]
                    }
                ).encode(),
                200,
                ok,
            ),
            "too many keys": (json.dumps({"keys": [public] * 33}).encode(), 200, ok),
            "deep nesting": (b"[" * 100_000 + b"]" * 100_000, 200, ok),
            "not utf-8": (b'{"keys": "\xff"}', 200, ok),
        }

    def test_garbage_without_a_good_set_fails_closed(self) -> None:
        for name, (body, status_code, content_type) in self.garbage().items():
            with self.subTest(name):
                caches["default"].clear()
                self.forget_process_copy()
                self.server.answer(body, status_code, content_type)
                with self.assertLogs("drf_paseto", "WARNING"):
                    self.assertRefused(token_of(keys.SECRET_V4_1), 503, "keys_unavailable")

    def test_garbage_leaves_the_good_set_in_force(self) -> None:
        self.assertAccepted(token_of(keys.SECRET_V4_1))
        for name, (body, status_code, content_type) in self.garbage().items():
            with self.subTest(name), self.at(301):
                self.interval_over()
                self.server.answer(body, status_code, content_type)
                with self.assertLogs("drf_paseto", "WARNING"):
                    self.assertAccepted(token_of(keys.SECRET_V4_1))

    def test_the_good_shape_is_taken(self) -> None:
        self.server.answer(self.entries())
        self.assertAccepted(token_of(keys.SECRET_V4_1))

    def test_a_garbled_shared_copy_is_fetched_again(self) -> None:
        caches["default"].set(keyset._cache_key("set"), {"body": 1}, 60)
        self.assertAccepted(token_of(keys.SECRET_V4_1))
        self.assertEqual(self.server.hits, 1)


class ParsingTests(SimpleTestCase):
    def test_max_age(self) -> None:
        cases = {
            None: None,
            "": None,
            "no-store": None,
            "public, max-age=300": 300,
            "max-age=0": 0,
            "MAX-AGE = 7 , public": 7,
            "max-age=-1": None,
            "max-age=soon": None,
        }
        for header, expected in cases.items():
            with self.subTest(header):
                self.assertEqual(keyset._parse_max_age(header), expected)

    def test_https_certificates_are_verified(self) -> None:
        server = KeySetServer(tls=True)
        self.addCleanup(server.stop)
        server.serve_keys(keys.SECRET_V4_1, current=keys.SECRET_V4_1)
        with self.assertRaisesMessage(keyset._KeySetRefused, "SSLCertVerificationError"):
            keyset._fetch(server.url)

    def test_not_an_http_url(self) -> None:
        for url in ("file:///etc/passwd", "ftp://example.com/keys", "keys"):
            with self.subTest(url), self.assertRaises(keyset._KeySetRefused):
                keyset._fetch(url)


class KeyRingTests(KeySetTestCase):
    def test_the_ring_follows_the_set(self) -> None:
        ring = get_key_ring()
        self.assertEqual(list(ring.verifying_keys), [kid_of(keys.SECRET_V4_1)])
        self.assertEqual(ring.current_kid, kid_of(keys.SECRET_V4_1))
        self.assertIs(get_key_ring(), ring)  # built once per set

    def test_unknown_kid_from_the_token_layer(self) -> None:
        footer = json.dumps({"kid": "k4.pid.nothing"}).encode()
        with self.assertRaises(TokenKeyUnknown):
            AccessToken(token_of(keys.SECRET_V4_2, footer=footer))

    def test_unavailable_from_the_token_layer(self) -> None:
        self.server.answer(b"", 500)
        with self.assertLogs("drf_paseto", "WARNING"), self.assertRaises(KeysUnavailable):
            AccessToken(token_of(keys.SECRET_V4_1))

    def test_keys_url_and_keys_of_its_own(self) -> None:
        for name in ("PRIVATE_KEY", "PUBLIC_KEY", "RETIRED_KEYS"):
            value = [keys.PUBLIC_V4_2] if name == "RETIRED_KEYS" else keys.PUBLIC_V4_2
            if name == "PRIVATE_KEY":
                value = keys.SECRET_V4_2
            with self.subTest(name), self.service(**{name: value}):
                self.assertRefused(token_of(keys.SECRET_V4_1), 503, "keys_unavailable")

    def test_keys_url_with_the_local_purpose(self) -> None:
        with self.service(PURPOSE="local"):
            self.assertRefused(token_of(keys.SECRET_V4_1), 503, "keys_unavailable")
