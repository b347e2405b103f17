"""The request path's fast paths give the answers of the slow paths they replace.

* ``DatabaseStore.check``: SQL compiled once by the ORM, run on a raw cursor, against the
  ORM query it replaces (``filter(key__in=...).values_list("key", "cutoff")``), on the
  default database: SQLite in a plain run, PostgreSQL in the suite's PostgreSQL leg
  (``DRF_PASETO_TEST_DATABASE``);
* ``CacheStore.check`` on Django's ``RedisCache``: one ``MGET`` on a kept client, against
  ``get_many`` (the Redis leg needs ``DRF_PASETO_TEST_REDIS``); any other backend keeps
  ``get_many``;
* ``PasetoAuthentication.get_user``: the default manager's query compiled once, against
  ``_default_manager.get()``; a custom manager keeps the ORM;
* the token layer: the known-footer map, canonical base64url by the last character, the
  canonical time format, the depth walk skipped for flat payloads: the same refusals.
"""

from __future__ import annotations

import base64
import binascii
import importlib.util
import itertools
import json
import os
import random
import re
import threading
from datetime import datetime, timedelta, timezone
from typing import Any
from unittest import mock, skipUnless

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import UserManager
from django.core.cache import caches
from django.db import DatabaseError, OperationalError, connection
from django.test import SimpleTestCase, TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from drf_paseto import backend, encoding, revocation
from drf_paseto import keys as ring_module
from drf_paseto import tokens as tokens_module
from drf_paseto.authentication import (
    PasetoAuthentication,
    UserReader,
    get_user_reader,
)
from drf_paseto.exceptions import (
    DatabaseUnavailable,
    StoreUnavailable,
    TokenClaimsInvalid,
    TokenError,
    TokenInvalid,
    TokenKeyUnknown,
    TokenRevoked,
    UserInactive,
    UserNotFound,
)
from drf_paseto.keys import KeyRing, get_key_ring
from drf_paseto.models import DenylistEntry
from drf_paseto.revocation import (
    EPOCH,
    KEY_PREFIX,
    CacheStore,
    DatabaseStore,
    PreparedSelect,
    RedisReader,
    Verdict,
    token_keys,
)
from drf_paseto.settings import api_settings
from drf_paseto.tokens import AccessToken, RefreshToken, Token, current_time
from tests import keys
from tests.test_views import paseto_settings

REDIS_CONFIGURED = "redis" in settings.CACHES
REDIS_SKIP_REASON = (
    "the Redis leg needs a Redis server: set DRF_PASETO_TEST_REDIS "
    '(eval "$(bash .ci/services.sh)") to add the "redis" cache alias'
)
DEAD_REDIS = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",
}


def utcnow() -> datetime:
    return datetime.now(tz=timezone.utc)


def token_at(moment: datetime, subject: str = "42", token_class: Any = AccessToken) -> Any:
    with mock.patch("drf_paseto.tokens.current_time", return_value=moment):
        return token_class.for_subject(subject)


# --- the slow paths, as they were -------------------------------------------------------------


def orm_verdict(token: Token) -> Verdict:
    """``DatabaseStore.check`` through the ORM, as before the compiled SQL."""
    rows = DenylistEntry.objects.filter(key__in=token_keys(token)).values_list("key", "cutoff")
    return Verdict(revoked=revocation._revoked(token, dict(rows)))


def get_many_verdict(store: CacheStore, token: Token) -> Verdict:
    """``CacheStore.check`` through ``get_many``, as before the kept Redis client."""
    keys_ = [*token_keys(token), f"userobj:{token.subject}"]
    found = store.cache.get_many([KEY_PREFIX + key for key in keys_])
    facts = {key[len(KEY_PREFIX) :]: value for key, value in found.items()}
    cutoff = facts.get(f"user:{token.subject}")
    if cutoff is not None:
        facts[f"user:{token.subject}"] = EPOCH + timedelta(microseconds=cutoff)
    user = facts.get(f"userobj:{token.subject}")
    return Verdict(
        revoked=revocation._revoked(token, facts),
        user=None if user == CacheStore._FORGOTTEN else user,
    )


def orm_user(auth: PasetoAuthentication, token: Token) -> Any:
    """``get_user`` through ``_default_manager.get()``, as before the compiled query."""
    with mock.patch("drf_paseto.authentication.get_user_reader", return_value=None):
        return auth.get_user(token)


def outcome(call: Any) -> Any:
    """A call's result, or its error's class: what two paths must agree on."""
    try:
        return call()
    except Exception as err:
        return type(err)


# --- the revocation check ---------------------------------------------------------------------


class Scenarios:
    """Tokens and the facts about them that every store leg is checked on."""

    def scenarios(self, store: revocation.RevocationStore) -> list[tuple[str, Token]]:
        now = utcnow()
        early = token_at(now - timedelta(minutes=5), subject="7")
        late = token_at(now + timedelta(seconds=1), subject="7")
        at_cutoff = token_at(now, subject="8")
        revoked = token_at(now, subject="9")
        session = token_at(now, subject="9")
        spent = token_at(now, subject="10", token_class=RefreshToken)
        live = token_at(now, subject="11")
        expiry = now + timedelta(hours=1)
        store.revoke_user("7", now, expiry)
        store.revoke_user("8", now, expiry)
        store.revoke_token(revoked)
        store.revoke_session(session.session_id, "9", expiry)
        self.assertTrue(store.spend(spent))  # type: ignore[attr-defined]
        return [
            ("issued before the user's cutoff", early),
            ("issued after the user's cutoff", late),
            ("issued at the user's cutoff", at_cutoff),
            ("jti revoked", revoked),
            ("session revoked", session),
            ("spent refresh token (not a revocation)", spent),
            ("no fact at all", live),
        ]


