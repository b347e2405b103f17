"""drf_paseto.checks: each system check message, and only it, for each kind of mistake."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import SimpleTestCase, override_settings

from tests.helpers import CheckTestCase, deploy_messages, local, ours, setting_messages
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
        self.assertEqual(setting_messages(), [])
        self.assertEqual(deploy_messages(), [])

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
                ISSUER="https://auth.example.com",
                AUDIENCE=["api", "web"],
                USER_ID_FIELD="username",
                DENYLIST_ENABLED=True,  # W011 otherwise: a username can pass to another user
                TOKEN_LOCATION=("headers",),
                HEADER_NAME="X-Token",
                HEADER_TYPE="",
            ),
            local(USER_ID_FIELD="id", HEADER_TYPE=None, ISSUER="us", AUDIENCE="api"),
            local(SECRET_KEY="a long random secret that is not a paserk at all"),
        ]
        for config in configs:
            with self.subTest(config=config):
                self.assert_clean(config)


class SettingsShapeTests(CheckTestCase):
    def test_not_a_dict(self) -> None:
        for value in ("k4.local.abc", ["SECRET_KEY"], None):
            with self.subTest(value=value):
                message = self.assert_only(value, "drf_paseto.E003")
                self.assertIn("DRF_PASETO is", message.msg)
                self.assertIn("must be a dict", message.msg)

    def test_unknown_setting_suggests_the_close_name(self) -> None:
        message = self.assert_only(local(ACCESS_TOKEN_EXPIRE=60), "drf_paseto.E001")
        self.assertEqual(message.hint, "Did you mean 'ACCESS_TOKEN_EXPIRES'?")
        self.assertIn("'ACCESS_TOKEN_EXPIRE'", message.msg)
        message = self.assert_only(local(REFRESH_TOKEN_LIFETIME=60), "drf_paseto.E001")
        self.assertEqual(message.hint, "Did you mean 'REFRESH_TOKEN_EXPIRES'?")

    def test_lower_case_names_suggest_the_upper_case_one(self) -> None:
        message = self.assert_only({**local(), "secret_key": "x" * 40}, "drf_paseto.E001")
        self.assertEqual(message.hint, "Setting names are upper-case: did you mean 'SECRET_KEY'?")
        message = self.assert_only({**local(), "access_token_expire": 60}, "drf_paseto.E001")
        self.assertEqual(message.hint, "Did you mean 'ACCESS_TOKEN_EXPIRES'?")

    def test_without_a_close_name(self) -> None:
        for name in ("ZZZ", 5):
            with self.subTest(name=name):
                message = self.assert_only({**local(), name: 1}, "drf_paseto.E001")
                self.assertEqual(message.hint, "See docs/settings.md.")

    def test_once_per_unknown_name(self) -> None:
        messages = self.messages(local(ACCESS_EXPIRES=1, AUTH_HEADER_NAME="X"))
        self.assertEqual([m.id for m in messages], ["drf_paseto.E001"] * 2)


class FormatAndKeyTests(CheckTestCase):
    def test_version(self) -> None:
        self.assert_each_only(
            [local(VERSION=v) for v in (1, 2, 5, "4", True, None)], "drf_paseto.E003"
        )

    def test_purpose(self) -> None:
        self.assert_each_only(
            [local(PURPOSE=p) for p in ("secret", "Local", "", None)], "drf_paseto.E003"
        )

    def test_version_and_purpose_together_skip_the_key_check(self) -> None:
        messages = self.messages({"VERSION": 2, "PURPOSE": "x", "SECRET_KEY": 5})
        self.assertEqual([m.id for m in messages], ["drf_paseto.E003", "drf_paseto.E003"])

    def test_unusable_keys(self) -> None:
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
                {"PURPOSE": "public", "VERSION": 3, "PRIVATE_KEY": SECRET_V4_1},
                {"PURPOSE": "public", "VERSION": 4, "PRIVATE_KEY": SECRET_V3_1},
            ],
            "drf_paseto.E005",
        )

    def test_message_never_shows_the_key(self) -> None:
        config = {"PURPOSE": "public", "PRIVATE_KEY": SECRET_V4_1, "PUBLIC_KEY": PUBLIC_V4_2}
        message = self.assert_only(config, "drf_paseto.E005")
        self.assertNotIn(SECRET_V4_1.split(".")[2], f"{message.msg} {message.hint}")
        self.assertIn("does not match", message.msg)

    def test_verify_only_service(self) -> None:
        for public in (PUBLIC_V4_1, PUBLIC_PEM_V4_1):
            with self.subTest(public=public[:12]):
                message = self.assert_only(
                    {"PURPOSE": "public", "PUBLIC_KEY": public}, "drf_paseto.W001"
                )
                self.assertIn("PRIVATE_KEY", message.hint or "")


class ClaimSettingTests(CheckTestCase):
    def test_lifetimes(self) -> None:
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
        self.assert_each_only(configs, "drf_paseto.E003")

    def test_for_each_lifetime(self) -> None:
        messages = self.messages(local(ACCESS_TOKEN_EXPIRES=0, REFRESH_TOKEN_EXPIRES=0))
        self.assertEqual([m.id for m in messages], ["drf_paseto.E003"] * 2)

    def test_unlimited_lifetime(self) -> None:
        for name in ("ACCESS_TOKEN_EXPIRES", "REFRESH_TOKEN_EXPIRES"):
            with self.subTest(name=name):
                message = self.assert_only(local(**{name: False}), "drf_paseto.W002")
                self.assertIn(name, message.msg)

    def test_leeway(self) -> None:
        self.assert_each_only(
            [local(DECODE_LEEWAY=v) for v in (-1, "10", 1.5, True, None, timedelta(seconds=-1))],
            "drf_paseto.E003",
        )
        message = self.assert_only(local(DECODE_LEEWAY=-1), "drf_paseto.E003")
        self.assertEqual(
            message.msg,
            "DRF_PASETO['DECODE_LEEWAY'] is -1: it must be seconds or a timedelta, not negative.",
        )
        self.assertEqual(message.hint, "The default is 0.")

    def test_issuer(self) -> None:
        self.assert_each_only(
            [local(ISSUER=5), local(ISSUER=["https://a"]), local(ISSUER=b"x")],
            "drf_paseto.E003",
        )

    def test_audience(self) -> None:
        self.assert_each_only(
            [
                local(AUDIENCE=5),
                local(AUDIENCE=["api", 1]),
                local(AUDIENCE=[]),  # every token would carry "aud": []
                local(AUDIENCE={"api"}),
                local(AUDIENCE=b"api"),
            ],
            "drf_paseto.E003",
        )

    def test_user_id_field(self) -> None:
        self.assert_each_only(
            [
                local(USER_ID_FIELD="nope"),
                local(USER_ID_FIELD=5),
                local(USER_ID_FIELD=None),
                local(USER_ID_FIELD="email"),  # a field, but not unique
                local(USER_ID_FIELD="first_name"),
                local(USER_ID_FIELD="groups"),  # not a concrete column
            ],
            "drf_paseto.E004",
        )

    def test_token_user_username_claim(self) -> None:
        self.assert_each_only(
            [local(TOKEN_USER_USERNAME_CLAIM=v) for v in ("", 5, ["username"], b"username")],
            "drf_paseto.E003",
        )
        for value in (None, "username", "email"):
            with self.subTest(value=value):
                self.assert_clean(local(TOKEN_USER_USERNAME_CLAIM=value), deploy=False)

    def test_unique_user_fields_are_accepted(self) -> None:
        for field in ("pk", "id", "username"):
            with self.subTest(field=field):
                self.assert_clean(local(USER_ID_FIELD=field, DENYLIST_ENABLED=True), deploy=False)


class RequestSettingTests(CheckTestCase):
    def test_token_location(self) -> None:
        self.assert_each_only(
            [
                local(TOKEN_LOCATION=v)
                for v in ("headers", [], ["cookie"], ["headers", "query"], [["headers"]], None)
            ],
            "drf_paseto.E003",
        )

    def test_names(self) -> None:
        configs = [
            local(**{name: value})
            for name in ("HEADER_NAME", "JSON_KEY", "REFRESH_JSON_KEY")
            for value in ("", None, 5)
        ]
        self.assert_each_only(configs, "drf_paseto.E003")

    def test_header_type(self) -> None:
        self.assert_each_only(
            [local(HEADER_TYPE=v) for v in ("Bearer token", 5, ["Bearer"])], "drf_paseto.E003"
        )


class DeployTests(CheckTestCase):
    def test_short_secret_only_with_deploy(self) -> None:
        config = local(SECRET_KEY="too-short-secret")
        message = self.assert_only(config, "drf_paseto.W003", deploy=True)
        self.assertIn("paseto_keygen", message.hint or "")
        self.assertEqual(self.messages(config, deploy=False), [])
        with override_settings(DRF_PASETO=config):
            self.assertEqual([m.id for m in deploy_messages()], ["drf_paseto.W003"])

    def test_no_weak_secret_warning(self) -> None:
        for config in (
            local(),  # a PASERK
            local(SECRET_KEY="x" * 32),
            {},  # Django's SECRET_KEY: Django's own deploy check covers it
            {"PURPOSE": "public", "PRIVATE_KEY": SECRET_V4_1},
            {"PURPOSE": "public", "PRIVATE_KEY": SECRET_V4_1, "SECRET_KEY": "short"},
            "not a dict",
        ):
            with self.subTest(config=config), override_settings(DRF_PASETO=config):
                self.assertEqual(deploy_messages(), [])

    def test_check_command_reports_a_weak_secret_with_deploy_only(self) -> None:
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
            ("not a dict", "drf_paseto.E003"),
            (local(VERSION=2), "drf_paseto.E003"),
            (local(ACCESS_TOKEN_EXPIRE=60), "drf_paseto.E001"),
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


# --- views that drf_paseto's permissions can never open (E009) --------------------------------


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

        from drf_paseto.checks.views import _check_views

        module = types.ModuleType("tests._view_check_urls")
        module.urlpatterns = patterns  # type: ignore[attr-defined]
        sys.modules[module.__name__] = module
        self.addCleanup(sys.modules.pop, module.__name__)
        with override_settings(ROOT_URLCONF=module.__name__):
            return _check_views()

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
                ("drf_paseto.E009", "Fresh"),
                ("drf_paseto.E009", "ByKwargs"),
                ("drf_paseto.E009", "RefreshWithAccess"),
            ],
        )
        self.assertIn("'nested/nested/fresh/'", messages[0].msg)
        self.assertIn("IsFreshToken", messages[0].msg)


def check_views_of_the_suite() -> list[Any]:
    from drf_paseto.checks.views import _check_views

    return _check_views()


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
        self.assert_only(self.follower(PURPOSE="local", SECRET_KEY=LOCAL_V4_1), "drf_paseto.E006")

    def test_not_an_http_url(self) -> None:
        for url in ("ftp://auth.example.com/keys/", "file:///etc/keys", "", 1):
            with self.subTest(url):
                self.assert_only(self.follower(KEYS_URL=url), "drf_paseto.E003")

    def test_plain_http_to_another_host(self) -> None:
        config = self.follower(KEYS_URL="http://auth.example.com/auth/keys/")
        self.assert_only(config, "drf_paseto.W004")
        with override_settings(DEBUG=True):
            self.assert_clean(config)

    def test_cache_alias(self) -> None:
        for alias in ("nowhere", None):
            with self.subTest(alias):
                message = self.assert_only(self.follower(CACHE_ALIAS=alias), "drf_paseto.E004")
                self.assertIn("CACHE_ALIAS", message.msg)

    def test_keys_of_its_own(self) -> None:
        self.assert_only(self.follower(PUBLIC_KEY=PUBLIC_V4_1), "drf_paseto.E005")

    def test_a_warning_about_the_url_hides_no_error_about_the_keys(self) -> None:
        config = self.follower(
            KEYS_URL="http://auth.example.com/auth/keys/", PUBLIC_KEY=PUBLIC_V4_1
        )
        ids = [message.id for message in self.messages(config)]
        self.assertEqual(ids, ["drf_paseto.W004", "drf_paseto.E005"])

    def test_keys_max_age(self) -> None:
        self.assert_clean(local(KEYS_MAX_AGE_SECONDS=0))
        for value in (-1, "300", 1.5, None):
            with self.subTest(value):
                self.assert_only(local(KEYS_MAX_AGE_SECONDS=value), "drf_paseto.E003")


class IntrospectionCheckTests(CheckTestCase):
    """A service that asks its issuer (drf_paseto.stores.verify_only), and the issuer's clients."""

    def service(self, store: str, **settings: Any) -> dict[str, Any]:
        client = {"INTROSPECT_URL": "https://auth.example.com/auth/introspect/"}
        redis = {"DENYLIST_REDIS_URL": "redis://127.0.0.1:6379/0"}
        path = f"drf_paseto.stores.verify_only.{store}"
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
                ("INTROSPECT_URL", 5),
            ):
                with self.subTest(store=store, name=name, value=value):
                    self.assert_only(self.service(store, **{name: value}), "drf_paseto.E006")

    def test_plain_http_to_another_host(self) -> None:
        config = self.service("IntrospectionStore", INTROSPECT_URL="http://auth.example.com/i/")
        self.assert_only(config, "drf_paseto.W004")
        self.assert_clean(self.service("IntrospectionStore", INTROSPECT_URL="http://127.0.0.1/i/"))

    def test_client_secrets(self) -> None:
        for value in ([], {"orders": "short"}, {"a:b": "s" * 32}, {"": "s" * 32}, {1: "s" * 32}):
            with self.subTest(value):
                self.assert_only(local(INTROSPECT_CLIENT_SECRETS=value), "drf_paseto.E003")

    def test_cache_seconds(self) -> None:
        for value in (-1, 1.5, "5", None):
            with self.subTest(value):
                self.assert_only(local(INTROSPECT_CACHE_SECONDS=value), "drf_paseto.E003")


