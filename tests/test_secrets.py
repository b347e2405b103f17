"""Secrets stay secret (docs/security-tests.md).

* A full flow with good and bad inputs (login, refresh with rotation and reuse, verify, the
  keys view, logout, logout everywhere, misconfigured keys), with every log record of every
  logger captured at DEBUG (SQL included): no password, no key of tests/keys.py in any
  encoding (PASERK, its data, PEM body lines, raw hex and base64), no token we issued, in any
  response body or header or any log line.
* ``str()`` and ``repr()`` of every exception the token and key layers raise on hostile
  input, with its whole ``__cause__`` / ``__context__`` chain: the same.
* Secret comparisons are constant-time: drf_paseto compares no secret with ``==`` (an AST
  scan of its own code); pyseto's tag checks and Django's password and CSRF checks, run with
  ``compare_digest`` wrapped, hand it what they compare; only the backend holds pyseto.
"""

from __future__ import annotations

import ast
import base64
import functools
import logging
import re
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from django.conf import settings as django_settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.test import RequestFactory, SimpleTestCase
from django.utils.crypto import get_random_string

import drf_paseto
from drf_paseto import backend
from drf_paseto._keys import build_key_ring, get_key_ring, load_key
from drf_paseto.backend import _ParsedToken
from drf_paseto.exceptions import KeyConfigurationError, TokenError, TokenInvalid
from drf_paseto.tokens import AccessToken, RefreshToken, Token
from tests import keys
from tests.helpers import (
    KEYS_URL,
    LOGIN_URL,
    PASSWORD,
    PUBLIC_V4,
    REFRESH_URL,
    USERNAME,
    VERIFY_URL,
    TokenAPITestCase,
    compare_digest_calls,
    modules_holding,
    paseto_settings,
    response_text,
)

PACKAGE_DIR = Path(drf_paseto.__file__).resolve().parent


