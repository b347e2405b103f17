"""The durable records revocation is decided by (``DENYLIST_ENABLED``; docs/revocation.md).

* ``LoginSession``: one row per login. Its id is the ``sid`` every token of the login carries;
  a token whose session is unknown, revoked, or authenticated before its subject's cutoff is
  refused. With ``ROTATE_REFRESH_TOKENS`` it also names the one refresh token of the session
  that may still be used (``refresh_jti``): any other is spent, and presenting it is a reuse.
* ``SubjectCutoff``: "log out everywhere" and password changes: every session of the subject
  authenticated at or before ``cutoff`` is refused, including logins that were checking their
  credentials while the cutoff was written.

Rows are kept until every token they can match has expired (``expires_at``); ``manage.py
paseto_flush`` deletes the older ones. The Redis and cache stores keep a copy of these rows
for the request path: the database is the truth they fall back to.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "LoginSession",
    "SubjectCutoff",
]


class LoginSession(models.Model):
    class Reason(models.TextChoices):
        LOGOUT = "logout", _("logout")
        LOGOUT_ALL = "logout_all", _("logout everywhere")
        LOGOUT_OTHERS = "logout_others", _("logout from the other sessions")
        PASSWORD_CHANGE = "password_change", _("password change")
        REUSE = "reuse", _("refresh token reuse")
        ADMIN = "admin", _("ended by an administrator")
        USER_DELETED = "user_deleted", _("user deleted")
        USER_ID_CHANGED = "user_id_changed", _("user identifier changed")

    id = models.CharField(_("id"), max_length=64, primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="paseto_sessions",
    )
    subject = models.CharField(_("subject"), max_length=255, db_index=True)
    auth_time = models.DateTimeField(_("authenticated at"))
    created_at = models.DateTimeField(_("created at"))
    last_used_at = models.DateTimeField(_("last used at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    refresh_jti = models.CharField(_("current refresh token"), max_length=64, blank=True)
    generation = models.PositiveIntegerField(_("refresh generation"), default=0)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(
        _("revoked because"), max_length=32, choices=Reason.choices, blank=True
    )

    class Meta:
        verbose_name = _("login session")
        verbose_name_plural = _("login sessions")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.id

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class SubjectCutoff(models.Model):
    subject = models.CharField(_("subject"), max_length=255, primary_key=True)
    cutoff = models.DateTimeField(_("revokes sessions authenticated up to"))
    reason = models.CharField(_("reason"), max_length=32, choices=LoginSession.Reason.choices)

    class Meta:
        verbose_name = _("subject cutoff")
        verbose_name_plural = _("subject cutoffs")

    def __str__(self) -> str:
        return self.subject
