"""The revocation stores: where login sessions and cutoffs are kept, read and written.

``DatabaseStore`` (the ``LoginSession`` and ``SubjectCutoff`` tables: the truth, always
written), and ``MirroredStore``'s two kinds, which put a copy in front of it for the request
path: ``RedisStore`` (redis-py, ``DENYLIST_REDIS_URL``, atomic merges) and ``CacheStore``
(any Django cache). A copy that is missing is read again from the database, so losing it
revokes nothing and resurrects nothing. A store that cannot be reached raises
``StoreUnavailable`` (503, fail closed). The rule that judges a token, and the operations
that write, are in ``drf_paseto.revocation``.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, replace
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
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Greatest
from django.utils.dateparse import parse_datetime

from drf_paseto import clock
from drf_paseto.exceptions import StoreUnavailable
from drf_paseto.settings import api_settings

if TYPE_CHECKING:
    from drf_paseto import tokens
    from drf_paseto.models import LoginSession

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
logger = logging.getLogger("drf_paseto")


@dataclass(frozen=True)
class SessionState:
    """What revocation needs of a session; its user is loaded by ``user_pk``."""

    subject: str
    auth_time: datetime
    user_pk: str | None
    refresh_jti: str
    generation: int
    revoked: bool
    expires_at: datetime


def db_datetime(value: Any) -> datetime:
    """A datetime column as a database driver returns it (an aware or naive UTC datetime, or
    text on SQLite) as an aware UTC datetime."""
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    if moment is None:
        raise ValueError("not a datetime")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


# --- the stores ----------------------------------------------------------------------------


class RevocationStore:
    """The interface of a store. Times are aware UTC datetimes; a store that cannot reach its
    service raises ``StoreUnavailable``."""

    def read(self, session_id: str, subject: str) -> tuple[SessionState | None, datetime | None]:
        """The session (``None`` if unknown) and its subject's cutoff (``None`` if none)."""
        raise NotImplementedError

    def read_token(self, token: tokens.Token) -> tuple[SessionState | None, datetime | None]:
        """What ``check()`` asks: ``read()`` of the token's session. A store that asks
        another service about the token itself (``drf_paseto.introspection``) overrides it."""
        return self.read(token.session_id, token.subject)

    def open_session(self, session: LoginSession) -> None:
        raise NotImplementedError

    def refresh_session(
        self,
        state: SessionState,
        session_id: str,
        *,
        used_at: datetime,
        expires_at: datetime,
        rotate_to: str | None = None,
    ) -> bool:
        """Note a refresh of a session that is not revoked; with ``rotate_to``, make it the
        current refresh token, atomically. ``False`` when the session was revoked meanwhile,
        or its current refresh token is no longer ``state.refresh_jti``."""
        raise NotImplementedError

    def revoke_session(self, session_id: str, subject: str, *, at: datetime, reason: str) -> None:
        raise NotImplementedError

    def live_sessions(self, subject: str) -> list[LoginSession]:
        """The subject's sessions whose tokens are still accepted, newest first."""
        raise NotImplementedError

    def revoke_subject(self, subject: str, *, cutoff: datetime, reason: str) -> datetime:
        """Revoke every session of ``subject`` authenticated at or before ``cutoff``. The
        cutoff only moves forward, whatever order two revocations land in: returns the
        subject's cutoff now in force."""
        raise NotImplementedError