class DatabaseCheckTests(Scenarios, TestCase):
    """The compiled facts query, on the default database (SQLite or PostgreSQL)."""

    def setUp(self) -> None:
        self.store = DatabaseStore()

    def test_same_verdicts_as_the_orm(self) -> None:
        expected = {
            "issued before the user's cutoff": True,
            "issued after the user's cutoff": False,
            "issued at the user's cutoff": True,
            "jti revoked": True,
            "session revoked": True,
            "spent refresh token (not a revocation)": False,
            "no fact at all": False,
        }
        for name, token in self.scenarios(self.store):
            with self.subTest(name):
                verdict = self.store.check(token)
                self.assertEqual(verdict, orm_verdict(token))
                self.assertEqual(verdict.revoked, expected[name])

    def test_cutoffs_are_converted_as_the_orm_converts_them(self) -> None:
        cutoff = datetime(2031, 5, 6, 7, 8, 9, 987654, tzinfo=timezone.utc)
        self.store.revoke_user("7", cutoff, cutoff + timedelta(days=1))
        select = DatabaseStore._prepare_facts(connection.alias)
        assert select is not None
        rows = select.fetch(connection, ["jti:x", "sid:y", "user:7"], 3)
        self.assertEqual(rows, [["user:7", cutoff]])
        self.assertEqual(rows[0][1].utcoffset(), timedelta(0))
        self.assertEqual(
            rows, [list(r) for r in DenylistEntry.objects.values_list("key", "cutoff")]
        )

    def test_one_query_without_ordering_and_compiled_once(self) -> None:
        token = token_at(utcnow())
        with CaptureQueriesContext(connection) as queries:
            self.store.check(token)
            self.store.check(token)
        self.assertEqual(len(queries), 2)
        self.assertIn(DenylistEntry._meta.db_table, queries[0]["sql"])
        self.assertNotIn("ORDER BY", queries[0]["sql"].upper())
        self.assertEqual(list(self.store._facts_selects), [connection.alias])
        with mock.patch.object(DatabaseStore, "_prepare_facts") as prepare:
            self.store.check(token)
        prepare.assert_not_called()

    def test_a_locked_database_is_retried_then_read(self) -> None:
        token = token_at(utcnow())
        self.store.revoke_token(token)
        self.store.check(token)  # compiled
        locked = OperationalError("database is locked")
        real = PreparedSelect.fetch
        calls = iter([locked, locked])

        def fetch(select: PreparedSelect, *args: Any) -> Any:
            error = next(calls, None)
            if error is not None:
                raise error
            return real(select, *args)

        with (
            mock.patch.object(PreparedSelect, "fetch", fetch),
            mock.patch("drf_paseto.revocation.time.sleep") as sleep,
        ):
            self.assertEqual(self.store.check(token), Verdict(revoked=True))
        self.assertEqual([c.args[0] for c in sleep.call_args_list], [0.005, 0.01])

    def test_a_failing_database_is_store_unavailable(self) -> None:
        token = token_at(utcnow())
        self.store.check(token)  # compiled
        for error in (OperationalError("connection refused"), DatabaseError("gone")):
            with (
                self.subTest(error=error),
                mock.patch.object(PreparedSelect, "fetch", side_effect=error),
                self.assertRaises(StoreUnavailable) as caught,
            ):
                self.store.check(token)
            self.assertIs(caught.exception.__cause__, error)

    def test_the_orm_path_is_kept_where_no_sql_was_compiled(self) -> None:
        now = utcnow()
        token = token_at(now - timedelta(minutes=1))
        self.store.revoke_user("42", now, now + timedelta(hours=1))
        self.store._facts_selects[connection.alias] = None
        self.assertEqual(self.store.check(token), Verdict(revoked=True))

    @skipUnless(
        connection.vendor == "postgresql",
        "the PostgreSQL leg: DRF_PASETO_TEST_DATABASE=$DRF_PASETO_TEST_POSTGRES",
    )
    def test_postgresql_returns_aware_cutoffs(self) -> None:  # pragma: no cover - PG leg
        cutoff = datetime(2031, 5, 6, 7, 8, 9, 987654, tzinfo=timezone.utc)
        self.store.revoke_user("7", cutoff, cutoff + timedelta(days=1))
        self.assertEqual(self.store.check(token_at(cutoff, subject="7")), Verdict(revoked=True))
        later = token_at(cutoff + timedelta(microseconds=1), subject="7")
        self.assertEqual(self.store.check(later), Verdict(revoked=False))


class PreparedSelectTests(TestCase):
    def test_converters_run_with_the_connection_that_runs_the_query(self) -> None:
        queryset = DenylistEntry.objects.order_by().values_list("key", "cutoff")
        select = PreparedSelect(queryset.query.get_compiler(using=connection.alias))
        now = utcnow()
        DenylistEntry.objects.create(key="user:1", kind="user", cutoff=now, expires_at=now)
        self.assertEqual(select.fetch(connection, select.params, 5), [["user:1", now]])

    def test_no_converters(self) -> None:
        queryset = DenylistEntry.objects.order_by().values_list("key")
        select = PreparedSelect(queryset.query.get_compiler(using=connection.alias))
        select._converters = []
        DenylistEntry.objects.create(key="jti:1", kind="jti", expires_at=utcnow())
        self.assertEqual(select.fetch(connection, select.params, 5), [["jti:1"]])

    def test_field_converters_are_called_as_they_are(self) -> None:
        queryset = DenylistEntry.objects.order_by().values_list("key")
        select = PreparedSelect(queryset.query.get_compiler(using=connection.alias))
        seen: list[Any] = []

        def upper(value: Any, expression: Any, conn: Any) -> Any:
            seen.append(conn)
            return value.upper()

        select._converters = [(0, ((upper, False),), None)]
        DenylistEntry.objects.create(key="jti:a", kind="jti", expires_at=utcnow())
        self.assertEqual(select.fetch(connection, select.params, 5), [["JTI:A"]])
        self.assertEqual(seen, [connection])


