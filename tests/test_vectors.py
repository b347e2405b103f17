"""The official PASETO (v3, v4) and PASERK (k3, k4) test vectors, run through OUR layer.

Not through pyseto directly: every token goes through ``backend._parse_token`` and
``backend._open_token``, every key through ``backend.key_from_paserk``, ``key_from_pem`` or
``_local_key_from_bytes``. The vectors are vendored in ``tests/vectors/`` (from
https://github.com/paseto-standard/test-vectors, ISC License: see its README), so every one of
them runs in every checkout: a missing file is a failure, never a skip.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.test import SimpleTestCase

from drf_paseto import backend
from drf_paseto.backend import PasetoKey
from drf_paseto.exceptions import KeyConfigurationError, TokenError, TokenInvalid, TokenUnsupported

VECTORS = Path(__file__).resolve().parent / "vectors"
MAX_LENGTH = 1_000_000
# The PASERK types that name a plain key, and the id type of each. The key-wrapping,
# password-wrapping and sealing types are not implemented, so their vectors are not vendored.
ID_TYPES = {"local": "lid", "public": "pid", "secret": "sid"}


def b64(data: bytes) -> str:
    return backend._b64url_encode(data)


def key_bytes(key: PasetoKey) -> bytes:
    return backend._b64url_decode(backend.secret_paserk(key).split(".")[2])


class VectorTestCase(SimpleTestCase):
    def load(self, name: str) -> list[dict[str, Any]]:
        path = VECTORS / name
        tests = json.loads(path.read_text(encoding="utf-8"))["tests"]
        self.assertGreater(len(tests), 0, path)
        return tests


class TokenVectorTests(VectorTestCase):
    def key_for(self, vector: dict[str, Any], version: int) -> PasetoKey:
        """The key a vector gives, made with our layer (a local key or a public key)."""
        if "key" in vector:
            return backend._local_key_from_bytes(bytes.fromhex(vector["key"]), version)
        from_pem = backend.key_from_pem(vector["public-key-pem"], version)
        raw = bytes.fromhex(vector["public-key"])
        from_paserk = backend.key_from_paserk(f"k{version}.public.{b64(raw)}", version)
        self.assertEqual(from_pem.kid, from_paserk.kid)
        self.assertEqual(from_pem.kind, "public")
        return from_paserk

    def decode(self, vector: dict[str, Any], key: PasetoKey, version: int) -> bytes:
        parsed = backend._parse_token(
            vector["token"], version=version, purpose=key.purpose, max_length=MAX_LENGTH
        )
        return backend._open_token(parsed, key, vector["implicit-assertion"].encode("utf-8"))

    def run_version(self, version: int) -> None:
        vectors = self.load(f"v{version}.json")
        names = {vector["name"] for vector in vectors}
        # The vectors this suite is specifically about must be there.
        for name in ("E-1", "S-1", "F-1", "F-2", "F-3", "F-4", "F-5"):
            self.assertIn(f"{version}-{name}", names)
        for vector in vectors:
            with self.subTest(vector["name"]):
                key = self.key_for(vector, version)
                if vector["expect-fail"]:
                    self.check_failure(vector, key, version)
                else:
                    self.check_success(vector, key, version)

    def check_success(self, vector: dict[str, Any], key: PasetoKey, version: int) -> None:
        payload = vector["payload"].encode("utf-8")
        footer = vector["footer"].encode("utf-8")
        assertion = vector["implicit-assertion"].encode("utf-8")
        self.assertEqual(self.decode(vector, key, version), payload)
        parsed = backend._parse_token(
            vector["token"], version=version, purpose=key.purpose, max_length=MAX_LENGTH
        )
        self.assertEqual(parsed.footer, footer)
        self.assertEqual(parsed.header, f"v{version}.{key.purpose}.")

        # Seal the vector's payload with our _seal() and open it again.
        signer = key if key.kind == "local" else self.secret_key(vector, version)
        token = backend._seal(signer, payload, footer, assertion)
        again = backend._parse_token(
            token, version=version, purpose=key.purpose, max_length=MAX_LENGTH
        )
        self.assertEqual(again.footer, footer)
        self.assertEqual(backend._open_token(again, key, assertion), payload)
        if version == 4 and key.kind == "public":
            # Ed25519 is deterministic: our _seal() makes exactly the vector's token.
            self.assertEqual(token, vector["token"])
        if assertion:
            with self.assertRaises(TokenInvalid):
                backend._open_token(again, key, b"")

        # Purpose and version confusion: the same token under every other kind of key.
        for wrong in self.wrong_keys(vector, key, version):
            with (
                self.subTest(vector["name"], wrong_key=repr(wrong)),
                self.assertRaises(TokenUnsupported) as ctx,
            ):
                backend._open_token(parsed, wrong, assertion)
            self.assertEqual(ctx.exception.code, "token_unsupported")
        other = 3 if version == 4 else 4
        for purpose in ("local", "public"):
            for parse_version in (version, other):
                if (parse_version, purpose) == (version, key.purpose):
                    continue
                parse_as = f"v{parse_version}.{purpose}"
                with (
                    self.subTest(vector["name"], parse_as=parse_as),
                    self.assertRaises(TokenUnsupported),
                ):
                    backend._parse_token(
                        vector["token"],
                        version=parse_version,
                        purpose=purpose,
                        max_length=MAX_LENGTH,
                    )

    def secret_key(self, vector: dict[str, Any], version: int) -> PasetoKey:
        from_pem = backend.key_from_pem(vector["secret-key-pem"], version)
        raw = bytes.fromhex(vector["secret-key"])
        from_paserk = backend.key_from_paserk(f"k{version}.secret.{b64(raw)}", version)
        self.assertEqual(from_pem.kid, from_paserk.kid)
        self.assertEqual(from_pem.kind, "secret")
        self.assertEqual(backend.public_key_of(from_pem).kid, self.key_for(vector, version).kid)
        return from_paserk

    def wrong_keys(self, vector: dict[str, Any], key: PasetoKey, version: int) -> list[PasetoKey]:
        """Keys of another version or purpose, made from the vector's own key bytes if possible."""
        other = 3 if version == 4 else 4
        wrong = [
            backend._local_key_from_bytes(bytes(range(32)), version),
            backend._local_key_from_bytes(bytes(range(32)), other),
            backend.generate_key(version, "public"),
            backend.public_key_of(backend.generate_key(version, "public")),
            backend.public_key_of(backend.generate_key(other, "public")),
        ]
        if key.kind == "local":
            wrong.append(backend._local_key_from_bytes(bytes.fromhex(vector["key"]), other))
        return [
            candidate
            for candidate in wrong
            if candidate.purpose != key.purpose or candidate.version != version
        ]

    def check_failure(self, vector: dict[str, Any], key: PasetoKey, version: int) -> None:
        with self.assertRaises(TokenError):
            self.decode(vector, key, version)
        header = vector["token"].split(".")
        number, purpose = header[0][1:], header[1]
        name = vector["name"][2:]
        if name in ("F-1", "F-2", "F-3"):
            # A token of another version or purpose than the key: even parsed as what it claims
            # to be, our key refuses it.
            self.assertNotEqual((int(number), purpose), (version, key.purpose))
            parsed = backend._parse_token(
                vector["token"], version=int(number), purpose=purpose, max_length=MAX_LENGTH
            )
            with self.assertRaises(TokenUnsupported):
                backend._open_token(parsed, key, vector["implicit-assertion"].encode("utf-8"))
            with self.assertRaises(TokenUnsupported):
                self.decode(vector, key, version)
        elif name in ("F-4", "F-5"):
            # Non-canonical base64url (pyseto alone decodes these): refused while parsing.
            with self.assertRaises(TokenInvalid) as ctx:
                backend._parse_token(
                    vector["token"], version=version, purpose=key.purpose, max_length=MAX_LENGTH
                )
            self.assertEqual(ctx.exception.code, "token_invalid")
            self.assertIsInstance(ctx.exception.__cause__, ValueError)

    def test_v4_tokens(self):
        self.run_version(4)

    def test_v3_tokens(self):
        self.run_version(3)


