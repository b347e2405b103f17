"""drf_paseto/serializers.py: TokenRefreshSerializer's rotation, spend and reuse detection.

Run on the four store legs of test_revocation.py (the Redis leg skipped without Redis).
"""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.test import APIRequestFactory

from drf_paseto import revocation
from drf_paseto.models import LoginSession
from drf_paseto.serializers import TokenRefreshSerializer
from drf_paseto.tokens import AccessToken, RefreshToken
from tests.helpers import (
    PROTECTED_URL,
    REFRESH_URL,
    DatabaseLeg,
    LocMemCacheLeg,
    RedisCacheLeg,
    RedisLeg,
    TokenAPITestCase,
    raises_code,
)


class RotationTests:
    rotate = True

    def revocation_settings(self, **extra: Any) -> dict[str, Any]:
        return super().revocation_settings(  # type: ignore[misc]
            **{"ROTATE_REFRESH_TOKENS": self.rotate, **extra}
        )

    def rotate_with(self, refresh: str, **kwargs: Any) -> Any:
        response = self.client.post(REFRESH_URL, **self.bearer(refresh), **kwargs)
        if response.status_code == 200:
            self.issued.extend(response.json().values())
        return response

    def rotated(self, refresh: str) -> dict[str, str]:
        response = self.rotate_with(refresh)
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)
        body: dict[str, str] = response.json()
        return body

    def test_rotation_returns_a_new_refresh_token_of_the_same_session(self) -> None:
        tokens = self.login()
        response = self.rotate_with(tokens["refresh_token"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "no-store")
        body = response.json()
        self.assertEqual(set(body), {"access_token", "refresh_token"})
        old = RefreshToken(tokens["refresh_token"])
        new = RefreshToken(body["refresh_token"])
        access = AccessToken(body["access_token"])
        self.assertNotEqual(new.jti, old.jti)
        self.assertEqual(new.session_id, old.session_id)
        self.assertEqual(access.session_id, old.session_id)
        self.assertEqual((new.subject, access.subject), (old.subject, old.subject))
        self.assertIs(access.fresh, False)
        self.assertGreaterEqual(new.issued_at, old.issued_at)
        self.assertUser(self.get_with(PROTECTED_URL, body["access_token"]))
        session = LoginSession.objects.get(pk=old.session_id)
        self.assertEqual((session.refresh_jti, session.generation), (new.jti, 1))

    def test_custom_claims_are_carried_over(self) -> None:
        refresh = RefreshToken.for_user(self.user, claims={"tenant": "acme", "roles": ["a"]})
        revocation.start_session(self.user, refresh)
        body = self.rotated(str(refresh))
        new = RefreshToken(body["refresh_token"])
        self.assertEqual(new.custom_claims, {"tenant": "acme", "roles": ["a"]})
        self.assertEqual(AccessToken(body["access_token"])["tenant"], "acme")

    def test_a_chain_of_rotations(self) -> None:
        refresh = self.login()["refresh_token"]
        sessions = {RefreshToken(refresh).session_id}
        for _ in range(4):
            body = self.rotated(refresh)
            refresh = body["refresh_token"]
            sessions.add(RefreshToken(refresh).session_id)
            self.assertUser(self.get_with(PROTECTED_URL, body["access_token"]))
        self.assertEqual(len(sessions), 1)

    def test_sequential_double_use_is_a_reuse(self) -> None:
        tokens = self.login()
        first = self.rotated(tokens["refresh_token"])
        self.assertError(self.rotate_with(tokens["refresh_token"]), 401, "token_reused")
        # The whole family is revoked: what the successful rotation minted too.
        self.assertError(self.rotate_with(first["refresh_token"]), 401, "token_revoked")
        for access in (tokens["access_token"], first["access_token"]):
            self.assertError(self.get_with(PROTECTED_URL, access), 401, "token_revoked")
        # And the reused token, from now on, is simply revoked.
        self.assertError(self.rotate_with(tokens["refresh_token"]), 401, "token_revoked")
        sid = RefreshToken(tokens["refresh_token"]).session_id
        self.assertEqual(LoginSession.objects.get(pk=sid).revoked_reason, "reuse")

    def test_reuse_of_an_old_token_revokes_the_newest(self) -> None:
        tokens = self.login()
        other = self.login()
        first = self.rotated(tokens["refresh_token"])
        second = self.rotated(first["refresh_token"])
        self.assertError(self.rotate_with(first["refresh_token"]), 401, "token_reused")
        self.assertError(self.rotate_with(second["refresh_token"]), 401, "token_revoked")
        self.assertError(self.get_with(PROTECTED_URL, second["access_token"]), 401, "token_revoked")
        self.assertUser(self.get_with(PROTECTED_URL, other["access_token"]))
        self.rotated(other["refresh_token"])

    def test_rotation_from_the_json_body(self) -> None:
        tokens = self.login()
        response = self.client.post(
            REFRESH_URL, {"refresh_token": tokens["refresh_token"]}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.issued.extend(response.json().values())
        response = self.client.post(
            REFRESH_URL, {"refresh_token": tokens["refresh_token"]}, format="json"
        )
        self.assertError(response, 401, "token_reused")

    def test_reuse_is_detected_when_refresh_tokens_are_not_checked(self) -> None:
        with self.paseto(ROTATE_REFRESH_TOKENS=True, DENYLIST_TOKEN_CHECKS=["access"]):
            tokens = self.login()
            first = self.rotated(tokens["refresh_token"])
            self.assertError(self.rotate_with(tokens["refresh_token"]), 401, "token_reused")
            response = self.get_with(PROTECTED_URL, first["access_token"])
            self.assertError(response, 401, "token_revoked")

    def test_no_token(self) -> None:
        self.assertError(self.client.post(REFRESH_URL), 401, "not_authenticated")

    def test_an_access_token_is_refused(self) -> None:
        tokens = self.login()
        response = self.rotate_with(tokens["access_token"])
        self.assertError(response, 401, "token_wrong_type")
        self.assertEqual(
            self.rotated(tokens["refresh_token"]).keys(), {"access_token", "refresh_token"}
        )

    def test_serializer_without_a_refresh_token(self) -> None:
        request = APIRequestFactory().post(REFRESH_URL)
        request.auth = AccessToken.for_user(self.user)  # type: ignore[attr-defined]
        serializer = TokenRefreshSerializer(data={}, context={"request": request})
        with raises_code(self, "not_authenticated"):
            serializer.is_valid(raise_exception=True)


class NoRotationTests(RotationTests):
    rotate = False

    def test_rotation_off_returns_an_access_token_only(self) -> None:
        tokens = self.login()
        for _ in range(3):
            response = self.rotate_with(tokens["refresh_token"])
            self.assertEqual(response.status_code, 200, response.content)
            self.assertEqual(set(response.json()), {"access_token"})
            access = AccessToken(response.json()["access_token"])
            self.assertEqual(access.session_id, RefreshToken(tokens["refresh_token"]).session_id)
        session = LoginSession.objects.get(pk=RefreshToken(tokens["refresh_token"]).session_id)
        self.assertEqual(session.refresh_jti, RefreshToken(tokens["refresh_token"]).jti)

    def test_rotation_off_keeps_the_refresh_token_current(self) -> None:
        tokens = self.login()
        for _ in range(3):
            self.assertEqual(self.rotate_with(tokens["refresh_token"]).status_code, 200)
        session = LoginSession.objects.get(pk=RefreshToken(tokens["refresh_token"]).session_id)
        self.assertEqual(session.generation, 0)

    # The rotation tests do not apply.
    test_rotation_returns_a_new_refresh_token_of_the_same_session = None  # type: ignore[assignment]
    test_custom_claims_are_carried_over = None  # type: ignore[assignment]
    test_a_chain_of_rotations = None  # type: ignore[assignment]
    test_sequential_double_use_is_a_reuse = None  # type: ignore[assignment]
    test_reuse_of_an_old_token_revokes_the_newest = None  # type: ignore[assignment]
    test_rotation_from_the_json_body = None  # type: ignore[assignment]
    test_reuse_is_detected_when_refresh_tokens_are_not_checked = None  # type: ignore[assignment]
    test_an_access_token_is_refused = None  # type: ignore[assignment]


class DatabaseRotationTests(RotationTests, DatabaseLeg, TokenAPITestCase):
    pass


class LocMemCacheRotationTests(RotationTests, LocMemCacheLeg, TokenAPITestCase):
    pass


class RedisCacheRotationTests(RotationTests, RedisCacheLeg, TokenAPITestCase):
    pass


class DatabaseNoRotationTests(NoRotationTests, DatabaseLeg, TokenAPITestCase):
    pass


class LocMemCacheNoRotationTests(NoRotationTests, LocMemCacheLeg, TokenAPITestCase):
    pass


class RedisCacheNoRotationTests(NoRotationTests, RedisCacheLeg, TokenAPITestCase):
    pass


class RedisStoreRotationTests(RotationTests, RedisLeg, TokenAPITestCase):
    pass


class RedisStoreNoRotationTests(NoRotationTests, RedisLeg, TokenAPITestCase):
    pass
