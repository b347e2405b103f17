"""drf_paseto/revocation.py: the stores, the operations, and revocation end to end.

The store-level and end-to-end tests are written once (``StoreContractTests`` and
``EndToEndTests``) and run on three legs:

* ``DatabaseLeg``: ``DatabaseStore`` on the default database (SQLite in a plain run; the
  Makefile's PostgreSQL leg runs the whole suite again with PostgreSQL as the default);
* ``LocMemLeg``: ``CacheStore`` on the ``"default"`` alias (LocMemCache);
* ``RedisLeg``: ``CacheStore`` on the ``"redis"`` alias, which tests/settings.py adds only when
  ``DRF_PASETO_TEST_REDIS`` is set (``eval "$(bash .ci/services.sh)"``); skipped otherwise.

The leg mixins are imported by test_logout.py and test_rotation.py too.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any
from unittest import mock, skipUnless

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import DatabaseError, IntegrityError, OperationalError, connection
from django.test import SimpleTestCase, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework import status

from drf_paseto import revocation
from drf_paseto.exceptions import StoreUnavailable
from drf_paseto.models import DenylistEntry
from drf_paseto.revocation import (
    EPOCH,
    KEY_PREFIX,
    CacheStore,
    DatabaseStore,
    RevocationStore,
    Verdict,
)
from drf_paseto.tokens import AccessToken, RefreshToken
from tests.test_views import PASSWORD, REFRESH_URL, USERNAME, TokenAPITestCase, paseto_settings

PROTECTED_URL = "/protected/"
LOGOUT_URL = "/auth/logout/"
LOGOUT_ALL_URL = "/auth/logout/all/"

REDIS_CONFIGURED = "redis" in settings.CACHES
REDIS_SKIP_REASON = (
    "the Redis leg needs a Redis server: set DRF_PASETO_TEST_REDIS "
    '(eval "$(bash .ci/services.sh)") to add the "redis" cache alias'
)
HAS_REDIS_PY = importlib.util.find_spec("redis") is not None
# Nothing listens on port 1 of the loopback: connecting is refused at once.
DEAD_REDIS = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",
}


def utcnow() -> datetime:
    return datetime.now(tz=timezone.utc)


def token_at(moment: datetime, token_class: Any = AccessToken, **kwargs: Any) -> Any:
    """A token issued at ``moment`` (its ``iat``), not encoded: the stores only read claims."""
    subject = kwargs.pop("subject", "42")
    with mock.patch("drf_paseto.tokens.current_time", return_value=moment):
        return token_class.for_subject(subject, **kwargs)


# --- the legs ------------------------------------------------------------------------------


class StoreLeg:
    """A revocation store leg: DENYLIST_ENABLED with this leg's store, for every test."""

    store_settings: dict[str, Any] = {}
    #: Whether the store keeps users (so that authentication needs no database).
    caches_users = False

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        self.use_settings(self.leg_overrides())
        self.use_settings(paseto_settings(**self.revocation_settings()))
        self.clear_store()
        self.addCleanup(self.clear_store)  # type: ignore[attr-defined]

    def use_settings(self, override: override_settings | None) -> None:
        if override is not None:
            override.enable()
            self.addCleanup(override.disable)  # type: ignore[attr-defined]

    def leg_overrides(self) -> override_settings | None:
        return None

    def revocation_settings(self, **extra: Any) -> dict[str, Any]:
        return {"DENYLIST_ENABLED": True, **self.store_settings, **extra}

    def paseto(self, **extra: Any) -> override_settings:
        """``override_settings`` for this leg with more DRF_PASETO settings."""
        return paseto_settings(**self.revocation_settings(**extra))

    def store(self) -> RevocationStore:
        return revocation.get_store()

    # --- the store's state, leg by leg ---------------------------------------------------

    def clear_store(self) -> None:
        raise NotImplementedError

    def fact(self, key: str) -> Any:
        """What the store holds under ``key`` (``jti:...``, ``sid:...``), or ``None``."""
        raise NotImplementedError

    def seconds_left(self, key: str) -> float:
        """How long the fact under ``key`` is kept."""
        raise NotImplementedError

    def stored_text(self) -> str:
        """Every key (and, where readable, value) the store holds, as one string."""
        raise NotImplementedError


class DatabaseLeg(StoreLeg):
    store_settings = {"DENYLIST_STORE": "database"}

    def clear_store(self) -> None:
        DenylistEntry.objects.all().delete()

    def fact(self, key: str) -> Any:
        return DenylistEntry.objects.filter(key=key).first()

    def seconds_left(self, key: str) -> float:
        return (DenylistEntry.objects.get(key=key).expires_at - utcnow()).total_seconds()

    def stored_text(self) -> str:
        rows = DenylistEntry.objects.values_list("key", "kind", "subject")
        return "\n".join(" ".join(row) for row in rows)


class CacheLeg(StoreLeg):
    caches_users = True
    alias = "default"

    @property
    def cache(self) -> Any:
        return caches[self.alias]

    def fact(self, key: str) -> Any:
        return self.cache.get(KEY_PREFIX + key)


