"""Revocation: the denylist stores and the operations on them.

The model (docs/revocation.md): every login starts a session (``sid``), shared by its access
and refresh tokens. Revocation facts are keyed by ``jti``, by ``sid`` or by user (``sub``,
with a cutoff time), never by the token string, and each one expires when the tokens it
speaks of have expired. A request's check is one round trip to the store.

Two stores ship: ``DatabaseStore`` (the ``DenylistEntry`` table) and ``CacheStore`` (a Django
cache alias: Redis or memcached in production). ``DENYLIST_STORE`` may also name any class
implementing ``RevocationStore``. A store that cannot be reached raises ``StoreUnavailable``
(503, fail closed): a request is never let through because the store did not answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from django.core.cache import caches
from django.db import DatabaseError, IntegrityError, OperationalError, transaction
from django.utils.module_loading import import_string

from drf_paseto import signals
from drf_paseto.exceptions import StoreUnavailable
from drf_paseto.settings import api_settings

if TYPE_CHECKING:
    from drf_paseto.tokens import Token

KEY_PREFIX = "drf_paseto:"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Verdict:
    """What the store says of a token: revoked or not, and the user if the store keeps one."""

    revoked: bool
    user: Any = None


def longest_lifetime() -> timedelta:
    """How long any token issued now can live: every revocation fact lives this long."""
    from drf_paseto.tokens import AccessToken, RefreshToken, as_leeway

    leeway = as_leeway(api_settings.DECODE_LEEWAY)
    return max(AccessToken.get_lifetime(), RefreshToken.get_lifetime()) + leeway


def now() -> datetime:
    """The revocation clock (what cutoffs are taken from)."""
    return _now()


def _now() -> datetime:
    return datetime.now(tz=timezone.utc)


def token_fact_expiry(token: Token) -> datetime:
    """When a fact about one token may be forgotten: once decoding refuses it.

    Decoding accepts a token until ``exp`` plus ``DECODE_LEEWAY``; a fact that went away at
    ``exp`` would let a revoked (or spent) token through during the leeway.
    """
    from drf_paseto.tokens import as_leeway

    return token.expires_at + as_leeway(api_settings.DECODE_LEEWAY)


class RevocationStore:
    """The interface of a revocation store. Every method is one round trip at most.

    Subclasses implement the five ``_``-free methods below; all times are aware UTC
    datetimes, ``expires_at`` says when the fact may be forgotten. Any failure to reach the
    backing service must raise ``StoreUnavailable``.
    """

    def check(self, token: Token) -> Verdict:
        """Is ``token`` revoked (by its jti, its session, or its user's cutoff)?"""
        raise NotImplementedError

    def revoke_token(self, token: Token) -> None:
        raise NotImplementedError

    def revoke_session(self, session_id: str, subject: str, expires_at: datetime) -> None:
        raise NotImplementedError

    def revoke_user(self, subject: str, cutoff: datetime, expires_at: datetime) -> None:
        raise NotImplementedError

    def spend(self, token: Token) -> bool:
        """Mark a refresh token used, atomically: ``True`` the first time only."""
        raise NotImplementedError

    # Optional: stores that can keep users (so that authenticate() needs no database).
    def remember_user(self, subject: str, user: Any) -> None:
        """Keep ``user`` for later ``check()`` calls (no-op unless the store caches users)."""

    def forget_user(self, subject: str) -> None:
        """Drop a kept user, because it changed (no-op unless the store caches users)."""


def token_keys(token: Token) -> list[str]:
    return [f"jti:{token.jti}", f"sid:{token.session_id}", f"user:{token.subject}"]


def _revoked(token: Token, facts: dict[str, Any]) -> bool:
    """Decide from the facts found under ``token_keys(token)``."""
    jti_key, sid_key, user_key = token_keys(token)
    if jti_key in facts or sid_key in facts:
        return True
    cutoff = facts.get(user_key)
    return cutoff is not None and token.issued_at <= cutoff


class DatabaseStore(RevocationStore):
    """The ``DenylistEntry`` table. Works on every database Django supports."""

    #: How long a write may wait on a locked database (SQLite) before answering 503.
    lock_retry_seconds = 5.0

    def _retry(self, operation: Any) -> Any:
        deadline = time.monotonic() + self.lock_retry_seconds
        delay = 0.005
        while True:
            try:
                return operation()
            except IntegrityError:
                raise
            except OperationalError as err:
                if "locked" not in str(err).lower() or time.monotonic() > deadline:
                    raise StoreUnavailable() from err
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
            except DatabaseError as err:
                raise StoreUnavailable() from err

    def check(self, token: Token) -> Verdict:
        from drf_paseto.models import DenylistEntry

        keys = token_keys(token)

        def read() -> dict[str, Any]:
            rows = DenylistEntry.objects.filter(key__in=keys).values_list("key", "cutoff")
            return dict(rows)

        facts = self._retry(read)
        return Verdict(revoked=_revoked(token, facts))

    def _put(
        self,
        key: str,
        kind: str,
        subject: str,
        expires_at: datetime,
        cutoff: datetime | None = None,
    ) -> None:
        from drf_paseto.models import DenylistEntry

        def write() -> None:
            DenylistEntry.objects.update_or_create(
                key=key,
                defaults={
                    "kind": kind,
                    "subject": subject,
                    "cutoff": cutoff,
                    "expires_at": expires_at,
                },
            )

        try:
            self._retry(write)
        except IntegrityError:  # pragma: no cover - a concurrent insert of the same fact
            self._retry(write)

    def revoke_token(self, token: Token) -> None:
        self._put(f"jti:{token.jti}", "jti", token.subject, token_fact_expiry(token))

    def revoke_session(self, session_id: str, subject: str, expires_at: datetime) -> None:
        self._put(f"sid:{session_id}", "sid", subject, expires_at)

    def revoke_user(self, subject: str, cutoff: datetime, expires_at: datetime) -> None:
        """Move the user's cutoff forward, never back: of two racing revocations, the
        later cutoff stays whichever write lands last."""
        from drf_paseto.models import DenylistEntry

        key = f"user:{subject}"

        def write() -> None:
            with transaction.atomic():
                moved = DenylistEntry.objects.filter(key=key, cutoff__lt=cutoff).update(
                    cutoff=cutoff, expires_at=expires_at
                )
                if not moved and not DenylistEntry.objects.filter(key=key).exists():
                    DenylistEntry.objects.create(
                        key=key, kind="user", subject=subject, cutoff=cutoff, expires_at=expires_at
                    )

        try:
            self._retry(write)
        except IntegrityError:  # a concurrent first revocation created the row: move it
            self._retry(write)

    def spend(self, token: Token) -> bool:
        from drf_paseto.models import DenylistEntry

        def insert() -> None:
            with transaction.atomic():
                DenylistEntry.objects.create(
                    key=f"spent:{token.jti}",
                    kind="spent",
                    subject=token.subject,
                    expires_at=token_fact_expiry(token),
                )

        try:
            self._retry(insert)
        except IntegrityError:
            return False
        return True

    def flush(self, now: datetime | None = None) -> int:
        """Delete the facts about tokens that have all expired. Returns how many."""
        from drf_paseto.models import DenylistEntry

        deleted: int = DenylistEntry.objects.filter(expires_at__lt=now or _now()).delete()[0]
        return deleted


class CacheStore(RevocationStore):
    """A Django cache alias (``DENYLIST_CACHE_ALIAS``): Redis in production, persisting
    (``appendonly yes``), and sized so that it never evicts: a cache that forgets (memcached
    restarting or evicting, Redis without persistence) forgets revocations too.

    Entries carry a TTL, so nothing needs flushing. ``check()`` is one ``get_many()``, which
    also fetches the user kept by ``remember_user()``: with this store, authenticating a
    request needs no database query at all while the user has not changed. A user changed
    through the ORM is forgotten at once (``post_save`` / ``post_delete``); a user changed
    by ``QuerySet.update()`` (no signals) is re-read after ``USER_CACHE_TIMEOUT`` seconds.
    """

    # Written in place of a user that changed, so that a request that read the user before
    # the change cannot put the stale copy back (``add()`` fails while the marker lives).
    _FORGOTTEN = "forgotten"

    def __init__(self, alias: str | None = None) -> None:
        self.alias = alias or api_settings.DENYLIST_CACHE_ALIAS

    @property
    def cache(self) -> Any:
        return caches[self.alias]

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(self.cache, method)(*args, **kwargs)
        except Exception as err:  # redis.ConnectionError, pymemcache errors, timeouts ...
            raise StoreUnavailable() from err

    @staticmethod
    def _timeout(expires_at: datetime) -> int:
        return max(1, int((expires_at - _now()).total_seconds()) + 1)

    def check(self, token: Token) -> Verdict:
        keys = [*token_keys(token), f"userobj:{token.subject}"]
        found = self._call("get_many", [KEY_PREFIX + key for key in keys])
        facts = {key[len(KEY_PREFIX) :]: value for key, value in found.items()}
        cutoff = facts.get(f"user:{token.subject}")
        if cutoff is not None:
            facts[f"user:{token.subject}"] = EPOCH + timedelta(microseconds=cutoff)
        user = facts.get(f"userobj:{token.subject}")
        return Verdict(
            revoked=_revoked(token, facts),
            user=None if user == self._FORGOTTEN else user,
        )

    def revoke_token(self, token: Token) -> None:
        timeout = self._timeout(token_fact_expiry(token))
        self._call("set", f"{KEY_PREFIX}jti:{token.jti}", 1, timeout)

    def revoke_session(self, session_id: str, subject: str, expires_at: datetime) -> None:
        self._call("set", f"{KEY_PREFIX}sid:{session_id}", 1, self._timeout(expires_at))

    def revoke_user(self, subject: str, cutoff: datetime, expires_at: datetime) -> None:
        # Whole microseconds since the epoch: exact, unlike a float timestamp. The cutoff only
        # moves forward; Django's cache API has no compare-and-set, so two revocations of one
        # user racing within a round trip may still keep the earlier one (docs: revocation).
        key = f"{KEY_PREFIX}user:{subject}"
        micros = (cutoff - EPOCH) // timedelta(microseconds=1)
        current = self._call("get", key)
        if isinstance(current, int) and current >= micros:
            return
        self._call("set", key, micros, self._timeout(expires_at))

    def spend(self, token: Token) -> bool:
        return bool(
            self._call(
                "add", f"{KEY_PREFIX}spent:{token.jti}", 1, self._timeout(token_fact_expiry(token))
            )
        )

    def remember_user(self, subject: str, user: Any) -> None:
        timeout = api_settings.USER_CACHE_TIMEOUT
        if timeout:
            self._call("add", f"{KEY_PREFIX}userobj:{subject}", user, timeout)

    def forget_user(self, subject: str) -> None:
        timeout = api_settings.USER_CACHE_TIMEOUT
        if timeout:
            self._call("set", f"{KEY_PREFIX}userobj:{subject}", self._FORGOTTEN, min(timeout, 5))


STORES = {"database": DatabaseStore, "cache": CacheStore}


def get_store() -> RevocationStore:
    """The configured store, built once per settings change."""
    store: RevocationStore | None = api_settings.derived.get("revocation_store")
    if store is None:
        name = api_settings.DENYLIST_STORE
        store_class = STORES.get(name) or import_string(name)
        store = store_class()
        api_settings.derived["revocation_store"] = store
    return store


def is_checked(token: Token) -> bool:
    """Whether requests check this token's revocation (``DENYLIST_TOKEN_CHECKS``)."""
    return bool(api_settings.DENYLIST_ENABLED) and token.type in api_settings.DENYLIST_TOKEN_CHECKS


# --- operations: what logout, rotation and password changes do ------------------------------


def revoke_session(
    token: Token, *, reason: str, user: Any = None, request: Any = None, sender: Any = None
) -> None:
    """Revoke every token of ``token``'s login session (logout, reuse)."""
    get_store().revoke_session(token.session_id, token.subject, _now() + longest_lifetime())
    signals.token_revoked.send(
        sender=sender or RevocationStore,
        user=user,
        session_id=token.session_id,
        request=request,
        scope="session",
        reason=reason,
    )


def revoke_user(
    subject: str, *, reason: str, user: Any = None, request: Any = None, sender: Any = None
) -> None:
    """Revoke every token issued to a user until now (logout everywhere, password change)."""
    now = _now()
    get_store().revoke_user(subject, now, now + longest_lifetime())
    signals.token_revoked.send(
        sender=sender or RevocationStore,
        user=user,
        session_id=None,
        request=request,
        scope="user",
        reason=reason,
    )
