"""drf_paseto/throttling.py: the login view's throttle."""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APITestCase

from tests.keys import LOCAL_V4_1

LOGIN_URL = "/auth/login/"


def rest_framework_settings(**rates: object) -> dict[str, object]:
    from django.conf import settings

    return {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


class LoginThrottleTests(APITestCase):
    def setUp(self) -> None:
        cache.clear()
        self.addCleanup(cache.clear)
        get_user_model().objects.create_user("ann", password="pw")

    def login(self, password: str = "pw", **extra: str) -> object:
        return self.client.post(
            LOGIN_URL, {"username": "ann", "password": password}, format="json", **extra
        )

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

    def test_setting_rate_and_none_turns_it_off(self) -> None:
        config = {"SECRET_KEY": LOCAL_V4_1, "LOGIN_THROTTLE_RATE": "1/min"}
        with override_settings(REST_FRAMEWORK=rest_framework_settings(), DRF_PASETO=config):
            self.assertEqual([self.login().status_code for _ in range(2)], [200, 429])
        cache.clear()
        config["LOGIN_THROTTLE_RATE"] = None
        with override_settings(REST_FRAMEWORK=rest_framework_settings(), DRF_PASETO=config):
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