class LocMemLeg(CacheLeg):
    store_settings = {"DENYLIST_STORE": "cache", "DENYLIST_CACHE_ALIAS": "default"}

    def clear_store(self) -> None:
        self.cache.clear()

    def seconds_left(self, key: str) -> float:
        expiry: float = self.cache._expire_info[self.cache.make_key(KEY_PREFIX + key)]
        return expiry - time.time()

    def stored_text(self) -> str:
        return "\n".join(str(k) for k in self.cache._cache)

    def let_kept_users_expire(self, seconds: float) -> Any:
        """Move LocMemCache's clock (only its own) ``seconds`` ahead."""
        moved = time.time() + seconds
        return mock.patch("django.core.cache.backends.locmem.time", mock.Mock(time=lambda: moved))


@skipUnless(REDIS_CONFIGURED, REDIS_SKIP_REASON)
class RedisLeg(CacheLeg):
    store_settings = {"DENYLIST_STORE": "cache", "DENYLIST_CACHE_ALIAS": "redis"}
    alias = "redis"
    # Our own prefix, so that concurrent runs (and other people's tests) keep their keys.
    key_prefix = f"drf_paseto_tests_revocation_{os.getpid()}"

    def leg_overrides(self) -> override_settings | None:
        config = {**settings.CACHES["redis"], "KEY_PREFIX": self.key_prefix}
        return override_settings(CACHES={**settings.CACHES, "redis": config})

    @property
    def redis_client(self) -> Any:
        return self.cache._cache.get_client(write=True)

    def raw_keys(self) -> list[str]:
        return [k.decode() for k in self.redis_client.scan_iter(match=f"{self.key_prefix}:*")]

    def clear_store(self) -> None:
        keys = self.raw_keys()
        if keys:
            self.redis_client.delete(*keys)

    def seconds_left(self, key: str) -> float:
        ttl: int = self.redis_client.ttl(self.cache.make_key(KEY_PREFIX + key))
        return float(ttl)

    def stored_text(self) -> str:
        return "\n".join(self.raw_keys())

    def let_kept_users_expire(self, seconds: float) -> Any:
        """Redis's clock cannot move: wait (the tests use a 1-second USER_CACHE_TIMEOUT)."""
        time.sleep(seconds)
        return contextlib.nullcontext()


# --- the store contract, on every leg --------------------------------------------------------