class CacheCheckTests(Scenarios):
    """One cache leg: the fast path (or not) against ``get_many``."""

    alias = "default"
    fast = False

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        for override in self.overrides():
            override.enable()
            self.addCleanup(override.disable)  # type: ignore[attr-defined]
        self.store = CacheStore()
        self.clear()
        self.addCleanup(self.clear)  # type: ignore[attr-defined]

    def overrides(self) -> list[override_settings]:
        return [
            paseto_settings(
                DENYLIST_ENABLED=True, DENYLIST_STORE="cache", DENYLIST_CACHE_ALIAS=self.alias
            )
        ]

    def clear(self) -> None:
        caches[self.alias].clear()

    def test_same_verdicts_as_get_many(self) -> None:
        self.assertEqual(self.store._redis() is not None, self.fast)
        for name, token in self.scenarios(self.store):
            with self.subTest(name):
                self.assertEqual(self.store.check(token), get_many_verdict(self.store, token))

    def test_kept_users_and_the_forgotten_marker(self) -> None:
        user = get_user_model()(pk=11, username="kept", is_active=True)
        token = token_at(utcnow(), subject="11")
        self.assertEqual(self.store.check(token), Verdict(revoked=False))
        self.store.remember_user("11", user)
        verdict = self.store.check(token)
        self.assertEqual(verdict, get_many_verdict(self.store, token))
        self.assertEqual(verdict.user, user)
        self.assertEqual(verdict.user.username, "kept")
        self.store.forget_user("11")
        self.assertEqual(self.store.check(token), Verdict(revoked=False, user=None))
        self.assertEqual(get_many_verdict(self.store, token), Verdict(revoked=False))
        self.store.revoke_token(token)
        self.assertEqual(self.store.check(token), get_many_verdict(self.store, token))


class LocMemCheckTests(CacheCheckTests, TestCase):
    """LocMemCache is not Redis: ``get_many`` stays."""

    def test_no_kept_client(self) -> None:
        self.assertIsNone(self.store._redis())
        with mock.patch.object(
            type(caches["default"]), "get_many", wraps=caches["default"].get_many
        ) as get_many:
            self.store.check(token_at(utcnow()))
        get_many.assert_called_once()


@skipUnless(REDIS_CONFIGURED, REDIS_SKIP_REASON)
class RedisCheckTests(CacheCheckTests, TestCase):
    alias = "redis"
    fast = True
    key_prefix = f"drf_paseto_tests_fast_{os.getpid()}"

    def overrides(self) -> list[override_settings]:
        config = {**settings.CACHES["redis"], "KEY_PREFIX": self.key_prefix, "VERSION": 3}
        return [
            override_settings(CACHES={**settings.CACHES, "redis": config}),
            *super().overrides(),
        ]

    @property
    def redis(self) -> Any:
        return caches["redis"]._cache.get_client(write=True)

    def clear(self) -> None:
        found = list(self.redis.scan_iter(match=f"{self.key_prefix}:*"))
        if found:
            self.redis.delete(*found)

    def test_one_kept_client_and_the_cache_s_key_function(self) -> None:
        kept = self.store._redis()
        assert kept is not None
        self.assertIs(self.store._redis(), kept)
        self.assertIs(CacheStore()._redis(), kept)  # per alias, not per store object
        client, make_key, _ = kept
        self.assertEqual(make_key("k"), f"{self.key_prefix}:3:k")
        token = token_at(utcnow())
        self.store.revoke_token(token)
        with mock.patch.object(client, "mget", wraps=client.mget) as mget:
            self.assertEqual(self.store.check(token), Verdict(revoked=True))
        (keys_,), _ = mget.call_args
        self.assertEqual(
            keys_,
            [
                caches["redis"].make_key(KEY_PREFIX + key)
                for key in [*token_keys(token), f"userobj:{token.subject}"]
            ],
        )

    def test_a_custom_key_function_is_respected(self) -> None:
        def key_function(key: str, prefix: str, version: int) -> str:
            return f"custom|{prefix}|{version}|{key}"

        config = {**settings.CACHES["redis"], "KEY_PREFIX": self.key_prefix}
        with override_settings(
            CACHES={**settings.CACHES, "redis": {**config, "KEY_FUNCTION": key_function}}
        ):
            store = CacheStore()
            token = token_at(utcnow())
            store.revoke_token(token)
            try:
                self.assertEqual(store.check(token), Verdict(revoked=True))
                self.assertEqual(get_many_verdict(store, token), Verdict(revoked=True))
            finally:
                client = caches["redis"]._cache.get_client(write=True)
                client.delete(*client.keys("custom|*"))

    def test_changing_caches_drops_the_kept_client(self) -> None:
        kept = self.store._redis()
        with override_settings(CACHES={**settings.CACHES, "redis": DEAD_REDIS}):
            self.assertNotIn(f"redis_client:{self.alias}", api_settings.derived)
            with self.assertRaises(StoreUnavailable):
                self.store.check(token_at(utcnow()))
        self.assertIsNot(self.store._redis(), kept)

    def test_a_value_that_cannot_be_read_is_store_unavailable(self) -> None:
        token = token_at(utcnow())
        self.redis.set(caches["redis"].make_key(f"{KEY_PREFIX}userobj:42"), b"\x80not a pickle")
        with self.assertRaises(StoreUnavailable):
            self.store.check(token)

    def test_reads_go_to_the_primary(self) -> None:
        cache = caches["redis"]
        with mock.patch.object(
            type(cache._cache), "get_client", wraps=cache._cache.get_client
        ) as get_client:
            api_settings.derived.pop(f"redis_client:{self.alias}", None)
            self.store._redis()
        get_client.assert_called_once_with(write=True)

    def test_requests_end_to_end(self) -> None:
        user = get_user_model().objects.create_user("redis-fast", password="pw")
        auth = PasetoAuthentication()
        token = str(AccessToken.for_user(user))
        self.assertEqual(auth.authenticate_token(token, "headers")[0], user)
        kept_user, _ = auth.authenticate_token(token, "headers")  # from the kept copy
        self.assertEqual(kept_user, user)
        user.is_active = False
        user.save()
        with self.assertRaises(UserInactive):
            auth.authenticate_token(token, "headers")
        revocation.get_store().revoke_token(AccessToken(token))
        with self.assertRaises(TokenRevoked):
            auth.authenticate_token(token, "headers")


