"""Authenticators for adrf's async views (the ``async`` extra,
docs/async.md).

Each is its sync namesake of ``drf_paseto.authentication`` with a coroutine
``authenticate``: where the token is read from, how it is decoded, the revocation rule and
the error codes are the same methods; only the I/O differs (``aauthenticate_token()``:
``revocation.acheck()``, ``aget_user()``). adrf (0.1.3 and later) awaits a coroutine
``authenticate``; a plain DRF view cannot (it answers 500), so system check
``drf_paseto.E010`` refuses these classes on any view that is not adrf's. adrf 0.1.x awaits
it from the worker thread that runs ``initial()``, a round trip to the event loop that the
sync classes do not make: on adrf 0.1.x views the sync classes cost less (docs/async.md).

The permissions of ``drf_paseto.permissions`` stay sync, on purpose: they only look at
``request.auth``; adrf runs sync permissions in the same worker thread as the rest of
``initial()`` at no extra cost, while an async ``has_permission`` on a plain DRF view is a
truthy coroutine: everything would be let through.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request

from drf_paseto.authentication import (
    PasetoAnyTokenAuthentication,
    PasetoAuthentication,
    PasetoRefreshAuthentication,
    PasetoStatelessAuthentication,
)
from drf_paseto.exceptions import PasetoError, to_api_exception
from drf_paseto.tokens import Token

__all__ = [
    "AsyncAuthenticationMixin",
    "AsyncPasetoAnyTokenAuthentication",
    "AsyncPasetoAuthentication",
    "AsyncPasetoRefreshAuthentication",
    "AsyncPasetoStatelessAuthentication",
]


class AsyncAuthenticationMixin(PasetoAuthentication):
    """A coroutine ``authenticate``, for adrf views only (``drf_paseto.E010``)."""

    async def authenticate(  # type: ignore[override]
        self, request: Request
    ) -> tuple[Any, Token] | None:
        """``PasetoAuthentication.authenticate``, awaiting ``aauthenticate_token()``."""
        try:
            found = self.get_raw_token(request)
            if found is None:
                return None
            raw, location = found
            user, token = await self.aauthenticate_token(raw, location, request=request)
            if location == "cookies":
                self.enforce_csrf(request, token)
            return user, token
        except PasetoError as err:
            raise to_api_exception(err) from err


class AsyncPasetoAuthentication(AsyncAuthenticationMixin):
    """``PasetoAuthentication`` for adrf views: access tokens only."""


class AsyncPasetoRefreshAuthentication(AsyncAuthenticationMixin, PasetoRefreshAuthentication):
    """``PasetoRefreshAuthentication`` for adrf views: refresh tokens only."""


class AsyncPasetoAnyTokenAuthentication(AsyncAuthenticationMixin, PasetoAnyTokenAuthentication):
    """``PasetoAnyTokenAuthentication`` for adrf views: an access or a refresh token."""


class AsyncPasetoStatelessAuthentication(AsyncAuthenticationMixin, PasetoStatelessAuthentication):
    """``PasetoStatelessAuthentication`` for adrf views: a ``TokenUser``, no user query.
    With the Redis store, a check whose copy is in Redis makes no thread hop at all."""
