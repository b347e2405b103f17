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

import os
import select
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from django.core.cache import caches
from django.db import (
    DatabaseError,
    IntegrityError,
    OperationalError,
    connections,
    router,
    transaction,
)
from django.utils.module_loading import import_string

from drf_paseto import signals
from drf_paseto.exceptions import StoreUnavailable
from drf_paseto.settings import api_settings

if TYPE_CHECKING:
    from drf_paseto.tokens import Token

KEY_PREFIX = "drf_paseto:"
# The builtin poll only: where gevent (or the like) has replaced it, polling is a scheduling
# point, so spinning on it would be pointless.
_BUSY_POLL = getattr(getattr(select, "poll", None), "__module__", None) == "select"
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


class PreparedSelect:
    """A ``SELECT`` that the ORM compiled once, run on a raw cursor of any connection.

    ``sql`` is the compiler's own SQL (quoting, placeholders and all) for one database
    alias; ``fetch()`` runs it with new parameters and converts each column as the ORM's
    ``results_iter`` would (``connection.ops.get_db_converters`` and the field's
    ``from_db_value``: SQLite's datetime strings, USE_TZ ...), with the converters of the
    connection it runs on (connections are per thread). It decides nothing by itself.
    """

    __slots__ = ("_converters", "klass_info", "params", "select", "sql")

    def __init__(self, compiler: Any) -> None:
        sql, params = compiler.as_sql()
        self.sql: str = sql
        self.params: tuple[Any, ...] = tuple(params)
        self.select: list[Any] = compiler.select
        self.klass_info: Any = compiler.klass_info
        ops = compiler.connection.ops
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = []
        for index, (functions, expression) in compiler.get_converters(fields).items():
            # A backend converter is a method of the building connection's ``ops``: keep the
            # function, and call it with the ``ops`` of the connection that runs the query.
            unbound = tuple(
                (getattr(f, "__func__", f), getattr(f, "__self__", None) is ops) for f in functions
            )
            converters.append((index, unbound, expression))
        self._converters: list[tuple[int, tuple[tuple[Any, bool], ...], Any]] = converters

    def fetch(self, connection: Any, params: Any, size: int) -> list[list[Any]]:
        """At most ``size`` rows, converted. Database errors propagate."""
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchmany(size)
        if not self._converters:
            return [list(row) for row in rows]
        ops = connection.ops
        converted = []
        for row in rows:
            values = list(row)
            for index, functions, expression in self._converters:
                value = values[index]
                for function, is_ops_method in functions:
                    if is_ops_method:
                        value = function(ops, value, expression, connection)
                    else:
                        value = function(value, expression, connection)
                values[index] = value
            converted.append(values)
        return converted


def token_keys(token: Token) -> list[str]:
    return [f"jti:{token.jti}", f"sid:{token.session_id}", f"user:{token.subject}"]


def _decide(token: Token, *, jti_found: bool, sid_found: bool, cutoff: datetime | None) -> bool:
    """The revocation rule, in one place: the token, its session, or its user's cutoff."""
    if jti_found or sid_found:
        return True
    return cutoff is not None and token.issued_at <= cutoff


def _revoked(token: Token, facts: dict[str, Any]) -> bool:
    """Decide from the facts found under ``token_keys(token)``."""
    jti_key, sid_key, user_key = token_keys(token)
    return _decide(
        token, jti_found=jti_key in facts, sid_found=sid_key in facts, cutoff=facts.get(user_key)
    )