class DatabaseStore(RevocationStore):
    """The ``LoginSession`` and ``SubjectCutoff`` tables, read and written on the database
    that ``db_for_write`` names: never a replica."""

    #: How long a statement may wait on a locked database (SQLite) before answering 503.
    lock_retry_seconds = 5.0

    def _retry(self, operation: Any) -> Any:
        """Run a database operation; a locked database (SQLite) is tried again for up to
        ``lock_retry_seconds``, any other failure is ``StoreUnavailable`` (503), logged."""
        deadline = time.monotonic() + self.lock_retry_seconds
        delay = 0.005
        while True:
            try:
                return operation()
            except IntegrityError:
                raise
            except DatabaseError as err:
                locked = isinstance(err, OperationalError) and "locked" in str(err).lower()
                if not locked or time.monotonic() > deadline:
                    log_store_failure(err)
                    raise StoreUnavailable() from err
                time.sleep(delay)
                delay = min(delay * 2, 0.1)

    @staticmethod
    def _alias() -> str:
        from drf_paseto.models import LoginSession

        return router.db_for_write(LoginSession)

    def read(self, session_id: str, subject: str) -> tuple[SessionState | None, datetime | None]:
        row = self._retry(lambda: self.select_session(session_id))
        if row is None:
            return None, None
        subject, auth_time, user_pk, refresh_jti, generation, revoked_at, expires, cutoff = row
        state = SessionState(
            subject=subject,
            auth_time=db_datetime(auth_time),
            user_pk=None if user_pk is None else str(user_pk),
            refresh_jti=refresh_jti,
            generation=generation,
            revoked=revoked_at is not None,
            expires_at=db_datetime(expires),
        )
        return state, None if cutoff is None else db_datetime(cutoff)

    def select_session(self, session_id: str) -> tuple[Any, ...] | None:
        """One row: the session's columns and its subject's cutoff, in one statement on the
        package's own two tables (plain SQL: the ORM takes several times longer to build
        this query than the database takes to answer it; docs/performance.md)."""
        from drf_paseto.models import LoginSession, SubjectCutoff

        alias = self._alias()
        # Our own tables' names in the text; the id is a parameter.
        sessions, cutoffs = LoginSession._meta.db_table, SubjectCutoff._meta.db_table
        sql = (
            "SELECT s.subject, s.auth_time, s.user_id, s.refresh_jti, s.generation, "  # noqa: S608
            "s.revoked_at, s.expires_at, c.cutoff "
            f"FROM {sessions} s LEFT JOIN {cutoffs} c ON c.subject = s.subject "
            "WHERE s.id = %s"
        )
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, [session_id])
            row: tuple[Any, ...] | None = cursor.fetchone()
        return row

    def open_session(self, session: LoginSession) -> None:
        self._retry(lambda: session.save(using=self._alias(), force_insert=True))

    def refresh_session(
        self,
        state: SessionState,
        session_id: str,
        *,
        used_at: datetime,
        expires_at: datetime,
        rotate_to: str | None = None,
    ) -> bool:
        from drf_paseto.models import LoginSession

        rows = LoginSession.objects.using(self._alias()).filter(pk=session_id)
        changes: dict[str, Any] = {
            "last_used_at": used_at,
            "expires_at": Greatest(F("expires_at"), expires_at),
        }
        rows = rows.filter(revoked_at__isnull=True)
        if rotate_to is not None:
            rows = rows.filter(refresh_jti=state.refresh_jti)
            changes.update(refresh_jti=rotate_to, generation=F("generation") + 1)
        updated: int = self._retry(lambda: rows.update(**changes))
        return updated == 1

    def revoke_session(self, session_id: str, subject: str, *, at: datetime, reason: str) -> None:
        from drf_paseto.models import LoginSession

        rows = LoginSession.objects.using(self._alias()).filter(
            pk=session_id, revoked_at__isnull=True
        )
        self._retry(lambda: rows.update(revoked_at=at, revoked_reason=reason))

    def live_sessions(self, subject: str) -> list[LoginSession]:
        from drf_paseto.models import LoginSession, SubjectCutoff

        alias = self._alias()

        def fetch() -> list[LoginSession]:
            cutoffs = SubjectCutoff.objects.using(alias).filter(subject=OuterRef("subject"))
            query = (
                LoginSession.objects.using(alias)
                .annotate(cutoff=Subquery(cutoffs.values("cutoff")[:1]))
                .filter(
                    subject=subject, revoked_at__isnull=True, expires_at__gt=clock.current_time()
                )
                .filter(Q(cutoff__isnull=True) | Q(auth_time__gt=F("cutoff")))
                .order_by("-created_at", "-pk")
            )
            return list(query)

        sessions: list[LoginSession] = self._retry(fetch)
        return sessions

    def revoke_subject(self, subject: str, *, cutoff: datetime, reason: str) -> datetime:
        from drf_paseto.models import LoginSession, SubjectCutoff

        alias = self._alias()

        def write() -> datetime:
            with transaction.atomic(using=alias):
                cutoffs = SubjectCutoff.objects.using(alias)
                moved = cutoffs.filter(subject=subject, cutoff__lt=cutoff).update(
                    cutoff=cutoff, reason=reason
                )
                if not moved and not cutoffs.filter(subject=subject).exists():
                    cutoffs.create(subject=subject, cutoff=cutoff, reason=reason)
                LoginSession.objects.using(alias).filter(
                    subject=subject, revoked_at__isnull=True, auth_time__lte=cutoff
                ).update(revoked_at=cutoff, revoked_reason=reason)
                in_force: datetime = cutoffs.get(subject=subject).cutoff
                return in_force

        try:
            in_force: datetime = self._retry(write)
        except IntegrityError:  # a concurrent first revocation created the row: move it
            in_force = self._retry(write)
        return in_force

    def flush(self, at: datetime | None = None) -> int:
        """Delete the sessions whose tokens have all expired, and the cutoffs that match no
        session any more. Returns how many rows went.

        A cutoff is kept for the longest token lifetime at least, whatever it matches: a
        login that took its ``auth_time`` before the cutoff may record its session after.
        """
        from drf_paseto.models import LoginSession, SubjectCutoff

        moment = at or clock.current_time()
        alias = self._alias()
        sessions = LoginSession.objects.using(alias)
        deleted: int = sessions.filter(expires_at__lt=moment).delete()[0]
        matched = sessions.filter(subject=OuterRef("subject"), auth_time__lte=OuterRef("cutoff"))
        orphans = SubjectCutoff.objects.using(alias).filter(
            ~Exists(matched), cutoff__lt=moment - clock.longest_lifetime()
        )
        deleted += orphans.delete()[0]
        return deleted


