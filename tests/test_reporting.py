"""drf_paseto/reporting.py and check W009: bearer tokens and URL passwords stay out of error
reports."""

from unittest import mock

from django.core.checks import run_checks
from django.test import RequestFactory, SimpleTestCase, override_settings
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from drf_paseto.checks.views import check_error_reports
from drf_paseto.reporting import PasetoExceptionReporterFilter
from tests.helpers import paseto_settings

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
        return [m.id for m in check_error_reports() if m.id]

    def test_w009_on_django_4_2_with_django_s_filter(self) -> None:
        with mock.patch("drf_paseto.checks.views.django.VERSION", (4, 2, 0, "final", 0)):
            with override_settings(DEFAULT_EXCEPTION_REPORTER_FILTER=DJANGO_FILTER):
                self.assertEqual(self.ids(), ["drf_paseto.W009"])
                self.assertTrue(check_error_reports()[0].hint)
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
                messages = check_error_reports()
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
            self.assertEqual(self.ids(), [])

    def test_registered(self) -> None:
        self.assertNotIn("drf_paseto.W009", [m.id for m in run_checks()])
