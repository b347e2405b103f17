"""drf_paseto.tokens: creating tokens, their claims, and every way decoding refuses one."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any
from unittest import mock

from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase, override_settings

from drf_paseto import _encoding, backend
from drf_paseto._keys import get_key_ring
from drf_paseto.authentication import PasetoAuthentication, PasetoRefreshAuthentication
from drf_paseto.clock import _UNLIMITED_LIFETIME
from drf_paseto.exceptions import (
    ClaimsNotIssuable,
    TokenError,
    TokenInvalid,
    TokenKeyUnknown,
    TokenTooLarge,
    TokenUnsupported,
)
from drf_paseto.tokens import (
    RESERVED_CLAIMS,
    AccessToken,
    RefreshToken,
    Token,
    create_token,
)
from tests.helpers import DROP, changes_applied, raises_code
from tests.keys import (
    LOCAL_V3_1,
    LOCAL_V4_1,
    LOCAL_V4_2,
    PRIVATE_PEM_V4_1,
    PUBLIC_PEM_V4_1,
    PUBLIC_V4_1,
    SECRET_V3_1,
    SECRET_V4_1,
    SECRET_V4_2,
)

NOW = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
NOW_TEXT = "2030-01-02T03:04:05+00:00"


def at(moment: datetime) -> Any:
    """Freeze the clock every claim is set and checked against."""
    return mock.patch("drf_paseto.clock.current_time", return_value=moment)


def later(**kwargs: float) -> Any:
    return at(NOW + timedelta(**kwargs))


def user(pk: int = 42, username: str = "alice") -> User:
    # Never saved: the token layer only reads attributes.
    return User(pk=pk, username=username)


def sign(payload: Any) -> str:
    """A token with any payload, authenticated with the configured key ring."""
    return get_key_ring().encode(_encoding.dumps(payload))


def sign_bytes(data: bytes) -> str:
    return get_key_ring().encode(data)


def access_payload(**changes: Any) -> dict[str, Any]:
    """A valid access-token payload at NOW, with ``changes`` applied (``DROP`` removes)."""
    payload: dict[str, Any] = {
        "sub": "42",
        "type": "access",
        "jti": "a" * 32,
        "sid": "b" * 32,
        "iat": NOW_TEXT,
        "exp": _encoding.format_time(NOW + timedelta(minutes=15)),
        "fresh": False,
    }
    return changes_applied(payload, changes)


def refresh_payload(**changes: Any) -> dict[str, Any]:
    return access_payload(**{"type": "refresh", "fresh": DROP, **changes})


class ResetToken(Token):
    token_type = "reset"
    lifetime = timedelta(minutes=5)


class OtherToken(Token):
    token_type = "other"
    lifetime = timedelta(minutes=5)


class ForUserTests(SimpleTestCase):
    def test_access_token_claims(self) -> None:
        with at(NOW):
            token = AccessToken.for_user(user(pk=42))
        self.assertEqual(set(token.payload), {"sub", "type", "jti", "sid", "iat", "exp", "fresh"})
        self.assertEqual(token["sub"], "42")
        self.assertEqual(token["type"], "access")
        self.assertEqual(token["iat"], "2030-01-02T03:04:05+00:00")
        self.assertEqual(token["exp"], "2030-01-02T03:19:05+00:00")
        self.assertIs(token["fresh"], False)
        self.assertRegex(token["jti"], r"\A[0-9a-f]{32}\Z")
        self.assertRegex(token["sid"], r"\A[0-9a-f]{32}\Z")
        self.assertEqual(token.type, "access")
        self.assertEqual(token.subject, "42")
        self.assertEqual(token.issued_at, NOW)
        self.assertEqual(token.expires_at, NOW + timedelta(minutes=15))
        self.assertIsNone(token.location)

    def test_refresh_token_claims(self) -> None:
        with at(NOW):
            token = RefreshToken.for_user(user(pk=7))
        self.assertEqual(set(token.payload), {"sub", "type", "jti", "sid", "iat", "exp"})
        self.assertEqual(token["sub"], "7")
        self.assertEqual(token["type"], "refresh")
        self.assertEqual(token["iat"], NOW_TEXT)
        self.assertEqual(token["exp"], "2030-02-01T03:04:05+00:00")  # 30 days
        self.assertNotIn("fresh", token)

    def test_subject_is_a_string_of_the_pk(self) -> None:
        token = AccessToken.for_user(user(pk=123456789012))
        self.assertEqual(token["sub"], "123456789012")
        self.assertIsInstance(token["sub"], str)

    @override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "USER_ID_FIELD": "username"})
    def test_subject_follows_user_id_field(self) -> None:
        access = AccessToken.for_user(user(pk=1, username="bob"))
        refresh = RefreshToken.for_user(user(pk=1, username="bob"))
        self.assertEqual(access["sub"], "bob")
        self.assertEqual(refresh["sub"], "bob")
        self.assertEqual(refresh.access_token["sub"], "bob")

    def test_jti_and_sid_are_unique_per_login(self) -> None:
        tokens = [RefreshToken.for_user(user()) for _ in range(50)]
        self.assertEqual(len({t.jti for t in tokens}), 50)
        self.assertEqual(len({t.session_id for t in tokens}), 50)

    def test_session_id_joins_an_existing_session(self) -> None:
        token = AccessToken.for_user(user(), session_id="session-1")
        self.assertEqual(token["sid"], "session-1")
        self.assertEqual(token.session_id, "session-1")

    @override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "ACCESS_TOKEN_EXPIRES": 60})
    def test_lifetime_in_int_seconds(self) -> None:
        with at(NOW):
            token = AccessToken.for_user(user())
        self.assertEqual(token["exp"], "2030-01-02T03:05:05+00:00")

    @override_settings(
        DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "REFRESH_TOKEN_EXPIRES": timedelta(hours=2)}
    )
    def test_lifetime_as_timedelta(self) -> None:
        with at(NOW):
            token = RefreshToken.for_user(user())
        self.assertEqual(token["exp"], "2030-01-02T05:04:05+00:00")

    @override_settings(
        DRF_PASETO={
            "SECRET_KEY": LOCAL_V4_1,
            "ACCESS_TOKEN_EXPIRES": False,
            "REFRESH_TOKEN_EXPIRES": False,
        }
    )
    def test_false_lifetime_is_a_hundred_years(self) -> None:
        with at(NOW):
            access = AccessToken.for_user(user())
            refresh = RefreshToken.for_user(user())
        expected = _encoding.format_time(NOW + timedelta(days=36500))
        self.assertEqual(expected, "2129-12-09T03:04:05+00:00")
        self.assertEqual(access["exp"], expected)
        self.assertEqual(refresh["exp"], expected)
        self.assertEqual(_UNLIMITED_LIFETIME, timedelta(days=36500))

    def test_lifetime_argument_wins_over_the_setting(self) -> None:
        with at(NOW):
            token = AccessToken.for_user(user(), lifetime=timedelta(seconds=30))
        self.assertEqual(token["exp"], "2030-01-02T03:04:35+00:00")

    def test_invalid_lifetime_settings_are_improperly_configured(self) -> None:
        for value in (
            0,
            -5,
            "60",
            1.5,
            True,
            None,
            timedelta(0),
            timedelta(seconds=-1),
            10**20,
            timedelta(days=365 * 2000),
        ):
            with (
                self.subTest(value=value),
                override_settings(
                    DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "ACCESS_TOKEN_EXPIRES": value}
                ),
            ):
                with self.assertRaises(ImproperlyConfigured) as ctx:
                    AccessToken.for_user(user())
                self.assertIn("ACCESS_TOKEN_EXPIRES", str(ctx.exception))

    def test_base_token_has_no_type_to_create(self) -> None:
        with self.assertRaises(TypeError):
            Token.for_user(user())

    def test_subclass_without_lifetime(self) -> None:
        class Untimed(Token):
            token_type = "untimed"

        with self.assertRaises(ImproperlyConfigured):
            Untimed.for_user(user())

    def test_custom_claims_are_kept(self) -> None:
        token = AccessToken.for_user(user(), claims={"role": "admin", "tenant": [1, 2]})
        self.assertEqual(token["role"], "admin")
        self.assertEqual(token.get("tenant"), [1, 2])
        self.assertIsNone(token.get("missing"))
        self.assertEqual(token.get("missing", "x"), "x")
        self.assertEqual(token.custom_claims, {"role": "admin", "tenant": [1, 2]})
        decoded = AccessToken(str(token))
        self.assertEqual(decoded.custom_claims, {"role": "admin", "tenant": [1, 2]})

    def test_reserved_claims_cannot_be_set_at_creation(self) -> None:
        self.assertEqual(
            RESERVED_CLAIMS,
            {"sub", "type", "jti", "sid", "iat", "exp", "nbf", "iss", "aud", "fresh", "csrf"},
        )
        for name in sorted(RESERVED_CLAIMS):
            for token_class in (AccessToken, RefreshToken):
                with self.subTest(name=name, token_class=token_class.__name__):
                    with self.assertRaises(ClaimsNotIssuable) as ctx:
                        token_class.for_user(user(), claims={name: "x", "role": "admin"})
                    self.assertIn(name, str(ctx.exception))
            with (
                self.subTest(name=name, via="create_token"),
                self.assertRaises(ClaimsNotIssuable),
            ):
                create_token(user(), "reset", lifetime=timedelta(minutes=5), claims={name: "x"})

    def test_reserved_claims_cannot_be_set_afterwards(self) -> None:
        token = AccessToken.for_user(user(pk=42))
        for name in sorted(RESERVED_CLAIMS):
            with self.subTest(name=name), self.assertRaises(ClaimsNotIssuable):
                token[name] = "x"
        self.assertEqual(token["sub"], "42")
        self.assertIs(token["fresh"], False)

    def test_custom_claim_can_be_set_before_issuing(self) -> None:
        token = AccessToken.for_user(user())
        token["role"] = "admin"
        self.assertEqual(AccessToken(str(token))["role"], "admin")

    def test_issued_tokens_are_immutable(self) -> None:
        token = AccessToken.for_user(user())
        raw = str(token)
        with self.assertRaises(ValueError):
            token["role"] = "admin"
        self.assertNotIn("role", token)
        self.assertEqual(str(token), raw)  # encoded once
        decoded = AccessToken(raw)
        with self.assertRaises(ValueError):
            decoded["role"] = "admin"
        self.assertNotIn("role", decoded)


class FreshnessTests(SimpleTestCase):
    def test_for_user_is_not_fresh_by_default(self) -> None:
        token = AccessToken.for_user(user())
        self.assertIs(token["fresh"], False)
        self.assertIs(token.fresh, False)
        self.assertIs(AccessToken(str(token)).fresh, False)

    def test_for_user_fresh_argument(self) -> None:
        token = AccessToken.for_user(user(), fresh=True)
        self.assertIs(token["fresh"], True)
        self.assertIs(AccessToken(str(token)).fresh, True)

    def test_make_access_token_fresh(self) -> None:
        refresh = RefreshToken.for_user(user())
        access = refresh.make_access_token(fresh=True)
        self.assertIs(access["fresh"], True)
        decoded = AccessToken(str(access))
        self.assertIs(decoded["fresh"], True)
        self.assertIs(decoded.fresh, True)

    def test_make_access_token_is_not_fresh_by_default(self) -> None:
        access = RefreshToken.for_user(user()).make_access_token()
        self.assertIs(access["fresh"], False)

    def test_make_access_token_fresh_is_a_boolean(self) -> None:
        # A truthy non-bool used to be stored as is, making a token its own decoder refuses.
        access = RefreshToken.for_user(user()).make_access_token(fresh=1)  # type: ignore[arg-type]
        self.assertIs(access["fresh"], True)
        self.assertIs(AccessToken(str(access)).fresh, True)

    def test_access_token_property_is_never_fresh(self) -> None:
        with at(NOW):
            refresh = RefreshToken.for_user(user(pk=5), claims={"role": "admin"})
        with later(hours=1):
            access = refresh.access_token
        self.assertIsInstance(access, AccessToken)
        self.assertIs(access["fresh"], False)
        self.assertEqual(access["type"], "access")
        self.assertEqual(access["sub"], "5")
        self.assertEqual(access["sid"], refresh["sid"])
        self.assertNotEqual(access["jti"], refresh["jti"])
        self.assertEqual(access["role"], "admin")
        self.assertEqual(access["iat"], "2030-01-02T04:04:05+00:00")
        self.assertEqual(access["exp"], "2030-01-02T04:19:05+00:00")

    def test_access_token_of_a_decoded_refresh_token(self) -> None:
        refresh = RefreshToken.for_user(user(pk=5), claims={"role": "admin"})
        decoded = RefreshToken(str(refresh))
        access = AccessToken(str(decoded.access_token))
        self.assertEqual(access["sid"], refresh["sid"])
        self.assertEqual(access["role"], "admin")
        self.assertIs(access.fresh, False)

    def test_a_fresh_token_and_its_refresh_token_share_the_session(self) -> None:
        refresh = RefreshToken.for_user(user())
        first = refresh.make_access_token(fresh=True)
        second = refresh.access_token
        self.assertEqual({first["sid"], second["sid"]}, {refresh["sid"]})
        self.assertEqual(len({first.jti, second.jti, refresh.jti}), 3)


class IssuerAudienceTests(SimpleTestCase):
    ISS = {"SECRET_KEY": LOCAL_V4_1, "ISSUER": "https://auth.example.com"}

    def test_no_issuer_or_audience_by_default(self) -> None:
        token = AccessToken.for_user(user())
        self.assertNotIn("iss", token)
        self.assertNotIn("aud", token)

    @override_settings(DRF_PASETO=ISS)
    def test_encode_issuer(self) -> None:
        token = AccessToken.for_user(user())
        self.assertEqual(token["iss"], "https://auth.example.com")
        self.assertEqual(AccessToken(str(token))["iss"], "https://auth.example.com")

    def test_wrong_issuer_is_refused(self) -> None:
        with override_settings(DRF_PASETO=self.ISS):
            raw = str(AccessToken.for_user(user()))
        with (
            override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "ISSUER": "other"}),
            raises_code(self, "token_issuer_invalid") as ctx,
        ):
            AccessToken(raw)
        self.assertEqual(ctx.exception.code, "token_issuer_invalid")
        with (
            override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "ISSUER": "other"}),
            raises_code(self, "token_issuer_invalid"),
        ):
            AccessToken(raw)

    def test_missing_issuer_is_refused_when_one_is_expected(self) -> None:
        raw = str(AccessToken.for_user(user()))
        with override_settings(DRF_PASETO=self.ISS), raises_code(self, "token_issuer_invalid"):
            AccessToken(raw)

    def test_issuer_is_not_required_when_none_is_configured(self) -> None:
        with override_settings(DRF_PASETO=self.ISS):
            raw = str(AccessToken.for_user(user()))
        self.assertEqual(AccessToken(raw)["iss"], "https://auth.example.com")

    def test_non_string_issuer_is_invalid_whatever_the_settings(self) -> None:
        with at(NOW):
            raw = sign(access_payload(iss=["https://auth.example.com"]))
            with raises_code(self, "token_claims_invalid"):
                AccessToken(raw)
            with override_settings(DRF_PASETO=self.ISS), raises_code(self, "token_claims_invalid"):
                AccessToken(raw)

    @override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "AUDIENCE": "api"})
    def test_encode_audience_string(self) -> None:
        token = AccessToken.for_user(user())
        self.assertEqual(token["aud"], "api")
        self.assertEqual(AccessToken(str(token))["aud"], "api")

    @override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "AUDIENCE": ("api", "web")})
    def test_encode_audience_list(self) -> None:
        token = RefreshToken.for_user(user())
        self.assertEqual(token["aud"], ["api", "web"])
        self.assertEqual(RefreshToken(str(token))["aud"], ["api", "web"])
        self.assertEqual(token.access_token["aud"], ["api", "web"])

    def test_missing_audience_is_refused_when_one_is_expected(self) -> None:
        raw = str(AccessToken.for_user(user()))
        with (
            override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "AUDIENCE": "api"}),
            raises_code(self, "token_audience_invalid") as ctx,
        ):
            AccessToken(raw)
        self.assertEqual(ctx.exception.code, "token_audience_invalid")

    def test_wrong_audience_is_refused(self) -> None:
        with override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "AUDIENCE": "api"}):
            raw = str(AccessToken.for_user(user()))
        for settings in (
            {"AUDIENCE": "web"},
            {"AUDIENCE": ["web", "admin"]},
        ):
            with (
                self.subTest(settings=settings),
                override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, **settings}),
                raises_code(self, "token_audience_invalid"),
            ):
                AccessToken(raw)

    def test_audience_present_but_none_configured_is_refused(self) -> None:
        with override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "AUDIENCE": "api"}):
            raw = str(AccessToken.for_user(user()))
        with raises_code(self, "token_audience_invalid"):
            AccessToken(raw)
        with at(NOW), raises_code(self, "token_audience_invalid"):
            AccessToken(sign(access_payload(aud=[])))

    def test_audience_lists_are_accepted_on_intersection(self) -> None:
        with override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "AUDIENCE": ["a", "b"]}):
            list_raw = str(AccessToken.for_user(user()))
        with override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "AUDIENCE": "b"}):
            str_raw = str(AccessToken.for_user(user()))
        for accepted in ("b", ["b", "c"], ("c", "b")):
            with (
                self.subTest(accepted=accepted),
                override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "AUDIENCE": accepted}),
            ):
                self.assertEqual(AccessToken(list_raw)["aud"], ["a", "b"])
                self.assertEqual(AccessToken(str_raw)["aud"], "b")
        with (
            override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "AUDIENCE": ["c"]}),
            raises_code(self, "token_audience_invalid"),
        ):
            AccessToken(list_raw)

    def test_mistyped_audience_is_invalid(self) -> None:
        settings = {"SECRET_KEY": LOCAL_V4_1, "AUDIENCE": "api"}
        for aud in (["api", 1], 5, {"api": True}, [["api"]]):
            with self.subTest(aud=aud), at(NOW), override_settings(DRF_PASETO=settings):
                with raises_code(self, "token_claims_invalid") as ctx:
                    AccessToken(sign(access_payload(aud=aud)))
                self.assertEqual(ctx.exception.code, "token_claims_invalid")


class RoundTripTests(SimpleTestCase):
    def test_access_round_trip(self) -> None:
        token = AccessToken.for_user(user(pk=3), claims={"role": "admin"})
        raw = str(token)
        self.assertTrue(raw.startswith("v4.local."))
        decoded = AccessToken(raw)
        self.assertEqual(decoded.payload, token.payload)
        self.assertEqual(str(decoded), raw)
        self.assertEqual(decoded.subject, "3")
        self.assertEqual(decoded.jti, token.jti)
        self.assertEqual(decoded.session_id, token.session_id)
        self.assertEqual(decoded.expires_at, token.expires_at)
        self.assertEqual(decoded.issued_at, token.issued_at)

    def test_refresh_round_trip(self) -> None:
        token = RefreshToken.for_user(user(pk=3))
        self.assertEqual(RefreshToken(str(token)).payload, token.payload)

    def test_access_token_refuses_refresh_tokens_and_vice_versa(self) -> None:
        access = str(AccessToken.for_user(user()))
        refresh = str(RefreshToken.for_user(user()))
        with raises_code(self, "token_wrong_type") as ctx:
            AccessToken(refresh)
        self.assertEqual(ctx.exception.code, "token_wrong_type")
        with raises_code(self, "token_wrong_type") as ctx:
            RefreshToken(access)
        self.assertEqual(ctx.exception.code, "token_wrong_type")

    def test_base_token_accepts_any_type(self) -> None:
        access = AccessToken.for_user(user())
        refresh = RefreshToken.for_user(user())
        custom = create_token(user(), "reset", lifetime=timedelta(minutes=5))
        for token in (access, refresh, custom):
            with self.subTest(type=token.type):
                decoded = Token(str(token))
                self.assertEqual(decoded.type, token.type)
                self.assertEqual(decoded.payload, token.payload)
        # The access-token-only rule on ``fresh`` still holds in the base class.
        with at(NOW), raises_code(self, "token_claims_invalid"):
            Token(sign(access_payload(fresh="true")))

    def test_create_token_custom_type(self) -> None:
        with at(NOW):
            token = create_token(
                user(pk=9),
                "reset",
                lifetime=timedelta(minutes=5),
                claims={"purpose": "password"},
                session_id="s1",
            )
        self.assertIs(type(token), Token)  # no class made at runtime
        self.assertEqual(token.type, "reset")
        self.assertEqual(token["type"], "reset")
        self.assertEqual(token["sub"], "9")
        self.assertEqual(token["sid"], "s1")
        self.assertEqual(token["purpose"], "password")
        self.assertEqual(token["iat"], NOW_TEXT)
        self.assertEqual(token["exp"], "2030-01-02T03:09:05+00:00")
        self.assertNotIn("fresh", token)
        raw = str(token)
        with at(NOW):
            self.assertEqual(ResetToken(raw).payload, token.payload)
            for token_class in (
                AccessToken,
                RefreshToken,
                PasetoAuthentication.token_class,
                PasetoRefreshAuthentication.token_class,
                OtherToken,
            ):
                with (
                    self.subTest(token_class=token_class.__name__),
                    raises_code(self, "token_wrong_type"),
                ):
                    token_class(raw)

    def test_create_token_refuses_builtin_types(self) -> None:
        for token_type in ("access", "refresh"):
            with self.subTest(token_type=token_type), self.assertRaises(ValueError):
                create_token(user(), token_type, lifetime=timedelta(minutes=5))

    def test_subclass_with_own_lifetime_round_trips(self) -> None:
        with at(NOW):
            token = ResetToken.for_user(user())
            self.assertEqual(token["exp"], "2030-01-02T03:09:05+00:00")
            self.assertEqual(ResetToken(str(token)).payload, token.payload)

    def test_repr_never_contains_the_token(self) -> None:
        token = AccessToken.for_user(user())
        raw = str(token)
        for item in (token, AccessToken(raw)):
            text = repr(item)
            self.assertNotIn(raw, text)
            self.assertNotIn(raw.split(".")[2][:20], text)
            self.assertEqual(text, f"<AccessToken type='access' jti={token.jti!r}>")

    def test_constructor_needs_exactly_one_of_token_or_payload(self) -> None:
        with self.assertRaises(TypeError):
            Token(None)
        with self.assertRaises(TypeError):
            Token()
        with self.assertRaises(TypeError):
            AccessToken(str(AccessToken.for_user(user())), payload={"sub": "1"})

    def test_non_string_input_is_refused_cleanly(self) -> None:
        raw = str(AccessToken.for_user(user()))
        for value in (raw.encode("ascii"), 123, ["v4.local."], {"token": raw}, object()):
            with self.subTest(value=type(value).__name__):
                with raises_code(self, "token_claims_invalid") as ctx:
                    AccessToken(value)  # type: ignore[arg-type]
                self.assertIsInstance(ctx.exception, TokenError)
                self.assertEqual(ctx.exception.code, "token_claims_invalid")

    def test_malformed_strings(self) -> None:
        raw = str(AccessToken.for_user(user()))
        body = raw.split(".")[2]
        flipped = body[:10] + ("A" if body[10] != "A" else "B") + body[11:]
        cases = [
            ("", TokenInvalid),
            ("not a token", TokenInvalid),
            ("v2.local." + body, TokenUnsupported),
            ("v4.public." + body, TokenUnsupported),
            (raw.replace(body, flipped), TokenInvalid),
            # No footer: tried with the current key, whose tag covered the footer.
            (raw.rsplit(".", 1)[0], TokenInvalid),
        ]
        for value, error in cases:
            with self.subTest(value=value[:20]), self.assertRaises(error):
                AccessToken(value)


class TimeTests(SimpleTestCase):
    """A token issued at NOW with the default 15-minute access lifetime."""

    def setUp(self) -> None:
        with at(NOW):
            self.raw = str(AccessToken.for_user(user()))

    def test_valid_until_the_second_before_exp(self) -> None:
        with later(minutes=15, seconds=-1):
            self.assertEqual(AccessToken(self.raw)["sub"], "42")

    def test_expired_at_exp(self) -> None:
        for seconds in (0, 1, 3600):
            with self.subTest(seconds=seconds), later(minutes=15, seconds=seconds):
                with raises_code(self, "token_expired") as ctx:
                    AccessToken(self.raw)
                self.assertEqual(ctx.exception.code, "token_expired")

    def test_leeway_extends_expiry(self) -> None:
        for leeway in (10, timedelta(seconds=10)):
            with (
                self.subTest(leeway=leeway),
                override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "DECODE_LEEWAY": leeway}),
            ):
                with later(minutes=15, seconds=9):
                    self.assertEqual(AccessToken(self.raw)["sub"], "42")
                with later(minutes=15, seconds=10), raises_code(self, "token_expired"):
                    AccessToken(self.raw)

    def test_negative_leeway_is_improperly_configured(self) -> None:
        for leeway in (-1, timedelta(seconds=-1)):
            with (
                self.subTest(leeway=leeway),
                override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "DECODE_LEEWAY": leeway}),
                at(NOW),
                self.assertRaises(ImproperlyConfigured),
            ):
                AccessToken(self.raw)

    def test_not_before_in_the_future(self) -> None:
        raw = self._signed(nbf=_encoding.format_time(NOW + timedelta(seconds=60)))
        for seconds in (0, 59):
            with self.subTest(seconds=seconds), later(seconds=seconds):
                with raises_code(self, "token_not_yet_valid") as ctx:
                    AccessToken(raw)
                self.assertEqual(ctx.exception.code, "token_not_yet_valid")
        with later(seconds=60):
            self.assertEqual(AccessToken(raw)["nbf"], "2030-01-02T03:05:05+00:00")

    def test_not_before_within_leeway(self) -> None:
        raw = self._signed(nbf=_encoding.format_time(NOW + timedelta(seconds=60)))
        with override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "DECODE_LEEWAY": 60}):
            with at(NOW):
                self.assertEqual(AccessToken(raw)["sub"], "42")
            with later(seconds=-1), raises_code(self, "token_not_yet_valid"):
                AccessToken(raw)

    def test_issued_in_the_future(self) -> None:
        raw = self._signed(iat=_encoding.format_time(NOW + timedelta(seconds=1)))
        with at(NOW), raises_code(self, "token_issued_in_future") as ctx:
            AccessToken(raw)
        self.assertEqual(ctx.exception.code, "token_issued_in_future")
        with later(seconds=1):
            self.assertEqual(AccessToken(raw)["sub"], "42")
        with override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "DECODE_LEEWAY": 1}), at(NOW):
            self.assertEqual(AccessToken(raw)["sub"], "42")

    def test_times_with_offsets_and_fractions(self) -> None:
        # 04:04:05+01:00 is NOW; a fraction of a second past exp is expired.
        raw = self._signed(iat="2030-01-02T04:04:05+01:00", exp="2030-01-02T03:19:04.5Z")
        with later(minutes=15, seconds=-1):
            self.assertEqual(AccessToken(raw)["sub"], "42")
        with later(minutes=15), raises_code(self, "token_expired"):
            AccessToken(raw)

    def test_extreme_dates_do_not_overflow(self) -> None:
        # Adding the leeway to a claim near datetime's limits used to raise OverflowError.
        far = self._signed(exp="9999-12-31T23:59:59+00:00", nbf="0001-01-01T00:00:00+00:00")
        old = self._signed(exp="0001-01-01T00:00:00+00:00")
        with override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "DECODE_LEEWAY": 10}), at(NOW):
            self.assertEqual(AccessToken(far)["exp"], "9999-12-31T23:59:59+00:00")
            with raises_code(self, "token_expired"):
                AccessToken(old)

    def _signed(self, **changes: Any) -> str:
        return sign(access_payload(**changes))


class ClaimValidationTests(SimpleTestCase):
    def assert_claims_invalid(self, token_class: type[Token], payload: Any) -> None:
        with at(NOW):
            raw = sign(payload)
            with raises_code(self, "token_claims_invalid") as ctx:
                token_class(raw)
        self.assertEqual(ctx.exception.code, "token_claims_invalid")

    def test_valid_payloads_are_accepted(self) -> None:
        with at(NOW):
            self.assertEqual(AccessToken(sign(access_payload())).payload, access_payload())
            self.assertEqual(RefreshToken(sign(refresh_payload())).payload, refresh_payload())
            self.assertEqual(AccessToken(sign(access_payload(jti="j" * 255)))["jti"], "j" * 255)

    def test_missing_or_mistyped_claims(self) -> None:
        cases: dict[str, dict[str, Any]] = {
            "exp missing": {"exp": DROP},
            "exp a number": {"exp": 1893553445},
            "exp without offset": {"exp": "2030-01-02T03:19:05"},
            "exp not a date": {"exp": "2030-13-02T03:19:05+00:00"},
            "exp a date only": {"exp": "2030-01-03"},
            "iat missing": {"iat": DROP},
            "iat a number": {"iat": 0},
            "nbf a number": {"nbf": 0},
            "nbf null": {"nbf": None},
            "sub an int": {"sub": 42},
            "sub empty": {"sub": ""},
            "sub missing": {"sub": DROP},
            "sub too long": {"sub": "1" * 256},
            "jti empty": {"jti": ""},
            "jti too long": {"jti": "j" * 256},
            "jti a list": {"jti": ["a"]},
            "sid missing": {"sid": DROP},
            "type missing": {"type": DROP},
            "type an int": {"type": 1},
            "fresh a string": {"fresh": "true"},
            "fresh 1": {"fresh": 1},
            "fresh 0": {"fresh": 0},
            "fresh missing": {"fresh": DROP},
            "iss a number": {"iss": 1},
            "aud with a non-string": {"aud": ["api", 1]},
        }
        for label, changes in cases.items():
            with self.subTest(label):
                self.assert_claims_invalid(AccessToken, access_payload(**changes))

    def test_fresh_on_a_refresh_token_is_invalid(self) -> None:
        for fresh in (True, False):
            with self.subTest(fresh=fresh):
                self.assert_claims_invalid(RefreshToken, refresh_payload(fresh=fresh))

    def test_payload_not_a_json_object(self) -> None:
        for data in (
            b"[1, 2]",
            b'"text"',
            b"42",
            b"null",
            b"not json",
            b"\xff\xfe",
            b'{"a": NaN}',
            b'{"a": Infinity}',
            b"",
        ):
            with self.subTest(data=data), raises_code(self, "token_claims_invalid") as ctx:
                AccessToken(sign_bytes(data))
            self.assertEqual(ctx.exception.code, "token_claims_invalid")

    def test_duplicate_keys(self) -> None:
        payload = json.dumps(access_payload())[:-1] + ', "sub": "1"}'
        with at(NOW), raises_code(self, "token_claims_invalid"):
            AccessToken(sign_bytes(payload.encode("utf-8")))
        inner = json.dumps(access_payload())[:-1] + ', "x": {"a": 1, "a": 2}}'
        with at(NOW), raises_code(self, "token_claims_invalid"):
            AccessToken(sign_bytes(inner.encode("utf-8")))

    def test_json_depth(self) -> None:
        def nested(levels: int) -> Any:
            value: Any = "leaf"
            for _ in range(levels):
                value = {"x": value}
            return value

        # The payload object is depth 1: a claim nested 7 times reaches the default 8.
        with at(NOW):
            ok = sign(access_payload(deep=nested(7)))
            too_deep = sign(access_payload(deep=nested(8)))
            lists = sign(access_payload(deep=[[[[[[[[1]]]]]]]]))
            self.assertEqual(AccessToken(ok)["deep"], nested(7))
            for raw in (too_deep, lists):
                with raises_code(self, "token_claims_invalid"):
                    AccessToken(raw)
            with mock.patch.object(backend, "MAX_JSON_DEPTH", 2):
                self.assertEqual(
                    AccessToken(sign(access_payload(deep=nested(1))))["deep"], {"x": "leaf"}
                )
                with raises_code(self, "token_claims_invalid"):
                    AccessToken(sign(access_payload(deep=nested(2))))

    def test_deeply_nested_json_does_not_recurse_out(self) -> None:
        data = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
        with (
            mock.patch.object(backend, "MAX_TOKEN_LENGTH", 2_000_000),
            raises_code(self, "token_claims_invalid"),
        ):
            AccessToken(sign_bytes(data))

    def test_token_longer_than_max_length(self) -> None:
        raw = str(AccessToken.for_user(user()))
        with mock.patch.object(backend, "MAX_TOKEN_LENGTH", len(raw)):
            self.assertEqual(AccessToken(raw)["sub"], "42")
        with (
            mock.patch.object(backend, "MAX_TOKEN_LENGTH", len(raw) - 1),
            self.assertRaises(TokenTooLarge) as ctx,
        ):
            AccessToken(raw)
        self.assertEqual(ctx.exception.code, "token_too_large")
        with self.assertRaises(TokenTooLarge):
            AccessToken("v4.local." + "A" * 5000)


class KeyTests(SimpleTestCase):
    def round_trip(self, prefix: str) -> None:
        token = RefreshToken.for_user(user())
        raw = str(token)
        self.assertTrue(raw.startswith(prefix), raw[:12])
        self.assertEqual(RefreshToken(raw).payload, token.payload)
        access = token.make_access_token(fresh=True)
        self.assertEqual(AccessToken(str(access)).payload, access.payload)

    def test_public_purpose(self) -> None:
        for private in (SECRET_V4_1, PRIVATE_PEM_V4_1):
            with (
                self.subTest(private=private[:12]),
                override_settings(DRF_PASETO={"PURPOSE": "public", "PRIVATE_KEY": private}),
            ):
                self.round_trip("v4.public.")

    def test_public_purpose_verifies_with_the_public_key_only(self) -> None:
        with override_settings(DRF_PASETO={"PURPOSE": "public", "PRIVATE_KEY": SECRET_V4_1}):
            raw = str(AccessToken.for_user(user()))
        for public in (PUBLIC_V4_1, PUBLIC_PEM_V4_1):
            with (
                self.subTest(public=public[:12]),
                override_settings(DRF_PASETO={"PURPOSE": "public", "PUBLIC_KEY": public}),
            ):
                self.assertEqual(AccessToken(raw)["sub"], "42")

    def test_version_3(self) -> None:
        with override_settings(DRF_PASETO={"VERSION": 3, "SECRET_KEY": LOCAL_V3_1}):
            self.round_trip("v3.local.")
        with override_settings(
            DRF_PASETO={"VERSION": 3, "PURPOSE": "public", "PRIVATE_KEY": SECRET_V3_1}
        ):
            self.round_trip("v3.public.")

    def test_other_version_or_purpose_is_refused(self) -> None:
        raw = str(AccessToken.for_user(user()))
        with (
            override_settings(DRF_PASETO={"VERSION": 3, "SECRET_KEY": LOCAL_V3_1}),
            self.assertRaises(TokenUnsupported) as ctx,
        ):
            AccessToken(raw)
        self.assertEqual(ctx.exception.code, "token_unsupported")
        with (
            override_settings(DRF_PASETO={"PURPOSE": "public", "PRIVATE_KEY": SECRET_V4_1}),
            self.assertRaises(TokenUnsupported),
        ):
            AccessToken(raw)

    def test_rotated_local_key(self) -> None:
        raw = str(AccessToken.for_user(user()))  # LOCAL_V4_1, from the test settings
        with override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_2}):
            with self.assertRaises(TokenKeyUnknown) as ctx:
                AccessToken(raw)
            self.assertEqual(ctx.exception.code, "token_key_unknown")
            new = str(AccessToken.for_user(user()))
        with override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_2, "RETIRED_KEYS": [LOCAL_V4_1]}):
            self.assertEqual(AccessToken(raw)["sub"], "42")
            self.assertEqual(AccessToken(new)["sub"], "42")
            # New tokens are issued with the new key only.
            issued = str(AccessToken.for_user(user()))
        with self.assertRaises(TokenKeyUnknown):
            AccessToken(issued)

    def test_rotated_public_key(self) -> None:
        with override_settings(DRF_PASETO={"PURPOSE": "public", "PRIVATE_KEY": SECRET_V4_1}):
            raw = str(AccessToken.for_user(user()))
        with (
            override_settings(DRF_PASETO={"PURPOSE": "public", "PRIVATE_KEY": SECRET_V4_2}),
            self.assertRaises(TokenKeyUnknown),
        ):
            AccessToken(raw)
        for retired in (PUBLIC_V4_1, SECRET_V4_1):
            with (
                self.subTest(retired=retired[:10]),
                override_settings(
                    DRF_PASETO={
                        "PURPOSE": "public",
                        "PRIVATE_KEY": SECRET_V4_2,
                        "RETIRED_KEYS": [retired],
                    }
                ),
            ):
                self.assertEqual(AccessToken(raw)["sub"], "42")