# --- the copies in front of the database -----------------------------------------------------


def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def _moment(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def encode_state(state: SessionState) -> str:
    """A session as its copy keeps it: ``L|generation|auth_time|expires|refresh_jti|user_pk``
    for a live session (the user's key last: it may hold any character), ``R`` for a revoked
    one (nothing else about it matters then)."""
    if state.revoked:
        return "R"
    fields = (
        state.generation,
        _micros(state.auth_time),
        _micros(state.expires_at),
        state.refresh_jti,
        state.user_pk or "",
    )
    return "L|" + "|".join(str(field) for field in fields)


def decode_state(value: str, subject: str) -> SessionState:
    """The state ``encode_state`` wrote; ``ValueError`` for anything else."""
    if value == "R":
        return SessionState(subject, EPOCH, None, "", 0, True, EPOCH)
    live, generation, auth_time, expires, refresh_jti, user_pk = value.split("|", 5)
    if live != "L":
        raise ValueError("not a session copy")
    return SessionState(
        subject=subject,
        auth_time=_moment(int(auth_time)),
        user_pk=user_pk or None,
        refresh_jti=refresh_jti,
        generation=int(generation),
        revoked=False,
        expires_at=_moment(int(expires)),
    )


NO_CUTOFF = 0


class MirroredStore(DatabaseStore):
    """The database store with a copy of each session and cutoff in a faster service.

    Reads ask the copy first; a missing (or unreadable) copy is read from the database and
    written back. A write drops the copy, writes the database, then writes the copy again:
    a merge where the service can make one (a revoked state wins over a live one, a later
    refresh generation over an earlier one, a later cutoff over an earlier one, whatever
    order writes and refills land in), else a plain drop. Once the database is written, a
    copy that cannot be written is dropped, or logged when that fails too; and no copy
    lives longer than ``copy_seconds``, so even then a stale copy heals by itself.
    """

    #: The longest a copy is kept (a bound on any copy left stale by a failure).
    copy_seconds = 300

    def session_key(self, session_id: str, subject: str) -> str:
        # The braces are a Redis Cluster hash tag: a session and its subject's cutoff live in
        # one slot, so a check stays one round trip on a cluster too.
        return f"{self.prefix()}:{{{subject}}}:s:{session_id}"

    def cutoff_key(self, subject: str) -> str:
        return f"{self.prefix()}:{{{subject}}}:c"

    def prefix(self) -> str:
        return "drf_paseto"

    # --- what a concrete copy implements: all raise StoreUnavailable on failure ---

    def get_copies(self, keys: list[str]) -> list[str | None]:
        raise NotImplementedError

    def merge_copies(self, items: list[tuple[str, str, int]]) -> None:
        """Merge ``(key, value, seconds to keep)`` items into the copy after a write."""
        raise NotImplementedError

    def refill_copies(self, items: list[tuple[str, str, int]]) -> None:
        """Write back what was just read from the database (a merge, where the copy can)."""
        self.merge_copies(items)

    def drop_copies(self, keys: list[str]) -> None:
        raise NotImplementedError

    # --- the store --------------------------------------------------------------------

    def read_copy(
        self, session_id: str, subject: str
    ) -> tuple[SessionState, datetime | None] | None:
        """The session and cutoff from the copy, one round trip; ``None`` when either is
        missing there (which says nothing about revocation: ask the truth)."""
        keys = [self.session_key(session_id, subject), self.cutoff_key(subject)]
        session_value, cutoff_value = self.get_copies(keys)
        if session_value is None or cutoff_value is None:
            return None
        try:
            micros = int(cutoff_value)
            cutoff = None if micros == NO_CUTOFF else _moment(micros)
            return decode_state(session_value, subject), cutoff
        except (ValueError, OverflowError):  # not a copy of ours: ask the truth
            return None

    def read(self, session_id: str, subject: str) -> tuple[SessionState | None, datetime | None]:
        copied = self.read_copy(session_id, subject)
        if copied is not None:
            return copied
        keys = [self.session_key(session_id, subject), self.cutoff_key(subject)]
        state, cutoff = super().read(session_id, subject)
        if state is not None and state.subject == subject:
            # The database answered: a refill that fails is tried again at the next read.
            with contextlib.suppress(StoreUnavailable):
                self.refill_copies(
                    [
                        (keys[0], encode_state(state), self._keep(state.expires_at)),
                        self._cutoff_item(subject, cutoff),
                    ]
                )
        return state, cutoff

    def _cutoff_item(self, subject: str, cutoff: datetime | None) -> tuple[str, str, int]:
        value = NO_CUTOFF if cutoff is None else _micros(cutoff)
        return self.cutoff_key(subject), str(value), self.copy_seconds

    def _keep(self, moment: datetime) -> int:
        """Seconds to keep a copy: until ``moment``, ``copy_seconds`` at most."""
        return max(
            1, min(self.copy_seconds, int((moment - clock.current_time()).total_seconds()) + 1)
        )

    def _written(self, items: list[tuple[str, str, int]]) -> None:
        """The database is written: bring the copy in line, never failing the request."""
        try:
            self.merge_copies(items)
            return
        except StoreUnavailable:
            pass
        try:
            self.drop_copies([key for key, _, _ in items])
        except StoreUnavailable:
            logger.error(
                "drf_paseto: a session's copy could not be updated after a write; it heals "
                "within %d seconds",
                self.copy_seconds,
            )

    def refresh_session(
        self,
        state: SessionState,
        session_id: str,
        *,
        used_at: datetime,
        expires_at: datetime,
        rotate_to: str | None = None,
    ) -> bool:
        if rotate_to is None:  # nothing the copy keeps changes but the expiry
            return super().refresh_session(
                state, session_id, used_at=used_at, expires_at=expires_at
            )
        key = self.session_key(session_id, state.subject)
        self.drop_copies([key])
        if not super().refresh_session(
            state, session_id, used_at=used_at, expires_at=expires_at, rotate_to=rotate_to
        ):
            return False
        rotated = replace(
            state,
            refresh_jti=rotate_to,
            generation=state.generation + 1,
            expires_at=max(state.expires_at, expires_at),
        )
        self._written([(key, encode_state(rotated), self._keep(rotated.expires_at))])
        return True

    def revoke_session(self, session_id: str, subject: str, *, at: datetime, reason: str) -> None:
        key = self.session_key(session_id, subject)
        self.drop_copies([key])
        super().revoke_session(session_id, subject, at=at, reason=reason)
        self._written([(key, "R", self.copy_seconds)])

    def revoke_subject(self, subject: str, *, cutoff: datetime, reason: str) -> datetime:
        self.drop_copies([self.cutoff_key(subject)])
        in_force = super().revoke_subject(subject, cutoff=cutoff, reason=reason)
        self._written([self._cutoff_item(subject, in_force)])
        return in_force


# One round trip merges a session and a cutoff: the later state wins, whatever the order.
MERGE_SCRIPT = """
local function rank(value)
  if value == "R" then return math.huge end
  local generation = string.match(value, "^L|(%d+)|")
  if generation then return tonumber(generation) end
  return tonumber(value) or -1  -- anything unreadable loses to any state of ours
end
for i, key in ipairs(KEYS) do
  local value = ARGV[2 * i - 1]
  local old = redis.call("GET", key)
  if not old or rank(value) > rank(old) then
    redis.call("SET", key, value, "EX", ARGV[2 * i])
  end
end
return 1
"""


class RedisStore(MirroredStore):
    """The copy in Redis, through redis-py (``DENYLIST_REDIS_URL``): one ``MGET`` a check,
    one script a merge. The client and its connection pool are kept per settings."""

    def prefix(self) -> str:
        return str(api_settings.DENYLIST_REDIS_KEY_PREFIX)

    def client(self) -> Any:
        kept = api_settings.derived.get("redis_client")
        if kept is None:
            client = self._call(self.build_client)  # a cluster client connects at once
            kept = (client, client.register_script(MERGE_SCRIPT))
            api_settings.derived["redis_client"] = kept
        return kept

    @staticmethod
    def build_client() -> Any:
        """redis-py's client for ``DENYLIST_REDIS_MODE``: ``"single"`` (``Redis``),
        ``"cluster"`` (``RedisCluster``: ``DENYLIST_REDIS_URL`` is one node's URL, or a list
        of them), ``"sentinel"`` (the master ``DENYLIST_REDIS_SENTINEL_MASTER`` names, found
        through the sentinels ``DENYLIST_REDIS_URL`` lists). A check's two keys share one
        hash slot, so it stays one ``MGET`` on a cluster too."""
        import redis
        from redis.cluster import ClusterNode, RedisCluster
        from redis.sentinel import Sentinel

        mode = api_settings.DENYLIST_REDIS_MODE
        setting = api_settings.DENYLIST_REDIS_URL
        urls = [setting] if isinstance(setting, str) else list(setting)
        if mode == "single":
            return redis.Redis.from_url(urls[0], decode_responses=True)
        # Credentials, database and TLS are the first URL's, for every node.
        options = redis.connection.parse_url(urls[0])  # type: ignore[no-untyped-call]
        options.pop("host", None)
        options.pop("port", None)
        if options.pop("connection_class", None) is redis.SSLConnection:  # rediss://
            options["ssl"] = True
        nodes = [_host_port(url) for url in urls]
        if mode == "cluster":
            options.pop("db", None)  # a cluster has database 0 only
            startup = [ClusterNode(host, port) for host, port in nodes]  # type: ignore[no-untyped-call]
            return RedisCluster(startup_nodes=startup, decode_responses=True, **options)
        sentinel = Sentinel(nodes, decode_responses=True, **options)  # type: ignore[no-untyped-call]
        return sentinel.master_for(api_settings.DENYLIST_REDIS_SENTINEL_MASTER)  # type: ignore[no-untyped-call]

    def _call(self, operation: Any) -> Any:
        import redis
        from redis.exceptions import RedisClusterException

        try:
            return operation()
        except (redis.RedisError, RedisClusterException, OSError) as err:
            log_store_failure(err)
            raise StoreUnavailable() from err

    def get_copies(self, keys: list[str]) -> list[str | None]:
        client, _ = self.client()
        values: list[str | None] = self._call(lambda: client.mget(keys))
        return values

    def merge_copies(self, items: list[tuple[str, str, int]]) -> None:
        _, merge = self.client()
        keys = [key for key, _, _ in items]
        args = [part for _, value, seconds in items for part in (value, seconds)]
        self._call(lambda: merge(keys=keys, args=args))

    def drop_copies(self, keys: list[str]) -> None:
        client, _ = self.client()
        self._call(lambda: client.delete(*keys))


def _host_port(url: str) -> tuple[str, int]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 6379


class CacheStore(MirroredStore):
    """The copy in a Django cache (``CACHE_ALIAS``), through its public API.

    Django's cache API has no atomic merge, so a write only drops the copy, and a refill is
    an ``add`` (it never overwrites a newer copy). One race remains: a read of the database
    just before a write commits, refilled just after the write dropped the copy, leaves the
    state before the write in the copy; ``copy_seconds`` (30) bounds how long.
    ``RedisStore`` merges atomically and keeps copies longer.
    """

    copy_seconds = 30

    def __init__(self, alias: str | None = None) -> None:
        self.alias = alias

    def prefix(self) -> str:
        return "drf_paseto"

    @property
    def cache(self) -> Any:
        return caches[self.alias or api_settings.CACHE_ALIAS]

    def _call(self, method: str, *args: Any) -> Any:
        try:
            return getattr(self.cache, method)(*args)
        except Exception as err:  # redis.ConnectionError, pymemcache errors, timeouts ...
            log_store_failure(err)
            raise StoreUnavailable() from err

    def get_copies(self, keys: list[str]) -> list[str | None]:
        found = self._call("get_many", keys)
        return [found.get(key) for key in keys]

    def merge_copies(self, items: list[tuple[str, str, int]]) -> None:
        self.drop_copies([key for key, _, _ in items])

    def refill_copies(self, items: list[tuple[str, str, int]]) -> None:
        # ``add``: a refill never overwrites a write that landed since the database was read.
        for key, value, seconds in items:
            self._call("add", key, value, seconds)

    def drop_copies(self, keys: list[str]) -> None:
        self._call("delete_many", keys)


def log_store_failure(err: Exception) -> None:
    """Say why the store failed, in words an operator can act on (never a query's values)."""
    text = str(err).lower()
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        logger.error(
            "drf_paseto: the session tables are missing: run `manage.py migrate drf_paseto`"
        )
    else:
        logger.error("drf_paseto: the revocation store failed: %s", type(err).__name__)


STORES: dict[str, type[RevocationStore]] = {
    "database": DatabaseStore,
    "redis": RedisStore,
    "cache": CacheStore,
}
