"""drf_paseto/reporting.py and check W009: bearer tokens stay out of error reports."""

from unittest import mock

from django.core.checks import run_checks
from django.test import RequestFactory, SimpleTestCase, override_settings
from django.views.debug import ExceptionReporter

from drf_paseto.checks.views import check_error_reports
from drf_paseto.reporting import PasetoExceptionReporterFilter

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

    def test_registered(self) -> None:
        self.assertNotIn("drf_paseto.W009", [m.id for m in run_checks()])