class StoreContractTests:
    """``RevocationStore`` methods, their facts and how long the facts live."""

    def test_nothing_revoked_at_first(self) -> None:
        token = AccessToken.for_subject("42")
        verdict = self.store().check(token)
        self.assertEqual(verdict, Verdict(revoked=False, user=None))

    def test_revoke_token_revokes_that_token_only(self) -> None:
        refresh = RefreshToken.for_subject("42")
        access = refresh.make_access_token()
        self.store().revoke_token(access)
        self.assertTrue(self.store().check(access).revoked)
        self.assertFalse(self.store().check(refresh).revoked)
        self.assertFalse(self.store().check(refresh.make_access_token()).revoked)
        self.assertIsNotNone(self.fact(f"jti:{access.jti}"))

    def test_revoke_session_revokes_its_access_and_refresh_tokens(self) -> None:
        refresh = RefreshToken.for_subject("42")
        other = RefreshToken.for_subject("42")
        expires = utcnow() + timedelta(hours=1)
        self.store().revoke_session(refresh.session_id, "42", expires)
        for token in (refresh, refresh.make_access_token(), refresh.access_token):
            self.assertTrue(self.store().check(token).revoked, token)
        # Tokens minted later in the same session (rotation) are revoked too.
        later = RefreshToken.for_subject("42", session_id=refresh.session_id)
        self.assertTrue(self.store().check(later).revoked)
        self.assertFalse(self.store().check(other).revoked)
        self.assertFalse(self.store().check(other.access_token).revoked)

    def test_revoke_user_cuts_off_at_the_exact_microsecond(self) -> None:
        cutoff = utcnow().replace(microsecond=123457) - timedelta(seconds=30)
        before = token_at(cutoff - timedelta(microseconds=1))
        at = token_at(cutoff, RefreshToken)
        after = token_at(cutoff + timedelta(microseconds=1))
        other_user = token_at(cutoff - timedelta(seconds=5), subject="43")
        self.store().revoke_user("42", cutoff, utcnow() + timedelta(hours=1))
        self.assertTrue(self.store().check(before).revoked)
        self.assertTrue(self.store().check(at).revoked)
        self.assertFalse(self.store().check(after).revoked)
        self.assertFalse(self.store().check(other_user).revoked)

    def test_a_later_cutoff_replaces_the_earlier_one(self) -> None:
        now = utcnow()
        token = token_at(now - timedelta(seconds=10))
        self.store().revoke_user("42", now - timedelta(seconds=20), now + timedelta(hours=1))
        self.assertFalse(self.store().check(token).revoked)
        self.store().revoke_user("42", now - timedelta(seconds=5), now + timedelta(hours=1))
        self.assertTrue(self.store().check(token).revoked)

    def test_revocations_are_idempotent(self) -> None:
        token = RefreshToken.for_subject("42")
        expires = utcnow() + timedelta(hours=1)
        for _ in range(2):
            self.store().revoke_token(token)
            self.store().revoke_session(token.session_id, "42", expires)
            self.store().revoke_user("42", utcnow(), expires)
        self.assertTrue(self.store().check(token).revoked)

    def test_spend_is_true_the_first_time_only(self) -> None:
        refresh = RefreshToken.for_subject("42")
        other = RefreshToken.for_subject("42", session_id=refresh.session_id)
        self.assertIs(self.store().spend(refresh), True)
        self.assertIs(self.store().spend(refresh), False)
        self.assertIs(self.store().spend(refresh), False)
        self.assertIs(self.store().spend(other), True)
        # Spending is not revoking: a spent token is refused by the rotation, not by check().
        self.assertFalse(self.store().check(refresh).revoked)
        self.assertIsNotNone(self.fact(f"spent:{refresh.jti}"))

    def test_facts_are_keyed_by_ids_never_by_the_token_string(self) -> None:
        refresh = RefreshToken.for_subject("42")
        access = refresh.access_token
        raw = [str(refresh), str(access)]
        self.store().revoke_token(access)
        self.store().revoke_session(refresh.session_id, "42", utcnow() + timedelta(hours=1))
        self.store().revoke_user("42", utcnow(), utcnow() + timedelta(hours=1))
        self.store().spend(refresh)
        text = self.stored_text()
        for key in (f"jti:{access.jti}", f"sid:{refresh.session_id}", "user:42"):
            self.assertIn(key, text)
        self.assertIn(f"spent:{refresh.jti}", text)
        for token in raw:
            self.assertNotIn(token, text)
            self.assertNotIn(token.split(".")[2][:40], text)

    def test_token_facts_expire_with_the_token(self) -> None:
        access = AccessToken.for_subject("42", lifetime=timedelta(minutes=10))
        refresh = RefreshToken.for_subject("42", lifetime=timedelta(minutes=20))
        self.store().revoke_token(access)
        self.store().spend(refresh)
        self.assertAlmostEqual(self.seconds_left(f"jti:{access.jti}"), 600, delta=3)
        self.assertAlmostEqual(self.seconds_left(f"spent:{refresh.jti}"), 1200, delta=3)

    def test_token_facts_outlive_the_decode_leeway(self) -> None:
        # A token is accepted until exp + DECODE_LEEWAY: its facts must last as long.
        with self.paseto(DECODE_LEEWAY=120):
            access = AccessToken.for_subject("42", lifetime=timedelta(minutes=10))
            refresh = RefreshToken.for_subject("42", lifetime=timedelta(minutes=10))
            self.store().revoke_token(access)
            self.store().spend(refresh)
            self.assertAlmostEqual(self.seconds_left(f"jti:{access.jti}"), 720, delta=3)
            self.assertAlmostEqual(self.seconds_left(f"spent:{refresh.jti}"), 720, delta=3)

    def test_session_and_user_facts_live_as_long_as_any_token(self) -> None:
        with self.paseto(
            ACCESS_TOKEN_EXPIRES=timedelta(minutes=5),
            REFRESH_TOKEN_EXPIRES=timedelta(hours=2),
            DECODE_LEEWAY=10,
        ):
            self.assertEqual(revocation.longest_lifetime(), timedelta(hours=2, seconds=10))
            token = RefreshToken.for_subject("42")
            revocation.revoke_session(token, reason="logout")
            revocation.revoke_user("42", reason="logout_all")
            self.assertAlmostEqual(self.seconds_left(f"sid:{token.session_id}"), 7210, delta=3)
            self.assertAlmostEqual(self.seconds_left("user:42"), 7210, delta=3)

    def test_spend_is_atomic(self) -> None:
        """Of many concurrent spends of one token, exactly one wins."""
        refresh = RefreshToken.for_subject("42")
        if not self.caches_users:
            # The database store in a TestCase transaction: sequential uses, and the
            # transaction stays usable after the refused insert (a savepoint rolled back).
            results = [self.store().spend(refresh) for _ in range(5)]
            self.assertEqual(results, [True, False, False, False, False])
            self.assertEqual(DenylistEntry.objects.filter(kind="spent").count(), 1)
            return
        store = self.store()
        barrier = threading.Barrier(8)
        results: list[bool] = []

        def use() -> None:
            barrier.wait()
            results.append(store.spend(refresh))

        threads = [threading.Thread(target=use) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sorted(results), [False] * 7 + [True])

    def test_kept_users(self) -> None:
        user = get_user_model()(pk=42, username="kept")
        token = AccessToken.for_subject("42")
        self.store().remember_user("42", user)
        kept = self.store().check(token).user
        if not self.caches_users:
            self.assertIsNone(kept)
            return
        self.assertEqual((kept.pk, kept.username), (42, "kept"))
        self.store().forget_user("42")
        self.assertIsNone(self.store().check(token).user)
        # A copy read before the change cannot be put back while the marker lives.
        self.store().remember_user("42", user)
        self.assertIsNone(self.store().check(token).user)
        self.assertEqual(self.fact("userobj:42"), CacheStore._FORGOTTEN)
        self.assertLessEqual(self.seconds_left("userobj:42"), 5)

    def test_no_kept_users_with_a_zero_timeout(self) -> None:
        with self.paseto(USER_CACHE_TIMEOUT=0):
            user = get_user_model()(pk=42, username="kept")
            self.store().remember_user("42", user)
            self.store().forget_user("42")
            self.assertIsNone(self.store().check(AccessToken.for_subject("42")).user)
            self.assertIsNone(self.fact("userobj:42"))

    def test_kept_users_live_user_cache_timeout(self) -> None:
        if not self.caches_users:
            self.skipTest("the database store keeps no users")
        self.store().remember_user("42", get_user_model()(pk=42, username="kept"))
        self.assertAlmostEqual(self.seconds_left("userobj:42"), 60, delta=2)


