"""The token views (drf_paseto/views.py, drf_paseto/urls.py) and the reference pages' flow.

``TokenAPITestCase``, ``paseto_settings`` and the URLs come from tests/helpers.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pyseto
from django.contrib.auth import get_user_model
from django.test import LiveServerTestCase, SimpleTestCase, override_settings
from django.urls import path, reverse
from rest_framework import status

from drf_paseto.clock import current_time
from drf_paseto.serializers import TokenObtainSerializer
from drf_paseto.tokens import AccessToken, RefreshToken
from drf_paseto.views import TokenObtainView
from tests import keys
from tests.helpers import (
    CHALLENGE,
    KEYS_URL,
    LOCAL_V3,
    LOCAL_V4,
    LOGIN_URL,
    MESSAGES,
    PASSWORD,
    PUBLIC_V3,
    PUBLIC_V4,
    REFRESH_URL,
    SECRET_FRAGMENTS,
    SECRET_KEY_PREFIXES,
    USERNAME,
    VERIFY_URL,
    TokenAPITestCase,
    paseto_settings,
    response_text,
)


class UrlTests(TokenAPITestCase):
    def test_names_and_paths(self) -> None:
        self.assertEqual(reverse("drf_paseto:login"), LOGIN_URL)
        self.assertEqual(reverse("drf_paseto:refresh"), REFRESH_URL)
        self.assertEqual(reverse("drf_paseto:verify"), VERIFY_URL)
        self.assertEqual(reverse("drf_paseto:keys"), KEYS_URL)


class LoginTests(TokenAPITestCase):
    def test_login_returns_a_fresh_access_token_and_a_refresh_token(self) -> None:
        response = self.client.post(
            LOGIN_URL, {"username": USERNAME, "password": PASSWORD}, format="json"
        )
        self.assertEqual(response.status_code, status.HTTP_200_OK)
        self.assertEqual(response["Content-Type"], "application/json")
        body = response.json()
        self.assertEqual(set(body), {"access_token", "refresh_token"})
        access = AccessToken(body["access_token"])
        refresh = RefreshToken(body["refresh_token"])
        self.assertIs(access.fresh, True)
        self.assertEqual(access.type, "access")
        self.assertEqual(refresh.type, "refresh")
        self.assertNotIn("fresh", refresh)
        self.assertEqual(access.subject, str(self.user.pk))
        self.assertEqual(refresh.subject, str(self.user.pk))
        self.assertEqual(access.session_id, refresh.session_id)
        self.assertNotEqual(access.jti, refresh.jti)
        self.assertTrue(body["access_token"].startswith("v4.local."))
        self.assertLess(access.expires_at, refresh.expires_at)
        self.assertNotIn(PASSWORD, response_text(response))

    def test_each_login_is_a_new_session(self) -> None:
        first, second = self.login(), self.login()
        self.assertNotEqual(
            RefreshToken(first["refresh_token"]).session_id,
            RefreshToken(second["refresh_token"]).session_id,
        )

    def test_bad_password(self) -> None:
        response = self.client.post(
            LOGIN_URL, {"username": USERNAME, "password": PASSWORD + "x"}, format="json"
        )
        self.assertError(response, 401, "invalid_credentials", PASSWORD + "x")

    def test_unknown_user(self) -> None:
        response = self.client.post(
            LOGIN_URL, {"username": "mallory", "password": PASSWORD}, format="json"
        )
        self.assertError(response, 401, "invalid_credentials")

    def test_inactive_user(self) -> None:
        self.user.is_active = False
        self.user.save()
        response = self.client.post(
            LOGIN_URL, {"username": USERNAME, "password": PASSWORD}, format="json"
        )
        self.assertError(response, 401, "invalid_credentials")

    def test_password_is_not_trimmed(self) -> None:
        response = self.client.post(
            LOGIN_URL, {"username": USERNAME, "password": f" {PASSWORD} "}, format="json"
        )
        self.assertError(response, 401, "invalid_credentials")

    def test_missing_fields(self) -> None:
        cases: list[tuple[dict[str, Any], set[str]]] = [
            ({}, {"username", "password"}),
            ({"username": USERNAME}, {"password"}),
            ({"password": PASSWORD}, {"username"}),
            ({"username": "", "password": PASSWORD}, {"username"}),
            ({"username": USERNAME, "password": ""}, {"password"}),
        ]
        for data, fields in cases:
            with self.subTest(data=data):
                response = self.client.post(LOGIN_URL, data, format="json")
                self.assertInvalidRequest(response, fields)

    def test_empty_body(self) -> None:
        response = self.client.post(LOGIN_URL, content_type="application/json")
        self.assertInvalidRequest(response, {"username", "password"})

    def test_wrong_json_types(self) -> None:
        for value in ([USERNAME], None, {"name": USERNAME}, True, [[]]):
            for field in ("username", "password"):
                data = {"username": USERNAME, "password": PASSWORD, field: value}
                with self.subTest(field=field, value=value):
                    response = self.client.post(LOGIN_URL, data, format="json")
                    self.assertInvalidRequest(response, {field})

    def test_number_is_read_as_a_string(self) -> None:
        response = self.client.post(LOGIN_URL, {"username": 12345, "password": 3.5}, format="json")
        self.assertError(response, 401, "invalid_credentials")
        get_user_model().objects.create_user("12345", password="3.5")
        response = self.client.post(LOGIN_URL, {"username": 12345, "password": 3.5}, format="json")
        self.assertEqual(response.status_code, 200)

    def test_body_that_is_not_an_object(self) -> None:
        for body in ("[]", '["alice", "pw"]', '"alice"', "42", "null", "true"):
            with self.subTest(body=body):
                response = self.client.post(LOGIN_URL, body, content_type="application/json")
                self.assertInvalidRequest(response, {"non_field_errors"})

    def test_huge_username_and_password(self) -> None:
        huge_password = "p" * 4097
        response = self.client.post(
            LOGIN_URL, {"username": USERNAME, "password": huge_password}, format="json"
        )
        self.assertInvalidRequest(response, {"password"}, huge_password)
        huge_username = "u" * 1025
        response = self.client.post(
            LOGIN_URL, {"username": huge_username, "password": PASSWORD}, format="json"
        )
        self.assertInvalidRequest(response, {"username"}, huge_username)
        # At the limit: an ordinary wrong password.
        response = self.client.post(
            LOGIN_URL, {"username": "u" * 1024, "password": "p" * 4096}, format="json"
        )
        self.assertError(response, 401, "invalid_credentials", "p" * 4096)

    def test_null_characters_are_refused(self) -> None:
        for field in ("username", "password"):
            data = {"username": USERNAME, "password": PASSWORD}
            data[field] += "\x00"
            with self.subTest(field=field):
                response = self.client.post(LOGIN_URL, data, format="json")
                self.assertInvalidRequest(response, {field})

    def test_malformed_json(self) -> None:
        bodies = [
            '{"username": "alice", "password": ',
            '{"username": "alice" "password": "x"}',
            "{'username': 'alice'}",
            '{"username": NaN, "password": "x"}',
            "\x00",
            '{"username": "alice", "password": "' + PASSWORD + '"',
        ]
        for body in bodies:
            with self.subTest(body=body):
                response = self.client.post(LOGIN_URL, body, content_type="application/json")
                self.assertError(response, 400, "parse_error")

    def test_body_that_is_not_utf8(self) -> None:
        # The parser's message would quote the offending byte of the password, and where it is.
        body = f'{{"username": "alice", "password": "{PASSWORD}\u00e4"}}'.encode("latin-1")
        response = self.client.post(LOGIN_URL, body, content_type="application/json")
        self.assertError(response, 400, "parse_error")
        self.assertNotIn(b"0xe4", response.content)
        self.assertNotIn(b"position", response.content)

    def test_deeply_nested_json_is_a_400_not_a_500(self) -> None:
        body = "[" * 100_000 + "]" * 100_000
        nested = '{"username": ' + "[" * 100_000 + "]" * 100_000 + "}"
        for url in (LOGIN_URL, REFRESH_URL, VERIFY_URL):
            for data in (body, nested):
                with self.subTest(url=url, body=data[:15]):
                    response = self.client.post(url, data, content_type="application/json")
                    self.assertError(response, 400, "parse_error")

    def test_broken_multipart(self) -> None:
        response = self.client.post(
            LOGIN_URL, b"--x\r\nnot a part", content_type="multipart/form-data; boundary=x"
        )
        self.assertInvalidRequest(response, {"username", "password"})
        response = self.client.post(LOGIN_URL, b"data", content_type="multipart/form-data")
        self.assertError(response, 400, "parse_error")

    def test_form_encoded_body(self) -> None:
        response = self.client.post(LOGIN_URL, {"username": USERNAME, "password": PASSWORD})
        self.assertEqual(response.status_code, 200)
        self.assertIs(AccessToken(response.json()["access_token"]).fresh, True)
        response = self.client.post(
            LOGIN_URL,
            f"username={USERNAME}&password={PASSWORD}",
            content_type="application/x-www-form-urlencoded",
        )
        self.assertEqual(response.status_code, 200)
        response = self.client.post(
            LOGIN_URL,
            f"username={USERNAME}&password=nope",
            content_type="application/x-www-form-urlencoded",
        )
        self.assertError(response, 401, "invalid_credentials")
        response = self.client.post(
            LOGIN_URL, "username=alice", content_type="application/x-www-form-urlencoded"
        )
        self.assertInvalidRequest(response, {"password"})

    def test_unsupported_content_type(self) -> None:
        for content_type in ("text/plain", "application/xml", "application/octet-stream"):
            with self.subTest(content_type=content_type):
                response = self.client.post(
                    LOGIN_URL, f"username={USERNAME}&password={PASSWORD}", content_type=content_type
                )
                self.assertCodedError(response, 415, "unsupported_media_type")

    def test_other_methods(self) -> None:
        for method in ("get", "put", "patch", "delete"):
            with self.subTest(method=method):
                response = getattr(self.client, method)(LOGIN_URL)
                self.assertCodedError(response, 405, "method_not_allowed")
                self.assertEqual(response["Allow"], "POST, OPTIONS")

    def test_authorization_header_is_ignored(self) -> None:
        response = self.client.post(
            LOGIN_URL,
            {"username": USERNAME, "password": PASSWORD},
            format="json",
            HTTP_AUTHORIZATION="Bearer garbage",
        )
        self.assertEqual(response.status_code, 200)


class LoginSerializerSettingTests(TokenAPITestCase):
    def test_serializer_class_attribute_wins_over_the_setting(self) -> None:
        self.assertIs(_ClassAttributeView().get_serializer_class(), _CountingSerializer)

    @override_settings(ROOT_URLCONF=__name__)
    def test_view_with_its_own_serializer_class(self) -> None:
        response = self.client.post(
            "/login-with-class/", {"username": USERNAME, "password": PASSWORD}, format="json"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["serializer"], "counting")


class _CountingSerializer(TokenObtainSerializer):
    def get_tokens(self, user: Any) -> dict[str, Any]:
        return {**super().get_tokens(user), "serializer": "counting"}


class _ClassAttributeView(TokenObtainView):
    serializer_class = _CountingSerializer


urlpatterns = [path("login-with-class/", _ClassAttributeView.as_view())]


class RefreshViewTests(TokenAPITestCase):
    def test_refresh_with_the_header(self) -> None:
        tokens = self.login()
        response = self.client.post(REFRESH_URL, **self.bearer(tokens["refresh_token"]))
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(set(body), {"access_token"})
        access = AccessToken(body["access_token"])
        self.assertIs(access.fresh, False)
        self.assertEqual(access.subject, str(self.user.pk))
        self.assertEqual(access.session_id, RefreshToken(tokens["refresh_token"]).session_id)
        self.assertNotIn(tokens["refresh_token"], response_text(response))

    def test_refresh_with_the_json_body(self) -> None:
        tokens = self.login()
        response = self.client.post(
            REFRESH_URL, {"refresh_token": tokens["refresh_token"]}, format="json"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(response.json()), {"access_token"})
        self.assertIs(AccessToken(response.json()["access_token"]).fresh, False)

    def test_a_form_body_is_not_read(self) -> None:
        # Body tokens are read from JSON bodies only (the "json" token location).
        tokens = self.login()
        response = self.client.post(REFRESH_URL, {"refresh_token": tokens["refresh_token"]})
        self.assertError(response, 401, "not_authenticated")

    def test_header_wins_over_body(self) -> None:
        tokens = self.login()
        other = get_user_model().objects.create_user("bob", password=PASSWORD)
        bob = self.login("bob")
        for body_token in (bob["refresh_token"], "garbage", tokens["access_token"]):
            with self.subTest(body_token=body_token[:12]):
                response = self.client.post(
                    REFRESH_URL,
                    {"refresh_token": body_token},
                    format="json",
                    **self.bearer(tokens["refresh_token"]),
                )
                self.assertEqual(response.status_code, 200)
                self.assertEqual(
                    AccessToken(response.json()["access_token"]).subject, str(self.user.pk)
                )
        # A bad header is not rescued by a good body.
        response = self.client.post(
            REFRESH_URL,
            {"refresh_token": bob["refresh_token"]},
            format="json",
            **self.bearer(tokens["access_token"]),
        )
        self.assertError(response, 401, "token_wrong_type")
        self.assertNotEqual(other.pk, self.user.pk)

    def test_access_token_is_refused(self) -> None:
        tokens = self.login()
        response = self.client.post(REFRESH_URL, **self.bearer(tokens["access_token"]))
        self.assertError(response, 401, "token_wrong_type")
        response = self.client.post(
            REFRESH_URL, {"refresh_token": tokens["access_token"]}, format="json"
        )
        self.assertError(response, 401, "token_wrong_type")
        refreshed = self.refresh(tokens["refresh_token"])
        response = self.client.post(REFRESH_URL, **self.bearer(refreshed))
        self.assertError(response, 401, "token_wrong_type")

    def test_no_token(self) -> None:
        self.assertError(self.client.post(REFRESH_URL), 401, "not_authenticated")
        response = self.client.post(REFRESH_URL, {}, format="json")
        self.assertError(response, 401, "not_authenticated")
        # Another scheme is not ours: the request has no token.
        response = self.client.post(REFRESH_URL, HTTP_AUTHORIZATION="Basic YWxpY2U6cHc=")
        self.assertError(response, 401, "not_authenticated")

    def test_bad_body_token(self) -> None:
        response = self.client.post(REFRESH_URL, {"refresh_token": "garbage"}, format="json")
        self.assertError(response, 401, "token_invalid", "garbage")
        for value in ("", "a b", "\u00e9", 12, ["x"], {"a": 1}, True):
            with self.subTest(value=value):
                response = self.client.post(REFRESH_URL, {"refresh_token": value}, format="json")
                self.assertError(response, 401, "bad_json_token")
        response = self.client.post(REFRESH_URL, {"refresh_token": None}, format="json")
        self.assertInvalidRequest(response, {"refresh_token"})

    def test_expired_refresh_token(self) -> None:
        with mock.patch(
            "drf_paseto.clock.current_time", return_value=current_time() - timedelta(days=31)
        ):
            tokens = self.login()
        response = self.client.post(REFRESH_URL, **self.bearer(tokens["refresh_token"]))
        self.assertError(response, 401, "token_expired")
        response = self.client.post(
            REFRESH_URL, {"refresh_token": tokens["refresh_token"]}, format="json"
        )
        self.assertError(response, 401, "token_expired")

    def test_refresh_token_just_before_expiry(self) -> None:
        with mock.patch(
            "drf_paseto.clock.current_time",
            return_value=current_time() - timedelta(days=30) + timedelta(minutes=1),
        ):
            tokens = self.login()
        self.refresh(tokens["refresh_token"])

    def test_deleted_user(self) -> None:
        tokens = self.login()
        self.user.delete()
        response = self.client.post(REFRESH_URL, **self.bearer(tokens["refresh_token"]))
        self.assertError(response, 401, "user_not_found")
        response = self.client.post(
            REFRESH_URL, {"refresh_token": tokens["refresh_token"]}, format="json"
        )
        self.assertError(response, 401, "user_not_found")

    def test_deactivated_user(self) -> None:
        tokens = self.login()
        self.user.is_active = False
        self.user.save()
        response = self.client.post(REFRESH_URL, **self.bearer(tokens["refresh_token"]))
        self.assertError(response, 401, "user_inactive")
        response = self.client.post(
            REFRESH_URL, {"refresh_token": tokens["refresh_token"]}, format="json"
        )
        self.assertError(response, 401, "user_inactive")

    def test_malformed_body_and_methods(self) -> None:
        response = self.client.post(REFRESH_URL, "{", content_type="application/json")
        self.assertError(response, 400, "parse_error")
        response = self.client.get(REFRESH_URL)
        self.assertCodedError(response, 405, "method_not_allowed")


class VerifyViewTests(TokenAPITestCase):
    def verify(self, token: Any) -> Any:
        if isinstance(token, str):
            self.issued.append(token)
        return self.client.post(VERIFY_URL, {"token": token}, format="json")

    def test_valid_tokens(self) -> None:
        tokens = self.login()
        refreshed = self.refresh(tokens["refresh_token"])
        for name, raw, token_type in (
            ("access", tokens["access_token"], "access"),
            ("refresh", tokens["refresh_token"], "refresh"),
            ("refreshed", refreshed, "access"),
        ):
            with self.subTest(name=name):
                response = self.verify(raw)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(
                    response.json(),
                    {"token_type": token_type, "expires_at": AccessToken.decode(raw)["exp"]},
                )
                self.assertNoSecrets(response)

    def test_the_token_in_the_authorization_header(self) -> None:
        # As refresh/ and logout/ read it; the header wins over the body.
        tokens = self.login()
        response = self.client.post(VERIFY_URL, **self.bearer(tokens["refresh_token"]))
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["token_type"], "refresh")
        response = self.client.post(
            VERIFY_URL,
            {"token": tokens["refresh_token"]},
            format="json",
            **self.bearer(tokens["access_token"]),
        )
        self.assertEqual(response.json()["token_type"], "access")
        self.assertError(
            self.client.post(VERIFY_URL, HTTP_AUTHORIZATION="Bearer not a token"),
            401,
            "bad_authorization_header",
        )
        self.assertError(
            self.client.post(VERIFY_URL, **self.bearer("v4.local.AAAA")), 401, "token_invalid"
        )
        # Another scheme is not ours: the body is read.
        response = self.client.post(
            VERIFY_URL,
            {"token": tokens["access_token"]},
            format="json",
            HTTP_AUTHORIZATION="Basic dXNlcjpwdw==",
        )
        self.assertEqual(response.json()["token_type"], "access")

    def test_garbage(self) -> None:
        cases = {
            "garbage": "token_invalid",
            "v4.local.": "token_invalid",
            "v4.local.AAAA": "token_invalid",
            "v4.local.!!!!": "token_invalid",
            "v2.local.AAAA": "token_unsupported",
            "v4.public.AAAA": "token_unsupported",
            "v1.local.AAAA": "token_unsupported",
            "x" * 5000: "token_too_large",
        }
        for raw, code in cases.items():
            with self.subTest(raw=raw[:20]):
                self.assertError(self.verify(raw), 401, code)

    def test_tampered_token(self) -> None:
        raw = self.login()["access_token"]
        index = len("v4.local.") + 40
        tampered = raw[:index] + ("A" if raw[index] != "A" else "B") + raw[index + 1 :]
        self.assertError(self.verify(tampered), 401, "token_invalid", tampered)

    def test_expired(self) -> None:
        with mock.patch(
            "drf_paseto.clock.current_time", return_value=current_time() - timedelta(hours=1)
        ):
            tokens = self.login()
        self.assertError(self.verify(tokens["access_token"]), 401, "token_expired")
        self.assertEqual(self.verify(tokens["refresh_token"]).status_code, 200)

    def test_not_yet_valid(self) -> None:
        with mock.patch(
            "drf_paseto.clock.current_time", return_value=current_time() + timedelta(hours=1)
        ):
            tokens = self.login()
        self.assertError(self.verify(tokens["access_token"]), 401, "token_issued_in_future")

    def test_wrong_key(self) -> None:
        with paseto_settings(SECRET_KEY=keys.LOCAL_V4_2):
            raw = self.login()["access_token"]
        self.assertError(self.verify(raw), 401, "token_key_unknown")
        with paseto_settings(VERSION=3, SECRET_KEY=keys.LOCAL_V3_1):
            raw = self.login()["access_token"]
        self.assertError(self.verify(raw), 401, "token_unsupported")
        with paseto_settings(PURPOSE="public", PRIVATE_KEY=keys.SECRET_V4_1):
            raw = self.login()["access_token"]
        self.assertError(self.verify(raw), 401, "token_unsupported")

    def test_user_gone(self) -> None:
        raw = self.login()["access_token"]
        self.user.is_active = False
        self.user.save()
        self.assertError(self.verify(raw), 401, "user_inactive")
        self.user.delete()
        self.assertError(self.verify(raw), 401, "user_not_found")

    def test_missing_token(self) -> None:
        self.assertInvalidRequest(self.client.post(VERIFY_URL, {}, format="json"), {"token"})
        self.assertInvalidRequest(
            self.client.post(VERIFY_URL, {"token": ""}, format="json"), {"token"}
        )
        self.assertInvalidRequest(self.verify(None), {"token"})
        self.assertInvalidRequest(self.verify(["a"]), {"token"})

    def test_verify_ignores_the_authorization_header(self) -> None:
        tokens = self.login()
        response = self.client.post(
            VERIFY_URL, {"token": tokens["access_token"]}, format="json", HTTP_AUTHORIZATION="x"
        )
        self.assertEqual(response.status_code, 200)


class KeysViewTests(TokenAPITestCase):
    def assertNoSecretKeys(self, response: Any) -> None:
        text = response_text(response)
        for fragment in (*SECRET_FRAGMENTS, *SECRET_KEY_PREFIXES):
            self.assertNotIn(fragment, text)

    def test_cacheable_for_keys_max_age_seconds(self) -> None:
        """Unlike the token views (no-store), keys/ may be cached by the services that
        follow it (KEYS_URL), for KEYS_MAX_AGE_SECONDS."""
        response = self.client.get(KEYS_URL)
        self.assertEqual(response["Cache-Control"], "public, max-age=300")
        self.assertNotIn("Pragma", response)
        with override_settings(DRF_PASETO={**PUBLIC_V4, "KEYS_MAX_AGE_SECONDS": 60}):
            self.assertEqual(self.client.get(KEYS_URL)["Cache-Control"], "public, max-age=60")
        response = self.client.post(KEYS_URL)  # an error is not cached
        self.assertEqual(response.status_code, 405)
        self.assertEqual(response["Cache-Control"], "no-store")

    def test_local_purpose_publishes_nothing(self) -> None:
        for config in (LOCAL_V4, LOCAL_V3, {**LOCAL_V4, "RETIRED_KEYS": [keys.LOCAL_V4_2]}):
            with self.subTest(config=config), override_settings(DRF_PASETO=config):
                response = self.client.get(KEYS_URL)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.json(), {"keys": []})
                self.assertNoSecretKeys(response)

    def test_public_purpose_with_a_retired_key(self) -> None:
        config = {**PUBLIC_V4, "RETIRED_KEYS": [keys.PUBLIC_V4_2]}
        with override_settings(DRF_PASETO=config):
            response = self.client.get(KEYS_URL)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(),
            {
                "keys": [
                    {
                        "kid": pyseto.Key.from_paserk(keys.PUBLIC_V4_1).to_paserk_id(),
                        "paserk": keys.PUBLIC_V4_1,
                        "version": "v4",
                        "purpose": "public",
                        "current": True,
                    },
                    {
                        "kid": pyseto.Key.from_paserk(keys.PUBLIC_V4_2).to_paserk_id(),
                        "paserk": keys.PUBLIC_V4_2,
                        "version": "v4",
                        "purpose": "public",
                        "current": False,
                    },
                ]
            },
        )
        for key in response.json()["keys"]:
            self.assertTrue(key["kid"].startswith("k4.pid."))
            self.assertTrue(key["paserk"].startswith("k4.public."))
        self.assertNoSecretKeys(response)

    def test_retired_secret_key_is_published_as_its_public_key(self) -> None:
        config = {**PUBLIC_V4, "RETIRED_KEYS": [keys.SECRET_V4_2, keys.PRIVATE_PEM_V4_2]}
        with override_settings(DRF_PASETO=config):
            response = self.client.get(KEYS_URL)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            [(k["paserk"], k["current"]) for k in response.json()["keys"]],
            [(keys.PUBLIC_V4_1, True), (keys.PUBLIC_V4_2, False)],
        )
        self.assertNoSecretKeys(response)

    def test_pem_and_v3_keys(self) -> None:
        for config, public, version in (
            ({"PURPOSE": "public", "PRIVATE_KEY": keys.PRIVATE_PEM_V4_1}, keys.PUBLIC_V4_1, "v4"),
            (PUBLIC_V3, keys.PUBLIC_V3_1, "v3"),
        ):
            with self.subTest(version=version), override_settings(DRF_PASETO=config):
                response = self.client.get(KEYS_URL)
                self.assertEqual(response.status_code, 200)
                (key,) = response.json()["keys"]
                self.assertEqual(key["paserk"], public)
                self.assertEqual(key["version"], version)
                self.assertTrue(key["kid"].startswith(f"k{version[1]}.pid."))
                self.assertIs(key["current"], True)
                self.assertNoSecretKeys(response)

    def test_verify_only_configuration(self) -> None:
        config = {"PURPOSE": "public", "PUBLIC_KEY": keys.PUBLIC_V4_1}
        with override_settings(DRF_PASETO=config):
            response = self.client.get(KEYS_URL)
        self.assertEqual(response.status_code, 200)
        (key,) = response.json()["keys"]
        self.assertEqual(key["paserk"], keys.PUBLIC_V4_1)
        self.assertIs(key["current"], False)  # this service issues nothing

    def test_keys_need_no_token_and_ignore_bad_ones(self) -> None:
        response = self.client.get(KEYS_URL, HTTP_AUTHORIZATION="Bearer garbage")
        self.assertEqual(response.status_code, 200)

    def test_only_get(self) -> None:
        self.assertCodedError(self.client.post(KEYS_URL), 405, "method_not_allowed")


class ReferenceFlowTests(TokenAPITestCase):
    """The reference pages' flow, under every purpose and version."""

    def run_flow(self, prefix: str) -> None:
        tokens = self.login()
        access, refresh = tokens["access_token"], tokens["refresh_token"]
        self.assertTrue(access.startswith(prefix))
        self.assertTrue(refresh.startswith(prefix))
        self.assertIs(AccessToken(access).fresh, True)

        self.assertUser(self.get_with("/protected/", access))
        self.assertUser(self.get_with("/fresh/", access))
        self.assertUser(self.get_with("/optional/", access))
        self.assertUser(self.get_with("/authenticated/", access))
        self.assertUser(self.get_with("/open/", access))

        new_access = self.refresh(refresh)
        self.assertTrue(new_access.startswith(prefix))
        self.assertIs(AccessToken(new_access).fresh, False)
        self.assertUser(self.get_with("/protected/", new_access))
        self.assertError(self.get_with("/fresh/", new_access), 403, "token_not_fresh")

        self.assertError(
            self.client.post(REFRESH_URL, **self.bearer(access)), 401, "token_wrong_type"
        )
        self.assertError(
            self.client.post(REFRESH_URL, **self.bearer(new_access)), 401, "token_wrong_type"
        )
        for url in ("/protected/", "/fresh/", "/optional/", "/authenticated/", "/open/"):
            self.assertError(self.get_with(url, refresh), 401, "token_wrong_type")
        self.assertError(self.get_with("/refresh-only/", access), 401, "token_wrong_type")
        self.assertUser(self.get_with("/refresh-only/", refresh))

        for raw, token_type in ((access, "access"), (refresh, "refresh")):
            response = self.client.post(VERIFY_URL, {"token": raw}, format="json")
            self.assertEqual(response.json()["token_type"], token_type)

    def test_local_v4(self) -> None:
        with override_settings(DRF_PASETO=LOCAL_V4):
            self.run_flow("v4.local.")

    def test_local_v3(self) -> None:
        with override_settings(DRF_PASETO=LOCAL_V3):
            self.run_flow("v3.local.")

    def test_public_v4(self) -> None:
        with override_settings(DRF_PASETO=PUBLIC_V4):
            self.run_flow("v4.public.")

    def test_public_v3(self) -> None:
        with override_settings(DRF_PASETO=PUBLIC_V3):
            self.run_flow("v3.public.")

    def test_tokens_of_one_configuration_fail_under_another(self) -> None:
        with override_settings(DRF_PASETO=PUBLIC_V4):
            public = self.login()["access_token"]
        with override_settings(DRF_PASETO=LOCAL_V3):
            v3 = self.login()["access_token"]
        self.assertError(self.get_with("/protected/", public), 401, "token_unsupported")
        self.assertError(self.get_with("/protected/", v3), 401, "token_unsupported")
        with override_settings(DRF_PASETO={**PUBLIC_V4, "PRIVATE_KEY": keys.SECRET_V4_2}):
            self.assertError(self.get_with("/protected/", public), 401, "token_key_unknown")
        with override_settings(
            DRF_PASETO={
                **PUBLIC_V4,
                "PRIVATE_KEY": keys.SECRET_V4_2,
                "RETIRED_KEYS": [keys.PUBLIC_V4_1],
            }
        ):
            self.assertUser(self.get_with("/protected/", public))


