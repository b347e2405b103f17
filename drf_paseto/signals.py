"""Signals for audit logs. Every one is sent with ``sender`` (the view or class acting),
``user`` (may be ``None`` when unknown), ``session_id`` and ``request`` (may be ``None``).

``token_obtained``   a login issued a new session's tokens;
``token_refreshed``  a refresh token minted a new access token (and, with rotation, a new
                     refresh token); ``rotated`` says which;
``token_revoked``    tokens were revoked; ``scope`` is ``"token"``, ``"session"`` or ``"user"``
                     and ``reason`` one of ``"logout"``, ``"logout_all"``, ``"password_change"``,
                     ``"reuse"``, ``"api"``;
``token_reuse_detected``  a spent refresh token was presented again: its session is revoked.
"""

from django.dispatch import Signal

token_obtained = Signal()
token_refreshed = Signal()
token_revoked = Signal()
token_reuse_detected = Signal()
