"""The key ring: which key signs, which keys verify, and the ``kid`` footer that picks one.

Keys are parsed once from ``DRF_PASETO`` and kept until settings change; with ``KEYS_URL``
they are the issuer's, followed by ``drf_paseto.keyset``. Every token we issue carries the
footer ``{"kid": "<PASERK id>"}``: ``k4.lid.…`` for local tokens, ``k4.pid.…`` (the id of
the public key) for public tokens. Decoding looks the ``kid`` up in the ring, and an unknown
``kid`` is refused: there is no "try every key". A token without a footer (most PASETO
libraries write none) is tried with the current key only: the signing key, or on a
verify-only service its ``PUBLIC_KEY`` or the key the issuer's key set marks current.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings
from django.views.decorators.debug import sensitive_variables

from drf_paseto import _encoding, backend, keyset
from drf_paseto.backend import PasetoKey
from drf_paseto.exceptions import KeyConfigurationError, TokenInvalid, TokenKeyUnknown
from drf_paseto.settings import api_settings

_PASERK = re.compile(r"k\d+\.[a-z-]+\.", re.ASCII)
# A footer is authenticated only after we have chosen the key it names, so it is parsed with
# tight bounds first: at most this many bytes, one flat object, the single key "kid".
MAX_FOOTER_LENGTH = 256


@dataclass(frozen=True)
class KeyRing:
    version: int
    purpose: str
    signing_key: PasetoKey | None
    # The kid our tokens carry: the id of the local key, or of the signing key's public key.
    signing_kid: str | None
    verifying_keys: dict[str, PasetoKey] = field(default_factory=dict)
    #: The kid a token without a footer is verified with (``None``: such tokens are refused).
    current_kid: str | None = None
    #: Whether the keys are the issuer's (``KEYS_URL``): an unknown kid may fetch them again.
    follows_issuer: bool = False

    def public_keys(self) -> list[PasetoKey]:
        """The keys that may be published: public keys only, never local or secret ones."""
        return [key for key in self.verifying_keys.values() if key.kind == "public"]

    # Every function that holds a key (or a key setting) in a local variable is marked with
    # sensitive_variables(): Django's error reports (the mail to ADMINS, Sentry's locals)
    # then show none of its variables, nor those of the functions it calls (pyseto's too).
    @sensitive_variables()
    def encode(self, payload: bytes) -> str:
        if self.signing_key is None:
            raise KeyConfigurationError(
                "no key to issue tokens with: set DRF_PASETO['PRIVATE_KEY']"
            )
        footer = _encoding.dumps({"kid": self.signing_kid})
        return backend._seal(self.signing_key, payload, footer)

    @sensitive_variables()
    def decode(self, token: str, max_length: int) -> bytes:
        parsed = backend._parse_token(
            token, version=self.version, purpose=self.purpose, max_length=max_length
        )
        kid = read_kid(parsed.footer) if parsed.footer else self.current_kid
        if kid is None:
            raise TokenKeyUnknown()
        key = self.verifying_keys.get(kid)
        if key is None and self.follows_issuer:
            key = _ring_of(keyset._refetch_for(kid)).verifying_keys.get(kid)
        if key is None:
            raise TokenKeyUnknown()
        return backend._open_token(parsed, key)


def _looks_like_paserk(text: str) -> bool:
    """Whether a key setting is meant as a PASERK (``k4.local.…``) rather than a secret."""
    return bool(_PASERK.match(text.strip()))


def read_kid(footer: bytes) -> str:
    """The ``kid`` of a footer, parsed before it is authenticated (so: tightly bounded)."""
    if not footer:
        raise TokenKeyUnknown()
    if len(footer) > MAX_FOOTER_LENGTH:
        raise TokenInvalid()
    try:
        value = _encoding.loads_object(footer, max_depth=1)
    except ValueError as err:
        raise TokenInvalid() from err
    kid = value.get("kid")
    if set(value) != {"kid"} or not isinstance(kid, str):
        raise TokenInvalid()
    return kid


@sensitive_variables()
def load_key(value: Any, version: int, purpose: str) -> PasetoKey:
    """One key setting: a PASERK, a PEM (public purpose), or a secret string (local)."""
    if isinstance(value, bytes):
        # Decoded outside an except block: a UnicodeDecodeError holds the whole key in its
        # arguments, and must not ride along as the __context__ of our error.
        text_value = value.decode("utf-8", errors="replace")
        if text_value.encode("utf-8") != value:
            raise KeyConfigurationError("a key given as bytes must be UTF-8 text")
        value = text_value
    if not isinstance(value, str) or not value.strip():
        raise KeyConfigurationError("a key must be a non-empty string")
    text = value.strip()
    if _looks_like_paserk(text):
        key = backend.key_from_paserk(text, version)
    elif text.startswith("-----BEGIN"):
        key = backend.key_from_pem(text, version)
    elif purpose == "local":
        return backend._derive_local_key(value, version)
    else:
        raise KeyConfigurationError("a public-purpose key must be a PASERK or a PEM key")
    if key.purpose != purpose:
        raise KeyConfigurationError(
            f"a {key.kind} key cannot be used for {purpose} tokens (PURPOSE is {purpose!r})"
        )
    return key


@sensitive_variables()
def build_key_ring() -> KeyRing:
    """Parse the key settings. Raises ``KeyConfigurationError`` with a reason."""
    version = api_settings.VERSION
    purpose = api_settings.PURPOSE
    backend._check_version(version)
    if purpose not in backend._PURPOSES:
        raise KeyConfigurationError("PURPOSE must be 'local' or 'public'")
    if api_settings.KEYS_URL is not None:
        return _issuer_ring(version, purpose)
    signing: PasetoKey | None
    verifying: list[PasetoKey]
    if purpose == "local":
        secret = api_settings.SECRET_KEY
        signing = load_key(
            django_settings.SECRET_KEY if secret is None else secret, version, "local"
        )
        verifying = [signing]
    else:
        private = api_settings.PRIVATE_KEY
        public = api_settings.PUBLIC_KEY
        signing = None if private is None else load_key(private, version, "public")
        if signing is not None and signing.kind != "secret":
            raise KeyConfigurationError("PRIVATE_KEY must be a secret key (k4.secret or PEM)")
        public_key = None if public is None else load_key(public, version, "public")
        if public_key is not None and public_key.kind != "public":
            raise KeyConfigurationError("PUBLIC_KEY must be a public key (k4.public or PEM)")
        derived = None if signing is None else backend.public_key_of(signing)
        if public_key is not None and derived is not None and public_key.kid != derived.kid:
            raise KeyConfigurationError("PUBLIC_KEY does not match PRIVATE_KEY")
        current = derived or public_key
        if current is None:
            raise KeyConfigurationError("the public purpose needs PRIVATE_KEY (or PUBLIC_KEY)")
        verifying = [current]
    retired = api_settings.RETIRED_KEYS
    if not isinstance(retired, (list, tuple)):
        raise KeyConfigurationError("RETIRED_KEYS must be a list of keys")
    for entry in retired:
        key = load_key(entry, version, purpose)
        verifying.append(backend.public_key_of(key) if key.kind == "secret" else key)
    return KeyRing(
        version=version,
        purpose=purpose,
        signing_key=signing,
        signing_kid=None if signing is None else verifying[0].kid,
        verifying_keys={key.kid: key for key in verifying},
        current_kid=verifying[0].kid,
    )


def _issuer_ring(version: int, purpose: str) -> KeyRing:
    """The settings of a service that follows its issuer's keys (``KEYS_URL``): no key of
    its own, and the public purpose. The keys themselves come with each key set."""
    if purpose != "public":
        raise KeyConfigurationError("KEYS_URL needs PURPOSE 'public': local keys are not published")
    for name in ("PRIVATE_KEY", "PUBLIC_KEY"):
        if getattr(api_settings, name) is not None:
            raise KeyConfigurationError(f"set KEYS_URL or {name}, not both")
    if api_settings.RETIRED_KEYS:
        raise KeyConfigurationError("set KEYS_URL or RETIRED_KEYS, not both")
    return KeyRing(version=version, purpose=purpose, signing_key=None, signing_kid=None)


def _ring_of(key_set: keyset._KeySet) -> KeyRing:
    """The ring of one of the issuer's key sets, built once per set."""
    kept = api_settings.derived.get("issuer_ring")
    if kept is not None and kept[0] is key_set:
        ring: KeyRing = kept[1]
        return ring
    ring = KeyRing(
        version=api_settings.VERSION,
        purpose="public",
        signing_key=None,
        signing_kid=None,
        verifying_keys=dict(key_set.keys),
        current_kid=key_set.current_kid,
        follows_issuer=True,
    )
    api_settings.derived["issuer_ring"] = (key_set, ring)
    return ring


def get_key_ring() -> KeyRing:
    """The key ring, parsed once and cached until ``DRF_PASETO`` changes; with
    ``KEYS_URL``, the ring of the issuer's key set in force (``KeysUnavailable`` when there
    is none)."""
    ring: KeyRing | None = api_settings.derived.get("key_ring")
    if ring is None:
        ring = build_key_ring()
        api_settings.derived["key_ring"] = ring
    if api_settings.KEYS_URL is not None:
        return _ring_of(keyset._get_key_set())
    return ring
