"""drf_paseto/reporting.py and check W009: bearer tokens, URL passwords and keys stay out
of error reports (drf_paseto._keys marks the functions that hold keys as sensitive)."""

import re
import sys
from html import escape
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.checks import run_checks
from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_paseto.backend import _b64url_decode
from drf_paseto.checks.views import _check_error_reports
from drf_paseto.reporting import PasetoExceptionReporterFilter
from drf_paseto.tokens import RefreshToken
from tests import keys
from tests.helpers import SECRET_FRAGMENTS, paseto_settings

DJANGO_FILTER = "django.views.debug.SafeExceptionReporterFilter"
OURS = "drf_paseto.reporting.PasetoExceptionReporterFilter"


class ReporterFilterTests(SimpleTestCase):
    def test_the_authorization_header_is_hidden(self) -> None:
        request = RequestFactory().get("/", HTTP_AUTHORIZATION="Bearer v4.local.secret-token")
        meta = PasetoExceptionReporterFilter().get_safe_request_meta(request)
        self.assertNotIn("v4.local.secret-token", str(meta["HTTP_AUTHORIZATION"]))

    @override_settings(DEFAULT_EXCEPTION_REPORTER_FILTER=OURS)
    def test_an_error_report_carries_no_token(self) -> None:
        request = RequestFactory().get("/", HTTP_AUTHORIZATION="Bearer v4.local.secret-token")
        try:
            raise RuntimeError("boom")
        except RuntimeError as err:
            report = ExceptionReporter(
                request, type(err), err, err.__traceback__
            ).get_traceback_text()
        self.assertIn("HTTP_AUTHORIZATION", report)
        self.assertNotIn("v4.local.secret-token", report)


def rendered_report(reporter_filter: type[SafeExceptionReporterFilter]) -> tuple[str, str]:
    """The text and the HTML of Django's error report for an error in a request, made with
    ``reporter_filter`` (set on the request, as Django lets a view do: the project default
    is cached for the life of the process)."""
    request = RequestFactory().get("/")
    request.exception_reporter_filter = reporter_filter()  # type: ignore[attr-defined]
    try:
        raise RuntimeError("boom")
    except RuntimeError as err:
        reporter = ExceptionReporter(request, type(err), err, err.__traceback__)
        return reporter.get_traceback_text(), reporter.get_traceback_html()


# #25 item 10: a password in one of our URL settings was in every 500 report's settings.
URL_SETTINGS = {
    "DENYLIST_REDIS_URL": "redis://:redis-hunter2@redis.internal:6379/0",
    "INTROSPECT_URL": "https://orders:introspect-hunter2@auth.example.com/auth/introspect/",
    "KEYS_URL": "https://keys:keys-hunter2@auth.example.com/auth/keys/",
}


class UrlPasswordTests(SimpleTestCase):
    def test_passwords_in_our_url_settings_are_masked_in_the_report(self) -> None:
        nodes = ["redis://u:node-hunter2@10.0.0.1:6379", "redis://10.0.0.2:6379"]
        with paseto_settings(**URL_SETTINGS), override_settings(EXTRA_NODES=nodes):
            for report in rendered_report(PasetoExceptionReporterFilter):
                for secret in ("redis-hunter2", "introspect-hunter2", "keys-hunter2"):
                    self.assertNotIn(secret, report)
                self.assertNotIn("node-hunter2", report)  # any URL, in lists too
                # What helps debugging stays: the scheme, the user, the host.
                self.assertIn("redis.internal:6379/0", report)
                self.assertIn("orders:", report)
                self.assertIn("auth.example.com/auth/introspect/", report)
                self.assertIn("10.0.0.2:6379", report)

    def test_django_s_own_filter_shows_them(self) -> None:
        # What the attack saw, and what W009 warns about.
        with paseto_settings(**URL_SETTINGS):
            text, _ = rendered_report(SafeExceptionReporterFilter)
        self.assertIn("redis-hunter2", text)

    def test_urls_without_a_password_are_unchanged(self) -> None:
        cleanse = PasetoExceptionReporterFilter().cleanse_setting
        for url in (
            "redis://redis.internal:6379/0",
            "https://auth.example.com/keys/?next=a:b@c",
            "unix:///run/redis.sock",
            "plain text: with@signs",
        ):
            with self.subTest(url=url):
                self.assertEqual(cleanse("SOME_URL", url), url)
        self.assertEqual(
            cleanse("X", "unix://:pw@/run/redis.sock"),
            "unix://:********************@/run/redis.sock",
        )


