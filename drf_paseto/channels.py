"""Django Channels: WebSocket connections authenticated with the same access tokens as HTTP.

Install the ``channels`` extra; nothing else in drf_paseto imports this module. In ``asgi.py``::

    from drf_paseto.channels import PasetoAuthMiddlewareStack

    application = ProtocolTypeRouter({
        "http": django_asgi_app,
        "websocket": PasetoAuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    })

``PasetoAuthMiddleware`` takes an access token from the places ``WEBSOCKET_TOKEN_LOCATION``
names, in its order (``"headers"``, ``"subprotocol"``, ``"query"``, ``"cookies"``), and checks
it exactly as ``PasetoAuthentication`` checks an HTTP request's: strict decoding, access
tokens only, revocation, an active user. That work runs in a worker thread
(``database_sync_to_async``), never on the event loop. On success the consumer finds the user
in ``scope["user"]`` and the validated token in ``scope["auth"]``. On any failure the inner
application is never called: the handshake is refused with ``WEBSOCKET_CLOSE_CODE`` (1008),
which ASGI servers answer as ``HTTP 403`` to the client, and nothing is raised. docs/websockets.md
has the whole story, including ``recheck()`` for long connections.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote

from channels.db import database_sync_to_async  # type: ignore[import-untyped]
from django.contrib.auth.models import AnonymousUser
from django.db import router, transaction
from django.http.cookie import parse_cookie

from drf_paseto._request import is_token_text, token_from_authorization
from drf_paseto.authentication import PasetoAuthentication
from drf_paseto.exceptions import Forbidden, PasetoError, TokenError, _log_reason
from drf_paseto.settings import api_settings
from drf_paseto.tokens import AccessToken, Token
from drf_paseto.utils import _origin_allowed as origin_is_allowed
from drf_paseto.utils import _trusted_origins

__all__ = [
    "QUERY_KEY",
    "SUBPROTOCOL",
    "FreshTokenRequiredMixin",
    "PasetoAuthMiddleware",
    "PasetoAuthMiddlewareStack",
    "SessionRevocationMixin",
    "ensure_still_valid",
    "recheck",
    "session_group",
]


_Scope = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[dict[str, Any]]]
_Send = Callable[[dict[str, Any]], Awaitable[None]]
_ASGIApp = Callable[[_Scope, _Receive, _Send], Awaitable[None]]

_logger = logging.getLogger("drf_paseto")

#: The marker subprotocol: a browser offers ``["paseto", token]`` and the connection is
#: accepted with ``"paseto"`` (docs/websockets.md).
SUBPROTOCOL = "paseto"
#: The query parameter read when ``"query"`` is a ``WEBSOCKET_TOKEN_LOCATION``.
QUERY_KEY = "token"

#: The page scheme a WebSocket scheme stands for, as Origin names it.
_PAGE_SCHEMES = {"ws": "http", "wss": "https"}
#: The scope key holding the middleware's authentication class, for ``recheck()``.
_AUTHENTICATION_CLASS_KEY = "paseto_authentication_class"


def _close_code_setting() -> int:
    code: int = api_settings.WEBSOCKET_CLOSE_CODE
    return code


def _log_refusal(scope: _Scope, error: PasetoError) -> None:
    """Say why a connection is refused or closed (its code; a server-side reason at ERROR
    level)."""
    _log_reason(error)
    _logger.info("WebSocket connection to %r refused: %s", scope.get("path"), error.code)


# --- reading the token from the handshake --------------------------------------------------


def _headers(scope: _Scope, name: str) -> list[str]:
    """Every value of one request header, decoded as Latin-1 (which never fails)."""
    wanted = name.lower().encode("latin-1")
    return [
        bytes(value).decode("latin-1")
        for key, value in scope.get("headers") or ()
        if bytes(key).lower() == wanted
    ]


def _header_token(scope: _Scope) -> str | None:
    """The token of ``HEADER_NAME`` (``Authorization: Bearer <token>``), as HTTP reads it."""
    values = _headers(scope, api_settings.HEADER_NAME)
    if not values:
        return None
    if len(values) > 1:
        raise TokenError("bad_authorization_header")
    return token_from_authorization(values[0])


def _subprotocol_token(scope: _Scope) -> str | None:
    """The value the client offered right after the ``SUBPROTOCOL`` marker.

    A browser offers ``new WebSocket(url, ["paseto", token])``; the connection is then
    accepted with the ``"paseto"`` subprotocol (the middleware sees to it).
    """
    offered = list(scope.get("subprotocols") or ())
    if SUBPROTOCOL not in offered:
        return None
    index = offered.index(SUBPROTOCOL) + 1
    raw = offered[index] if index < len(offered) else None
    if not isinstance(raw, str) or not is_token_text(raw):
        raise TokenError("bad_subprotocol_token")
    return raw


def _query_token(scope: _Scope) -> str | None:
    """The ``QUERY_KEY`` parameter of the query string; given twice, refused."""
    query = bytes(scope.get("query_string") or b"").decode("latin-1")
    found = [
        value
        for name, _, value in (part.partition("=") for part in query.split("&"))
        if unquote(name.replace("+", " "), errors="replace") == QUERY_KEY
    ]
    if not found:
        return None
    raw = unquote(found[0], errors="replace")
    if len(found) > 1 or not is_token_text(raw):
        raise TokenError("bad_query_token")
    return raw


def _cookie_token(scope: _Scope) -> str | None:
    """The ``ACCESS_COOKIE_KEY`` cookie, from a request whose Origin is allowed."""
    cookies = parse_cookie("; ".join(_headers(scope, "cookie")))
    value = cookies.get(api_settings.ACCESS_COOKIE_KEY)
    if not value:
        return None
    if not is_token_text(value):
        raise TokenError("bad_cookie_token")
    # Browsers send cookies with cross-site WebSocket handshakes (no CORS, no SameSite=Lax
    # protection for ws:// to the same site): the Origin check stands in for CSRF protection.
    if not _origin_allowed(scope):
        raise Forbidden("origin_not_allowed")
    return value


_TOKEN_READERS: dict[str, Callable[[_Scope], str | None]] = {
    "headers": _header_token,
    "subprotocol": _subprotocol_token,
    "query": _query_token,
    "cookies": _cookie_token,
}


# --- the Origin check of cookie tokens ------------------------------------------------------


def _origin_allowed(scope: _Scope) -> bool:
    """Whether the handshake's ``Origin`` is this site or trusted: Django's CSRF rule for
    ``Origin`` (``drf_paseto.utils._origin_allowed``), scheme included. This site is the
    ``Host`` header with ``https`` for a ``wss`` connection and ``http`` for ``ws``.

    A handshake without an Origin, with two, or with ``Origin: null`` is refused: browsers
    always send one, and a cookie token needs a browser's say on where the page came from.
    """
    origins, hosts = _headers(scope, "origin"), _headers(scope, "host")
    if len(origins) != 1:
        return False
    scheme = _PAGE_SCHEMES.get(str(scope.get("scheme") or "ws"), "http")
    host = hosts[0].strip() if len(hosts) == 1 else None
    # The origins trusted with unsafe requests (CSRF_TRUSTED_ORIGINS) are the ones trusted
    # with a cookie-authenticated handshake.
    return origin_is_allowed(origins[0], scheme, host, _trusted_origins())


# --- the middleware -------------------------------------------------------------------------


async def _refuse(receive: _Receive, send: _Send, code: int) -> None:
    """Refuse a WebSocket handshake: wait for ``websocket.connect``, answer ``websocket.close``.

    A close before ``websocket.accept`` is turned by the ASGI server into ``HTTP 403`` (uvicorn
    and daphne alike); the close code only reaches in-process clients such as Channels'
    ``WebsocketCommunicator``.
    """
    message = await receive()
    if message.get("type") == "websocket.connect":
        await send({"type": "websocket.close", "code": code})


class PasetoAuthMiddleware:
    """ASGI middleware authenticating WebSocket connections with a PASETO access token.

    ``required=False`` lets connections without any token through as ``AnonymousUser``
    (``scope["auth"]`` is then ``None``); a bad token is refused all the same.
    ``fresh=True`` refuses tokens that are not fresh (``token_not_fresh``). Scopes other than
    ``websocket`` (``http``, ``lifespan``) pass through untouched.
    """

    authentication_class: type[PasetoAuthentication] = PasetoAuthentication

    def __init__(self, inner: _ASGIApp, *, required: bool = True, fresh: bool = False) -> None:
        self.inner = inner
        self.required = required
        self.fresh = fresh

    async def __call__(self, scope: _Scope, receive: _Receive, send: _Send) -> None:
        if scope.get("type") != "websocket":
            await self.inner(scope, receive, send)
            return
        scope = dict(scope)  # changes stay in this application's scope
        try:
            found = self.find_token(scope)
            if found is None:
                if self.required:
                    raise TokenError("not_authenticated")
                user, token = AnonymousUser(), None
            else:
                user, token = await _authenticate(found[0], found[1], self.authentication_class)
                if self.fresh and not _is_fresh(token):
                    raise Forbidden("token_not_fresh")
        except PasetoError as error:
            _log_refusal(scope, error)
            await _refuse(receive, send, _close_code_setting())
            return
        scope["user"], scope["auth"] = user, token
        # recheck() checks the token again with the same authenticator.
        scope[_AUTHENTICATION_CLASS_KEY] = self.authentication_class
        if token is not None and token.location == "subprotocol":
            send = self._accept_with_marker(scope, send)
        await self.inner(scope, receive, send)

    def find_token(self, scope: _Scope) -> tuple[str, str] | None:
        """The raw token and its location, in ``WEBSOCKET_TOKEN_LOCATION``'s order."""
        for location in api_settings.WEBSOCKET_TOKEN_LOCATION:
            raw = _TOKEN_READERS[location](scope)
            if raw is not None:
                return raw, location
        return None

    @staticmethod
    def _accept_with_marker(scope: _Scope, send: _Send) -> _Send:
        """Hide the token from the consumer's ``scope["subprotocols"]``, and accept with the
        marker subprotocol (browsers fail a handshake whose offered subprotocols got none)."""
        offered = list(scope.get("subprotocols") or ())
        index = offered.index(SUBPROTOCOL)
        scope["subprotocols"] = offered[: index + 1] + offered[index + 2 :]

        async def send_with_marker(message: dict[str, Any]) -> None:
            if message.get("type") == "websocket.accept" and not message.get("subprotocol"):
                message = {**message, "subprotocol": SUBPROTOCOL}
            await send(message)

        return send_with_marker


