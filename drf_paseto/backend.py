"""The crypto layer: the only module that imports pyseto (or touches key material).

pyseto does the cryptography. This module closes the places where pyseto is lenient:

* tokens are parsed here, strictly, before pyseto sees them: only the expected
  ``v<version>.<purpose>.`` header, canonical unpadded base64url in every segment, a bounded
  length, and a body long enough to hold its nonce, tag or signature;
* keys are typed: a key is ``local``, ``secret`` or ``public`` of one version, a PASERK must
  name the configured version and decode canonically to exactly the right length (pyseto
  accepts any v4.local key length up to 64 bytes: we accept 32 only), and a key is only ever
  used for the purpose and version it was made for;
* claims are not checked here at all: pyseto's claim checks are never used, the token layer
  (``drf_paseto.tokens``) does that itself.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any, Literal

import pyseto
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from drf_paseto.exceptions import (
    KeyConfigurationError,
    TokenInvalid,
    TokenTooLarge,
    TokenUnsupported,
)

__all__ = [
    "KDF_LABEL",
    "MAX_JSON_DEPTH",
    "MAX_TOKEN_LENGTH",
    "PasetoKey",
    "generate_key",
    "key_from_paserk",
    "key_from_pem",
    "public_key_of",
    "secret_paserk",
]


_KeyKind = Literal["local", "secret", "public"]

_SUPPORTED_VERSIONS = (3, 4)
_PURPOSES = ("local", "public")

#: Bounds on untrusted input (docs/security.md), constants rather than settings: a token
#: longer than this many characters is refused (``token_too_large``) before anything is
#: decoded, and so is issuing one; 4096 leaves room for a dozen custom claims under the
#: usual 8 KiB header limit of proxies.
MAX_TOKEN_LENGTH = 4096
#: The deepest JSON nesting a token's payload may have, the payload object counting as 1.
MAX_JSON_DEPTH = 8

# Raw key sizes by (version, kind), in bytes.
_KEY_SIZES: dict[tuple[int, str], int] = {
    (3, "local"): 32,
    (4, "local"): 32,
    (3, "secret"): 48,  # a P-384 scalar
    (3, "public"): 49,  # a compressed P-384 point
    (4, "secret"): 64,  # Ed25519 seed followed by its public key
    (4, "public"): 32,
}
# The shortest body a token can have: nonce + tag (local) or signature (public).
_MIN_BODY: dict[tuple[int, str], int] = {
    (3, "local"): 32 + 48,
    (4, "local"): 32 + 32,
    (3, "public"): 96,
    (4, "public"): 64,
}
# The domain-separation label of the key derivation for non-PASERK secrets (docs: keys.md).
KDF_LABEL = "drf_paseto key derivation: v{version}.local"


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url, refusing every non-canonical spelling.

    The rule: decode, encode the bytes again, and accept only if that gives ``text`` back.
    It refuses padding, characters outside the URL-safe alphabet (which the lenient decoder
    would skip), a length that no encoding produces, and non-zero unused bits in the last
    character (the official vectors 4-F-4 and 4-F-5, which ``base64.urlsafe_b64decode``
    accepts).
    """
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as err:  # a length no encoding has, not ASCII
        raise ValueError("not canonical base64url") from err
    if _b64url_encode(data) != text:
        raise ValueError("not canonical base64url")
    return data


@dataclass(frozen=True)
class PasetoKey:
    """A typed key: one version, one kind, and its PASERK id."""

    version: int
    kind: _KeyKind
    key: Any = field(repr=False)  # the pyseto key object
    kid: str

    @property
    def purpose(self) -> str:
        return "local" if self.kind == "local" else "public"

    @property
    def can_sign(self) -> bool:
        return self.kind in ("local", "secret")

    def public_paserk(self) -> str:
        """The PASERK of a public key. Refuses, by construction, every other kind."""
        if self.kind != "public":
            raise KeyConfigurationError("only a public key can be published")
        return str(self.key.to_paserk())

    def __repr__(self) -> str:  # never the key material
        return f"PasetoKey(v{self.version}.{self.kind}, kid={self.kid!r})"


def _check_version(version: object) -> None:
    """The one version rule: 4 or 3, as an ``int``. Raises ``KeyConfigurationError``."""
    # type(): 4.0 == 4 and True == 1, but a float or bool version would build "v4.0." headers.
    if type(version) is not int or version not in _SUPPORTED_VERSIONS:
        raise KeyConfigurationError(
            f"PASETO version {version!r} is not supported: VERSION must be 4 or 3 "
            "(v1 and v2 are refused)"
        )


