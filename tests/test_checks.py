"""drf_paseto.checks: each system check message, and only it, for each kind of mistake."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import SimpleTestCase, override_settings

from drf_paseto.checks import check_deploy, check_settings
from tests.helpers import CheckTestCase, local, ours
from tests.keys import (
    LOCAL_V3_1,
    LOCAL_V4_1,
    PRIVATE_PEM_P256,
    PRIVATE_PEM_RSA,
    PRIVATE_PEM_V3_1,
    PRIVATE_PEM_V4_1,
    PUBLIC_PEM_V4_1,
    PUBLIC_V4_1,
    PUBLIC_V4_2,
    SECRET_V3_1,
    SECRET_V4_1,
)


class CleanConfigTests(CheckTestCase):
    def test_test_settings_are_clean(self) -> None:
        self.assertEqual(ours(run_checks(include_deployment_checks=True)), [])
        self.assertEqual(check_settings(), [])
        self.assertEqual(check_deploy(), [])

    def test_clean_configurations(self) -> None:
        configs: list[dict[str, Any]] = [
            {},  # zero-config: the key derives from Django's SECRET_KEY
            local(),
            {"VERSION": 3, "SECRET_KEY": LOCAL_V3_1},
            {"PURPOSE": "public", "PRIVATE_KEY": SECRET_V4_1},
            {"PURPOSE": "public", "PRIVATE_KEY": PRIVATE_PEM_V4_1, "PUBLIC_KEY": PUBLIC_PEM_V4_1},
            {"PURPOSE": "public", "VERSION": 3, "PRIVATE_KEY": PRIVATE_PEM_V3_1},
            {"PURPOSE": "public", "PRIVATE_KEY": SECRET_V4_1, "RETIRED_KEYS": [PUBLIC_V4_2]},
            local(
                ACCESS_TOKEN_EXPIRES=60,
                REFRESH_TOKEN_EXPIRES=timedelta(days=1),
                DECODE_LEEWAY=timedelta(seconds=5),
                ENCODE_ISSUER="https://auth.example.com",
                DECODE_ISSUER="https://auth.example.com",
                ENCODE_AUDIENCE=["api", "web"],
                DECODE_AUDIENCE="api",
                USER_ID_FIELD="username",
                DENYLIST_ENABLED=True,  # W020 otherwise: a username can pass to another user
                TOKEN_LOCATION=("headers",),
                HEADER_NAME="X-Token",
                HEADER_TYPE="",
                MAX_TOKEN_LENGTH=1000,
                MAX_JSON_DEPTH=3,
                TOKEN_VERIFY_SERIALIZER="drf_paseto.serializers.TokenVerifySerializer",
            ),
            local(USER_ID_FIELD="id", HEADER_TYPE=None),
            local(SECRET_KEY="a long random secret that is not a paserk at all"),
        ]
        for config in configs:
            with self.subTest(config=config):
                self.assert_clean(config)


class SettingsShapeTests(CheckTestCase):
    def test_e001_not_a_dict(self) -> None:
        for value in ("k4.local.abc", ["SECRET_KEY"], None):
            with self.subTest(value=value):
                message = self.assert_only(value, "drf_paseto.E001")
                self.assertEqual(message.msg, "DRF_PASETO must be a dict.")

    def test_e002_unknown_setting_suggests_the_close_name(self) -> None:
        message = self.assert_only(local(ACCESS_TOKEN_EXPIRE=60), "drf_paseto.E002")
        self.assertEqual(message.hint, "Did you mean 'ACCESS_TOKEN_EXPIRES'?")
        self.assertIn("'ACCESS_TOKEN_EXPIRE'", message.msg)
        message = self.assert_only(local(REFRESH_TOKEN_LIFETIME=60), "drf_paseto.E002")
        self.assertEqual(message.hint, "Did you mean 'REFRESH_TOKEN_EXPIRES'?")

    def test_e002_lower_case_names_suggest_the_upper_case_one(self) -> None:
        message = self.assert_only({**local(), "secret_key": "x" * 40}, "drf_paseto.E002")
        self.assertEqual(message.hint, "Setting names are upper-case: did you mean 'SECRET_KEY'?")
        message = self.assert_only({**local(), "access_token_expire": 60}, "drf_paseto.E002")
        self.assertEqual(message.hint, "Did you mean 'ACCESS_TOKEN_EXPIRES'?")

    def test_e002_without_a_close_name(self) -> None:
        for name in ("ZZZ", 5):
            with self.subTest(name=name):
                message = self.assert_only({**local(), name: 1}, "drf_paseto.E002")
                self.assertEqual(message.hint, "See the settings reference.")

    def test_e002_once_per_unknown_name(self) -> None:
        messages = self.messages(local(ACCESS_EXPIRES=1, AUTH_HEADER_NAME="X"))
        self.assertEqual([m.id for m in messages], ["drf_paseto.E002"] * 2)


class FormatAndKeyTests(CheckTestCase):
    def test_e003_version(self) -> None:
        self.assert_each_only(
            [local(VERSION=v) for v in (1, 2, 5, "4", True, None)], "drf_paseto.E003"
        )

    def test_e004_purpose(self) -> None:
        self.assert_each_only(
            [local(PURPOSE=p) for p in ("secret", "Local", "", None)], "drf_paseto.E004"
        )

    def test_e003_and_e004_together_skip_the_key_check(self) -> None:
        messages = self.messages({"VERSION": 2, "PURPOSE": "x", "SECRET_KEY": 5})
        self.assertEqual([m.id for m in messages], ["drf_paseto.E003", "drf_paseto.E004"])

    def test_e005_unusable_keys(self) -> None:
        self.assert_each_only(
            [
                local(SECRET_KEY="k4.local.AAAA"),  # too short
                local(SECRET_KEY=LOCAL_V3_1),  # other version
                local(SECRET_KEY=SECRET_V4_1),  # a public-purpose key
                local(SECRET_KEY=""),
                local(SECRET_KEY=5),
                local(RETIRED_KEYS=LOCAL_V4_1),  # not a list
                local(RETIRED_KEYS=["k4.local.short"]),
                {"PURPOSE": "public"},  # no key at all
                {"PURPOSE": "public", "PRIVATE_KEY": PRIVATE_PEM_RSA},
                {"PURPOSE": "public", "PRIVATE_KEY": PRIVATE_PEM_P256},
                {"PURPOSE": "public", "PRIVATE_KEY": LOCAL_V4_1},
                {"PURPOSE": "public", "PRIVATE_KEY": "not a key"},
                {"PURPOSE": "public", "PRIVATE_KEY": PUBLIC_V4_1},
                {"PURPOSE": "public", "PUBLIC_KEY": SECRET_V4_1},
                {"PURPOSE": "public", "PRIVATE_KEY": SECRET_V4_1, "PUBLIC_KEY": PUBLIC_V4_2},
                {"PURPOSE": "public", "PRIVATE_KEY": SECRET_V4_1, "PRIVATE_KEY_FILE": "/x"},
                {"PURPOSE": "public", "PRIVATE_KEY_FILE": "/nonexistent/drf_paseto/key.pem"},
                {"PURPOSE": "public", "VERSION": 3, "PRIVATE_KEY": SECRET_V4_1},
                {"PURPOSE": "public", "VERSION": 4, "PRIVATE_KEY": SECRET_V3_1},
            ],
            "drf_paseto.E005",
        )

    def test_e005_message_never_shows_the_key(self) -> None:
        config = {"PURPOSE": "public", "PRIVATE_KEY": SECRET_V4_1, "PUBLIC_KEY": PUBLIC_V4_2}
        message = self.assert_only(config, "drf_paseto.E005")
        self.assertNotIn(SECRET_V4_1.split(".")[2], f"{message.msg} {message.hint}")
        self.assertIn("does not match", message.msg)

    def test_w001_verify_only_service(self) -> None:
        for public in (PUBLIC_V4_1, PUBLIC_PEM_V4_1):
            with self.subTest(public=public[:12]):
                message = self.assert_only(
                    {"PURPOSE": "public", "PUBLIC_KEY": public}, "drf_paseto.W001"
                )
                self.assertIn("PRIVATE_KEY", message.hint or "")


class ClaimSettingTests(CheckTestCase):
    def test_e006_lifetimes(self) -> None:
        bad = (
            0,
            -60,
            "900",
            1.5,
            True,
            None,
            timedelta(0),
            timedelta(seconds=-1),
            10**20,
            timedelta(days=365 * 2000),
        )
        configs = [
            local(**{name: value})
            for name in ("ACCESS_TOKEN_EXPIRES", "REFRESH_TOKEN_EXPIRES")
            for value in bad
        ]
        self.assert_each_only(configs, "drf_paseto.E006")

    def test_e006_for_each_lifetime(self) -> None:
        messages = self.messages(local(ACCESS_TOKEN_EXPIRES=0, REFRESH_TOKEN_EXPIRES=0))
        self.assertEqual([m.id for m in messages], ["drf_paseto.E006"] * 2)

    def test_w002_unlimited_lifetime(self) -> None:
        for name in ("ACCESS_TOKEN_EXPIRES", "REFRESH_TOKEN_EXPIRES"):
            with self.subTest(name=name):
                message = self.assert_only(local(**{name: False}), "drf_paseto.W002")
                self.assertIn(name, message.msg)

    def test_e007_leeway(self) -> None:
        self.assert_each_only(
            [local(DECODE_LEEWAY=v) for v in (-1, "10", 1.5, True, None, timedelta(seconds=-1))],
            "drf_paseto.E007",
        )
        for value in (-1, timedelta(seconds=-1)):
            with self.subTest(value=value):
                message = self.assert_only(local(DECODE_LEEWAY=value), "drf_paseto.E007")
                self.assertIn("must not be negative", message.msg)
        message = self.assert_only(local(DECODE_LEEWAY="10"), "drf_paseto.E007")
        self.assertIn("must be seconds or a timedelta", message.msg)

    def test_e008_issuer(self) -> None:
        self.assert_each_only(
            [local(ENCODE_ISSUER=5), local(DECODE_ISSUER=["https://a"]), local(ENCODE_ISSUER=b"x")],
            "drf_paseto.E008",
        )

    def test_e009_audience(self) -> None:
        self.assert_each_only(
            [
                local(ENCODE_AUDIENCE=5),
                local(ENCODE_AUDIENCE=["api", 1]),
                local(ENCODE_AUDIENCE=[]),  # every token would carry "aud": []
                local(DECODE_AUDIENCE={"api"}),
                local(DECODE_AUDIENCE=b"api"),
            ],
            "drf_paseto.E009",
        )

    def test_e010_user_id_field(self) -> None:
        self.assert_each_only(
            [
                local(USER_ID_FIELD="nope"),
                local(USER_ID_FIELD=5),
                local(USER_ID_FIELD=None),
                local(USER_ID_FIELD="email"),  # a field, but not unique
                local(USER_ID_FIELD="first_name"),
                local(USER_ID_FIELD="groups"),  # not a concrete column
            ],
            "drf_paseto.E010",
        )

    def test_e037_token_user_username_claim(self) -> None:
        self.assert_each_only(
            [local(TOKEN_USER_USERNAME_CLAIM=v) for v in ("", 5, ["username"], b"username")],
            "drf_paseto.E037",
        )
        for value in (None, "username", "email"):
            with self.subTest(value=value):
                self.assert_clean(local(TOKEN_USER_USERNAME_CLAIM=value), deploy=False)

    def test_unique_user_fields_are_accepted(self) -> None:
        for field in ("pk", "id", "username"):
            with self.subTest(field=field):
                self.assert_clean(local(USER_ID_FIELD=field, DENYLIST_ENABLED=True), deploy=False)


class RequestSettingTests(CheckTestCase):
    def test_e011_token_location(self) -> None:
        self.assert_each_only(
            [
                local(TOKEN_LOCATION=v)
                for v in ("headers", [], ["cookie"], ["headers", "query"], [["headers"]], None)
            ],
            "drf_paseto.E011",
        )

    def test_e012_names(self) -> None:
        configs = [
            local(**{name: value})
            for name in ("HEADER_NAME", "JSON_KEY", "REFRESH_JSON_KEY")
            for value in ("", None, 5)
        ]
        self.assert_each_only(configs, "drf_paseto.E012")

    def test_e013_header_type(self) -> None:
        self.assert_each_only(
            [local(HEADER_TYPE=v) for v in ("Bearer token", 5, ["Bearer"])], "drf_paseto.E013"
        )

    def test_e014_bounds(self) -> None:
        configs = [
            local(**{name: value})
            for name in ("MAX_TOKEN_LENGTH", "MAX_JSON_DEPTH")
            for value in (0, -1, True, "4096", 2.5, None)
        ]
        self.assert_each_only(configs, "drf_paseto.E014")

    def test_e015_serializers(self) -> None:
        configs = [
            local(**{name: value})
            for name in (
                "TOKEN_OBTAIN_SERIALIZER",
                "TOKEN_REFRESH_SERIALIZER",
                "TOKEN_VERIFY_SERIALIZER",
            )
            for value in ("nope", "nope.Nope", "drf_paseto.serializers.Missing", object, None)
        ]
        self.assert_each_only(configs, "drf_paseto.E015")


class DeployTests(CheckTestCase):
    def test_w003_short_secret_only_with_deploy(self) -> None:
        config = local(SECRET_KEY="too-short-secret")
        message = self.assert_only(config, "drf_paseto.W003", deploy=True)
        self.assertIn("paseto_keygen", message.hint or "")
        self.assertEqual(self.messages(config, deploy=False), [])
        with override_settings(DRF_PASETO=config):
            self.assertEqual([m.id for m in check_deploy()], ["drf_paseto.W003"])

    def test_no_w003(self) -> None:
        for config in (
            local(),  # a PASERK
            local(SECRET_KEY="x" * 32),
            {},  # Django's SECRET_KEY: Django's own deploy check covers it
            {"PURPOSE": "public", "PRIVATE_KEY": SECRET_V4_1},
            {"PURPOSE": "public", "PRIVATE_KEY": SECRET_V4_1, "SECRET_KEY": "short"},
            "not a dict",
        ):
            with self.subTest(config=config), override_settings(DRF_PASETO=config):
                self.assertEqual(check_deploy(), [])

    def test_check_command_reports_w003_with_deploy_only(self) -> None:
        with override_settings(DRF_PASETO=local(SECRET_KEY="short")):
            out = StringIO()
            call_command("check", stdout=out, stderr=StringIO())
            self.assertNotIn("drf_paseto.W003", out.getvalue())
            err = StringIO()
            with self.assertRaises(SystemCheckError) as ctx:
                call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=err)
            self.assertIn("drf_paseto.W003", str(ctx.exception))


class CheckCommandTests(CheckTestCase):
    def test_errors_fail_the_check_command(self) -> None:
        for config, check_id in (
            ("not a dict", "drf_paseto.E001"),
            (local(VERSION=2), "drf_paseto.E003"),
            (local(ACCESS_TOKEN_EXPIRE=60), "drf_paseto.E002"),
        ):
            with self.subTest(check_id=check_id), override_settings(DRF_PASETO=config):
                with self.assertRaises(SystemCheckError) as ctx:
                    call_command("check", stdout=StringIO(), stderr=StringIO())
                self.assertIn(check_id, str(ctx.exception))
                self.assertIn("HINT:", str(ctx.exception))

    def test_warnings_do_not_fail_the_check_command(self) -> None:
        out = StringIO()
        with override_settings(DRF_PASETO=local(REFRESH_TOKEN_EXPIRES=False)):
            call_command("check", stdout=out, stderr=out)
        self.assertIn("drf_paseto.W002", out.getvalue())

    def test_clean_check_command(self) -> None:
        out = StringIO()
        call_command("check", stdout=out, stderr=out)
        self.assertNotIn("drf_paseto", out.getvalue())
        self.assertIn("System check identified no issues", out.getvalue())

    def test_security_tag(self) -> None:
        with override_settings(DRF_PASETO=local(VERSION=2)):
            ids = [m.id for m in ours(run_checks(tags=["security"]))]
            self.assertEqual(ids, ["drf_paseto.E003"])
            self.assertEqual(ours(run_checks(tags=["models"])), [])


class LoginSettingTests(CheckTestCase):
    def test_login_throttle_rate(self) -> None:
        for rate in ("20/min", "5/s", "100/day", None):
            with self.subTest(rate=rate):
                self.assert_clean(local(LOGIN_THROTTLE_RATE=rate), deploy=False)
        self.assert_each_only(
            [
                local(LOGIN_THROTTLE_RATE=rate)
                for rate in ("x", "20/", "/min", "0/min", "-1/min", "5/x", 20)
            ],
            "drf_paseto.E023",
        )

    def test_login_failure_throttle_rate(self) -> None:
        for rate in ("20/hour", "3/min", None):
            with self.subTest(rate=rate):
                self.assert_clean(local(LOGIN_FAILURE_THROTTLE_RATE=rate), deploy=False)
        self.assert_each_only(
            [local(LOGIN_FAILURE_THROTTLE_RATE=rate) for rate in ("x", "0/min", 20)],
            "drf_paseto.E023",
        )

    def test_trusted_proxy_count(self) -> None:
        for count in (None, 0, 1, 3):
            with self.subTest(count=count):
                self.assert_clean(local(TRUSTED_PROXY_COUNT=count), deploy=False)
        self.assert_each_only(
            [local(TRUSTED_PROXY_COUNT=count) for count in (-1, True, "1", 1.0)],
            "drf_paseto.E040",
        )

    def test_update_last_login_must_be_a_bool(self) -> None:
        self.assert_only(local(UPDATE_LAST_LOGIN="no"), "drf_paseto.E016")


class ExceptionHandlerCheckTests(CheckTestCase):
    def test_warns_without_drf_pasetos_handler(self) -> None:
        from django.conf import settings

        without = {k: v for k, v in settings.REST_FRAMEWORK.items() if k != "EXCEPTION_HANDLER"}
        own = {**without, "EXCEPTION_HANDLER": "tests.test_exceptions.tagging_handler"}
        for rest_framework in (without, own):
            with self.subTest(rest_framework=rest_framework):
                with override_settings(REST_FRAMEWORK=rest_framework):
                    ids = [m.id for m in ours(run_checks())]
                self.assertEqual(ids, ["drf_paseto.W010"])
        self.assertEqual(ours(run_checks()), [])


class ShortSecretWarningTests(CheckTestCase):
    def test_short_non_paserk_strings_warn_under_deploy_only(self) -> None:
        # "k4.x" looks like a PASERK prefix but is not one: it is a short derived secret.
        for secret in ("short", "k4.x", "k3.local"):
            with self.subTest(secret=secret):
                self.assert_only(local(SECRET_KEY=secret), "drf_paseto.W003", deploy=True)
                self.assertEqual(self.messages(local(SECRET_KEY=secret)), [])
        self.assert_clean(local(SECRET_KEY="x" * 32))


# --- views that drf_paseto's permissions can never open (E041, E042) -------------------------


def _view(name: str, **attributes: Any) -> Any:
    from rest_framework.views import APIView

    return type(name, (APIView,), attributes)


def _view_urlconf() -> Any:
    from types import SimpleNamespace

    from django.urls import include, path
    from rest_framework.authentication import SessionAuthentication

    from drf_paseto.authentication import (
        PasetoAnyTokenAuthentication,
        PasetoAuthentication,
        PasetoRefreshAuthentication,
    )
    from drf_paseto.permissions import IsAccessToken, IsFreshToken, IsRefreshToken

    session_only = [SessionAuthentication]
    fine = [
        path("a/", _view("Access", permission_classes=[IsAccessToken]).as_view()),
        path(
            "r/",
            _view(
                "Refresh",
                authentication_classes=[PasetoRefreshAuthentication],
                permission_classes=[IsRefreshToken],
            ).as_view(),
        ),
        path(
            "s/",
            _view(
                "Session",
                authentication_classes=[PasetoAnyTokenAuthentication],
                permission_classes=[IsRefreshToken],
            ).as_view(),
        ),
        path("o/", _view("Open", authentication_classes=session_only).as_view()),
        path(
            "c/",  # composed permissions are not inspected
            _view("Composed", permission_classes=[IsAccessToken | IsRefreshToken]).as_view(),
        ),
    ]
    broken = [
        path(
            "nested/fresh/",
            _view(
                "Fresh", authentication_classes=session_only, permission_classes=[IsFreshToken]
            ).as_view(),
        ),
        path(
            "kwargs/",
            _view("ByKwargs", permission_classes=[IsAccessToken]).as_view(
                authentication_classes=session_only
            ),
        ),
        path(
            "refresh-with-access/",
            _view(
                "RefreshWithAccess",
                authentication_classes=[PasetoAuthentication],
                permission_classes=[IsRefreshToken],
            ).as_view(),
        ),
    ]
    return SimpleNamespace(fine=fine, broken=broken, include=include, path=path)


class ViewCheckTests(SimpleTestCase):
    def run_view_checks(self, patterns: list[Any]) -> list[Any]:
        import sys
        import types

        from drf_paseto.checks import check_views

        module = types.ModuleType("tests._view_check_urls")
        module.urlpatterns = patterns  # type: ignore[attr-defined]
        sys.modules[module.__name__] = module
        self.addCleanup(sys.modules.pop, module.__name__)
        with override_settings(ROOT_URLCONF=module.__name__):
            return check_views()

    def test_views_our_authenticators_can_open_pass(self) -> None:
        urls = _view_urlconf()
        self.assertEqual(self.run_view_checks(urls.fine), [])
        self.assertEqual(check_views_of_the_suite(), [])

    def test_views_no_authenticator_of_ours_can_open(self) -> None:
        urls = _view_urlconf()
        nested = urls.path("nested/", urls.include(urls.broken[:1]))
        messages = self.run_view_checks([*urls.fine, nested, *urls.broken[1:]])
        self.assertEqual(
            [(m.id, m.obj.__name__) for m in messages],
            [
                ("drf_paseto.E041", "Fresh"),
                ("drf_paseto.E041", "ByKwargs"),
                ("drf_paseto.E042", "RefreshWithAccess"),
            ],
        )
        self.assertIn("'nested/nested/fresh/'", messages[0].msg)
        self.assertIn("IsFreshToken", messages[0].msg)


def check_views_of_the_suite() -> list[Any]:
    from drf_paseto.checks import check_views

    return check_views()


class KeysUrlCheckTests(CheckTestCase):
    """KEYS_URL: a service that follows the issuer's keys (docs/many-services.md)."""

    def follower(self, **settings: Any) -> dict[str, Any]:
        return {"PURPOSE": "public", "KEYS_URL": "https://auth.example.com/auth/keys/", **settings}

    def test_clean(self) -> None:
        self.assert_clean(self.follower())  # no W001: issuing nothing is the point
        for url in ("http://127.0.0.1:8000/auth/keys/", "http://localhost/k/", "http://[::1]/k/"):
            with self.subTest(url):
                self.assert_clean(self.follower(KEYS_URL=url))

    def test_local_purpose(self) -> None:
        self.assert_only(self.follower(PURPOSE="local", SECRET_KEY=LOCAL_V4_1), "drf_paseto.E060")

    def test_not_an_http_url(self) -> None:
        for url in ("ftp://auth.example.com/keys/", "file:///etc/keys", "", 1):
            with self.subTest(url):
                self.assert_only(self.follower(KEYS_URL=url), "drf_paseto.E061")

    def test_plain_http_to_another_host(self) -> None:
        config = self.follower(KEYS_URL="http://auth.example.com/auth/keys/")
        self.assert_only(config, "drf_paseto.W030")
        with override_settings(DEBUG=True):
            self.assert_clean(config)

    def test_times(self) -> None:
        for name in (
            "KEYS_REFRESH_SECONDS",
            "KEYS_REFETCH_INTERVAL_SECONDS",
            "KEYS_MAX_STALE_SECONDS",
        ):
            for value in (0, -1, 1.5, "300", True, None):
                with self.subTest(name=name, value=value):
                    self.assert_only(self.follower(**{name: value}), "drf_paseto.E062")

    def test_cache_alias(self) -> None:
        for alias in ("nowhere", None):
            with self.subTest(alias):
                self.assert_only(self.follower(KEYS_CACHE_ALIAS=alias), "drf_paseto.E063")

    def test_keys_of_its_own(self) -> None:
        self.assert_only(self.follower(PUBLIC_KEY=PUBLIC_V4_1), "drf_paseto.E005")

    def test_keys_max_age(self) -> None:
        self.assert_clean(local(KEYS_MAX_AGE_SECONDS=0))
        for value in (-1, "300", 1.5, None):
            with self.subTest(value):
                self.assert_only(local(KEYS_MAX_AGE_SECONDS=value), "drf_paseto.E064")


