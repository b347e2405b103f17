"""Revocation: the rule that judges a token by its login session, and the operations that
logins, refreshes, logouts and password changes perform.

The model (docs/revocation.md): every login opens a session (a ``LoginSession`` row) whose id
is the ``sid`` claim of all its tokens, and whose ``auth_time`` was taken before the
credentials were checked. A token checked for revocation is accepted only while its session
exists, belongs to its subject, is not revoked, and was authenticated after its subject's
cutoff (logout everywhere, password change); with ``ROTATE_REFRESH_TOKENS`` a refresh token
must also be the session's current one, and presenting a spent one revokes the session.
Tokens are judged by when their session was authenticated, never by when they were minted:
a refresh or a login racing a revocation mints tokens that are refused all the same.

Where sessions are kept is ``drf_paseto.stores``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils.module_loading import import_string

from drf_paseto import clock, signals, tokens
from drf_paseto.exceptions import StoreUnavailable, TokenError
from drf_paseto.settings import api_settings
from drf_paseto.stores import STORES, RevocationStore, SessionState
from drf_paseto.utils import _client_ip

if TYPE_CHECKING:
    from django.http import HttpRequest


_MAX_USER_AGENT_LENGTH = 255
_logger = logging.getLogger("drf_paseto")


def _kept_until(*issued: tokens.Token) -> datetime:
    """When a session that issued these tokens may be forgotten: once decoding refuses the
    last of them (``exp`` plus ``DECODE_LEEWAY``)."""
    return max(token.expires_at for token in issued) + clock._leeway()


def decide(token: tokens.Token, state: SessionState | None, cutoff: datetime | None) -> None:
    """The revocation rule, in one place. Raises ``TokenError`` ``token_revoked`` or
    ``token_reused``."""
    if state is None or state.subject != token.subject or state.user_pk is None:
        # An unknown session, another subject's, or its user deleted.
        raise TokenError("token_revoked")
    if state.revoked or (cutoff is not None and state.auth_time <= cutoff):
        raise TokenError("token_revoked")
    if token.type == "refresh" and token.jti != state.refresh_jti:
        raise TokenError("token_reused")  # spent by a rotation: its holder is not the session's


def get_store() -> RevocationStore:
    """The configured store, built once per settings change."""
    if not apps.is_installed("drf_paseto"):
        _logger.error(
            'drf_paseto: DENYLIST_ENABLED needs "drf_paseto" in INSTALLED_APPS (its session '
            "tables and receivers); answering 503"
        )
        raise StoreUnavailable()
    store: RevocationStore | None = api_settings.derived.get("revocation_store")
    if store is None:
        name = api_settings.DENYLIST_STORE
        store_class = import_string(STORES.get(name, name))
        store = api_settings.derived["revocation_store"] = store_class()
    return store


def _is_checked(token: tokens.Token) -> bool:
    """Whether requests check this token's revocation (``DENYLIST_TOKEN_CHECKS``)."""
    return bool(api_settings.DENYLIST_ENABLED) and token.type in api_settings.DENYLIST_TOKEN_CHECKS


# --- operations: what logins, refreshes, logouts and password changes do ----------------------


def check(token: tokens.Token, *, user: Any = None, request: Any = None) -> SessionState:
    """Judge ``token`` by its session. A spent refresh token revokes its session (reuse).
    Raises ``TokenError`` (``token_revoked``, ``token_reused``) or ``StoreUnavailable``."""
    store = get_store()
    state, cutoff = store.read_token(token)
    try:
        decide(token, state, cutoff)
    except TokenError as err:
        if err.code == "token_reused":
            assert state is not None
            _report_reuse(token, user=user or _user_of(state), request=request)
        raise
    assert state is not None
    return state


async def acheck(token: tokens.Token, *, user: Any = None, request: Any = None) -> SessionState:
    """``check()`` for async callers: the same rule (``decide()``), only the read differs
    (``RevocationStore.aread_token``). Reporting a reuse writes: one ``sync_to_async``."""
    from asgiref.sync import sync_to_async

    state, cutoff = await get_store().aread_token(token)
    try:
        decide(token, state, cutoff)
    except TokenError as err:
        if err.code == "token_reused":
            await sync_to_async(check)(token, user=user, request=request)
        raise
    assert state is not None
    return state


def _user_of(state: SessionState) -> Any:
    """The user of a session, for audit signals."""
    if state.user is not None or state.user_pk is None:
        return state.user
    from django.contrib.auth import get_user_model

    return get_user_model()._default_manager.filter(pk=state.user_pk).first()


def _report_reuse(token: tokens.Token, *, user: Any = None, request: Any = None) -> None:
    """A spent refresh token came back: end its session, and say so."""
    revoke_session(token.session_id, token.subject, reason="reuse", user=user, request=request)
    signals.token_reuse_detected.send(
        sender=RevocationStore, user=user, session_id=token.session_id, request=request
    )