class IgnoredKeyPairTests(CheckTestCase):
    """#22 item 5: a key pair set while PURPOSE stays "local" was silently unused."""

    def test_w012_for_a_key_pair_with_the_local_purpose(self) -> None:
        for name, key in (("PRIVATE_KEY", SECRET_V4_1), ("PUBLIC_KEY", PUBLIC_V4_1)):
            with self.subTest(name=name):
                message = self.assert_only(local(**{name: key}), "drf_paseto.W012")
                self.assertIn(name, message.msg)
                self.assertIn("PURPOSE = 'public'", message.hint or "")
                self.assertNotIn(key.split(".")[2], f"{message.msg} {message.hint}")
        self.assert_clean({"PURPOSE": "public", "PRIVATE_KEY": SECRET_V4_1})


class WeakRetiredKeyTests(CheckTestCase):
    """#25 item 11: RETIRED_KEYS=["hunter2"] passed check --deploy, and a token made with it
    opened a fresh-token view."""

    def test_w003_for_every_weak_symmetric_key(self) -> None:
        messages = self.messages(
            local(RETIRED_KEYS=[LOCAL_V4_1.replace("mYBO", "aaaa"), b"hunter2", "x" * 40, "k4.x"]),
            deploy=True,
        )
        self.assertEqual([m.id for m in messages], ["drf_paseto.W003", "drf_paseto.W003"])
        self.assertIn("RETIRED_KEYS'][1]", messages[0].msg)
        self.assertIn("RETIRED_KEYS'][3]", messages[1].msg)
        for message in messages:
            self.assertNotIn("hunter2", message.msg)

    def test_the_weak_retired_key_really_opened_a_fresh_view(self) -> None:
        from drf_paseto.tokens import AccessToken

        class _User:
            pk = 1

        with override_settings(DRF_PASETO=local(SECRET_KEY="hunter2")):
            forged = str(AccessToken.for_user(_User(), fresh=True))
        with override_settings(DRF_PASETO=local(RETIRED_KEYS=["hunter2"])):
            self.assertTrue(AccessToken(forged).fresh)  # why W003 must cover it
            ids = [m.id for m in self.messages(local(RETIRED_KEYS=["hunter2"]), deploy=True)]
        self.assertEqual(ids, ["drf_paseto.W003"])

    def test_django_s_secret_key_when_it_is_the_source(self) -> None:
        with override_settings(SECRET_KEY="short-django-secret"):
            message = self.assert_only({}, "drf_paseto.W003", deploy=True)
        self.assertIn("Django's SECRET_KEY", message.msg)
        self.assert_clean({"PURPOSE": "public", "PRIVATE_KEY": SECRET_V4_1, "RETIRED_KEYS": []})


class ErrorReportWarningTests(CheckTestCase):
    """W009 through the check command (tests/test_reporting.py has the details)."""

    def test_w009_for_a_redis_password_with_django_s_filter(self) -> None:
        config = local(DENYLIST_REDIS_URL="redis://:hunter2@redis.internal:6379/0")
        django_filter = "django.views.debug.SafeExceptionReporterFilter"
        for reporter_filter in (django_filter, "myproject.nowhere.Filter"):
            with override_settings(DEFAULT_EXCEPTION_REPORTER_FILTER=reporter_filter):
                self.assert_only(config, "drf_paseto.W009")
        with override_settings(DEFAULT_EXCEPTION_REPORTER_FILTER=django_filter):
            message = self.assert_only(config, "drf_paseto.W009")
            out = StringIO()
            with override_settings(DRF_PASETO=config):
                call_command("check", stdout=out, stderr=out)
        self.assertIn("drf_paseto.W009", out.getvalue())
        self.assertNotIn("hunter2", out.getvalue() + message.msg)
        self.assert_clean(config)  # the suite's settings install drf_paseto's filter
