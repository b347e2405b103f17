"""Property-based fuzzing with hypothesis (docs/security-tests.md).

Generated ``Authorization`` values, request bodies of every shape and content type, tokens
forged with our key around random payloads, and mutations of valid tokens (bit flips,
truncations, splices, insertions, deletions, re-encodings). The properties:

* never a 5xx, and every error a JSON error;
* never a mutated token accepted, by the token classes or by any access endpoint;
* never a refresh token (of any claims, mutated or not) opening an access endpoint;
* the claim layer never raises anything but a ``TokenError`` on a payload it did not make.

Profiles: ``ci`` (the default: 200 examples per property, derandomized so that CI is
reproducible) and ``long`` (5000 examples, random): ``HYPOTHESIS_PROFILE=long``.
"""

from __future__ import annotations

import base64
import json
import os
from datetime import timedelta
from typing import Any

import pyseto
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import SimpleTestCase as HypothesisSimpleTestCase
from hypothesis.extra.django import TestCase as HypothesisTestCase

from drf_paseto.exceptions import TokenError
from drf_paseto.tokens import RESERVED_CLAIMS, AccessToken, RefreshToken, Token
from tests import keys
from tests.helpers import PASSWORD, USERNAME, claims, forge, paseto_settings

_COMMON = {
    "deadline": None,
    "database": None,  # nothing written into the repository
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "print_blob": True,
}
settings.register_profile("ci", max_examples=200, derandomize=True, **_COMMON)
settings.register_profile("long", max_examples=5000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ACCESS_ENDPOINTS = ("/protected/", "/fresh/", "/authenticated/", "/open/", "/optional/")
TOKEN_VIEWS = (
    "/auth/login/",
    "/auth/verify/",
    "/auth/refresh/",
    "/auth/logout/",
    "/auth/logout/all/",
)
ALL_VIEWS = (*TOKEN_VIEWS, "/auth/keys/", *ACCESS_ENDPOINTS, "/refresh-only/")
LIFETIME = timedelta(days=1)  # the long profile runs for a long time
B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- strategies ---------------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)
field_names = st.sampled_from(
    ["username", "password", "token", "refresh_token", "access_token", "x", ""]
)
json_bodies = st.one_of(
    json_values,
    st.dictionaries(field_names, json_values, max_size=4),
)
content_types = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=latin-1",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=BoUnDaRy",
        "text/plain",
        "",
    ]
)
header_values = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=200),
    st.binary(max_size=200).map(lambda raw: raw.decode("latin-1")),
    st.builds(
        lambda scheme, sep, rest: scheme + sep + rest,
        st.sampled_from(["Bearer", "bearer", "BEARER", "Basic", "Token", "", "Bearer,"]),
        st.sampled_from([" ", "  ", "\t", "", "\x00", "\r\n", ", "]),
        st.text(alphabet=B64_ALPHABET + ".=/+ ,\x00\n", max_size=300),
    ),
)


