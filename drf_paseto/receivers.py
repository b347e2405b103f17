"""Model signal receivers, connected in ``AppConfig.ready()`` to the user model.

* A password change (``set_password()`` then ``save()``) revokes every token the user holds,
  when the denylist is on and ``REVOKE_ON_PASSWORD_CHANGE`` is true. It happens before the
  row is written (``pre_save``): if the store cannot be reached, the save fails and the old
  password stays, rather than a new password with the old tokens still valid. The cutoff is
  moved again after the write, past any token issued in between.
* Any save or delete of a user drops the copy the cache store keeps, so that a user
  deactivated or deleted in one process is refused on the next request in every process.
"""

from __future__ import annotations

from typing import Any

from drf_paseto import revocation
from drf_paseto.settings import api_settings
from drf_paseto.tokens import Token


def _subject(user: Any) -> str:
    return Token.get_subject(user)


# Saves that change nothing authentication looks at: Django's ``update_last_login`` (every
# login, with ``UPDATE_LAST_LOGIN``) must not drop the kept user each time.
_IRRELEVANT_FIELDS = frozenset({"last_login"})


def _password_changed(instance: Any, update_fields: Any) -> bool:
    # set_password() keeps the raw password in _password until save() has finished.
    if instance._state.adding or getattr(instance, "_password", None) is None:
        return False
    return update_fields is None or "password" in update_fields


def _revokes(instance: Any, update_fields: Any) -> bool:
    return (
        bool(api_settings.DENYLIST_ENABLED)
        and bool(api_settings.REVOKE_ON_PASSWORD_CHANGE)
        and _password_changed(instance, update_fields)
    )


def user_saving(sender: Any, instance: Any, **kwargs: Any) -> None:
    if _revokes(instance, kwargs.get("update_fields")):
        revocation.revoke_user(
            _subject(instance), reason="password_change", user=instance, sender=sender
        )


def user_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if not api_settings.DENYLIST_ENABLED:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields and _IRRELEVANT_FIELDS.issuperset(update_fields):
        return
    store = revocation.get_store()
    store.forget_user(_subject(instance))
    if not created and _revokes(instance, update_fields):
        # Past any token a login with the old password got while the row was being written.
        now = revocation.now()
        store.revoke_user(_subject(instance), now, now + revocation.longest_lifetime())


def user_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if api_settings.DENYLIST_ENABLED:
        revocation.get_store().forget_user(_subject(instance))