def _cache_cutoff(value: Any) -> datetime | None:
    """A user cutoff as the cache store keeps it (whole microseconds since the epoch)."""
    return None if value is None else EPOCH + timedelta(microseconds=value)


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

    def __init__(self) -> None:
        # Per database alias: the facts query compiled once by the ORM (a SQL string and its
        # column converters), or ``None`` where the ORM path must be kept.
        self._facts_selects: dict[str, PreparedSelect | None] = {}

    def check(self, token: Token) -> Verdict:
        from drf_paseto.models import DenylistEntry

        keys = token_keys(token)

        def read() -> dict[str, Any]:
            alias = router.db_for_read(DenylistEntry)
            # setdefault: a subclass whose __init__ does not call ours still works.
            selects = self.__dict__.setdefault("_facts_selects", {})
            try:
                select = selects[alias]
            except KeyError:
                select = selects[alias] = self._prepare_facts(alias)
            if select is None:
                rows = DenylistEntry.objects.filter(key__in=keys).values_list("key", "cutoff")
                return dict(rows)
            return dict(select.fetch(connections[alias], keys, 3))

        facts = self._retry(read)
        return Verdict(revoked=_revoked(token, facts))

    @staticmethod
    def _prepare_facts(alias: str) -> PreparedSelect | None:
        """``filter(key__in=keys).values_list("key", "cutoff")`` compiled by the ORM once.

        ``order_by()`` drops the model's ``ordering`` (an ``ORDER BY`` that only costs);
        three placeholders stand for the three keys of ``token_keys``.
        """
        from drf_paseto.models import DenylistEntry

        placeholders = ["jti:", "sid:", "user:"]
        queryset = (
            DenylistEntry.objects.filter(key__in=placeholders)
            .order_by()
            .values_list("key", "cutoff")
        )
        select = PreparedSelect(queryset.query.get_compiler(using=alias))
        if list(select.params) != placeholders:  # pragma: no cover - a backend's own SQL
            return None
        return select

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