def _raw_key_bytes(name: str, value: str) -> list[bytes]:
    if value.startswith("k"):
        return [base64.urlsafe_b64decode(value.split(".")[2] + "==")]
    if "PRIVATE KEY" in value:
        private: Any = serialization.load_pem_private_key(value.encode(), password=None)
        der = private.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        raw = [der]
        if hasattr(private, "private_numbers") and hasattr(private.private_numbers(), "d"):
            numbers = private.private_numbers()
            raw.append(numbers.d.to_bytes((numbers.d.bit_length() + 7) // 8, "big"))
        elif hasattr(private, "private_numbers"):
            value_ = private.private_numbers().private_value
            raw.append(value_.to_bytes((value_.bit_length() + 7) // 8, "big"))
        else:  # Ed25519
            raw.append(
                private.private_bytes(
                    serialization.Encoding.Raw,
                    serialization.PrivateFormat.Raw,
                    serialization.NoEncryption(),
                )
            )
        return raw
    public: Any = serialization.load_pem_public_key(value.encode())
    return [
        public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    ]


@functools.lru_cache(maxsize=2)
def key_fragments(*, include_public: bool = True) -> dict[str, str]:
    """Every key of tests/keys.py in every encoding: fragment -> where it comes from."""
    fragments: dict[str, str] = {}
    for name, value in vars(keys).items():
        if not name.isupper() or not isinstance(value, str):
            continue
        if not include_public and name.startswith("PUBLIC_"):
            continue
        fragments[value.strip()] = name
        if value.startswith("k"):
            fragments[value.split(".", 2)[2]] = f"{name} data"
        for line in value.splitlines():
            if line and not line.startswith("-----"):
                fragments[line] = f"{name} PEM line"
        for raw in _raw_key_bytes(name, value):
            fragments[raw.hex()] = f"{name} hex"
            fragments[raw.hex().upper()] = f"{name} HEX"
            fragments[base64.b64encode(raw).decode().rstrip("=")[:40]] = f"{name} base64"
            fragments[base64.urlsafe_b64encode(raw).decode().rstrip("=")[:40]] = f"{name} b64url"
    fragments[django_settings.SECRET_KEY] = "Django SECRET_KEY"
    return {fragment: origin for fragment, origin in fragments.items() if len(fragment) >= 16}


class Capture(logging.Handler):
    """Every record, formatted with its traceback and its raw arguments."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.formatter_ = logging.Formatter("%(name)s %(levelname)s %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.formatter_.format(record))
        self.lines.append(repr(record.args))
        self.lines.append(repr(getattr(record, "request", "")))


def exception_chain(err: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    while err is not None and err not in chain:
        chain.append(err)
        err = err.__cause__ or err.__context__  # type: ignore[assignment]
    return chain


class SecretScanMixin(SimpleTestCase):
    def assertNothingSecretIn(
        self, text: str, secrets: list[str], where: str, *, public: bool = True
    ) -> None:
        for fragment, origin in key_fragments(include_public=public).items():
            self.assertNotIn(fragment, text, f"{origin} in {where}")
        for secret in secrets:
            self.assertNotIn(secret, text, f"a secret ({secret[:12]}...) in {where}")


@paseto_settings(DENYLIST_ENABLED=True, ROTATE_REFRESH_TOKENS=True)
class FlowSecretTests(TokenAPITestCase, SecretScanMixin):
    """A whole flow, good and bad, with every response and log line kept and scanned."""

    def setUp(self) -> None:
        super().setUp()
        # (where, text, may show public keys, the tokens it issued)
        self.responses: list[tuple[str, str, bool, list[str]]] = []
        self.capture = Capture()
        loggers = [
            logging.getLogger(name)
            for name in ("", "django", "django.request", "django.db.backends", "drf_paseto")
        ]
        for logger in loggers:
            previous = logger.level
            logger.addHandler(self.capture)
            logger.setLevel(logging.DEBUG)
            self.addCleanup(logger.setLevel, previous)
            self.addCleanup(logger.removeHandler, self.capture)
        # SQL statements and their parameters are logged too (a token stored in the clear
        # in the denylist would show here).
        connection.force_debug_cursor = True
        self.addCleanup(setattr, connection, "force_debug_cursor", False)

    def keep(self, where: str, response: Any, *, public: bool = False) -> Any:
        """Keep a response; the tokens it issues may appear in it, and nowhere else."""
        issued_here = []
        if response.status_code < 300 and response.get("Content-Type") == "application/json":
            body = response.json()
            for value in body.values() if isinstance(body, dict) else []:
                if isinstance(value, str) and value.startswith(("v4.", "v3.")):
                    issued_here.append(value)
        self.issued.extend(issued_here)
        self.responses.append((where, response_text(response), public, issued_here))
        return response

    def post(self, url: str, data: Any = None, **extra: Any) -> Any:
        return self.keep(f"POST {url}", self.client.post(url, data, format="json", **extra))

    def get(self, url: str, **extra: Any) -> Any:
        return self.keep(f"GET {url}", self.client.get(url, **extra))

    def run_flow(self) -> None:
        wrong = PASSWORD + "!"
        self.post(LOGIN_URL, {"username": USERNAME, "password": wrong})
        self.post(LOGIN_URL, {"username": USERNAME, "password": PASSWORD * 200})
        self.post(LOGIN_URL, {"username": USERNAME, "password": [PASSWORD]})
        self.keep(
            "POST bad JSON",
            self.client.post(
                LOGIN_URL,
                f'{{"username": "{USERNAME}", "password": "{PASSWORD}\xff',
                content_type="application/json",
            ),
        )
        tokens = self.post(LOGIN_URL, {"username": USERNAME, "password": PASSWORD}).json()
        access, refresh = tokens["access_token"], tokens["refresh_token"]
        self.get("/protected/", **self.bearer(access))
        self.get("/protected/", **self.bearer(access[:-3] + "AAA"))
        self.get("/protected/", **self.bearer(refresh))
        self.get("/fresh/", HTTP_AUTHORIZATION=f"Bearer {access}\x00")
        self.get("/protected/", HTTP_AUTHORIZATION=f"Basic {USERNAME}:{PASSWORD}")
        self.post(VERIFY_URL, {"token": access})
        self.post(VERIFY_URL, {"token": access + "A"})
        self.post(VERIFY_URL, {"token": refresh.replace("v4.local", "v4.public")})
        rotated = self.post(REFRESH_URL, **self.bearer(refresh)).json()
        self.post(REFRESH_URL, **self.bearer(refresh))  # reuse: the session is revoked
        self.post(REFRESH_URL, {"refresh_token": rotated["refresh_token"]})
        self.get("/protected/", **self.bearer(rotated["access_token"]))
        tokens = self.post(LOGIN_URL, {"username": USERNAME, "password": PASSWORD}).json()
        self.post("/auth/logout/", **self.bearer(tokens["access_token"]))
        self.get("/protected/", **self.bearer(tokens["access_token"]))
        tokens = self.post(LOGIN_URL, {"username": USERNAME, "password": PASSWORD}).json()
        self.post("/auth/logout/all/", {"refresh_token": tokens["refresh_token"]})
        self.post(REFRESH_URL, **self.bearer(tokens["refresh_token"]))
        self.get(KEYS_URL)
        with paseto_settings(**PUBLIC_V4, DENYLIST_ENABLED=True):
            self.keep("GET keys (public)", self.client.get(KEYS_URL), public=True)
            tokens = self.post(LOGIN_URL, {"username": USERNAME, "password": PASSWORD}).json()
            self.get("/protected/", **self.bearer(tokens["access_token"]))
            self.post(REFRESH_URL, **self.bearer(tokens["refresh_token"]))
        # Misconfigured keys: a 503, and a log line that says why without any key.
        for broken in (
            {"SECRET_KEY": keys.PUBLIC_V4_1},
            {"SECRET_KEY": keys.LOCAL_V3_1},
            {"SECRET_KEY": keys.LOCAL_V4_1[:-2]},
            {"SECRET_KEY": keys.SECRET_V4_1},
            {"PURPOSE": "public", "PRIVATE_KEY": keys.SECRET_V4_1, "PUBLIC_KEY": keys.PUBLIC_V4_2},
            {"PURPOSE": "public", "PRIVATE_KEY": keys.SECRET_V4_1[:-3]},
            {"PURPOSE": "public", "PRIVATE_KEY": keys.PRIVATE_PEM_RSA},
            {"PURPOSE": "public", "PRIVATE_KEY": keys.PRIVATE_PEM_P256, "VERSION": 3},
            {"PURPOSE": "public", "PRIVATE_KEY": keys.PRIVATE_PEM_V4_1.replace("M", "N", 2)},
            {"PURPOSE": "public", "VERSION": 3, "PRIVATE_KEY": keys.PRIVATE_PEM_V4_2},
        ):
            with paseto_settings(**broken):
                self.post(LOGIN_URL, {"username": USERNAME, "password": PASSWORD})
                self.get("/protected/", **self.bearer(access))

    def test_no_secret_in_responses_or_logs(self) -> None:
        self.run_flow()
        self.assertGreater(len(self.issued), 8)
        self.assertTrue(any("cannot use its keys" in line for line in self.capture.lines))
        self.assertTrue(
            any("drf_paseto_loginsession" in line.lower() for line in self.capture.lines)
        )

        def secrets_of(tokens: list[str]) -> list[str]:
            return [*tokens, *(token.split(".")[2] for token in tokens)]

        issued = [token for *_, issued_here in self.responses for token in issued_here]
        secrets = [PASSWORD, *secrets_of(issued)]
        for where, text, public, issued_here in self.responses:
            others = [PASSWORD, *secrets_of([t for t in issued if t not in issued_here])]
            self.assertNothingSecretIn(text, others, where, public=not public)
        for line in self.capture.lines:
            self.assertNothingSecretIn(line, secrets, f"the log line {line[:120]!r}")

    def test_codes_of_the_flow(self) -> None:
        """The flow above really exercised the error paths it means to."""
        self.run_flow()
        statuses = [text.split("\n")[0] for _, text, _, _ in self.responses]
        self.assertTrue(any('"code":"token_reused"' in s.replace(" ", "") for s in statuses))
        self.assertTrue(any('"code":"keys_unavailable"' in s.replace(" ", "") for s in statuses))
        self.assertTrue(any('"code":"token_revoked"' in s.replace(" ", "") for s in statuses))
        self.assertTrue(any('"code":"invalid_credentials"' in s.replace(" ", "") for s in statuses))


class ExceptionSecretTests(TokenAPITestCase, SecretScanMixin):
    """str() and repr() of what the layers raise, with the whole chain of causes."""

    def assertChainClean(self, err: BaseException, secrets: list[str], what: str) -> None:
        for link in exception_chain(err):
            for text in (str(link), repr(link), repr(link.args)):
                self.assertNothingSecretIn(text, secrets, f"{what}: {type(link).__name__}")

    def test_token_errors(self) -> None:
        tokens = self.login()
        access, refresh = tokens["access_token"], tokens["refresh_token"]
        body = access.split(".")[2]
        hostile = [
            access[:-1] + ("A" if access[-1] != "A" else "B"),
            access.replace("v4.local.", "v4.public."),
            "v4.local." + body,
            "v4.local." + body + "==",
            access + "." + body,
            access + "A" * 5000,
            "v4.local." + body[:10] + "." + access.split(".")[3],
        ]
        for token in hostile:
            for token_class in (Token, AccessToken, RefreshToken):
                with self.subTest(token=token[:30], token_class=token_class.__name__):
                    with self.assertRaises(TokenError) as caught:
                        token_class(token)
                    self.assertChainClean(
                        caught.exception, [PASSWORD, access, refresh, body, token], "token"
                    )
        with self.assertRaises(TokenError) as caught:
            AccessToken(refresh)
        self.assertChainClean(caught.exception, [access, refresh], "wrong type")

    def test_key_configuration_errors(self) -> None:
        secret_keys = {
            n: v for n, v in vars(keys).items() if n.startswith(("LOCAL_", "SECRET_", "PRIVATE_"))
        }
        for name, value in secret_keys.items():
            variants = {
                "as is, other version": (value, 3 if "V4" in name else 4),
                "truncated": (value[:-4], 4),
                "one character changed": (
                    value[:-3] + ("A" if value[-3] != "A" else "B") + value[-2:],
                    4,
                ),
            }
            for variant, (text, version) in variants.items():
                for purpose in ("local", "public"):
                    with self.subTest(key=name, variant=variant, purpose=purpose):
                        try:
                            load_key(text, version, purpose)
                        except KeyConfigurationError as err:
                            secrets = [value.split(".", 2)[-1] if value.startswith("k") else value]
                            if isinstance(text, str) and text.startswith("k"):
                                secrets.append(text.split(".", 2)[2])
                            self.assertChainClean(err, secrets, f"{name} {variant}")

    # Fixed bug: load_key() (drf_paseto/_keys.py, the bytes branch) raises
    # KeyConfigurationError("a key given as bytes must be UTF-8 text") *from* the
    # UnicodeDecodeError, whose repr() and args carry the whole key setting (the bytes it
    # could not decode): any error reporter that records the chain (repr, args, Sentry)
    # stores the key. Reproduce: load_key(LOCAL_V4_1.encode() + b"\xff", 4, "local") and
    # look at repr(err.__cause__). A fix: ``raise ... from None``.
    def test_undecodable_key_bytes_are_not_kept_in_the_chain(self) -> None:
        value = keys.LOCAL_V4_1
        with self.assertRaises(KeyConfigurationError) as caught:
            load_key(value.encode() + b"\xff", 4, "local")
        self.assertChainClean(caught.exception, [value.split(".", 2)[2]], "bytes key")

    def test_reprs_of_keys_rings_and_tokens(self) -> None:
        for config in (
            {},
            PUBLIC_V4,
            {"PURPOSE": "public", "VERSION": 3, "PRIVATE_KEY": keys.SECRET_V3_1},
        ):
            with paseto_settings(**config):
                ring = build_key_ring()
                self.assertNothingSecretIn(
                    repr(ring), [], f"repr of the key ring {config}", public=False
                )
                self.assertNothingSecretIn(
                    str(ring.signing_key), [], "str of the signing key", public=False
                )
                token = AccessToken.for_user(self.user)
                text = str(token)
                self.assertNotIn(text, repr(token))
                self.assertNotIn(text.split(".")[2], repr(AccessToken(text)))
        self.assertIsNotNone(get_key_ring())


class ConstantTimeTests(SimpleTestCase):
    SECRET_NAME = re.compile(
        r"(^|_)(tag|mac|hmac|csrf|digest|signature|sig|nonce|password|secret)(_|$)|secret", re.I
    )

    def secret_like_names(self, node: ast.AST) -> list[str]:
        """Names, attributes and subscript/argument strings in an operand (``payload["csrf"]``,
        ``token.get("csrf")``), leaving out the names of called functions."""
        called = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
        names = []
        for sub in ast.walk(node):
            if id(sub) in called:
                continue
            if isinstance(sub, ast.Name):
                names.append(sub.id)
            elif isinstance(sub, ast.Attribute):
                names.append(sub.attr)
            elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub is not node:
                names.append(sub.value)
        return [name for name in names if self.SECRET_NAME.search(name)]

    def offending(self, tree: ast.AST) -> list[tuple[int, list[str]]]:
        """``==`` / ``!=`` between two computed values, one of them named like a secret.

        A comparison with a literal (``key.kind != "secret"``) compares no secret: left out.
        """
        found = []
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare):
                continue
            if not any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops):
                continue
            operands = [node.left, *node.comparators]
            if any(isinstance(operand, ast.Constant) for operand in operands):
                continue
            names = [n for operand in operands for n in self.secret_like_names(operand)]
            if names:
                found.append((node.lineno, names))
        return found

    def test_no_secret_is_compared_with_equality_in_drf_paseto(self) -> None:
        offenders = []
        for path in sorted(PACKAGE_DIR.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for lineno, names in self.offending(tree):
                offenders.append(f"{path.relative_to(PACKAGE_DIR)}:{lineno} {names}")
        self.assertEqual(offenders, [], "compare secrets with hmac.compare_digest")

    def test_the_scan_finds_what_it_looks_for(self) -> None:
        tree = ast.parse(
            "if tag == expected_tag or csrf_token != cookie.csrf: pass\n"
            "ok = f(secret) == 1\n"
            "bad = sent != token.get('csrf')\n"
            "fine = key.kind != 'secret'\n"
            "fine = hmac.compare_digest(sent, token['csrf'])\n"
        )
        found = sorted(name for _, names in self.offending(tree) for name in names)
        self.assertEqual(found, ["csrf", "csrf", "csrf_token", "expected_tag", "tag"])

    def test_only_the_backend_holds_the_crypto_libraries(self) -> None:
        """No MAC, cipher or signature of our own: tags and signatures are pyseto's."""
        self.assertEqual(modules_holding("pyseto"), {"drf_paseto.backend"})
        for package in ("cryptography", "nacl"):
            with self.subTest(package=package):
                self.assertLessEqual(modules_holding(package), {"drf_paseto.backend"})

    @staticmethod
    def with_body_bit_flipped(token: str, byte: int, bit: int = 0) -> _ParsedToken:
        """``token`` with one bit of its body changed (``byte`` counts from the end if < 0)."""
        header, purpose, body = token.split(".")
        changed = bytearray(backend._b64url_decode(body))
        changed[byte] ^= 1 << bit
        forged = f"{header}.{purpose}.{backend._b64url_encode(bytes(changed))}"
        return backend._parse_token(
            forged, version=int(header[1]), purpose=purpose, max_length=10_000
        )

    def test_pyseto_checks_local_tags_in_constant_time(self) -> None:
        """Opening a local token hands the tag it carries to compare_digest, valid or not."""
        for version, paserk, tag_size in ((4, keys.LOCAL_V4_1, 32), (3, keys.LOCAL_V3_1, 48)):
            key = backend.key_from_paserk(paserk, version)
            token = backend._seal(key, b'{"a": 1}', b"")
            tag = backend._b64url_decode(token.split(".")[2])[-tag_size:]
            with self.subTest(version=version):
                good = backend._parse_token(
                    token, version=version, purpose="local", max_length=10_000
                )
                with compare_digest_calls() as calls:
                    self.assertEqual(backend._open_token(good, key), b'{"a": 1}')
                self.assertIn(tag, [value for call in calls for value in call])
                with compare_digest_calls() as calls, self.assertRaises(TokenInvalid):
                    backend._open_token(self.with_body_bit_flipped(token, -1), key)
                forged_tag = tag[:-1] + bytes([tag[-1] ^ 1])
                self.assertIn(forged_tag, [value for call in calls for value in call])

    def test_every_bit_of_a_public_signature_counts(self) -> None:
        """v4 (Ed25519) and v3 (ECDSA P-384) signatures are verified, bit for bit, by the
        signature library (the official vectors show it is the real algorithm)."""
        for version, paserk, size in ((4, keys.SECRET_V4_1, 64), (3, keys.SECRET_V3_1, 96)):
            secret = backend.key_from_paserk(paserk, version)
            public = backend.public_key_of(secret)
            token = backend._seal(secret, b'{"a": 1}', b"")
            with self.subTest(version=version):
                good = backend._parse_token(
                    token, version=version, purpose="public", max_length=10_000
                )
                self.assertEqual(backend._open_token(good, public), b'{"a": 1}')
                for bit in range(size * 8):
                    with self.assertRaises(TokenInvalid):
                        backend._open_token(
                            self.with_body_bit_flipped(token, bit // 8 - size, bit % 8), public
                        )

    def test_django_compares_passwords_in_constant_time(self) -> None:
        """Django's hasher (the login's ``authenticate()``) compares the hashes with
        compare_digest (through constant_time_compare)."""
        encoded = make_password(PASSWORD)
        with compare_digest_calls() as calls:
            self.assertFalse(check_password(PASSWORD + "x", encoded))
        self.assertEqual(len(calls), 1)
        self.assertIn(encoded.encode(), calls[0])

    def test_django_compares_csrf_tokens_in_constant_time(self) -> None:
        """Django's CSRF middleware (behind DRF's SessionAuthentication) compares the sent
        token with the cookie's secret with compare_digest."""
        secret = get_random_string(32)
        factory = RequestFactory()
        middleware = CsrfViewMiddleware(lambda request: HttpResponse())
        for sent, allowed in ((secret, True), (get_random_string(32), False)):
            with self.subTest(allowed=allowed):
                request = factory.post("/", HTTP_X_CSRFTOKEN=sent)
                request.COOKIES[django_settings.CSRF_COOKIE_NAME] = secret
                with compare_digest_calls() as calls:
                    response = middleware.process_view(request, lambda r: None, (), {})
                self.assertEqual(response is None, allowed)
                self.assertIn((sent.encode(), secret.encode()), calls)