def start_session(
    user: Any,
    *issued: tokens.Token,
    auth_time: datetime | None = None,
    request: HttpRequest | Any = None,
) -> None:
    """Start the login session of ``issued``, new tokens of ``user`` sharing one new session
    id (``for_user()`` without ``session_id``, and ``make_access_token()`` of the refresh
    token): with ``DENYLIST_ENABLED`` it is recorded, its refresh token (if any) the current
    one, and ``session_created`` is sent. ``login/`` and ``drf_paseto.testing`` start their
    sessions here; so does a view of yours that mints tokens for a login.

    ``auth_time`` is when the user was authenticated (default: when the tokens were issued):
    a login takes it before it checks the credentials, so that a revocation written while
    it checks them catches its session.
    """
    if not api_settings.DENYLIST_ENABLED:
        return
    from drf_paseto.models import LoginSession

    first = issued[0]
    refresh = [token for token in issued if token.type == "refresh"]
    moment = clock.current_time()
    session = LoginSession(
        id=first.session_id,
        user=user,
        subject=first.subject,
        auth_time=auth_time or min(token.issued_at for token in issued),
        created_at=moment,
        last_used_at=moment,
        expires_at=_kept_until(*issued),
        refresh_jti=refresh[0].jti if refresh else "",
        user_agent=_user_agent(request),
        ip=(_client_ip(request) or None) if request is not None else None,
    )
    store = get_store()
    store.open_session(session)
    signals.session_created.send(sender=LoginSession, session=session, request=request)
    for old in store.sessions_over_cap(session.subject):  # MAX_SESSIONS_PER_USER
        revoke_session(old, session.subject, reason="session_limit", user=user, request=request)


def _note_refresh(
    presented: tokens.RefreshToken,
    *issued: tokens.Token,
    user: Any = None,
    request: Any = None,
) -> None:
    """A refresh of ``presented``'s session minted ``issued``; a new refresh token among them
    replaces ``presented`` (rotation). A refresh token spent meanwhile is a reuse."""
    state = getattr(presented, "session", None)
    if state is None:  # refresh tokens are not checked per request (DENYLIST_TOKEN_CHECKS)
        state = check(presented, user=user, request=request)
    rotated = [token.jti for token in issued if token.type == "refresh"]
    done = get_store().refresh_session(
        state,
        presented.session_id,
        used_at=clock.current_time(),
        expires_at=_kept_until(*issued),
        rotate_to=rotated[0] if rotated else None,
    )
    if not done:  # the session changed since it was checked: revoked, or rotated meanwhile
        check(presented, user=user, request=request)
        raise TokenError("token_revoked")  # pragma: no cover - check() refused it already


def revoke_session(
    session_id: str,
    subject: str,
    *,
    reason: str,
    user: Any = None,
    request: Any = None,
    sender: Any = None,
) -> None:
    """Revoke every token of one login session (logout, reuse, an administrator)."""
    get_store().revoke_session(session_id, subject, at=clock.current_time(), reason=reason)
    sender = sender or RevocationStore
    signals.token_revoked.send(
        sender=sender,
        user=user,
        session_id=session_id,
        request=request,
        scope="session",
        reason=reason,
    )
    _session_revoked(sender, session_id, subject, reason=reason, user=user, request=request)


def revoke_user(
    subject: str, *, reason: str, user: Any = None, request: Any = None, sender: Any = None
) -> None:
    """Revoke every session of a user authenticated until now (logout everywhere, password
    change, a deleted user), logins still checking their credentials included. The sessions
    it ended are told one by one (``session_revoked``), read a chunk at a time: a user with
    many sessions is never loaded at once."""
    store = get_store()
    moment = clock.current_time()
    store.revoke_subject(subject, cutoff=moment, reason=reason)
    sender = sender or RevocationStore
    signals.token_revoked.send(
        sender=sender,
        user=user,
        session_id=None,
        request=request,
        scope="user",
        reason=reason,
    )
    for session_id in store.sessions_ended_at(subject, moment):
        _session_revoked(sender, session_id, subject, reason=reason, user=user, request=request)


def revoke_other_sessions(
    token: tokens.Token,
    *,
    reason: str,
    user: Any = None,
    request: Any = None,
    sender: Any = None,
) -> list[str]:
    """Revoke every live session of ``token``'s subject but ``token``'s own; their ids."""
    others = [
        session.id
        for session in get_store().live_sessions(token.subject)
        if session.id != token.session_id
    ]
    for session_id in others:
        revoke_session(
            session_id, token.subject, reason=reason, user=user, request=request, sender=sender
        )
    return others


def _session_revoked(
    sender: Any, session_id: str, subject: str, *, reason: str, user: Any, request: Any
) -> None:
    signals.session_revoked.send(
        sender=sender,
        session_id=session_id,
        subject=subject,
        reason=reason,
        user=user,
        request=request,
    )


def _user_agent(request: Any) -> str:
    meta = getattr(request, "META", None) or {}
    return str(meta.get("HTTP_USER_AGENT", ""))[:_MAX_USER_AGENT_LENGTH]


__all__ = [
    "acheck",
    "check",
    "decide",
    "get_store",
    "revoke_other_sessions",
    "revoke_session",
    "revoke_user",
    "start_session",
]
