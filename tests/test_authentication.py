"""The authenticators (drf_paseto/authentication.py): header parsing, the access/refresh
split on every kind of view, and user resolution."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

from django.contrib.auth import get_user_model
from django.test import SimpleTestCase
from rest_framework.test import APIRequestFactory

from drf_paseto import backend, revocation
from drf_paseto.authentication import (
    PasetoAuthentication,
    PasetoRefreshAuthentication,
    PasetoStatelessAuthentication,
)
from drf_paseto.clock import current_time
from drf_paseto.exceptions import (
    PasetoAuthenticationFailed,
)
from drf_paseto.tokens import AccessToken, RefreshToken, Token, create_token
from drf_paseto.users import TokenUser
from tests import keys
from tests.helpers import SEND_AS_BEARER, USERNAME, TokenAPITestCase, paseto_settings

ACCESS_VIEWS = ("/protected/", "/fresh/", "/optional/", "/authenticated/", "/open/")
ANONYMOUS_VIEWS = ("/optional/", "/open/")  # AllowAny: no token is fine, a bad one is not
REQUIRED_VIEWS = ("/protected/", "/fresh/", "/authenticated/", "/refresh-only/")


class HelperTests(SimpleTestCase):
    def test_authenticate_header(self) -> None:
        request = APIRequestFactory().get("/")
        self.assertEqual(PasetoAuthentication().authenticate_header(request), 'Bearer realm="api"')
        self.assertEqual(
            PasetoRefreshAuthentication().authenticate_header(request), 'Bearer realm="api"'
        )
        with paseto_settings(HEADER_TYPE="Token"):
            self.assertEqual(
                PasetoAuthentication().authenticate_header(request), 'Token realm="api"'
            )
        with paseto_settings(HEADER_TYPE=""):
            self.assertEqual(
                PasetoAuthentication().authenticate_header(request), 'Bearer realm="api"'
            )

    def test_user_can_authenticate(self) -> None:
        auth = PasetoAuthentication()
        self.assertTrue(auth.user_can_authenticate(SimpleNamespace()))  # no is_active at all
        self.assertTrue(auth.user_can_authenticate(SimpleNamespace(is_active=True)))
        self.assertFalse(auth.user_can_authenticate(SimpleNamespace(is_active=False)))

    def test_token_classes(self) -> None:
        self.assertIs(PasetoAuthentication.token_class, AccessToken)
        self.assertIs(PasetoRefreshAuthentication.token_class, RefreshToken)


class StatelessTests(TokenAPITestCase):
    """``PasetoStatelessAuthentication``: a ``TokenUser`` from the token, no user query."""

    def authenticate(self, raw: str) -> tuple[object, Token]:
        request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {raw}")
        result = PasetoStatelessAuthentication().authenticate(request)
        assert result is not None
        return result

    def test_a_token_user_without_a_query(self) -> None:
        raw = self.login()["access_token"]
        with self.assertNumQueries(0):
            user, token = self.authenticate(raw)
        self.assertIsInstance(user, TokenUser)
        assert isinstance(user, TokenUser)
        self.assertEqual(user.pk, str(self.user.pk))
        self.assertIs(user.token, token)
        self.assertIsInstance(token, AccessToken)

    def test_the_user_table_is_not_consulted(self) -> None:
        # A subject no row has, and an inactive user: the token alone speaks for them.
        user, _ = self.authenticate(str(AccessToken.for_subject("someone-elsewhere")))
        self.assertEqual(user, TokenUser(AccessToken.for_subject("someone-elsewhere")))

    def test_refresh_tokens_and_bad_tokens_are_refused(self) -> None:
        tokens = self.login()
        for raw, code in (
            (tokens["refresh_token"], "token_wrong_type"),
            ("v4.local.x", "token_invalid"),
        ):
            with self.subTest(code=code), self.assertRaises(PasetoAuthenticationFailed) as caught:
                self.authenticate(raw)
            self.assertEqual(caught.exception.code, code)

    def test_no_token_is_none(self) -> None:
        request = APIRequestFactory().get("/")
        self.assertIsNone(PasetoStatelessAuthentication().authenticate(request))

    @paseto_settings(DENYLIST_ENABLED=True)
    def test_revocation_still_applies(self) -> None:
        raw = self.login()["access_token"]
        _, token = self.authenticate(raw)
        revocation.revoke_session(token.session_id, token.subject, reason="logout")
        with self.assertRaises(PasetoAuthenticationFailed) as caught:
            self.authenticate(raw)
        self.assertEqual(caught.exception.code, "token_revoked")

    @paseto_settings(TOKEN_USER_USERNAME_CLAIM="name")
    def test_username_claim(self) -> None:
        raw = str(AccessToken.for_subject("7", claims={"name": "alice"}))
        user, _ = self.authenticate(raw)
        self.assertEqual(user.get_username(), "alice")  # type: ignore[attr-defined]
        with self.assertRaises(PasetoAuthenticationFailed) as caught:
            self.authenticate(str(AccessToken.for_subject("7")))
        self.assertEqual(caught.exception.code, "token_claims_invalid")


class AuthenticateContractTests(TokenAPITestCase):
    """``authenticate()`` itself: ``None``, ``(user, token)`` or ``AuthenticationFailed``."""

    def request(self, header: str | None = None) -> object:
        extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
        return SimpleNamespace(META=APIRequestFactory().get("/", **extra).META)

    def test_returns_user_and_token(self) -> None:
        tokens = self.login()
        user, token = PasetoAuthentication().authenticate(
            self.request(f"Bearer {tokens['access_token']}")
        )
        self.assertEqual(user, self.user)
        self.assertIsInstance(token, AccessToken)
        self.assertEqual(token.location, "headers")
        self.assertIs(token.fresh, True)
        user, token = PasetoRefreshAuthentication().authenticate(
            self.request(f"Bearer {tokens['refresh_token']}")
        )
        self.assertEqual(user, self.user)
        self.assertIsInstance(token, RefreshToken)

    def test_returns_none_without_a_token_of_ours(self) -> None:
        for header in (None, "", "Basic xyz", "Token abc", "Bearertoken", " Bearer x"):
            with self.subTest(header=header):
                self.assertIsNone(PasetoAuthentication().authenticate(self.request(header)))
                self.assertIsNone(PasetoRefreshAuthentication().authenticate(self.request(header)))

    def test_raises_authentication_failed(self) -> None:
        tokens = self.login()
        with self.assertRaises(PasetoAuthenticationFailed) as caught:
            PasetoAuthentication().authenticate(self.request(f"Bearer {tokens['refresh_token']}"))
        self.assertEqual(caught.exception.status_code, 401)
        self.assertEqual(caught.exception.code, "token_wrong_type")
        with self.assertRaises(PasetoAuthenticationFailed) as caught:
            PasetoRefreshAuthentication().authenticate(
                self.request(f"Bearer {tokens['access_token']}")
            )
        self.assertEqual(caught.exception.code, "token_wrong_type")

    def test_token_location_without_headers(self) -> None:
        tokens = self.login()
        with paseto_settings(TOKEN_LOCATION=[]):
            self.assertIsNone(
                PasetoAuthentication().authenticate(
                    self.request(f"Bearer {tokens['access_token']}")
                )
            )


class SplitTests(TokenAPITestCase):
    """Refresh tokens open nothing but the refresh views; access tokens never open those."""

    def test_refresh_token_is_refused_on_every_access_view(self) -> None:
        refresh = self.login()["refresh_token"]
        for url in ACCESS_VIEWS:
            with self.subTest(url=url):
                self.assertError(self.get_with(url, refresh), 401, "token_wrong_type")
                response = self.client.post(url, **self.bearer(refresh))
                self.assertError(response, 401, "token_wrong_type")

    def test_access_token_is_refused_on_refresh_views(self) -> None:
        tokens = self.login()
        for access in (tokens["access_token"], self.refresh(tokens["refresh_token"])):
            self.assertError(self.get_with("/refresh-only/", access), 401, "token_wrong_type")
            response = self.client.post("/auth/refresh/", **self.bearer(access))
            self.assertError(response, 401, "token_wrong_type")

    def test_access_token_opens_every_access_view(self) -> None:
        access = self.login()["access_token"]
        for url in ACCESS_VIEWS:
            with self.subTest(url=url):
                self.assertUser(self.get_with(url, access))

    def test_refresh_token_opens_the_refresh_only_view(self) -> None:
        self.assertUser(self.get_with("/refresh-only/", self.login()["refresh_token"]))

    def test_custom_token_type_is_refused_everywhere(self) -> None:
        custom = str(create_token(self.user, "reset", lifetime=timedelta(minutes=5)))
        for url in (*ACCESS_VIEWS, "/refresh-only/"):
            with self.subTest(url=url):
                self.assertError(self.get_with(url, custom), 401, "token_wrong_type")
        response = self.client.post("/auth/refresh/", **self.bearer(custom))
        self.assertError(response, 401, "token_wrong_type")

    def test_no_token(self) -> None:
        for url in ANONYMOUS_VIEWS:
            with self.subTest(url=url):
                self.assertUser(self.client.get(url), None)
        for url in REQUIRED_VIEWS:
            if url == "/authenticated/":
                continue
            with self.subTest(url=url):
                self.assertError(self.client.get(url), 401, "not_authenticated")
        # IsAuthenticated is DRF's: its body has a code with drf_paseto's exception handler,
        # which the test settings install as the README does (without it:
        # tests/test_exceptions.py); the challenge is there either way.
        response = self.client.get("/authenticated/")
        self.assertError(response, 401, "not_authenticated")
        self.assertEqual(response["WWW-Authenticate"], 'Bearer realm="api"')

    def test_bad_token_is_401_even_on_allow_any_views(self) -> None:
        for url in ACCESS_VIEWS:
            with self.subTest(url=url):
                self.assertError(self.get_with(url, "garbage"), 401, "token_invalid")


class TokenValidityTests(TokenAPITestCase):
    def test_expired_access_token(self) -> None:
        with mock.patch(
            "drf_paseto.clock.current_time", return_value=current_time() - timedelta(minutes=16)
        ):
            tokens = self.login()
        for url in ACCESS_VIEWS:
            with self.subTest(url=url):
                self.assertError(self.get_with(url, tokens["access_token"]), 401, "token_expired")
        # The refresh token is still good, and gives a working access token.
        self.assertUser(self.get_with("/protected/", self.refresh(tokens["refresh_token"])))

    def test_access_token_expires_on_time(self) -> None:
        issued = current_time()
        with mock.patch("drf_paseto.clock.current_time", return_value=issued):
            access = self.login()["access_token"]
        with mock.patch(
            "drf_paseto.clock.current_time", return_value=issued + timedelta(minutes=15)
        ):
            self.assertError(self.get_with("/protected/", access), 401, "token_expired")
        with mock.patch(
            "drf_paseto.clock.current_time",
            return_value=issued + timedelta(minutes=15) - timedelta(seconds=1),
        ):
            self.assertUser(self.get_with("/protected/", access))

    def test_leeway(self) -> None:
        issued = current_time()
        with mock.patch("drf_paseto.clock.current_time", return_value=issued):
            access = self.login()["access_token"]
        later = issued + timedelta(minutes=15, seconds=10)
        with mock.patch("drf_paseto.clock.current_time", return_value=later):
            self.assertError(self.get_with("/protected/", access), 401, "token_expired")
            with paseto_settings(DECODE_LEEWAY=30):
                self.assertUser(self.get_with("/protected/", access))

    def test_token_issued_in_the_future(self) -> None:
        with mock.patch(
            "drf_paseto.clock.current_time", return_value=current_time() + timedelta(minutes=5)
        ):
            access = self.login()["access_token"]
        self.assertError(self.get_with("/protected/", access), 401, "token_issued_in_future")

    def test_wrong_key_and_unsupported_tokens(self) -> None:
        with paseto_settings(SECRET_KEY=keys.LOCAL_V4_2):
            other_key = self.login()["access_token"]
        self.assertError(self.get_with("/protected/", other_key), 401, "token_key_unknown")
        with paseto_settings(SECRET_KEY=keys.LOCAL_V4_2, RETIRED_KEYS=[keys.LOCAL_V4_1]):
            self.assertUser(self.get_with("/protected/", other_key))
            self.assertUser(self.get_with("/protected/", self.login()["access_token"]))
        with paseto_settings(SECRET_KEY=keys.LOCAL_V4_1, RETIRED_KEYS=[keys.LOCAL_V4_2]):
            self.assertUser(self.get_with("/protected/", other_key))
        for raw in ("v2.local.AAAA", "v3.local.AAAA", "v4.public.AAAA"):
            with self.subTest(raw=raw):
                self.assertError(self.get_with("/protected/", raw), 401, "token_unsupported")

    def test_too_large(self) -> None:
        self.assertError(
            self.get_with("/protected/", "v4.local." + "A" * 5000), 401, "token_too_large"
        )
        access = self.login()["access_token"]
        with mock.patch.object(backend, "MAX_TOKEN_LENGTH", len(access) - 1):
            self.assertError(self.get_with("/protected/", access), 401, "token_too_large")

    def test_issuer_and_audience(self) -> None:
        access = self.login()["access_token"]
        with paseto_settings(ISSUER="https://auth.example.com"):
            self.assertError(self.get_with("/protected/", access), 401, "token_issuer_invalid")
        with paseto_settings(AUDIENCE="api"):
            self.assertError(self.get_with("/protected/", access), 401, "token_audience_invalid")
        with paseto_settings(ISSUER="https://auth.example.com", AUDIENCE="api"):
            scoped = self.login()["access_token"]
            self.assertUser(self.get_with("/protected/", scoped))


class UserResolutionTests(TokenAPITestCase):
    def test_deleted_user(self) -> None:
        tokens = self.login()
        self.user.delete()
        for url in ACCESS_VIEWS:
            with self.subTest(url=url):
                self.assertError(self.get_with(url, tokens["access_token"]), 401, "user_not_found")
        self.assertError(
            self.get_with("/refresh-only/", tokens["refresh_token"]), 401, "user_not_found"
        )

    def test_inactive_user(self) -> None:
        tokens = self.login()
        self.user.is_active = False
        self.user.save()
        for url in ACCESS_VIEWS:
            with self.subTest(url=url):
                self.assertError(self.get_with(url, tokens["access_token"]), 401, "user_inactive")
        self.assertError(
            self.get_with("/refresh-only/", tokens["refresh_token"]), 401, "user_inactive"
        )

    def test_subjects_that_name_no_user(self) -> None:
        # Not an integer, too big for the database, empty-looking: all just "no such user".
        for subject in ("not-a-number", "9" * 40, "1.5", "-0", " ", str(self.user.pk + 1000)):
            with self.subTest(subject=subject):
                raw = str(AccessToken.for_subject(subject))
                self.assertError(self.get_with("/protected/", raw), 401, "user_not_found")

    def test_user_id_field(self) -> None:
        with paseto_settings(USER_ID_FIELD="username"):
            tokens = self.login()
            self.assertEqual(AccessToken(tokens["access_token"]).subject, USERNAME)
            self.assertUser(self.get_with("/protected/", tokens["access_token"]))
            raw = str(AccessToken.for_subject(str(self.user.pk)))
            self.assertError(self.get_with("/protected/", raw), 401, "user_not_found")
        # The same token under USER_ID_FIELD="pk": "alice" is no primary key.
        self.assertError(
            self.get_with("/protected/", tokens["access_token"]), 401, "user_not_found"
        )

    def test_two_users_get_their_own_identity(self) -> None:
        get_user_model().objects.create_user("bob", password="bob-password-123")
        bob = self.client.post(
            "/auth/login/", {"username": "bob", "password": "bob-password-123"}, format="json"
        ).json()
        self.issued.extend(bob.values())
        self.assertUser(self.get_with("/protected/", bob["access_token"]), "bob")
        self.assertUser(self.get_with("/protected/", self.login()["access_token"]), USERNAME)


class HeaderParsingTests(TokenAPITestCase):
    def setUp(self) -> None:
        super().setUp()
        self.access = self.login()["access_token"]

    def with_header(self, url: str, header: str, name: str = "HTTP_AUTHORIZATION") -> object:
        return self.client.get(url, **{name: header})

    def test_other_schemes_are_not_ours(self) -> None:
        for header in ("Basic xyz", "Token abc", f"Token {self.access}", "Digest a=b", "", "x"):
            with self.subTest(header=header[:20]):
                self.assertUser(self.with_header("/optional/", header), None)
                self.assertUser(self.with_header("/open/", header), None)
                # A PASETO behind another scheme is answered with the scheme to use.
                hint = SEND_AS_BEARER if self.access in header else None
                self.assertNotAuthenticated(self.with_header("/protected/", header), hint=hint)

    def test_scheme_is_case_insensitive(self) -> None:
        for scheme in ("bearer", "BEARER", "bEaReR"):
            with self.subTest(scheme=scheme):
                self.assertUser(self.with_header("/protected/", f"{scheme} {self.access}"))

    def test_extra_spaces(self) -> None:
        for header in (
            f"Bearer  {self.access}",
            f"Bearer {self.access}   ",
            f"Bearer     {self.access}  ",
        ):
            with self.subTest(header=header[:10]):
                self.assertUser(self.with_header("/protected/", header))

    def test_malformed_bearer_headers(self) -> None:
        access = self.access
        headers = {
            "alone": "Bearer",
            "alone with a space": "Bearer ",
            "only spaces": "Bearer     ",
            "two tokens": "Bearer a b",
            "two real tokens": f"Bearer {access} {access}",
            "comma": f"Bearer {access},{access}",
            "non-ascii": "Bearer t\u00f6k\u00e9n",
            "non-ascii in a token": f"Bearer {access[:20]}\u00e9{access[20:]}",
            "nul": f"Bearer {access}\x00",
            "bell": f"Bearer \x07{access}",
            "crlf": f"Bearer {access}\r\n",
            "tab separated": f"Bearer\t{access}",
            "tab after the space": f"Bearer \t{access}",
            "tab after the token": f"Bearer {access}\t",
            "vertical tab": f"Bearer\x0b{access}",
            "no-break space": f"Bearer\u00a0{access}",
            "quoted": f'Bearer "{access}"',
            "padding": f"Bearer {access}==",
            "slash": "Bearer abc/def",
            "plus": "Bearer abc+def",
        }
        for name, header in headers.items():
            with self.subTest(name=name):
                for url in (*ACCESS_VIEWS, "/refresh-only/"):
                    self.assertError(self.with_header(url, header), 401, "bad_authorization_header")
                response = self.client.post("/auth/refresh/", HTTP_AUTHORIZATION=header)
                self.assertError(response, 401, "bad_authorization_header")

    def test_token_shaped_garbage_reaches_the_decoder(self) -> None:
        for raw, code in (("abc", "token_invalid"), ("a.b.c.d.e", "token_invalid")):
            with self.subTest(raw=raw):
                self.assertError(self.with_header("/optional/", f"Bearer {raw}"), 401, code)

    @paseto_settings(HEADER_NAME="X-Auth-Token", HEADER_TYPE="")
    def test_custom_header_without_a_type(self) -> None:
        name = "HTTP_X_AUTH_TOKEN"
        self.assertUser(self.with_header("/protected/", self.access, name))
        self.assertUser(self.with_header("/protected/", f"  {self.access} ", name))
        refresh = self.login()["refresh_token"]
        self.assertUser(self.with_header("/refresh-only/", refresh, name))
        self.assertError(self.with_header("/protected/", refresh, name), 401, "token_wrong_type")
        for header in (f"Bearer {self.access}", "", "a b", f"{self.access}\t"):
            with self.subTest(header=header[:10]):
                self.assertError(
                    self.with_header("/optional/", header, name), 401, "bad_authorization_header"
                )
        # Authorization is no longer read at all.
        self.assertUser(self.with_header("/optional/", f"Bearer {self.access}"), None)
        self.assertNotAuthenticated(self.with_header("/protected/", f"Bearer {self.access}"))
        response = self.client.post("/auth/refresh/", **{name: refresh})
        self.assertEqual(response.status_code, 200)

    @paseto_settings(HEADER_TYPE="Token")
    def test_custom_header_type(self) -> None:
        challenge = 'Token realm="api"'
        self.assertUser(self.with_header("/protected/", f"Token {self.access}"))
        self.assertUser(self.with_header("/protected/", f"token {self.access}"))
        self.assertUser(self.with_header("/optional/", f"Bearer {self.access}"), None)
        self.assertNotAuthenticated(
            self.with_header("/protected/", f"Bearer {self.access}"),
            challenge=challenge,
            hint='Send the token as "Authorization: Token <token>".',
        )
        self.assertError(
            self.with_header("/protected/", "Token"),
            401,
            "bad_authorization_header",
            challenge=challenge,
        )
        self.assertError(
            self.client.post("/auth/verify/", {"token": "x"}, format="json"),
            401,
            "token_invalid",
            challenge=challenge,
        )

    @paseto_settings(HEADER_NAME="X-Api-Key")
    def test_custom_header_name_keeps_the_type(self) -> None:
        name = "HTTP_X_API_KEY"
        self.assertUser(self.with_header("/protected/", f"Bearer {self.access}", name))
        self.assertNotAuthenticated(
            self.with_header("/protected/", self.access, name),
            hint='Send the token as "X-Api-Key: Bearer <token>".',
        )


class SessionAndTokenTests(TokenAPITestCase):
    def test_token_user_replaces_nothing_of_the_session(self) -> None:
        # The session middleware runs, but the API views here authenticate with tokens only.
        self.client.force_login(self.user)
        self.assertNotAuthenticated(self.client.get("/protected/"))
        self.assertUser(self.client.get("/optional/"), None)

    def test_validated_token_hook(self) -> None:
        raw = self.login()["access_token"]
        token = PasetoAuthentication().get_validated_token(raw)
        self.assertIsInstance(token, AccessToken)
        self.assertIsInstance(Token(raw), Token)