class PaserkVectorTests(VectorTestCase):
    def vectors(self, version: int, paserk_type: str) -> list[dict[str, Any]]:
        return self.load(f"PASERK/k{version}.{paserk_type}.json")

    def ids_by_key(self, version: int, id_type: str) -> dict[str, str]:
        """The expected id (k4.lid..., k4.pid..., k4.sid...) of each key, by its hex."""
        return {
            vector["key"]: vector["paserk"]
            for vector in self.vectors(version, id_type)
            if not vector["expect-fail"]
        }

    def key_from_hex(self, version: int, kind: str, key_hex: str) -> PasetoKey:
        raw = bytes.fromhex(key_hex)
        if kind == "local":
            return backend._local_key_from_bytes(raw, version)
        return backend.key_from_paserk(f"k{version}.{kind}.{b64(raw)}", version)

    def run_keys(self, version: int, kind: str) -> None:
        ids = self.ids_by_key(version, ID_TYPES[kind])
        other = 3 if version == 4 else 4
        checked = 0
        for vector in self.vectors(version, kind):
            with self.subTest(vector["name"]):
                if vector["expect-fail"]:
                    self.check_refused(vector, version, kind)
                    continue
                key = backend.key_from_paserk(vector["paserk"], version)
                self.assertEqual((key.version, key.kind), (version, kind))
                exported = key.public_paserk() if kind == "public" else backend.secret_paserk(key)
                self.assertEqual(exported, vector["paserk"])
                self.assertEqual(key.kid, ids[vector["key"]])
                self.assertEqual(self.key_from_hex(version, kind, vector["key"]).kid, key.kid)
                if kind == "secret":
                    # The vector's public key: raw bytes (k4), or a PEM spelled in hex (k3).
                    public = bytes.fromhex(vector["public-key"])
                    if version == 4:
                        expected = backend.key_from_paserk(f"k4.public.{b64(public)}", 4)
                        self.assertEqual(
                            bytes.fromhex(vector["secret-key-seed"]), key_bytes(key)[:32]
                        )
                    else:
                        expected = backend.key_from_pem(public, 3)
                    self.assertEqual(backend.public_key_of(key).kid, expected.kid)
                with self.assertRaises(KeyConfigurationError):
                    backend.key_from_paserk(vector["paserk"], other)
                checked += 1
        self.assertGreater(checked, 0)

    def check_refused(self, vector: dict[str, Any], version: int, kind: str) -> None:
        with self.assertRaises(KeyConfigurationError):
            if vector["paserk"] is not None:
                backend.key_from_paserk(vector["paserk"], version)  # too short, wrong version
            else:
                self.key_from_hex(version, kind, vector["key"])  # a key of the wrong size

    def run_ids(self, version: int, kind: str) -> None:
        checked = 0
        for vector in self.vectors(version, ID_TYPES[kind]):
            with self.subTest(vector["name"]):
                if vector["expect-fail"]:
                    # Too short, or a key of the other version: our key construction refuses it,
                    # so no id can ever be computed for it.
                    self.assertIsNone(vector["paserk"])
                    self.check_refused(vector, version, kind)
                    continue
                self.assertEqual(
                    self.key_from_hex(version, kind, vector["key"]).kid, vector["paserk"]
                )
                checked += 1
        self.assertGreater(checked, 0)

    def test_k4_local(self):
        self.run_keys(4, "local")

    def test_k4_public(self):
        self.run_keys(4, "public")

    def test_k4_secret(self):
        self.run_keys(4, "secret")

    def test_k3_local(self):
        self.run_keys(3, "local")

    def test_k3_public(self):
        self.run_keys(3, "public")

    def test_k3_secret(self):
        self.run_keys(3, "secret")

    def test_k4_lid(self):
        self.run_ids(4, "local")

    def test_k4_pid(self):
        self.run_ids(4, "public")

    def test_k4_sid(self):
        self.run_ids(4, "secret")

    def test_k3_lid(self):
        self.run_ids(3, "local")

    def test_k3_pid(self):
        self.run_ids(3, "public")

    def test_k3_sid(self):
        self.run_ids(3, "secret")

    def test_every_vendored_file_is_run(self):
        run = {f"v{v}.json" for v in (3, 4)} | {
            f"PASERK/k{v}.{t}.json"
            for v in (3, 4)
            for t in ("local", "public", "secret", "lid", "pid", "sid")
        }
        vendored = {path.relative_to(VECTORS).as_posix() for path in VECTORS.rglob("*.json")}
        self.assertEqual(vendored, run)
        self.assertTrue((VECTORS / "LICENSE").is_file())
