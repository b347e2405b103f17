"""Revocation across services: ask the issuer (``introspect/``, after RFC 7662), or share its
Redis copy and ask the issuer only on a miss.

Two stores for a service that verifies the issuer's tokens and has no session tables
(``DENYLIST_STORE`` names one by its dotted path; docs/many-services.md):

``IntrospectionStore``
    Every check POSTs the token to the issuer's ``introspect/`` (``INTROSPECT_URL``, HTTP
    Basic with ``INTROSPECT_CLIENT_ID`` / ``INTROSPECT_CLIENT_SECRET``) and takes its
    ``active``. Answers are kept for ``INTROSPECT_CACHE_SECONDS`` (and never past the
    token's ``exp``) in the ``CACHE_ALIAS`` cache: a logout on the issuer is
    refused here within that time.
``SharedRedisStore``
    Reads the issuer's Redis copy (the same ``DENYLIST_REDIS_URL`` and prefix), one
    ``MGET`` a check, and never writes it. A copy that is missing (a login not yet read
    back, a Redis wipe) is never taken as "not revoked": the issuer is asked, and its
    check writes the copy back for the next request. A logout on the issuer is refused
    here at once.

Neither can revoke: logouts happen on the issuer. An issuer that cannot be reached, or
answers garbage, fails closed (503 ``revocation_store_unavailable``).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from typing import Any

from django.core.cache import caches

from drf_paseto import clock, keyset, tokens
from drf_paseto.exceptions import StoreUnavailable
from drf_paseto.settings import api_settings
from drf_paseto.stores import EPOCH, RedisStore, RevocationStore, SessionState

logger = logging.getLogger("drf_paseto")

#: The largest introspection answer read, in bytes.
MAX_ANSWER_BYTES = 16 * 1024


def ask_issuer(raw: str) -> bool:
    """POST the token to ``INTROSPECT_URL``; whether the issuer says it is ``active``.
    Raises ``StoreUnavailable`` when the issuer cannot be reached or answers garbage."""
    url = str(api_settings.INTROSPECT_URL or "")
    if not url.startswith(("https://", "http://")):
        raise StoreUnavailable()
    credentials = f"{api_settings.INTROSPECT_CLIENT_ID}:{api_settings.INTROSPECT_CLIENT_SECRET}"
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url,
        data=urllib.parse.urlencode({"token": raw, "token_type_hint": "access_token"}).encode(),
        headers={
            "Authorization": "Basic " + base64.b64encode(credentials.encode("utf-8")).decode(),
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
        method="POST",
    )
    try:
        with keyset.opener().open(request, timeout=keyset.FETCH_TIMEOUT_SECONDS) as response:
            body = response.read(MAX_ANSWER_BYTES + 1)
        answer = json.loads(body.decode("utf-8")) if len(body) <= MAX_ANSWER_BYTES else None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as err:
        # Never the token or the secret: the exception's type names the cause.
        logger.warning("drf_paseto cannot introspect at INTROSPECT_URL: %s", type(err).__name__)
        raise StoreUnavailable() from err
    if not isinstance(answer, dict) or type(answer.get("active")) is not bool:
        logger.warning("drf_paseto: INTROSPECT_URL answered something else than {active}")
        raise StoreUnavailable()
    return bool(answer["active"])


def _read_only() -> StoreUnavailable:
    logger.error(
        "drf_paseto: this service's revocation store is read-only: log out and revoke on the issuer"
    )
    return StoreUnavailable()


def _state_of(token: tokens.Token, active: bool) -> tuple[SessionState | None, datetime | None]:
    """The issuer's verdict in the shape ``revocation.decide`` judges: an active token's
    session is live, an inactive one's unknown."""
    if not active:
        return None, None
    state = SessionState(
        subject=token.subject,
        auth_time=EPOCH,
        user_pk=token.subject,
        refresh_jti=token.jti,
        generation=0,
        revoked=False,
        expires_at=token.expires_at,
    )
    return state, None


class ReadOnlyStore:
    """The writes of a store that has no session tables: each is a 503, logged. Put it
    first in a store's bases."""

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


class IntrospectionStore(ReadOnlyStore, RevocationStore):
    """Ask the issuer about each token, keeping its answers briefly (see the module)."""

    def read(self, session_id: str, subject: str) -> tuple[SessionState | None, datetime | None]:
        raise _read_only()  # a session alone cannot be introspected: read_token() is the way

    def read_token(self, token: tokens.Token) -> tuple[SessionState | None, datetime | None]:
        raw = str(token)
        cache = caches[api_settings.CACHE_ALIAS]
        key = "drf_paseto:introspect:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()
        try:
            active = cache.get(key)
        except Exception:  # a cache that is away: ask the issuer
            active = None
        if active is None:
            active = ask_issuer(raw)
            seconds = min(
                int(api_settings.INTROSPECT_CACHE_SECONDS),
                int((token.expires_at - clock.current_time()).total_seconds()),
            )
            if seconds > 0:
                try:
                    cache.set(key, active, seconds)
                except Exception:
                    logger.warning("drf_paseto cannot keep an introspection answer")
        return _state_of(token, bool(active))


class SharedRedisStore(ReadOnlyStore, RedisStore):
    """Read the issuer's Redis copy; on a miss, ask the issuer (see the module). Writes
    nothing, and has no database behind it."""

    def read(self, session_id: str, subject: str) -> tuple[SessionState | None, datetime | None]:
        raise _read_only()

    def read_token(self, token: tokens.Token) -> tuple[SessionState | None, datetime | None]:
        copied = self.read_copy(token.session_id, token.subject)
        if copied is not None:
            return copied
        # A miss is not "not revoked": the issuer judges, and writes the copy back.
        return _state_of(token, ask_issuer(str(token)))

    def merge_copies(self, items: list[tuple[str, str, int]]) -> None:
        raise _read_only()

    def drop_copies(self, keys: list[str]) -> None:
        raise _read_only()


# --- the issuer's side: introspect/ ------------------------------------------------------


def client_of(authorization: str) -> str | None:
    """The client id of an ``Authorization: Basic`` header whose secret is in
    ``INTROSPECT_CLIENT_SECRETS``, else ``None``. Compared in constant time."""
    import hmac

    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    client_id, found, secret = decoded.partition(":")
    secrets = api_settings.INTROSPECT_CLIENT_SECRETS
    expected = secrets.get(client_id) if isinstance(secrets, dict) and found else None
    if not isinstance(expected, str) or not expected:
        return None  # client ids are not secret; their secrets are compared in constant time
    if not hmac.compare_digest(secret.encode("utf-8"), expected.encode("utf-8")):
        return None
    return client_id