class ErrorReportCheckTests(SimpleTestCase):
    def ids(self) -> list[str]:
        return [m.id for m in _check_error_reports() if m.id]

    def test_w009_on_django_4_2_with_django_s_filter(self) -> None:
        with mock.patch("drf_paseto.checks.views.django.VERSION", (4, 2, 0, "final", 0)):
            with override_settings(DEFAULT_EXCEPTION_REPORTER_FILTER=DJANGO_FILTER):
                self.assertEqual(self.ids(), ["drf_paseto.W009"])
                self.assertTrue(_check_error_reports()[0].hint)
            with override_settings(DEFAULT_EXCEPTION_REPORTER_FILTER=OURS):
                self.assertEqual(self.ids(), [])

    def test_nothing_on_django_5(self) -> None:
        with (
            mock.patch("drf_paseto.checks.views.django.VERSION", (5, 2, 0, "final", 0)),
            override_settings(DEFAULT_EXCEPTION_REPORTER_FILTER=DJANGO_FILTER),
        ):
            self.assertEqual(self.ids(), [])

    def test_w009_for_a_password_in_one_of_our_url_settings(self) -> None:
        for name, url in URL_SETTINGS.items():
            with (
                self.subTest(name=name),
                override_settings(DEFAULT_EXCEPTION_REPORTER_FILTER=DJANGO_FILTER),
                paseto_settings(**{name: url}),
            ):
                messages = _check_error_reports()
                self.assertEqual([m.id for m in messages], ["drf_paseto.W009"])
                self.assertIn(f"the password in {name}", messages[0].msg)
                self.assertNotIn("hunter2", messages[0].msg)
                self.assertIn(OURS, messages[0].hint or "")
        with (
            override_settings(DEFAULT_EXCEPTION_REPORTER_FILTER=OURS),
            paseto_settings(**URL_SETTINGS),
        ):
            self.assertEqual(self.ids(), [])
        with (
            override_settings(DEFAULT_EXCEPTION_REPORTER_FILTER=DJANGO_FILTER),
            paseto_settings(DENYLIST_REDIS_URL="redis://redis.internal:6379/0"),
        ):
            # No password, no word of one (Django 4.2 still warns about the header).
            self.assertFalse(any("password" in m.msg for m in _check_error_reports()))

    def test_registered(self) -> None:
        self.assertNotIn("drf_paseto.W009", [m.id for m in run_checks()])


class LoginView(APIView):
    """A project's own login view, as docs/refresh-tokens.md shows it."""

    authentication_classes = []
    permission_classes = []

    def post(self, request: Request) -> Response:
        user = get_user_model().objects.get(username="alice")
        refresh_token = RefreshToken.for_user(user)
        access_token = refresh_token.make_access_token(fresh=True)
        return Response({"access_token": str(access_token), "refresh_token": str(refresh_token)})


DRF_HANDLER = "rest_framework.views.exception_handler"


class KeyReportTests(TestCase):
    """#25 hardening 9: a broken key setting must not put the live private key (nor the
    broken one) into Django's error report."""

    @classmethod
    def setUpTestData(cls) -> None:
        get_user_model().objects.create_user("alice", password="irrelevant")

    def reports(self) -> list[str]:
        """The text and HTML reports of the login view's error, with the settings in force
        (the settings stay out of this frame, which the report shows too)."""
        request = RequestFactory().post("/login/")
        # DRF's own handler: drf_paseto's answers a KeyConfigurationError (a PasetoError) with
        # a JSON 503 and no report at all.
        drf_only = {**settings.REST_FRAMEWORK, "EXCEPTION_HANDLER": DRF_HANDLER}
        try:
            with override_settings(REST_FRAMEWORK=drf_only):
                LoginView.as_view()(request)
        except Exception:
            exc_type, exc_value, tb = sys.exc_info()
        else:
            self.fail("the key settings were accepted")
        reporter = ExceptionReporter(request, exc_type, exc_value, tb)
        return [reporter.get_traceback_text(), reporter.get_traceback_html()]

    def assertNoKeyIn(self, report: str) -> None:
        # A PASERK with key data (the source lines shown say "k4.secret" in messages only).
        paserk = re.search(r"k[34]\.(secret|local|secert)\.[A-Za-z0-9_-]{8}", report)
        self.assertIsNone(paserk, paserk and report[paserk.start() - 300 : paserk.end()])
        forbidden = list(SECRET_FRAGMENTS)
        for paserk_text in (keys.SECRET_V4_1, keys.SECRET_V4_2):
            data = paserk_text.split(".", 2)[2]
            raw = _b64url_decode(data)
            forbidden += [data[:16], raw.hex()[:32], repr(raw)[2:30], escape(repr(raw)[2:30])]
        for text in forbidden:
            at = report.find(text)
            self.assertEqual(at, -1, f"{text!r} in the report: {report[at - 300 : at + 100]}")

    def test_a_typo_in_retired_keys(self) -> None:
        data = keys.SECRET_V4_2.split(".", 2)[2]
        typos = {
            "the type": f"k4.secert.{data}",
            "the data": f"k4.secret.{data[:-1]}!",
            "the length": f"k4.secret.{data[:-4]}",
        }
        for name, typo in typos.items():
            with (
                self.subTest(name),
                paseto_settings(
                    PURPOSE="public", PRIVATE_KEY=keys.SECRET_V4_1, RETIRED_KEYS=[typo]
                ),
            ):
                for report in self.reports():
                    self.assertIn("KeyConfigurationError", report)
                    self.assertNoKeyIn(report)

    def test_a_public_key_that_does_not_match(self) -> None:
        with paseto_settings(
            PURPOSE="public", PRIVATE_KEY=keys.SECRET_V4_1, PUBLIC_KEY=keys.PUBLIC_V4_2
        ):
            reports = self.reports()
        for report in reports:
            self.assertIn("KeyConfigurationError", report)
            self.assertNoKeyIn(report)
