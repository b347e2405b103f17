"""drf_paseto._keys: the key ring from DRF_PASETO, the kid footer, caching."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import override_settings

from drf_paseto import _keys, backend
from drf_paseto._keys import KeyRing, build_key_ring, get_key_ring, load_key, read_kid
from drf_paseto.exceptions import (
    KeyConfigurationError,
    TokenInvalid,
    TokenKeyUnknown,
    TokenTooLarge,
    TokenUnsupported,
)
from tests import keys as fixed
from tests.helpers import StrictTestCase, paseto_settings


def kid_of(paserk: str) -> str:
    version = int(paserk[1])
    return backend.key_from_paserk(paserk, version).kid


def pid_of_secret(paserk: str) -> str:
    version = int(paserk[1])
    return backend.public_key_of(backend.key_from_paserk(paserk, version)).kid


def raw_of(paserk: str) -> bytes:
    data = paserk.split(".")[2]
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


class ReadKidTests(StrictTestCase):
    def test_the_kid(self):
        self.assertEqual(read_kid(b'{"kid":"k4.lid.abc"}'), "k4.lid.abc")
        self.assertEqual(read_kid(b' { "kid" : "" } '), "")

    def test_no_footer_is_an_unknown_key(self):
        with self.raises(TokenKeyUnknown, "token_key_unknown"):
            read_kid(b"")

    def test_size_limit(self):
        overhead = len(b'{"kid":""}')
        at_limit = b'{"kid":"' + b"a" * (_keys.MAX_FOOTER_LENGTH - overhead) + b'"}'
        self.assertEqual(len(at_limit), 256)
        self.assertEqual(read_kid(at_limit), "a" * 246)
        with self.raises(TokenInvalid, "token_invalid"):
            read_kid(at_limit[:-2] + b'a"}')
        with self.raises(TokenInvalid, "token_invalid"):
            read_kid(b'{"kid":"x"}' + b" " * 300)

    def test_malformed_footers(self):
        cases = {
            "not json": b"arbitrary-string-that-isn't-json",
            "json string": b'"k4.lid.abc"',
            "json array": b'["k4.lid.abc"]',
            "json null": b"null",
            "no kid": b'{"id":"k4.lid.abc"}',
            "empty object": b"{}",
            "extra key": b'{"kid":"k4.lid.abc","x":1}',
            "integer kid": b'{"kid":1}',
            "null kid": b'{"kid":null}',
            "list kid": b'{"kid":["k4.lid.abc"]}',
            "object kid (too deep)": b'{"kid":{"a":"b"}}',
            "duplicate kid": b'{"kid":"k4.lid.abc","kid":"k4.lid.def"}',
            "duplicate, same value": b'{"kid":"a","kid":"a"}',
            "not utf-8": b'{"kid":"\xff"}',
            "NaN": b'{"kid":NaN}',
            "trailing data": b'{"kid":"a"}{}',
        }
        for name, footer in cases.items():
            with self.subTest(name), self.raises(TokenInvalid, "token_invalid"):
                read_kid(footer)


class LoadKeyTests(StrictTestCase):
    def test_paserk_string_or_bytes(self):
        for value in (fixed.LOCAL_V4_1, f"\n {fixed.LOCAL_V4_1} \n", fixed.LOCAL_V4_1.encode()):
            with self.subTest(value=value[:12]):
                self.assertEqual(load_key(value, 4, "local").kid, kid_of(fixed.LOCAL_V4_1))
        self.assertEqual(load_key(fixed.SECRET_V4_1, 4, "public").kind, "secret")
        self.assertEqual(load_key(fixed.PUBLIC_V3_1, 3, "public").kid, kid_of(fixed.PUBLIC_V3_1))

    def test_pem(self):
        key = load_key(f"\n{fixed.PRIVATE_PEM_V3_1}", 3, "public")
        self.assertEqual(key.kid, kid_of(fixed.SECRET_V3_1))
        self.assertEqual(
            load_key(fixed.PUBLIC_PEM_V4_2, 4, "public").kid, kid_of(fixed.PUBLIC_V4_2)
        )

    def test_non_paserk_local_secret_is_derived(self):
        key = load_key("not a paserk", 4, "local")
        self.assertEqual(key.kid, backend._derive_local_key("not a paserk", 4).kid)
        self.assertEqual(len(raw_of(backend.secret_paserk(key))), 32)
        # The derivation uses the setting as given, surrounding spaces included.
        self.assertNotEqual(load_key(" not a paserk", 4, "local").kid, key.kid)

    def test_not_a_usable_value(self):
        for value in (None, 123, ["k4.local.x"], "", "   \n", b"", b"\xff\xfe"):
            with self.subTest(value=value), self.assertRaises(KeyConfigurationError):
                load_key(value, 4, "local")

    def test_non_utf8_bytes(self):
        with self.assertRaisesMessage(KeyConfigurationError, "must be UTF-8 text"):
            load_key(b"\xff" * 32, 4, "local")

    def test_broken_paserk_is_never_derived(self):
        # Looks like a PASERK: it must load as one, not silently become a derived key.
        for value in ("k4.local.short", "k4.lid.abc", "k2.local.AAAA", "k4.local-wrap.pie.x"):
            with self.subTest(value=value), self.assertRaises(KeyConfigurationError):
                load_key(value, 4, "local")

    def test_encrypted_pem_keys_say_so(self):
        from cryptography.hazmat.primitives import serialization

        private = serialization.load_pem_private_key(fixed.PRIVATE_PEM_V4_1.encode(), None)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,  # BEGIN ENCRYPTED PRIVATE KEY
            serialization.BestAvailableEncryption(b"passphrase"),
        ).decode()
        legacy = "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END"
        for value in (pem, legacy):
            with (
                self.subTest(value=value[:30]),
                self.assertRaisesMessage(KeyConfigurationError, "encrypted PEM keys are not"),
            ):
                load_key(value, 4, "public")

    def test_public_purpose_needs_paserk_or_pem(self):
        with self.assertRaisesMessage(KeyConfigurationError, "must be a PASERK or a PEM key"):
            load_key("some secret string", 4, "public")

    def test_key_of_the_other_purpose_is_refused(self):
        cases = (
            (fixed.PUBLIC_V4_1, 4, "local", "a public key cannot be used for local tokens"),
            (fixed.SECRET_V4_1, 4, "local", "a secret key cannot be used for local tokens"),
            (fixed.PRIVATE_PEM_V4_1, 4, "local", "a secret key cannot be used for local tokens"),
            (fixed.PUBLIC_PEM_V3_1, 3, "local", "a public key cannot be used for local tokens"),
            (fixed.LOCAL_V4_1, 4, "public", "a local key cannot be used for public tokens"),
            (fixed.LOCAL_V3_1, 3, "public", "a local key cannot be used for public tokens"),
        )
        for value, version, purpose, message in cases:
            with (
                self.subTest(value=value[:12], purpose=purpose),
                self.assertRaisesMessage(KeyConfigurationError, message),
            ):
                load_key(value, version, purpose)

    def test_key_of_the_other_version_is_refused(self):
        for value, version in (
            (fixed.LOCAL_V3_1, 4),
            (fixed.SECRET_V4_1, 3),
            (fixed.PUBLIC_PEM_V4_1, 3),
        ):
            with self.subTest(value=value[:12]), self.assertRaises(KeyConfigurationError):
                load_key(value, version, "local" if "local" in value else "public")


class BuildKeyRingLocalTests(StrictTestCase):
    def test_test_settings(self):
        ring = build_key_ring()
        kid = kid_of(fixed.LOCAL_V4_1)
        self.assertEqual((ring.version, ring.purpose), (4, "local"))
        self.assertEqual(ring.signing_kid, kid)
        self.assertEqual(ring.signing_key.kid, kid)
        self.assertEqual(list(ring.verifying_keys), [kid])
        self.assertIs(ring.verifying_keys[kid], ring.signing_key)
        self.assertEqual(ring.public_keys(), [])

    @override_settings(DRF_PASETO={"VERSION": 3, "SECRET_KEY": fixed.LOCAL_V3_2})
    def test_v3(self):
        ring = build_key_ring()
        self.assertEqual((ring.version, ring.signing_kid), (3, kid_of(fixed.LOCAL_V3_2)))
        self.assertTrue(ring.signing_kid.startswith("k3.lid."))

    @override_settings(DRF_PASETO={})
    def test_zero_config_derives_from_django_secret_key(self):
        ring = build_key_ring()
        expected = backend._derive_local_key(settings.SECRET_KEY, 4)
        self.assertEqual(ring.signing_kid, expected.kid)
        self.assertEqual(len(raw_of(backend.secret_paserk(ring.signing_key))), 32)
        self.assertEqual(build_key_ring().signing_kid, ring.signing_kid)  # deterministic
        with override_settings(SECRET_KEY="another django secret key, long enough to be fine"):
            self.assertNotEqual(build_key_ring().signing_kid, ring.signing_kid)
        with override_settings(DRF_PASETO={"VERSION": 3}):
            ring3 = build_key_ring()
        self.assertEqual(ring3.signing_kid, backend._derive_local_key(settings.SECRET_KEY, 3).kid)
        self.assertNotEqual(
            raw_of(backend.secret_paserk(ring3.signing_key)),
            raw_of(backend.secret_paserk(ring.signing_key)),
        )

    @override_settings(DRF_PASETO={"SECRET_KEY": "a non-PASERK secret"})
    def test_non_paserk_secret_key(self):
        self.assertEqual(
            build_key_ring().signing_kid, backend._derive_local_key("a non-PASERK secret", 4).kid
        )

    def test_public_key_where_a_local_key_is_required(self):
        for value in (fixed.PUBLIC_V4_1, fixed.SECRET_V4_1, fixed.PRIVATE_PEM_V4_1):
            with (
                self.subTest(value=value[:12]),
                override_settings(DRF_PASETO={"SECRET_KEY": value}),
                self.assertRaisesMessage(KeyConfigurationError, "cannot be used for local tokens"),
            ):
                build_key_ring()

    def test_local_key_of_the_wrong_version(self):
        with (
            override_settings(DRF_PASETO={"SECRET_KEY": fixed.LOCAL_V3_1}),
            self.assertRaisesMessage(
                KeyConfigurationError, "a k3 key cannot be used with PASETO v4"
            ),
        ):
            build_key_ring()

    def test_bad_version(self):
        for version in (1, 2, 5, "4", 4.0, True, None):
            with (
                self.subTest(version=version),
                override_settings(DRF_PASETO={"SECRET_KEY": "x", "VERSION": version}),
                self.assertRaisesMessage(KeyConfigurationError, "VERSION must be 4 or 3"),
            ):
                build_key_ring()

    def test_bad_purpose(self):
        for purpose in ("secret", "LOCAL", None, ["local"]):
            with (
                self.subTest(purpose=purpose),
                override_settings(DRF_PASETO={"SECRET_KEY": "x", "PURPOSE": purpose}),
                self.assertRaisesMessage(KeyConfigurationError, "PURPOSE must be"),
            ):
                build_key_ring()

    @override_settings(DRF_PASETO={"SECRET_KEY": ""})
    def test_empty_secret_key(self):
        with self.assertRaisesMessage(KeyConfigurationError, "non-empty string"):
            build_key_ring()


class BuildKeyRingPublicTests(StrictTestCase):
    def ring(self, **config) -> KeyRing:
        with override_settings(DRF_PASETO={"PURPOSE": "public", **config}):
            return build_key_ring()

    def test_private_key(self):
        for config in ({"PRIVATE_KEY": fixed.SECRET_V4_1}, {"PRIVATE_KEY": fixed.PRIVATE_PEM_V4_1}):
            with self.subTest(config=str(config)[:30]):
                ring = self.ring(**config)
                pid = kid_of(fixed.PUBLIC_V4_1)
                self.assertEqual(ring.signing_key.kind, "secret")
                self.assertEqual(ring.signing_key.kid, kid_of(fixed.SECRET_V4_1))
                self.assertEqual(ring.signing_kid, pid)
                self.assertEqual(list(ring.verifying_keys), [pid])
                self.assertEqual(
                    [key.public_paserk() for key in ring.public_keys()], [fixed.PUBLIC_V4_1]
                )

    def test_v3_pems(self):
        ring = self.ring(
            VERSION=3, PRIVATE_KEY=fixed.PRIVATE_PEM_V3_1, PUBLIC_KEY=fixed.PUBLIC_PEM_V3_1
        )
        self.assertEqual(ring.signing_kid, kid_of(fixed.PUBLIC_V3_1))
        self.assertEqual(ring.signing_key.kid, kid_of(fixed.SECRET_V3_1))

    def test_matching_public_key(self):
        ring = self.ring(PRIVATE_KEY=fixed.SECRET_V4_2, PUBLIC_KEY=fixed.PUBLIC_PEM_V4_2)
        self.assertEqual(list(ring.verifying_keys), [kid_of(fixed.PUBLIC_V4_2)])

    def test_public_key_not_matching_private_key(self):
        with self.assertRaisesMessage(
            KeyConfigurationError, "PUBLIC_KEY does not match PRIVATE_KEY"
        ):
            self.ring(PRIVATE_KEY=fixed.SECRET_V4_1, PUBLIC_KEY=fixed.PUBLIC_V4_2)

    def test_verify_only(self):
        ring = self.ring(PUBLIC_KEY=fixed.PUBLIC_V4_1)
        self.assertIsNone(ring.signing_key)
        self.assertIsNone(ring.signing_kid)
        self.assertEqual(list(ring.verifying_keys), [kid_of(fixed.PUBLIC_V4_1)])
        with self.assertRaisesMessage(KeyConfigurationError, "no key to issue tokens with"):
            ring.encode(b"{}")

    def test_no_key(self):
        with self.assertRaisesMessage(KeyConfigurationError, "needs PRIVATE_KEY (or PUBLIC_KEY)"):
            self.ring()
        with self.assertRaisesMessage(KeyConfigurationError, "needs PRIVATE_KEY (or PUBLIC_KEY)"):
            self.ring(SECRET_KEY=fixed.LOCAL_V4_1)

    def test_keys_in_the_wrong_slot(self):
        with self.assertRaisesMessage(KeyConfigurationError, "PRIVATE_KEY must be a secret key"):
            self.ring(PRIVATE_KEY=fixed.PUBLIC_V4_1)
        with self.assertRaisesMessage(KeyConfigurationError, "PRIVATE_KEY must be a secret key"):
            self.ring(PRIVATE_KEY=fixed.PUBLIC_PEM_V4_1)
        with self.assertRaisesMessage(KeyConfigurationError, "PUBLIC_KEY must be a public key"):
            self.ring(PUBLIC_KEY=fixed.SECRET_V4_1)
        with self.assertRaisesMessage(KeyConfigurationError, "cannot be used for public tokens"):
            self.ring(PRIVATE_KEY=fixed.LOCAL_V4_1)

    def test_wrong_curves(self):
        for pem in (fixed.PRIVATE_PEM_RSA, fixed.PRIVATE_PEM_P256, fixed.PRIVATE_PEM_V3_1):
            with (
                self.subTest(pem=pem[:40]),
                self.assertRaisesMessage(KeyConfigurationError, "needs an Ed25519 key"),
            ):
                self.ring(PRIVATE_KEY=pem)
        for pem in (fixed.PRIVATE_PEM_RSA, fixed.PRIVATE_PEM_P256, fixed.PRIVATE_PEM_V4_1):
            with (
                self.subTest(pem=pem[:40]),
                self.assertRaisesMessage(KeyConfigurationError, "needs a P-384 key"),
            ):
                self.ring(VERSION=3, PRIVATE_KEY=pem)

    def test_keys_read_from_files_in_the_settings_module(self):
        """docs/keys.md: a project reads a key file itself, ``Path(...).read_text()``; the
        file's trailing newline is no part of the key."""
        with tempfile.TemporaryDirectory() as folder:
            private = Path(folder) / "private.pem"
            private.write_text(fixed.PRIVATE_PEM_V4_2, encoding="utf-8")
            public = Path(folder) / "public.paserk"
            public.write_text(fixed.PUBLIC_V4_2 + "\n", encoding="utf-8")
            ring = self.ring(
                PRIVATE_KEY=private.read_text(encoding="utf-8"),
                PUBLIC_KEY=public.read_text(encoding="utf-8"),
            )
            self.assertEqual(ring.signing_key.kid, kid_of(fixed.SECRET_V4_2))
            self.assertEqual(ring.signing_kid, kid_of(fixed.PUBLIC_V4_2))
            ring = self.ring(PUBLIC_KEY=public.read_text(encoding="utf-8"))
            self.assertIsNone(ring.signing_key)
            self.assertEqual(list(ring.verifying_keys), [kid_of(fixed.PUBLIC_V4_2)])

    def test_the_file_settings_are_gone(self):
        """PRIVATE_KEY_FILE and PUBLIC_KEY_FILE were removed: they are no setting."""
        from drf_paseto.settings import DEFAULTS, api_settings

        for name in ("PRIVATE_KEY_FILE", "PUBLIC_KEY_FILE"):
            with self.subTest(name):
                self.assertNotIn(name, DEFAULTS)
                with self.assertRaises(AttributeError):
                    getattr(api_settings, name)

    def test_retired_keys_verify_but_never_sign(self):
        ring = self.ring(
            PRIVATE_KEY=fixed.SECRET_V4_1,
            RETIRED_KEYS=[fixed.SECRET_V4_2, fixed.PUBLIC_V4_2, fixed.PUBLIC_PEM_V4_1],
        )
        pid1, pid2 = kid_of(fixed.PUBLIC_V4_1), kid_of(fixed.PUBLIC_V4_2)
        self.assertEqual(ring.signing_kid, pid1)
        self.assertEqual(ring.signing_key.kid, kid_of(fixed.SECRET_V4_1))
        self.assertEqual(sorted(ring.verifying_keys), sorted([pid1, pid2]))
        self.assertTrue(all(key.kind == "public" for key in ring.verifying_keys.values()))
        # A token of the retired key still verifies; the ring signs with the current key only.
        retired = backend.key_from_paserk(fixed.SECRET_V4_2, 4)
        old = backend._seal(retired, b'{"old":1}', f'{{"kid":"{pid2}"}}'.encode())
        self.assertEqual(ring.decode(old, 4096), b'{"old":1}')
        new = ring.encode(b'{"new":1}')
        self.assertEqual(
            backend._parse_token(new, version=4, purpose="public", max_length=4096).footer,
            f'{{"kid":"{pid1}"}}'.encode(),
        )
        current = backend.key_from_paserk(fixed.PUBLIC_V4_1, 4)
        parsed = backend._parse_token(new, version=4, purpose="public", max_length=4096)
        self.assertEqual(backend._open_token(parsed, current), b'{"new":1}')