@st.composite
def mutations(draw: Any, token: str, others: tuple[str, ...]) -> str:
    """A token changed once: a bit flip, truncation, splice, insertion, deletion, re-encoding."""
    parts = token.split(".")
    kind = draw(
        st.sampled_from(
            [
                "flip",
                "truncate",
                "splice",
                "insert",
                "delete",
                "replace",
                "reencode",
                "segments",
            ]
        )
    )
    if kind == "flip":
        index = draw(st.sampled_from([2, 3] if len(parts) > 3 else [2]))
        data = bytearray(unb64(parts[index]))
        bit = draw(st.integers(0, len(data) * 8 - 1))
        data[bit // 8] ^= 1 << (bit % 8)
        parts[index] = b64(bytes(data))
        return ".".join(parts)
    if kind == "truncate":
        return token[: draw(st.integers(0, len(token) - 1))]
    if kind == "splice":
        other = draw(st.sampled_from(others))
        i = draw(st.integers(0, len(token)))
        j = draw(st.integers(0, len(other)))
        return token[:i] + other[j:]
    if kind == "insert":
        i = draw(st.integers(0, len(token)))
        return token[:i] + draw(st.text(B64_ALPHABET + ".", min_size=1, max_size=8)) + token[i:]
    if kind == "delete":
        i = draw(st.integers(0, len(token) - 1))
        n = draw(st.integers(1, 8))
        return token[:i] + token[i + n :]
    if kind == "replace":
        i = draw(st.integers(0, len(token) - 1))
        return token[:i] + draw(st.sampled_from(B64_ALPHABET + ".")) + token[i + 1 :]
    if kind == "reencode":
        how = draw(st.sampled_from(["pad", "standard", "trailing bits", "footer json", "case"]))
        index = draw(st.sampled_from([2, 3]))
        if how == "pad":
            parts[index] += "=" * draw(st.integers(1, 2))
        elif how == "standard":
            raw = unb64(parts[index])
            parts[index] = base64.b64encode(raw).decode().rstrip("=")
            assume(parts[index] != b64(raw))
        elif how == "trailing bits":
            text = parts[index]
            assume(len(text) % 4 in (2, 3))
            spare = 4 if len(text) % 4 == 2 else 2
            low = draw(st.integers(1, (1 << spare) - 1))
            parts[index] = text[:-1] + B64_ALPHABET[B64_ALPHABET.index(text[-1]) ^ low]
        elif how == "footer json":
            footer = json.loads(unb64(parts[3]))
            spelled = json.dumps(footer, indent=draw(st.sampled_from([None, 0, 1])))
            assume(spelled.encode() != unb64(parts[3]))
            parts[3] = b64(spelled.encode())
        else:
            i = draw(st.integers(0, len(token) - 1))
            flipped = token[i].swapcase()
            assume(flipped != token[i])
            return token[:i] + flipped + token[i + 1 :]
        return ".".join(parts)
    # Segments dropped, repeated or swapped with another token's.
    other = draw(st.sampled_from(others)).split(".")
    how = draw(st.sampled_from(["drop footer", "other footer", "other body", "repeat"]))
    if how == "drop footer":
        return ".".join(parts[:3])
    if how == "other footer" and len(other) > 3:
        return ".".join([*parts[:3], other[3]])
    if how == "other body":
        return ".".join([*parts[:2], other[2], *parts[3:]])
    return token + "." + parts[-1]


class FuzzTestCase(HypothesisTestCase):
    refresh_token: str
    access_token: str
    other_access: str
    foreign: str
    valid: frozenset[str]
    others: tuple[str, ...]

    @classmethod
    def setUpTestData(cls) -> None:
        """Valid tokens of a user, issued once per class (a day's lifetime)."""
        user = cls.user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
        cls.refresh_token = str(RefreshToken.for_user(user, lifetime=LIFETIME))
        cls.access_token = str(AccessToken.for_user(user, fresh=True, lifetime=LIFETIME))
        cls.other_access = str(AccessToken.for_user(user, lifetime=LIFETIME))
        cls.foreign = forge(claims(user.pk), key=keys.LOCAL_V4_2)
        cls.valid = frozenset({cls.refresh_token, cls.access_token, cls.other_access})
        cls.others = (cls.refresh_token, cls.other_access, cls.foreign)

    def assertHandled(self, response: Any, where: str) -> None:
        self.assertLess(response.status_code, 500, (where, response.content[:200]))
        if response.status_code >= 400 and response.content:
            self.assertTrue(response["Content-Type"].startswith("application/json"), where)
            body = response.json()
            self.assertIsInstance(body.get("detail"), str, where)
            if where.startswith("/auth/"):
                self.assertIsInstance(body.get("code"), str, where)
        text = response.content.decode("utf-8", "replace")
        self.assertNotIn(PASSWORD, text)
        for token in self.valid:
            self.assertNotIn(token, text)


class HeaderFuzzTests(FuzzTestCase):
    @given(value=header_values, url=st.sampled_from(ALL_VIEWS))
    def test_generated_authorization_headers(self, value: str, url: str) -> None:
        method = "get" if url == "/auth/keys/" or not url.startswith("/auth/") else "post"
        response = getattr(self.client, method)(url, HTTP_AUTHORIZATION=value)
        self.assertHandled(response, url)
        if url in ("/protected/", "/fresh/", "/authenticated/", "/refresh-only/"):
            self.assertIn(response.status_code, (401, 403))


@paseto_settings(DENYLIST_ENABLED=True, TOKEN_LOCATION=["headers", "json"])
class BodyFuzzTests(FuzzTestCase):
    @given(body=json_bodies, url=st.sampled_from(ALL_VIEWS))
    def test_generated_json_bodies(self, body: Any, url: str) -> None:
        response = self.client.post(url, json.dumps(body), content_type="application/json")
        self.assertHandled(response, url)
        if url not in ("/optional/", "/open/"):
            self.assertGreaterEqual(response.status_code, 400)

    @given(
        body=st.binary(max_size=2000), content_type=content_types, url=st.sampled_from(ALL_VIEWS)
    )
    def test_generated_raw_bodies(self, body: bytes, content_type: str, url: str) -> None:
        response = self.client.generic("POST", url, body, content_type)
        self.assertHandled(response, url)


class MutationFuzzTests(FuzzTestCase):
    @given(data=st.data())
    def test_mutated_access_tokens_are_never_accepted(self, data: Any) -> None:
        original = self.access_token
        mutated = data.draw(mutations(original, self.others))
        assume(mutated not in self.valid)
        with self.assertRaises(TokenError):
            Token(mutated)
        url = data.draw(st.sampled_from(ACCESS_ENDPOINTS))
        response = self.client.get(url, HTTP_AUTHORIZATION=f"Bearer {mutated}")
        self.assertHandled(response, url)
        self.assertIn(response.status_code, (401, 403), response.content)
        verify = self.client.post(
            "/auth/verify/", {"token": mutated}, content_type="application/json"
        )
        self.assertHandled(verify, "/auth/verify/")
        self.assertIn(verify.status_code, (400, 401))

    @given(data=st.data())
    def test_mutated_refresh_tokens_are_never_accepted(self, data: Any) -> None:
        original = self.refresh_token
        mutated = data.draw(mutations(original, self.others))
        assume(mutated not in self.valid)
        with self.assertRaises(TokenError):
            Token(mutated)
        response = self.client.post("/auth/refresh/", HTTP_AUTHORIZATION=f"Bearer {mutated}")
        self.assertHandled(response, "/auth/refresh/")
        self.assertEqual(response.status_code, 401, response.content)

    @given(data=st.data())
    def test_refresh_tokens_never_open_an_access_endpoint(self, data: Any) -> None:
        """The refresh token itself, any mutation of it, and new ones with random claims."""
        source = data.draw(st.sampled_from(["original", "mutated", "new"]))
        if source == "original":
            token = self.refresh_token
        elif source == "mutated":
            token = data.draw(mutations(self.refresh_token, self.others))
            assume(token not in (self.access_token, self.other_access))
        else:
            custom = data.draw(
                st.dictionaries(
                    st.text(min_size=1, max_size=10).filter(lambda k: k not in RESERVED_CLAIMS),
                    json_values,
                    max_size=4,
                )
            )
            token = str(RefreshToken.for_user(self.user, claims=custom, lifetime=LIFETIME))
        url = data.draw(st.sampled_from(ACCESS_ENDPOINTS))
        method = data.draw(st.sampled_from(["get", "post"]))
        response = getattr(self.client, method)(url, HTTP_AUTHORIZATION=f"Bearer {token}")
        self.assertHandled(response, url)
        self.assertIn(response.status_code, (401, 403), response.content)
        if source != "mutated":
            self.assertEqual(response.json()["code"], "token_wrong_type")


class ForgedPayloadFuzzTests(HypothesisSimpleTestCase):
    """Our own key around payloads we never made: the claim layer never crashes."""

    registered = st.fixed_dictionaries(
        {},
        optional={
            name: json_values | st.text(max_size=40)
            for name in ("sub", "type", "jti", "sid", "iat", "exp", "nbf", "fresh", "iss", "aud")
        },
    )

    @given(
        base=st.booleans(),
        changes=registered,
        extra=st.dictionaries(st.text(max_size=8), json_values, max_size=3),
    )
    def test_any_payload_is_accepted_or_a_token_error(
        self, base: bool, changes: dict[str, Any], extra: dict[str, Any]
    ) -> None:
        payload = {**(claims(1) if base else {}), **extra, **changes}
        token = forge(payload)
        for token_class in (Token, AccessToken, RefreshToken):
            try:
                accepted = token_class(token)
            except TokenError:
                continue
            # Accepted: then it really is what the class stands for.
            self.assertIsInstance(accepted.payload["sub"], str)
            if token_class is AccessToken:
                self.assertEqual(accepted.type, "access")
                self.assertIs(type(accepted.payload["fresh"]), bool)
            if token_class is RefreshToken:
                self.assertEqual(accepted.type, "refresh")
                self.assertNotIn("fresh", accepted.payload)

    @given(payload=st.binary(max_size=600), footer=st.sampled_from([None, b"", b"{}", b"x"]))
    def test_any_payload_bytes_are_a_token_error(
        self, payload: bytes, footer: bytes | None
    ) -> None:
        token = forge(payload, footer=footer)
        with self.assertRaises(TokenError):
            AccessToken(token)

    @given(raw=st.binary(min_size=32, max_size=32), payload=st.binary(max_size=200))
    def test_random_keys_claiming_our_kid_are_refused(self, raw: bytes, payload: bytes) -> None:
        key = pyseto.Key.new(4, "local", raw)
        footer = json.dumps(
            {"kid": pyseto.Key.from_paserk(keys.LOCAL_V4_1).to_paserk_id()}, separators=(",", ":")
        ).encode()
        token = pyseto.encode(key, payload, footer).decode()
        with self.assertRaises(TokenError) as caught:
            Token(token)
        self.assertEqual(caught.exception.code, "token_invalid")
