"""DRF authenticators: access tokens for every view, refresh tokens for the refresh view.

``PasetoAuthentication`` accepts access tokens only. A refresh token presented to it is
refused with 401 ``token_wrong_type``, whatever the view's permissions (``AllowAny`` and
``IsAuthenticated`` included), so a stolen refresh token opens nothing but the refresh view,
which uses ``PasetoRefreshAuthentication``.

The DRF contract, to the letter: ``None`` when the request carries no token for us (other
authenticators may run, and ``AllowAny`` views see an anonymous user), ``(user, token)`` on
success, ``AuthenticationFailed`` otherwise (a bad token is 401 even on ``AllowAny`` views).
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, router
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from drf_paseto import revocation
from drf_paseto._cookies import COOKIES
from drf_paseto._request import (
    header_meta_key,
    is_token_text,
    read_request_data,
    token_from_authorization,
    token_locations_of,
)
from drf_paseto.exceptions import (
    CredentialsError,
    Forbidden,
    PasetoError,
    TokenError,
    Unavailable,
    to_api_exception,
)
from drf_paseto.settings import api_settings
from drf_paseto.tokens import AccessToken, RefreshToken, Token
from drf_paseto.users import TokenUser

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

__all__ = [
    "PasetoAnyTokenAuthentication",
    "PasetoAuthentication",
    "PasetoRefreshAuthentication",
    "PasetoStatelessAuthentication",
]


class PasetoAuthentication(BaseAuthentication):
    """Authenticate with an access token from ``Authorization: Bearer <token>``.

    ``TOKEN_LOCATION`` (or a view's ``paseto_token_location``) says where tokens may come
    from: ``"headers"`` and ``"json"`` (the body key ``JSON_KEY``); the header wins when both
    carry one. With ``DENYLIST_ENABLED``, every token type in ``DENYLIST_TOKEN_CHECKS`` is
    checked against its login session (docs/revocation.md).
    """

    token_class: type[Token] = AccessToken
    #: Several accepted types, each decoded into its own class; empty: just ``token_class``.
    token_classes: tuple[type[Token], ...] = ()
    #: The setting naming the JSON body key this authenticator reads.
    json_key_setting = "JSON_KEY"
    www_authenticate_realm = "api"

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser | TokenUser, Token] | None:
        """DRF's entry point, and where this layer's errors become DRF's (401, 403, 503)."""
        try:
            found = self.get_raw_token(request)
            if found is None:
                return None
            raw, location = found
            user, token = self.authenticate_token(raw, location, request=request)
            if location == "cookies":
                self.enforce_csrf(request, token)
            return user, token
        except PasetoError as err:
            raise to_api_exception(err) from err

    def authenticate_header(self, request: Request) -> str:
        scheme = api_settings.HEADER_TYPE or "Bearer"
        return f'{scheme} realm="{self.www_authenticate_realm}"'

    # --- hooks ----------------------------------------------------------------------------

    def authenticate_token(
        self, raw: str, location: str, request: Request | None = None
    ) -> tuple[Any, Token]:
        """Validate a raw token, check it against its login session, resolve the user.
        Raises ``PasetoError``."""
        token = self.get_validated_token(raw)
        token.location = location
        if revocation._is_checked(token):
            token.session = revocation.check(token, request=request)
        return self.get_user(token), token

    async def aauthenticate_token(
        self, raw: str, location: str, request: Request | None = None
    ) -> tuple[Any, Token]:
        """``authenticate_token()`` for async callers (``drf_paseto.adrf``,
        ``drf_paseto.ninja``): the same steps; the revocation check is
        ``revocation.acheck()`` and the user is ``aget_user()``."""
        token = self.get_validated_token(raw)
        token.location = location
        if revocation._is_checked(token):
            token.session = await revocation.acheck(token, request=request)
        return await self.aget_user(token), token

    async def aget_user(self, token: Token) -> Any:
        """``get_user()``: on the event loop when the session brought its user (the database
        store reads it with the session: nothing left to read), else in one ``sync_to_async``
        call (a database read)."""
        session = token.session
        if session is not None and session.user is not None:
            return self.get_user(token)
        from asgiref.sync import sync_to_async

        return await sync_to_async(self.get_user)(token)

    def get_token_locations(self, request: Request) -> Sequence[str]:
        """Where this request's token may come from: the view's say, else ``TOKEN_LOCATION``."""
        view = (getattr(request, "parser_context", None) or {}).get("view")
        return token_locations_of(view)

    def get_raw_token(self, request: Request) -> tuple[str, str] | None:
        """The raw token and where it was found, or ``None`` when the request has none.

        Headers first, then cookies, then the JSON body: a header wins over a cookie.
        """
        locations = self.get_token_locations(request)
        if "headers" in locations:
            raw = self.get_header_token(request)
            if raw is not None:
                return raw, "headers"
        if "cookies" in locations:
            raw = self.get_cookie_token(request)
            if raw is not None:
                return raw, "cookies"
        if "json" in locations:
            raw = self.get_json_token(request)
            if raw is not None:
                return raw, "json"
        return None

    def get_header_token(self, request: Request) -> str | None:
        header: str | None = request.META.get(header_meta_key(api_settings.HEADER_NAME))
        if header is None:
            return None
        return token_from_authorization(header)

    def get_cookie_keys(self) -> tuple[str, ...]:
        """The cookies this authenticator reads, in order."""
        return (api_settings.ACCESS_COOKIE_KEY,)

    def get_cookie_token(self, request: Request) -> str | None:
        for key in self.get_cookie_keys():
            value = request.COOKIES.get(key)
            if value:
                if not is_token_text(value):
                    raise TokenError("bad_cookie_token")
                return str(value)
        return None

    def enforce_csrf(self, request: Request, token: Token) -> None:
        """Double submit: a token from a cookie needs its ``csrf`` claim back in a header
        for the ``CSRF_METHODS``. Raises ``Forbidden`` (403)."""
        if not api_settings.COOKIE_CSRF_PROTECT:
            return
        if request.method not in api_settings.CSRF_METHODS:
            return
        names = COOKIES["refresh" if token.type == "refresh" else "access"]
        sent = request.META.get(header_meta_key(names.value("csrf_header")))
        if not sent:
            raise Forbidden("csrf_missing")
        expected = token.get("csrf")
        if not isinstance(expected, str) or not hmac.compare_digest(
            str(sent).encode("utf-8"), expected.encode("utf-8")
        ):
            raise Forbidden("csrf_mismatch")

    def get_json_token(self, request: Request) -> str | None:
        """The token under the JSON body's key, for requests whose body is JSON."""
        if not (request.content_type or "").startswith("application/json"):
            return None
        data = read_request_data(request)
        if not isinstance(data, dict):
            return None
        value = data.get(getattr(api_settings, self.json_key_setting))
        if value is None:
            return None
        if not isinstance(value, str):
            raise TokenError("bad_json_token")
        json_type = api_settings.JSON_TYPE
        if json_type:
            # fastapi-paseto-auth's JSON_TYPE: the value must read "<JSON_TYPE> <token>".
            scheme, _, value = value.partition(" ")
            if scheme.lower() != json_type.lower():
                raise TokenError("bad_json_token")
        if not is_token_text(value):
            raise TokenError("bad_json_token")
        return value

    def get_validated_token(self, raw: str) -> Token:
        classes = self.token_classes or (self.token_class,)
        if len(classes) == 1:
            return classes[0](raw)
        payload = Token.decode(raw)
        chosen = next((c for c in classes if c.token_type == payload.get("type")), classes[0])
        return chosen.from_decoded(raw, payload)

    def get_user(self, token: Token) -> Any:
        """The user of ``token``: its session's user when it was checked against one (so a
        token never authenticates another account that has since taken its subject), else
        the user whose ``USER_ID_FIELD`` is the token's subject; read from the database
        users are written to (``db_for_write``), never a replica."""
        session = token.session
        if session is not None and session.user is not None:
            user = session.user  # read with the session, in the same query
        else:
            user = self.load_user(token)
        if not self.user_can_authenticate(user):
            raise CredentialsError("user_inactive")
        return user

    def load_user(self, token: Token) -> Any:
        """The user row of ``token`` when its session did not bring it (a copy in Redis or a
        cache, or revocation off): one query."""
        user_model = get_user_model()
        session = token.session
        if session is not None:
            lookup = {"pk": session.user_pk}
        else:
            lookup = {api_settings.USER_ID_FIELD: token.subject}
        # From where users are written, as the session was: a user deactivated on the
        # primary is refused at once, whatever a replica still holds.
        manager = user_model._default_manager.db_manager(router.db_for_write(user_model))
        try:
            user = manager.get(**lookup)
        except (
            user_model.DoesNotExist,
            user_model.MultipleObjectsReturned,
            ValidationError,
            ValueError,
            TypeError,
            OverflowError,
        ) as err:
            raise CredentialsError("user_not_found") from err
        except DatabaseError as err:  # fail closed, as a JSON 503
            raise Unavailable("database_unavailable") from err
        return user

    def user_can_authenticate(self, user: AbstractBaseUser | TokenUser) -> bool:
        return getattr(user, "is_active", True) is not False


class PasetoRefreshAuthentication(PasetoAuthentication):
    """Authenticate with a refresh token: for the refresh view and views like it only.

    Its JSON body key is ``REFRESH_JSON_KEY`` (``"refresh_token"``), its cookie
    ``REFRESH_COOKIE_KEY``.
    """

    token_class = RefreshToken
    json_key_setting = "REFRESH_JSON_KEY"

    def get_cookie_keys(self) -> tuple[str, ...]:
        return (api_settings.REFRESH_COOKIE_KEY,)


class PasetoAnyTokenAuthentication(PasetoAuthentication):
    """An access or a refresh token: for views acting on the login session (logout).

    Its JSON body key is ``REFRESH_JSON_KEY``; it reads the access cookie, then the refresh
    cookie.
    """

    token_classes = (AccessToken, RefreshToken)
    json_key_setting = "REFRESH_JSON_KEY"

    def get_cookie_keys(self) -> tuple[str, ...]:
        return (api_settings.ACCESS_COOKIE_KEY, api_settings.REFRESH_COOKIE_KEY)


class PasetoStatelessAuthentication(PasetoAuthentication):
    """An access token, and a ``TokenUser`` built from it: no user table, no query.

    For services that do not own the user table (as simplejwt's
    ``JWTStatelessUserAuthentication``): ``request.user`` is a
    ``drf_paseto.users.TokenUser`` whose ``pk`` is the token's subject. Everything else is
    ``PasetoAuthentication``'s: where tokens are read from, strict decoding, and, with
    ``DENYLIST_ENABLED``, the revocation check. Whether the user still exists or is active
    is not known here: the token's lifetime and revocation bound it.
    """

    def get_user(self, token: Token) -> TokenUser:
        return TokenUser(token)

    async def aget_user(self, token: Token) -> TokenUser:
        """``get_user()`` on the event loop: building a ``TokenUser`` reads nothing. (A
        subclass whose ``get_user`` reads something overrides this too.)"""
        return self.get_user(token)