class RetiredKeysTests(StrictTestCase):
    @override_settings(
        DRF_PASETO={"SECRET_KEY": fixed.LOCAL_V4_1, "RETIRED_KEYS": [fixed.LOCAL_V4_2]}
    )
    def test_local_retired_key(self):
        ring = build_key_ring()
        lid1, lid2 = kid_of(fixed.LOCAL_V4_1), kid_of(fixed.LOCAL_V4_2)
        self.assertEqual(ring.signing_kid, lid1)
        self.assertEqual(sorted(ring.verifying_keys), sorted([lid1, lid2]))
        old = backend._seal(
            backend.key_from_paserk(fixed.LOCAL_V4_2, 4), b'{"a":1}', f'{{"kid":"{lid2}"}}'.encode()
        )
        self.assertEqual(ring.decode(old, 4096), b'{"a":1}')
        for _ in range(3):
            token = ring.encode(b"{}")
            footer = backend._parse_token(token, version=4, purpose="local", max_length=4096).footer
            self.assertEqual(footer, f'{{"kid":"{lid1}"}}'.encode())
            with self.raises(TokenInvalid, "token_invalid"):
                backend._open_token(
                    backend._parse_token(token, version=4, purpose="local", max_length=4096),
                    backend.key_from_paserk(fixed.LOCAL_V4_2, 4),
                )

    @override_settings(
        DRF_PASETO={"SECRET_KEY": fixed.LOCAL_V4_1, "RETIRED_KEYS": [fixed.LOCAL_V4_1]}
    )
    def test_retiring_the_current_key_changes_nothing(self):
        ring = build_key_ring()
        self.assertEqual(list(ring.verifying_keys), [kid_of(fixed.LOCAL_V4_1)])

    def test_retired_keys_must_be_a_list_of_valid_keys(self):
        cases = (
            (fixed.LOCAL_V4_2, "RETIRED_KEYS must be a list"),
            (None, "RETIRED_KEYS must be a list"),
            ({fixed.LOCAL_V4_2}, "RETIRED_KEYS must be a list"),
            ([fixed.LOCAL_V3_2], "a k3 key cannot be used with PASETO v4"),
            ([fixed.PUBLIC_V4_2], "a public key cannot be used for local tokens"),
            ([None], "a key must be a non-empty string"),
        )
        for retired, message in cases:
            with (
                self.subTest(retired=retired),
                override_settings(
                    DRF_PASETO={"SECRET_KEY": fixed.LOCAL_V4_1, "RETIRED_KEYS": retired}
                ),
                self.assertRaisesMessage(KeyConfigurationError, message),
            ):
                build_key_ring()

    @override_settings(DRF_PASETO={"SECRET_KEY": fixed.LOCAL_V4_1, "RETIRED_KEYS": ("old secret",)})
    def test_retired_derived_key(self):
        ring = build_key_ring()
        self.assertIn(backend._derive_local_key("old secret", 4).kid, ring.verifying_keys)


