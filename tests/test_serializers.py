"""The token serializers (drf_paseto/serializers.py) and their replacement through the views'
``serializer_class``."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from unittest import mock

from django.contrib.auth import get_user_model
from django.test import override_settings
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from drf_paseto.exceptions import PasetoError
from drf_paseto.serializers import (
    _MAX_PASSWORD_LENGTH,
    _MAX_USERNAME_LENGTH,
    TokenObtainSerializer,
    TokenRefreshSerializer,
    TokenVerifySerializer,
)
from drf_paseto.tokens import AccessToken, RefreshToken
from drf_paseto.views import TokenObtainView, TokenRefreshView, TokenVerifyView
from tests.helpers import (
    LOGIN_URL,
    PASSWORD,
    REFRESH_URL,
    USERNAME,
    VERIFY_URL,
    TokenAPITestCase,
    paseto_settings,
    raises_code,
)


class ClaimsObtainSerializer(TokenObtainSerializer):
    """A project's login serializer: custom claims in both tokens."""

    def get_token_claims(self, user: Any) -> dict[str, Any]:
        return {"role": "staff" if user.is_staff else "member", "name": user.get_username()}


class TaggedRefreshSerializer(TokenRefreshSerializer):
    def get_tokens(self, refresh: Any) -> dict[str, Any]:
        return {**super().get_tokens(refresh), "tag": "refresh"}


class TaggedVerifySerializer(TokenVerifySerializer):
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return {**super().validate(attrs), "tag": "verify"}


def drf_request(**extra: Any) -> Any:
    """A DRF request as the views hand it to serializers (context["request"])."""
    from rest_framework.request import Request

    return Request(APIRequestFactory().post("/", **extra))


class TokenObtainSerializerTests(TokenAPITestCase):
    def serializer(self, data: dict[str, Any]) -> TokenObtainSerializer:
        return TokenObtainSerializer(data=data, context={"request": drf_request()})

    def test_fields(self) -> None:
        fields = TokenObtainSerializer().fields
        self.assertEqual(set(fields), {get_user_model().USERNAME_FIELD, "password"})
        self.assertEqual(TokenObtainSerializer().username_field, "username")
        for field in fields.values():
            self.assertTrue(field.write_only)
            self.assertTrue(field.required)
        self.assertFalse(fields["password"].trim_whitespace)
        self.assertEqual(fields["password"].max_length, _MAX_PASSWORD_LENGTH)
        self.assertEqual(fields["username"].max_length, _MAX_USERNAME_LENGTH)
        self.assertEqual(fields["password"].style, {"input_type": "password"})

    def test_valid_credentials(self) -> None:
        serializer = self.serializer({"username": USERNAME, "password": PASSWORD})
        self.assertTrue(serializer.is_valid(), serializer.errors)
        self.assertEqual(serializer.user, self.user)
        data = serializer.validated_data
        self.assertEqual(set(data), {"access_token", "refresh_token"})
        self.assertIs(AccessToken(data["access_token"]).fresh, True)
        self.assertEqual(RefreshToken(data["refresh_token"]).subject, str(self.user.pk))
        # Nothing to serialize back out: every field is write-only.
        self.assertEqual(serializer.data, {})

    def test_invalid_credentials_raise_authentication_failed(self) -> None:
        serializer = self.serializer({"username": USERNAME, "password": "wrong"})
        with self.assertRaises(PasetoError) as caught:
            serializer.is_valid()
        self.assertEqual(caught.exception.status_code, 401)
        self.assertEqual(caught.exception.code, "invalid_credentials")

    def test_field_errors(self) -> None:
        serializer = self.serializer({"username": ["x"], "password": None})
        self.assertFalse(serializer.is_valid())
        self.assertEqual(set(serializer.errors), {"username", "password"})

    def test_uses_the_user_models_username_field(self) -> None:
        model = SimpleNamespace(USERNAME_FIELD="email")
        with (
            mock.patch("drf_paseto.serializers.get_user_model", return_value=model),
            mock.patch("drf_paseto.serializers.authenticate", return_value=self.user) as auth,
        ):
            serializer = TokenObtainSerializer(
                data={"email": "a@example.com", "password": PASSWORD, "username": "ignored"},
                context={"request": "the-request"},
            )
            self.assertEqual(serializer.username_field, "email")
            self.assertEqual(set(serializer.fields), {"email", "password"})
            self.assertTrue(serializer.is_valid(), serializer.errors)
            auth.assert_called_once_with("the-request", email="a@example.com", password=PASSWORD)
            missing = TokenObtainSerializer(data={"username": USERNAME, "password": PASSWORD})
            self.assertFalse(missing.is_valid())
            self.assertEqual(set(missing.errors), {"email"})

    def test_inactive_user_from_a_permissive_backend(self) -> None:
        # A backend that lets inactive users through (AllowAllUsersModelBackend) is not enough.
        self.user.is_active = False
        self.user.save()
        with self.settings(
            AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.AllowAllUsersModelBackend"]
        ):
            serializer = self.serializer({"username": USERNAME, "password": PASSWORD})
            with self.assertRaises(PasetoError) as caught:
                serializer.is_valid()
            self.assertEqual(caught.exception.code, "invalid_credentials")
            response = self.client.post(
                LOGIN_URL, {"username": USERNAME, "password": PASSWORD}, format="json"
            )
            self.assertError(response, 401, "invalid_credentials")

    def test_user_without_is_active(self) -> None:
        # A user object of a custom backend: no is_active, no last_login to update.
        user = SimpleNamespace(pk=self.user.pk)
        with (
            mock.patch("drf_paseto.serializers.authenticate", return_value=user),
            paseto_settings(UPDATE_LAST_LOGIN=False),
        ):
            serializer = self.serializer({"username": "whoever", "password": "x"})
            self.assertTrue(serializer.is_valid())
        self.assertIs(serializer.user, user)

    def test_default_claims_hook(self) -> None:
        self.assertEqual(TokenObtainSerializer().get_token_claims(self.user), {})
        tokens = TokenObtainSerializer().get_tokens(self.user)
        self.assertEqual(AccessToken(tokens["access_token"]).custom_claims, {})
        self.assertEqual(RefreshToken(tokens["refresh_token"]).custom_claims, {})


