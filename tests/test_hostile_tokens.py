"""Hostile tokens: forged and confused tokens against the whole stack (docs/security-tests.md).

Every token here is made by an attacker: with raw pyseto (which will happily make what our
layer refuses to make), with other keys, versions and purposes, by tampering with a token we
issued, or, where the claim layer is the target, with our own key (what an attacker holding
a token-issuing bug, or a confused issuer, could make). Each one is refused with a 4xx and
the exact ``{"detail", "code"}`` body, and never opens anything.

A control (``ControlTests``) shows that the forging helpers make tokens that *are* accepted
when nothing is wrong with them, so every refusal below is a refusal of the one thing that
was changed.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta
from typing import Any
from unittest import mock

import pyseto
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from drf_paseto import backend
from drf_paseto._encoding import format_time
from drf_paseto._keys import load_key
from drf_paseto.clock import current_time
from drf_paseto.exceptions import (
    ClaimsNotIssuable,
    KeyConfigurationError,
    TokenError,
    TokenUnsupported,
)
from drf_paseto.tokens import AccessToken, RefreshToken, Token, create_token
from tests import keys
from tests.helpers import (
    DROP,
    PUBLIC_V3,
    PUBLIC_V4,
    REFRESH_URL,
    VERIFY_URL,
    TokenAPITestCase,
    claims,
    forge,
    kid_footer,
    kid_of,
    paseto_settings,
)

PROTECTED = "/protected/"
FRESH = "/fresh/"
ACCESS_ENDPOINTS = ("/protected/", "/fresh/", "/optional/", "/authenticated/", "/open/")
REFRESH_ENDPOINTS = (REFRESH_URL, "/refresh-only/")


# --- forging helpers -------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def forge_raw(version: int, purpose: str, raw_key: bytes, payload: bytes, footer: bytes) -> str:
    """A token of any version pyseto knows (v1 and v2 too) with a raw key."""
    return pyseto.encode(pyseto.Key.new(version, purpose, raw_key), payload, footer).decode()


def split(token: str) -> list[str]:
    return token.split(".")


def with_body(token: str, body: bytes) -> str:
    parts = split(token)
    parts[2] = b64(body)
    return ".".join(parts)


def with_footer(token: str, footer: bytes | None) -> str:
    parts = split(token)[:3]
    if footer is not None:
        parts.append(b64(footer))
    return ".".join(parts)


def flip_bit(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


class HostileTokenTestCase(TokenAPITestCase):
    def assertRefused(self, token: str, code: str, url: str = PROTECTED, method: str = "get"):
        """Refused at ``url`` (401, the exact body) and by the verify view too."""
        response = getattr(self.client, method)(url, **self.bearer(token))
        self.assertError(response, 401, code)
        return response

    def assertVerifyRefuses(self, token: str, code: str) -> None:
        self.issued.append(token)
        response = self.client.post(VERIFY_URL, {"token": token}, format="json")
        self.assertError(response, 401, code)


class ControlTests(HostileTokenTestCase):
    """The forging helpers make acceptable tokens: the refusals below are meaningful."""

    def test_forged_access_token_with_our_key_is_accepted(self) -> None:
        token = forge(claims(self.user.pk))
        self.assertUser(self.get_with(PROTECTED, token))

    def test_forged_refresh_token_with_our_key_is_accepted(self) -> None:
        token = forge(claims(self.user.pk, "refresh"))
        response = self.client.post(REFRESH_URL, **self.bearer(token))
        self.assertEqual(response.status_code, 200, response.content)

    def test_forged_public_token_is_accepted(self) -> None:
        with paseto_settings(**PUBLIC_V4):
            token = forge(claims(self.user.pk), key=keys.SECRET_V4_1)
            self.assertUser(self.get_with(PROTECTED, token))


# --- keys, versions and purposes --------------------------------------------------------------


class WrongKeyTests(HostileTokenTestCase):
    """Local v4 is configured (LOCAL_V4_1): tokens of every other key, version and purpose."""

    def test_another_local_key_with_its_own_kid(self) -> None:
        self.assertRefused(forge(claims(self.user.pk), key=keys.LOCAL_V4_2), "token_key_unknown")

    def test_another_local_key_claiming_our_kid(self) -> None:
        token = forge(claims(self.user.pk), key=keys.LOCAL_V4_2, footer=kid_footer(keys.LOCAL_V4_1))
        self.assertRefused(token, "token_invalid")
        self.assertVerifyRefuses(token, "token_invalid")

    def test_random_keys_claiming_our_kid(self) -> None:
        for _ in range(5):
            raw = uuid.uuid4().bytes * 2
            token = forge_raw(4, "local", raw, b"{}", kid_footer(keys.LOCAL_V4_1))
            self.assertRefused(token, "token_invalid")

    def test_other_versions_are_unsupported(self) -> None:
        payload = json.dumps(claims(self.user.pk)).encode()
        footer = kid_footer(keys.LOCAL_V4_1)
        raw = unb64(keys.LOCAL_V4_1.split(".")[2])
        # v1 and v2 with our very key bytes, v3 with our bytes and with a v3 key.
        for version in (1, 2, 3):
            with self.subTest(version=version):
                token = forge_raw(version, "local", raw, payload, footer)
                self.assertRefused(token, "token_unsupported")
        self.assertRefused(forge(claims(self.user.pk), key=keys.LOCAL_V3_1), "token_unsupported")

    def test_public_purpose_tokens_are_unsupported_here(self) -> None:
        for secret in (keys.SECRET_V4_1, keys.SECRET_V3_1):
            with self.subTest(secret=secret[:9]):
                token = forge(claims(self.user.pk), key=secret)
                self.assertRefused(token, "token_unsupported")
                self.assertVerifyRefuses(token, "token_unsupported")

    def test_v2_public_token(self) -> None:
        private = ed25519.Ed25519PrivateKey.generate()
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        token = pyseto.encode(
            pyseto.Key.new(2, "public", pem), json.dumps(claims(self.user.pk)).encode()
        ).decode()
        self.assertRefused(token, "token_unsupported")

    def test_unknown_versions_and_purposes_in_the_header(self) -> None:
        good = split(forge(claims(self.user.pk)))
        for header in (
            ("v5", "local"),
            ("v4", "secret"),
            ("v4", "Local"),
            ("V4", "local"),
            ("v04", "local"),
            ("v4", "local2"),
            ("v4", ""),
            ("", "local"),
            ("k4", "local"),
            ("v4", "pid"),
        ):
            with self.subTest(header=header):
                self.assertRefused(".".join([*header, *good[2:]]), "token_unsupported")

    def test_v3_configuration_refuses_v4_and_other_v3_keys(self) -> None:
        with paseto_settings(VERSION=3, SECRET_KEY=keys.LOCAL_V3_1):
            self.assertRefused(forge(claims(self.user.pk)), "token_unsupported")
            self.assertRefused(
                forge(claims(self.user.pk), key=keys.LOCAL_V3_2), "token_key_unknown"
            )
            self.assertRefused(
                forge(
                    claims(self.user.pk), key=keys.LOCAL_V3_2, footer=kid_footer(keys.LOCAL_V3_1)
                ),
                "token_invalid",
            )
            self.assertUser(
                self.get_with(PROTECTED, forge(claims(self.user.pk), key=keys.LOCAL_V3_1))
            )


class PublicPurposeTests(HostileTokenTestCase):
    """v4.public is configured (SECRET_V4_1): what an attacker holding the public key can do."""

    def setUp(self) -> None:
        super().setUp()
        settings = paseto_settings(**PUBLIC_V4)
        settings.enable()
        self.addCleanup(settings.disable)

    def test_public_key_bytes_used_as_a_local_key(self) -> None:
        """The classic confusion: the published key as a symmetric key (here: refused)."""
        raw_public = unb64(keys.PUBLIC_V4_1.split(".")[2])
        self.assertEqual(len(raw_public), 32)
        payload = json.dumps(claims(self.user.pk)).encode()
        token = forge_raw(4, "local", raw_public, payload, kid_footer(keys.SECRET_V4_1))
        self.assertRefused(token, "token_unsupported")
        self.assertVerifyRefuses(token, "token_unsupported")
        # The header is the only difference: a v4.public header on the local body fails.
        parts = split(token)
        parts[1] = "public"
        self.assertRefused(".".join(parts), "token_invalid")

    def test_our_layer_never_uses_a_public_key_as_a_local_one(self) -> None:
        public = backend.key_from_paserk(keys.PUBLIC_V4_1, 4)
        payload = json.dumps(claims(self.user.pk)).encode()
        local_token = forge_raw(
            4, "local", unb64(keys.PUBLIC_V4_1.split(".")[2]), payload, kid_footer(keys.SECRET_V4_1)
        )
        parsed = backend._parse_token(local_token, version=4, purpose="local", max_length=4096)
        with self.assertRaises(TokenUnsupported):
            backend._open_token(parsed, public)
        with self.assertRaises(KeyConfigurationError):
            backend._seal(public, payload, b"")
        with self.assertRaises(KeyConfigurationError):
            load_key(keys.PUBLIC_V4_1, 4, "local")
        with self.assertRaises(KeyConfigurationError):
            load_key(keys.LOCAL_V4_1, 4, "public")

    def test_another_signing_key(self) -> None:
        self.assertRefused(forge(claims(self.user.pk), key=keys.SECRET_V4_2), "token_key_unknown")
        token = forge(
            claims(self.user.pk), key=keys.SECRET_V4_2, footer=kid_footer(keys.SECRET_V4_1)
        )
        self.assertRefused(token, "token_invalid")
        self.assertVerifyRefuses(token, "token_invalid")

    def test_local_tokens_of_every_key_are_unsupported(self) -> None:
        for key in (keys.LOCAL_V4_1, keys.LOCAL_V4_2):
            self.assertRefused(forge(claims(self.user.pk), key=key), "token_unsupported")

    def test_v3_public_tokens_are_unsupported(self) -> None:
        self.assertRefused(forge(claims(self.user.pk), key=keys.SECRET_V3_1), "token_unsupported")

    def test_signature_of_one_token_on_another_body(self) -> None:
        first_token = forge(claims(self.user.pk), key=keys.SECRET_V4_1)
        first = unb64(split(first_token)[2])
        second = unb64(split(forge(claims(self.user.pk, fresh=True), key=keys.SECRET_V4_1))[2])
        spliced = with_body(first_token, second[:-64] + first[-64:])
        self.assertRefused(spliced, "token_invalid")

    def test_kid_of_a_local_key_in_a_public_token(self) -> None:
        token = forge(
            claims(self.user.pk), key=keys.SECRET_V4_1, footer=kid_footer(keys.LOCAL_V4_1)
        )
        self.assertRefused(token, "token_key_unknown")


class PublicV3Tests(HostileTokenTestCase):
    def test_v3_public_refuses_v4_and_other_keys(self) -> None:
        with paseto_settings(**PUBLIC_V3):
            self.assertUser(
                self.get_with(PROTECTED, forge(claims(self.user.pk), key=keys.SECRET_V3_1))
            )
            self.assertRefused(
                forge(claims(self.user.pk), key=keys.SECRET_V4_1), "token_unsupported"
            )
            self.assertRefused(
                forge(claims(self.user.pk), key=keys.SECRET_V3_2), "token_key_unknown"
            )
            self.assertRefused(
                forge(
                    claims(self.user.pk), key=keys.SECRET_V3_2, footer=kid_footer(keys.SECRET_V3_1)
                ),
                "token_invalid",
            )


# --- tampering -------------------------------------------------------------------------------


class TamperTests(HostileTokenTestCase):
    """A token we issued, changed in each segment: header, nonce, ciphertext, tag, footer."""

    def setUp(self) -> None:
        super().setUp()
        self.token = self.login()["access_token"]
        self.parts = split(self.token)

    def test_every_single_bit_of_the_body_is_authenticated(self) -> None:
        body = unb64(self.parts[2])
        for bit in range(len(body) * 8):
            with self.subTest(bit=bit):
                with self.assertRaises(TokenError) as caught:
                    AccessToken(with_body(self.token, flip_bit(body, bit)))
                self.assertEqual(caught.exception.code, "token_invalid")

    def test_every_single_bit_of_the_footer_is_authenticated_or_refused(self) -> None:
        footer = unb64(self.parts[3])
        for bit in range(len(footer) * 8):
            with self.subTest(bit=bit):
                with self.assertRaises(TokenError) as caught:
                    AccessToken(with_footer(self.token, flip_bit(footer, bit)))
                self.assertIn(caught.exception.code, {"token_invalid", "token_key_unknown"})

    def test_tampered_regions_over_http(self) -> None:
        body = unb64(self.parts[2])
        regions = {
            "nonce": 0,
            "ciphertext": 32 + (len(body) - 64) // 2,
            "tag": len(body) - 1,
        }
        for region, index in regions.items():
            with self.subTest(region=region):
                self.assertRefused(
                    with_body(self.token, flip_bit(body, index * 8)), "token_invalid"
                )

    def test_header_changes(self) -> None:
        rest = ".".join(self.parts[2:])
        for header in ("v4.public.", "v3.local.", "v2.local.", "V4.local.", "v4.LOCAL."):
            with self.subTest(header=header):
                self.assertRefused(header + rest, "token_unsupported")

    def test_truncations(self) -> None:
        body = unb64(self.parts[2])
        for cut in (1, 2, 16, 32, len(body) - 64, len(body) - 63):
            with self.subTest(cut=cut):
                self.assertRefused(with_body(self.token, body[:-cut]), "token_invalid")
        for length in (0, 1, 63, 64):
            with self.subTest(length=length):
                self.assertRefused(with_body(self.token, body[:length]), "token_invalid")

    def test_appended_and_prepended_bytes(self) -> None:
        body = unb64(self.parts[2])
        for changed in (body + b"\x00", b"\x00" + body, body + body[-32:], body * 2):
            self.assertRefused(with_body(self.token, changed), "token_invalid")

    def test_segment_counts(self) -> None:
        for token in (
            ".".join(self.parts[:2]),
            ".".join(self.parts[:2]) + ".",
            self.token + "." + self.parts[3],
            self.token + ".",
            ".".join(self.parts[1:]),
            "v4",
            ".",
            "...",
            "....",
        ):
            with self.subTest(token=token[:20]):
                response = self.client.get(PROTECTED, **self.bearer(token))
                self.assertIn(
                    response.json()["code"], {"token_invalid", "token_unsupported"}, token
                )
                self.assertEqual(response.status_code, 401)

    def test_non_canonical_base64_is_refused(self) -> None:
        body_text = self.parts[2]
        footer_text = self.parts[3]
        cases = {
            # Padding and the standard alphabet: refused by the header check first ...
            "padded body": (f"v4.local.{body_text}==.{footer_text}", "bad_authorization_header"),
            "padded footer": (f"v4.local.{body_text}.{footer_text}=", "bad_authorization_header"),
            "standard alphabet": (
                "v4.local." + body_text.replace("-", "+").replace("_", "/") + "." + footer_text,
                "bad_authorization_header",
            ),
        }
        for name, (token, code) in cases.items():
            with self.subTest(name=name):
                self.assertRefused(token, code)
                # ... and by the backend itself (the verify view skips the header check).
                self.assertVerifyRefuses(token, "token_invalid")

    def test_unused_trailing_bits_are_refused(self) -> None:
        """Another spelling of the same bytes (vectors 4-F-4 / 4-F-5): refused."""
        body = self.parts[2]
        if len(body) % 4 == 0:  # pragma: no cover - tokens here are never a multiple of 3
            self.skipTest("no unused bits in this body's encoding")
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        last = alphabet.index(body[-1])
        unused = 4 if len(body) % 4 == 2 else 2
        found = 0
        for low in range(1, 1 << unused):
            variant = body[:-1] + alphabet[last ^ low]
            self.assertEqual(unb64(variant), unb64(body))  # the standard decoder is lenient
            self.assertRefused(f"v4.local.{variant}.{self.parts[3]}", "token_invalid")
            found += 1
        self.assertGreater(found, 0)

    def test_impossible_base64_length(self) -> None:
        self.assertRefused(f"v4.local.{self.parts[2]}A.{self.parts[3]}", "token_invalid")

    def test_footer_removed(self) -> None:
        # Tried with the current key, which authenticated the footer: refused.
        self.assertRefused(with_footer(self.token, None), "token_invalid")

    def test_footer_added_to_a_footerless_token(self) -> None:
        bare = forge(claims(self.user.pk), footer=b"")
        self.assertEqual(len(split(bare)), 3)
        # Footer-less tokens (other PASETO libraries) are verified with the current key ...
        response = self.client.get(PROTECTED, **self.bearer(bare))
        self.assertEqual(response.status_code, 200, response.content)
        # ... and a footer added afterwards breaks the authentication.
        self.assertRefused(with_footer(bare, kid_footer(keys.LOCAL_V4_1)), "token_invalid")

    def test_footerless_token_of_a_retired_key(self) -> None:
        with paseto_settings(SECRET_KEY=keys.LOCAL_V4_2, RETIRED_KEYS=[keys.LOCAL_V4_1]):
            # Only the current key verifies a token without a footer, never a retired one.
            self.assertRefused(forge(claims(self.user.pk), footer=b""), "token_invalid")
            retired = forge(claims(self.user.pk))  # with its kid footer: accepted
            self.assertEqual(self.client.get(PROTECTED, **self.bearer(retired)).status_code, 200)

    def test_empty_footer_segment(self) -> None:
        self.assertRefused(".".join(self.parts[:3]) + ".", "token_invalid")

    def test_forged_footers(self) -> None:
        kid = kid_of(keys.LOCAL_V4_1)
        refused_before_decryption = {
            "extra key": json.dumps({"kid": kid, "x": 1}).encode(),
            "duplicate kid": f'{{"kid":"{kid}","kid":"{kid}"}}'.encode(),
            "nested": json.dumps({"kid": {"kid": kid}}).encode(),
            "kid a number": b'{"kid":4}',
            "kid null": b'{"kid":null}',
            "kid a list": json.dumps({"kid": [kid]}).encode(),
            "array": json.dumps([kid]).encode(),
            "string": json.dumps(kid).encode(),
            "not JSON": b"kid=" + kid.encode(),
            "not UTF-8": b'{"kid":"\xff"}',
            "NaN": b'{"kid":NaN}',
            "oversized": json.dumps({"kid": kid + " " * 300}).encode(),
            "deep": b'{"kid":' + b"[" * 100 + b"]" * 100 + b"}",
        }
        for name, footer in refused_before_decryption.items():
            with self.subTest(name=name):
                self.assertRefused(with_footer(self.token, footer), "token_invalid")
        # Well-formed footers naming our kid, but not the footer the tag covers.
        for footer in (
            json.dumps({"kid": kid}).encode(),  # spaces: another spelling of the same JSON
            f'{{"kid":"{kid}"}}\n'.encode(),
            f'{{"kid":"{kid}"}}'.encode().replace(b"k4", b"\\u006b4"),
        ):
            with self.subTest(footer=footer):
                self.assertRefused(with_footer(self.token, footer), "token_invalid")
        for footer in (b'{"kid":"k4.lid.AAAA"}', b'{"kid":""}', b'{"kid":"x"}'):
            self.assertRefused(with_footer(self.token, footer), "token_key_unknown")

    def test_footer_of_another_token_spliced_on(self) -> None:
        other = forge(claims(self.user.pk), key=keys.LOCAL_V4_2)
        self.assertRefused(with_footer(self.token, unb64(split(other)[3])), "token_key_unknown")

    def test_body_of_another_token_with_our_footer(self) -> None:
        other = forge(claims(self.user.pk, fresh=True))
        # Both are valid; a mix of the nonce of one and the rest of the other is not.
        mine, theirs = unb64(self.parts[2]), unb64(split(other)[2])
        self.assertRefused(with_body(self.token, theirs[:32] + mine[32:]), "token_invalid")
        self.assertRefused(with_body(self.token, mine[:-32] + theirs[-32:]), "token_invalid")

    def test_whitespace_and_case(self) -> None:
        self.assertRefused(self.token.upper(), "token_unsupported")
        self.assertRefused(self.token.swapcase(), "token_unsupported")
        swapped = ".".join([*self.parts[:2], self.parts[2].swapcase(), self.parts[3]])
        self.assertRefused(swapped, "token_invalid")
        for token in (
            self.token[:40] + " " + self.token[40:],
            self.token + "\t",
            "\n" + self.token,
        ):
            self.assertRefused(token, "bad_authorization_header")


# --- registered claims --------------------------------------------------------------------------


class ClaimTests(HostileTokenTestCase):
    """Tokens correctly encrypted with our key whose claims are wrong."""

    def refuse(self, payload: dict[str, Any] | bytes, code: str, **kwargs: Any) -> None:
        token = forge(payload, **kwargs)
        self.assertRefused(token, code)

    def test_each_registered_claim_missing(self) -> None:
        for name in ("sub", "type", "jti", "sid", "iat", "exp", "fresh"):
            with self.subTest(claim=name):
                self.refuse(claims(self.user.pk, **{name: DROP}), "token_claims_invalid")

    def test_mistyped_identifiers(self) -> None:
        for name in ("sub", "type", "jti", "sid"):
            for value in (None, 1, 1.5, True, [], ["x"], {}, {"x": "y"}, "", "x" * 256):
                with self.subTest(claim=name, value=value):
                    self.refuse(claims(self.user.pk, **{name: value}), "token_claims_invalid")

    def test_mistyped_times(self) -> None:
        now = current_time()
        for name in ("iat", "exp", "nbf"):
            for value in (
                None,
                int(now.timestamp()),
                now.timestamp(),
                True,
                [],
                {},
                "",
                "tomorrow",
                "2030-01-01",
                "2030-01-01 00:00:00Z",
                "2030-01-01T00:00:00",
                "2030-01-01T00:00Z",
                "2030-01-01t00:00:00z",
                "2030-01-01T00:00:00.1234567890Z",
                "2030-13-01T00:00:00Z",
                "2030-02-30T00:00:00Z",
                "2030-01-01T25:00:00Z",
                "2030-01-01T00:00:00+24:00",
                "2030-01-01T00:00:00+01:60",
                "\uff12030-01-01T00:00:00Z",
                "\u0662030-01-01T00:00:00Z",
                " 2030-01-01T00:00:00Z",
                "2030-01-01T00:00:00Z ",
                "0001-01-01T00:00:00+01:00",
                "9999-12-31T23:59:59-01:00",
                "+12030-01-01T00:00:00Z",
            ):
                with self.subTest(claim=name, value=value):
                    self.refuse(claims(self.user.pk, **{name: value}), "token_claims_invalid")

    def test_mistyped_fresh_iss_and_aud(self) -> None:
        for value in ("true", 1, 0, None, [], {}):
            with self.subTest(fresh=value):
                self.refuse(claims(self.user.pk, fresh=value), "token_claims_invalid")
        for value in (1, None, ["iss"], {}):
            with self.subTest(iss=value):
                self.refuse(claims(self.user.pk, iss=value), "token_claims_invalid")
        for value in (1, None, [1], {}, [["a"]]):
            with self.subTest(aud=value):
                self.refuse(claims(self.user.pk, aud=value), "token_claims_invalid")

    def test_times_in_the_past_and_future(self) -> None:
        now = current_time()
        past, future = (
            format_time(now - timedelta(seconds=1)),
            format_time(now + timedelta(hours=1)),
        )
        self.refuse(claims(self.user.pk, exp=past), "token_expired")
        self.refuse(claims(self.user.pk, exp="1970-01-01T00:00:00Z"), "token_expired")
        self.refuse(claims(self.user.pk, exp="0001-01-01T00:00:00Z"), "token_expired")
        self.refuse(claims(self.user.pk, iat=future), "token_issued_in_future")
        self.refuse(claims(self.user.pk, iat="9999-12-31T23:59:59Z"), "token_issued_in_future")
        self.refuse(claims(self.user.pk, nbf=future), "token_not_yet_valid")
        self.refuse(claims(self.user.pk, nbf="9999-12-31T23:59:59Z"), "token_not_yet_valid")
        # Expired wins over every later check, and an expired refresh token refreshes nothing.
        token = forge(claims(self.user.pk, "refresh", exp=past))
        self.assertRefused(token, "token_expired", url=REFRESH_URL, method="post")

    def test_times_at_the_limits_of_datetime(self) -> None:
        # Far future is a valid (if silly) expiry: no overflow anywhere, the token works.
        token = forge(claims(self.user.pk, exp="9999-12-31T23:59:59.999999Z"))
        self.assertUser(self.get_with(PROTECTED, token))
        with paseto_settings(DECODE_LEEWAY=timedelta(days=365 * 100)):
            token = forge(
                claims(self.user.pk, exp="9999-12-31T23:59:59Z", iat="0001-01-01T00:00:00Z")
            )
            self.assertUser(self.get_with(PROTECTED, token))

    def test_duplicate_json_keys(self) -> None:
        payload = claims(self.user.pk, "refresh")
        text = json.dumps(payload)[:-1] + ', "type": "access", "fresh": true}'
        self.refuse(text.encode(), "token_claims_invalid")
        # The same name twice with the same value is still refused.
        good = json.dumps(claims(self.user.pk))
        self.refuse((good[:-1] + f', "sub": "{self.user.pk}"}}').encode(), "token_claims_invalid")
        nested = claims(self.user.pk, extra=None)
        text = json.dumps(nested).replace('"extra": null', '"extra": {"a": 1, "a": 2}')
        self.refuse(text.encode(), "token_claims_invalid")

    def test_payloads_that_are_not_json_objects(self) -> None:
        for payload in (
            b"",
            b"null",
            b"[]",
            b'"access"',
            b"1",
            b"\xff\xfe{}",
            b"\xef\xbb\xbf" + json.dumps(claims(self.user.pk)).encode(),
            json.dumps(claims(self.user.pk)).encode()[:-1],
            json.dumps(claims(self.user.pk)).encode() + b"{}",
            json.dumps(claims(self.user.pk)).encode()[:-1] + b', "n": NaN}',
            json.dumps(claims(self.user.pk)).encode()[:-1] + b', "n": Infinity}',
            json.dumps(claims(self.user.pk)).encode()[:-1] + b', "n": -Infinity}',
            json.dumps(claims(self.user.pk)).encode().replace(b'"sub"', b"'sub'"),
        ):
            with self.subTest(payload=payload[:40]):
                self.refuse(payload, "token_claims_invalid")

    def test_deep_nesting(self) -> None:
        # MAX_JSON_DEPTH is 8: the payload object is depth 1.
        self.assertUser(self.get_with(PROTECTED, forge(claims(self.user.pk, x=[[[[[[[1]]]]]]]))))
        self.refuse(claims(self.user.pk, x=[[[[[[[[1]]]]]]]]), "token_claims_invalid")
        self.refuse(
            claims(self.user.pk, x={"a": {"b": {"c": {"d": {"e": {"f": {"g": {}}}}}}}}),
            "token_claims_invalid",
        )
        # Deep enough to exhaust the parser's recursion: still a 401, never a 500.
        with mock.patch.object(backend, "MAX_TOKEN_LENGTH", 400_000):
            deep = b'{"sub":"1","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
            self.refuse(deep, "token_claims_invalid")

    def test_oversized_tokens(self) -> None:
        big = forge(claims(self.user.pk, pad="x" * 4000))
        self.assertGreater(len(big), 4096)
        self.assertRefused(big, "token_too_large")
        self.assertVerifyRefuses(big, "token_too_large")
        huge = forge(claims(self.user.pk, pad="x" * 200_000))
        self.assertRefused(huge, "token_too_large")
        # Length is checked before anything else: not even the header is looked at.
        self.assertRefused("v9.x." + "A" * 5000, "token_too_large")
        issued = self.login()["access_token"]
        with mock.patch.object(backend, "MAX_TOKEN_LENGTH", len(issued) - 1):
            self.assertRefused(issued, "token_too_large")

    def test_subjects_that_name_no_user(self) -> None:
        for subject in (
            "0",
            "-1",
            "999999",
            "9" * 255,
            "1.0",
            "0x1",
            "1e0",
            "abc",
            "\ud800",
            "\x00",
        ):
            with self.subTest(subject=subject):
                self.refuse(claims(subject), "user_not_found")

    def test_reserved_claims_smuggled_as_custom_claims_are_refused_at_issue(self) -> None:
        for name in ("type", "fresh", "sub", "exp", "csrf"):
            with self.subTest(name=name), self.assertRaises(ClaimsNotIssuable):
                AccessToken.for_user(self.user, claims={name: "x"})

    def test_issuer_and_audience(self) -> None:
        with paseto_settings(ISSUER="us", AUDIENCE="api"):
            good = claims(self.user.pk, iss="us", aud="api")
            self.assertUser(self.get_with(PROTECTED, forge(good)))
            self.refuse({**good, "iss": "them"}, "token_issuer_invalid")
            self.refuse(claims(self.user.pk, aud="api"), "token_issuer_invalid")
            self.refuse({**good, "aud": "other"}, "token_audience_invalid")
            self.refuse({**good, "aud": []}, "token_audience_invalid")
            self.refuse(claims(self.user.pk, iss="us"), "token_audience_invalid")
            self.refuse({**good, "aud": ["other", "api "]}, "token_audience_invalid")
            self.assertUser(self.get_with(PROTECTED, forge({**good, "aud": ["other", "api"]})))


# --- type confusion ----------------------------------------------------------------------------


class TypeConfusionTests(HostileTokenTestCase):
    """Access, refresh, fresh and custom tokens, each presented where another is expected."""

    def setUp(self) -> None:
        super().setUp()
        tokens = self.login()
        self.fresh_access = tokens["access_token"]
        self.refresh_token = tokens["refresh_token"]
        self.access = self.refresh(self.refresh_token)
        self.custom = str(create_token(self.user, "reset", lifetime=timedelta(minutes=5)))
        self.issued.append(self.custom)

    def test_refresh_token_opens_no_access_endpoint(self) -> None:
        for url in ACCESS_ENDPOINTS:
            for method in ("get", "post"):
                with self.subTest(url=url, method=method):
                    self.assertRefused(self.refresh_token, "token_wrong_type", url, method)

    def test_refresh_token_in_the_json_body_opens_no_access_endpoint(self) -> None:
        with paseto_settings(TOKEN_LOCATION=["headers", "json"]):
            for url in ACCESS_ENDPOINTS:
                with self.subTest(url=url):
                    response = self.client.post(
                        url, {"access_token": self.refresh_token}, format="json"
                    )
                    self.assertError(response, 401, "token_wrong_type")

    def test_custom_tokens_open_nothing(self) -> None:
        for url in ACCESS_ENDPOINTS:
            with self.subTest(url=url):
                self.assertRefused(self.custom, "token_wrong_type", url)
        for url in REFRESH_ENDPOINTS:
            with self.subTest(url=url):
                self.assertRefused(self.custom, "token_wrong_type", url, "post")
        for url in ("/auth/logout/", "/auth/logout/all/"):
            with paseto_settings(DENYLIST_ENABLED=True), self.subTest(url=url):
                self.assertRefused(self.custom, "token_wrong_type", url, "post")

    def test_forged_custom_type_named_like_ours(self) -> None:
        for token_type in (
            "Access",
            "ACCESS",
            "access ",
            " access",
            "access\x00",
            "refresh\n",
            "fresh",
        ):
            with self.subTest(token_type=token_type):
                token = forge(claims(self.user.pk, "x", type=token_type, fresh=True))
                self.assertRefused(token, "token_wrong_type")
                self.assertRefused(token, "token_wrong_type", REFRESH_URL, "post")

    def test_access_tokens_refresh_nothing(self) -> None:
        for token in (self.access, self.fresh_access):
            for url in REFRESH_ENDPOINTS:
                with self.subTest(url=url):
                    self.assertRefused(token, "token_wrong_type", url, "post")
            response = self.client.post(REFRESH_URL, {"refresh_token": token}, format="json")
            self.assertError(response, 401, "token_wrong_type")

    def test_refresh_token_is_never_fresh(self) -> None:
        # A refresh token that says it is fresh is not a refresh token of ours.
        token = forge(claims(self.user.pk, "refresh", fresh=True))
        self.assertRefused(token, "token_claims_invalid", REFRESH_URL, "post")
        self.assertRefused(token, "token_wrong_type", FRESH)
        # And what refresh gives is never fresh.
        response = self.get_with(FRESH, self.access)
        self.assertError(response, 403, "token_not_fresh")
        self.assertUser(self.get_with(FRESH, self.fresh_access))

    def test_fresh_claim_must_be_a_real_boolean(self) -> None:
        for value in ("true", 1, "yes", [True], {"fresh": True}):
            with self.subTest(value=value):
                self.assertRefused(
                    forge(claims(self.user.pk, fresh=value)), "token_claims_invalid", FRESH
                )

    def test_access_token_with_the_refresh_type_smuggled_in_a_claim(self) -> None:
        token = forge(claims(self.user.pk, extra={"type": "refresh"}))
        self.assertRefused(token, "token_wrong_type", REFRESH_URL, "post")

    def test_token_classes_refuse_each_other(self) -> None:
        with self.assertRaises(TokenError) as caught:
            AccessToken(self.refresh_token)
        self.assertEqual(caught.exception.code, "token_wrong_type")
        with self.assertRaises(TokenError) as caught:
            RefreshToken(self.access)
        self.assertEqual(caught.exception.code, "token_wrong_type")
        with self.assertRaises(TokenError) as caught:
            RefreshToken(self.custom)
        self.assertEqual(caught.exception.code, "token_wrong_type")
        self.assertEqual(Token(self.custom).type, "reset")  # Token decodes any type, on purpose

    def test_verify_reports_the_type_and_accepts_only_ours(self) -> None:
        for token, token_type in (
            (self.access, "access"),
            (self.refresh_token, "refresh"),
            (self.custom, "reset"),
        ):
            response = self.client.post(VERIFY_URL, {"token": token}, format="json")
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.json()["token_type"], token_type)
        self.assertVerifyRefuses(
            forge(claims(self.user.pk), key=keys.LOCAL_V4_2), "token_key_unknown"
        )
