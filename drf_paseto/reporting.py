"""An exception-reporter filter that keeps bearer tokens out of Django's error reports.

Django sends an error report (mail to ADMINS, the ``django.request`` log) for every 5xx
answer, drf_paseto's fail-closed 503s included, and the report lists the request's headers.
Django 5.0 and later hide ``HTTP_AUTHORIZATION`` there; Django 4.2 does not. With Django
4.2, set::

    DEFAULT_EXCEPTION_REPORTER_FILTER = "drf_paseto.reporting.PasetoExceptionReporterFilter"

(system check ``drf_paseto.W009`` says so). On newer Django it changes nothing.
"""

from __future__ import annotations

import re

from django.views.debug import SafeExceptionReporterFilter


class PasetoExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, also hiding any header or setting whose name mentions AUTH."""

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE", flags=re.IGNORECASE
    )
