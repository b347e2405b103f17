"""Errors in layers, each with a stable machine-readable ``code``.

``PasetoError`` is the root of every error drf_paseto raises below DRF; its ``code`` says
what went wrong, its ``message`` (translatable) says it to the client, its ``status_code``
is the HTTP status it is answered with. The classes group the codes by what failed:

``TokenError``        a token, or the request carrying it, cannot be accepted (401);
``CredentialsError``  credentials, or the user behind a token, are not good (401);
``Forbidden``         the request is authenticated, but not enough (403);
``NotFound``          a feature that is off, a session that is not the caller's (404);
``Unavailable``       something needed to decide cannot be consulted (503): fail closed;
``ClaimsNotIssuable`` a token the server cannot issue: its custom claims (500).

Library errors become these where pyseto is called (``drf_paseto.backend``); these become
DRF exceptions where a request is answered (``to_api_exception``): in the authenticators and
in the views' ``handle_exception``, whose JSON body is always ``{"detail", "code"}``.
Nothing secret goes into either field: no key, no token, no password, no claim value. The
errors of the server's own making (``KeyConfigurationError``, ``ClaimsNotIssuable``) carry
their reason in ``str(error)``, for the log only.
"""

from __future__ import annotations

import logging
import re
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import DatabaseError
from django.http import Http404, RawPostDataException
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status

from drf_paseto.settings import api_settings

__all__ = [
    "ClaimsNotIssuable",
    "CredentialsError",
    "Forbidden",
    "KeyConfigurationError",
    "KeysUnavailable",
    "NotFound",
    "PasetoAPIException",
    "PasetoAuthenticationFailed",
    "PasetoError",
    "PasetoPermissionDenied",
    "StoreUnavailable",
    "TokenError",
    "TokenInvalid",
    "TokenKeyUnknown",
    "TokenTooLarge",
    "TokenUnsupported",
    "Unavailable",
    "add_error_code",
    "exception_handler",
    "to_api_exception",
]


_logger = logging.getLogger("drf_paseto")
# A PASETO string, told apart from another scheme's credential (a JWT, a DRF token).
_PASETO = re.compile(r"v[1-4]\.(local|public)\.[A-Za-z0-9_\-.]+", re.ASCII)


class PasetoError(Exception):
    """The root of drf_paseto's errors: ``PasetoError(code)``, one of the class's ``messages``."""

    status_code: ClassVar[int] = status.HTTP_400_BAD_REQUEST
    #: The code an instance built without one has.
    default_code: ClassVar[str] = ""
    #: Every code this class raises, and what it says to the client.
    messages: ClassVar[dict[str, str | Promise]] = {}
    #: For the server's own failures: what the log says before ``str(error)``.
    log_prefix: ClassVar[str | None] = None

    code: str
    message: str | Promise

    def __init__(self, code: str | None = None, *, message: str | Promise | None = None) -> None:
        self.code = code or self.default_code
        if self.code not in self.messages:
            raise ValueError(f"{type(self).__name__} has no code {self.code!r}")
        self.message = self.messages[self.code] if message is None else message
        super().__init__(str(self.message))


class TokenError(PasetoError):
    """A token, or the request carrying it, cannot be accepted."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "token_invalid"
    messages = {
        # Not a well-formed token of ours: bad encoding, structure, failed authentication.
        "token_invalid": _("Token is invalid."),
        "token_too_large": _("Token is too large."),
        "token_unsupported": _("Token version or purpose is not accepted."),
        "token_key_unknown": _("Token was not issued with a key we know."),
        "token_claims_invalid": _("Token claims are invalid."),
        "token_expired": _("Token has expired."),
        "token_not_yet_valid": _("Token is not valid yet."),
        "token_issued_in_future": _("Token was issued in the future."),
        "token_issuer_invalid": _("Token issuer is not accepted."),
        "token_audience_invalid": _("Token audience is not accepted."),
        "token_wrong_type": _("Token has the wrong type for this endpoint."),
        "token_revoked": _("Token has been revoked."),
        "token_reused": _("Refresh token was already used: its session has been revoked."),
        # Where the token was read from.
        "not_authenticated": _("Authentication credentials were not provided."),
        "bad_authorization_header": _("Authorization header is malformed."),
        "bad_json_token": _("The token in the request body is malformed."),
        "bad_cookie_token": _("The token cookie is malformed."),
        "bad_query_token": _("The token in the query string is malformed."),
        "bad_subprotocol_token": _("The token in the WebSocket subprotocols is malformed."),
    }


# The decoding layer's errors (drf_paseto.backend, drf_paseto._keys): a ``TokenError`` each.
class TokenInvalid(TokenError):
    default_code = "token_invalid"


class TokenTooLarge(TokenError):
    default_code = "token_too_large"


class TokenUnsupported(TokenError):
    default_code = "token_unsupported"


class TokenKeyUnknown(TokenError):
    default_code = "token_key_unknown"


class CredentialsError(PasetoError):
    """Credentials, or the user a token speaks for, cannot be accepted."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "invalid_credentials"
    messages = {
        "invalid_credentials": _("No active account found with the given credentials."),
        "user_not_found": _("User not found."),
        "user_inactive": _("User is inactive."),
        "invalid_client": _("Client authentication failed."),
    }