class CustomObtainSerializerTests(TokenAPITestCase):
    @mock.patch.object(TokenObtainView, "serializer_class", ClaimsObtainSerializer)
    def test_a_subclass_serializer_class_replaces_the_login_serializer(self) -> None:
        tokens = self.login()
        expected = {"role": "member", "name": USERNAME}
        self.assertEqual(AccessToken(tokens["access_token"]).custom_claims, expected)
        self.assertEqual(RefreshToken(tokens["refresh_token"]).custom_claims, expected)
        self.assertIs(AccessToken(tokens["access_token"]).fresh, True)
        refreshed = AccessToken(self.refresh(tokens["refresh_token"]))
        self.assertEqual(refreshed.custom_claims, expected)
        self.assertIs(refreshed.fresh, False)
        # The body path of the refresh view keeps them too.
        response = self.client.post(
            REFRESH_URL, {"refresh_token": tokens["refresh_token"]}, format="json"
        )
        self.assertEqual(AccessToken(response.json()["access_token"]).custom_claims, expected)
        # Claims of the login are copied, not recomputed: the refresh token is the record.
        self.user.is_staff = True
        self.user.save()
        self.assertEqual(AccessToken(self.refresh(tokens["refresh_token"]))["role"], "member")
        self.assertEqual(AccessToken(self.login()["access_token"])["role"], "staff")

    def test_default_serializer_adds_no_claim(self) -> None:
        tokens = self.login()
        self.assertEqual(AccessToken(tokens["access_token"]).custom_claims, {})

    @mock.patch.object(TokenRefreshView, "serializer_class", TaggedRefreshSerializer)
    @mock.patch.object(TokenVerifyView, "serializer_class", TaggedVerifySerializer)
    def test_refresh_and_verify_serializers_are_replaceable(self) -> None:
        tokens = self.login()
        response = self.client.post(REFRESH_URL, **self.bearer(tokens["refresh_token"]))
        self.assertEqual(response.json()["tag"], "refresh")
        response = self.client.post(VERIFY_URL, {"token": tokens["access_token"]}, format="json")
        self.assertEqual(response.json()["tag"], "verify")


class AsViewSerializerClassTests(TokenAPITestCase):
    """DRF's own mechanism: ``as_view(serializer_class=...)`` replaces a view's serializer."""

    def test_as_view_serializer_class(self) -> None:
        view = TokenObtainView.as_view(serializer_class=ClaimsObtainSerializer)
        request = APIRequestFactory().post(
            LOGIN_URL, {"username": USERNAME, "password": PASSWORD}, format="json"
        )
        response = view(request)
        self.assertEqual(response.status_code, 200, response.data)
        claims = AccessToken(response.data["access_token"]).custom_claims
        self.assertEqual(claims, {"role": "member", "name": USERNAME})

    def test_defaults(self) -> None:
        self.assertIs(TokenObtainView().get_serializer_class(), TokenObtainSerializer)
        self.assertIs(TokenRefreshView().get_serializer_class(), TokenRefreshSerializer)
        self.assertIs(TokenVerifyView().get_serializer_class(), TokenVerifySerializer)


