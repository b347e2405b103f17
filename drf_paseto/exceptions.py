"""Errors in two layers, each with a stable machine-readable ``code``.

``TokenError`` and its subclasses are raised below DRF (the backend, the token classes,
user resolution). Views and authenticators turn them into DRF exceptions with
``to_api_exception()``, whose JSON body is always ``{"detail": <message>, "code": <code>}``.
Messages are translatable; codes never change. Nothing secret goes into either: no key, no
token, no password, no claim value from the token.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status


class TokenError(Exception):
    """A token, or the request carrying it, cannot be accepted."""

    code = "token_invalid"
    message: str | Promise = _("Token is invalid.")
    status_code: int = status.HTTP_401_UNAUTHORIZED

    def __init__(self, message: str | Promise | None = None) -> None:
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class TokenInvalid(TokenError):
    """Not a well-formed token of ours: bad encoding, bad structure, failed authentication."""


class TokenTooLarge(TokenError):
    code = "token_too_large"
    message = _("Token is too large.")


class TokenUnsupported(TokenError):
    code = "token_unsupported"
    message = _("Token version or purpose is not accepted.")


class TokenKeyUnknown(TokenError):
    code = "token_key_unknown"
    message = _("Token was not issued with a key we know.")


class TokenClaimsInvalid(TokenError):
    code = "token_claims_invalid"
    message = _("Token claims are invalid.")


class TokenExpired(TokenError):
    code = "token_expired"
    message = _("Token has expired.")


class TokenNotYetValid(TokenError):
    code = "token_not_yet_valid"
    message = _("Token is not valid yet.")


class TokenIssuedInFuture(TokenError):
    code = "token_issued_in_future"
    message = _("Token was issued in the future.")


class TokenIssuerInvalid(TokenError):
    code = "token_issuer_invalid"
    message = _("Token issuer is not accepted.")


class TokenAudienceInvalid(TokenError):
    code = "token_audience_invalid"
    message = _("Token audience is not accepted.")


class TokenWrongType(TokenError):
    code = "token_wrong_type"
    message = _("Token has the wrong type for this endpoint.")


class TokenNotFresh(TokenError):
    code = "token_not_fresh"
    message = _("A fresh token is required: log in again with your credentials.")
    status_code = status.HTTP_403_FORBIDDEN


class TokenRequired(TokenError):
    code = "token_required"
    message = _("This endpoint requires a PASETO token.")
    status_code = status.HTTP_403_FORBIDDEN


class BadAuthorizationHeader(TokenError):
    code = "bad_authorization_header"
    message = _("Authorization header is malformed.")


class BadJSONToken(TokenError):
    code = "bad_json_token"
    message = _("The token in the request body is malformed.")


class BadCookieToken(TokenError):
    code = "bad_cookie_token"
    message = _("The token cookie is malformed.")


class CSRFMissing(TokenError):
    code = "csrf_missing"
    message = _("The CSRF header is missing: a token from a cookie needs it for this method.")
    status_code = status.HTTP_403_FORBIDDEN


class CSRFMismatch(TokenError):
    code = "csrf_mismatch"
    message = _("The CSRF header does not match the token.")
    status_code = status.HTTP_403_FORBIDDEN


class OriginNotAllowed(TokenError):
    code = "origin_not_allowed"
    message = _("This request comes from a page of another site: it is refused.")
    status_code = status.HTTP_403_FORBIDDEN


class TokenRevoked(TokenError):
    code = "token_revoked"
    message = _("Token has been revoked.")


class TokenReused(TokenError):
    code = "token_reused"
    message = _("Refresh token was already used: its session has been revoked.")


class StoreUnavailable(TokenError):
    code = "revocation_store_unavailable"
    message = _("Tokens cannot be checked right now; try again later.")
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE


class DatabaseUnavailable(TokenError):
    code = "database_unavailable"
    message = _("The service is unavailable right now; try again later.")
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE


class KeysUnavailable(TokenError):
    code = "keys_unavailable"
    message = _("Tokens cannot be handled right now; try again later.")
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE


class RevocationDisabled(TokenError):
    code = "revocation_disabled"
    message = _("This server does not revoke tokens.")
    status_code = status.HTTP_404_NOT_FOUND


class SessionNotFound(TokenError):
    """No live session of the caller's with that id (another user's is the same answer)."""

    code = "session_not_found"
    message = _("No such session.")
    status_code = status.HTTP_404_NOT_FOUND


class IntrospectionDisabled(TokenError):
    code = "introspection_disabled"
    message = _("This server does not introspect tokens.")
    status_code = status.HTTP_404_NOT_FOUND


class IntrospectionClientInvalid(TokenError):
    code = "invalid_client"
    message = _("Client authentication failed.")


class UserNotFound(TokenError):
    code = "user_not_found"
    message = _("User not found.")


class UserInactive(TokenError):
    code = "user_inactive"
    message = _("User is inactive.")


class InvalidCredentials(TokenError):
    code = "invalid_credentials"
    message = _("No active account found with the given credentials.")


class TokenNotIssuable(TokenError):
    """A token the server cannot issue (its custom claims): a 500, the reason in the log."""

    code = "token_not_issuable"
    message = _("The token cannot be issued; the server log says why.")
    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR


class ClaimsNotIssuable(ValueError, TypeError):
    """Custom claims that cannot go into a token: a reserved name, a value JSON cannot hold,
    a token over ``MAX_TOKEN_LENGTH`` or nested deeper than ``MAX_JSON_DEPTH``. The fault
    is the server's code (a serializer's ``get_token_claims()``), never the client's; the
    message names the cause and never a claim's value. Still a ``ValueError`` (and a
    ``TypeError``, for values JSON cannot hold), as before it had its own class."""


class KeyConfigurationError(Exception):
    """A key setting cannot be used. Raised while loading keys; surfaced by system checks."""


def error_body(message: Any, code: str) -> dict[str, Any]:
    """The JSON body of every error drf_paseto produces."""
    return {"detail": message, "code": code}


class NotAuthenticated(exceptions.NotAuthenticated):
    """401 with ``WWW-Authenticate``: no credentials at all, where some are required."""

    def __init__(self) -> None:
        super().__init__(error_body(self.default_detail, self.default_code))


class InvalidToken(exceptions.AuthenticationFailed):
    """401 with ``WWW-Authenticate``, for a ``TokenError`` whose status is 401."""

    def __init__(self, error: TokenError) -> None:
        super().__init__(error_body(error.message, error.code))
        self.code = error.code


class TokenPermissionDenied(exceptions.PermissionDenied):
    """403, for a ``TokenError`` whose status is 403 (not fresh, no token of ours)."""

    def __init__(self, error: TokenError) -> None:
        super().__init__(error_body(error.message, error.code))
        self.code = error.code


class TokenAPIException(exceptions.APIException):
    """Any other status a ``TokenError`` may carry."""

    def __init__(self, error: TokenError) -> None:
        super().__init__(error_body(error.message, error.code))
        self.status_code = error.status_code
        self.code = error.code


def to_api_exception(error: TokenError) -> exceptions.APIException:
    if error.status_code == status.HTTP_401_UNAUTHORIZED:
        return InvalidToken(error)
    if error.status_code == status.HTTP_403_FORBIDDEN:
        return TokenPermissionDenied(error)
    return TokenAPIException(error)


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
            response.data = {**error_body(_("Invalid request."), "invalid_request"), "errors": data}
    elif isinstance(data, dict) and "code" not in data:
        codes = exc.get_codes()
        data["code"] = codes if isinstance(codes, str) else exc.default_code
    return response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Any:
    """DRF's exception handler, with a ``code`` added to every error body.

    Set ``REST_FRAMEWORK["EXCEPTION_HANDLER"]`` to
    ``"drf_paseto.exceptions.exception_handler"`` so that errors raised by DRF itself
    (``IsAuthenticated``, throttling, parse errors) carry a stable ``code`` like drf_paseto's
    own. drf_paseto's views add it in any case.
    """
    from rest_framework.views import exception_handler as drf_exception_handler

    return add_error_code(drf_exception_handler(exc, context), exc)
