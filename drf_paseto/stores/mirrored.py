"""A copy of each session and cutoff in a faster service, in front of the database store.

``Copies`` is where the copy lives (Redis: ``drf_paseto.stores.redis``; a Django cache:
``drf_paseto.stores.cache``); ``MirroredStore`` is the database store that reads it first.
A copy that is missing is read again from the database, so losing it revokes nothing and
resurrects nothing.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import datetime, timedelta

from drf_paseto import clock
from drf_paseto.exceptions import StoreUnavailable
from drf_paseto.stores.base import _EPOCH, SessionState, _logger
from drf_paseto.stores.database import DatabaseStore

__all__ = [
    "Copies",
    "MirroredStore",
]


_NO_CUTOFF = 0
#: A copy: ``(key, value, seconds to keep)``.
_Item = tuple[str, str, int]


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _moment(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


def _encode_state(state: SessionState) -> str:
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


def _decode_state(value: str, subject: str) -> SessionState:
    """The state ``_encode_state`` wrote; ``ValueError`` for anything else."""
    if value == "R":
        return SessionState(subject, _EPOCH, None, "", 0, True, _EPOCH)
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


class Copies:
    """Where copies live: named keys, two read in one round trip. Every method raises
    ``StoreUnavailable`` when the service cannot be reached."""

    def prefix(self) -> str:
        return "drf_paseto"

    def session_key(self, session_id: str, subject: str) -> str:
        # The braces are a Redis Cluster hash tag: a session and its subject's cutoff live in
        # one slot, so a check stays one round trip on a cluster too.
        return f"{self.prefix()}:{{{subject}}}:s:{session_id}"

    def cutoff_key(self, subject: str) -> str:
        return f"{self.prefix()}:{{{subject}}}:c"

    def get(self, keys: list[str]) -> list[str | None]:
        raise NotImplementedError

    def merge(self, items: list[_Item]) -> None:
        """Merge items into the copy after a write: the later state wins, where the service
        can merge atomically; else the keys are dropped."""
        raise NotImplementedError

    def refill(self, items: list[_Item]) -> None:
        """Write back what was just read from the database (a merge, where the copy can)."""
        self.merge(items)

    def drop(self, keys: list[str]) -> None:
        raise NotImplementedError

    def read(self, session_id: str, subject: str) -> tuple[SessionState, datetime | None] | None:
        """The session and cutoff from the copy, one round trip; ``None`` when either is
        missing there (which says nothing about revocation: ask the truth)."""
        return self.decoded(subject, self.get(self.keys(session_id, subject)))

    def keys(self, session_id: str, subject: str) -> list[str]:
        """The two keys a check reads: the session's and its subject's cutoff."""
        return [self.session_key(session_id, subject), self.cutoff_key(subject)]

    def decoded(
        self, subject: str, values: list[str | None]
    ) -> tuple[SessionState, datetime | None] | None:
        """What ``read()`` answers for the values of ``keys()``, however they were read."""
        session_value, cutoff_value = values
        if session_value is None or cutoff_value is None:
            return None
        try:
            micros = int(cutoff_value)
            cutoff = None if micros == _NO_CUTOFF else _moment(micros)
            return _decode_state(session_value, subject), cutoff
        except (ValueError, OverflowError):  # not a copy of ours: ask the truth
            return None


class MirroredStore(DatabaseStore):
    """The database store with a copy of each session and cutoff in ``copies``.

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
    copies: Copies

    def read(self, session_id: str, subject: str) -> tuple[SessionState | None, datetime | None]:
        copied = self.copies.read(session_id, subject)
        if copied is not None:
            return copied
        return self.read_through(session_id, subject)

    def read_through(
        self, session_id: str, subject: str
    ) -> tuple[SessionState | None, datetime | None]:
        """A copy missed: the database's read, written back to the copy."""
        state, cutoff = super().read(session_id, subject)
        if state is not None and state.subject == subject:
            # The database answered: a refill that fails is tried again at the next read.
            with contextlib.suppress(StoreUnavailable):
                self.copies.refill(
                    [self._session_item(session_id, state), self._cutoff_item(subject, cutoff)]
                )
        return state, cutoff

    def _session_item(self, session_id: str, state: SessionState) -> _Item:
        key = self.copies.session_key(session_id, state.subject)
        return key, _encode_state(state), self._keep(state.expires_at)

    def _cutoff_item(self, subject: str, cutoff: datetime | None) -> _Item:
        value = _NO_CUTOFF if cutoff is None else _micros(cutoff)
        return self.copies.cutoff_key(subject), str(value), self.copy_seconds

    def _keep(self, moment: datetime) -> int:
        """Seconds to keep a copy: until ``moment``, ``copy_seconds`` at most."""
        return max(
            1, min(self.copy_seconds, int((moment - clock.current_time()).total_seconds()) + 1)
        )

    def _written(self, items: list[_Item]) -> None:
        """The database is written: bring the copy in line, never failing the request."""
        try:
            self.copies.merge(items)
            return
        except StoreUnavailable:
            pass
        try:
            self.copies.drop([key for key, _, _ in items])
        except StoreUnavailable:
            _logger.error(
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
        self.copies.drop([self.copies.session_key(session_id, state.subject)])
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
        self._written([self._session_item(session_id, rotated)])
        return True

    def revoke_session(self, session_id: str, subject: str, *, at: datetime, reason: str) -> None:
        key = self.copies.session_key(session_id, subject)
        self.copies.drop([key])
        super().revoke_session(session_id, subject, at=at, reason=reason)
        self._written([(key, "R", self.copy_seconds)])

    def revoke_subject(self, subject: str, *, cutoff: datetime, reason: str) -> datetime:
        self.copies.drop([self.copies.cutoff_key(subject)])
        in_force = super().revoke_subject(subject, cutoff=cutoff, reason=reason)
        self._written([self._cutoff_item(subject, in_force)])
        return in_force
