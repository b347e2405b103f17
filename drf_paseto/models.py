"""The database revocation store's table (used when ``DENYLIST_STORE`` is ``"database"``).

One row per revocation fact, keyed by a string that names it, never by a token string:

* ``jti:<jti>``    one token revoked;
* ``sid:<sid>``    every token of one login session (token family) revoked;
* ``user:<sub>``   every token of a user issued at or before ``cutoff`` revoked;
* ``spent:<jti>``  a refresh token used once already (rotation): using it again is a reuse.

Every row carries ``expires_at``, after which the tokens it speaks of have expired anyway;
``manage.py paseto_flush`` deletes those rows, so the table never grows without bound.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DenylistEntry(models.Model):
    class Kind(models.TextChoices):
        TOKEN = "jti", _("token")
        SESSION = "sid", _("session")
        USER = "user", _("all tokens of a user")
        SPENT = "spent", _("spent refresh token")

    key = models.CharField(_("key"), max_length=300, primary_key=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=255, blank=True, db_index=True)
    cutoff = models.DateTimeField(_("revokes tokens issued up to"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("denylist entry")
        verbose_name_plural = _("denylist entries")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.key