# The suite's settings have no STATIC_URL / MEDIA_URL, which the live server's file handlers
# need; these prefixes serve nothing.
@override_settings(STATIC_URL="/static/", MEDIA_URL="/media/")
class LiveServerFlowTests(LiveServerTestCase):
    """The reference flow over a real HTTP server, with urllib only."""

    def setUp(self) -> None:
        super().setUp()
        get_user_model().objects.create_user(USERNAME, password=PASSWORD)

    def call(
        self, method: str, path: str, *, token: str | None = None, body: Any = None
    ) -> tuple[int, dict[str, Any], Any]:
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            self.live_server_url + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), json.loads(response.read())
        except urllib.error.HTTPError as error:
            with error:
                return error.code, dict(error.headers), json.loads(error.read())

    def assertHttpError(
        self, result: tuple[int, dict[str, Any], Any], status_code: int, code: str, *secrets: str
    ) -> None:
        status_got, headers, body = result
        self.assertEqual(status_got, status_code)
        self.assertEqual(body, {"detail": MESSAGES[code], "code": code})
        if status_code == 401:
            self.assertEqual(headers["WWW-Authenticate"], CHALLENGE)
        else:
            self.assertNotIn("WWW-Authenticate", headers)
        text = json.dumps(body) + json.dumps(headers)
        for secret in (PASSWORD, *secrets):
            self.assertNotIn(secret, text)

    def test_reference_flow_over_http(self) -> None:
        status_got, _, body = self.call(
            "POST", LOGIN_URL, body={"username": USERNAME, "password": PASSWORD}
        )
        self.assertEqual(status_got, 200)
        access, refresh = body["access_token"], body["refresh_token"]
        self.assertIs(AccessToken(access).fresh, True)

        self.assertEqual(
            self.call("GET", "/protected/", token=access)[::2], (200, {"user": USERNAME})
        )

        status_got, _, body = self.call("POST", REFRESH_URL, token=refresh)
        self.assertEqual(status_got, 200)
        self.assertEqual(set(body), {"access_token"})
        new_access = body["access_token"]
        self.assertIs(AccessToken(new_access).fresh, False)

        self.assertEqual(
            self.call("GET", "/protected/", token=new_access)[::2], (200, {"user": USERNAME})
        )
        self.assertHttpError(
            self.call("GET", "/fresh/", token=new_access), 403, "token_not_fresh", new_access
        )
        self.assertHttpError(
            self.call("POST", REFRESH_URL, token=access), 401, "token_wrong_type", access
        )
        self.assertHttpError(
            self.call("GET", "/protected/", token=refresh), 401, "token_wrong_type", refresh
        )
        self.assertHttpError(
            self.call("POST", LOGIN_URL, body={"username": USERNAME, "password": "nope"}),
            401,
            "invalid_credentials",
        )