# --- revocation end to end, on every leg -----------------------------------------------------


class EndToEndTests:
    """Through the views: logout, logout everywhere, rotation, users changing."""

    def get_protected(self, token: str) -> Any:
        return self.client.get(PROTECTED_URL, **self.bearer(token))

    def post_refresh(self, token: str) -> Any:
        return self.client.post(REFRESH_URL, **self.bearer(token))

    def assertAccepted(self, tokens: dict[str, str], username: str = USERNAME) -> None:
        self.assertUser(self.get_protected(tokens["access_token"]), username)
        self.assertEqual(self.post_refresh(tokens["refresh_token"]).status_code, 200)

    def assertRevoked(self, tokens: dict[str, str], code: str = "token_revoked") -> None:
        self.assertError(self.get_protected(tokens["access_token"]), 401, code)
        self.assertError(self.post_refresh(tokens["refresh_token"]), 401, code)

    def test_logout_revokes_that_session_only(self) -> None:
        first, second = self.login(), self.login()
        response = self.client.post(LOGOUT_URL, **self.bearer(first["access_token"]))
        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT)
        self.assertEqual(response.content, b"")
        self.assertRevoked(first)
        self.assertAccepted(second)
        session = AccessToken(first["access_token"]).session_id
        self.assertIsNotNone(self.fact(f"sid:{session}"))

    def test_logout_with_the_refresh_token_in_the_body(self) -> None:
        first, second = self.login(), self.login()
        response = self.client.post(
            LOGOUT_URL, {"refresh_token": first["refresh_token"]}, format="json"
        )
        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT)
        self.assertRevoked(first)
        self.assertAccepted(second)

    def test_logout_all_revokes_every_session_and_a_new_login_works_at_once(self) -> None:
        sessions = [self.login(), self.login()]
        other = get_user_model().objects.create_user("bob", password=PASSWORD)
        bobs = self.login("bob")
        response = self.client.post(LOGOUT_ALL_URL, **self.bearer(sessions[0]["refresh_token"]))
        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT)
        for tokens in sessions:
            self.assertRevoked(tokens)
        self.assertAccepted(bobs, "bob")
        # Within the same second: iat has microseconds.
        self.assertAccepted(self.login())
        self.assertIsNotNone(self.fact(f"user:{self.user.pk}"))
        self.assertIsNone(self.fact(f"user:{other.pk}"))

    def test_revoked_tokens_are_refused_by_verify(self) -> None:
        tokens = self.login()
        self.client.post(LOGOUT_URL, **self.bearer(tokens["access_token"]))
        for token in tokens.values():
            response = self.client.post("/auth/verify/", {"token": token}, format="json")
            self.assertError(response, 401, "token_revoked")

    def test_rotation_and_reuse_revoke_the_whole_family(self) -> None:
        with self.paseto(ROTATE_REFRESH_TOKENS=True):
            original = self.login()
            other = self.login()
            response = self.post_refresh(original["refresh_token"])
            self.assertEqual(response.status_code, 200, response.content)
            rotated = response.json()
            self.issued.extend(rotated.values())
            self.assertEqual(set(rotated), {"access_token", "refresh_token"})
            # The spent token again: a reuse.
            reuse = self.post_refresh(original["refresh_token"])
            self.assertError(reuse, 401, "token_reused")
            self.assertRevoked(rotated)
            self.assertRevoked(original)
            self.assertAccepted(other)
            sid = RefreshToken(rotated["refresh_token"]).session_id
            self.assertIsNotNone(self.fact(f"sid:{sid}"))

    def test_password_change_revokes_every_token_of_the_user(self) -> None:
        tokens = self.login()
        bob = get_user_model().objects.create_user("bob", password=PASSWORD)
        bobs = self.login("bob")
        self.assertAccepted(tokens)  # creating a user revoked nothing
        self.user.set_password("a-new-password-123")
        self.user.save()
        self.assertRevoked(tokens)
        self.assertAccepted(bobs, "bob")
        self.assertAccepted(self.login(password="a-new-password-123"))
        self.assertIsNone(self.fact(f"user:{bob.pk}"))

    def test_other_saves_revoke_nothing(self) -> None:
        tokens = self.login()
        self.user.first_name = "Alice"
        self.user.save()
        self.assertAccepted(tokens)
        self.assertIsNone(self.fact(f"user:{self.user.pk}"))

    def test_password_change_revokes_nothing_when_turned_off(self) -> None:
        with self.paseto(REVOKE_ON_PASSWORD_CHANGE=False):
            tokens = self.login()
            self.user.set_password("a-new-password-123")
            self.user.save()
            self.assertAccepted(tokens)

    def test_a_deactivated_user_is_refused_on_the_next_request(self) -> None:
        tokens = self.login()
        self.assertAccepted(tokens)  # the cache store now keeps the user
        self.user.is_active = False
        self.user.save()
        self.assertError(self.get_protected(tokens["access_token"]), 401, "user_inactive")
        self.assertError(self.post_refresh(tokens["refresh_token"]), 401, "user_inactive")

    def test_a_deleted_user_is_refused_on_the_next_request(self) -> None:
        tokens = self.login()
        self.assertAccepted(tokens)
        self.user.delete()
        self.assertError(self.get_protected(tokens["access_token"]), 401, "user_not_found")
        self.assertError(self.post_refresh(tokens["refresh_token"]), 401, "user_not_found")

    def test_queryset_update_is_seen_after_user_cache_timeout(self) -> None:
        with self.paseto(USER_CACHE_TIMEOUT=1):
            tokens = self.login()
            self.assertAccepted(tokens)
            get_user_model().objects.filter(pk=self.user.pk).update(is_active=False)
            if not self.caches_users:
                # The database store reads the user on every request.
                self.assertError(self.get_protected(tokens["access_token"]), 401, "user_inactive")
                return
            # No signal: the kept copy still answers until USER_CACHE_TIMEOUT has passed ...
            self.assertUser(self.get_protected(tokens["access_token"]))
            with self.let_kept_users_expire(1.1):
                # ... then the user is read again.
                response = self.get_protected(tokens["access_token"])
            self.assertError(response, 401, "user_inactive")

    def test_queryset_update_is_seen_at_once_with_a_zero_user_cache_timeout(self) -> None:
        with self.paseto(USER_CACHE_TIMEOUT=0):
            tokens = self.login()
            self.assertAccepted(tokens)
            get_user_model().objects.filter(pk=self.user.pk).update(is_active=False)
            self.assertError(self.get_protected(tokens["access_token"]), 401, "user_inactive")
            self.assertIsNone(self.fact(f"userobj:{self.user.pk}"))

    def test_queries_per_protected_request(self) -> None:
        tokens = self.login()
        self.assertUser(self.get_protected(tokens["access_token"]))  # primes a kept user
        with CaptureQueriesContext(connection) as queries:
            self.assertUser(self.get_protected(tokens["access_token"]))
        if self.caches_users:
            self.assertEqual(len(queries), 0, [q["sql"] for q in queries])
        else:
            # One denylist lookup, one user lookup.
            self.assertEqual(len(queries), 2, [q["sql"] for q in queries])
            self.assertIn(DenylistEntry._meta.db_table, queries[0]["sql"])

    def test_refresh_only_checks_keep_revoked_access_tokens_valid(self) -> None:
        # DENYLIST_TOKEN_CHECKS={"refresh"}: the documented trade-off.
        with self.paseto(DENYLIST_TOKEN_CHECKS={"refresh"}):
            tokens = self.login()
            response = self.client.post(LOGOUT_URL, **self.bearer(tokens["access_token"]))
            self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT)
            self.assertUser(self.get_protected(tokens["access_token"]))
            self.assertError(self.post_refresh(tokens["refresh_token"]), 401, "token_revoked")

    def test_access_only_checks_keep_revoked_refresh_tokens_valid(self) -> None:
        with self.paseto(DENYLIST_TOKEN_CHECKS=["access"]):
            tokens = self.login()
            self.client.post(LOGOUT_URL, **self.bearer(tokens["access_token"]))
            self.assertError(self.get_protected(tokens["access_token"]), 401, "token_revoked")
            self.assertEqual(self.post_refresh(tokens["refresh_token"]).status_code, 200)

    def test_the_denylist_off_checks_nothing(self) -> None:
        tokens = self.login()
        self.client.post(LOGOUT_URL, **self.bearer(tokens["access_token"]))
        with self.paseto(DENYLIST_ENABLED=False):
            self.assertAccepted(tokens)


