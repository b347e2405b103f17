"""drf_paseto/checks/browser.py: token locations, cookies and WebSockets (E003, E006, W005,
W008)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import override_settings

from tests.helpers import CheckTestCase, deploy_messages, local, setting_messages

COOKIES = ["headers", "cookies"]
NAME_SETTINGS = (
    "ACCESS_COOKIE_KEY",
    "REFRESH_COOKIE_KEY",
    "ACCESS_CSRF_COOKIE_KEY",
    "REFRESH_CSRF_COOKIE_KEY",
    "CSRF_HEADER_NAME",
)


class CleanCookieConfigTests(CheckTestCase):
    def test_clean_configurations(self) -> None:
        configs: list[dict[str, Any]] = [
            local(TOKEN_LOCATION=["cookies"]),
            local(TOKEN_LOCATION=["headers", "cookies", "json"]),
            local(TOKEN_LOCATION=("cookies", "json"), JSON_TYPE="Bearer"),
            local(JSON_TYPE=None),
            local(JSON_TYPE=""),
            local(
                TOKEN_LOCATION=COOKIES,
                ACCESS_COOKIE_KEY="a",
                REFRESH_COOKIE_KEY="__Host-r",
                ACCESS_CSRF_COOKIE_KEY="ca",
                REFRESH_CSRF_COOKIE_KEY="cr",
                CSRF_HEADER_NAME="X-CSRF-Custom",
                ACCESS_COOKIE_PATH="/api/",
                REFRESH_COOKIE_PATH="/auth/refresh/",
                COOKIE_MAX_AGE=86400,
                COOKIE_DOMAIN="example.com",
                COOKIE_SECURE=True,
                COOKIE_CSRF_PROTECT=True,
                CSRF_METHODS=["DELETE"],
            ),
            local(TOKEN_LOCATION=COOKIES, COOKIE_SAMESITE="Strict"),
            local(TOKEN_LOCATION=COOKIES, COOKIE_SAMESITE="None"),
            local(TOKEN_LOCATION=COOKIES, COOKIE_SAMESITE=False),
            local(TOKEN_LOCATION=COOKIES, CSRF_METHODS=("POST", "PUT", "PATCH", "DELETE", "GET")),
            local(TOKEN_LOCATION=COOKIES, CSRF_METHODS={"POST"}),
            # Without cookies as a location these are harmless even with --deploy.
            local(COOKIE_SECURE=False, COOKIE_CSRF_PROTECT=False),
        ]
        for config in configs:
            with self.subTest(config=config):
                self.assert_clean(config)

    def test_a_location_named_wrongly_is_a_wrong_value(self) -> None:
        self.assert_only(local(TOKEN_LOCATION=["cookie"]), "drf_paseto.E003")


class CookieNameTests(CheckTestCase):
    def test_each_name_setting(self) -> None:
        for name in NAME_SETTINGS:
            for value in ("", None, 5, b"x", "a b", "ä", ["x"]):
                with self.subTest(name=name, value=value):
                    message = self.assert_only(local(**{name: value}), "drf_paseto.E003")
                    self.assertIn(name, message.msg)

    # Names with characters a cookie name cannot have (";", "=", ",", "(", tab) once passed
    # the check, and every login then failed with a 500 ("Illegal key" from set_cookie).
    def test_illegal_cookie_name_characters(self) -> None:
        for name in NAME_SETTINGS[:4]:
            for value in ("a;b", "a=b", "a,b", "a(b", "a\tb"):
                with self.subTest(name=name, value=value):
                    self.assert_only(local(**{name: value}), "drf_paseto.E003")

    def test_several_at_once(self) -> None:
        messages = self.messages(local(ACCESS_COOKIE_KEY="", CSRF_HEADER_NAME=None))
        self.assertEqual([m.id for m in messages], ["drf_paseto.E003", "drf_paseto.E003"])

    def test_paths(self) -> None:
        for name in ("ACCESS_COOKIE_PATH", "REFRESH_COOKIE_PATH"):
            for value in ("", "api/", "auth/refresh/", None, 5, ["/"]):
                with self.subTest(name=name, value=value):
                    message = self.assert_only(local(**{name: value}), "drf_paseto.E003")
                    self.assertIn(name, message.msg)


class CookieAttributeTests(CheckTestCase):
    def test_max_age(self) -> None:
        self.assert_each_only(
            [
                local(COOKIE_MAX_AGE=v)
                for v in (0, -1, 1.5, True, False, "3600", timedelta(hours=1), [3600])
            ],
            "drf_paseto.E003",
        )
        self.assert_clean(local(COOKIE_MAX_AGE=1))
        self.assert_clean(local(COOKIE_MAX_AGE=None))

    def test_domain(self) -> None:
        self.assert_each_only(
            [local(COOKIE_DOMAIN=v) for v in (5, b"example.com", ["example.com"], True)],
            "drf_paseto.E003",
        )

    def test_cookie_bools(self) -> None:
        for name in ("COOKIE_SECURE", "COOKIE_CSRF_PROTECT"):
            for value in (1, 0, "yes", None):
                with self.subTest(name=name, value=value):
                    message = self.assert_only(local(**{name: value}), "drf_paseto.E003")
                    self.assertIn(name, message.msg)

    def test_samesite(self) -> None:
        self.assert_each_only(
            [
                local(COOKIE_SAMESITE=v)
                for v in ("lax", "strict", "none", "Lox", "", None, True, 1, ["Lax"])
            ],
            "drf_paseto.E003",
        )

    def test_samesite_none_needs_secure(self) -> None:
        message = self.assert_only(
            local(COOKIE_SAMESITE="None", COOKIE_SECURE=False), "drf_paseto.E006"
        )
        self.assertIn("COOKIE_SECURE", message.hint)
        # A non-bool Secure is E016 and E029 both.
        messages = self.messages(local(COOKIE_SAMESITE="None", COOKIE_SECURE="yes"))
        self.assertEqual([m.id for m in messages], ["drf_paseto.E003", "drf_paseto.E006"])
        # An invalid SameSite is E028 only, never E029 too.
        self.assert_only(local(COOKIE_SAMESITE="none", COOKIE_SECURE=False), "drf_paseto.E003")

    def test_csrf_methods(self) -> None:
        self.assert_each_only(
            [
                local(CSRF_METHODS=v)
                for v in ("POST", ["post"], ("POST", "Delete"), [1], None, {"POST": 1}, [b"POST"])
            ],
            "drf_paseto.E003",
        )

    def test_json_type(self) -> None:
        for value in ("Bearer token", " Bearer", 5, b"Bearer", ["Bearer"], True):
            with self.subTest(value=value):
                message = self.assert_only(local(JSON_TYPE=value), "drf_paseto.E003")
                self.assertIn("JSON_TYPE", message.msg)
        # One message per wrong setting, each naming its own.
        messages = self.messages(local(JSON_TYPE="a b", HEADER_TYPE="c d"))
        self.assertEqual([m.id for m in messages], ["drf_paseto.E003", "drf_paseto.E003"])
        self.assertEqual(
            sorted(m.msg.split()[0] for m in messages),
            ["DRF_PASETO['HEADER_TYPE']", "DRF_PASETO['JSON_TYPE']"],
        )

    def test_unknown_cookie_setting_is_not_a_setting(self) -> None:
        message = self.assert_only(local(COOKIE_SECURED=True), "drf_paseto.E001")
        self.assertIn("COOKIE_SECURE", message.hint)


class CookieDeployTests(CheckTestCase):
    def test_no_secure_with_cookies(self) -> None:
        for locations in (["cookies"], ("headers", "cookies"), {"cookies", "json"}):
            with self.subTest(locations=locations):
                config = local(TOKEN_LOCATION=locations, COOKIE_SECURE=False)
                message = self.assert_only(config, "drf_paseto.W005", deploy=True)
                self.assertIn("COOKIE_SECURE", message.hint)
                self.assertEqual(self.messages(config, deploy=False), [])

    def test_no_csrf_with_cookies(self) -> None:
        config = local(TOKEN_LOCATION=COOKIES, COOKIE_CSRF_PROTECT=False)
        message = self.assert_only(config, "drf_paseto.W005", deploy=True)
        self.assertIn("COOKIE_CSRF_PROTECT", message.hint)
        self.assertEqual(self.messages(config, deploy=False), [])

    def test_and_w006_together(self) -> None:
        config = local(TOKEN_LOCATION=["cookies"], COOKIE_SECURE=False, COOKIE_CSRF_PROTECT=False)
        self.assertEqual(
            [m.id for m in self.messages(config, deploy=True)],
            ["drf_paseto.W005", "drf_paseto.W005"],
        )

    def test_no_deploy_warning_without_cookies(self) -> None:
        for locations in (["headers"], ["headers", "json"], "cookies"):
            with self.subTest(locations=locations):
                config = local(
                    TOKEN_LOCATION=locations, COOKIE_SECURE=False, COOKIE_CSRF_PROTECT=False
                )
                ids = [m.id for m in self.messages(config, deploy=True)]
                self.assertNotIn("drf_paseto.W005", ids)
                self.assertNotIn("drf_paseto.W005", ids)

    def test_non_bool_values_warn_too(self) -> None:
        config = local(TOKEN_LOCATION=COOKIES, COOKIE_SECURE=1, COOKIE_CSRF_PROTECT="yes")
        self.assertEqual(
            [m.id for m in self.messages(config, deploy=True)],
            ["drf_paseto.E003", "drf_paseto.E003", "drf_paseto.W005", "drf_paseto.W005"],
        )

    def test_check_functions_directly(self) -> None:
        with override_settings(
            DRF_PASETO=local(TOKEN_LOCATION=COOKIES, COOKIE_SECURE=False, COOKIE_MAX_AGE=0)
        ):
            self.assertEqual([m.id for m in setting_messages()], ["drf_paseto.E003"])
            self.assertEqual([m.id for m in deploy_messages()], ["drf_paseto.W005"])
        with override_settings(DRF_PASETO=local(TOKEN_LOCATION=COOKIES)):
            self.assertEqual(setting_messages(), [])
            self.assertEqual(deploy_messages(), [])


class WebSocketCheckTests(CheckTestCase):
    def test_w008_tokens_in_urls(self) -> None:
        message = self.assert_only(
            local(WEBSOCKET_TOKEN_LOCATION=["headers", "query"]), "drf_paseto.W008"
        )
        self.assertIn("logs", message.msg)

    def test_e003_locations_and_close_code(self) -> None:
        for config in (
            local(WEBSOCKET_TOKEN_LOCATION=["json"]),
            local(WEBSOCKET_TOKEN_LOCATION=["headers", "headers"]),
            local(WEBSOCKET_CLOSE_CODE=1006),
        ):
            with self.subTest(config=config):
                message = self.assert_only(config, "drf_paseto.E003")
                self.assertIn("WEBSOCKET_", message.msg)
