"""drf_paseto/signals.py: what each signal is sent with, through the views."""

from __future__ import annotations

from typing import Any
from unittest import mock

from django.contrib.auth import get_user_model
from django.dispatch import Signal
from rest_framework import status

from drf_paseto import signals
from drf_paseto.exceptions import StoreUnavailable
from drf_paseto.serializers import TokenObtainSerializer, TokenRefreshSerializer
from drf_paseto.stores import CacheStore, RevocationStore
from drf_paseto.tokens import RefreshToken
from drf_paseto.views import LogoutAllView, LogoutView
from tests.helpers import LOGOUT_ALL_URL, LOGOUT_URL, REFRESH_URL, TokenAPITestCase, paseto_settings

SIGNALS = ("token_obtained", "token_refreshed", "token_revoked", "token_reuse_detected")


class SignalTests(TokenAPITestCase):
    def setUp(self) -> None:
        super().setUp()
        self.sent: list[tuple[str, dict[str, Any]]] = []
        for name in SIGNALS:
            signal: Signal = getattr(signals, name)

            def record(*, _name: str = name, **kwargs: Any) -> None:
                kwargs.pop("signal")
                self.sent.append((_name, kwargs))

            uid = f"test_signals.{name}"
            signal.connect(record, weak=False, dispatch_uid=uid)
            self.addCleanup(signal.disconnect, dispatch_uid=uid)
        override = paseto_settings(DENYLIST_ENABLED=True)
        override.enable()
        self.addCleanup(override.disable)

    def names(self) -> list[str]:
        return [name for name, _ in self.sent]

    def only(self, name: str) -> dict[str, Any]:
        found = [kwargs for sent_name, kwargs in self.sent if sent_name == name]
        self.assertEqual(len(found), 1, self.sent)
        return found[0]

    def test_the_signals_exist(self) -> None:
        for name in SIGNALS:
            self.assertIsInstance(getattr(signals, name), Signal)

    def test_token_obtained(self) -> None:
        tokens = self.login()
        sent = self.only("token_obtained")
        self.assertEqual(self.names(), ["token_obtained"])
        self.assertIs(sent["sender"], TokenObtainSerializer)
        self.assertEqual(sent["user"], self.user)
        self.assertEqual(sent["session_id"], RefreshToken(tokens["refresh_token"]).session_id)
        self.assertIsNotNone(sent["request"])

    def test_token_obtained_not_sent_on_failure(self) -> None:
        response = self.client.post(
            "/auth/login/", {"username": "alice", "password": "wrong"}, format="json"
        )
        self.assertEqual(response.status_code, status.HTTP_401_UNAUTHORIZED)
        self.assertEqual(self.sent, [])

    def test_token_refreshed_without_rotation(self) -> None:
        tokens = self.login()
        self.sent.clear()
        self.refresh(tokens["refresh_token"])
        sent = self.only("token_refreshed")
        self.assertIs(sent["sender"], TokenRefreshSerializer)
        self.assertIs(sent["rotated"], False)
        self.assertEqual(sent["user"], self.user)
        self.assertEqual(sent["session_id"], RefreshToken(tokens["refresh_token"]).session_id)
        self.assertIsNotNone(sent["request"])

    def test_token_refreshed_with_rotation(self) -> None:
        with paseto_settings(DENYLIST_ENABLED=True, ROTATE_REFRESH_TOKENS=True):
            tokens = self.login()
            self.sent.clear()
            self.refresh(tokens["refresh_token"])
        sent = self.only("token_refreshed")
        self.assertIs(sent["rotated"], True)
        self.assertEqual(sent["session_id"], RefreshToken(tokens["refresh_token"]).session_id)

    def test_logout(self) -> None:
        tokens = self.login()
        self.sent.clear()
        response = self.client.post(LOGOUT_URL, **self.bearer(tokens["access_token"]))
        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT)
        sent = self.only("token_revoked")
        self.assertEqual(self.names(), ["token_revoked"])
        self.assertIs(sent["sender"], LogoutView)
        self.assertEqual((sent["scope"], sent["reason"]), ("session", "logout"))
        self.assertEqual(sent["session_id"], RefreshToken(tokens["refresh_token"]).session_id)
        self.assertEqual(sent["user"], self.user)
        self.assertIsNotNone(sent["request"])

    def test_logout_all(self) -> None:
        tokens = self.login()
        self.sent.clear()
        response = self.client.post(LOGOUT_ALL_URL, **self.bearer(tokens["refresh_token"]))
        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT)
        sent = self.only("token_revoked")
        self.assertIs(sent["sender"], LogoutAllView)
        self.assertEqual((sent["scope"], sent["reason"]), ("user", "logout_all"))
        self.assertIsNone(sent["session_id"])
        self.assertEqual(sent["user"], self.user)

    def test_password_change(self) -> None:
        self.user.set_password("another-password-1")
        self.user.save()
        sent = self.only("token_revoked")
        self.assertIs(sent["sender"], get_user_model())
        self.assertEqual((sent["scope"], sent["reason"]), ("user", "password_change"))
        self.assertIsNone(sent["session_id"])
        self.assertIsNone(sent["request"])
        self.assertIs(sent["user"], self.user)

    def test_user_creation_sends_nothing(self) -> None:
        get_user_model().objects.create_user("bob", password="x-y-z-123")
        self.assertEqual(self.sent, [])

    def test_reuse(self) -> None:
        with paseto_settings(DENYLIST_ENABLED=True, ROTATE_REFRESH_TOKENS=True):
            tokens = self.login()
            self.refresh(tokens["refresh_token"])
            self.sent.clear()
            response = self.client.post(REFRESH_URL, **self.bearer(tokens["refresh_token"]))
        self.assertError(response, 401, "token_reused")
        session_id = RefreshToken(tokens["refresh_token"]).session_id
        self.assertEqual(self.names(), ["token_revoked", "token_reuse_detected"])
        revoked = self.only("token_revoked")
        self.assertEqual((revoked["scope"], revoked["reason"]), ("session", "reuse"))
        self.assertEqual(revoked["session_id"], session_id)
        self.assertEqual(revoked["user"], self.user)
        self.assertIs(revoked["sender"], RevocationStore)
        reuse = self.only("token_reuse_detected")
        self.assertIs(reuse["sender"], RevocationStore)
        self.assertEqual(reuse["session_id"], session_id)
        self.assertEqual(reuse["user"], self.user)
        self.assertIsNotNone(reuse["request"])

    def test_no_signal_when_revocation_fails(self) -> None:
        tokens = self.login()
        self.sent.clear()
        with (
            paseto_settings(DENYLIST_ENABLED=True, DENYLIST_STORE="cache"),
            mock.patch.object(CacheStore, "revoke_session", side_effect=StoreUnavailable),
        ):
            response = self.client.post(LOGOUT_URL, **self.bearer(tokens["access_token"]))
        self.assertError(response, 503, "revocation_store_unavailable")
        self.assertEqual(self.sent, [])