class DatabaseStoreTests(DatabaseLeg, StoreContractTests, TokenAPITestCase):
    pass


class LocMemCacheStoreTests(LocMemLeg, StoreContractTests, TokenAPITestCase):
    pass


class RedisCacheStoreTests(RedisLeg, StoreContractTests, TokenAPITestCase):
    pass


class DatabaseEndToEndTests(DatabaseLeg, EndToEndTests, TokenAPITestCase):
    pass


class LocMemCacheEndToEndTests(LocMemLeg, EndToEndTests, TokenAPITestCase):
    pass


class RedisCacheEndToEndTests(RedisLeg, EndToEndTests, TokenAPITestCase):
    pass


# --- one store at a time ----------------------------------------------------------------------


class DatabaseStoreFailureTests(TokenAPITestCase):
    """DatabaseStore: a database that fails is a 503, a locked one (SQLite) is retried."""

    def setUp(self) -> None:
        super().setUp()
        override = paseto_settings(DENYLIST_ENABLED=True, ROTATE_REFRESH_TOKENS=True)
        override.enable()
        self.addCleanup(override.disable)
        self.store = DatabaseStore()
        self.token = RefreshToken.for_subject("42")

    def failing(self, *errors: Exception) -> Any:
        """Patch the manager's ``filter`` (reads) to raise ``errors`` in turn, then work."""
        real = DenylistEntry.objects.filter
        calls = iter(errors)

        def filter_(*args: Any, **kwargs: Any) -> Any:
            error = next(calls, None)
            if error is not None:
                raise error
            return real(*args, **kwargs)

        return mock.patch.object(DenylistEntry.objects, "filter", side_effect=filter_)

    def test_unreachable_database_is_store_unavailable(self) -> None:
        for error in (
            OperationalError("could not connect to server: Connection refused"),
            DatabaseError("server closed the connection unexpectedly"),
        ):
            with self.subTest(error=error), self.failing(error):
                with self.assertRaises(StoreUnavailable) as caught:
                    self.store.check(self.token)
                self.assertIs(caught.exception.__cause__, error)

    def test_a_locked_database_is_retried(self) -> None:
        locked = OperationalError("database is locked")
        with self.failing(locked, locked), mock.patch("drf_paseto.revocation.time.sleep") as sleep:
            self.assertEqual(self.store.check(self.token), Verdict(revoked=False))
        self.assertEqual([c.args[0] for c in sleep.call_args_list], [0.005, 0.01])

    def test_the_retry_delay_doubles_up_to_a_tenth_of_a_second(self) -> None:
        locked = OperationalError("database table is locked")
        with self.failing(*[locked] * 7), mock.patch("drf_paseto.revocation.time.sleep") as sleep:
            self.store.check(self.token)
        delays = [c.args[0] for c in sleep.call_args_list]
        self.assertEqual(delays, [0.005, 0.01, 0.02, 0.04, 0.08, 0.1, 0.1])

    def test_a_database_locked_for_too_long_is_store_unavailable(self) -> None:
        self.store.lock_retry_seconds = 0.02
        locked = OperationalError("database is locked")
        with self.failing(*[locked] * 1000), self.assertRaises(StoreUnavailable):
            self.store.check(self.token)

    def test_writes_fail_closed(self) -> None:
        error = OperationalError("connection refused")
        with mock.patch.object(DenylistEntry.objects, "update_or_create", side_effect=error):
            with self.assertRaises(StoreUnavailable):
                self.store.revoke_token(self.token)
            with self.assertRaises(StoreUnavailable):
                self.store.revoke_session("s", "42", utcnow())
        with (
            mock.patch.object(DenylistEntry.objects, "filter", side_effect=error),
            self.assertRaises(StoreUnavailable),
        ):
            self.store.revoke_user("42", utcnow(), utcnow())
        with (
            mock.patch.object(DenylistEntry.objects, "create", side_effect=error),
            self.assertRaises(StoreUnavailable),
        ):
            self.store.spend(self.token)
        self.assertFalse(DenylistEntry.objects.exists())

    def test_integrity_errors_are_not_swallowed_by_the_retry(self) -> None:
        def operation() -> None:
            raise IntegrityError("duplicate key")

        with self.assertRaises(IntegrityError):
            self.store._retry(operation)

    def test_a_failing_store_is_a_503_on_every_path(self) -> None:
        tokens = self.login()
        error = OperationalError("could not connect to server")
        with self.failing(*[error] * 10):
            response = self.client.get(PROTECTED_URL, **self.bearer(tokens["access_token"]))
            self.assertError(response, 503, "revocation_store_unavailable")
            response = self.client.post(REFRESH_URL, **self.bearer(tokens["refresh_token"]))
            self.assertError(response, 503, "revocation_store_unavailable")
        with mock.patch.object(DenylistEntry.objects, "update_or_create", side_effect=error):
            response = self.client.post(LOGOUT_URL, **self.bearer(tokens["access_token"]))
            self.assertError(response, 503, "revocation_store_unavailable")
        with mock.patch.object(DenylistEntry.objects, "create", side_effect=error):
            response = self.client.post(REFRESH_URL, **self.bearer(tokens["refresh_token"]))
            self.assertError(response, 503, "revocation_store_unavailable")

    def test_a_long_locked_database_is_a_503(self) -> None:
        tokens = self.login()
        locked = OperationalError("database is locked")
        with (
            self.failing(*[locked] * 1000),
            mock.patch.object(DatabaseStore, "lock_retry_seconds", 0.02),
        ):
            response = self.client.get(PROTECTED_URL, **self.bearer(tokens["access_token"]))
        self.assertError(response, 503, "revocation_store_unavailable")

    def test_flush_deletes_expired_facts_only(self) -> None:
        now = utcnow()
        DenylistEntry.objects.create(key="jti:old", kind="jti", expires_at=now)
        DenylistEntry.objects.create(key="jti:new", kind="jti", expires_at=now + timedelta(1))
        self.assertEqual(self.store.flush(now + timedelta(microseconds=1)), 1)
        self.assertEqual(list(DenylistEntry.objects.values_list("key", flat=True)), ["jti:new"])
        self.assertEqual(self.store.flush(), 0)
        with mock.patch("drf_paseto.revocation._now", return_value=now + timedelta(2)):
            self.assertEqual(self.store.flush(), 1)
        self.assertFalse(DenylistEntry.objects.exists())


