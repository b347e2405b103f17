"""The login view's throttles: per client address, and per username for failed attempts.

Both are DRF throttles with a scope, and take their rates where DRF keeps them,
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``; a scope the project does not name there gets
the default below, and ``None`` there turns the throttle off. Rates are read per request, so
``override_settings`` works.

``LoginRateThrottle`` (scope ``paseto_login``, default ``"20/min"``) counts every login
request of a client address. The address is ``drf_paseto.utils._client_ip()``: the connecting
one, unless DRF's ``NUM_PROXIES`` says how many proxies stand in front; ``X-Forwarded-For``
is never believed otherwise, so a client cannot get a new allowance by sending a new header.

``LoginFailureThrottle`` (scope ``paseto_login_failures``, default ``"20/hour"``) counts
failed logins per username, from any address: guessing one account's password from many
addresses is throttled too. Two rules keep it exact:

* the username is keyed as authentication sees it: trimmed (the serializer trims),
  normalised as the user model normalises usernames (``normalize_username``, NFKC) and
  case-folded, so ``" alice"``, ``"alice\\t"`` and ``"\\u3000alice"`` share ``alice``'s count;
* each attempt is counted before the password is checked, with the cache's atomic
  ``add``/``incr``, and refunded when the login succeeds (``refund()``, called by the view):
  a concurrent burst of wrong passwords cannot all pass the check before any is recorded.

Both keep their counts in DRF's throttle cache (Django's ``default`` cache) under a
fixed-length key (a hash of the address or the username), whatever the client sends. That
cache must be shared by every worker, or each counts on its own (system check
``drf_paseto.W006`` under ``check --deploy``).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import unicodedata
from typing import Any

from django.contrib.auth import get_user_model
from rest_framework.request import Request
from rest_framework.settings import api_settings as drf_settings
from rest_framework.throttling import SimpleRateThrottle

from drf_paseto._request import read_request_data
from drf_paseto.utils import _client_ip

__all__ = [
    "LoginFailureThrottle",
    "LoginRateThrottle",
]


#: The rates of our scopes when ``DEFAULT_THROTTLE_RATES`` does not name them.
_DEFAULT_RATES = {"paseto_login": "20/min", "paseto_login_failures": "20/hour"}


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _login_username(request: Request) -> str | None:
    """The username of a login request as authentication compares it: trimmed, normalised
    by the user model, case-folded; ``None`` when the body has no usable one."""
    data = read_request_data(request)  # a body that cannot be parsed: a plain 400
    user_model = get_user_model()
    username = data.get(user_model.USERNAME_FIELD) if hasattr(data, "get") else None
    if isinstance(username, (int, float)) and not isinstance(username, bool):
        username = str(username)  # as the serializer's CharField reads it
    if not isinstance(username, str):
        return None
    username = username.strip()  # what DRF's CharField (trim_whitespace) hands on
    normalize = getattr(user_model, "normalize_username", None)
    if callable(normalize):
        username = str(normalize(username))
    else:  # a user model without AbstractBaseUser: the same NFKC form
        username = unicodedata.normalize("NFKC", username)
    # Case-folded: backends that match usernames without case share one allowance.
    return username.casefold() or None


def _configured_rate(scope: str) -> str | None:
    """The rate of one of our scopes: DRF's ``DEFAULT_THROTTLE_RATES``, else our default."""
    rates: dict[str, Any] = drf_settings.DEFAULT_THROTTLE_RATES or {}
    rate: str | None = rates[scope] if scope in rates else _DEFAULT_RATES[scope]
    return rate


class _PasetoRateThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        return _configured_rate(str(self.scope))

    def key_for(self, ident: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": _digest(ident)}


class LoginRateThrottle(_PasetoRateThrottle):
    """Every login request, per client address (``_client_ip``)."""

    scope = "paseto_login"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.key_for(_client_ip(request))


class LoginFailureThrottle(_PasetoRateThrottle):
    """Failed logins per username (see the module): an attempt counts before the password is
    checked; the view calls ``refund()`` when the login did not fail on the credentials."""

    scope = "paseto_login_failures"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        username = _login_username(request)
        return None if username is None else self.key_for(username)

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        limit, window = self.parse_rate(self.rate)
        self.limit, self.window = limit or 0, window or 1
        self.now = self.timer()
        if self._count_attempt(self.key) <= self.limit:
            return True
        return self.throttle_failure()

    def _count_attempt(self, key: str) -> int:
        """One more attempt in the window, atomically: ``add`` opens a window (it lasts the
        rate's duration from the first attempt), ``incr`` counts in it."""
        if self.cache.add(key, 0, self.window):
            self.cache.set(f"{key}:since", self.now, self.window)
        try:
            count: int = self.cache.incr(key)
        except ValueError:  # the window ended between add() and incr(): a new one
            self.cache.set(key, 1, self.window)
            self.cache.set(f"{key}:since", self.now, self.window)
            return 1
        # The counter ends with its window, whatever the backend's incr did to its expiry:
        # DatabaseCache and FileBasedCache (BaseCache's get-then-set) write it again with the
        # cache's own TIMEOUT (None: for ever; Django's 300 s: a window cut short), and
        # RedisCache, which checks that the key exists and then increments, leaves a counter
        # without a TTL when the window ends in between.
        since = self.cache.get(f"{key}:since")
        opened = float(since) if isinstance(since, (int, float)) else self.now
        self.cache.touch(key, max(1, math.ceil(opened + self.window - self.now)))
        return count

    def wait(self) -> float | None:
        since = self.cache.get(f"{self.key}:since")
        if not isinstance(since, (int, float)):
            return float(self.window)
        return max(0.0, float(since) + self.window - self.now)

    def refund(self, request: Request, view: Any) -> None:
        """Take back the attempt ``allow_request`` counted: the login succeeded, or failed
        before the credentials were checked (a malformed body)."""
        if self.rate is None:
            return
        key = self.get_cache_key(request, view)
        if key is None:
            return
        # A window that has ended meanwhile has nothing left to refund.
        with contextlib.suppress(ValueError):
            if self.cache.decr(key) < 0:
                # It ended between RedisCache's existence check and its decrement, and
                # Redis made a counter of -1 without a TTL: no window holds it.
                self.cache.delete(key)