class IntrospectionCheckTests(CheckTestCase):
    """A service that asks its issuer (drf_paseto.introspection), and the issuer's clients."""

    def service(self, store: str, **settings: Any) -> dict[str, Any]:
        client = {
            "INTROSPECT_URL": "https://auth.example.com/auth/introspect/",
            "INTROSPECT_CLIENT_ID": "orders",
            "INTROSPECT_CLIENT_SECRET": "s" * 40,
        }
        redis = {"DENYLIST_REDIS_URL": "redis://127.0.0.1:6379/0"}
        path = f"drf_paseto.introspection.{store}"
        extra = redis if store == "SharedRedisStore" else {}
        return local(DENYLIST_ENABLED=True, DENYLIST_STORE=path, **{**client, **extra, **settings})

    def test_clean(self) -> None:
        for store in ("IntrospectionStore", "SharedRedisStore"):
            with self.subTest(store):
                self.assert_clean(self.service(store))
        self.assert_clean(local(INTROSPECT_CLIENT_SECRETS={"orders": "s" * 32}))

    def test_where_and_how_to_ask(self) -> None:
        for store in ("IntrospectionStore", "SharedRedisStore"):
            for name, value in (
                ("INTROSPECT_URL", None),
                ("INTROSPECT_URL", "ftp://auth.example.com/"),
                ("INTROSPECT_CLIENT_ID", None),
                ("INTROSPECT_CLIENT_ID", "a:b"),
                ("INTROSPECT_CLIENT_SECRET", ""),
            ):
                with self.subTest(store=store, name=name, value=value):
                    self.assert_only(self.service(store, **{name: value}), "drf_paseto.E065")

    def test_plain_http_to_another_host(self) -> None:
        config = self.service("IntrospectionStore", INTROSPECT_URL="http://auth.example.com/i/")
        self.assert_only(config, "drf_paseto.W031")
        self.assert_clean(self.service("IntrospectionStore", INTROSPECT_URL="http://127.0.0.1/i/"))

    def test_client_secrets(self) -> None:
        for value in ([], {"orders": "short"}, {"a:b": "s" * 32}, {"": "s" * 32}, {1: "s" * 32}):
            with self.subTest(value):
                self.assert_only(local(INTROSPECT_CLIENT_SECRETS=value), "drf_paseto.E066")

    def test_cache_seconds(self) -> None:
        for value in (-1, 1.5, "5", None):
            with self.subTest(value):
                self.assert_only(local(INTROSPECT_CACHE_SECONDS=value), "drf_paseto.E067")
