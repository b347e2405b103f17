"""drf_paseto/revocation.py: login sessions, the revocation rule, and the stores.

The behaviour is written once (``SessionRevocationTests``) and runs on four legs:

* ``DatabaseLeg``: ``DatabaseStore`` on the default database (SQLite in a plain run; the
  Makefile's PostgreSQL leg runs the whole suite again with PostgreSQL as the default);
* ``LocMemCacheLeg``: ``CacheStore`` with its copy in LocMemCache (one process);
* ``RedisCacheLeg``: ``CacheStore`` with its copy in Django's ``RedisCache``;
* ``RedisLeg``: ``RedisStore`` (redis-py, ``DENYLIST_REDIS_URL``).

The Redis legs run when ``DRF_PASETO_TEST_REDIS`` is set (``eval "$(bash .ci/services.sh)"``).
The races on real multi-process servers are in tests/test_concurrency.py.
"""

from __future__ import annotations

import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock, skipUnless

from django.contrib.auth import authenticate, get_user_model
from django.core.cache import caches
from django.db import DatabaseError, OperationalError, connection, connections
from django.test import SimpleTestCase, TransactionTestCase, override_settings, tag
from django.test.utils import CaptureQueriesContext
from rest_framework import status

from drf_paseto import clock, revocation, signals
from drf_paseto.exceptions import StoreUnavailable
from drf_paseto.models import LoginSession, SubjectCutoff
from drf_paseto.stores import (
    CacheStore,
    DatabaseStore,
    MirroredStore,
    RedisStore,
    RevocationStore,
    SessionState,
)
from drf_paseto.stores.base import _EPOCH
from drf_paseto.stores.mirrored import _decode_state, _encode_state
from drf_paseto.tokens import AccessToken, RefreshToken, create_token
from tests.helpers import (
    DEAD_REDIS_URL,
    HAS_REDIS_PY,
    LOGIN_URL,
    LOGOUT_ALL_URL,
    LOGOUT_URL,
    PASSWORD,
    PROTECTED_URL,
    REDIS_CLUSTER_URL,
    REDIS_COMMANDS,
    REDIS_CONNECTIONS,
    REDIS_SKIP_REASON,
    REDIS_URL,
    REFRESH_URL,
    STATELESS_URL,
    USERNAME,
    VERIFY_URL,
    DatabaseLeg,
    KeySetServer,
    LocMemCacheLeg,
    RedisCacheLeg,
    RedisClusterLeg,
    RedisLeg,
    RedisSentinelLeg,
    TokenAPITestCase,
    claims,
    delete_redis_keys,
    forge,
    paseto_settings,
    raises_code,
    redis_client,
)
from tests.live_server import free_port, redis_server_path, wait_until

REFRESH_ONLY_URL = "/refresh-only/"
NEW_PASSWORD = "a-new-password-123"

# --- the behaviour, on every leg ------------------------------------------------------------


