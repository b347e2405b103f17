"""User model signal receivers, connected in ``AppConfig.ready()`` (``DENYLIST_ENABLED``).

* Any change of the stored password hash (``set_password()``, ``set_unusable_password()``,
  an admin form, a raw assignment) revokes every session of the user, when
  ``REVOKE_ON_PASSWORD_CHANGE`` is true. So does a change of the ``USER_ID_FIELD`` value
  (a username or an email), whose old value the next account to take it must not inherit.
  The revocation is written before the row (``pre_save``): if the store cannot be reached,
  the save fails and the old password stays, rather than a new password with the old
  sessions still valid. It is written again once the row is committed, past every login
  that could still have read the old password.
* Deleting a user revokes every session of the user.

The receivers are connected for the user model and for each proxy and multi-table child of
it, since Django names the instance's own class as the sender.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.db.models.signals import post_save, pre_delete, pre_save
from django.utils.crypto import constant_time_compare

from drf_paseto import clock, revocation
from drf_paseto.exceptions import StoreUnavailable
from drf_paseto.settings import api_settings
from drf_paseto.tokens import Token

__all__ = ["checking_password"]


_logger = logging.getLogger("drf_paseto")


def _stored(sender: Any, instance: Any, fields: list[str], using: str) -> dict[str, Any] | None:
    """The values of ``fields`` as the database holds them for ``instance`` (a fresh read)."""
    if instance._state.adding or instance.pk is None:
        return None
    rows = sender._base_manager.using(using).filter(pk=instance.pk)
    stored: dict[str, Any] | None = rows.values(*fields).first()
    return stored


def _watched(update_fields: Any) -> list[str]:
    """The fields whose change revokes, among those this save writes."""
    fields = []
    if api_settings.REVOKE_ON_PASSWORD_CHANGE:
        fields.append("password")
    id_field = api_settings.USER_ID_FIELD
    if id_field != "pk":
        fields.append(id_field)
    if update_fields is not None:
        fields = [name for name in fields if name in update_fields]
    return fields


def _revocation_reason(
    sender: Any, instance: Any, update_fields: Any, using: str
) -> tuple[str, str] | None:
    """``(old subject, reason)`` when saving ``instance`` must revoke its sessions."""
    fields = _watched(update_fields)
    if not fields:
        return None
    stored = _stored(sender, instance, fields, using)
    if stored is None:
        return None
    id_field = api_settings.USER_ID_FIELD
    if id_field in stored and stored[id_field] != getattr(instance, id_field):
        return str(stored[id_field]), "user_id_changed"
    if (
        "password" in stored
        and not constant_time_compare(stored["password"] or "", instance.password or "")
        and not _same_password(instance, stored["password"] or "")
    ):
        return Token.get_subject(instance), "password_change"
    return None


# The raw password a login is checking, while it checks it (``checking_password``).
_checking: ContextVar[str | None] = ContextVar("drf_paseto_checking_password", default=None)


@contextmanager
def checking_password(raw_password: str) -> Iterator[None]:
    """Around ``authenticate()`` in a login view: Django re-hashes an outdated hash on a
    successful check (a hash upgrade, after every release that raises the PBKDF2
    iterations), and the upgrade save drops the raw password. Inside this block that save is
    known for what it is, the same password, and revokes nothing; ``login/`` uses it. Outside
    it, a hash upgrade revokes the user's sessions, as any new hash does: a receiver cannot
    tell an upgrade from a new password's hash assigned in the same shape."""
    token = _checking.set(raw_password)
    try:
        yield
    finally:
        _checking.reset(token)


def _same_password(instance: Any, old_hash: str) -> bool:
    """Whether a new hash stands for the password the old hash stood for: no change.

    The raw password is the one ``set_password()`` keeps on the instance until the save, or
    the one a login is checking (``checking_password``: Django's upgrade save, which dropped
    it). Both hashes must verify it: the old one first (a real change fails there, at the
    cost of one hashing), then the new one, which a later ``set_unusable_password()`` or an
    assignment may have replaced. With no raw password (a hash assigned directly, an unusable
    password, an upgrade outside a login of ours) a new hash is a change."""
    raw = getattr(instance, "_password", None)
    if raw is None:
        raw = _checking.get()
    if raw is None:
        return False
    return check_password(raw, old_hash) and check_password(raw, instance.password)


# Set on the instance between pre_save and post_save: what the save revokes.
_PENDING = "_drf_paseto_revokes"


def _connect_user_model(model: Any) -> None:
    """Connect the receivers for ``model`` if it is the user model, a proxy or a child of it."""
    if not issubclass(model, get_user_model()):
        return
    for signal, receiver, uid in (
        (pre_save, _user_saving, "drf_paseto.user_saving"),
        (post_save, _user_saved, "drf_paseto.user_saved"),
        (pre_delete, _user_deleting, "drf_paseto.user_deleting"),
    ):
        signal.connect(receiver, sender=model, dispatch_uid=uid)


def _user_model_prepared(sender: Any, **kwargs: Any) -> None:
    """``class_prepared``: a user model subclass defined after the apps were ready."""
    from django.apps import apps

    if apps.ready:
        _connect_user_model(sender)


def _user_saving(sender: Any, instance: Any, using: str = "default", **kwargs: Any) -> None:
    if not api_settings.DENYLIST_ENABLED:
        return
    found = _revocation_reason(sender, instance, kwargs.get("update_fields"), using)
    if found is None:
        return
    subject, reason = found
    revocation.revoke_user(subject, reason=reason, user=instance, sender=sender)
    setattr(instance, _PENDING, found)


def _user_saved(sender: Any, instance: Any, using: str = "default", **kwargs: Any) -> None:
    found = instance.__dict__.pop(_PENDING, None)
    if found is None:
        return
    subject, reason = found

    def again() -> None:
        # Past any login that read the old row before the new one was committed.
        try:
            revocation.get_store().revoke_subject(
                subject, cutoff=clock.current_time(), reason=reason
            )
        except StoreUnavailable:
            _logger.warning("drf_paseto: could not move a revocation cutoff after a commit")

    transaction.on_commit(again, using=using)


def _user_deleting(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Deleting a multi-table child deletes its user row too, with a signal of that row's own:
    # the user model's own table acts, once (a proxy shares that table).
    if sender._meta.concrete_model is not get_user_model()._meta.concrete_model:
        return
    if api_settings.DENYLIST_ENABLED:
        revocation.revoke_user(
            Token.get_subject(instance), reason="user_deleted", user=instance, sender=sender
        )
