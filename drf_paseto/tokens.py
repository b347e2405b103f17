"""Token classes: built for a user they create a token, built from a string they validate it.

``AccessToken`` and ``RefreshToken`` are the two types the reference pages describe; any
other type is a subclass with its own ``token_type`` (``create_token`` issues a plain
``Token`` of any other type, for one-liners).
Every token carries these registered claims, which custom claims can never overwrite:

``sub`` (the user id, a string), ``type``, ``jti`` (unique id), ``sid`` (the login session the
tokens of one login share), ``iat`` / ``exp`` (and ``nbf`` when given) as RFC 3339 UTC
strings, ``iss`` / ``aud`` when configured, and ``fresh`` (a boolean) on access tokens.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.core.exceptions import ImproperlyConfigured

from drf_paseto import _encoding, backend, clock
from drf_paseto._keys import get_key_ring
from drf_paseto.exceptions import ClaimsNotIssuable, TokenError
from drf_paseto.settings import api_settings

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

__all__ = [
    "RESERVED_CLAIMS",
    "AccessToken",
    "RefreshToken",
    "Token",
    "create_token",
]


RESERVED_CLAIMS = frozenset(
    {"sub", "type", "jti", "sid", "iat", "exp", "nbf", "iss", "aud", "fresh", "csrf"}
)
_MAX_ID_LENGTH = 255

_T = TypeVar("_T", bound="Token")


def _as_list(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


class Token:
    """A PASETO token of one ``token_type``; ``Token`` itself accepts any type on decoding."""

    token_type: ClassVar[str | None] = None
    # The DRF_PASETO setting holding this type's lifetime; or set ``lifetime`` directly.
    lifetime_setting: ClassVar[str | None] = None
    lifetime: ClassVar[timedelta | None] = None
    payload: dict[str, Any]
    #: Where the token was read from ("headers", ...), set by the authenticator.
    location: str | None = None
    #: The login session the token was checked against (``revocation.SessionState``), set
    #: by the authenticator when revocation checks this token's type.
    session: Any = None

    def __init__(self, token: str | None = None, *, payload: dict[str, Any] | None = None):
        if (token is None) == (payload is None):
            raise TypeError("give a token string to validate, or a payload (use for_user())")
        self._token = token
        if token is not None:
            self.payload = self.decode(token)
            self.validate(self.payload)
        else:
            assert payload is not None
            self.payload = payload

    @classmethod
    def from_decoded(cls: type[_T], token: str, payload: dict[str, Any]) -> _T:
        """Validate a payload already decoded from ``token`` (by ``Token.decode``)."""
        cls.validate(payload)
        instance = cls.__new__(cls)
        instance._token = token
        instance.payload = payload
        return instance

    # --- creating -------------------------------------------------------------------------

    @classmethod
    def get_lifetime(cls) -> timedelta:
        if cls.lifetime is not None:
            return cls.lifetime
        if cls.lifetime_setting is None:
            raise ImproperlyConfigured(f"{cls.__name__} has no lifetime")
        return clock._lifetime(cls.lifetime_setting)

    @classmethod
    def get_subject(cls, user: AbstractBaseUser) -> str:
        return str(getattr(user, api_settings.USER_ID_FIELD))

    @classmethod
    def for_user(
        cls: type[_T],
        user: AbstractBaseUser,
        *,
        claims: Mapping[str, Any] | None = None,
        session_id: str | None = None,
        lifetime: timedelta | None = None,
    ) -> _T:
        """A new token for ``user``; ``session_id`` joins it to an existing login session,
        without it the token has a new session id of its own.

        Building a token writes nothing: with ``DENYLIST_ENABLED``, record a new session with
        ``drf_paseto.revocation.start_session()`` (as ``login/`` does), or the token is
        refused as revoked.
        """
        return cls.for_subject(
            cls.get_subject(user), claims=claims, session_id=session_id, lifetime=lifetime
        )

    @classmethod
    def for_subject(
        cls: type[_T],
        subject: str,
        *,
        claims: Mapping[str, Any] | None = None,
        session_id: str | None = None,
        lifetime: timedelta | None = None,
    ) -> _T:
        if cls.token_type is None:
            raise TypeError("Token has no type: use a subclass with a token_type")
        payload = cls.new_payload(
            subject,
            token_type=cls.token_type,
            lifetime=lifetime or cls.get_lifetime(),
            claims=claims,
            session_id=session_id,
        )
        token = cls(payload=payload)
        token.init_claims()
        return token

    @staticmethod
    def new_payload(
        subject: str,
        *,
        token_type: str,
        lifetime: timedelta,
        claims: Mapping[str, Any] | None = None,
        session_id: str | None = None,
    ) -> dict[str, Any]:
        """The payload of a new token: ``claims`` and the registered claims, which they can
        never overwrite (``ClaimsNotIssuable``)."""
        reserved = RESERVED_CLAIMS.intersection(claims or {})
        if reserved:
            raise ClaimsNotIssuable(f"reserved claims cannot be set: {', '.join(sorted(reserved))}")
        now = clock.current_time()
        payload: dict[str, Any] = dict(claims or {})
        payload.update(
            {
                "sub": str(subject),
                "type": token_type,
                "jti": uuid.uuid4().hex,
                "sid": session_id or uuid.uuid4().hex,
                "iat": _encoding.format_time(now),
                "exp": _encoding.format_time(now + lifetime),
            }
        )
        issuer = api_settings.ISSUER
        if issuer is not None:
            payload["iss"] = issuer
        audience = api_settings.AUDIENCE
        if audience is not None:
            payload["aud"] = audience if isinstance(audience, str) else list(audience)
        return payload

    def init_claims(self) -> None:
        """Hook: set type-specific claims on a new token."""

    def __str__(self) -> str:
        if self._token is None:
            # Issuing a token that decoding would refuse helps nobody: fail here, loudly,
            # naming the cause (never a value: claims can be personal data).
            try:
                data = _encoding.dumps(self.payload)
            except (TypeError, ValueError) as err:
                raise ClaimsNotIssuable(
                    "a custom claim is not JSON-serializable (strings, numbers, booleans, "
                    f"None, lists and dicts only): {type(err).__name__}"
                ) from None
            try:
                _encoding.loads_object(data, max_depth=backend.MAX_JSON_DEPTH)
            except ValueError:
                raise ClaimsNotIssuable(
                    "the custom claims nest deeper than MAX_JSON_DEPTH: flatten them"
                ) from None
            token = get_key_ring().encode(data)
            if len(token) > backend.MAX_TOKEN_LENGTH:
                raise ClaimsNotIssuable(
                    f"the token is {len(token)} characters, over MAX_TOKEN_LENGTH: "
                    "use fewer or smaller custom claims"
                )
            self._token = token
        return self._token

    # --- reading --------------------------------------------------------------------------

    @classmethod
    def decode(cls, token: str) -> dict[str, Any]:
        """Authenticate the token and parse its payload; no claim is checked yet."""
        if not isinstance(token, str):
            raise TokenError("token_claims_invalid")
        data = get_key_ring().decode(token, backend.MAX_TOKEN_LENGTH)
        try:
            return _encoding.loads_object(data, max_depth=backend.MAX_JSON_DEPTH)
        except ValueError as err:
            raise TokenError("token_claims_invalid") from err

    @classmethod
    def validate(cls, payload: dict[str, Any]) -> None:
        """Check every registered claim. Raises ``TokenError``, its ``code`` saying why."""
        token_type = payload.get("type")
        for name in ("sub", "type", "jti", "sid"):
            value = payload.get(name)
            if not isinstance(value, str) or not value or len(value) > _MAX_ID_LENGTH:
                raise TokenError("token_claims_invalid")
        if cls.token_type is not None and token_type != cls.token_type:
            raise TokenError("token_wrong_type")
        cls.validate_times(payload)
        cls.validate_issuer(payload)
        cls.validate_audience(payload)
        if "fresh" in payload and type(payload["fresh"]) is not bool:
            raise TokenError("token_claims_invalid")
        if "csrf" in payload and not isinstance(payload["csrf"], str):
            raise TokenError("token_claims_invalid")

    @classmethod
    def validate_times(cls, payload: dict[str, Any]) -> None:
        leeway = clock._leeway()
        now = clock.current_time()
        try:
            expires = _encoding.parse_time(payload.get("exp"))
            issued = _encoding.parse_time(payload.get("iat"))
            not_before = _encoding.parse_time(payload["nbf"]) if "nbf" in payload else None
        except ValueError as err:
            raise TokenError("token_claims_invalid") from err
        # The leeway moves ``now``, never a claim: a claim near datetime's limits must not
        # overflow (OverflowError) when the leeway is added to it.
        if now - leeway >= expires:
            raise TokenError("token_expired")
        latest = now + leeway
        if not_before is not None and latest < not_before:
            raise TokenError("token_not_yet_valid")
        if issued > latest:
            raise TokenError("token_issued_in_future")

    @classmethod
    def validate_issuer(cls, payload: dict[str, Any]) -> None:
        if "iss" in payload and not isinstance(payload["iss"], str):
            raise TokenError("token_claims_invalid")
        expected = api_settings.ISSUER
        if expected is not None and payload.get("iss") != expected:
            raise TokenError("token_issuer_invalid")

    @classmethod
    def validate_audience(cls, payload: dict[str, Any]) -> None:
        accepted = _as_list(api_settings.AUDIENCE)
        if "aud" not in payload:
            if accepted:
                raise TokenError("token_audience_invalid")
            return
        audience = payload["aud"]
        values = [audience] if isinstance(audience, str) else audience
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise TokenError("token_claims_invalid")
        if not set(values).intersection(accepted):
            raise TokenError("token_audience_invalid")

    # --- access ---------------------------------------------------------------------------

    def bind_csrf(self) -> str:
        """Put a new random ``csrf`` claim in this not-yet-issued token; return its value.

        A token delivered in a cookie is used with the double-submit pattern: the same
        value goes in a cookie the page can read, and must come back in a header.
        """
        if self._token is not None:
            raise ValueError("an issued token cannot change")
        value = secrets.token_urlsafe(24)
        self.payload["csrf"] = value
        return value

    def __getitem__(self, name: str) -> Any:
        return self.payload[name]

    def __contains__(self, name: object) -> bool:
        return name in self.payload

    def __setitem__(self, name: str, value: Any) -> None:
        if name in RESERVED_CLAIMS:
            raise ClaimsNotIssuable(f"{name!r} is a reserved claim")
        if self._token is not None:
            raise ValueError("an issued token cannot change")
        self.payload[name] = value

    def get(self, name: str, default: Any = None) -> Any:
        return self.payload.get(name, default)

    @property
    def type(self) -> str:
        return str(self.payload["type"])

    @property
    def subject(self) -> str:
        return str(self.payload["sub"])

    @property
    def jti(self) -> str:
        return str(self.payload["jti"])

    @property
    def session_id(self) -> str:
        return str(self.payload["sid"])

    @property
    def expires_at(self) -> datetime:
        return _encoding.parse_time(self.payload["exp"])

    @property
    def issued_at(self) -> datetime:
        return _encoding.parse_time(self.payload["iat"])

    @property
    def custom_claims(self) -> dict[str, Any]:
        return {k: v for k, v in self.payload.items() if k not in RESERVED_CLAIMS}

    def __repr__(self) -> str:  # never the token string
        payload = self.payload
        return f"<{type(self).__name__} type={payload.get('type')!r} jti={payload.get('jti')!r}>"


class AccessToken(Token):
    token_type = "access"
    lifetime_setting = "ACCESS_TOKEN_EXPIRES"

    def init_claims(self) -> None:
        self.payload.setdefault("fresh", False)

    @classmethod
    def for_user(
        cls,
        user: AbstractBaseUser,
        *,
        fresh: bool = False,
        claims: Mapping[str, Any] | None = None,
        session_id: str | None = None,
        lifetime: timedelta | None = None,
    ) -> AccessToken:
        token = super().for_user(user, claims=claims, session_id=session_id, lifetime=lifetime)
        token.payload["fresh"] = bool(fresh)
        return token

    @classmethod
    def validate(cls, payload: dict[str, Any]) -> None:
        super().validate(payload)
        if type(payload.get("fresh")) is not bool:
            raise TokenError("token_claims_invalid")

    @property
    def fresh(self) -> bool:
        return self.payload.get("fresh") is True


class RefreshToken(Token):
    token_type = "refresh"
    lifetime_setting = "REFRESH_TOKEN_EXPIRES"

    @classmethod
    def validate(cls, payload: dict[str, Any]) -> None:
        super().validate(payload)
        if "fresh" in payload:
            raise TokenError("token_claims_invalid")

    def make_access_token(self, *, fresh: bool = False) -> AccessToken:
        """An access token of the same user and login session, with the same custom claims."""
        access = AccessToken.for_subject(
            self.subject, claims=self.custom_claims, session_id=self.session_id
        )
        access.payload["fresh"] = bool(fresh)
        return access

    @property
    def access_token(self) -> AccessToken:
        """A new access token from this refresh token: never fresh."""
        return self.make_access_token(fresh=False)


def create_token(
    user: AbstractBaseUser,
    token_type: str,
    *,
    lifetime: timedelta,
    claims: Mapping[str, Any] | None = None,
    session_id: str | None = None,
) -> Token:
    """A ``Token`` of a custom type (fastapi-paseto-auth's ``create_token(type=...)``).

    The one-liner for a token issued in one place; a type used in several places reads
    better as a subclass (``class EmailVerifyToken(Token)`` with a ``token_type`` and a
    ``lifetime``), which issues with ``for_user()`` and validates the type when decoding.
    Decode this one with such a subclass, or with ``Token`` and a check of ``token.type``;
    the access and refresh authenticators refuse it.
    """
    if token_type in (AccessToken.token_type, RefreshToken.token_type):
        raise ValueError("use AccessToken or RefreshToken for these types")
    return Token(
        payload=Token.new_payload(
            Token.get_subject(user),
            token_type=token_type,
            lifetime=lifetime,
            claims=claims,
            session_id=session_id,
        )
    )
