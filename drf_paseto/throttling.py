"""The login view's throttle: a DRF scope, ``paseto_login``.

The rate is ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["paseto_login"]`` when the project
sets it (``None`` there turns throttling off), else ``DRF_PASETO["LOGIN_THROTTLE_RATE"]``
(``"20/min"``). Both are read per request, so ``override_settings`` works. Requests are
counted per client address (DRF's ``get_ident``: set ``NUM_PROXIES`` behind a proxy) in the
default cache.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings as drf_settings
from rest_framework.throttling import SimpleRateThrottle

from drf_paseto.settings import api_settings


class LoginRateThrottle(SimpleRateThrottle):
    scope = "paseto_login"

    def get_rate(self) -> str | None:
        rates: dict[str, Any] = drf_settings.DEFAULT_THROTTLE_RATES or {}
        if self.scope in rates:
            rate: str | None = rates[self.scope]
            return rate
        configured: str | None = api_settings.LOGIN_THROTTLE_RATE
        return configured

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