class SessionRevocationTests:
    """Sessions and revocation through the views and the operations."""

    # --- helpers ----------------------------------------------------------------------

    def get_protected(self, token: str) -> Any:
        return self.client.get(PROTECTED_URL, **self.bearer(token))

    def post_refresh(self, token: str) -> Any:
        return self.client.post(REFRESH_URL, **self.bearer(token))

    def assertAccepted(self, tokens: dict[str, str], username: str = USERNAME) -> None:
        response = self.get_protected(tokens["access_token"])
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json(), {"user": username})
        if "refresh_token" in tokens:
            self.assertEqual(self.post_refresh(tokens["refresh_token"]).status_code, 200)

    def assertRevoked(self, tokens: dict[str, str], code: str = "token_revoked") -> None:
        self.assertError(self.get_protected(tokens["access_token"]), 401, code)
        if "refresh_token" in tokens:
            self.assertError(self.post_refresh(tokens["refresh_token"]), 401, code)

    def session_of(self, tokens: dict[str, str]) -> LoginSession:
        return LoginSession.objects.get(pk=AccessToken(tokens["access_token"]).session_id)

    def rotate(self, tokens: dict[str, str]) -> dict[str, str]:
        response = self.post_refresh(tokens["refresh_token"])
        self.assertEqual(response.status_code, 200, response.content)
        rotated: dict[str, str] = response.json()
        self.issued.extend(rotated.values())
        return rotated

    # --- MAX_SESSIONS_PER_USER (hardening #14) ----------------------------------------

    def ended_sessions(self) -> list[tuple[str, str]]:
        """``(session_id, reason)`` of every ``session_revoked`` sent from now on."""
        ended: list[tuple[str, str]] = []

        def receiver(session_id: str, reason: str, **kwargs: Any) -> None:
            ended.append((session_id, reason))

        signals.session_revoked.connect(receiver, weak=False)
        self.addCleanup(signals.session_revoked.disconnect, receiver)
        return ended

    def test_a_login_beyond_the_cap_ends_the_oldest_session(self) -> None:
        ended = self.ended_sessions()
        with self.paseto(MAX_SESSIONS_PER_USER=2):
            first, second = self.login(), self.login()
            self.assertAccepted(first)  # warm copies: the cap must reach them too
            self.assertAccepted(second)
            self.assertEqual(ended, [])
            third = self.login()
            self.assertRevoked(first)
            self.assertAccepted(second)
            self.assertAccepted(third)
        first_id = self.session_of(first).pk
        self.assertEqual(ended, [(first_id, "session_limit")])
        self.assertEqual(self.session_of(first).revoked_reason, "session_limit")

    def test_no_cap(self) -> None:
        ended = self.ended_sessions()
        with self.paseto(MAX_SESSIONS_PER_USER=None):
            logins = [self.login() for _ in range(4)]
            for tokens in logins:
                self.assertAccepted(tokens)
        self.assertEqual(ended, [])

    def test_a_lowered_cap_is_reached_over_the_next_logins(self) -> None:
        logins = [self.login() for _ in range(4)]
        ended = self.ended_sessions()
        with (
            self.paseto(MAX_SESSIONS_PER_USER=1),
            mock.patch.object(DatabaseStore, "ENDED_PER_LOGIN", 2),
        ):
            fifth = self.login()  # five live: the two oldest end
            self.assertEqual([reason for _, reason in ended], ["session_limit"] * 2)
            self.assertEqual(
                [session_id for session_id, _ in ended],
                [self.session_of(tokens).pk for tokens in logins[:2]],
            )
            self.login()  # four live: the other two of the first four end
            for tokens in logins:
                self.assertRevoked(tokens)
            self.assertAccepted(fifth)  # the next login ends it

    def test_the_sessions_a_logout_everywhere_ended_are_read_a_chunk_at_a_time(self) -> None:
        earlier = self.login()
        revocation.revoke_session(
            self.session_of(earlier).pk, self.session_of(earlier).subject, reason="logout"
        )
        ended = {self.session_of(self.login()).pk for _ in range(5)}
        subject = self.session_of(earlier).subject
        store = revocation.get_store()
        at = clock.current_time()
        store.revoke_subject(subject, cutoff=at, reason="logout_all")
        with mock.patch.object(DatabaseStore, "ENDED_CHUNK", 2), self.assertNumQueries(3):
            found = list(store.sessions_ended_at(subject, at))
        self.assertEqual(found, sorted(ended))  # not the session a logout ended before
        self.assertEqual(list(store.sessions_ended_at("someone-else", at)), [])

    # --- sessions ---------------------------------------------------------------------

    def test_a_login_records_its_session(self) -> None:
        before = clock.current_time()
        response = self.client.post(
            LOGIN_URL,
            {"username": USERNAME, "password": PASSWORD},
            format="json",
            HTTP_USER_AGENT="Firefox/" + "x" * 400,
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        )
        tokens = response.json()
        self.issued.extend(tokens.values())
        refresh = RefreshToken(tokens["refresh_token"])
        session = self.session_of(tokens)
        self.assertEqual(session.pk, refresh.session_id)
        self.assertEqual((session.user, session.subject), (self.user, str(self.user.pk)))
        self.assertLessEqual(before, session.auth_time)
        self.assertLessEqual(session.auth_time, session.created_at)
        self.assertEqual(session.last_used_at, session.created_at)
        self.assertEqual(session.expires_at, refresh.expires_at)
        self.assertEqual(session.refresh_jti, refresh.jti)
        self.assertEqual(session.user_agent, ("Firefox/" + "x" * 400)[:255])
        self.assertEqual(session.ip, "203.0.113.9")  # never the forwarded address
        self.assertIsNone(session.revoked_at)

    def test_tokens_of_an_unknown_session_are_refused(self) -> None:
        stray = RefreshToken.for_subject(str(self.user.pk), session_id="not-a-session")
        self.assertRevoked({"access_token": str(stray.access_token), "refresh_token": str(stray)})

    def test_tokens_made_for_a_user_are_refused_until_start_session(self) -> None:
        refresh = RefreshToken.for_user(self.user)  # building a token writes nothing
        self.assertFalse(LoginSession.objects.filter(pk=refresh.session_id).exists())
        self.assertError(self.get_protected(str(refresh.access_token)), 401, "token_revoked")
        revocation.start_session(self.user, refresh)
        session = LoginSession.objects.get(pk=refresh.session_id)
        self.assertEqual((session.user, session.refresh_jti), (self.user, refresh.jti))
        self.assertAccepted(
            {"access_token": str(refresh.access_token), "refresh_token": str(refresh)}
        )
        access = AccessToken.for_user(self.user)
        revocation.start_session(self.user, access)
        self.assertEqual(LoginSession.objects.get(pk=access.session_id).refresh_jti, "")
        self.assertAccepted({"access_token": str(access)})
        with paseto_settings(DENYLIST_ENABLED=False):
            unrecorded = AccessToken.for_user(self.user)
            revocation.start_session(self.user, unrecorded)  # nothing to record
        self.assertFalse(LoginSession.objects.filter(pk=unrecorded.session_id).exists())

    def test_custom_token_types_open_no_session(self) -> None:
        token = create_token(self.user, "reset", lifetime=timedelta(minutes=5))
        self.assertFalse(LoginSession.objects.filter(pk=token.session_id).exists())

    def test_a_session_belongs_to_its_subject(self) -> None:
        tokens = self.login()
        sid = AccessToken(tokens["access_token"]).session_id
        other = get_user_model().objects.create_user("bob", password=PASSWORD)
        forged = AccessToken.for_subject(str(other.pk), session_id=sid)
        self.assertError(self.get_protected(str(forged)), 401, "token_revoked")

    # --- logouts ----------------------------------------------------------------------

    def test_logout_revokes_that_session_only(self) -> None:
        first, second = self.login(), self.login()
        response = self.client.post(LOGOUT_URL, **self.bearer(first["access_token"]))
        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT)
        self.assertRevoked(first)
        self.assertAccepted(second)
        session = self.session_of(first)
        self.assertIsNotNone(session.revoked_at)
        self.assertEqual(session.revoked_reason, "logout")

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
        get_user_model().objects.create_user("bob", password=PASSWORD)
        bobs = self.login("bob")
        response = self.client.post(LOGOUT_ALL_URL, **self.bearer(sessions[0]["refresh_token"]))
        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT)
        for tokens in sessions:
            self.assertRevoked(tokens)
            self.assertEqual(self.session_of(tokens).revoked_reason, "logout_all")
        self.assertAccepted(bobs, "bob")
        self.assertAccepted(self.login())  # within the same second: microseconds count
        self.assertEqual(SubjectCutoff.objects.get().subject, str(self.user.pk))

    def test_revoked_tokens_are_refused_by_verify(self) -> None:
        tokens = self.login()
        self.client.post(LOGOUT_URL, **self.bearer(tokens["access_token"]))
        for token in tokens.values():
            response = self.client.post(VERIFY_URL, {"token": token}, format="json")
            self.assertError(response, 401, "token_revoked")

    # --- the race: judged by when the session was authenticated ---------------------------

    def test_a_login_checking_its_credentials_during_logout_all_is_revoked(self) -> None:
        earlier = self.login()

        def authenticate_while_logging_out_everywhere(*args: Any, **kwargs: Any) -> Any:
            user = authenticate(*args, **kwargs)
            revocation.revoke_user(str(self.user.pk), reason="logout_all")
            return user

        with mock.patch(
            "drf_paseto.serializers.authenticate", authenticate_while_logging_out_everywhere
        ):
            racing = self.login()
        self.assertRevoked(earlier)
        self.assertRevoked(racing)  # its tokens were minted after the cutoff, all the same
        self.assertAccepted(self.login())

    def test_a_login_with_the_old_password_during_a_password_change_is_revoked(self) -> None:
        def authenticate_then_change_the_password(*args: Any, **kwargs: Any) -> Any:
            user = authenticate(*args, **kwargs)
            changed = get_user_model().objects.get(pk=self.user.pk)
            changed.set_password(NEW_PASSWORD)
            changed.save()
            return user

        with mock.patch(
            "drf_paseto.serializers.authenticate", authenticate_then_change_the_password
        ):
            racing = self.login()
        self.assertRevoked(racing)
        self.assertAccepted(self.login(password=NEW_PASSWORD))

    def test_a_refresh_between_its_check_and_its_mint_during_logout_all_is_revoked(self) -> None:
        real = RefreshToken.make_access_token

        def mint_after_logout_all(token: RefreshToken, **kwargs: Any) -> AccessToken:
            revocation.revoke_user(token.subject, reason="logout_all")
            return real(token, **kwargs)

        for rotate in (False, True):
            with self.subTest(rotate=rotate), self.paseto(ROTATE_REFRESH_TOKENS=rotate):
                tokens = self.login()

                with mock.patch.object(RefreshToken, "make_access_token", mint_after_logout_all):
                    response = self.post_refresh(tokens["refresh_token"])
                # Noting the refresh finds the session revoked: nothing is handed out (and
                # what was minted belongs to a revoked session anyway).
                self.assertError(response, 401, "token_revoked")
                self.assertRevoked(tokens)

    def test_a_refresh_between_its_check_and_its_mint_during_logout_is_revoked(self) -> None:
        tokens = self.login()
        real = RefreshToken.make_access_token

        def mint_after_logout(token: RefreshToken, **kwargs: Any) -> AccessToken:
            revocation.revoke_session(token.session_id, token.subject, reason="logout")
            return real(token, **kwargs)

        with mock.patch.object(RefreshToken, "make_access_token", mint_after_logout):
            response = self.post_refresh(tokens["refresh_token"])
        self.assertError(response, 401, "token_revoked")
        self.assertRevoked(tokens)

    # --- rotation and reuse -----------------------------------------------------------

    def test_rotation_and_reuse_revoke_the_session(self) -> None:
        with self.paseto(ROTATE_REFRESH_TOKENS=True):
            original, other = self.login(), self.login()
            rotated = self.rotate(original)
            self.assertEqual(self.session_of(original).generation, 1)
            reuse = self.post_refresh(original["refresh_token"])
            self.assertError(reuse, 401, "token_reused")
            self.assertRevoked(rotated)
            self.assertRevoked(original)
            self.assertAccepted(other)
            self.assertEqual(self.session_of(original).revoked_reason, "reuse")

    def test_a_spent_refresh_token_is_a_reuse_wherever_it_is_presented(self) -> None:
        views = [
            lambda token: self.client.post(VERIFY_URL, {"token": token}, format="json"),
            lambda token: self.client.post(LOGOUT_URL, **self.bearer(token)),
            lambda token: self.client.post(LOGOUT_ALL_URL, **self.bearer(token)),
            lambda token: self.client.get(REFRESH_ONLY_URL, **self.bearer(token)),
        ]
        with self.paseto(ROTATE_REFRESH_TOKENS=True):
            for index, view in enumerate(views):
                with self.subTest(view=index):
                    original = self.login()
                    rotated = self.rotate(original)
                    self.assertError(view(original["refresh_token"]), 401, "token_reused")
                    self.assertRevoked(rotated)
                    self.assertEqual(self.session_of(original).revoked_reason, "reuse")

    def test_reuse_is_signalled(self) -> None:
        received: list[dict[str, Any]] = []

        def receiver(**kwargs: Any) -> None:
            received.append(kwargs)

        signals.token_reuse_detected.connect(receiver)
        self.addCleanup(signals.token_reuse_detected.disconnect, receiver)
        with self.paseto(ROTATE_REFRESH_TOKENS=True):
            original = self.login()
            self.rotate(original)
            self.post_refresh(original["refresh_token"])
        self.assertEqual(len(received), 1)
        self.assertEqual(received[0]["session_id"], self.session_of(original).pk)

    def test_one_of_two_rotations_of_one_state_wins(self) -> None:
        with self.paseto(ROTATE_REFRESH_TOKENS=True):
            tokens = self.login()
            refresh = RefreshToken(tokens["refresh_token"])
            state = revocation.check(refresh)
            store = revocation.get_store()
            at = clock.current_time()
            first = store.refresh_session(
                state, refresh.session_id, used_at=at, expires_at=at, rotate_to="a" * 32
            )
            second = store.refresh_session(
                state, refresh.session_id, used_at=at, expires_at=at, rotate_to="b" * 32
            )
        self.assertEqual((first, second), (True, False))
        self.assertEqual(self.session_of(tokens).refresh_jti, "a" * 32)

    def test_refresh_moves_last_used_and_expiry(self) -> None:
        tokens = self.login()
        created = self.session_of(tokens)
        with self.paseto(ACCESS_TOKEN_EXPIRES=timedelta(days=90)):
            self.post_refresh(tokens["refresh_token"])
        session = self.session_of(tokens)
        self.assertGreater(session.last_used_at, created.last_used_at)
        self.assertGreater(session.expires_at, created.expires_at + timedelta(days=50))
        self.assertAccepted(
            {"access_token": tokens["access_token"]}
        )  # the access path writes nothing
        self.assertEqual(self.session_of(tokens).last_used_at, session.last_used_at)

    # --- users changing ---------------------------------------------------------------

    def test_a_password_change_revokes_every_session_of_the_user(self) -> None:
        tokens = self.login()
        get_user_model().objects.create_user("bob", password=PASSWORD)
        bobs = self.login("bob")
        self.user.set_password(NEW_PASSWORD)
        self.user.save()
        self.assertRevoked(tokens)
        self.assertEqual(self.session_of(tokens).revoked_reason, "password_change")
        self.assertAccepted(bobs, "bob")
        self.assertAccepted(self.login(password=NEW_PASSWORD))

    def test_any_change_of_the_password_hash_revokes(self) -> None:
        changes = [
            lambda user: user.set_unusable_password(),
            lambda user: setattr(user, "password", "md5$other$0123456789abcdef"),
        ]
        for change in changes:
            with self.subTest(change=change):
                tokens = self.login()
                user = get_user_model().objects.get(pk=self.user.pk)
                change(user)
                user.save(update_fields=["password"])
                self.assertRevoked(tokens)
                self.user.set_password(PASSWORD)
                self.user.save()

    def test_other_saves_revoke_nothing(self) -> None:
        tokens = self.login()
        self.user.first_name = "Alice"
        self.user.save()
        self.user.set_password(PASSWORD)  # a new hash of the same password
        self.user.save(update_fields=["first_name"])
        self.assertAccepted(tokens)
        self.assertFalse(SubjectCutoff.objects.exists())

    def test_password_change_revokes_nothing_when_turned_off(self) -> None:
        with self.paseto(REVOKE_ON_PASSWORD_CHANGE=False):
            tokens = self.login()
            self.user.set_password(NEW_PASSWORD)
            self.user.save()
            self.assertAccepted(tokens)

    def test_a_changed_user_id_field_revokes_and_the_next_owner_inherits_nothing(self) -> None:
        with self.paseto(USER_ID_FIELD="username"):
            tokens = self.login()
            self.user.username = "alice2"
            self.user.save()
            self.assertRevoked(tokens)
            self.assertEqual(self.session_of(tokens).revoked_reason, "user_id_changed")
            get_user_model().objects.create_user(USERNAME, password=PASSWORD)
            self.assertRevoked(tokens)
            self.assertAccepted(self.login(), USERNAME)

    def test_a_session_authenticates_its_own_user_row_only(self) -> None:
        # A rename that no signal sees (QuerySet.update): the session still names its row.
        with self.paseto(USER_ID_FIELD="username"):
            tokens = self.login()
            get_user_model().objects.filter(pk=self.user.pk).update(username="alice2")
            get_user_model().objects.create_user(USERNAME, password=PASSWORD)
            self.assertAccepted(tokens, "alice2")

    def test_a_deactivated_user_is_refused_on_the_next_request(self) -> None:
        tokens = self.login()
        self.assertAccepted(tokens)
        get_user_model().objects.filter(pk=self.user.pk).update(is_active=False)
        self.assertError(self.get_protected(tokens["access_token"]), 401, "user_inactive")
        self.assertError(self.post_refresh(tokens["refresh_token"]), 401, "user_inactive")

    def test_a_deleted_user_is_refused_on_the_next_request(self) -> None:
        tokens = self.login()
        sid = self.session_of(tokens).pk
        self.user.delete()
        self.assertRevoked(tokens)
        session = LoginSession.objects.get(pk=sid)
        self.assertEqual((session.user, session.revoked_reason), (None, "user_deleted"))

    # --- the copy in front of the database --------------------------------------------

    def test_losing_the_copy_resurrects_nothing_and_logs_out_nothing(self) -> None:
        with self.paseto(ROTATE_REFRESH_TOKENS=True):
            live, logged_out, rotated_from = self.login(), self.login(), self.login()
            self.client.post(LOGOUT_URL, **self.bearer(logged_out["access_token"]))
            rotated = self.rotate(rotated_from)
            for _ in range(2):  # once warm, once after the wipe
                self.assertAccepted({"access_token": live["access_token"]})
                self.assertError(
                    self.get_protected(logged_out["access_token"]), 401, "token_revoked"
                )
                self.assertAccepted({"access_token": rotated["access_token"]})
                self.wipe_copy()
            self.assertError(self.post_refresh(rotated_from["refresh_token"]), 401, "token_reused")
            self.wipe_copy()
            self.assertRevoked(rotated)
            self.wipe_copy()
            self.client.post(LOGOUT_ALL_URL, **self.bearer(live["access_token"]))
            self.wipe_copy()
            self.assertRevoked(live)

    def test_the_copy_is_keyed_by_ids_and_holds_no_token_string(self) -> None:
        tokens = self.login()
        self.assertAccepted(tokens)
        store = revocation.get_store()
        if not isinstance(store, MirroredStore):
            return
        access = AccessToken(tokens["access_token"])
        keys = [
            store.copies.session_key(access.session_id, access.subject),
            store.copies.cutoff_key(access.subject),
        ]
        session_value, cutoff_value = store.copies.get(keys)
        self.assertTrue(str(session_value).startswith("L|"), session_value)
        self.assertEqual(cutoff_value, "0")
        for token in tokens.values():
            for text in (*keys, str(session_value)):
                self.assertNotIn(token.split(".")[2][:40], text)

    def test_one_query_per_protected_request(self) -> None:
        # Issue #20: one database round trip per request, as DRF's TokenAuthentication. The
        # database store reads the session, its subject's cutoff and the user in one query;
        # a store with a warm copy reads the user only.
        tokens = self.login()
        self.assertAccepted({"access_token": tokens["access_token"]})  # a warm copy
        with CaptureQueriesContext(connection) as queries:
            self.assertAccepted({"access_token": tokens["access_token"]})
        sqls = [q["sql"] for q in queries]
        self.assertEqual(len(sqls), 1, sqls)
        self.assertIn(get_user_model()._meta.db_table, sqls[0])
        if not self.mirrored:
            self.assertIn(LoginSession._meta.db_table, sqls[0])
            self.assertIn(SubjectCutoff._meta.db_table, sqls[0])

    def test_a_cold_copy_costs_one_query_too(self) -> None:
        # With no copy (expired, evicted, a restarted Redis), the database answers the
        # session, the cutoff and the user in the one query.
        tokens = self.login()
        self.wipe_copy()
        with CaptureQueriesContext(connection) as queries:
            self.assertAccepted({"access_token": tokens["access_token"]})
        sqls = [q["sql"] for q in queries]
        self.assertEqual(len(sqls), 1, sqls)
        self.assertIn(LoginSession._meta.db_table, sqls[0])
        self.assertIn(get_user_model()._meta.db_table, sqls[0])

    def test_a_deactivated_user_read_with_the_session_is_refused(self) -> None:
        tokens = self.login()
        get_user_model().objects.filter(pk=self.user.pk).update(is_active=False)
        self.wipe_copy()
        response = self.get_with(PROTECTED_URL, tokens["access_token"])
        self.assertError(response, 401, "user_inactive")

    # --- writes that interleave, copies that fail -------------------------------------

    def test_a_logout_landing_inside_a_rotation_holds(self) -> None:
        # The logout runs after the rotation's database write, before its copy write.
        real = DatabaseStore.refresh_session

        def rotate_then_logout(store: Any, state: Any, session_id: str, **kwargs: Any) -> bool:
            done: bool = real(store, state, session_id, **kwargs)
            revocation.revoke_session(session_id, state.subject, reason="logout")
            return done

        with self.paseto(ROTATE_REFRESH_TOKENS=True):
            tokens = self.login()
            with mock.patch.object(DatabaseStore, "refresh_session", rotate_then_logout):
                rotated = self.rotate(tokens)
            for _ in range(2):
                self.assertRevoked(rotated)
                self.assertError(self.get_protected(tokens["access_token"]), 401, "token_revoked")

    def test_of_two_racing_cutoffs_the_later_stays_in_the_copy(self) -> None:
        real = DatabaseStore.revoke_subject
        store = revocation.get_store()
        later = clock.current_time()
        earlier = later - timedelta(seconds=5)
        racing = []

        def earlier_then_later(store_: Any, subject: str, **kwargs: Any) -> Any:
            in_force = real(store_, subject, **kwargs)
            if not racing:  # the later cutoff lands between the earlier one's two writes
                racing.append(True)
                store.revoke_subject(subject, cutoff=later, reason="logout_all")
            return in_force

        with mock.patch.object(DatabaseStore, "revoke_subject", earlier_then_later):
            store.revoke_subject("7", cutoff=earlier, reason="logout_all")
        self.assertEqual(SubjectCutoff.objects.get(subject="7").cutoff, later)
        if isinstance(store, MirroredStore):
            (copy,) = store.copies.get([store.copies.cutoff_key("7")])
            self.assertIn(copy, (None, str((later - _EPOCH) // timedelta(microseconds=1))))
        self.assertEqual(store.read("none", "7"), (None, None))

    def test_a_copy_that_cannot_be_written_after_the_database_fails_nothing(self) -> None:
        store = revocation.get_store()
        if not isinstance(store, MirroredStore):
            self.skipTest("the database store keeps no copy")
        with self.paseto(ROTATE_REFRESH_TOKENS=True):
            tokens, other = self.login(), self.login()
            self.assertAccepted({"access_token": tokens["access_token"]})  # a warm copy
            away = StoreUnavailable()
            with mock.patch.object(type(store.copies), "merge", side_effect=away):
                rotated = self.rotate(other)  # the rotation is done: answered, not a 503
                response = self.client.post(LOGOUT_URL, **self.bearer(tokens["access_token"]))
            self.assertEqual(response.status_code, 204, response.content)
            self.assertRevoked(tokens)
            self.assertError(self.post_refresh(other["refresh_token"]), 401, "token_reused")
            self.assertRevoked(rotated)

    def test_a_copy_that_cannot_be_written_nor_dropped_is_logged(self) -> None:
        store = revocation.get_store()
        if not isinstance(store, MirroredStore):
            self.skipTest("the database store keeps no copy")
        tokens = self.login()
        drops = []
        real = type(store.copies).drop

        def first_drop_only(store_: Any, keys: list[str]) -> None:
            drops.append(keys)
            if len(drops) > 1:
                raise StoreUnavailable()
            real(store_, keys)

        with (
            mock.patch.object(type(store.copies), "merge", side_effect=StoreUnavailable()),
            mock.patch.object(type(store.copies), "drop", first_drop_only),
            self.assertLogs("drf_paseto", "ERROR") as logs,
        ):
            response = self.client.post(LOGOUT_URL, **self.bearer(tokens["access_token"]))
        self.assertEqual(response.status_code, 204, response.content)
        self.assertIn("heals within", logs.output[-1])
        self.assertRevoked(tokens)  # the copy was dropped before the write: read again

    def test_an_unreadable_copy_is_read_again_from_the_database(self) -> None:
        store = revocation.get_store()
        if not isinstance(store, MirroredStore):
            self.skipTest("the database store keeps no copy")
        tokens = self.login()
        access = AccessToken(tokens["access_token"])
        for garbage in ("garbage", "L|x|1|2|j|5", "L|1|2"):
            with self.subTest(garbage=garbage):
                store.copies.drop([store.copies.session_key(access.session_id, access.subject)])
                store.copies.refill(
                    [(store.copies.session_key(access.session_id, access.subject), garbage, 60)]
                )
                self.assertAccepted({"access_token": tokens["access_token"]})

    # --- retention --------------------------------------------------------------------

    def test_a_revocation_lives_as_long_as_any_token_it_can_match(self) -> None:
        remember_me = RefreshToken.for_user(self.user, lifetime=timedelta(days=365))
        revocation.start_session(self.user, remember_me)
        tokens = {"access_token": str(remember_me.access_token), "refresh_token": str(remember_me)}
        self.client.post(LOGOUT_URL, **self.bearer(tokens["access_token"]))
        self.client.post(LOGOUT_ALL_URL, **self.bearer(self.login()["access_token"]))
        with self.paseto(REFRESH_TOKEN_EXPIRES=timedelta(minutes=5)):  # shortened since
            later = clock.current_time() + timedelta(days=200)
            with mock.patch("drf_paseto.clock.current_time", return_value=later):
                DatabaseStore().flush()
                self.wipe_copy()
                response = self.post_refresh(tokens["refresh_token"])
                self.assertError(response, 401, "token_revoked")
        self.assertTrue(LoginSession.objects.filter(pk=remember_me.session_id).exists())

    # --- which tokens are checked ------------------------------------------------------

    def test_refresh_only_checks_keep_revoked_access_tokens_valid(self) -> None:
        with self.paseto(DENYLIST_TOKEN_CHECKS={"refresh"}):
            tokens = self.login()
            self.client.post(LOGOUT_URL, **self.bearer(tokens["access_token"]))
            self.assertAccepted({"access_token": tokens["access_token"]})
            self.assertError(self.post_refresh(tokens["refresh_token"]), 401, "token_revoked")

    def test_access_only_checks_still_judge_a_refresh_by_its_session(self) -> None:
        with self.paseto(DENYLIST_TOKEN_CHECKS=["access"], ROTATE_REFRESH_TOKENS=True):
            tokens = self.login()
            rotated = self.rotate(tokens)
            self.assertError(self.post_refresh(tokens["refresh_token"]), 401, "token_reused")
            self.assertRevoked({"access_token": rotated["access_token"]})

    def test_the_denylist_off_checks_nothing(self) -> None:
        tokens = self.login()
        self.client.post(LOGOUT_URL, **self.bearer(tokens["access_token"]))
        with paseto_settings(DENYLIST_ENABLED=False):
            self.assertAccepted(tokens)


class DatabaseStoreTests(DatabaseLeg, SessionRevocationTests, TokenAPITestCase):
    pass


class LocMemCacheStoreTests(LocMemCacheLeg, SessionRevocationTests, TokenAPITestCase):
    pass


class RedisCacheStoreTests(RedisCacheLeg, SessionRevocationTests, TokenAPITestCase):
    pass


class RedisStoreTests(RedisLeg, SessionRevocationTests, TokenAPITestCase):
    pass


class RedisClusterStoreTests(RedisClusterLeg, SessionRevocationTests, TokenAPITestCase):
    pass


class RedisSentinelStoreTests(RedisSentinelLeg, SessionRevocationTests, TokenAPITestCase):
    pass


# --- one store at a time ----------------------------------------------------------------------


class RedisRoundTripTests(RedisLeg, TokenAPITestCase):
    """Issue #20: the Redis store's check is one command (one round trip) per request."""

    def setUp(self) -> None:
        super().setUp()
        override = self.paseto(DENYLIST_REDIS_CLIENT="tests.helpers.counting_redis_client")
        override.enable()
        self.addCleanup(override.disable)

    def counted(self, url: str, token: str) -> tuple[list[str], list[str]]:
        """The Redis commands and the SQL queries of one request."""
        REDIS_COMMANDS.clear()
        with CaptureQueriesContext(connection) as queries:
            response = self.get_with(url, token)
        self.assertEqual(response.status_code, 200, response.content)
        return list(REDIS_COMMANDS), [q["sql"] for q in queries]

    def test_a_real_user_costs_one_command_and_one_query(self) -> None:
        access = self.login()["access_token"]
        self.counted(PROTECTED_URL, access)  # a warm copy
        commands, sqls = self.counted(PROTECTED_URL, access)
        self.assertEqual(commands, ["EVALSHA"])
        self.assertEqual(len(sqls), 1, sqls)  # the user
        self.assertIn(get_user_model()._meta.db_table, sqls[0])

    def test_the_stateless_user_costs_one_command_and_no_query(self) -> None:
        access = self.login()["access_token"]
        self.counted(STATELESS_URL, access)  # a warm copy
        self.assertEqual(self.counted(STATELESS_URL, access), (["EVALSHA"], []))

    def test_a_cold_copy_is_read_once_and_written_once(self) -> None:
        access = self.login()["access_token"]
        self.wipe_copy()
        commands, sqls = self.counted(PROTECTED_URL, access)
        self.assertEqual(commands, ["EVALSHA", "EVALSHA"])  # the read, the refill
        self.assertEqual(len(sqls), 1, sqls)  # session, cutoff and user together


class RedisMergeTests(RedisLeg, TokenAPITestCase):
    """The Redis copy merges: whatever order writes land in, the later state stays."""

    def state(self, **changes: Any) -> SessionState:
        now = clock.current_time()
        fields: dict[str, Any] = {
            "subject": "7",
            "auth_time": now,
            "user_pk": "7",
            "refresh_jti": "j0",
            "generation": 0,
            "revoked": False,
            "expires_at": now + timedelta(hours=1),
        }
        fields.update(changes)
        return SessionState(**fields)

    def test_a_revoked_state_wins_over_any_live_one(self) -> None:
        store = revocation.get_store()
        assert isinstance(store, RedisStore)
        key = store.copies.session_key("s1", "7")
        revoked = _encode_state(self.state(revoked=True))
        store.copies.merge([(key, revoked, 60)])
        store.copies.merge([(key, _encode_state(self.state(generation=9)), 60)])
        self.assertEqual(store.copies.get([key]), [revoked])

    def test_a_later_generation_wins_over_an_earlier_one(self) -> None:
        store = revocation.get_store()
        assert isinstance(store, RedisStore)
        key = store.copies.session_key("s1", "7")
        later = _encode_state(self.state(generation=2, refresh_jti="j2"))
        store.copies.merge([(key, later, 60)])
        store.copies.merge([(key, _encode_state(self.state(generation=1)), 60)])
        self.assertEqual(store.copies.get([key]), [later])

    def test_a_later_cutoff_wins_over_an_earlier_one(self) -> None:
        now = clock.current_time()
        store = revocation.get_store()
        store.revoke_subject("7", cutoff=now, reason="logout_all")
        store.revoke_subject("7", cutoff=now - timedelta(seconds=5), reason="logout_all")
        self.assertEqual(SubjectCutoff.objects.get(subject="7").cutoff, now)
        _, cutoff = store.read("nothing", "7")
        self.assertIsNone(cutoff)  # an unknown session: the database answered
        assert isinstance(store, RedisStore)
        (value,) = store.copies.get([store.copies.cutoff_key("7")])
        self.assertEqual(_EPOCH + timedelta(microseconds=int(value or 0)), now)

    def test_a_copy_another_server_wrote_is_a_miss(self) -> None:
        # Hardening #2: a copy from another Redis process (a restored snapshot, a promoted
        # replica) may predate a revocation: it is read again from the database.
        tokens = self.login()
        self.assertEqual(self.get_with(PROTECTED_URL, tokens["access_token"]).status_code, 200)
        access = AccessToken(tokens["access_token"])
        store = revocation.get_store()
        assert isinstance(store, RedisStore)
        key = store.copies.session_key(access.session_id, access.subject)
        raw = redis_client()
        self.addCleanup(raw.close)
        stamp, _, live = str(raw.get(key)).partition("/")
        self.assertEqual(stamp, raw.info("server")["run_id"])
        revocation.revoke_session(access.session_id, access.subject, reason="logout")
        raw.set(key, f"{'0' * 40}/{live}", ex=60)  # "live", stamped by another server
        self.assertEqual(store.copies.get([key]), [None])
        self.assertError(self.get_with(PROTECTED_URL, tokens["access_token"]), 401, "token_revoked")
        self.assertEqual(raw.get(key), f"{stamp}/R")  # refilled by this server

    def test_keys_of_one_check_share_a_cluster_slot(self) -> None:
        store = revocation.get_store()
        assert isinstance(store, RedisStore)
        for subject in ("7", "a}b", "{x}", "ü"):
            session, cutoff = (
                store.copies.session_key("s", subject),
                store.copies.cutoff_key(subject),
            )
            tag = session[session.index("{") + 1 :]
            tag = tag[: tag.index("}")]
            self.assertTrue(cutoff.startswith(session[: session.index("{") + 1] + tag + "}"))

    def test_an_unreachable_redis_fails_closed(self) -> None:
        tokens = self.login()
        with self.paseto(DENYLIST_REDIS_URL=DEAD_REDIS_URL):
            for method, url, token in (
                ("get", PROTECTED_URL, "access_token"),
                ("post", REFRESH_URL, "refresh_token"),
                ("post", LOGOUT_URL, "access_token"),
                ("post", LOGOUT_ALL_URL, "refresh_token"),
            ):
                with self.subTest(url=url):
                    response = getattr(self.client, method)(url, **self.bearer(tokens[token]))
                    self.assertError(response, 503, "revocation_store_unavailable")
        # Nothing was written while Redis was away.
        self.assertIsNone(
            LoginSession.objects.get(pk=AccessToken(tokens["access_token"]).session_id).revoked_at
        )

    def test_checks_reuse_the_kept_clients_connections(self) -> None:
        # One pool per settings: checking 50 tokens opens no new connection per request.
        override = self.paseto(DENYLIST_REDIS_CLIENT="tests.helpers.counting_redis_client")
        override.enable()
        self.addCleanup(override.disable)
        bearer = self.bearer(self.login()["access_token"])
        self.assertEqual(self.client.get(PROTECTED_URL, **bearer).status_code, 200)
        before = REDIS_CONNECTIONS[0]
        self.assertGreaterEqual(before, 1)
        for _ in range(50):
            self.assertEqual(self.client.get(PROTECTED_URL, **bearer).status_code, 200)
        self.assertEqual(REDIS_CONNECTIONS[0], before)

    @tag("servers")  # redis-py retries a cluster's and a sentinel's start for seconds
    def test_an_unreachable_cluster_or_sentinel_fails_closed(self) -> None:
        tokens = self.login()
        for factory in ("cluster_client", "sentinel_client"):
            with (
                self.subTest(factory=factory),
                self.paseto(
                    DENYLIST_REDIS_URL=DEAD_REDIS_URL,
                    DENYLIST_REDIS_CLIENT=f"drf_paseto.stores.redis.{factory}",
                ),
            ):
                response = self.client.get(PROTECTED_URL, **self.bearer(tokens["access_token"]))
                self.assertError(response, 503, "revocation_store_unavailable")

    def test_concurrent_rotations_have_one_winner(self) -> None:
        with self.paseto(ROTATE_REFRESH_TOKENS=True):
            tokens = self.login()
            refresh = RefreshToken(tokens["refresh_token"])
            state = revocation.check(refresh)
            store = revocation.get_store()
            at = clock.current_time()
            # The database decides: these calls each make one conditional UPDATE.
            results = [
                store.refresh_session(
                    state, refresh.session_id, used_at=at, expires_at=at, rotate_to=f"j{i}"
                )
                for i in range(4)
            ]
        self.assertEqual(results, [True, False, False, False])


class DatabaseStoreUserRowTests(TokenAPITestCase):
    """``DatabaseStore.select_session``'s user row (``Manager.raw()``) is the user the ORM
    would load, in the one query, whatever the user model's table holds."""

    def authenticate(self, user: Any) -> tuple[Any, list[str]]:
        """Start a session for ``user``, then authenticate its access token: (the user the
        authenticator returned, with ``username`` read; the queries it took)."""
        from drf_paseto.authentication import PasetoAuthentication

        with paseto_settings(DENYLIST_ENABLED=True, DENYLIST_STORE="database"):
            refresh = RefreshToken.for_user(user)
            access = refresh.make_access_token()
            revocation.start_session(user, refresh, access)
            with CaptureQueriesContext(connection) as queries:
                found, _ = PasetoAuthentication().authenticate_token(str(access), "headers")
                self.assertEqual((found.pk, found.username), (user.pk, user.username))
        return found, [q["sql"] for q in queries]

    def test_a_multi_table_child_user_model_costs_one_query(self) -> None:
        # AUTH_USER_MODEL a child of another model: ``u.*`` is the child's own table, and
        # every field of the parent's (is_active, username...) cost a query of its own.
        from tests.models import ChildUser

        with override_settings(AUTH_USER_MODEL="tests.ChildUser"):
            child = ChildUser.objects.create_user("child", password=PASSWORD, nickname="kid")
            found, sqls = self.authenticate(child)
        self.assertIsInstance(found, ChildUser)
        self.assertEqual(found.nickname, "kid")
        self.assertEqual(len(sqls), 1, sqls)

    def test_a_column_the_user_model_does_not_map_is_not_an_attribute(self) -> None:
        # A column left in the table by a deploy that removed its field (dropped in a later
        # migration): the ORM never reads it. Mapped onto the user by name, it shadowed what
        # the model has under that name, or broke every request (a property: no setter).
        table = connection.ops.quote_name(get_user_model()._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} ADD COLUMN is_authenticated integer NULL")
        user = get_user_model().objects.create_user("legacy", password=PASSWORD)
        found, sqls = self.authenticate(user)
        self.assertIs(found.is_authenticated, True)
        self.assertEqual(len(sqls), 1, sqls)


class DatabaseStoreFailureTests(TokenAPITestCase):
    """DatabaseStore: a database that fails is a 503, a locked one (SQLite) is retried."""

    def setUp(self) -> None:
        super().setUp()
        override = paseto_settings(DENYLIST_ENABLED=True, ROTATE_REFRESH_TOKENS=True)
        override.enable()
        self.addCleanup(override.disable)
        self.store = DatabaseStore()

    def failing(self, *errors: Exception) -> Any:
        """Make the session reads raise ``errors`` in turn, then work."""
        real = DatabaseStore.select_session
        calls = iter(errors)

        def select(store: DatabaseStore, session_id: str) -> Any:
            error = next(calls, None)
            if error is not None:
                raise error
            return real(store, session_id)

        return mock.patch.object(DatabaseStore, "select_session", select)

    def test_unreachable_database_is_store_unavailable(self) -> None:
        for error in (
            OperationalError("could not connect to server: Connection refused"),
            DatabaseError("server closed the connection unexpectedly"),
        ):
            with self.subTest(error=error), self.failing(error):
                with self.assertRaises(StoreUnavailable) as caught:
                    self.store.read("s", "42")
                self.assertIs(caught.exception.__cause__, error)

    def test_a_locked_database_is_retried(self) -> None:
        locked = OperationalError("database is locked")
        attempts = iter([locked, locked])

        def operation() -> str:
            error = next(attempts, None)
            if error is not None:
                raise error
            return "done"

        with mock.patch("drf_paseto.stores.database.time.sleep") as sleep:
            self.assertEqual(self.store._retry(operation), "done")
        self.assertEqual([c.args[0] for c in sleep.call_args_list], [0.005, 0.01])

    def test_a_database_locked_for_too_long_is_store_unavailable(self) -> None:
        self.store.lock_retry_seconds = 0.02

        def operation() -> None:
            raise OperationalError("database is locked")

        with self.assertRaises(StoreUnavailable):
            self.store._retry(operation)

    def test_a_failing_store_is_a_503_on_every_path(self) -> None:
        tokens = self.login()
        error = OperationalError("could not connect to server")
        with mock.patch.object(DatabaseStore, "_retry", side_effect=StoreUnavailable()):
            for method, url, token in (
                ("get", PROTECTED_URL, "access_token"),
                ("post", REFRESH_URL, "refresh_token"),
                ("post", LOGOUT_URL, "access_token"),
            ):
                with self.subTest(url=url):
                    response = getattr(self.client, method)(url, **self.bearer(tokens[token]))
                    self.assertError(response, 503, "revocation_store_unavailable")
        with mock.patch.object(LoginSession, "save", side_effect=error):
            response = self.client.post(
                LOGIN_URL, {"username": USERNAME, "password": PASSWORD}, format="json"
            )
            self.assertError(response, 503, "revocation_store_unavailable")

    def test_flush_deletes_expired_sessions_and_orphan_cutoffs_only(self) -> None:
        old = RefreshToken.for_user(self.user, lifetime=timedelta(minutes=1))
        new = RefreshToken.for_user(self.user, lifetime=timedelta(days=1))
        revocation.start_session(self.user, old)
        revocation.start_session(self.user, new)
        revocation.revoke_user(str(self.user.pk), reason="logout_all")
        later = clock.current_time() + timedelta(hours=1)
        self.assertEqual(self.store.flush(later), 1)
        self.assertEqual(list(LoginSession.objects.values_list("pk", flat=True)), [new.session_id])
        self.assertNotEqual(old.session_id, new.session_id)
        self.assertTrue(SubjectCutoff.objects.exists())  # it still matches the new session
        self.assertEqual(self.store.flush(later + timedelta(days=2)), 1)  # the cutoff stays ...
        self.assertEqual(self.store.flush(later + timedelta(days=31)), 1)  # ... its grace
        self.assertFalse(SubjectCutoff.objects.exists())


class MisconfigurationTests(TokenAPITestCase):
    """Mistakes that only show at request time: a JSON 503, and a log line that says what
    to do (never a 500, never a query's values)."""

    def test_tables_not_migrated(self) -> None:
        tokens = self.login()
        with paseto_settings(DENYLIST_ENABLED=True):
            missing = OperationalError("no such table: drf_paseto_loginsession")
            with (
                mock.patch.object(DatabaseStore, "select_session", side_effect=missing),
                self.assertLogs("drf_paseto", "ERROR") as logs,
            ):
                response = self.client.get(PROTECTED_URL, **self.bearer(tokens["access_token"]))
        self.assertError(response, 503, "revocation_store_unavailable")
        self.assertIn("migrate drf_paseto", "\n".join(logs.output))

    def test_other_database_failures_log_their_kind_only(self) -> None:
        with (
            paseto_settings(DENYLIST_ENABLED=True),
            mock.patch.object(
                DatabaseStore, "select_session", side_effect=DatabaseError("secret-value=42")
            ),
            self.assertLogs("drf_paseto", "ERROR") as logs,
            self.assertRaises(StoreUnavailable),
        ):
            DatabaseStore().read("s", "1")
        self.assertIn("DatabaseError", logs.output[0])
        self.assertNotIn("secret-value", logs.output[0])

    def test_drf_paseto_not_in_installed_apps(self) -> None:
        tokens = self.login()
        with (
            paseto_settings(DENYLIST_ENABLED=True),
            mock.patch("drf_paseto.revocation.apps.is_installed", return_value=False),
            self.assertLogs("drf_paseto", "ERROR") as logs,
        ):
            response = self.client.get(PROTECTED_URL, **self.bearer(tokens["access_token"]))
        self.assertError(response, 503, "revocation_store_unavailable")
        self.assertIn("INSTALLED_APPS", logs.output[0])


class ReadReplicaRouter:
    """Reads go to a replica that never has the latest rows."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return "replica"

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return "default"

    def allow_relation(self, *objects: Any, **hints: Any) -> bool:
        return True


@override_settings(DATABASE_ROUTERS=[ReadReplicaRouter()])
class NoReplicaTests(TokenAPITestCase):
    """Sessions are read from the database they are written to, never from a replica."""

    databases = {"default", "replica"}

    def test_a_logout_is_seen_at_once_with_reads_routed_to_a_replica(self) -> None:
        # The replica has the user (logins read it there) but never the sessions.
        replica = get_user_model().objects.db_manager("replica")
        replica.create(pk=self.user.pk, username=USERNAME, password=self.user.password)
        with paseto_settings(DENYLIST_ENABLED=True):
            tokens = self.login()
            response = self.client.get(PROTECTED_URL, **self.bearer(tokens["access_token"]))
            self.assertEqual(response.status_code, 200, response.content)
            self.client.post(LOGOUT_URL, **self.bearer(tokens["access_token"]))
            response = self.client.get(PROTECTED_URL, **self.bearer(tokens["access_token"]))
            self.assertError(response, 401, "token_revoked")

    def test_a_user_deactivated_on_the_primary_is_refused_at_once(self) -> None:
        replica = get_user_model().objects.db_manager("replica")
        replica.create(pk=self.user.pk, username=USERNAME, password=self.user.password)
        with paseto_settings(DENYLIST_ENABLED=True):
            tokens = self.login()
            get_user_model().objects.filter(pk=self.user.pk).update(is_active=False)
            response = self.client.get(PROTECTED_URL, **self.bearer(tokens["access_token"]))
            self.assertError(response, 401, "user_inactive")


class AtomicRequestsTests(TransactionTestCase):
    """Under ``ATOMIC_REQUESTS`` a reuse's revocation commits though the answer is a 401."""

    def setUp(self) -> None:
        super().setUp()
        self.user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
        override = paseto_settings(DENYLIST_ENABLED=True, ROTATE_REFRESH_TOKENS=True)
        override.enable()
        self.addCleanup(override.disable)
        patcher = mock.patch.dict(connections["default"].settings_dict, ATOMIC_REQUESTS=True)
        patcher.start()
        self.addCleanup(patcher.stop)

    def post(self, url: str, token: str | None = None, **data: Any) -> Any:
        extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        return self.client.post(url, data, content_type="application/json", **extra)

    def test_a_reuse_revokes_the_session_for_good(self) -> None:
        tokens = self.post(LOGIN_URL, username=USERNAME, password=PASSWORD).json()
        rotated = self.post(REFRESH_URL, tokens["refresh_token"]).json()
        reuse = self.post(REFRESH_URL, tokens["refresh_token"])
        self.assertEqual((reuse.status_code, reuse.json()["code"]), (401, "token_reused"))
        session = LoginSession.objects.get(pk=RefreshToken(tokens["refresh_token"]).session_id)
        self.assertEqual(session.revoked_reason, "reuse")
        answer = self.post(REFRESH_URL, rotated["refresh_token"])
        self.assertEqual((answer.status_code, answer.json()["code"]), (401, "token_revoked"))


class GetStoreTests(SimpleTestCase):
    def test_named_stores(self) -> None:
        for name, store_class in (
            ("database", DatabaseStore),
            ("redis", RedisStore),
            ("cache", CacheStore),
        ):
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

    def test_cache_alias_read_when_used(self) -> None:
        with paseto_settings(DENYLIST_STORE="cache", CACHE_ALIAS="dummy"):
            self.assertIs(CacheStore().copies.cache, caches["dummy"])
            self.assertIs(CacheStore("default").copies.cache, caches["default"])

    def test_is_checked(self) -> None:
        access, refresh = AccessToken.for_subject("1"), RefreshToken.for_subject("1")
        with paseto_settings():
            self.assertFalse(revocation._is_checked(access))
        with paseto_settings(DENYLIST_ENABLED=True):
            self.assertTrue(revocation._is_checked(access))
            self.assertTrue(revocation._is_checked(refresh))
        with paseto_settings(DENYLIST_ENABLED=True, DENYLIST_TOKEN_CHECKS={"refresh"}):
            self.assertFalse(revocation._is_checked(access))
            self.assertTrue(revocation._is_checked(refresh))

    def test_longest_lifetime(self) -> None:
        with paseto_settings():
            self.assertEqual(clock._longest_lifetime(), timedelta(days=30))
        with paseto_settings(ACCESS_TOKEN_EXPIRES=7200, REFRESH_TOKEN_EXPIRES=60):
            self.assertEqual(clock._longest_lifetime(), timedelta(hours=2))


class MemoryStore(RevocationStore):
    """A custom store (``DENYLIST_STORE`` as a dotted path) that keeps only the interface."""


class DecideTests(SimpleTestCase):
    """The rule itself, on states made by hand."""

    def setUp(self) -> None:
        self.refresh = RefreshToken.for_subject("5")
        self.live = SessionState(
            subject="5",
            auth_time=clock.current_time() - timedelta(seconds=10),
            user_pk="5",
            refresh_jti=self.refresh.jti,
            generation=0,
            revoked=False,
            expires_at=clock.current_time() + timedelta(days=1),
        )

    def test_the_rule(self) -> None:
        auth = self.live.auth_time
        revocation.decide(self.refresh, self.live, None)
        revocation.decide(self.refresh, self.live, auth - timedelta(microseconds=1))
        refused = [
            (None, None, "token_revoked"),
            (self.live.__class__(**{**self.live.__dict__, "subject": "6"}), None, "token_revoked"),
            (self.live.__class__(**{**self.live.__dict__, "user_pk": None}), None, "token_revoked"),
            (self.live.__class__(**{**self.live.__dict__, "revoked": True}), None, "token_revoked"),
            (self.live, auth, "token_revoked"),
            (
                self.live.__class__(**{**self.live.__dict__, "refresh_jti": "x"}),
                None,
                "token_reused",
            ),
        ]
        for state, cutoff, code in refused:
            with self.subTest(state=state, cutoff=cutoff), raises_code(self, code):
                revocation.decide(self.refresh, state, cutoff)
        access = self.refresh.access_token
        revocation.decide(
            access, self.live.__class__(**{**self.live.__dict__, "refresh_jti": "x"}), None
        )

    def test_states_survive_their_encoding(self) -> None:
        decoded = _decode_state(_encode_state(self.live), "5")
        self.assertEqual(decoded, self.live)
        odd = self.live.__class__(**{**self.live.__dict__, "user_pk": "a|b|c"})
        self.assertEqual(_decode_state(_encode_state(odd), "5"), odd)
        for garbage in ("", "L", "X|1|2|3|j|u", "L|a|2|3|j|u"):
            with self.subTest(garbage=garbage), self.assertRaises(ValueError):
                _decode_state(garbage, "5")
        self.assertTrue(_decode_state("R", "5").revoked)

    def test_the_interface_must_be_implemented(self) -> None:
        store = MemoryStore()
        at = clock.current_time()
        for call in (
            lambda: store.read("s", "1"),
            lambda: store.open_session(LoginSession()),
            lambda: store.refresh_session(self.live, "s", used_at=at, expires_at=at),
            lambda: store.revoke_session("s", "1", at=at, reason="logout"),
            lambda: store.revoke_subject("1", cutoff=at, reason="logout_all"),
        ):
            with self.assertRaises(NotImplementedError):
                call()


class UnreachableCacheTests(TokenAPITestCase):
    """The cache store with a cache that fails: fail closed, as a JSON 503."""

    def test_requests_answer_503(self) -> None:
        with paseto_settings(DENYLIST_ENABLED=True, DENYLIST_STORE="cache"):
            tokens = self.login()
            with mock.patch.object(caches["default"], "get_many", side_effect=ConnectionError()):
                response = self.client.get(PROTECTED_URL, **self.bearer(tokens["access_token"]))
            self.assertError(response, 503, "revocation_store_unavailable")
            with mock.patch.object(caches["default"], "delete_many", side_effect=OSError()):
                response = self.client.post(LOGOUT_URL, **self.bearer(tokens["access_token"]))
            self.assertError(response, 503, "revocation_store_unavailable")
            # Nothing was written: the logout can be tried again.
            self.assertIsNone(LoginSession.objects.get().revoked_at)
        caches["default"].clear()


class ThreadedRotationTests(TransactionTestCase):
    """Rotations of one refresh token from many threads (each with its own connection):
    exactly one wins, on the database that decides."""

    def test_one_winner(self) -> None:
        user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
        with paseto_settings(DENYLIST_ENABLED=True, ROTATE_REFRESH_TOKENS=True):
            refresh = RefreshToken.for_user(user)
            revocation.start_session(user, refresh)
            state = revocation.check(refresh)
            store = revocation.get_store()
            barrier = threading.Barrier(6)
            results: list[bool] = []

            def rotate(index: int) -> None:
                try:
                    barrier.wait()
                    at = clock.current_time()
                    results.append(
                        store.refresh_session(
                            state,
                            refresh.session_id,
                            used_at=at,
                            expires_at=at,
                            rotate_to=f"jti{index}",
                        )
                    )
                finally:
                    connection.close()

            threads = [threading.Thread(target=rotate, args=(i,)) for i in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        self.assertEqual(sorted(results), [False] * 5 + [True])


# --- Redis clients: timeouts (hardening #4) and key prefixes (#15) ----------------------------


class RedisClientTimeoutTests(SimpleTestCase):
    """Every client the package builds has explicit timeouts, which the URL can change."""

    def assertTimeouts(self, kwargs: dict[str, Any], read: float, connect: float) -> None:
        self.assertEqual(
            (kwargs["socket_timeout"], kwargs["socket_connect_timeout"]), (read, connect)
        )

    def test_a_single_servers_client(self) -> None:
        from drf_paseto.stores.redis import redis_client

        client = redis_client("redis://127.0.0.1:1/0")
        self.assertTimeouts(client.connection_pool.connection_kwargs, 1.0, 2.0)
        client = redis_client("redis://127.0.0.1:1/0?socket_timeout=0.25&socket_connect_timeout=3")
        self.assertTimeouts(client.connection_pool.connection_kwargs, 0.25, 3.0)
        client = redis_client("redis://127.0.0.1:1/0", socket_timeout=5)
        self.assertTimeouts(client.connection_pool.connection_kwargs, 5, 2.0)

    def test_a_sentinels_clients(self) -> None:
        from drf_paseto.stores.redis import sentinel_client

        master = sentinel_client(["redis://127.0.0.1:1?socket_timeout=0.5"], master="m")
        self.assertTimeouts(master.connection_pool.connection_kwargs, 0.5, 2.0)
        sentinels = master.connection_pool.sentinel_manager.sentinels
        self.assertTimeouts(sentinels[0].connection_pool.connection_kwargs, 0.5, 2.0)

    @skipUnless(REDIS_CLUSTER_URL and HAS_REDIS_PY, "needs DRF_PASETO_TEST_REDIS_CLUSTER")
    def test_a_clusters_clients(self) -> None:
        from drf_paseto.stores.redis import cluster_client

        client = cluster_client(REDIS_CLUSTER_URL)
        self.addCleanup(client.close)
        for node in client.get_nodes():
            self.assertTimeouts(node.redis_connection.connection_pool.connection_kwargs, 1.0, 2.0)


class OwnRedis:
    """A redis-server of the test's own, with ``args`` (AOF and snapshots off unless they
    say otherwise), on one port for its life: ``start()`` again after ``kill()`` loads what
    ``save()`` snapshotted, as a new process (a new ``run_id``: a restore, or a failover to
    a replica). ``pause()`` stops it answering (SIGSTOP) while the kernel still accepts
    connections."""

    def __init__(self, *args: str) -> None:
        self.dir = tempfile.mkdtemp(prefix="drf_paseto_redis_")
        self.port = free_port()
        self.args = args
        self.process: subprocess.Popen[bytes] | None = None

    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> OwnRedis:
        command = [str(redis_server_path()), *self.args, "--port", str(self.port)]
        command += ["--bind", "127.0.0.1", "--dir", self.dir, "--daemonize", "no"]
        if "--sentinel" not in self.args:
            command += ["--appendonly", "no", "--save", ""]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        wait_until(self.ping, 15, "redis-server to answer PING")
        return self

    def client(self) -> Any:
        import redis

        return redis.Redis(port=self.port, socket_timeout=1, decode_responses=True)

    def ping(self) -> bool:
        import redis

        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def save(self) -> None:
        self.client().save()

    def signal(self, sig: int) -> None:
        if self.process is not None:
            self.process.send_signal(sig)

    def kill(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            process.wait(timeout=10)

    def cleanup(self) -> None:
        self.signal(signal.SIGCONT)
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


@tag("servers")
@skipUnless(redis_server_path() and HAS_REDIS_PY, "needs redis-server")
class PausedRedisTests(TokenAPITestCase):
    """A Redis that accepts connections but never answers (SIGSTOP): a request answers 503
    within a few seconds, instead of hanging (hardening #4)."""

    #: The longest a request may take against a paused Redis.
    bound_seconds = 5.0

    def setUp(self) -> None:
        super().setUp()
        self.redis = self.own_redis()

    def own_redis(self, *args: str) -> OwnRedis:
        server = OwnRedis(*args)
        self.addCleanup(server.cleanup)
        return server.start()

    def pause(self, server: OwnRedis) -> None:
        server.signal(signal.SIGSTOP)
        # Before the fix a request would wait forever: a watchdog resumes Redis after 20 s,
        # so that the test fails on the time taken instead of hanging the suite.
        watchdog = threading.Timer(20, server.signal, [signal.SIGCONT])
        watchdog.daemon = True
        watchdog.start()
        self.addCleanup(watchdog.cancel)

    def assertFastUnavailable(self, token: str) -> None:
        started = time.monotonic()
        response = self.client.get(PROTECTED_URL, **self.bearer(token))
        taken = time.monotonic() - started
        self.assertError(response, 503, "revocation_store_unavailable")
        self.assertLess(taken, self.bound_seconds)

    def test_the_redis_store(self) -> None:
        with paseto_settings(
            DENYLIST_ENABLED=True, DENYLIST_STORE="redis", DENYLIST_REDIS_URL=self.redis.url()
        ):
            tokens = self.login()
            response = self.client.get(PROTECTED_URL, **self.bearer(tokens["access_token"]))
            self.assertEqual(response.status_code, 200)  # a pooled connection, and a warm copy
            self.pause(self.redis)
            with self.assertLogs("drf_paseto", "ERROR"):
                self.assertFastUnavailable(tokens["access_token"])

    def assertPausedIsUnavailable(self, paused: OwnRedis, **config: Any) -> None:
        with paseto_settings(DENYLIST_ENABLED=True, DENYLIST_STORE="redis", **config):
            tokens = self.login()
            response = self.client.get(PROTECTED_URL, **self.bearer(tokens["access_token"]))
            self.assertEqual(response.status_code, 200)  # a pooled connection, and a warm copy
            self.pause(paused)
            with self.assertLogs("drf_paseto", "ERROR"):
                self.assertFastUnavailable(tokens["access_token"])

    def test_a_cluster_node(self) -> None:
        # The bus on a port of its own: a free port may be too high for port + 10000.
        node = self.own_redis("--cluster-enabled", "yes", "--cluster-port", str(free_port()))
        node.client().execute_command("CLUSTER", "ADDSLOTSRANGE", "0", "16383")
        wait_until(
            lambda: "cluster_state:ok" in node.client().execute_command("CLUSTER", "INFO"),
            15,
            "a one-node cluster",
        )
        self.assertPausedIsUnavailable(
            node,
            DENYLIST_REDIS_URL=node.url(),
            DENYLIST_REDIS_CLIENT="drf_paseto.stores.redis.cluster_client",
        )

    def test_a_sentinels_master(self) -> None:
        master = self.own_redis()
        sentinel = OwnRedis("--sentinel")
        conf = Path(sentinel.dir) / "sentinel.conf"
        conf.write_text(f"sentinel monitor mymaster 127.0.0.1 {master.port} 1\n")
        sentinel.args = (str(conf), "--sentinel")
        self.addCleanup(sentinel.cleanup)
        sentinel.start()
        self.assertPausedIsUnavailable(
            master,
            DENYLIST_REDIS_URL=f"redis://127.0.0.1:{sentinel.port}",
            DENYLIST_REDIS_CLIENT="drf_paseto.stores.redis.sentinel_client",
        )

    def test_the_shared_redis_store_of_a_verify_only_service(self) -> None:
        token = forge(claims("alice"))
        with paseto_settings(
            DENYLIST_ENABLED=True,
            DENYLIST_STORE="drf_paseto.stores.verify_only.SharedRedisStore",
            DENYLIST_REDIS_URL=self.redis.url(),
            INTROSPECT_URL="http://orders:secret@127.0.0.1:1/introspect/",
        ):
            self.pause(self.redis)
            with self.assertLogs("drf_paseto", "ERROR"):
                started = time.monotonic()
                response = self.client.get("/stateless/", **self.bearer(token))
            self.assertError(response, 503, "revocation_store_unavailable")
            self.assertLess(time.monotonic() - started, self.bound_seconds)


@skipUnless(REDIS_URL and HAS_REDIS_PY, REDIS_SKIP_REASON)
class SharedRedisPrefixTests(TokenAPITestCase):
    """Two projects on one Redis: with the default prefix they share each user's cutoff key
    (docs/revocation.md says so, loudly); a prefix of their own keeps them apart (#15)."""

    def project(self, prefix: str) -> Any:
        return paseto_settings(
            DENYLIST_ENABLED=True,
            DENYLIST_STORE="redis",
            DENYLIST_REDIS_URL=REDIS_URL,
            DENYLIST_REDIS_KEY_PREFIX=prefix,
        )

    def test_a_prefix_of_its_own_keeps_a_projects_logout_everywhere_to_itself(self) -> None:
        suffix = secrets.token_hex(4)
        self.addCleanup(delete_redis_keys, f"*_{suffix}:*")
        with self.project(f"blog_{suffix}"):
            tokens = self.login()
            self.assertEqual(self.get_with(PROTECTED_URL, tokens["access_token"]).status_code, 200)
        subject = AccessToken(tokens["access_token"]).subject
        with self.project(f"shop_{suffix}"):  # the shop logs its user with that id out
            revocation.revoke_user(subject, reason="logout_all")
        with self.project(f"blog_{suffix}"):
            self.assertEqual(self.get_with(PROTECTED_URL, tokens["access_token"]).status_code, 200)


# --- a Redis restored from an older snapshot (hardening #2) ---------------------------------


@tag("servers")
@skipUnless(redis_server_path() and HAS_REDIS_PY, "needs redis-server")
class RedisSnapshotRestoreTests(TokenAPITestCase):
    """Log in, make one call (the copy says "live"), snapshot, log out (401), restart Redis on
    the snapshot: the logged-out token stays refused, on the issuer's RedisStore and on a
    verify-only service's SharedRedisStore."""

    def setUp(self) -> None:
        super().setUp()
        self.redis = OwnRedis("--dbfilename", "dump.rdb")
        self.addCleanup(self.redis.cleanup)
        self.redis.start()
        override = paseto_settings(
            DENYLIST_ENABLED=True, DENYLIST_STORE="redis", DENYLIST_REDIS_URL=self.redis.url()
        )
        override.enable()
        self.addCleanup(override.disable)

    def logged_out_then_restored(self) -> dict[str, str]:
        tokens = self.login()
        self.assertEqual(self.get_with(PROTECTED_URL, tokens["access_token"]).status_code, 200)
        self.redis.save()  # the copy in the snapshot: live
        response = self.client.post(LOGOUT_URL, **self.bearer(tokens["access_token"]))
        self.assertEqual(response.status_code, 204)
        self.assertError(self.get_with(PROTECTED_URL, tokens["access_token"]), 401, "token_revoked")
        self.redis.kill()
        self.redis.start()  # the snapshot from before the logout
        return tokens

    def test_the_redis_store(self) -> None:
        tokens = self.logged_out_then_restored()
        self.assertError(self.get_with(PROTECTED_URL, tokens["access_token"]), 401, "token_revoked")
        self.assertError(
            self.client.post(REFRESH_URL, **self.bearer(tokens["refresh_token"])),
            401,
            "token_revoked",
        )

    def test_the_shared_redis_store_of_a_verify_only_service(self) -> None:
        tokens = self.logged_out_then_restored()
        issuer = KeySetServer()  # plays the issuer's introspect/: the token is not active
        self.addCleanup(issuer.stop)
        issuer.answer(b'{"active": false}')
        with paseto_settings(
            DENYLIST_ENABLED=True,
            DENYLIST_STORE="drf_paseto.stores.verify_only.SharedRedisStore",
            DENYLIST_REDIS_URL=self.redis.url(),
            INTROSPECT_URL=issuer.url.replace("http://", "http://orders:secret@"),
        ):
            response = self.client.get("/stateless/", **self.bearer(tokens["access_token"]))
        self.assertError(response, 401, "token_revoked")
        self.assertEqual(issuer.hits, 1)  # the restored copy was not trusted: the issuer was asked