class RedisReader:
    """``MGET`` on a Redis primary, for ``CacheStore.check``.

    redis-py's pool hands a connection out and takes it back on every command (a lock,
    a readiness poll, its metrics: about as long as the round trip itself here), so each
    thread keeps one connection of its own, built with the pool's settings. Nothing read is
    kept: every call is a round trip. Any error disconnects the connection, so that no
    half-read reply can ever be taken for the next one; a kept connection that went stale
    (a server restart, an idle timeout) is tried once more, freshly connected, as redis-py's
    own retry would. Pools other than a plain ``ConnectionPool`` (sentinel, blocking,
    client-side caching) keep redis-py's ``client.mget``.

    Waiting for the reply: a thread that sleeps in ``recv()`` has to be woken up by the
    kernel when the reply lands, which costs more than the reply itself on a loopback or a
    fast network (about 45 µs of a 75 µs round trip on a 2-vCPU VM). So the reader first
    polls the socket without sleeping for up to ``DENYLIST_CACHE_SPIN_MICROSECONDS``, then
    reads the reply as before. The reply is the same, only the wait differs. When the
    reply outlasts the spin ``SPIN_MISSES`` times in a row (a distant Redis, an overloaded
    machine), the thread stops spinning for its next ``SPIN_REST`` calls, so a slow network
    costs no CPU beyond an occasional probe.
    """

    SPIN_MISSES = 3
    SPIN_REST = 1000

    def __init__(self, client: Any) -> None:
        pool = client.connection_pool
        self.client = client
        self.connection_class = pool.connection_class
        self.connection_kwargs = dict(pool.connection_kwargs)
        self._local = threading.local()
        import redis

        self.stale_errors: tuple[type[BaseException], ...] = (
            OSError,
            redis.ConnectionError,
            redis.TimeoutError,
        )

    @classmethod
    def for_client(cls, client: Any) -> Any:
        import redis

        pool = client.connection_pool
        if type(pool) is not redis.ConnectionPool or getattr(pool, "cache", None) is not None:
            return client
        return cls(client)

    def mget(self, keys: list[str]) -> list[Any]:
        local = self._local
        connection = getattr(local, "connection", None)
        kept = connection is not None and connection.pid == os.getpid()
        if not kept:
            connection = local.connection = self.connection_class(**self.connection_kwargs)
        try:
            return self._mget(connection, keys)
        except self.stale_errors:
            if not kept:
                raise
        return self._mget(connection, keys)

    def _mget(self, connection: Any, keys: list[str]) -> list[Any]:
        try:
            connection.send_command("MGET", *keys)
            self.await_reply(connection)
            reply: list[Any] = connection.read_response()
            return reply
        except BaseException:
            connection.disconnect()
            raise

    def await_reply(self, connection: Any) -> bool:
        """Poll ``connection`` for its reply, without sleeping, for up to
        ``DENYLIST_CACHE_SPIN_MICROSECONDS``. ``True`` when the reply (or the end of the
        connection) is there to read; ``False`` when the caller should block as usual."""
        budget = api_settings.DENYLIST_CACHE_SPIN_MICROSECONDS
        local = self._local
        rest = getattr(local, "rest", 0)
        if rest:
            local.rest = rest - 1
            return False
        sock = getattr(connection, "_sock", None)
        if not budget or sock is None or not _BUSY_POLL:
            return False
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        poll = poller.poll
        clock = time.perf_counter
        deadline = clock() + budget / 1e6
        while not poll(0):
            if clock() >= deadline:
                misses = getattr(local, "misses", 0) + 1
                if misses >= self.SPIN_MISSES:
                    local.rest, misses = self.SPIN_REST, 0
                local.misses = misses
                return False
        local.misses = 0
        return True


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

    def _redis(self) -> tuple[Any, Any, Any] | None:
        """For Django's ``RedisCache``: one kept client (of the primary, where writes go, so
        never behind a replica), the cache's ``make_key`` and its serializer's ``loads``.
        ``None`` for any other backend, which keeps the generic ``get_many`` path.

        Kept in ``api_settings.derived``, so it is dropped when ``CACHES`` (or
        ``DRF_PASETO``) changes. A client and its connection pool decide nothing: every
        fact is still read from Redis on every request.
        """
        from django.core.cache.backends.redis import RedisCache

        name = f"redis_client:{self.alias}"
        derived = api_settings.derived
        try:
            kept: tuple[Any, Any, Any] | None = derived[name]
            return kept
        except KeyError:
            pass
        cache = self.cache
        if type(cache) is RedisCache:
            client = cache._cache.get_client(write=True)
            kept = (
                RedisReader.for_client(client),
                cache.make_key,
                cache._cache._serializer.loads,  # type: ignore[attr-defined]
            )
        else:
            kept = None
        derived[name] = kept
        return kept

    def check(self, token: Token) -> Verdict:
        try:
            redis = self._redis()
        except Exception as err:  # an alias that is not configured, a backend that fails
            raise StoreUnavailable() from err
        if redis is not None:
            return self._check_redis(token, *redis)
        keys = [*token_keys(token), f"userobj:{token.subject}"]
        found = self._call("get_many", [KEY_PREFIX + key for key in keys])
        facts = {key[len(KEY_PREFIX) :]: value for key, value in found.items()}
        cutoff = facts.get(f"user:{token.subject}")
        if cutoff is not None:
            facts[f"user:{token.subject}"] = _cache_cutoff(cutoff)
        user = facts.get(f"userobj:{token.subject}")
        return Verdict(
            revoked=_revoked(token, facts),
            user=None if user == self._FORGOTTEN else user,
        )

    def _check_redis(self, token: Token, reader: Any, make_key: Any, loads: Any) -> Verdict:
        """``check()`` on Django's ``RedisCache``: one ``MGET`` of the same four keys that
        ``get_many`` reads, on the kept client; the same verdict."""
        subject = token.subject
        try:
            values = reader.mget(
                [
                    make_key(f"{KEY_PREFIX}jti:{token.jti}"),
                    make_key(f"{KEY_PREFIX}sid:{token.session_id}"),
                    make_key(f"{KEY_PREFIX}user:{subject}"),
                    make_key(f"{KEY_PREFIX}userobj:{subject}"),
                ]
            )
            jti, sid, cutoff, user = (None if value is None else loads(value) for value in values)
        except Exception as err:  # redis.ConnectionError, timeouts, a bad pickle ...
            raise StoreUnavailable() from err
        revoked = _decide(
            token,
            jti_found=jti is not None,
            sid_found=sid is not None,
            cutoff=_cache_cutoff(cutoff),
        )
        return Verdict(revoked=revoked, user=None if user == self._FORGOTTEN else user)

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