class TokenRefreshSerializerTests(TokenAPITestCase):
    def test_fields(self) -> None:
        field = TokenRefreshSerializer().fields["refresh_token"]
        self.assertFalse(field.required)
        self.assertTrue(field.write_only)
        self.assertFalse(field.trim_whitespace)

    def test_token_from_the_authenticated_request(self) -> None:
        tokens = self.login()
        request = drf_request()
        refresh = RefreshToken(tokens["refresh_token"])
        request.user, request.auth = self.user, refresh
        serializer = TokenRefreshSerializer(data={}, context={"request": request})
        self.assertTrue(serializer.is_valid(), serializer.errors)
        self.assertIs(serializer.user, self.user)
        self.assertIs(serializer.token, refresh)
        self.assertIs(AccessToken(serializer.validated_data["access_token"]).fresh, False)

    def test_the_body_is_read_by_the_authenticator_not_the_serializer(self) -> None:
        # The view's authenticator reads {"refresh_token"}; the serializer only ever trusts
        # request.auth, so a body token cannot bypass the authenticator's checks.
        tokens = self.login()
        serializer = TokenRefreshSerializer(
            data={"refresh_token": tokens["refresh_token"]}, context={"request": drf_request()}
        )
        with raises_code(self, "not_authenticated"):
            serializer.is_valid()

    def test_body_field_follows_refresh_json_key(self) -> None:
        with override_settings(DRF_PASETO={"REFRESH_JSON_KEY": "token"}):
            self.assertIn("token", TokenRefreshSerializer().fields)

    def test_an_access_token_on_the_request_is_not_used(self) -> None:
        tokens = self.login()
        request = drf_request()
        request.user, request.auth = self.user, AccessToken(tokens["access_token"])
        serializer = TokenRefreshSerializer(data={}, context={"request": request})
        with raises_code(self, "not_authenticated"):
            serializer.is_valid()
        serializer = TokenRefreshSerializer(
            data={"refresh_token": tokens["refresh_token"]}, context={"request": request}
        )
        with raises_code(self, "not_authenticated"):
            serializer.is_valid()


class TokenVerifySerializerTests(TokenAPITestCase):
    def verify(self, token: Any) -> TokenVerifySerializer:
        return TokenVerifySerializer(data={"token": token})

    def test_valid(self) -> None:
        tokens = self.login()
        for raw, token_type in (
            (tokens["access_token"], "access"),
            (tokens["refresh_token"], "refresh"),
        ):
            serializer = self.verify(raw)
            self.assertTrue(serializer.is_valid(), serializer.errors)
            self.assertEqual(
                serializer.validated_data,
                {"token_type": token_type, "expires_at": AccessToken.decode(raw)["exp"]},
            )

    def test_invalid(self) -> None:
        with self.assertRaises(PasetoError) as caught:
            self.verify("garbage").is_valid()
        self.assertEqual(caught.exception.code, "token_invalid")
        serializer = self.verify("")
        self.assertFalse(serializer.is_valid())
        self.assertIsInstance(serializer.errors["token"][0], str)
        self.assertIsInstance(TokenVerifySerializer().fields["token"], serializers.CharField)


class LoginSignalTests(TokenAPITestCase):
    """Django's user_logged_in (and so last_login) and user_login_failed on login/."""

    def test_user_logged_in_updates_last_login(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        received: list[dict[str, Any]] = []

        def receiver(**kwargs: Any) -> None:
            received.append(kwargs)

        user_logged_in.connect(receiver)
        self.addCleanup(user_logged_in.disconnect, receiver)
        self.assertIsNone(self.user.last_login)
        self.login()
        self.user.refresh_from_db()
        self.assertIsNotNone(self.user.last_login)
        self.assertEqual(len(received), 1)
        self.assertEqual(received[0]["user"], self.user)
        self.assertEqual(received[0]["request"].path, "/auth/login/")

    def test_update_last_login_off(self) -> None:
        with paseto_settings(UPDATE_LAST_LOGIN=False):
            self.login()
        self.user.refresh_from_db()
        self.assertIsNone(self.user.last_login)

    def test_user_login_failed(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        received: list[dict[str, Any]] = []

        def receiver(**kwargs: Any) -> None:
            received.append(kwargs)

        user_login_failed.connect(receiver)
        self.addCleanup(user_login_failed.disconnect, receiver)
        response = self.client.post(
            "/auth/login/", {"username": self.user.username, "password": "wrong"}, format="json"
        )
        self.assertEqual(response.status_code, 401)
        self.assertEqual(len(received), 1)
        self.assertNotIn("wrong", str(received[0]["credentials"]))
