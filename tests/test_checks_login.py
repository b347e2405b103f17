"""drf_paseto/checks/login.py: the login throttles' rates (E003), their cache (W006, #25 item
15) and UPDATE_LAST_LOGIN."""

from __future__ import annotations

from django.conf import settings
from django.test import override_settings

from tests.helpers import CheckTestCase, local

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
FILES = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": "/tmp/x"}
DUMMY = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
REDIS = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://r:6379"}


def rates(**scopes: object) -> override_settings:
    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": scopes}
    )


class ThrottleRateTests(CheckTestCase):
    def test_valid_rates(self) -> None:
        for value in ("20/min", "5/s", "100/day", None):
            for scope in ("paseto_login", "paseto_login_failures"):
                with self.subTest(scope=scope, value=value), rates(**{scope: value}):
                    self.assert_clean(local(), deploy=False)
        with rates():  # neither named: the defaults
            self.assert_clean(local(), deploy=False)

    def test_e003_for_a_rate_drf_cannot_use(self) -> None:
        for value in ("x", "20/", "/min", "0/min", "-1/min", "5/x", 20):
            for scope in ("paseto_login", "paseto_login_failures"):
                with self.subTest(scope=scope, value=value), rates(**{scope: value}):
                    message = self.assert_only(local(), "drf_paseto.E003")
                    self.assertIn(f'["DEFAULT_THROTTLE_RATES"][{scope!r}]', message.msg)

    def test_update_last_login_must_be_a_bool(self) -> None:
        self.assert_only(local(UPDATE_LAST_LOGIN="no"), "drf_paseto.E003")


class ThrottleCacheTests(CheckTestCase):
    """The login throttles on a per-process cache let each worker count on its own."""

    def test_w006_with_deploy_for_a_cache_not_every_worker_shares(self) -> None:
        for backend in (LOCMEM, FILES, DUMMY):
            with (
                self.subTest(backend=backend["BACKEND"]),
                override_settings(CACHES={"default": backend}),
                rates(paseto_login_failures="20/hour"),
            ):
                message = self.assert_only(local(), "drf_paseto.W006", deploy=True)
                self.assertIn(backend["BACKEND"].rsplit(".", 1)[-1], message.msg)
                self.assertEqual(self.messages(local()), [])  # --deploy only

    def test_the_defaults_apply_when_drf_names_no_rate(self) -> None:
        # Django's default CACHES and no rate set: the example project's setup.
        with override_settings(CACHES={"default": LOCMEM}), rates():
            self.assert_only(local(), "drf_paseto.W006", deploy=True)

    def test_no_w006(self) -> None:
        with override_settings(CACHES={"default": REDIS}), rates():
            self.assert_clean(local())
        # Under DEBUG (runserver, one process; Django's deploy check says to turn it off).
        with override_settings(CACHES={"default": LOCMEM}, DEBUG=True), rates():
            self.assert_clean(local())
        # Both throttles off: nothing counts.
        with rates(paseto_login=None, paseto_login_failures=None):
            self.assert_clean(local())
