"""The database store: the ``LoginSession`` and ``SubjectCutoff`` tables, the truth that every
store writes. A database that cannot be reached is ``StoreUnavailable`` (503, fail closed)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import (
    DatabaseError,
    IntegrityError,
    OperationalError,
    connections,
    router,
    transaction,
)
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Greatest

from drf_paseto import clock
from drf_paseto.exceptions import StoreUnavailable
from drf_paseto.settings import api_settings
from drf_paseto.stores.base import (
    RevocationStore,
    SessionState,
    _db_datetime,
    _log_store_failure,
)

if TYPE_CHECKING:
    from drf_paseto.models import LoginSession

__all__ = [
    "DatabaseStore",
]


# The session's columns (and its subject's cutoff) as they ride on the user row of
# ``select_session``: names no user model has.
_SESSION_COLUMNS = {
    name: f"drf_paseto_session_{name}"
    for name in (
        "subject",
        "auth_time",
        "user_id",
        "refresh_jti",
        "generation",
        "revoked_at",
        "expires_at",
        "cutoff",
    )
}


class DatabaseStore(RevocationStore):
    """The ``LoginSession`` and ``SubjectCutoff`` tables, read and written on the database
    that ``db_for_write`` names: never a replica."""

    #: How long a statement may wait on a locked database (SQLite) before answering 503.
    lock_retry_seconds = 5.0
    #: The most sessions one login ends for ``MAX_SESSIONS_PER_USER``.
    ENDED_PER_LOGIN = 100
    #: How many session ids ``sessions_ended_at`` reads at a time.
    ENDED_CHUNK = 1000

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
                    _log_store_failure(err)
                    raise StoreUnavailable() from err
                time.sleep(delay)
                delay = min(delay * 2, 0.1)

    @staticmethod
    def _alias() -> str:
        from drf_paseto.models import LoginSession

        return router.db_for_write(LoginSession)

    def read(self, session_id: str, subject: str) -> tuple[SessionState | None, datetime | None]:
        """The session, its subject's cutoff and its user, in one query: one round trip, as
        DRF's ``TokenAuthentication`` makes (``select_session``)."""
        row = self._retry(lambda: self.select_session(session_id))
        if row is None:
            return None, None
        found = {name: vars(row).pop(alias) for name, alias in _SESSION_COLUMNS.items()}
        user_pk = found["user_id"]
        state = SessionState(
            subject=found["subject"],
            auth_time=_db_datetime(found["auth_time"]),
            user_pk=None if user_pk is None else str(user_pk),
            refresh_jti=found["refresh_jti"],
            generation=int(found["generation"]),
            revoked=found["revoked_at"] is not None,
            expires_at=_db_datetime(found["expires_at"]),
            user=None if user_pk is None else row,
        )
        cutoff = found["cutoff"]
        return state, None if cutoff is None else _db_datetime(cutoff)

    def select_session(self, session_id: str) -> Any:
        """The session's user, through the ORM's raw-query API (``Manager.raw()``): the user
        model's row, mapped and converted by the ORM, carrying the session's columns and its
        subject's cutoff as extra attributes; ``None`` for an unknown session. The user is
        joined to the session by its primary key, on the database sessions are written to;
        its fields' columns are read from their tables (``_user_columns``): a multi-table
        child's inherited fields too, in the same query.

        A fixed statement, built once (``_session_sql``): the ORM maps its rows without
        building SQL for each request, which on PostgreSQL costs more than the round trip it
        saves (docs/performance.md). Only
        table and column names reach its text, from the models' ``_meta``; the session id is
        a parameter."""
        user_model = get_user_model()
        alias = self._alias()
        manager = user_model._default_manager.db_manager(alias)
        rows = manager.raw(self._session_sql(alias, user_model), [session_id])
        return next(iter(rows), None)

    @classmethod
    def _session_sql(cls, alias: str, user_model: Any) -> str:
        """``select_session``'s statement for the database ``alias``: built once, kept with
        the objects derived from settings (dropped when ``DRF_PASETO`` or ``AUTH_USER_MODEL``
        changes)."""
        key = f"session_sql:{alias}"
        sql: str | None = api_settings.derived.get(key)
        if sql is not None:
            return sql
        from drf_paseto.models import LoginSession, SubjectCutoff

        quote = connections[alias].ops.quote_name
        # Our own columns, as our migrations name them; the user model's from its _meta.
        picked = ", ".join(
            f"s.{quote(name)} AS {quote(extra)}"
            for name, extra in _SESSION_COLUMNS.items()
            if name != "cutoff"
        )
        users, joins = cls._user_columns(user_model, quote)
        sql = api_settings.derived[key] = (
            f"SELECT {users}, {picked}, "  # noqa: S608 - names only; the id is a parameter
            f"(SELECT c.cutoff FROM {quote(SubjectCutoff._meta.db_table)} c "
            f"WHERE c.subject = s.subject) AS {quote(_SESSION_COLUMNS['cutoff'])} "
            f"FROM {quote(LoginSession._meta.db_table)} s {joins} "
            "WHERE s.id = %s"
        )
        return sql

    @staticmethod
    def _user_columns(user_model: Any, quote: Any) -> tuple[str, str]:
        """The columns of the user model's fields, each from its own table, and the joins
        that reach those tables: the user's table to the session, then each table a
        multi-table child inherits fields from, by its parent link. Only the fields' columns:
        whatever else a table holds (a column a removed field left) is not the user's."""
        meta = user_model._meta.concrete_model._meta
        tables = {meta.concrete_model: "u"}
        joins = [f"LEFT JOIN {quote(meta.db_table)} u ON u.{quote(meta.pk.column)} = s.user_id"]
        for n, parent in enumerate(meta.get_parent_list(), start=1):  # nearest parents first
            link = meta.get_ancestor_link(parent)
            tables[parent] = name = f"u{n}"
            joins.append(
                f"LEFT JOIN {quote(parent._meta.db_table)} {name} "
                f"ON {name}.{quote(link.target_field.column)} = "
                f"{tables[link.model]}.{quote(link.column)}"
            )
        columns = ", ".join(f"{tables[f.model]}.{quote(f.column)}" for f in meta.concrete_fields)
        return columns, " ".join(joins)

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

    def _live(self, subject: str) -> QuerySet[LoginSession]:
        """The subject's sessions whose tokens are still accepted, newest first."""
        from drf_paseto.models import LoginSession, SubjectCutoff

        alias = self._alias()
        cutoffs = SubjectCutoff.objects.using(alias).filter(subject=OuterRef("subject"))
        return (
            LoginSession.objects.using(alias)
            .annotate(cutoff=Subquery(cutoffs.values("cutoff")[:1]))
            .filter(subject=subject, revoked_at__isnull=True, expires_at__gt=clock.current_time())
            .filter(Q(cutoff__isnull=True) | Q(auth_time__gt=F("cutoff")))
            .order_by("-created_at", "-pk")
        )

    def live_sessions(self, subject: str) -> list[LoginSession]:
        sessions: list[LoginSession] = self._retry(lambda: list(self._live(subject)))
        return sessions

    def sessions_over_cap(self, subject: str) -> list[str]:
        cap = api_settings.MAX_SESSIONS_PER_USER
        if cap is None:
            return []
        live = self._live(subject)

        def oldest() -> list[str]:
            over = live.count() - cap
            if over <= 0:
                return []
            # At most ``ENDED_PER_LOGIN`` a login: a lowered cap is reached over the next
            # logins, never by loading every session of a user at once.
            ids = live.reverse().values_list("pk", flat=True)[: min(over, self.ENDED_PER_LOGIN)]
            return [str(pk) for pk in ids]

        ended: list[str] = self._retry(oldest)
        return ended

    def sessions_ended_at(self, subject: str, at: datetime) -> Iterator[str]:
        from drf_paseto.models import LoginSession

        rows = LoginSession.objects.using(self._alias()).filter(subject=subject, revoked_at=at)
        ids = rows.order_by("pk").values_list("pk", flat=True)

        def after(last: str) -> list[str]:
            return [str(pk) for pk in ids.filter(pk__gt=last)[: self.ENDED_CHUNK]]

        chunk: list[str] = self._retry(partial(after, ""))
        while chunk:  # a chunk at a time, by key: never every row at once
            yield from chunk
            if len(chunk) < self.ENDED_CHUNK:
                return
            chunk = self._retry(partial(after, chunk[-1]))

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
            ~Exists(matched), cutoff__lt=moment - clock._longest_lifetime()
        )
        deleted += orphans.delete()[0]
        return deleted
