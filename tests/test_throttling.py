"""drf_paseto/throttling.py: the login view's throttles."""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any
from unittest import mock, skipUnless

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import SimpleTestCase, override_settings
from rest_framework.test import APITestCase

from tests.helpers import HAS_REDIS_PY, REDIS_SKIP_REASON, REDIS_URL

LOGIN_URL = "/auth/login/"


def rest_framework_settings(**rates: object) -> dict[str, object]:
    from django.conf import settings

    return {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


class ThrottleTestCase(APITestCase):
    def setUp(self) -> None:
        cache.clear()
        self.addCleanup(cache.clear)
        get_user_model().objects.create_user("ann", password="pw")

    def login(self, password: str = "pw", **extra: str) -> object:
        return self.client.post(
            LOGIN_URL, {"username": "ann", "password": password}, format="json", **extra
        )


class LoginThrottleTests(ThrottleTestCase):
    def test_library_default_rate_applies_without_a_project_rate(self) -> None:
        with override_settings(REST_FRAMEWORK=rest_framework_settings()):
            statuses = [self.login(password="wrong").status_code for _ in range(21)]
        self.assertEqual(statuses, [401] * 20 + [429])

    def test_the_drf_scope_rate_wins(self) -> None:
        with override_settings(REST_FRAMEWORK=rest_framework_settings(paseto_login="2/min")):
            statuses = [self.login().status_code for _ in range(3)]
            response = self.login()
        self.assertEqual(statuses, [200, 200, 429])
        body = response.json()
        self.assertEqual(body["code"], "throttled")
        self.assertIn("detail", body)
        self.assertIn("Retry-After", response.headers)
        self.assertEqual(response["Cache-Control"], "no-store")

    def test_none_turns_it_off(self) -> None:
        with override_settings(REST_FRAMEWORK=rest_framework_settings(paseto_login=None)):
            self.assertEqual({self.login().status_code for _ in range(30)}, {200})

    def test_counted_per_client_address(self) -> None:
        with override_settings(REST_FRAMEWORK=rest_framework_settings(paseto_login="1/min")):
            self.assertEqual(self.login(REMOTE_ADDR="10.0.0.1").status_code, 200)
            self.assertEqual(self.login(REMOTE_ADDR="10.0.0.1").status_code, 429)
            self.assertEqual(self.login(REMOTE_ADDR="10.0.0.2").status_code, 200)

    def test_other_token_views_are_not_throttled(self) -> None:
        with override_settings(REST_FRAMEWORK=rest_framework_settings(paseto_login="1/min")):
            refresh = self.login().json()["refresh_token"]
            for _ in range(3):
                response = self.client.post(
                    "/auth/refresh/", HTTP_AUTHORIZATION=f"Bearer {refresh}"
                )
                self.assertEqual(response.status_code, 200)

    def test_forwarded_for_is_not_believed_by_default(self) -> None:
        # A new X-Forwarded-For value per request used to be a new allowance each time.
        with override_settings(REST_FRAMEWORK=rest_framework_settings(paseto_login="2/min")):
            statuses = [
                self.login(
                    password="wrong", HTTP_X_FORWARDED_FOR=f"10.1.{n // 250}.{n % 250}"
                ).status_code
                for n in range(10)
            ]
        self.assertEqual(statuses, [401, 401] + [429] * 8)

    def test_trusted_proxies_name_the_client(self) -> None:
        rates = {**rest_framework_settings(paseto_login="1/min"), "NUM_PROXIES": 1}
        with override_settings(REST_FRAMEWORK=rates):
            # One proxy: the address it appended is the client, whatever came before it.
            self.assertEqual(self.login(HTTP_X_FORWARDED_FOR="1.1.1.1, 10.0.0.7").status_code, 200)
            self.assertEqual(self.login(HTTP_X_FORWARDED_FOR="2.2.2.2, 10.0.0.7").status_code, 429)
            self.assertEqual(self.login(HTTP_X_FORWARDED_FOR="10.0.0.8").status_code, 200)

    def test_cache_keys_are_bounded(self) -> None:
        from rest_framework.test import APIRequestFactory

        from drf_paseto.throttling import LoginFailureThrottle, LoginRateThrottle

        huge = ", ".join(f"10.0.{n // 250}.{n % 250}" for n in range(600))  # about 7 KB
        factory = APIRequestFactory()
        request = factory.post(LOGIN_URL, HTTP_X_FORWARDED_FOR=huge)
        with override_settings(REST_FRAMEWORK={"NUM_PROXIES": 2}):
            self.assertLess(len(LoginRateThrottle().get_cache_key(request, None)), 80)
        from rest_framework.parsers import JSONParser
        from rest_framework.request import Request

        body = factory.post(LOGIN_URL, {"username": "a" * 100_000}, format="json")
        key = LoginFailureThrottle().get_cache_key(Request(body, parsers=[JSONParser()]), None)
        self.assertLess(len(key or ""), 80)


class LoginFailureThrottleTests(ThrottleTestCase):
    """Failed logins per username, from any address; successful logins are not counted."""

    def test_failures_from_many_addresses_are_throttled(self) -> None:
        rates = rest_framework_settings(paseto_login_failures="3/min")
        with override_settings(REST_FRAMEWORK=rates):
            statuses = [
                self.login(password="wrong", REMOTE_ADDR=f"10.0.0.{n}").status_code
                for n in range(1, 6)
            ]
            # The account is throttled for everyone now, the right password included.
            right = self.login(REMOTE_ADDR="10.9.9.9")
        self.assertEqual(statuses, [401, 401, 401, 429, 429])
        self.assertEqual(right.status_code, 429)
        self.assertEqual(right.json()["code"], "throttled")
        self.assertIn("Retry-After", right.headers)

    def test_successful_logins_are_not_counted(self) -> None:
        rates = rest_framework_settings(paseto_login_failures="2/min")
        with override_settings(REST_FRAMEWORK=rates):
            self.assertEqual({self.login().status_code for _ in range(10)}, {200})
            self.assertEqual(self.login(password="wrong").status_code, 401)
            self.assertEqual(self.login().status_code, 200)

    def test_counted_per_username(self) -> None:
        get_user_model().objects.create_user("bob", password="pw")
        rates = rest_framework_settings(paseto_login_failures="1/min")
        with override_settings(REST_FRAMEWORK=rates):
            self.assertEqual(self.login(password="wrong").status_code, 401)
            self.assertEqual(self.login().status_code, 429)
            bob = {"username": "bob", "password": "pw"}
            self.assertEqual(self.client.post(LOGIN_URL, bob, format="json").status_code, 200)
            # Case does not make a new allowance.
            ann = {"username": "ANN", "password": "pw"}
            self.assertEqual(self.client.post(LOGIN_URL, ann, format="json").status_code, 429)

    def test_requests_refused_by_the_address_throttle_count_no_failure(self) -> None:
        # A right password refused with 429 by the per-address throttle (an office behind
        # one NAT address) checked no password: it must not spend the username's failures.
        rates = rest_framework_settings(paseto_login="2/min", paseto_login_failures="3/hour")
        with override_settings(REST_FRAMEWORK=rates):
            statuses = [self.login(REMOTE_ADDR="10.0.0.1").status_code for _ in range(6)]
            elsewhere = self.login(REMOTE_ADDR="10.0.0.2")
        self.assertEqual(statuses, [200, 200, 429, 429, 429, 429])
        self.assertEqual(elsewhere.status_code, 200, elsewhere.content)

    def test_the_default_rate_and_none(self) -> None:
        with override_settings(REST_FRAMEWORK=rest_framework_settings(paseto_login=None)):
            statuses = [self.login(password="wrong").status_code for _ in range(21)]
        self.assertEqual(statuses, [401] * 20 + [429])  # "20/hour" when DRF names no rate
        cache.clear()
        rates = rest_framework_settings(paseto_login=None, paseto_login_failures=None)
        with override_settings(REST_FRAMEWORK=rates):
            self.assertEqual({self.login(password="wrong").status_code for _ in range(30)}, {401})

    def test_bodies_without_a_username_are_not_counted(self) -> None:
        rates = rest_framework_settings(paseto_login_failures="1/min")
        with override_settings(REST_FRAMEWORK=rates):
            for body in ({}, {"password": "x"}, ["a"], {"username": "", "password": "x"}):
                response = self.client.post(LOGIN_URL, body, format="json")
                self.assertEqual(response.status_code, 400, body)
            self.assertEqual(self.login().status_code, 200)

    def test_a_username_sent_as_a_number_counts_as_its_text(self) -> None:
        get_user_model().objects.create_user("42", password="pw")
        rates = rest_framework_settings(paseto_login_failures="1/min")
        with override_settings(REST_FRAMEWORK=rates):
            wrong = {"username": 42, "password": "wrong"}
            self.assertEqual(self.client.post(LOGIN_URL, wrong, format="json").status_code, 401)
            right = {"username": "42", "password": "pw"}
            self.assertEqual(self.client.post(LOGIN_URL, right, format="json").status_code, 429)


class PaddedUsernameTests(ThrottleTestCase):
    """#25 item 5: a username padded with whitespace logs in as the plain one (the serializer
    trims), so it must count against the plain one's allowance."""

    def post(self, username: str, password: str) -> object:
        body = {"username": username, "password": password}
        return self.client.post(LOGIN_URL, body, format="json")

    def test_padding_the_username_makes_no_new_allowance(self) -> None:
        rates = rest_framework_settings(paseto_login=None, paseto_login_failures="3/min")
        with override_settings(REST_FRAMEWORK=rates):
            # Padded, the right password logs in as ann: the serializer trims.
            self.assertEqual(self.post("\u3000ann\t", "pw").status_code, 200)
            statuses = [
                self.post(username, "wrong").status_code
                for username in ("ann", " ann", "ann\t", "\u3000ann", "ANN ", "\uff41\uff4e\uff4e")
            ]
            right = self.post(" ann", "pw")
        self.assertEqual(statuses, [401, 401, 401, 429, 429, 429])
        self.assertEqual(right.status_code, 429)

    def test_the_key_is_what_authentication_compares(self) -> None:
        from rest_framework.parsers import JSONParser
        from rest_framework.request import Request
        from rest_framework.test import APIRequestFactory

        from drf_paseto.throttling import _login_username

        def key(username: object) -> str | None:
            body = APIRequestFactory().post(LOGIN_URL, {"username": username}, format="json")
            return _login_username(Request(body, parsers=[JSONParser()]))

        for variant in (
            "ann",
            " ann",
            "ann\t",
            "\u3000ann",
            "\nANN\r",
            "\uff41\uff4e\uff4e",
            "Ann\u00a0",
        ):
            with self.subTest(variant=variant):
                self.assertEqual(key(variant), "ann")
        self.assertEqual(key(42), "42")
        # A user model without AbstractBaseUser's normalize_username: the same NFKC form.
        plain_model = SimpleNamespace(USERNAME_FIELD="username")
        with mock.patch("drf_paseto.throttling.get_user_model", return_value=plain_model):
            self.assertEqual(key(" \uff41\uff4e\uff4e\t"), "ann")
        for nothing in ("", "   ", None, ["ann"], {"a": 1}):
            with self.subTest(nothing=nothing):
                self.assertIsNone(key(nothing))


class _SlowCountingBackend:
    """An authentication backend that counts the passwords it checks and takes its time, as a
    real password hash does: the window in which a burst of requests overlaps."""

    calls = 0
    lock = threading.Lock()

    def authenticate(self, request: object, **credentials: object) -> None:
        with self.lock:
            type(self).calls += 1
        time.sleep(0.02)
        return None

    def get_user(self, user_id: object) -> None:
        return None


BACKEND = f"{__name__}._SlowCountingBackend"


class BurstMixin:
    """#25 item 12: a concurrent burst of wrong passwords for one username. The attempt is
    counted atomically before the password is checked, so no more passwords are checked
    than the rate allows, however many requests arrive at once."""

    BURST = 40
    LIMIT = 5

    def run_burst(self) -> list[int]:
        from rest_framework.test import APIRequestFactory

        from drf_paseto.views import TokenObtainView

        view = TokenObtainView.as_view()
        factory = APIRequestFactory()
        start = threading.Barrier(self.BURST)

        def attempt(n: int) -> int:
            request = factory.post(
                LOGIN_URL,
                {"username": "victim", "password": f"guess-{n}"},
                format="json",
                REMOTE_ADDR=f"10.0.{n // 250}.{n % 250}",
            )
            start.wait()
            return int(view(request).status_code)

        _SlowCountingBackend.calls = 0
        rates = rest_framework_settings(
            paseto_login=None, paseto_login_failures=f"{self.LIMIT}/min"
        )
        with (
            override_settings(REST_FRAMEWORK=rates, AUTHENTICATION_BACKENDS=[BACKEND]),
            ThreadPoolExecutor(self.BURST) as pool,
        ):
            return list(pool.map(attempt, range(self.BURST)))

    def check_burst(self, test: SimpleTestCase) -> None:
        statuses = self.run_burst()
        test.assertEqual(_SlowCountingBackend.calls, self.LIMIT)
        test.assertEqual(sorted(statuses), [401] * self.LIMIT + [429] * (self.BURST - self.LIMIT))


class LocMemBurstTests(BurstMixin, SimpleTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.addCleanup(cache.clear)

    def test_a_burst_checks_no_more_passwords_than_the_rate(self) -> None:
        self.check_burst(self)


@skipUnless(REDIS_URL and HAS_REDIS_PY, REDIS_SKIP_REASON)
class RedisBurstTests(BurstMixin, SimpleTestCase):
    def setUp(self) -> None:
        redis_cache = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"drf_paseto_throttle_{uuid.uuid4().hex}",
        }
        settings = override_settings(CACHES={"default": redis_cache})
        settings.enable()
        self.addCleanup(settings.disable)
        self.addCleanup(cache.clear)

    def test_a_burst_checks_no_more_passwords_than_the_rate(self) -> None:
        self.check_burst(self)


class FailureWindowTests(ThrottleTestCase):
    def test_a_window_ending_between_add_and_incr_starts_a_new_one(self) -> None:
        real_incr = cache.incr

        def expire_first(key: str, delta: int = 1, version: object = None) -> int:
            cache.delete(key)  # the window's TTL runs out right here
            return real_incr(key, delta, version)

        rates = rest_framework_settings(paseto_login=None, paseto_login_failures="1/min")
        with override_settings(REST_FRAMEWORK=rates):
            with mock.patch.object(cache, "incr", side_effect=expire_first):
                self.assertEqual(self.login(password="wrong").status_code, 401)
            response = self.login(password="wrong")
        self.assertEqual(response.status_code, 429)  # the new window counted the first one
        self.assertLessEqual(int(response["Retry-After"]), 60)

    def test_retry_after_without_the_windows_start_is_the_whole_window(self) -> None:
        rates = rest_framework_settings(paseto_login=None, paseto_login_failures="1/min")
        with override_settings(REST_FRAMEWORK=rates):
            self.assertEqual(self.login(password="wrong").status_code, 401)
            with mock.patch.object(cache, "get", return_value=None):
                response = self.login(password="wrong")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], "60")

    def test_retry_after_is_what_is_left_of_the_window(self) -> None:
        from drf_paseto.throttling import LoginFailureThrottle

        rates = rest_framework_settings(paseto_login=None, paseto_login_failures="1/hour")
        with override_settings(REST_FRAMEWORK=rates):
            self.assertEqual(self.login(password="wrong").status_code, 401)
            later = time.time() + 600
            with mock.patch.object(LoginFailureThrottle, "timer", return_value=later):
                response = self.login()
        self.assertEqual(response.status_code, 429)
        self.assertTrue(2990 <= int(response["Retry-After"]) <= 3000, response["Retry-After"])

    def test_a_counter_without_a_window_never_outlives_it(self) -> None:
        # Django's RedisCache checks that a key exists, then increments or decrements it: a
        # window ending in between leaves a counter Redis made without a TTL. Replayed here
        # on the LocMem cache by making incr/decr create the key as Redis does.
        from drf_paseto.throttling import LoginFailureThrottle

        key = LoginFailureThrottle().key_for("ann")

        def window_ends_first(delta: int) -> Any:
            def change(key: str, step: int = 1, version: object = None) -> int:
                cache.delete(key)  # the window ends after the existence check...
                cache.set(key, delta * step, None)  # ...and Redis's INCRBY makes a new key
                return delta * step

            return change

        rates = rest_framework_settings(paseto_login=None, paseto_login_failures="5/min")
        with override_settings(REST_FRAMEWORK=rates):
            with mock.patch.object(cache, "decr", side_effect=window_ends_first(-1)):
                self.assertEqual(self.login().status_code, 200)  # refunds into an empty window
            self.assertIsNone(cache.get(key))
            with (
                mock.patch.object(cache, "add", return_value=False),  # "it exists", then gone
                mock.patch.object(cache, "incr", side_effect=window_ends_first(1)),
                mock.patch.object(cache, "touch", wraps=cache.touch) as touch,
            ):
                self.assertEqual(self.login(password="wrong").status_code, 401)
            touch.assert_called_once_with(key, 60)


