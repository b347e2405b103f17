"""drf_paseto/checks/names.py: E001 (not a setting), E002 (a removed setting, naming its
replacement) and W012 for a leftover SIMPLE_JWT."""

from __future__ import annotations

from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from drf_paseto.checks.names import REMOVED
from drf_paseto.settings import DEFAULTS
from tests.helpers import CheckTestCase, local


def without(name: str) -> mock._patch_dict:  # type: ignore[type-arg]
    """``DEFAULTS`` as it is once ``name`` is removed (some are removed in other branches)."""
    remaining = {key: value for key, value in DEFAULTS.items() if key != name}
    return mock.patch.dict(DEFAULTS, remaining, clear=True)


class RemovedSettingTests(CheckTestCase):
    def test_every_removed_setting_names_its_replacement(self) -> None:
        for name, replacement in REMOVED.items():
            with self.subTest(name=name), without(name):
                message = self.assert_only(local(**{name: object()}), "drf_paseto.E002")
                self.assertIn(repr(name), message.msg)
                self.assertEqual(message.hint, f"Use {replacement}.")

    def test_the_replacements(self) -> None:
        for name, expected in (
            ("TRUSTED_PROXY_COUNT", 'REST_FRAMEWORK["NUM_PROXIES"]'),
            ("LOGIN_THROTTLE_RATE", '["DEFAULT_THROTTLE_RATES"]["paseto_login"]'),
            ("LOGIN_FAILURE_THROTTLE_RATE", '["paseto_login_failures"]'),
            ("REFRESH_CSRF_HEADER_NAME", "CSRF_HEADER_NAME"),
            ("TOKEN_OBTAIN_SERIALIZER", "TokenObtainView.as_view(serializer_class=...)"),
            ("DECODE_ISSUER", "ISSUER"),
            ("ENCODE_AUDIENCE", "AUDIENCE"),
            ("MAX_TOKEN_LENGTH", "drf_paseto.backend.MAX_TOKEN_LENGTH"),
            ("WEBSOCKET_ALLOWED_ORIGINS", "CSRF_TRUSTED_ORIGINS"),
            ("KEYS_CACHE_ALIAS", "CACHE_ALIAS"),
            ("PRIVATE_KEY_FILE", "PRIVATE_KEY"),
            ("DENYLIST_REDIS_MODE", "DENYLIST_REDIS_CLIENT"),
            ("INTROSPECT_CLIENT_SECRET", "INTROSPECT_URL"),
        ):
            with self.subTest(name=name):
                self.assertIn(expected, REMOVED[name])

    def test_removed_names_are_not_settings_any_more(self) -> None:
        # Those of this branch; the others leave DEFAULTS in their own branches.
        for name in (
            "TRUSTED_PROXY_COUNT",
            "LOGIN_THROTTLE_RATE",
            "ACCESS_CSRF_HEADER_NAME",
            "TOKEN_VERIFY_SERIALIZER",
            "ENCODE_ISSUER",
            "MAX_JSON_DEPTH",
            "WEBSOCKET_SUBPROTOCOL",
            "DENYLIST_CACHE_ALIAS",
        ):
            with self.subTest(name=name):
                self.assertNotIn(name, DEFAULTS)
                self.assertIn(name, REMOVED)

    def test_a_removed_setting_is_not_also_reported_as_unknown(self) -> None:
        messages = self.messages(local(TRUSTED_PROXY_COUNT=1, ACCESS_TOKEN_EXPIRE=60))
        self.assertEqual([m.id for m in messages], ["drf_paseto.E002", "drf_paseto.E001"])

    def test_the_check_command_stops_on_a_removed_setting(self) -> None:
        with (
            override_settings(DRF_PASETO=local(LOGIN_THROTTLE_RATE="5/min")),
            self.assertRaises(SystemCheckError) as ctx,
        ):
            call_command("check", stdout=StringIO(), stderr=StringIO())
        self.assertIn("drf_paseto.E002", str(ctx.exception))
        self.assertIn("DEFAULT_THROTTLE_RATES", str(ctx.exception))


class LeftoverSimpleJwtTests(CheckTestCase):
    def test_w012_for_a_simple_jwt_dict(self) -> None:
        with override_settings(SIMPLE_JWT={"ACCESS_TOKEN_LIFETIME": 300}):
            message = self.assert_only(local(), "drf_paseto.W012")
        self.assertIn("SIMPLE_JWT", message.msg)
        self.assertIn("migrating-from-simplejwt", message.hint or "")

    def test_no_w012_while_simple_jwt_still_authenticates(self) -> None:
        # docs/migrating-from-simplejwt.md, "Running both": its settings are no leftover.
        from django.conf import settings

        jwt = "rest_framework_simplejwt.authentication.JWTAuthentication"
        classes = [*settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"], jwt]
        both = {**settings.REST_FRAMEWORK, "DEFAULT_AUTHENTICATION_CLASSES": classes}
        with override_settings(SIMPLE_JWT={"ACCESS_TOKEN_LIFETIME": 300}, REST_FRAMEWORK=both):
            self.assert_clean(local(), deploy=False)

    def test_w012_comes_with_the_check_command(self) -> None:
        out = StringIO()
        with override_settings(SIMPLE_JWT={}):
            call_command("check", stdout=out, stderr=out)
        self.assertIn("drf_paseto.W012", out.getvalue())
