"""The login view's throttles: per client address, and per username for failed attempts.

``LoginRateThrottle`` (DRF scope ``paseto_login``) counts every login request of a client
address: ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["paseto_login"]`` when the project sets it
(``None`` there turns it off), else ``DRF_PASETO["LOGIN_THROTTLE_RATE"]`` (``"20/min"``).
The address is ``drf_paseto.utils.client_ip()``: the connecting one, unless
``TRUSTED_PROXY_COUNT`` says how many proxies stand in front; ``X-Forwarded-For`` is never
believed otherwise, so a client cannot get a new allowance by sending a new header value.

``LoginFailureThrottle`` (scope ``paseto_login_failures``, else
``LOGIN_FAILURE_THROTTLE_RATE``, ``"20/hour"``) counts failed logins per username, from any
address: guessing one account's password from many addresses is throttled too. Successful
logins are not counted. Every rate is read per request, so ``override_settings`` works.

Both keep their counts in the default cache under a fixed-length key (a hash of the address
or the username), whatever the client sends.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth import get_user_model
from rest_framework.request import Request
from rest_framework.settings import api_settings as drf_settings
from rest_framework.throttling import SimpleRateThrottle

from drf_paseto.request import read_request_data
from drf_paseto.settings import api_settings
from drf_paseto.utils import client_ip


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class _PasetoRateThrottle(SimpleRateThrottle):
    #: The ``DRF_PASETO`` setting holding the rate when DRF's rates do not name the scope.
    rate_setting = ""

    def get_rate(self) -> str | None:
        rates: dict[str, Any] = drf_settings.DEFAULT_THROTTLE_RATES or {}
        if self.scope in rates:
            rate: str | None = rates[self.scope]
            return rate
        configured: str | None = getattr(api_settings, self.rate_setting)
        return configured

    def key_for(self, ident: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": _digest(ident)}


class LoginRateThrottle(_PasetoRateThrottle):
    """Every login request, per client address (``client_ip``)."""

    scope = "paseto_login"
    rate_setting = "LOGIN_THROTTLE_RATE"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.key_for(client_ip(request))


class LoginFailureThrottle(_PasetoRateThrottle):
    """Failed logins per username: the view calls ``record_failure()`` after one.

    The request itself is not counted (``throttle_success`` records nothing): only failures
    are, so a user who logs in successfully never uses up the allowance.
    """

    scope = "paseto_login_failures"
    rate_setting = "LOGIN_FAILURE_THROTTLE_RATE"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        data = read_request_data(request)  # a body that cannot be parsed: a plain 400
        username = data.get(get_user_model().USERNAME_FIELD) if hasattr(data, "get") else None
        if isinstance(username, (int, float)) and not isinstance(username, bool):
            username = str(username)  # as the serializer's CharField reads it
        if not isinstance(username, str) or not username:
            return None
        # Case-folded: backends that match usernames without case share one allowance.
        return self.key_for(username.casefold())

    def throttle_success(self) -> bool:
        return True

    def record_failure(self, request: Request, view: Any) -> None:
        """Count one failed login against the request's username."""
        if self.rate is None:
            return
        key = self.get_cache_key(request, view)
        if key is None:
            return
        _, duration = self.parse_rate(self.rate)
        if duration is None:  # pragma: no cover - a rate always has a duration
            return
        now = self.timer()
        history = [moment for moment in self.cache.get(key, []) if moment > now - duration]
        history.insert(0, now)
        self.cache.set(key, history, duration)
