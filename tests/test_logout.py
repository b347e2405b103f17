"""drf_paseto/views.py: LogoutView and LogoutAllView (``auth/logout/``, ``auth/logout/all/``).

Run on the four store legs of test_revocation.py (the Redis leg skipped without Redis).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework import status

from drf_paseto import revocation
from drf_paseto.clock import current_time
from drf_paseto.tokens import AccessToken, RefreshToken
from tests.helpers import (
    LOGOUT_ALL_URL,
    LOGOUT_URL,
    PASSWORD,
    PROTECTED_URL,
    REFRESH_URL,
    DatabaseLeg,
    LocMemCacheLeg,
    RedisCacheLeg,
    RedisLeg,
    TokenAPITestCase,
    paseto_settings,
)


class LogoutTests:
    def logout(self, token: str, url: str = LOGOUT_URL, **kwargs: Any) -> Any:
        return self.client.post(url, **self.bearer(token), **kwargs)

    def assertNoContent(self, response: Any) -> None:
        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT, response.content)
        self.assertEqual(response.content, b"")
        self.assertEqual(response["Cache-Control"], "no-store")

    def assertSessionRevoked(self, tokens: dict[str, str]) -> None:
        response = self.client.get(PROTECTED_URL, **self.bearer(tokens["access_token"]))
        self.assertError(response, 401, "token_revoked")
        response = self.client.post(REFRESH_URL, **self.bearer(tokens["refresh_token"]))
        self.assertError(response, 401, "token_revoked")

    def assertSessionWorks(self, tokens: dict[str, str], username: str = "alice") -> None:
        response = self.client.get(PROTECTED_URL, **self.bearer(tokens["access_token"]))
        self.assertUser(response, username)
        self.refresh(tokens["refresh_token"])

    def test_urls(self) -> None:
        self.assertEqual(reverse("drf_paseto:logout"), LOGOUT_URL)
        self.assertEqual(reverse("drf_paseto:logout_all"), LOGOUT_ALL_URL)

    def test_logout_with_either_token_in_the_header(self) -> None:
        for kind in ("access_token", "refresh_token"):
            with self.subTest(kind=kind):
                tokens, other = self.login(), self.login()
                self.assertNoContent(self.logout(tokens[kind]))
                self.assertSessionRevoked(tokens)
                self.assertSessionWorks(other)

    def test_logout_with_either_token_in_the_json_body(self) -> None:
        for kind in ("access_token", "refresh_token"):
            with self.subTest(kind=kind):
                tokens, other = self.login(), self.login()
                response = self.client.post(
                    LOGOUT_URL, {"refresh_token": tokens[kind]}, format="json"
                )
                self.assertNoContent(response)
                self.assertSessionRevoked(tokens)
                self.assertSessionWorks(other)

    def test_the_header_wins_over_the_body(self) -> None:
        first, second = self.login(), self.login()
        response = self.client.post(
            LOGOUT_URL,
            {"refresh_token": second["refresh_token"]},
            format="json",
            **self.bearer(first["access_token"]),
        )
        self.assertNoContent(response)
        self.assertSessionRevoked(first)
        self.assertSessionWorks(second)

    def test_the_access_token_key_of_the_body_is_not_read(self) -> None:
        tokens = self.login()
        response = self.client.post(
            LOGOUT_URL, {"access_token": tokens["access_token"]}, format="json"
        )
        self.assertError(response, 401, "not_authenticated")
        self.assertSessionWorks(tokens)

    def test_without_a_token(self) -> None:
        for url in (LOGOUT_URL, LOGOUT_ALL_URL):
            with self.subTest(url=url):
                self.assertError(self.client.post(url), 401, "not_authenticated")
                response = self.client.post(url, {}, format="json")
                self.assertError(response, 401, "not_authenticated")

    def test_bad_tokens(self) -> None:
        tokens = self.login()
        for url in (LOGOUT_URL, LOGOUT_ALL_URL):
            with self.subTest(url=url):
                self.assertError(self.logout("not-a-token", url), 401, "token_invalid")
        with mock.patch(
            "drf_paseto.clock.current_time", return_value=current_time() + timedelta(days=31)
        ):
            response = self.logout(tokens["refresh_token"])
        self.assertError(response, 401, "token_expired")
        self.assertSessionWorks(tokens)

    def test_logout_twice(self) -> None:
        tokens = self.login()
        self.assertNoContent(self.logout(tokens["access_token"]))
        self.assertError(self.logout(tokens["access_token"]), 401, "token_revoked")
        self.assertError(self.logout(tokens["refresh_token"], LOGOUT_ALL_URL), 401, "token_revoked")

    def test_logout_all(self) -> None:
        sessions = [self.login() for _ in range(3)]
        get_user_model().objects.create_user("bob", password=PASSWORD)
        bobs = self.login("bob")
        self.assertNoContent(self.logout(sessions[1]["access_token"], LOGOUT_ALL_URL))
        for tokens in sessions:
            self.assertSessionRevoked(tokens)
        self.assertSessionWorks(bobs, "bob")
        # A new login works at once, within the same second.
        self.assertSessionWorks(self.login())

    def test_logout_all_revokes_tokens_minted_by_refresh(self) -> None:
        tokens = self.login()
        minted = self.refresh(tokens["refresh_token"])
        self.assertNoContent(self.logout(tokens["refresh_token"], LOGOUT_ALL_URL))
        self.assertError(self.get_with(PROTECTED_URL, minted), 401, "token_revoked")

    def test_logout_of_a_rotated_session(self) -> None:
        with self.paseto(ROTATE_REFRESH_TOKENS=True):
            tokens = self.login()
            response = self.client.post(REFRESH_URL, **self.bearer(tokens["refresh_token"]))
            rotated = response.json()
            self.issued.extend(rotated.values())
            # A spent refresh token is a reuse here too: refused, and its session ends.
            self.assertError(self.logout(tokens["refresh_token"]), 401, "token_reused")
            self.assertSessionRevoked(rotated)

    def test_refresh_only_checks(self) -> None:
        # Access tokens are not checked: logging out twice with one is accepted.
        with self.paseto(DENYLIST_TOKEN_CHECKS={"refresh"}):
            tokens = self.login()
            self.assertNoContent(self.logout(tokens["access_token"]))
            self.assertNoContent(self.logout(tokens["access_token"]))
            response = self.client.post(REFRESH_URL, **self.bearer(tokens["refresh_token"]))
            self.assertError(response, 401, "token_revoked")
            self.assertError(self.logout(tokens["refresh_token"]), 401, "token_revoked")

    def test_a_deleted_users_token(self) -> None:
        tokens = self.login()
        self.user.delete()  # its sessions are revoked with it
        self.assertError(self.logout(tokens["access_token"]), 401, "token_revoked")

    def test_other_methods(self) -> None:
        tokens = self.login()
        for url in (LOGOUT_URL, LOGOUT_ALL_URL):
            for method in ("get", "put", "delete"):
                with self.subTest(url=url, method=method):
                    response = getattr(self.client, method)(
                        url, **self.bearer(tokens["access_token"])
                    )
                    self.assertCodedError(response, 405, "method_not_allowed")
        self.assertSessionWorks(tokens)

    def test_disabled(self) -> None:
        tokens = self.login()
        with paseto_settings(DENYLIST_ENABLED=False):
            for url in (LOGOUT_URL, LOGOUT_ALL_URL):
                with self.subTest(url=url):
                    self.assertError(self.client.post(url), 404, "revocation_disabled")
                    response = self.logout(tokens["access_token"], url)
                    self.assertError(response, 404, "revocation_disabled")
        self.assertSessionWorks(tokens)

    def test_tokens_made_in_code_can_be_logged_out(self) -> None:
        refresh = RefreshToken.for_user(self.user)
        access = AccessToken.for_user(self.user, session_id=refresh.session_id)
        revocation.start_session(self.user, refresh, access)
        self.assertNoContent(self.logout(str(access)))
        self.assertError(self.get_with(PROTECTED_URL, str(access)), 401, "token_revoked")


class DatabaseLogoutTests(DatabaseLeg, LogoutTests, TokenAPITestCase):
    pass


class LocMemCacheLogoutTests(LocMemCacheLeg, LogoutTests, TokenAPITestCase):
    pass


class RedisCacheLogoutTests(RedisCacheLeg, LogoutTests, TokenAPITestCase):
    pass


class RedisStoreLogoutTests(RedisLeg, LogoutTests, TokenAPITestCase):
    pass