@skipUnless(REDIS_CONFIGURED, REDIS_SKIP_REASON)
class RedisReaderTests(SimpleTestCase):
    """The per-thread connection: a round trip every call, never a stale reply."""

    def setUp(self) -> None:
        self.client = caches["redis"]._cache.get_client(write=True)
        self.reader = RedisReader.for_client(self.client)
        self.assertIsInstance(self.reader, RedisReader)
        self.key = caches["redis"].make_key(f"drf_paseto_tests_reader_{os.getpid()}")
        self.addCleanup(self.client.delete, self.key)

    def test_every_call_reads_redis(self) -> None:
        self.assertEqual(self.reader.mget([self.key, self.key]), [None, None])
        self.client.set(self.key, b"1")
        self.assertEqual(self.reader.mget([self.key]), [b"1"])
        self.client.delete(self.key)
        self.assertEqual(self.reader.mget([self.key]), [None])

    def test_one_connection_per_thread(self) -> None:
        self.reader.mget([self.key])
        mine = self.reader._local.connection
        self.reader.mget([self.key])
        self.assertIs(self.reader._local.connection, mine)
        seen: list[Any] = []
        thread = threading.Thread(
            target=lambda: (
                self.reader.mget([self.key]),
                seen.append(self.reader._local.connection),
            )
        )
        thread.start()
        thread.join()
        self.assertIsNot(seen[0], mine)

    def test_a_stale_kept_connection_is_tried_once_more(self) -> None:
        self.reader.mget([self.key])
        connection = self.reader._local.connection
        connection._sock.close()  # as after a server restart
        self.client.set(self.key, b"2")
        self.assertEqual(self.reader.mget([self.key]), [b"2"])

    def test_a_new_connection_that_fails_is_not_retried(self) -> None:
        reader = RedisReader.for_client(
            caches["redis"]._cache.__class__(["redis://127.0.0.1:1/0"]).get_client(write=True)
        )
        import redis

        with (
            mock.patch.object(
                RedisReader, "_mget", autospec=True, side_effect=RedisReader._mget
            ) as mget,
            self.assertRaises(redis.ConnectionError),
        ):
            reader.mget(["k"])
        self.assertEqual(mget.call_count, 1)

    def test_an_error_mid_reply_disconnects(self) -> None:
        self.reader.mget([self.key])
        connection = self.reader._local.connection
        with (
            mock.patch.object(connection, "read_response", side_effect=KeyboardInterrupt),
            self.assertRaises(KeyboardInterrupt),
        ):
            self.reader.mget([self.key])
        self.assertIsNone(connection._sock)  # the unread reply went with the socket
        self.client.set(self.key, b"3")
        self.assertEqual(self.reader.mget([self.key]), [b"3"])

    def test_a_forked_process_connects_again(self) -> None:
        self.reader.mget([self.key])
        connection = self.reader._local.connection
        with mock.patch("drf_paseto.revocation.os.getpid", return_value=connection.pid + 1):
            self.reader.mget([self.key])
        self.assertIsNot(self.reader._local.connection, connection)

    def test_other_pools_keep_redis_py_s_client(self) -> None:
        import redis

        blocking = redis.Redis(connection_pool=redis.BlockingConnectionPool())
        self.assertIs(RedisReader.for_client(blocking), blocking)

    def test_the_reply_is_awaited_by_polling(self) -> None:
        self.client.set(self.key, b"4")
        waits: list[bool] = []
        original = RedisReader.await_reply

        def spy(reader: RedisReader, connection: Any) -> bool:
            waits.append(original(reader, connection))
            return waits[-1]

        with (
            paseto_settings(DENYLIST_CACHE_SPIN_MICROSECONDS=10_000),
            mock.patch.object(RedisReader, "await_reply", spy),
        ):
            self.assertEqual(self.reader.mget([self.key]), [b"4"])
        self.assertEqual(waits, [True])  # the reply came within the spin

    def test_without_spinning_the_reply_is_the_same(self) -> None:
        self.client.set(self.key, b"5")
        with paseto_settings(DENYLIST_CACHE_SPIN_MICROSECONDS=0):
            self.assertEqual(self.reader.mget([self.key, self.key]), [b"5", b"5"])


