"""The stores of a service that verifies the issuer's tokens and has no session tables
(``DENYLIST_STORE`` names one by its dotted path; docs/many-services.md).

Each is a ``ReadOnlyStore``: a reader of the issuer's copies (or none) plus the issuer
itself, asked through its ``introspect/`` (after RFC 7662) at ``INTROSPECT_URL``, whose
userinfo holds this service's client id and secret
(``https://orders:secret@issuer.example/auth/introspect/``).

``IntrospectionStore``
    Every check asks the issuer and takes its ``active``. Answers are kept for
    ``INTROSPECT_CACHE_SECONDS`` (and never past the token's ``exp``) in the
    ``CACHE_ALIAS`` cache: a logout on the issuer is refused here within that time.
``SharedRedisStore``
    Reads the issuer's Redis copy (the same ``DENYLIST_REDIS_CLIENT``, URL and key prefix),
    one ``MGET`` a check, and never writes it. A copy that is missing (a login not yet read
    back, a Redis wipe) is never taken as "not revoked": the issuer is asked, and its check
    writes the copy back for the next request. A logout on the issuer is refused here at
    once.

Neither can revoke: logouts happen on the issuer, and every write here is a 503. An issuer
that cannot be reached, or answers garbage, fails closed (503 ``revocation_store_unavailable``).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.core.cache import caches

from drf_paseto import clock, keyset, tokens
from drf_paseto.exceptions import StoreUnavailable
from drf_paseto.settings import api_settings
from drf_paseto.stores.base import _EPOCH, RevocationStore, SessionState, _logger
from drf_paseto.stores.mirrored import Copies
from drf_paseto.stores.redis import _RedisCopies

__all__ = [
    "IntrospectionStore",
    "ReadOnlyStore",
    "SharedRedisStore",
]


#: The largest introspection answer read, in bytes.
_MAX_ANSWER_BYTES = 16 * 1024


def _introspect_endpoint() -> tuple[str, str]:
    """``INTROSPECT_URL`` without its userinfo, and the ``Authorization`` header that the
    userinfo makes (HTTP Basic). ``StoreUnavailable`` when either is missing."""
    parts = urllib.parse.urlsplit(str(api_settings.INTROSPECT_URL or ""))
    if parts.scheme not in ("https", "http") or not parts.username or parts.password is None:
        _logger.error("drf_paseto: INTROSPECT_URL needs https://client:secret@issuer/...")
        raise StoreUnavailable()
    userinfo, _, host = parts.netloc.rpartition("@")
    client_id, _, secret = userinfo.partition(":")
    credentials = f"{urllib.parse.unquote(client_id)}:{urllib.parse.unquote(secret)}"
    authorization = "Basic " + base64.b64encode(credentials.encode("utf-8")).decode()
    return urllib.parse.urlunsplit(parts._replace(netloc=host)), authorization


def _ask_issuer(raw: str) -> bool:
    """POST the token to ``INTROSPECT_URL``; whether the issuer says it is ``active``.
    Raises ``StoreUnavailable`` when the issuer cannot be reached or answers garbage."""
    url, authorization = _introspect_endpoint()
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url,
        data=urllib.parse.urlencode({"token": raw, "token_type_hint": "access_token"}).encode(),
        headers={
            "Authorization": authorization,
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
        method="POST",
    )
    try:
        with keyset._opener().open(request, timeout=keyset.FETCH_TIMEOUT_SECONDS) as response:
            body = response.read(_MAX_ANSWER_BYTES + 1)
        answer = json.loads(body.decode("utf-8")) if len(body) <= _MAX_ANSWER_BYTES else None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as err:
        # Never the token or the secret: the exception's type names the cause.
        _logger.warning("drf_paseto cannot introspect at INTROSPECT_URL: %s", type(err).__name__)
        raise StoreUnavailable() from err
    if not isinstance(answer, dict) or type(answer.get("active")) is not bool:
        _logger.warning("drf_paseto: INTROSPECT_URL answered something else than {active}")
        raise StoreUnavailable()
    return bool(answer["active"])


class _Issuer:
    """The issuer, asked about one token at a time."""

    def is_active(self, token: tokens.Token) -> bool:
        return _ask_issuer(str(token))


class _CachedIssuer(_Issuer):
    """The issuer, its answers kept for ``INTROSPECT_CACHE_SECONDS`` (never past the
    token's ``exp``) in the ``CACHE_ALIAS`` cache. A cache that is away is
    passed by: the issuer is asked."""

    def is_active(self, token: tokens.Token) -> bool:
        raw = str(token)
        cache = caches[api_settings.CACHE_ALIAS]
        key = "drf_paseto:introspect:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()
        try:
            active = cache.get(key)
        except Exception:  # a cache that is away: ask the issuer
            active = None
        if active is None:
            active = _ask_issuer(raw)
            seconds = min(
                int(api_settings.INTROSPECT_CACHE_SECONDS),
                int((token.expires_at - clock.current_time()).total_seconds()),
            )
            if seconds > 0:
                try:
                    cache.set(key, active, seconds)
                except Exception:
                    _logger.warning("drf_paseto cannot keep an introspection answer")
        return bool(active)


def _read_only() -> StoreUnavailable:
    _logger.error(
        "drf_paseto: this service's revocation store is read-only: log out and revoke on the issuer"
    )
    return StoreUnavailable()


class ReadOnlyStore(RevocationStore):
    """Judge a token by the issuer's copy that ``reader`` finds, else by asking ``issuer``.
    Every write is a 503, logged: this service has no session tables."""

    def __init__(self, reader: Copies | None, issuer: _Issuer) -> None:
        self.reader = reader
        self.issuer = issuer

    def read_token(self, token: tokens.Token) -> tuple[SessionState | None, datetime | None]:
        if self.reader is not None:
            copied = self.reader.read(token.session_id, token.subject)
            if copied is not None:
                return copied
        # A miss is not "not revoked": the issuer judges (and its check writes the copy back).
        if not self.issuer.is_active(token):
            return None, None  # an unknown session: refused
        state = SessionState(
            subject=token.subject,
            auth_time=_EPOCH,
            user_pk=token.subject,
            refresh_jti=token.jti,
            generation=0,
            revoked=False,
            expires_at=token.expires_at,
        )
        return state, None

    def read(self, session_id: str, subject: str) -> tuple[SessionState | None, datetime | None]:
        raise _read_only()  # a session alone cannot be introspected: read_token() is the way

    def open_session(self, session: Any) -> None:
        raise _read_only()

    def refresh_session(self, state: SessionState, session_id: str, **kwargs: Any) -> bool:
        raise _read_only()

    def revoke_session(self, session_id: str, subject: str, *, at: datetime, reason: str) -> None:
        raise _read_only()

    def revoke_subject(self, subject: str, *, cutoff: datetime, reason: str) -> datetime:
        raise _read_only()

    def live_sessions(self, subject: str) -> list[Any]:
        raise _read_only()

    def sessions_over_cap(self, subject: str) -> list[str]:
        raise _read_only()

    def sessions_ended_at(self, subject: str, at: datetime) -> Iterator[str]:
        raise _read_only()


class IntrospectionStore(ReadOnlyStore):
    """Ask the issuer about each token, keeping its answers briefly (see the module)."""

    def __init__(self) -> None:
        super().__init__(reader=None, issuer=_CachedIssuer())


class SharedRedisStore(ReadOnlyStore):
    """Read the issuer's Redis copy; on a miss, ask the issuer (see the module)."""

    def __init__(self) -> None:
        super().__init__(reader=_RedisCopies(), issuer=_Issuer())