class Forbidden(PasetoError):
    """The request is authenticated, but not as it needs to be."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = "token_required"
    messages = {
        "token_required": _("This endpoint requires a PASETO token."),
        "token_not_fresh": _("A fresh token is required: log in again with your credentials."),
        "token_wrong_type": TokenError.messages["token_wrong_type"],
        "csrf_missing": _(
            "The CSRF header is missing: a token from a cookie needs it for this method."
        ),
        "csrf_mismatch": _("The CSRF header does not match the token."),
        "origin_not_allowed": _("This request comes from a page of another site: it is refused."),
    }


class NotFound(PasetoError):
    """A feature this server has turned off, or a session that is not the caller's."""

    status_code = status.HTTP_404_NOT_FOUND
    default_code = "session_not_found"
    messages = {
        # Another user's session gets the same answer as one that never existed.
        "session_not_found": _("No such session."),
        "revocation_disabled": _("This server does not revoke tokens."),
        "introspection_disabled": _("This server does not introspect tokens."),
    }


class Unavailable(PasetoError):
    """Something needed to decide cannot be consulted: the request fails closed."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "database_unavailable"
    messages = {
        "database_unavailable": _("The service is unavailable right now; try again later."),
        "revocation_store_unavailable": _("Tokens cannot be checked right now; try again later."),
        "keys_unavailable": _("Tokens cannot be handled right now; try again later."),
    }


class StoreUnavailable(Unavailable):
    """The revocation store cannot be reached."""

    default_code = "revocation_store_unavailable"


class KeysUnavailable(Unavailable):
    """No usable keys: a key set that cannot be fetched, or key settings that cannot be used."""

    default_code = "keys_unavailable"


class KeyConfigurationError(KeysUnavailable):
    """A key setting cannot be used: ``KeyConfigurationError(reason)``. Raised while loading
    keys, reported by system checks; at request time a ``503 keys_unavailable`` whose reason
    goes to the log, never to the client."""

    log_prefix = "drf_paseto cannot use its keys"

    def __init__(self, reason: object) -> None:
        super().__init__()
        self.args = (str(reason),)


class ClaimsNotIssuable(PasetoError):
    """Custom claims that cannot go into a token: a reserved name, a value JSON cannot hold,
    a token over ``MAX_TOKEN_LENGTH`` or nested deeper than ``MAX_JSON_DEPTH``. The fault
    is the server's code (a serializer's ``get_token_claims()``), never the client's: a
    ``500 token_not_issuable``. ``ClaimsNotIssuable(reason)``: the reason names the cause,
    never a claim's value, and goes to the log only."""

    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    default_code = "token_not_issuable"
    messages = {"token_not_issuable": _("The token cannot be issued; the server log says why.")}
    log_prefix = "drf_paseto cannot issue a token"

    def __init__(self, reason: object) -> None:
        super().__init__()
        self.args = (str(reason),)


def _error_body(message: Any, code: str) -> dict[str, Any]:
    """The JSON body of every error drf_paseto produces."""
    return {"detail": message, "code": code}


class PasetoAuthenticationFailed(exceptions.AuthenticationFailed):
    """401 with ``WWW-Authenticate``, for a ``PasetoError`` whose status is 401."""

    def __init__(self, error: PasetoError) -> None:
        super().__init__(_error_body(error.message, error.code))
        self.code = error.code


class PasetoPermissionDenied(exceptions.PermissionDenied):
    """403, for a ``PasetoError`` whose status is 403."""

    def __init__(self, error: PasetoError) -> None:
        super().__init__(_error_body(error.message, error.code))
        self.code = error.code


class PasetoAPIException(exceptions.APIException):
    """Any other status a ``PasetoError`` may carry (404, 500, 503)."""

    def __init__(self, error: PasetoError) -> None:
        super().__init__(_error_body(error.message, error.code))
        self.status_code = error.status_code
        self.code = error.code


def _log_reason(error: PasetoError) -> None:
    """A server-side reason (a ``log_prefix`` error's) goes to the log, never the answer."""
    if error.log_prefix is not None:
        _logger.error("%s: %s", error.log_prefix, error)


def to_api_exception(error: PasetoError) -> exceptions.APIException:
    """The DRF exception answering ``error``; a server-side reason goes to the log."""
    _log_reason(error)
    if error.status_code == status.HTTP_401_UNAUTHORIZED:
        return PasetoAuthenticationFailed(error)
    if error.status_code == status.HTTP_403_FORBIDDEN:
        return PasetoPermissionDenied(error)
    return PasetoAPIException(error)