class DatabaseCacheWindowTests(ThrottleTestCase):
    """Django's DatabaseCache (which W006 accepts: every worker shares it) increments with
    ``BaseCache.incr``: a read, then a ``set()`` with the cache's own ``TIMEOUT``, not the
    window's. The counter must still end with its window."""

    TABLE = "drf_paseto_throttle_test_cache"

    def counter_expires(self, timeout: object) -> tuple[float, float]:
        """Two wrong passwords in a ``1/hour`` window with ``CACHES["default"]`` a
        DatabaseCache of ``TIMEOUT`` ``timeout``: (the window's end, the counter's expiry)."""
        from django.core.cache import caches
        from django.core.management import call_command
        from django.db import connection

        from drf_paseto.throttling import LoginFailureThrottle

        backend = {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": self.TABLE,
            "TIMEOUT": timeout,
        }
        rates = rest_framework_settings(paseto_login=None, paseto_login_failures="5/hour")
        with override_settings(CACHES={"default": backend}, REST_FRAMEWORK=rates):
            call_command("createcachetable", verbosity=0)
            start = time.time()
            for _ in range(2):
                self.assertEqual(self.login(password="wrong").status_code, 401)
            key = caches["default"].make_and_validate_key(LoginFailureThrottle().key_for("ann"))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT expires FROM {self.TABLE} WHERE cache_key = %s",
                    [key],
                )
                (expires,) = cursor.fetchone()
        from drf_paseto.stores.base import _db_datetime

        return start + 3600, _db_datetime(expires).timestamp()

    def test_a_cache_without_a_timeout_never_keeps_a_counter_for_ever(self) -> None:
        # TIMEOUT None: every failure made the counter permanent, a lockout that never ends.
        window_end, expires = self.counter_expires(None)
        self.assertLessEqual(expires, window_end + 5)

    def test_the_caches_default_timeout_does_not_shorten_the_window(self) -> None:
        # TIMEOUT 300 (Django's default): the counter went 5 minutes after the last failure,
        # so "5/hour" allowed 5 guesses every 5 minutes.
        window_end, expires = self.counter_expires(300)
        self.assertGreaterEqual(expires, window_end - 5)
