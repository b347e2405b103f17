"""drf_paseto.settings: defaults, overrides, and the cache that setting_changed drops."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings as django_settings
from django.core.signals import setting_changed
from django.test import SimpleTestCase, override_settings

from drf_paseto import _keys, authentication, backend, serializers, settings, tokens
from drf_paseto._keys import get_key_ring
from drf_paseto.checks import keys as key_checks
from drf_paseto.exceptions import TokenKeyUnknown
from drf_paseto.settings import _SETTINGS_NAME, DEFAULTS, _PasetoSettings, api_settings
from drf_paseto.tokens import AccessToken
from tests.keys import LOCAL_V4_1, LOCAL_V4_2


class _User:
    pk = 1


class DefaultsTests(SimpleTestCase):
    @override_settings(DRF_PASETO={})
    def test_every_default(self) -> None:
        for name, default in DEFAULTS.items():
            with self.subTest(name=name):
                self.assertEqual(getattr(api_settings, name), default)

    def test_documented_defaults(self) -> None:
        self.assertEqual(_SETTINGS_NAME, "DRF_PASETO")
        self.assertEqual(DEFAULTS["ACCESS_TOKEN_EXPIRES"], timedelta(minutes=15))
        self.assertEqual(DEFAULTS["REFRESH_TOKEN_EXPIRES"], timedelta(days=30))
        self.assertEqual(DEFAULTS["PURPOSE"], "local")
        self.assertEqual(DEFAULTS["VERSION"], 4)
        self.assertEqual(DEFAULTS["DECODE_LEEWAY"], 0)
        self.assertEqual(DEFAULTS["USER_ID_FIELD"], "pk")
        self.assertEqual(DEFAULTS["TOKEN_LOCATION"], ["headers"])
        self.assertEqual(DEFAULTS["HEADER_NAME"], "Authorization")
        self.assertEqual(DEFAULTS["HEADER_TYPE"], "Bearer")
        self.assertEqual(backend.MAX_TOKEN_LENGTH, 4096)
        self.assertEqual(backend.MAX_JSON_DEPTH, 8)
        self.assertIsNone(DEFAULTS["SECRET_KEY"])
        self.assertIsNone(DEFAULTS["ISSUER"])
        self.assertEqual(DEFAULTS["RETIRED_KEYS"], [])

    def test_test_settings_are_read(self) -> None:
        self.assertEqual(api_settings.SECRET_KEY, LOCAL_V4_1)
        self.assertEqual(api_settings.user_settings, django_settings.DRF_PASETO)
        self.assertEqual(api_settings.HEADER_TYPE, "Bearer")

    def test_user_overrides_win_and_others_keep_their_default(self) -> None:
        with override_settings(DRF_PASETO={"HEADER_TYPE": "PASETO", "ACCESS_TOKEN_EXPIRES": 60}):
            self.assertEqual(api_settings.HEADER_TYPE, "PASETO")
            self.assertEqual(api_settings.ACCESS_TOKEN_EXPIRES, 60)
            self.assertIsNone(api_settings.SECRET_KEY)
            self.assertEqual(api_settings.REFRESH_TOKEN_EXPIRES, timedelta(days=30))
        self.assertEqual(api_settings.HEADER_TYPE, "Bearer")
        self.assertEqual(api_settings.ACCESS_TOKEN_EXPIRES, timedelta(minutes=15))
        self.assertEqual(api_settings.SECRET_KEY, LOCAL_V4_1)

    def test_explicit_none_is_kept(self) -> None:
        with override_settings(DRF_PASETO={"HEADER_TYPE": None}):
            self.assertIsNone(api_settings.HEADER_TYPE)

    def test_unknown_attribute(self) -> None:
        with self.assertRaises(AttributeError) as ctx:
            api_settings.ACCESS_TOKEN_EXPIRE  # noqa: B018
        self.assertIn("ACCESS_TOKEN_EXPIRE", str(ctx.exception))
        self.assertFalse(hasattr(api_settings, "NOT_A_SETTING"))
        # A name present in the user's dict but not a setting is not readable either.
        with override_settings(DRF_PASETO={"NOT_A_SETTING": 1}):
            self.assertFalse(hasattr(api_settings, "NOT_A_SETTING"))

    def test_not_a_dict_is_treated_as_empty(self) -> None:
        for value in ("k4.local.x", ["SECRET_KEY"], None, 5):
            with self.subTest(value=value), override_settings(DRF_PASETO=value):
                self.assertEqual(api_settings.user_settings, {})
                self.assertIsNone(api_settings.SECRET_KEY)
                self.assertEqual(api_settings.VERSION, 4)


class CacheTests(SimpleTestCase):
    def test_values_are_cached_until_settings_change(self) -> None:
        user_settings = {"HEADER_TYPE": "First"}
        with override_settings(DRF_PASETO=user_settings):
            self.assertEqual(api_settings.HEADER_TYPE, "First")
            self.assertIn("HEADER_TYPE", api_settings.__dict__)
            # Changed behind Django's back: no signal, so the cached value stays.
            user_settings["HEADER_TYPE"] = "Second"
            self.assertEqual(api_settings.HEADER_TYPE, "First")
            setting_changed.send(
                sender=type(self), setting="DRF_PASETO", value=user_settings, enter=True
            )
            self.assertNotIn("HEADER_TYPE", api_settings.__dict__)
            self.assertEqual(api_settings.HEADER_TYPE, "Second")

    def test_unrelated_settings_keep_the_cache(self) -> None:
        user_settings = {"HEADER_TYPE": "First"}
        with override_settings(DRF_PASETO=user_settings):
            self.assertEqual(api_settings.HEADER_TYPE, "First")
            user_settings["HEADER_TYPE"] = "Second"
            with override_settings(DEBUG=True, TIME_ZONE="Europe/Paris"):
                self.assertEqual(api_settings.HEADER_TYPE, "First")

    def test_user_model_setting_drops_the_cache(self) -> None:
        user_settings = {"HEADER_TYPE": "First"}
        with override_settings(DRF_PASETO=user_settings):
            self.assertEqual(api_settings.HEADER_TYPE, "First")
            user_settings["HEADER_TYPE"] = "Second"
            with override_settings(AUTH_USER_MODEL="auth.User"):
                self.assertEqual(api_settings.HEADER_TYPE, "Second")

    def test_leaving_an_override_drops_the_cache(self) -> None:
        with override_settings(DRF_PASETO={"VERSION": 3}):
            self.assertEqual(api_settings.VERSION, 3)
        self.assertNotIn("VERSION", api_settings.__dict__)
        self.assertEqual(api_settings.VERSION, 4)

    def test_derived_objects_are_dropped(self) -> None:
        ring = get_key_ring()
        self.assertIs(get_key_ring(), ring)  # parsed once
        api_settings.derived["marker"] = object()
        with override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_2}):
            self.assertNotIn("marker", api_settings.derived)
            self.assertNotIn("key_ring", api_settings.derived)
            other = get_key_ring()
            self.assertIsNot(other, ring)
            self.assertNotEqual(other.signing_kid, ring.signing_kid)
        self.assertEqual(api_settings.derived, {})
        self.assertEqual(get_key_ring().signing_kid, ring.signing_kid)

    def test_django_secret_key_change_changes_the_derived_key(self) -> None:
        with override_settings(DRF_PASETO={}, SECRET_KEY="a" * 50):
            first = get_key_ring().signing_kid
            raw = str(AccessToken.for_user(_User()))
            self.assertEqual(AccessToken(raw)["sub"], "1")
            with override_settings(SECRET_KEY="b" * 50):
                second = get_key_ring().signing_kid
                with self.assertRaises(TokenKeyUnknown):
                    AccessToken(raw)
            self.assertEqual(get_key_ring().signing_kid, first)
            self.assertEqual(AccessToken(raw)["sub"], "1")
        self.assertNotEqual(first, second)
        self.assertTrue(str(first).startswith("k4.lid."))

    def test_explicit_secret_key_ignores_django_secret_key(self) -> None:
        kid = get_key_ring().signing_kid
        with override_settings(SECRET_KEY="c" * 50):
            self.assertEqual(get_key_ring().signing_kid, kid)

    def test_reload(self) -> None:
        fresh = _PasetoSettings()
        self.assertEqual(fresh.HEADER_NAME, "Authorization")
        fresh.derived["x"] = 1
        fresh.reload()
        self.assertNotIn("HEADER_NAME", fresh.__dict__)
        self.assertEqual(fresh.derived, {})
        self.assertEqual(fresh.HEADER_NAME, "Authorization")


class SingleObjectTests(SimpleTestCase):
    def test_api_settings_is_never_rebound(self) -> None:
        before = settings.api_settings
        with override_settings(DRF_PASETO={"VERSION": 3}), override_settings(SECRET_KEY="x" * 50):
            self.assertIs(settings.api_settings, before)
        self.assertIs(settings.api_settings, before)
        self.assertIs(api_settings, before)
        for module in (tokens, _keys, key_checks, authentication, serializers):
            with self.subTest(module=module.__name__):
                self.assertIs(module.api_settings, before)
        self.assertIsInstance(before, _PasetoSettings)

    def test_override_settings_needs_no_reload(self) -> None:
        with override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_2}):
            raw = str(AccessToken.for_user(_User()))
        with self.assertRaises(TokenKeyUnknown):
            AccessToken(raw)
        with override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_2}):
            self.assertEqual(AccessToken(raw)["sub"], "1")