def PasetoAuthMiddlewareStack(inner: _ASGIApp, **kwargs: Any) -> PasetoAuthMiddleware:
    """Like Channels' ``AuthMiddlewareStack``: the one middleware a token-only app needs."""
    return PasetoAuthMiddleware(inner, **kwargs)


async def _authenticate(
    raw: str, location: str, authentication_class: type[PasetoAuthentication]
) -> tuple[Any, Token]:
    """``authenticate_token`` of the middleware's class in a worker thread. Raises
    ``PasetoError``."""
    authenticate = authentication_class().authenticate_token
    result: tuple[Any, Token] = await database_sync_to_async(authenticate)(raw, location)
    return result


def _is_fresh(token: Any) -> bool:
    return isinstance(token, AccessToken) and token.fresh


# --- consumers ------------------------------------------------------------------------------


class FreshTokenRequiredMixin:
    """For a consumer (sync or async) that only fresh access tokens may open.

    Put it first in the bases: ``class Admin(FreshTokenRequiredMixin, AsyncWebsocketConsumer)``.
    A connection whose ``scope["auth"]`` is not fresh is refused with ``WEBSOCKET_CLOSE_CODE``
    before the consumer runs; its ``connect()`` is never called.
    """

    async def __call__(self, scope: _Scope, receive: _Receive, send: _Send) -> None:
        if scope.get("type") == "websocket" and not _is_fresh(scope.get("auth")):
            _log_refusal(scope, Forbidden("token_not_fresh"))
            await _refuse(receive, send, _close_code_setting())
            return
        consumer: Any = super()
        await consumer.__call__(scope, receive, send)


