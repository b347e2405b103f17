"""drf_paseto/testing.py: the helpers users put in their own tests."""

from django.contrib.auth import get_user_model
from django.test import Client, TestCase, override_settings
from rest_framework.test import APITestCase

from drf_paseto.models import LoginSession
from drf_paseto.testing import (
    PasetoAPIClient,
    PasetoClientMixin,
    access_token_for,
    auth_header,
    tokens_for,
)
from drf_paseto.tokens import AccessToken, RefreshToken
from tests.keys import LOCAL_V4_1


class DjangoClient(PasetoClientMixin, Client):
    pass


class HelperFunctionTests(TestCase):
    def setUp(self) -> None:
        self.user = get_user_model().objects.create_user("ann", password="pw")

    def test_tokens_for_is_a_login_session(self) -> None:
        tokens = tokens_for(self.user, claims={"role": "admin"})
        access = AccessToken(tokens["access_token"])
        refresh = RefreshToken(tokens["refresh_token"])
        self.assertTrue(access.fresh)
        self.assertEqual(access.session_id, refresh.session_id)
        self.assertEqual(access.subject, str(self.user.pk))
        self.assertEqual((access["role"], refresh["role"]), ("admin", "admin"))
        self.assertFalse(AccessToken(tokens_for(self.user, fresh=False)["access_token"]).fresh)

    def test_access_token_for(self) -> None:
        self.assertTrue(access_token_for(self.user).fresh)
        self.assertFalse(access_token_for(self.user, fresh=False).fresh)

    def test_with_revocation_on_the_helpers_start_a_recorded_session(self) -> None:
        config = {"SECRET_KEY": LOCAL_V4_1, "DENYLIST_ENABLED": True}
        with override_settings(DRF_PASETO=config):
            tokens = tokens_for(self.user)
            access = access_token_for(self.user)
            expired = tokens_for(self.user, expired=True)
            session = LoginSession.objects.get(pk=AccessToken(tokens["access_token"]).session_id)
            self.assertEqual(session.refresh_jti, RefreshToken(tokens["refresh_token"]).jti)
            self.assertEqual(LoginSession.objects.get(pk=access.session_id).refresh_jti, "")
            self.assertEqual(LoginSession.objects.count(), 3)  # the expired one's too
            for raw in (tokens["access_token"], str(access)):
                response = self.client.get("/fresh/", **auth_header(raw))
                self.assertEqual(response.json(), {"user": "ann"})
            response = self.client.get("/fresh/", **auth_header(expired["access_token"]))
            self.assertEqual(response.json()["code"], "token_expired")

    def test_auth_header_follows_settings(self) -> None:
        self.assertEqual(auth_header("tok"), {"HTTP_AUTHORIZATION": "Bearer tok"})
        config = {"SECRET_KEY": LOCAL_V4_1, "HEADER_NAME": "X-Auth-Token", "HEADER_TYPE": ""}
        with override_settings(DRF_PASETO=config):
            self.assertEqual(auth_header("tok"), {"HTTP_X_AUTH_TOKEN": "tok"})

    def test_with_a_plain_django_client(self) -> None:
        response = self.client.get("/fresh/", **auth_header(access_token_for(self.user)))
        self.assertEqual(response.json(), {"user": "ann"})


class PasetoAPIClientTests(APITestCase):
    client_class = PasetoAPIClient

    def setUp(self) -> None:
        self.user = get_user_model().objects.create_user("bob", password="pw")

    def test_authenticate_as_fresh_and_not_fresh(self) -> None:
        token = self.client.authenticate_as(self.user)
        self.assertIsInstance(token, AccessToken)
        self.assertEqual(self.client.get("/fresh/").json(), {"user": "bob"})
        self.client.authenticate_as(self.user, fresh=False)
        self.assertEqual(self.client.get("/protected/").status_code, 200)
        self.assertEqual(self.client.get("/fresh/").json()["code"], "token_not_fresh")

    def test_use_token_and_logout(self) -> None:
        refresh = tokens_for(self.user)["refresh_token"]
        self.client.use_token(refresh)
        self.assertEqual(self.client.get("/refresh-only/").json(), {"user": "bob"})
        self.assertEqual(self.client.get("/protected/").json()["code"], "token_wrong_type")
        self.client.logout()
        self.assertEqual(self.client.get("/optional/").json(), {"user": None})

    def test_with_the_mixin_on_django_client(self) -> None:
        client = DjangoClient()
        client.authenticate_as(self.user, fresh=False)
        self.assertEqual(client.get("/protected/").json(), {"user": "bob"})
        client.clear_token()
        self.assertEqual(client.get("/protected/").status_code, 401)

    def test_expired_tokens(self) -> None:
        self.client.authenticate_as(self.user, expired=True)
        self.assertEqual(self.client.get("/protected/").json()["code"], "token_expired")
        tokens = tokens_for(self.user, expired=True)
        self.client.use_token(tokens["refresh_token"])
        self.assertEqual(self.client.get("/refresh-only/").json()["code"], "token_expired")
        self.assertEqual(access_token_for(self.user).fresh, True)  # not expired by default
        with override_settings(DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "DECODE_LEEWAY": 7200}):
            token = access_token_for(self.user, expired=True)
            self.client.use_token(token)
            self.assertEqual(self.client.get("/protected/").json()["code"], "token_expired")

    def test_cookie_mode(self) -> None:
        config = {"SECRET_KEY": LOCAL_V4_1, "TOKEN_LOCATION": ["cookies"]}
        with override_settings(DRF_PASETO=config):
            token = self.client.authenticate_as(self.user, cookies=True)
            self.assertIn("csrf", token.payload)
            self.assertEqual(self.client.post("/protected/").json(), {"user": "bob"})
            # The CSRF header is what makes the unsafe method pass.
            self.client.defaults.pop("HTTP_X_CSRF_TOKEN")
            self.assertEqual(self.client.post("/protected/").json()["code"], "csrf_missing")
            self.client.clear_token()
            self.assertEqual(self.client.get("/protected/").status_code, 401)