class KeyRingDecodeTests(StrictTestCase):
    def setUp(self):
        self.ring = build_key_ring()  # LOCAL_V4_1 from tests/settings.py
        self.lid1 = kid_of(fixed.LOCAL_V4_1)
        self.lid2 = kid_of(fixed.LOCAL_V4_2)
        self.key1 = backend.key_from_paserk(fixed.LOCAL_V4_1, 4)
        self.key2 = backend.key_from_paserk(fixed.LOCAL_V4_2, 4)

    def test_round_trip(self):
        token = self.ring.encode(b'{"sub":"1"}')
        self.assertEqual(len(token.split(".")), 4)
        self.assertEqual(
            backend._parse_token(token, version=4, purpose="local", max_length=4096).footer,
            b'{"kid":"' + self.lid1.encode() + b'"}',
        )
        self.assertEqual(self.ring.decode(token, 4096), b'{"sub":"1"}')

    def test_unknown_kid(self):
        token = backend._seal(self.key2, b"{}", f'{{"kid":"{self.lid2}"}}'.encode())
        with self.raises(TokenKeyUnknown, "token_key_unknown"):
            self.ring.decode(token, 4096)
        # The sid or pid spelling of a known key is not its kid either.
        token = backend._seal(self.key1, b"{}", b'{"kid":"k4.sid.whatever"}')
        with self.raises(TokenKeyUnknown, "token_key_unknown"):
            self.ring.decode(token, 4096)

    def test_missing_footer_is_the_current_key(self):
        self.assertEqual(self.ring.decode(backend._seal(self.key1, b"{}", b""), 4096), b"{}")
        with self.raises(TokenInvalid, "token_invalid"):  # any other key: refused
            self.ring.decode(backend._seal(self.key2, b"{}", b""), 4096)
        with paseto_settings(RETIRED_KEYS=[fixed.LOCAL_V4_2]):
            ring = build_key_ring()
            with self.raises(TokenInvalid, "token_invalid"):  # a retired key, too
                ring.decode(backend._seal(self.key2, b"{}", b""), 4096)
        ring = KeyRing(version=4, purpose="local", signing_key=None, signing_kid=None)
        with self.raises(TokenKeyUnknown, "token_key_unknown"):  # no current key at all
            ring.decode(backend._seal(self.key1, b"{}", b""), 4096)

    def test_bad_footers(self):
        for footer in (
            b"not json",
            b'{"kid":"' + self.lid1.encode() + b'","x":1}',
            b'{"kid":1}',
            b'{"kid":"a","kid":"' + self.lid1.encode() + b'"}',
            b'{"kid":"' + self.lid1.encode() + b'"}' + b" " * 250,
        ):
            with self.subTest(footer=footer[:30]), self.raises(TokenInvalid, "token_invalid"):
                self.ring.decode(backend._seal(self.key1, b"{}", footer), 4096)

    def test_kid_of_our_key_on_a_token_of_another_key(self):
        token = backend._seal(self.key2, b"{}", f'{{"kid":"{self.lid1}"}}'.encode())
        with self.raises(TokenInvalid, "token_invalid"):
            self.ring.decode(token, 4096)

    def test_too_large_and_unsupported(self):
        token = self.ring.encode(b"{}")
        with self.raises(TokenTooLarge, "token_too_large"):
            self.ring.decode(token, len(token) - 1)
        self.assertEqual(self.ring.decode(token, len(token)), b"{}")
        secret = backend.key_from_paserk(fixed.SECRET_V4_1, 4)
        for other in (
            backend._seal(secret, b"{}", f'{{"kid":"{self.lid1}"}}'.encode()),
            "v2.local." + token.split(".", 2)[2],
            "v3.local." + token.split(".", 2)[2],
        ):
            with self.subTest(token=other[:10]), self.raises(TokenUnsupported, "token_unsupported"):
                self.ring.decode(other, 4096)

    def test_public_ring(self):
        with override_settings(DRF_PASETO={"PURPOSE": "public", "PUBLIC_KEY": fixed.PUBLIC_V4_1}):
            verifier = build_key_ring()
        with override_settings(DRF_PASETO={"PURPOSE": "public", "PRIVATE_KEY": fixed.SECRET_V4_1}):
            issuer = build_key_ring()
        token = issuer.encode(b'{"sub":"2"}')
        self.assertTrue(token.startswith("v4.public."))
        self.assertEqual(verifier.decode(token, 4096), b'{"sub":"2"}')
        with self.raises(TokenUnsupported, "token_unsupported"):
            self.ring.decode(token, 4096)
        with self.raises(TokenUnsupported, "token_unsupported"):
            verifier.decode(self.ring.encode(b"{}"), 4096)