@skipUnless(HAS_REDIS_PY, "the redis package is not installed")
class UnreachableCacheTests(TokenAPITestCase):
    """CacheStore on a Redis that nothing listens on: fail closed, as a JSON 503."""

    def setUp(self) -> None:
        super().setUp()
        for override in (
            override_settings(CACHES={**settings.CACHES, "down": DEAD_REDIS}),
            paseto_settings(
                DENYLIST_ENABLED=True,
                DENYLIST_STORE="cache",
                DENYLIST_CACHE_ALIAS="down",
                ROTATE_REFRESH_TOKENS=True,
            ),
        ):
            override.enable()
            self.addCleanup(override.disable)

    def test_every_store_method_raises_store_unavailable(self) -> None:
        store = CacheStore()
        self.assertEqual(store.alias, "down")
        token = RefreshToken.for_subject("42")
        calls = [
            lambda: store.check(token),
            lambda: store.revoke_token(token),
            lambda: store.revoke_session("s", "42", utcnow() + timedelta(1)),
            lambda: store.revoke_user("42", utcnow(), utcnow() + timedelta(1)),
            lambda: store.spend(token),
            lambda: store.remember_user("42", object()),
            lambda: store.forget_user("42"),
        ]
        for call in calls:
            with self.assertRaises(StoreUnavailable):
                call()

    def test_requests_answer_503(self) -> None:
        tokens = self.login()  # login itself needs no store
        for method, url, token in (
            ("get", PROTECTED_URL, "access_token"),
            ("post", REFRESH_URL, "refresh_token"),
            ("post", LOGOUT_URL, "access_token"),
            ("post", LOGOUT_ALL_URL, "refresh_token"),
        ):
            with self.subTest(url=url):
                response = getattr(self.client, method)(url, **self.bearer(tokens[token]))
                self.assertError(response, 503, "revocation_store_unavailable")

    def test_rotation_fails_closed_when_refresh_tokens_are_not_checked(self) -> None:
        # The refresh token is not checked per request, but spending it needs the store.
        with paseto_settings(
            DENYLIST_ENABLED=True,
            DENYLIST_STORE="cache",
            DENYLIST_CACHE_ALIAS="down",
            ROTATE_REFRESH_TOKENS=True,
            DENYLIST_TOKEN_CHECKS=["access"],
        ):
            tokens = self.login()
            response = self.client.post(REFRESH_URL, **self.bearer(tokens["refresh_token"]))
        self.assertError(response, 503, "revocation_store_unavailable")


