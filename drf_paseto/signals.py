"""Signals for audit logs. Every one is sent with ``sender``, ``user`` (may be ``None`` when
unknown), ``session_id`` (``None`` for a whole user) and ``request`` (may be ``None``).

``sender`` is what acted: the serializer class for ``token_obtained``, ``token_refreshed``
and ``token_reuse_detected``; the view class for logouts; the user model for a password
change; ``RevocationStore`` for the session revocation that a reuse causes, and for
``drf_paseto.revocation`` functions called without a sender.

``token_obtained``   a login issued a new session's tokens;
``token_refreshed``  a refresh token minted a new access token (and, with rotation, a new
                     refresh token); ``rotated`` says which;
``token_revoked``    tokens were revoked; ``scope`` is ``"session"`` or ``"user"`` and
                     ``reason`` one of ``"logout"``, ``"logout_all"``, ``"password_change"``,
                     ``"user_id_changed"``, ``"user_deleted"``, ``"reuse"``, ``"admin"``,
                     ``"session_limit"`` (a login beyond ``MAX_SESSIONS_PER_USER``), or what
                     your own code passes;
``token_reuse_detected``  a spent refresh token was presented again: its session is revoked;
``session_created``  a login session was recorded (``DENYLIST_ENABLED``): sent with
                     ``session`` (the ``LoginSession``) and ``request``;
``session_revoked``  one login session was revoked: sent with ``session_id``, ``subject``,
                     ``reason``, ``user`` and ``request`` (once per session, also for each
                     session a logout everywhere or a password change ends).
"""

from django.dispatch import Signal

__all__ = [
    "session_created",
    "session_revoked",
    "token_obtained",
    "token_refreshed",
    "token_reuse_detected",
    "token_revoked",
]


token_obtained = Signal()
token_refreshed = Signal()
token_revoked = Signal()
token_reuse_detected = Signal()
session_created = Signal()
session_revoked = Signal()