class GetKeyRingTests(StrictTestCase):
    def test_cached_until_settings_change(self):
        first = get_key_ring()
        self.assertIs(get_key_ring(), first)
        self.assertEqual(first.signing_kid, kid_of(fixed.LOCAL_V4_1))
        with override_settings(DRF_PASETO={"SECRET_KEY": fixed.LOCAL_V4_2}):
            second = get_key_ring()
            self.assertIsNot(second, first)
            self.assertIs(get_key_ring(), second)
            self.assertEqual(second.signing_kid, kid_of(fixed.LOCAL_V4_2))
        self.assertEqual(get_key_ring().signing_kid, kid_of(fixed.LOCAL_V4_1))

    @override_settings(DRF_PASETO={})
    def test_rebuilt_when_django_secret_key_changes(self):
        before = get_key_ring().signing_kid
        with override_settings(SECRET_KEY="a different django secret key for this one test"):
            during = get_key_ring().signing_kid
        self.assertNotEqual(before, during)
        self.assertEqual(
            during,
            backend._derive_local_key("a different django secret key for this one test", 4).kid,
        )
        self.assertEqual(get_key_ring().signing_kid, before)

    def test_errors_are_not_cached(self):
        with override_settings(DRF_PASETO={"SECRET_KEY": fixed.PUBLIC_V4_1}):
            for _ in range(2):
                with self.assertRaises(KeyConfigurationError):
                    get_key_ring()
        self.assertEqual(get_key_ring().signing_kid, kid_of(fixed.LOCAL_V4_1))
