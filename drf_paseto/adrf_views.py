"""The token views as adrf async views (``drf_paseto.adrf_urls``; docs/async.md).

Each is its ``drf_paseto.views`` / ``drf_paseto.sessions`` namesake made an adrf view: the
same serializers, authenticators, permissions, throttles, origin check, cookies, error bodies
and headers, because everything but the handler is the sync view's. The handler is a
coroutine that runs the sync handler in **one** ``sync_to_async`` call: a login hashes a
password (CPU that must stay off the event loop) and every one of them writes the database
in a transaction, which Django's async ORM cannot do. adrf itself runs ``initial()``
(authentication, permissions, throttles, the origin check) in a worker thread first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adrf.views import APIView as AsyncAPIView  # type: ignore[import-untyped]
from asgiref.sync import sync_to_async
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from rest_framework.request import Request
from rest_framework.response import Response

from drf_paseto import sessions, views

__all__ = [
    "AsyncLogoutAllView",
    "AsyncLogoutOthersView",
    "AsyncLogoutView",
    "AsyncSessionListView",
    "AsyncSessionView",
    "AsyncTokenObtainView",
    "AsyncTokenRefreshView",
    "AsyncViewMixin",
]


# As PasetoAPIView's: adrf's dispatch comes first in these views' MRO.
@method_decorator(sensitive_post_parameters(), name="dispatch")
class AsyncViewMixin(AsyncAPIView):  # type: ignore[misc]
    """adrf's dispatch before a drf_paseto view's; its handlers are ``_in_a_thread()``.

    Error reports hide the local variables of the code that reads tokens and the login body,
    as PasetoAPIView's ``sensitive_variables()`` on ``dispatch`` does for the sync views.
    adrf's ``dispatch`` only returns the coroutine that runs the view, so that decorator would
    be gone before anything runs: here it is where the code runs, ``initial()`` in adrf's
    worker thread (authentication, throttles, the origin check) and each handler."""

    @sensitive_variables()
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)


def _in_a_thread(name: str) -> Callable[..., Any]:
    """An async handler ``name`` that runs the sync view's handler in one ``sync_to_async``
    call (its local variables hidden from error reports, as the sync view's are)."""

    async def handler(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        sync = getattr(super(AsyncViewMixin, self), name)
        response: Response = await sync_to_async(sensitive_variables()(sync))(
            request, *args, **kwargs
        )
        return response

    handler.__name__ = handler.__qualname__ = name
    return handler


class AsyncTokenObtainView(AsyncViewMixin, views.TokenObtainView):
    """``login/``: ``TokenObtainView`` for adrf projects."""

    post = _in_a_thread("post")


class AsyncTokenRefreshView(AsyncViewMixin, views.TokenRefreshView):
    """``refresh/``: ``TokenRefreshView`` for adrf projects."""

    post = _in_a_thread("post")


class AsyncLogoutView(AsyncViewMixin, views.LogoutView):
    """``logout/``: ``LogoutView`` for adrf projects."""

    post = _in_a_thread("post")


class AsyncLogoutAllView(AsyncViewMixin, views.LogoutAllView):
    """``logout/all/``: ``LogoutAllView`` for adrf projects."""

    post = _in_a_thread("post")


class AsyncLogoutOthersView(AsyncViewMixin, sessions.LogoutOthersView):
    """``logout/others/``: ``LogoutOthersView`` for adrf projects."""

    post = _in_a_thread("post")


class AsyncSessionListView(AsyncViewMixin, sessions.SessionListView):
    """``sessions/``: ``SessionListView`` for adrf projects."""

    get = _in_a_thread("get")


class AsyncSessionView(AsyncViewMixin, sessions.SessionView):
    """``sessions/<id>/``: ``SessionView`` for adrf projects."""

    delete = _in_a_thread("delete")