@override_settings(ADMINS=[("Admin", "admin@example.com")], MANAGERS=[])
class ErrorMailTests(TokenAPITestCase):
    """Django mails ADMINS a report of every 5xx, with the POST parameters and the local
    variables of the traceback: no password and no token may be in it."""

    def setUp(self) -> None:
        super().setUp()
        from django.core import mail

        self.outbox = mail.outbox
        self.outbox.clear()
        self.client.raise_request_exception = False

    def post_form(self, url: str, data: dict[str, str]) -> Any:
        from urllib.parse import urlencode

        return self.client.generic(
            "POST", url, urlencode(data), content_type="application/x-www-form-urlencoded"
        )

    def assertMailHides(self, *secrets: str) -> None:
        self.assertEqual(len(self.outbox), 1, [m.subject for m in self.outbox])
        message = self.outbox[0]
        text = "\n".join(
            [message.subject, message.body, *(str(a[0]) for a in message.alternatives)]
        )
        for secret in secrets:
            self.assertFalse(secret in text, "a secret is in the error mail")
        self.assertIn("********", text)  # the cleansed values are there, hidden

    def test_login_503_hides_the_password(self) -> None:
        from django.db import OperationalError

        with mock.patch("drf_paseto.serializers.authenticate", side_effect=OperationalError("x")):
            response = self.post_form(LOGIN_URL, {"username": USERNAME, "password": PASSWORD})
        self.assertEqual(response.status_code, status.HTTP_503_SERVICE_UNAVAILABLE)
        self.assertMailHides(PASSWORD)

    def test_login_500_hides_the_password_in_the_traceback(self) -> None:
        with mock.patch("drf_paseto.serializers.authenticate", side_effect=RuntimeError("boom")):
            response = self.post_form(LOGIN_URL, {"username": USERNAME, "password": PASSWORD})
        self.assertEqual(response.status_code, status.HTTP_500_INTERNAL_SERVER_ERROR)
        self.assertMailHides(PASSWORD)

    def test_verify_and_refresh_5xx_hide_the_token(self) -> None:
        from django.db import OperationalError

        tokens = self.login()
        target = "drf_paseto.serializers._AnyTokenAuthentication.authenticate_token"
        with mock.patch(target, side_effect=OperationalError("x")):
            response = self.post_form(VERIFY_URL, {"token": tokens["access_token"]})
        self.assertEqual(response.status_code, status.HTTP_503_SERVICE_UNAVAILABLE)
        self.assertMailHides(tokens["access_token"], tokens["refresh_token"])
        self.outbox.clear()
        target = "drf_paseto.serializers.TokenRefreshSerializer.get_tokens"
        with mock.patch(target, side_effect=RuntimeError("boom")):
            response = self.client.post(
                REFRESH_URL, {"refresh_token": tokens["refresh_token"]}, format="json"
            )
        self.assertEqual(response.status_code, status.HTTP_500_INTERNAL_SERVER_ERROR)
        self.assertMailHides(tokens["refresh_token"])