def _wrap(version: int, kind: _KeyKind, key: Any) -> PasetoKey:
    kid = key.to_paserk_id()
    return PasetoKey(version=version, kind=kind, key=key, kid=str(kid))


def _raw_from_paserk(paserk: str, version: int) -> tuple[_KeyKind, bytes]:
    parts = paserk.split(".")
    if len(parts) != 3 or parts[0] not in ("k3", "k4"):
        raise KeyConfigurationError("not a PASERK key (k3.* or k4.*)")
    if parts[0] != f"k{version}":
        raise KeyConfigurationError(f"a {parts[0]} key cannot be used with PASETO v{version}")
    kind = parts[1]
    if kind not in ("local", "secret", "public"):
        raise KeyConfigurationError(f"PASERK type {kind!r} is not a plain key")
    try:
        raw = _b64url_decode(parts[2])
    except ValueError as err:
        raise KeyConfigurationError("the PASERK data is not canonical base64url") from err
    if len(raw) != _KEY_SIZES[(version, kind)]:
        raise KeyConfigurationError(
            f"a k{version}.{kind} key must be {_KEY_SIZES[(version, kind)]} bytes"
        )
    return kind, raw  # type: ignore[return-value]


def _public_from_secret_raw(version: int, raw: bytes) -> bytes:
    try:
        if version == 4:
            public = ed25519.Ed25519PrivateKey.from_private_bytes(raw[:32]).public_key()
            return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        scalar = int.from_bytes(raw, "big")
        private = ec.derive_private_key(scalar, ec.SECP384R1())
        return private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
    except ValueError as err:
        raise KeyConfigurationError("the secret key is not a valid key") from err


def _key_from_raw(version: int, kind: _KeyKind, raw: bytes) -> PasetoKey:
    """A public or secret key from its raw bytes (already checked for length)."""
    try:
        key = pyseto.Key.from_paserk(f"k{version}.{kind}.{_b64url_encode(raw)}")
    except Exception as err:
        raise KeyConfigurationError(f"not a valid k{version}.{kind} key") from err
    return _wrap(version, kind, key)


def _public_key_from_raw(version: int, raw: bytes) -> PasetoKey:
    return _key_from_raw(version, "public", raw)


def key_from_paserk(paserk: str, version: int) -> PasetoKey:
    """Load a ``k<version>.local``, ``.secret`` or ``.public`` PASERK, strictly."""
    _check_version(version)
    kind, raw = _raw_from_paserk(paserk.strip(), version)
    if kind == "local":
        return _local_key_from_bytes(raw, version)
    if kind == "public":
        return _public_key_from_raw(version, raw)
    if version == 4 and _public_from_secret_raw(4, raw) != raw[32:]:
        raise KeyConfigurationError("the k4.secret key's public half does not match its seed")
    return _key_from_raw(version, "secret", raw)


def _local_key_from_bytes(raw: bytes, version: int) -> PasetoKey:
    """A local key from exactly 32 raw bytes."""
    _check_version(version)
    if len(raw) != 32:
        raise KeyConfigurationError(f"a v{version}.local key must be exactly 32 bytes")
    return _wrap(version, "local", pyseto.Key.new(version, "local", raw))


def _derive_local_key(secret: str, version: int) -> PasetoKey:
    """Derive a 32-byte local key from any string with HKDF-SHA384 and a fixed label."""
    hkdf = HKDF(
        algorithm=hashes.SHA384(),
        length=32,
        salt=None,
        info=KDF_LABEL.format(version=version).encode("ascii"),
    )
    return _local_key_from_bytes(hkdf.derive(secret.encode("utf-8")), version)