class CacheStoreUnitTests(SimpleTestCase):
    def test_timeout_is_whole_seconds_and_at_least_one(self) -> None:
        now = utcnow()
        with mock.patch("drf_paseto.revocation._now", return_value=now):
            self.assertEqual(CacheStore._timeout(now + timedelta(seconds=100)), 101)
            self.assertEqual(CacheStore._timeout(now + timedelta(seconds=0.5)), 1)
            self.assertEqual(CacheStore._timeout(now - timedelta(hours=1)), 1)

    def test_alias_from_settings_or_given(self) -> None:
        with paseto_settings(DENYLIST_CACHE_ALIAS="dummy"):
            self.assertEqual(CacheStore().alias, "dummy")
            self.assertEqual(CacheStore("default").alias, "default")
            self.assertIs(CacheStore().cache, caches["dummy"])

    def test_user_cutoff_is_stored_as_whole_microseconds(self) -> None:
        with paseto_settings(DENYLIST_ENABLED=True, DENYLIST_STORE="cache"):
            store = CacheStore()
            cutoff = datetime(2031, 5, 6, 7, 8, 9, 987654, tzinfo=timezone.utc)
            store.revoke_user("7", cutoff, utcnow() + timedelta(minutes=1))
            micros = caches["default"].get(KEY_PREFIX + "user:7")
            self.assertIsInstance(micros, int)
            self.assertEqual(EPOCH + timedelta(microseconds=micros), cutoff)
            caches["default"].clear()