class _ClaimsSerializer(TokenObtainSerializer):
    """A login serializer whose custom claims are whatever the test puts in ``claims``."""

    claims: dict[str, Any] = {}

    def get_token_claims(self, user: Any) -> dict[str, Any]:
        return self.claims


class CustomClaimsAtIssueTests(TokenAPITestCase):
    """Custom claims that cannot go into a token: a JSON 500 naming no value, and the cause
    in the log; never an HTML 500."""

    def test_each_cause_is_a_json_500_and_logged(self) -> None:
        from datetime import datetime
        from decimal import Decimal

        deep: dict[str, Any] = {}
        level = deep
        for _ in range(10):
            level["x"] = {}
            level = level["x"]
        cases = {
            "reserved": ({"sub": "someone-else"}, "reserved claims cannot be set: sub"),
            "datetime": ({"when": datetime(2020, 1, 1)}, "not JSON-serializable"),
            "decimal": ({"price": Decimal("1.5")}, "not JSON-serializable"),
            "nan": ({"ratio": float("nan")}, "not JSON-serializable"),
            "deep": ({"tree": deep}, "deeper than MAX_JSON_DEPTH"),
            "large": ({"blob": "secret-looking-value " * 400}, "over MAX_TOKEN_LENGTH"),
        }
        for name, (claims, cause) in cases.items():
            with (
                self.subTest(name=name),
                mock.patch.object(TokenObtainView, "serializer_class", _ClaimsSerializer),
                mock.patch.object(_ClaimsSerializer, "claims", claims),
                self.assertLogs("drf_paseto", "ERROR") as logs,
            ):
                response = self.client.post(
                    LOGIN_URL, {"username": USERNAME, "password": PASSWORD}, format="json"
                )
                self.assertEqual(response.status_code, 500)
                self.assertEqual(response["Content-Type"], "application/json")
                self.assertEqual(response.json()["code"], "token_not_issuable")
                self.assertIn(cause, "\n".join(logs.output))
                self.assertNotIn("secret-looking-value", "\n".join(logs.output))
                self.assertNotIn("secret-looking-value", response_text(response))