def key_from_pem(pem: str | bytes, version: int) -> PasetoKey:
    """Load a PEM private or public key of the curve the version requires."""
    _check_version(version)
    data = pem.encode("utf-8") if isinstance(pem, str) else pem
    if b"ENCRYPTED" in data:  # "BEGIN ENCRYPTED PRIVATE KEY", or "Proc-Type: 4,ENCRYPTED"
        raise KeyConfigurationError(
            "encrypted PEM keys are not supported: give the key unencrypted, kept secret like "
            "any other key setting"
        )
    try:
        if b"PRIVATE KEY-----" in data:
            loaded: object = serialization.load_pem_private_key(data, password=None)
        else:
            loaded = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as err:  # e.g. a secp112r1 key
        raise KeyConfigurationError("the PEM key cannot be read") from err
    if version == 4:
        if isinstance(loaded, ed25519.Ed25519PrivateKey):
            raw = loaded.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
            raw += _public_from_secret_raw(4, raw)
            return key_from_paserk(f"k4.secret.{_b64url_encode(raw)}", 4)
        if isinstance(loaded, ed25519.Ed25519PublicKey):
            raw = loaded.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            return _public_key_from_raw(4, raw)
        raise KeyConfigurationError("PASETO v4.public needs an Ed25519 key")
    if isinstance(loaded, ec.EllipticCurvePrivateKey) and isinstance(loaded.curve, ec.SECP384R1):
        raw = loaded.private_numbers().private_value.to_bytes(48, "big")
        return key_from_paserk(f"k3.secret.{_b64url_encode(raw)}", 3)
    if isinstance(loaded, ec.EllipticCurvePublicKey) and isinstance(loaded.curve, ec.SECP384R1):
        raw = loaded.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
        return _public_key_from_raw(3, raw)
    raise KeyConfigurationError("PASETO v3.public needs a P-384 key")


def public_key_of(secret: PasetoKey) -> PasetoKey:
    """The public key that verifies what a secret key signs."""
    if secret.kind != "secret":
        raise KeyConfigurationError("only a secret key has a public key")
    _, raw = _raw_from_paserk(str(secret.key.to_paserk()), secret.version)
    return _public_key_from_raw(secret.version, _public_from_secret_raw(secret.version, raw))


def generate_key(version: int, purpose: str) -> PasetoKey:
    """A fresh random key: ``local``, or ``secret`` for the public purpose."""
    _check_version(version)
    if purpose not in _PURPOSES:
        raise KeyConfigurationError(f"PASETO purpose {purpose!r} is not 'local' or 'public'")
    if purpose == "local":
        import secrets

        return _local_key_from_bytes(secrets.token_bytes(32), version)
    if version == 4:
        private: Any = ed25519.Ed25519PrivateKey.generate()
    else:
        private = ec.generate_private_key(ec.SECP384R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_from_pem(pem, version)


def secret_paserk(key: PasetoKey) -> str:
    """The PASERK of a local or secret key, for ``paseto_keygen`` only."""
    return str(key.key.to_paserk())


# --- tokens -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ParsedToken:
    """A token split and decoded, not yet authenticated."""

    header: str  # "v4.local."
    body: bytes
    footer: bytes


def _parse_token(token: str, *, version: int, purpose: str, max_length: int) -> _ParsedToken:
    """Split a token strictly. Nothing here is authenticated yet."""
    if len(token) > max_length:
        raise TokenTooLarge()
    parts = token.split(".")
    if len(parts) not in (3, 4):
        raise TokenInvalid()
    header = f"{parts[0]}.{parts[1]}."
    if header != f"v{version}.{purpose}.":
        raise TokenUnsupported()
    try:
        body = _b64url_decode(parts[2])
        footer = _b64url_decode(parts[3]) if len(parts) == 4 else b""
    except ValueError as err:
        raise TokenInvalid() from err
    if len(parts) == 4 and not footer:
        raise TokenInvalid()  # an empty footer is spelled without the dot
    if len(body) <= _MIN_BODY[(version, purpose)] - (1 if purpose == "local" else 0):
        raise TokenInvalid()
    return _ParsedToken(header=header, body=body, footer=footer)


def _open_token(parsed: _ParsedToken, key: PasetoKey, implicit_assertion: bytes = b"") -> bytes:
    """Decrypt or verify a parsed token with one key; return the payload bytes."""
    if parsed.header != f"v{key.version}.{key.purpose}.":
        raise TokenUnsupported()
    try:
        if key.kind == "local":
            return bytes(key.key.decrypt(parsed.body, parsed.footer, implicit_assertion))
        return bytes(key.key.verify(parsed.body, parsed.footer, implicit_assertion))
    except Exception as err:  # pyseto raises DecryptError, VerifyError or ValueError
        raise TokenInvalid() from err


def _seal(key: PasetoKey, payload: bytes, footer: bytes, implicit_assertion: bytes = b"") -> str:
    """Encrypt (local) or sign (secret) a payload into a token string."""
    if not key.can_sign:
        raise KeyConfigurationError("a public key cannot issue tokens")
    token = pyseto.encode(key.key, payload, footer, implicit_assertion)
    return bytes(token).decode("ascii")
