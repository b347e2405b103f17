"""An exception-reporter filter that keeps bearer tokens and URL passwords out of Django's
error reports.

Django sends an error report (mail to ADMINS, the ``django.request`` log) for every 5xx
answer, drf_paseto's fail-closed 503s included; the report lists the request's headers and
the project's settings. Django 5.0 and later hide ``HTTP_AUTHORIZATION`` there; Django 4.2
does not. And no Django version hides a password written into a URL setting whose name does
not look secret, such as ``DENYLIST_REDIS_URL = "redis://:hunter2@redis:6379/0"``. Set::

    DEFAULT_EXCEPTION_REPORTER_FILTER = "drf_paseto.reporting.PasetoExceptionReporterFilter"

(system check ``drf_paseto.W009`` says so when a report would show one of them).
"""

from __future__ import annotations

import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

__all__ = [
    "PasetoExceptionReporterFilter",
]


#: Our settings that hold URLs, and so may carry a password in their userinfo.
_URL_SETTINGS = ("DENYLIST_REDIS_URL", "INTROSPECT_URL", "KEYS_URL")

# scheme://user:password@ : the password is what sits between the first ':' of the userinfo
# and the last '@' before the host.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^/?#@:]*:)(?P<password>[^/?#]*)@")


def _has_password(value: Any) -> bool:
    """Whether a URL setting (a string, or a list of them) carries a password."""
    values = value if isinstance(value, (list, tuple)) else [value]
    return any(isinstance(v, str) and _URL_PASSWORD.search(v) for v in values)


class PasetoExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, also hiding any header or setting whose name mentions AUTH, and the
    password of every URL in the settings (``redis://:********@host``)."""

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE", flags=re.IGNORECASE
    )

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str):
            return _URL_PASSWORD.sub(rf"\g<head>{self.cleansed_substitute}@", cleansed)
        return cleansed
