"""Keys, the token format and the claims: what every service that issues or reads tokens
sets (docs/keys.md, docs/many-services.md, docs/token-expiry.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings as django_settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from drf_paseto import backend
from drf_paseto._keys import _looks_like_paserk, build_key_ring
from drf_paseto.checks._base import (
    is_plain_http_to_another_host,
    is_seconds,
    is_str_or_strings,
    user_has_field,
    wrong_value,
)
from drf_paseto.clock import _as_leeway, _as_lifetime
from drf_paseto.exceptions import KeyConfigurationError
from drf_paseto.settings import api_settings

__all__: list[str] = []


#: The shortest non-PASERK secret that passes ``check --deploy`` without a warning.
_MIN_SECRET_LENGTH = 32


@register(Tags.security)
def _check_keys(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    try:
        backend._check_version(api_settings.VERSION)
    except KeyConfigurationError:
        messages.append(wrong_value("VERSION", "4 or 3 (v1 and v2 are refused)"))
    if api_settings.PURPOSE not in backend._PURPOSES:
        messages.append(wrong_value("PURPOSE", "'local' or 'public'"))
    if api_settings.KEYS_URL is not None:
        messages += _check_keys_url()
    if any(message.is_serious() for message in messages):
        return messages  # the keys cannot be read without a valid format
    try:
        ring = build_key_ring()
    except KeyConfigurationError as err:
        return [
            *messages,  # a warning about KEYS_URL hides no error about the keys
            Error(
                f"The key settings cannot be used: {err}.",
                hint="See docs/keys.md; `manage.py paseto_keygen` makes valid keys.",
                id="drf_paseto.E005",
            ),
        ]
    if ring.signing_key is None and api_settings.KEYS_URL is None:
        messages.append(
            Warning(
                "No PRIVATE_KEY: this service can verify tokens but not issue them.",
                hint="Set PRIVATE_KEY where login/ and refresh/ are served.",
                id="drf_paseto.W001",
            )
        )
    if api_settings.PURPOSE == "local":
        for name in ("PRIVATE_KEY", "PUBLIC_KEY"):
            if getattr(api_settings, name) is not None:
                messages.append(
                    Warning(
                        f"{name} is set, but PURPOSE is 'local': tokens are v4.local, made "
                        f"with SECRET_KEY, and {name} is not used.",
                        hint="Set PURPOSE = 'public' to sign tokens with the key pair, or "
                        f"remove {name}.",
                        id="drf_paseto.W012",
                    )
                )
    return messages


def _check_keys_url() -> list[CheckMessage]:
    """A service following the issuer's keys/ (docs/many-services.md)."""
    messages: list[CheckMessage] = []
    url = api_settings.KEYS_URL
    if api_settings.PURPOSE == "local":
        messages.append(
            Error(
                "KEYS_URL is set with PURPOSE 'local': local keys are secret and never "
                "published, so there is no key set to follow.",
                hint="Use PURPOSE 'public' on the issuer and on this service, or drop KEYS_URL "
                "and share the local key.",
                id="drf_paseto.E006",
            )
        )
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        messages.append(
            wrong_value(
                "KEYS_URL",
                "an http(s) URL",
                'The issuer\'s keys/ endpoint, such as "https://auth.example.com/auth/keys/".',
            )
        )
    elif is_plain_http_to_another_host(url):
        messages.append(
            Warning(
                "KEYS_URL is plain http to another host: whoever sits on the way can hand this "
                "service keys of their own, and their tokens are then accepted.",
                hint="Serve the issuer's keys/ over https (or on loopback).",
                id="drf_paseto.W004",
            )
        )
    return messages


@register(Tags.security)
def _check_claims(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for name in ("ACCESS_TOKEN_EXPIRES", "REFRESH_TOKEN_EXPIRES"):
        value = getattr(api_settings, name)
        try:
            _as_lifetime(value, name)
        except ImproperlyConfigured:
            messages.append(wrong_value(name, "a positive int of seconds, a timedelta, or False"))
            continue
        if value is False:
            messages.append(
                Warning(
                    f"{name} is False: these tokens expire only after 100 years.",
                    hint="Prefer a lifetime; revocation is the only other way to end them.",
                    id="drf_paseto.W002",
                )
            )
    try:
        _as_leeway(api_settings.DECODE_LEEWAY)
    except ImproperlyConfigured:
        messages.append(wrong_value("DECODE_LEEWAY", "seconds or a timedelta, not negative"))
    if not isinstance(api_settings.ISSUER, (str, type(None))):
        messages.append(
            wrong_value("ISSUER", "a string or None", "Such as 'https://auth.example.com'.")
        )
    audience = api_settings.AUDIENCE
    # An empty list would put ``"aud": []`` in every token, which no decoder accepts.
    if audience is not None and (not is_str_or_strings(audience) or not audience):
        messages.append(
            wrong_value(
                "AUDIENCE", "a string, a non-empty list of strings, or None", "Such as 'api'."
            )
        )
    field = api_settings.USER_ID_FIELD
    if not isinstance(field, str) or (field != "pk" and not user_has_field(field)):
        messages.append(
            Error(
                f"USER_ID_FIELD {field!r} is not a unique field of the user model.",
                hint="Use 'pk' (default) or a unique field of AUTH_USER_MODEL.",
                id="drf_paseto.E004",
            )
        )
    claim = api_settings.TOKEN_USER_USERNAME_CLAIM
    if claim is not None and (not isinstance(claim, str) or not claim):
        messages.append(
            wrong_value(
                "TOKEN_USER_USERNAME_CLAIM",
                "a claim name or None",
                "None (the default) makes the subject the username.",
            )
        )
    if not is_seconds(api_settings.KEYS_MAX_AGE_SECONDS):
        messages.append(wrong_value("KEYS_MAX_AGE_SECONDS", "an int of seconds, 0 or more"))
    return messages


@register(Tags.security, deploy=True)
def _check_secrets(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Every symmetric key a local-purpose service accepts, retired ones included: a token
    made with a guessable one is as good as one made with the current key."""
    if api_settings.PURPOSE != "local":
        return []
    secret = api_settings.SECRET_KEY
    candidates: list[tuple[str, Any]] = [
        ("DRF_PASETO['SECRET_KEY']", secret)
        if secret is not None
        else (
            "Django's SECRET_KEY (DRF_PASETO['SECRET_KEY'] is not set)",
            django_settings.SECRET_KEY,
        )
    ]
    retired = api_settings.RETIRED_KEYS
    if isinstance(retired, (list, tuple)):
        candidates += [(f"DRF_PASETO['RETIRED_KEYS'][{i}]", key) for i, key in enumerate(retired)]
    return [
        Warning(
            f"{where} is not a PASERK and is shorter than {_MIN_SECRET_LENGTH} characters: "
            "tokens made with it can be forged by guessing it.",
            hint="Use `manage.py paseto_keygen` for a k4.local key, or a long random string; "
            "drop a weak retired key once the tokens made with it have expired.",
            id="drf_paseto.W003",
        )
        for where, key in candidates
        if _is_weak(key)
    ]


def _is_weak(key: Any) -> bool:
    if isinstance(key, bytes):
        key = key.decode("utf-8", errors="replace")
    return (
        isinstance(key, str)
        and not _looks_like_paserk(key.strip())
        and len(key) < _MIN_SECRET_LENGTH
    )