NO_APP_SCRIPT = """
import sys
import django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
)
django.setup()
import drf_paseto.authentication, drf_paseto.permissions, drf_paseto.urls, drf_paseto.views
print("drf_paseto.models" in sys.modules)
"""


CHECK_WITHOUT_THE_APP_SCRIPT = """
import django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    ROOT_URLCONF="drf_paseto.urls",
)
django.setup()
from django.core.management import call_command
call_command("check")
call_command("check")
"""


class WithoutTheAppTests(SimpleTestCase):
    def test_the_authenticators_and_views_do_not_import_the_models(self) -> None:
        # A project that forgot "drf_paseto" in INSTALLED_APPS gets the revocation store's one
        # log line and a JSON 503 (revocation on), not a traceback from every command.
        result = subprocess.run(
            [sys.executable, "-c", NO_APP_SCRIPT],
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        self.assertEqual((result.returncode, result.stdout.strip()), (0, "False"), result.stderr)

    def test_manage_py_check_says_in_one_line_to_add_the_app(self) -> None:
        # No system check can run for an app that is not installed; the URL check builds the
        # views, and the first one built says what to do, once.
        result = subprocess.run(
            [sys.executable, "-c", CHECK_WITHOUT_THE_APP_SCRIPT],
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("System check identified no issues", result.stdout)
        self.assertEqual(
            result.stderr.splitlines(),
            [
                'drf_paseto: add "drf_paseto" to INSTALLED_APPS (its system checks, migrations '
                "and receivers); until then, requests that need its session tables answer 503"
            ],
        )

    def test_an_installed_app_says_nothing(self) -> None:
        with self.assertNoLogs("drf_paseto"):
            TokenObtainView.as_view()
