"""The caller's login sessions: ``sessions/``, ``sessions/<id>/`` and ``logout/others/``.

A "where you're logged in" page in three endpoints (docs/sessions.md), on the session records
revocation keeps (``DENYLIST_ENABLED``): list the caller's live sessions, end one of them (the
current one included), end all the others. Authenticated with an access token; the
permission classes are the views' ``permission_classes``, to override as on any DRF view.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from drf_paseto import revocation
from drf_paseto.authentication import PasetoAuthentication
from drf_paseto.exceptions import NotFound
from drf_paseto.permissions import IsAccessToken
from drf_paseto.settings import api_settings
from drf_paseto.tokens import Token
from drf_paseto.views import PasetoAPIView

__all__ = [
    "LogoutOthersView",
    "SessionListView",
    "SessionSerializer",
    "SessionView",
]


class SessionSerializer(serializers.Serializer[Any]):
    """One login session, as ``GET sessions/`` lists it; ``current`` is the request's own.

    Declared field by field rather than as a ``ModelSerializer``, so that importing the
    views (``include("drf_paseto.urls")``) does not import the models: a project that forgot
    ``"drf_paseto"`` in ``INSTALLED_APPS`` gets one log line naming the fix and a JSON 503
    where sessions are needed, not a traceback from every ``manage.py`` command.
    """

    id = serializers.CharField(label=_("id"), max_length=64, read_only=True)
    current = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(label=_("created at"), read_only=True)
    last_used_at = serializers.DateTimeField(label=_("last used at"), read_only=True)
    expires_at = serializers.DateTimeField(label=_("expires at"), read_only=True)
    user_agent = serializers.CharField(label=_("user agent"), max_length=255, read_only=True)
    ip = serializers.IPAddressField(label=_("IP address"), allow_null=True, read_only=True)

    def get_current(self, session: Any) -> bool:  # a LoginSession
        token = getattr(self.context.get("request"), "auth", None)
        return isinstance(token, Token) and token.session_id == session.id


class _SessionsAPIView(PasetoAPIView):
    """Base of the views on the caller's login sessions: an access token (a refresh token is
    refused, as everywhere but ``refresh/`` and ``logout/``), and revocation on."""

    authentication_classes = (PasetoAuthentication,)
    permission_classes = (IsAccessToken,)
    serializer_class = SessionSerializer

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not api_settings.DENYLIST_ENABLED:
            raise NotFound("revocation_disabled")

    @property
    def token(self) -> Token:
        token = self.request.auth
        assert isinstance(token, Token)  # IsAccessToken let the request in
        return token


class SessionListView(_SessionsAPIView):
    """GET: the caller's live sessions, newest first (``{"sessions": [...]}``)."""

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sessions = revocation.get_store().live_sessions(self.token.subject)
        serializer = self.get_serializer(sessions, many=True)
        return Response({"sessions": serializer.data})


class SessionView(_SessionsAPIView):
    """DELETE ``sessions/<id>/``: end one of the caller's sessions (the current one too)."""

    def delete(self, request: Request, session_id: str, *args: Any, **kwargs: Any) -> Response:
        token = self.token
        live = {session.id for session in revocation.get_store().live_sessions(token.subject)}
        if session_id not in live:  # never existed, ended, or another user's: the same 404
            raise NotFound("session_not_found")
        revocation.revoke_session(
            session_id,
            token.subject,
            reason="logout",
            user=request.user,
            request=request,
            sender=type(self),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutOthersView(_SessionsAPIView):
    """POST: end every session of the caller's but the current one."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        revocation.revoke_other_sessions(
            self.token,
            reason="logout_others",
            user=request.user,
            request=request,
            sender=type(self),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