class GetStoreTests(SimpleTestCase):
    def test_named_stores(self) -> None:
        for name, store_class in (("database", DatabaseStore), ("cache", CacheStore)):
            with self.subTest(name=name), paseto_settings(DENYLIST_STORE=name):
                store = revocation.get_store()
                self.assertIs(type(store), store_class)
                self.assertIs(revocation.get_store(), store)  # built once

    def test_default_is_the_database(self) -> None:
        with paseto_settings():
            self.assertIs(type(revocation.get_store()), DatabaseStore)

    def test_dotted_path(self) -> None:
        with paseto_settings(DENYLIST_STORE="tests.test_revocation.MemoryStore"):
            self.assertIs(type(revocation.get_store()), MemoryStore)

    def test_rebuilt_when_settings_change(self) -> None:
        with paseto_settings(DENYLIST_STORE="cache", DENYLIST_CACHE_ALIAS="default"):
            first = revocation.get_store()
        with paseto_settings(DENYLIST_STORE="cache", DENYLIST_CACHE_ALIAS="dummy"):
            second = revocation.get_store()
        self.assertIsNot(first, second)
        self.assertEqual(second.alias, "dummy")  # type: ignore[attr-defined]

    def test_is_checked(self) -> None:
        access, refresh = AccessToken.for_subject("1"), RefreshToken.for_subject("1")
        with paseto_settings():
            self.assertFalse(revocation.is_checked(access))
        with paseto_settings(DENYLIST_ENABLED=True):
            self.assertTrue(revocation.is_checked(access))
            self.assertTrue(revocation.is_checked(refresh))
        with paseto_settings(DENYLIST_ENABLED=True, DENYLIST_TOKEN_CHECKS={"refresh"}):
            self.assertFalse(revocation.is_checked(access))
            self.assertTrue(revocation.is_checked(refresh))
        with paseto_settings(DENYLIST_ENABLED=True, DENYLIST_TOKEN_CHECKS=()):
            self.assertFalse(revocation.is_checked(refresh))

    def test_longest_lifetime(self) -> None:
        with paseto_settings():
            self.assertEqual(revocation.longest_lifetime(), timedelta(days=30))
        with paseto_settings(ACCESS_TOKEN_EXPIRES=7200, REFRESH_TOKEN_EXPIRES=60):
            self.assertEqual(revocation.longest_lifetime(), timedelta(hours=2))


class MemoryStore(RevocationStore):
    """A custom store (``DENYLIST_STORE`` as a dotted path) that keeps only the interface."""


class RevocationStoreInterfaceTests(SimpleTestCase):
    def test_the_interface_must_be_implemented(self) -> None:
        store = MemoryStore()
        token = RefreshToken.for_subject("1")
        for call in (
            lambda: store.check(token),
            lambda: store.revoke_token(token),
            lambda: store.revoke_session("s", "1", utcnow()),
            lambda: store.revoke_user("1", utcnow(), utcnow()),
            lambda: store.spend(token),
        ):
            with self.assertRaises(NotImplementedError):
                call()
        # Keeping users is optional: no-ops.
        self.assertIsNone(store.remember_user("1", object()))
        self.assertIsNone(store.forget_user("1"))

    def test_verdict(self) -> None:
        self.assertEqual(Verdict(revoked=True), Verdict(True, None))
        with self.assertRaises(AttributeError):
            Verdict(False).revoked = True  # type: ignore[misc]

    def test_token_keys(self) -> None:
        token = RefreshToken.for_subject("9")
        self.assertEqual(
            revocation.token_keys(token),
            [f"jti:{token.jti}", f"sid:{token.session_id}", "user:9"],
        )


class OperationTests(TestCase):
    """``revoke_session`` / ``revoke_user``: the fact and the signal."""

    def test_revoke_session_and_user_write_facts_with_the_moved_clock(self) -> None:
        now = datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc)
        token = RefreshToken.for_subject("5")
        with (
            paseto_settings(DENYLIST_ENABLED=True),
            mock.patch("drf_paseto.revocation._now", return_value=now),
        ):
            revocation.revoke_session(token, reason="logout")
            revocation.revoke_user("5", reason="logout_all")
            lifetime = revocation.longest_lifetime()
        session = DenylistEntry.objects.get(key=f"sid:{token.session_id}")
        self.assertEqual((session.kind, session.subject, session.cutoff), ("sid", "5", None))
        self.assertEqual(session.expires_at, now + lifetime)
        user = DenylistEntry.objects.get(key="user:5")
        self.assertEqual((user.kind, user.subject, user.cutoff), ("user", "5", now))
        self.assertEqual(user.expires_at, now + lifetime)

    def test_a_token_revoked_by_jti_is_refused(self) -> None:
        user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
        with paseto_settings(DENYLIST_ENABLED=True):
            access = AccessToken.for_user(user)
            revocation.get_store().revoke_token(access)
            response = self.client.get(PROTECTED_URL, HTTP_AUTHORIZATION=f"Bearer {access}")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["code"], "token_revoked")
        row = DenylistEntry.objects.get()
        self.assertEqual(
            (row.key, row.kind, row.subject), (f"jti:{access.jti}", "jti", str(user.pk))
        )