class _SocketConnection:
    """What ``RedisReader.await_reply`` looks at on a redis-py connection: its socket."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock


@skipUnless(importlib.util.find_spec("redis"), "the redis package is not installed")
class AwaitReplyTests(SimpleTestCase):
    """The spin before ``read_response()``, on a real socket pair: the far end answers
    when the test writes to it, or never."""

    def setUp(self) -> None:
        import socket

        import redis

        self.reader = RedisReader(redis.Redis())
        self.near, self.far = socket.socketpair()
        self.addCleanup(self.near.close)
        self.addCleanup(self.far.close)
        self.connection = _SocketConnection(self.near)

    def wait(self, spin: int = 200) -> bool:
        with paseto_settings(DENYLIST_CACHE_SPIN_MICROSECONDS=spin):
            return self.reader.await_reply(self.connection)

    def test_a_reply_already_there_ends_the_spin(self) -> None:
        self.far.sendall(b"$-1\r\n")
        self.assertTrue(self.wait())
        self.assertEqual(self.near.recv(16), b"$-1\r\n")  # polled, not read

    def test_a_closed_connection_ends_the_spin(self) -> None:
        self.far.close()
        self.assertTrue(self.wait())  # read_response() then raises ConnectionError

    def test_no_reply_within_the_budget_gives_up(self) -> None:
        self.assertFalse(self.wait(spin=300))
        self.assertEqual(self.reader._local.misses, 1)

    def test_off_when_the_budget_is_zero_or_poll_is_not_the_builtin(self) -> None:
        self.far.sendall(b"+OK\r\n")
        self.assertFalse(self.wait(spin=0))
        with mock.patch.object(revocation, "_BUSY_POLL", False):
            self.assertFalse(self.wait())
        self.assertFalse(self.reader.await_reply(_SocketConnection(None)))
        self.assertTrue(self.wait())

    def test_repeated_misses_rest_the_spin_then_it_probes_again(self) -> None:
        reader = self.reader
        for _ in range(reader.SPIN_MISSES):
            self.assertFalse(self.wait(spin=50))
        self.assertEqual(reader._local.rest, reader.SPIN_REST)
        self.far.sendall(b"+OK\r\n")  # a reply is there, but the thread is resting
        for _ in range(reader.SPIN_REST):
            self.assertFalse(self.wait())
        self.assertEqual(reader._local.rest, 0)
        self.assertTrue(self.wait())  # the probe: spinning pays again
        self.assertEqual(reader._local.misses, 0)

    def test_a_hit_forgives_earlier_misses(self) -> None:
        self.assertFalse(self.wait(spin=50))
        self.far.sendall(b"+OK\r\n")
        self.assertTrue(self.wait())
        self.near.recv(16)
        for _ in range(self.reader.SPIN_MISSES - 1):
            self.assertFalse(self.wait(spin=50))
        self.assertEqual(getattr(self.reader._local, "rest", 0), 0)

    def test_each_thread_keeps_its_own_count(self) -> None:
        for _ in range(self.reader.SPIN_MISSES):
            self.wait(spin=50)
        seen: list[Any] = []
        thread = threading.Thread(
            target=lambda: seen.append(getattr(self.reader._local, "rest", 0))
        )
        thread.start()
        thread.join()
        self.assertEqual(seen, [0])
        self.assertEqual(self.reader._local.rest, self.reader.SPIN_REST)


@skipUnless(importlib.util.find_spec("redis"), "the redis package is not installed")
class UnreachableRedisTests(SimpleTestCase):
    def test_fail_closed(self) -> None:
        with (
            override_settings(CACHES={**settings.CACHES, "down": DEAD_REDIS}),
            paseto_settings(DENYLIST_ENABLED=True, DENYLIST_STORE="cache"),
        ):
            store = CacheStore("down")
            self.assertIsNotNone(store._redis())
            with self.assertRaises(StoreUnavailable):
                store.check(token_at(utcnow()))

    def test_an_alias_that_does_not_exist(self) -> None:
        with (
            paseto_settings(DENYLIST_ENABLED=True, DENYLIST_STORE="cache"),
            self.assertRaises(StoreUnavailable),
        ):
            CacheStore("no-such-alias").check(token_at(utcnow()))


# --- the user lookup --------------------------------------------------------------------------


class ActiveOnlyManager(UserManager[Any]):
    """A custom manager: its queryset hides inactive users (``get`` must go through it)."""

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(is_active=True)


class UserLookupTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        user_model = get_user_model()
        cls.user = user_model.objects.create_user("fast-user", password="pw", email="a@b.c")
        cls.inactive = user_model.objects.create_user("fast-inactive", is_active=False)

    def setUp(self) -> None:
        self.auth = PasetoAuthentication()

    def both(self, subject: str) -> tuple[Any, Any]:
        token = AccessToken.for_subject(subject)
        fast = outcome(lambda: self.auth.get_user(token))
        slow = outcome(lambda: orm_user(self.auth, token))
        return fast, slow

    def assertSameUser(self, fast: Any, slow: Any) -> None:
        self.assertIsInstance(fast, get_user_model())
        self.assertEqual(fast, slow)
        fields = [f.attname for f in get_user_model()._meta.concrete_fields]
        self.assertEqual(
            [getattr(fast, name) for name in fields], [getattr(slow, name) for name in fields]
        )
        self.assertEqual(fast._state.db, slow._state.db)
        self.assertFalse(fast._state.adding)

    def test_same_user_and_same_refusals_by_pk(self) -> None:
        with paseto_settings():
            self.assertIsNotNone(get_user_reader())
            self.assertSameUser(*self.both(str(self.user.pk)))
            self.assertEqual(self.both(str(self.inactive.pk)), (UserInactive, UserInactive))
            for subject in (
                "999999",
                "abc",
                "1.5",
                "",
                "99999999999999999999999999",
                "-99999999999999999999999999",
                "\uff11",
            ):
                with self.subTest(subject=subject):
                    fast, slow = self.both(subject)
                    self.assertEqual(fast, slow)
                    if subject != "\uff11":  # int() reads a fullwidth 1, as the ORM does
                        self.assertEqual(fast, UserNotFound)

    def test_a_user_read_again_each_time(self) -> None:
        token = AccessToken.for_user(self.user)
        with paseto_settings():
            self.assertEqual(self.auth.get_user(token).email, "a@b.c")
            type(self.user).objects.filter(pk=self.user.pk).update(email="new@b.c")
            self.assertEqual(self.auth.get_user(token).email, "new@b.c")
            type(self.user).objects.filter(pk=self.user.pk).update(is_active=False)
            with self.assertRaises(UserInactive):
                self.auth.get_user(token)
            type(self.user).objects.filter(pk=self.user.pk).delete()
            with self.assertRaises(UserNotFound):
                self.auth.get_user(token)

    def test_by_a_unique_text_field(self) -> None:
        with paseto_settings(USER_ID_FIELD="username"):
            self.assertIsNotNone(get_user_reader())
            self.assertSameUser(*self.both("fast-user"))
            self.assertEqual(self.both("nobody"), (UserNotFound, UserNotFound))
            fast, slow = self.both("FAST-USER")
            self.assertEqual(fast, slow)

    def test_non_unique_relational_or_unknown_fields_keep_the_orm(self) -> None:
        for field in ("email", "groups", "no_such_field", "username__iexact", 7):
            with self.subTest(field=field), paseto_settings(USER_ID_FIELD=field):
                self.assertIsNone(get_user_reader())
        with paseto_settings(USER_ID_FIELD="email"):
            fast, slow = self.both("a@b.c")
            self.assertSameUser(fast, slow)

    def test_a_custom_manager_keeps_the_orm(self) -> None:
        manager = ActiveOnlyManager()
        manager.model = get_user_model()
        with (
            paseto_settings(),
            mock.patch.object(get_user_model()._meta, "default_manager", manager),
        ):
            self.assertIsNone(get_user_reader())
            # The custom queryset hides the inactive user: not found, as the ORM says.
            self.assertEqual(self.both(str(self.inactive.pk)), (UserNotFound, UserNotFound))
            self.assertSameUser(*self.both(str(self.user.pk)))

    def test_the_orm_path_fails_closed_too(self) -> None:
        manager = ActiveOnlyManager()
        manager.model = get_user_model()
        token = AccessToken.for_user(self.user)
        error = OperationalError("connection refused")
        with (
            paseto_settings(),
            mock.patch.object(get_user_model()._meta, "default_manager", manager),
            mock.patch.object(ActiveOnlyManager, "get", side_effect=error),
            self.assertRaises(DatabaseUnavailable),
        ):
            self.auth.get_user(token)

    def test_a_custom_queryset_keeps_the_orm(self) -> None:
        class QuerySet(get_user_model().objects._queryset_class):  # type: ignore[misc,name-defined]
            pass

        manager = UserManager.from_queryset(QuerySet)()
        manager.model = get_user_model()
        with (
            paseto_settings(),
            mock.patch.object(get_user_model()._meta, "default_manager", manager),
        ):
            self.assertIsNone(get_user_reader())

    def test_one_query_compiled_once(self) -> None:
        token = AccessToken.for_user(self.user)
        with paseto_settings():
            reader = get_user_reader()
            assert reader is not None
            with CaptureQueriesContext(connection) as queries:
                self.auth.get_user(token)
                self.auth.get_user(token)
            self.assertEqual(len(queries), 2)
            self.assertNotIn("ORDER BY", queries[0]["sql"].upper())
            with mock.patch.object(UserReader, "_compile") as compile_:
                self.auth.get_user(token)
            compile_.assert_not_called()

    def test_a_failing_database_is_database_unavailable(self) -> None:
        token = AccessToken.for_user(self.user)
        with paseto_settings():
            self.auth.get_user(token)
            error = OperationalError("connection refused")
            with (
                mock.patch.object(PreparedSelect, "fetch", side_effect=error),
                self.assertRaises(DatabaseUnavailable) as caught,
            ):
                self.auth.get_user(token)
            self.assertIs(caught.exception.__cause__, error)

    def test_a_query_that_does_not_compile_as_expected_keeps_the_orm(self) -> None:
        token = AccessToken.for_user(self.user)
        with paseto_settings():
            reader = get_user_reader()
            assert reader is not None
            real = PreparedSelect.__init__

            def init(select: PreparedSelect, compiler: Any) -> None:
                real(select, compiler)
                select.params = (*select.params, "extra")

            with mock.patch.object(PreparedSelect, "__init__", init):
                self.assertEqual(self.auth.get_user(token), self.user)
            self.assertIsNone(reader._selects[connection.alias])
            self.assertEqual(self.auth.get_user(token), self.user)

    def test_values_the_field_cannot_take_to_the_database_keep_the_orm(self) -> None:
        token = AccessToken.for_user(self.user)
        with paseto_settings():
            reader = get_user_reader()
            assert reader is not None
            with mock.patch.object(type(reader.field), "get_db_prep_value", side_effect=TypeError):
                self.assertEqual(outcome(lambda: self.auth.get_user(token)), UserNotFound)
            with mock.patch.object(type(reader.field), "get_prep_value", return_value=None):
                self.assertEqual(outcome(lambda: self.auth.get_user(token)), UserNotFound)

    def test_a_subclass_overriding_get_user_is_used(self) -> None:
        class Custom(PasetoAuthentication):
            def get_user(self, token: Token) -> Any:
                return "custom"

        with paseto_settings():
            user, _ = Custom().authenticate_token(str(AccessToken.for_user(self.user)), "headers")
        self.assertEqual(user, "custom")

    def test_the_store_is_looked_up_once_per_request(self) -> None:
        raw = str(AccessToken.for_user(self.user))
        with paseto_settings(DENYLIST_ENABLED=True):
            with mock.patch(
                "drf_paseto.revocation.get_store", wraps=revocation.get_store
            ) as get_store:
                self.auth.authenticate_token(raw, "headers")
            self.assertEqual(get_store.call_count, 1)
        with paseto_settings(DENYLIST_ENABLED=False):
            with mock.patch("drf_paseto.revocation.get_store") as get_store:
                self.auth.authenticate_token(raw, "headers")
            get_store.assert_not_called()


# --- the token layer --------------------------------------------------------------------------


def old_b64url_decode(text: str) -> bytes:
    """``backend.b64url_decode`` as it was: decode, encode again, compare."""
    if len(text) % 4 == 1 or not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not canonical base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if backend.b64url_encode(data) != text:
        raise ValueError("not canonical base64url")
    return data


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


class Base64Tests(SimpleTestCase):
    def assertSame(self, text: str) -> None:
        self.assertEqual(
            outcome(lambda: backend.b64url_decode(text)),
            outcome(lambda: old_b64url_decode(text)),
            text,
        )

    def test_every_last_character_of_every_length(self) -> None:
        for prefix in ("", "AB", "ABC", "ABCD", "ABCDE", "ABCDEF", "ABCDEFG"):
            for last in ALPHABET + "=+/ .\n\x00é":
                self.assertSame(prefix + last)
            for pair in ("==", "A=", "=A", "Q=="):
                self.assertSame(prefix + pair)

    def test_random_strings(self) -> None:
        rng = random.Random(1)
        for _ in range(3000):
            length = rng.randrange(0, 40)
            self.assertSame("".join(rng.choice(ALPHABET) for _ in range(length)))

    def test_random_bytes_round_trip(self) -> None:
        rng = random.Random(2)
        for length in range(0, 70):
            data = rng.randbytes(length)
            self.assertEqual(backend.b64url_decode(backend.b64url_encode(data)), data)

    def test_official_non_canonical_vectors_still_refused(self) -> None:
        # 4-F-4 / 4-F-5 style: the same bytes with unused bits set in the last character.
        canonical = backend.b64url_encode(b"\xff")  # "_w"
        self.assertEqual(canonical, "_w")
        for text in ("_x", "_z", "__"):
            with self.assertRaises(ValueError):
                backend.b64url_decode(text)
        self.assertEqual(backend.b64url_decode(canonical), b"\xff")
        self.assertEqual(binascii.b2a_base64(b"\xff", newline=False), b"/w==")


class TimeTests(SimpleTestCase):
    def test_same_answers_as_the_general_path(self) -> None:
        values: list[Any] = [
            "2026-01-02T03:04:05+00:00",
            "2026-01-02T03:04:05.123456+00:00",
            "2026-01-02T03:04:05.000001+00:00",
            "2026-01-02T03:04:05Z",
            "2026-01-02T03:04:05.1+00:00",
            "2026-01-02T03:04:05.1234567+00:00",
            "2026-01-02T03:04:05.12345+00:00",
            "2026-01-02T03:04:05+01:00",
            "2026-01-02T03:04:05-00:00",
            "2026-13-02T03:04:05+00:00",
            "2026-02-30T03:04:05+00:00",
            "2026-01-02T24:00:00+00:00",
            "2026-01-02T23:59:60+00:00",
            "0000-01-01T00:00:00+00:00",
            "0001-01-01T00:00:00+00:00",
            "9999-12-31T23:59:59.999999+00:00",
            "0001-01-01T00:00:00+01:00",
            "2026-01-02 03:04:05+00:00",
            "2026-01-02t03:04:05+00:00",
            "20260102T030405+00:00",
            "2026-01-02T03:04:05+0000",
            "2026-01-02T03:04:05",
            "2026-01-02T03:04:05+00:00\n",
            " 2026-01-02T03:04:05+00:00",
            "\uff12026-01-02T03:04:05+00:00",
            "2026-01-02T03:04:05.\uff1123456+00:00",
            "",
            None,
            1767323045,
            b"2026-01-02T03:04:05+00:00",
        ]
        for value in values:
            with self.subTest(value=value):
                fast = outcome(lambda v=value: encoding.parse_time(v))
                slow = outcome(lambda v=value: encoding._parse_rfc3339(v))
                self.assertEqual(fast, slow)
                if isinstance(fast, datetime):
                    self.assertEqual(fast.tzinfo, timezone.utc)

    def test_what_format_time_writes_reads_back(self) -> None:
        moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
        for micros in (0, 1, 999999):
            value = moment + timedelta(microseconds=micros)
            self.assertEqual(encoding.parse_time(encoding.format_time(value)), value)


class JSONTests(SimpleTestCase):
    def test_depth_is_walked_when_something_nests(self) -> None:
        flat = b'{"a":1,"b":"x","c":null,"d":true,"e":1.5}'
        self.assertEqual(encoding.loads_object(flat, max_depth=1)["a"], 1)
        with self.assertRaises(ValueError):
            encoding.loads_object(flat, max_depth=0)
        with self.assertRaises(ValueError):
            encoding.loads_object(b"{}", max_depth=0)
        nested = b'{"a":1,"b":{"c":[1,[2]]}}'
        self.assertEqual(encoding.loads_object(nested, max_depth=4)["b"], {"c": [1, [2]]})
        for limit in (1, 2, 3):
            with self.assertRaises(ValueError):
                encoding.loads_object(nested, max_depth=limit)
        with self.assertRaises(ValueError):
            encoding.loads_object(b'{"a":[]}', max_depth=1)
        self.assertEqual(encoding.loads_object(b'{"a":[]}', max_depth=2), {"a": []})

    def test_the_kept_decoder_refuses_what_json_loads_refused(self) -> None:
        for data in (
            b'{"a":1,"a":2}',
            b'{"a":NaN}',
            b'{"a":Infinity}',
            b'{"a":-Infinity}',
            b"\xef\xbb\xbf{}",
            b"{} {}",
            b"[1]",
            b'"x"',
            b"\xff",
            b"",
            b"{" * 100000,
        ):
            with self.subTest(data=data[:20]), self.assertRaises(ValueError):
                encoding.loads_object(data, max_depth=8)
        self.assertEqual(encoding.loads_object(b' {"a" : 1}\n', max_depth=8), {"a": 1})


class KnownFooterTests(SimpleTestCase):
    def seal(self, payload: dict[str, Any], footer: bytes) -> str:
        ring = get_key_ring()
        assert ring.signing_key is not None
        return backend.seal(ring.signing_key, encoding.dumps(payload), footer)

    def payload(self) -> dict[str, Any]:
        return dict(AccessToken.for_subject("42").payload)

    def refusal(self, token: str) -> Any:
        try:
            Token.decode(token)
        except TokenError as err:
            return type(err), err.code
        return None

    def test_the_ring_maps_each_verifying_key_s_exact_footer(self) -> None:
        for config in (
            {"SECRET_KEY": keys.LOCAL_V4_1, "RETIRED_KEYS": [keys.LOCAL_V4_2]},
            {"PURPOSE": "public", "PRIVATE_KEY": keys.SECRET_V4_1},
            {"VERSION": 3, "SECRET_KEY": keys.LOCAL_V3_1},
        ):
            with self.subTest(config=config), override_settings(DRF_PASETO=config):
                ring = get_key_ring()
                self.assertEqual(
                    ring.footer_keys,
                    {encoding.dumps({"kid": kid}): k for kid, k in ring.verifying_keys.items()},
                )

    def test_a_kid_too_long_for_a_footer_is_not_mapped(self) -> None:
        with paseto_settings():
            key = get_key_ring().verifying_keys[str(get_key_ring().signing_kid)]
        ring = KeyRing(
            version=4,
            purpose="local",
            signing_key=None,
            signing_kid=None,
            verifying_keys={"k" * 300: key, "short": key},
        )
        self.assertEqual(list(ring.footer_keys), [b'{"kid":"short"}'])

    def test_our_footer_decodes_without_parsing(self) -> None:
        with paseto_settings():
            token = str(AccessToken.for_subject("42"))
            with mock.patch("drf_paseto.keys.read_kid") as read_kid:
                AccessToken(token)
            read_kid.assert_not_called()

    def test_footers_one_byte_off_take_the_strict_parse(self) -> None:
        with paseto_settings():
            kid = str(get_key_ring().signing_kid)
            ours = encoding.dumps({"kid": kid})
            payload = self.payload()
            variants = {
                "a space": json.dumps({"kid": kid}).encode(),
                "a trailing newline": ours + b"\n",
                "a duplicate key": ours[:-1] + b',"kid":"' + kid.encode() + b'"}',
                "another kid": ours.replace(kid.encode(), kid.encode() + b"x"),
                "an escaped character": ours.replace(b"k4", b"\\u006b4"),
                "not JSON": ours[:-1],
                "an extra key": ours[:-1] + b',"x":1}',
                "a non-string kid": b'{"kid":4}',
                "too long": b'{"kid":"' + b"a" * 300 + b'"}',
            }
            expected = {
                "a space": None,
                "a trailing newline": None,
                "a duplicate key": (TokenInvalid, "token_invalid"),
                "another kid": (TokenKeyUnknown, "token_key_unknown"),
                "an escaped character": None,
                "not JSON": (TokenInvalid, "token_invalid"),
                "an extra key": (TokenInvalid, "token_invalid"),
                "a non-string kid": (TokenInvalid, "token_invalid"),
                "too long": (TokenInvalid, "token_invalid"),
            }
            for name, footer in variants.items():
                with (
                    self.subTest(name),
                    mock.patch("drf_paseto.keys.read_kid", wraps=ring_module.read_kid) as read_kid,
                ):
                    self.assertEqual(self.refusal(self.seal(payload, footer)), expected[name])
                    read_kid.assert_called_once_with(footer)

    def test_a_tampered_token_with_our_footer_is_still_refused(self) -> None:
        with paseto_settings():
            token = str(AccessToken.for_subject("42"))
            body = token.split(".")[2]
            index = 40
            tampered_body = body[:index] + ("A" if body[index] != "A" else "B") + body[index + 1 :]
            tampered = token.replace(body, tampered_body)
            self.assertEqual(self.refusal(tampered), (TokenInvalid, "token_invalid"))
            footer = token.split(".")[3]
            wrong_footer = token[: -len(footer)] + backend.b64url_encode(b'{"kid":"k4.lid.x"}')
            self.assertEqual(self.refusal(wrong_footer), (TokenKeyUnknown, "token_key_unknown"))


class LeewayTests(SimpleTestCase):
    def test_converted_once_per_settings_change(self) -> None:
        with paseto_settings(DECODE_LEEWAY=30):
            token = str(AccessToken.for_subject("42"))
            with mock.patch(
                "drf_paseto.tokens.as_leeway", wraps=tokens_module.as_leeway
            ) as as_leeway:
                AccessToken(token)
                AccessToken(token)
            self.assertEqual(as_leeway.call_count, 1)
        with paseto_settings(DECODE_LEEWAY=timedelta(seconds=30)):
            later = current_time() + timedelta(minutes=15, seconds=10)
            with mock.patch("drf_paseto.tokens.current_time", return_value=later):
                AccessToken(token)
        with (
            paseto_settings(DECODE_LEEWAY=0),
            mock.patch("drf_paseto.tokens.current_time", return_value=later),
            self.assertRaises(TokenError),
        ):
            AccessToken(token)

    def test_a_bad_leeway_is_refused_every_time(self) -> None:
        from django.core.exceptions import ImproperlyConfigured

        with paseto_settings(DECODE_LEEWAY=-1):
            token = AccessToken.for_subject("42")
            for _ in range(2):
                with self.assertRaises(ImproperlyConfigured):
                    AccessToken.validate_times(token.payload)


class ClaimTypesTests(SimpleTestCase):
    def test_exact_claim_types_still_refused(self) -> None:
        with paseto_settings():
            base = AccessToken.for_subject("42").payload
            for claim, value in itertools.product(("iat", "exp"), (None, 1, "tomorrow", [])):
                payload = {**base, claim: value}
                with self.subTest(claim=claim, value=value), self.assertRaises(TokenClaimsInvalid):
                    AccessToken.validate(payload)
