"""Model signal receivers, connected in ``AppConfig.ready()`` to the user model.

* A password change (``set_password()`` then ``save()``) revokes every token the user holds,
  when the denylist is on and ``REVOKE_ON_PASSWORD_CHANGE`` is true.
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


def user_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if not api_settings.DENYLIST_ENABLED:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields and _IRRELEVANT_FIELDS.issuperset(update_fields):
        return
    store = revocation.get_store()
    store.forget_user(_subject(instance))
    # set_password() keeps the raw password in _password until save() has finished.
    password_changed = not created and getattr(instance, "_password", None) is not None
    if password_changed and api_settings.REVOKE_ON_PASSWORD_CHANGE:
        revocation.revoke_user(_subject(instance), reason="password_change", user=instance)


def user_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if api_settings.DENYLIST_ENABLED:
        revocation.get_store().forget_user(_subject(instance))