async def recheck(scope: _Scope) -> str | None:
    """Check the connection's token again: ``None`` while it is still good, else the code.

    The token is checked as at the handshake: expiry, revocation (``DENYLIST_ENABLED``), the
    user still existing and active. On success ``scope["user"]`` is refreshed; on failure
    ``scope["auth_error"]`` is set to the code. A connection without a token (``required=False``)
    is always good.
    """
    refused = await _recheck(scope)
    return None if refused is None else refused.code


async def _recheck(scope: _Scope) -> PasetoError | None:
    token = scope.get("auth")
    if token is None:
        return None
    authentication_class = scope.get(_AUTHENTICATION_CLASS_KEY, PasetoAuthentication)
    try:
        user, token = await _authenticate(
            str(token), token.location or "headers", authentication_class
        )
    except PasetoError as error:
        _log_refusal(scope, error)
        scope["auth_error"] = error.code
        return error
    scope["user"], scope["auth"] = user, token
    return None


async def ensure_still_valid(consumer: Any) -> bool:
    """``recheck()`` an async consumer's connection, closing it when the token is no longer
    good, with ``WEBSOCKET_CLOSE_CODE`` and the error code as the close reason. Returns
    whether the connection is still open."""
    refused = await _recheck(consumer.scope)
    if refused is None:
        return True
    await consumer.close(code=_close_code_setting(), reason=refused.code)
    return False