def _as_api_exception(exc: Exception) -> Exception:
    """What a view answers for ``exc``: ours as DRF's (``to_api_exception``), a failing
    database as ``503 database_unavailable`` (fail closed, in JSON); anything else as is."""
    if isinstance(exc, DatabaseError):
        _logger.error("drf_paseto: database unavailable: %s", type(exc).__name__)
        exc = Unavailable("database_unavailable")
    if isinstance(exc, PasetoError):
        return to_api_exception(exc)
    return exc


def add_error_code(response: Any, exc: Exception) -> Any:
    """Give an error response the ``{"detail", "code"}`` shape; idempotent."""
    # DRF's handler answers Django's Http404 and PermissionDenied as NotFound and
    # PermissionDenied: they get those codes too.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        if not (isinstance(data, dict) and data.get("code") == "invalid_request"):
            response.data = {
                **_error_body(_("Invalid request."), "invalid_request"),
                "errors": data,
            }
    elif isinstance(data, dict) and "code" not in data:
        codes = exc.get_codes()
        data["code"] = codes if isinstance(codes, str) else exc.default_code
    return response


def _habit_hint(request: Any, code: str) -> str | Promise | None:
    """What to send instead, for a request shaped by a djangorestframework-simplejwt (or DRF
    ``TokenAuthentication``) habit that drf_paseto answers with ``code``: a PASETO behind
    another scheme or none (``Token <paseto>``, a bare token), ``{"refresh": ...}`` on
    ``refresh/``, a JSON body sent without ``Content-Type: application/json``."""
    meta = getattr(request, "META", None) or {}
    header_name, scheme = api_settings.HEADER_NAME, api_settings.HEADER_TYPE or "Bearer"
    sent_as = f'"{header_name}: {scheme} <token>"'
    if code == "not_authenticated":
        header = str(meta.get("HTTP_" + header_name.upper().replace("-", "_"), "")).strip()
        first, _sep, rest = header.partition(" ")
        credential, sent_scheme = (rest.strip(), first) if rest.strip() else (first, "")
        if _PASETO.fullmatch(credential) and sent_scheme.lower() != scheme.lower():
            return _("Send the token as %(header)s.") % {"header": sent_as}
        key = api_settings.REFRESH_JSON_KEY
        try:
            data = request.data if "json" in str(meta.get("CONTENT_TYPE", "")) else None
        except (
            exceptions.APIException,
            RecursionError,
            RequestDataTooBig,
            TooManyFieldsSent,
        ):  # a body the view did not read, and cannot be read: no hint
            data = None
        if isinstance(data, dict) and "refresh" in data and key not in data:
            return _('Send the refresh token as {"%(key)s": "<token>"}, or as %(header)s.') % {
                "key": key,
                "header": sent_as,
            }
    elif code in ("invalid_request", "unsupported_media_type"):
        if "json" in str(meta.get("CONTENT_TYPE", "")):
            return None
        try:
            opening = bytes(getattr(request, "body", b"")).lstrip()[:1].decode("latin-1")
        except RawPostDataException:
            # The body was read as a stream, as a form: a JSON text parsed as a form is one
            # field whose name opens a brace.
            try:
                fields = list(getattr(request, "data", None) or ())
            except (exceptions.APIException, RequestDataTooBig, TooManyFieldsSent):
                fields = []
            opening = str(fields[0]).lstrip()[:1] if len(fields) == 1 else ""
        if opening == "{":
            return _('Send a JSON body with "Content-Type: application/json".')
    return None


def _add_hint(response: Any, request: Any) -> Any:
    """Put ``_habit_hint()``'s advice in an error body's ``detail``; the ``code`` stays."""
    data = getattr(response, "data", None)
    if isinstance(data, dict) and isinstance(data.get("code"), str):
        hint = _habit_hint(request, data["code"])
        if hint is not None:
            data["detail"] = hint
    return response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Any:
    """DRF's exception handler, with a ``code`` added to every error body.

    Set ``REST_FRAMEWORK["EXCEPTION_HANDLER"]`` to
    ``"drf_paseto.exceptions.exception_handler"`` so that errors raised by DRF itself
    (``IsAuthenticated``, throttling, parse errors) carry a stable ``code`` like drf_paseto's
    own, and a ``PasetoError`` raised in your views is answered as drf_paseto's views answer
    it. drf_paseto's views do both in any case.
    """
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, PasetoError):
        exc = to_api_exception(exc)
        if isinstance(exc, exceptions.AuthenticationFailed):
            # What APIView.handle_exception does for the authenticators' 401s: a challenge,
            # or a 403 from a view without any.
            view, request = context.get("view"), context.get("request")
            challenge = view.get_authenticate_header(request) if view and request else None
            if challenge:
                exc.auth_header = challenge  # type: ignore[attr-defined]
            else:
                exc.status_code = status.HTTP_403_FORBIDDEN
    response = add_error_code(drf_exception_handler(exc, context), exc)
    return _add_hint(response, context.get("request"))
