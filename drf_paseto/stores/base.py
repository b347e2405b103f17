"""What every revocation store shares: the interface and the session state it reads.

A store keeps login sessions and cutoffs, and raises ``StoreUnavailable`` (503, fail closed)
when it cannot reach its service. The rule that judges a token, and the operations that
write, are in ``drf_paseto.revocation``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from django.utils.dateparse import parse_datetime

if TYPE_CHECKING:
    from drf_paseto import tokens
    from drf_paseto.models import LoginSession

__all__ = [
    "RevocationStore",
    "SessionState",
]


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_logger = logging.getLogger("drf_paseto")


@dataclass(frozen=True)
class SessionState:
    """What revocation needs of a session, and its user when the store read the user row in
    the same query (the database store does; a copy in Redis or a cache holds no user, and
    the authenticator then loads it by ``user_pk``)."""

    subject: str
    auth_time: datetime
    user_pk: str | None
    refresh_jti: str
    generation: int
    revoked: bool
    expires_at: datetime
    user: Any = field(default=None, compare=False, repr=False)


def _db_datetime(value: Any) -> datetime:
    """A datetime column as a database driver returns it (an aware or naive UTC datetime, or
    text on SQLite) as an aware UTC datetime."""
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    if moment is None:
        raise ValueError("not a datetime")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _log_store_failure(err: Exception) -> None:
    """Say why the store failed, in words an operator can act on (never a query's values)."""
    text = str(err).lower()
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        _logger.error(
            "drf_paseto: the session tables are missing: run `manage.py migrate drf_paseto`"
        )
    else:
        _logger.error("drf_paseto: the revocation store failed: %s", type(err).__name__)


class RevocationStore:
    """The interface of a store. Times are aware UTC datetimes; a store that cannot reach its
    service raises ``StoreUnavailable``."""

    def read(self, session_id: str, subject: str) -> tuple[SessionState | None, datetime | None]:
        """The session (``None`` if unknown) and its subject's cutoff (``None`` if none)."""
        raise NotImplementedError

    def read_token(self, token: tokens.Token) -> tuple[SessionState | None, datetime | None]:
        """What ``check()`` asks: ``read()`` of the token's session. A store that asks
        another service about the token itself (``drf_paseto.stores.verify_only``)
        overrides it."""
        return self.read(token.session_id, token.subject)

    async def aread_token(self, token: tokens.Token) -> tuple[SessionState | None, datetime | None]:
        """``read_token()`` for async callers (``revocation.acheck()``). Here one
        ``sync_to_async`` call around it: Django's async ORM and cache API are thread hops
        too, one per call (docs/async.md). ``RedisStore`` reads its copy on the loop."""
        from asgiref.sync import sync_to_async

        return await sync_to_async(self.read_token)(token)

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

    def sessions_over_cap(self, subject: str) -> list[str]:
        """The ids of the subject's oldest live sessions beyond ``MAX_SESSIONS_PER_USER``
        (none when it is ``None``), oldest first: a login ends them."""
        raise NotImplementedError

    def sessions_ended_at(self, subject: str, at: datetime) -> Iterator[str]:
        """The ids of the subject's sessions that the revocation at ``at``
        (``revoke_subject(cutoff=at)``) ended, read a chunk at a time: a user with many
        sessions is never loaded at once."""
        raise NotImplementedError

    def revoke_subject(self, subject: str, *, cutoff: datetime, reason: str) -> datetime:
        """Revoke every session of ``subject`` authenticated at or before ``cutoff``. The
        cutoff only moves forward, whatever order two revocations land in: returns the
        subject's cutoff now in force."""
        raise NotImplementedError