# --- closing a connection when its session is revoked ----------------------------------------

#: The channel-layer message a revoked session's connections receive.
_SESSION_REVOKED = "paseto.session.revoked"


def session_group(session_id: str) -> str:
    """The channel-layer group of one login session's connections (a fixed-length name that
    every channel layer accepts, whatever the session id holds)."""
    return "drf_paseto.session." + hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:32]


class SessionRevocationMixin:
    """For an async consumer (``AsyncWebsocketConsumer``, ``AsyncJsonWebsocketConsumer``):
    the connection is closed as soon as its login session is revoked.

    Put it first in the bases. The connection joins its session's channel-layer group;
    ``drf_paseto`` sends the group a ``paseto.session.revoked`` message once a revocation of
    that session is committed (``logout/``, ``sessions/<id>/``, ``logout/others/``,
    ``logout/all/``, a password change, the admin, a reuse), and the consumer then checks its
    token again (``ensure_still_valid``) and closes with ``WEBSOCKET_CLOSE_CODE`` and reason
    ``token_revoked``. Needs ``CHANNEL_LAYERS`` (a layer all processes share, such as
    channels-redis, in production); without a layer, the connection is closed on its next
    message by ``ensure_still_valid`` instead.
    """

    channel_layer: Any
    channel_name: str
    scope: _Scope

    def _session_group(self) -> str | None:
        token = self.scope.get("auth")
        if isinstance(token, Token) and self.channel_layer is not None:
            return session_group(token.session_id)
        return None

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        group = self._session_group()
        if group is not None:
            await self.channel_layer.group_add(group, self.channel_name)
        consumer: Any = super()
        await consumer.websocket_connect(message)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        group = self._session_group()
        if group is not None:
            await self.channel_layer.group_discard(group, self.channel_name)
        consumer: Any = super()
        await consumer.websocket_disconnect(message)

    async def paseto_session_revoked(self, event: dict[str, Any]) -> None:
        await ensure_still_valid(self)


def _notify_session_revoked(sender: Any, session_id: str, **kwargs: Any) -> None:
    """``session_revoked`` receiver (connected in ``AppConfig.ready()`` when Channels is
    installed): tell the session's connections, once the revocation is committed."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer  # type: ignore[import-untyped]

    from drf_paseto.models import LoginSession

    layer = get_channel_layer()
    if layer is None:
        return

    def send() -> None:
        try:
            async_to_sync(layer.group_send)(session_group(session_id), {"type": _SESSION_REVOKED})
        except Exception:  # a layer that is away: the next message's recheck still closes
            _logger.warning("drf_paseto: could not tell a revoked session's WebSockets")

    transaction.on_commit(send, using=router.db_for_write(LoginSession))
