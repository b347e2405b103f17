"""Faults of the revocation store (drf_paseto/revocation.py: a store that cannot be reached is
a 503, fail closed; nothing revoked comes back when it returns) against a real server.

gunicorn serves tests/urls.py with store processes of the test's own, which the tests stop,
kill and start again on the same port and data:

* the cache store on a private Redis (AOF, ``appendfsync always``): SIGTERM and SIGKILL;
* the database store on a private PostgreSQL cluster: ``pg_ctl stop -m immediate``, and its
  connections dropped by ``pg_terminate_backend()`` while it runs;
* the database store on SQLite: the database file write-locked by another connection while
  a refresh with rotation has to write.
"""

from __future__ import annotations

import shutil
import signal
import tempfile
import time
import unittest
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from tests.live_server import (
    OTHER_USERNAME,
    GunicornServer,
    PrivatePostgres,
    PrivateRedis,
    Reply,
    ServerTestCase,
    gunicorn_path,
    hold_sqlite_write_lock,
    missing_postgres,
    prepare_database,
    redis_server_path,
    run_parallel,
    run_sql,
    server_env,
    wait_until,
)

RECOVERY_SECONDS = 20


def _skip_without_gunicorn() -> None:
    if gunicorn_path() is None:
        raise unittest.SkipTest("gunicorn is not installed (it is in the dev extras)")


class StoreOutageTestCase(ServerTestCase):
    """One scenario for every store: revoke, take the store away, bring it back."""

    #: The 503 codes a request may get while the store is away.
    unavailable_codes: set[str]

    @classmethod
    def make_tmp(cls) -> str:
        tmp = tempfile.mkdtemp(prefix="drf_paseto_faults_")
        cls.addClassCleanup(shutil.rmtree, tmp, ignore_errors=True)
        return tmp

    @classmethod
    def start_server(cls, env: dict[str, str], tmp: str) -> None:
        prepare_database(env)
        cls.server = GunicornServer(env, tmp, workers=4)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    def revocation_facts(self) -> dict[str, Any]:
        """Sessions in every state the store keeps, each checked before the outage."""
        live = self.login()
        logged_out = self.login()
        self.assertEqual(self.api.logout(logged_out["access_token"]).status, 204)
        spent = self.login()
        rotated = self.api.refresh(spent["refresh_token"])
        self.assertEqual(rotated.status, 200, str(rotated))
        everywhere = self.login(OTHER_USERNAME)
        self.assertEqual(self.api.logout_all(everywhere["access_token"]).status, 204)

        self.assertAccessWorks(live["access_token"], "before: live session")
        self.assertAccessRevoked(logged_out["access_token"], "before: logged out")
        self.assertAccessRevoked(everywhere["access_token"], "before: logged out everywhere")
        return {
            "live": live,
            "logged_out": logged_out,
            "spent": spent,
            "rotated": rotated.body,
            "everywhere": everywhere,
        }

    def assert_fails_closed(self, facts: dict[str, Any], login_codes: set[str]) -> None:
        """While the store is away: 503 JSON for every token, never 200, never 500."""
        api = self.api
        checks: list[tuple[str, Callable[[], Reply]]] = [
            ("live access", partial(api.protected, facts["live"]["access_token"])),
            ("logged-out access", partial(api.protected, facts["logged_out"]["access_token"])),
            ("logged-out refresh", partial(api.refresh, facts["logged_out"]["refresh_token"])),
            ("everywhere access", partial(api.protected, facts["everywhere"]["access_token"])),
            ("spent refresh", partial(api.refresh, facts["spent"]["refresh_token"])),
            ("live refresh", partial(api.refresh, facts["live"]["refresh_token"])),
            ("logout", partial(api.logout, facts["live"]["access_token"])),
            ("logout-all", partial(api.logout_all, facts["live"]["access_token"])),
        ]
        for what, call in checks:
            self.assertUnavailable(call(), self.unavailable_codes, f"store away: {what}")
        # Logging in needs the user table; with the cache store it does not need Redis.
        login = api.login()
        self.assertNotServerError(login, "store away: login")
        if login.status != 200:
            self.assertUnavailable(login, login_codes, "store away: login")

    def assert_recovered(self, facts: dict[str, Any]) -> None:
        """Back by itself, in every worker; nothing revoked came back to life."""
        live = facts["live"]

        def recovered() -> bool:
            replies = run_parallel([partial(self.api.protected, live["access_token"])] * 8)
            for reply in replies:
                self.assertNotServerError(reply, "recovering")
                if reply.status != 200:
                    self.assertUnavailable(reply, self.unavailable_codes, "recovering")
            return all(reply.status == 200 for reply in replies) and self.every_worker_ready()

        wait_until(recovered, RECOVERY_SECONDS, "requests to succeed again in every worker")

        self.assertAccessRevoked(facts["logged_out"]["access_token"], "after: logged out")
        self.assertRefreshRevoked(facts["logged_out"]["refresh_token"], "after: logged out")
        self.assertAccessRevoked(facts["everywhere"]["access_token"], "after: everywhere")
        self.assertRefreshRevoked(facts["everywhere"]["refresh_token"], "after: everywhere")
        # The spent refresh token is still spent: using it again is a reuse, not a 200.
        self.assertRefused(
            self.api.refresh(facts["spent"]["refresh_token"]), {"token_reused"}, "after: spent"
        )
        self.assertAccessRevoked(facts["rotated"]["access_token"], "after: reused family")
        # The refreshes refused with 503 spent nothing: the live refresh token works once.
        refreshed = self.api.refresh(live["refresh_token"])
        self.assertEqual(refreshed.status, 200, f"after: live refresh: {refreshed}")
        self.assertAccessWorks(refreshed.body["access_token"], "after: refreshed access")

    def every_worker_ready(self) -> bool:
        """Whether no worker can still hold a connection from before the fault."""
        return True

    def outage(
        self, stop: Callable[[], None], start: Callable[[], Any], login_codes: set[str]
    ) -> None:
        facts = self.revocation_facts()
        stop()
        try:
            self.assert_fails_closed(facts, login_codes)
        finally:
            start()
        self.assert_recovered(facts)


class RedisCacheStoreFaultTests(StoreOutageTestCase):
    """The cache store on a private Redis that is stopped (SIGTERM) or killed (SIGKILL)."""

    unavailable_codes = {"revocation_store_unavailable"}
    redis: PrivateRedis

    @classmethod
    def setUpClass(cls) -> None:
        _skip_without_gunicorn()
        if redis_server_path() is None:
            raise unittest.SkipTest("redis-server is not installed")
        super().setUpClass()
        tmp = cls.make_tmp()
        cls.redis = PrivateRedis()
        cls.addClassCleanup(cls.redis.cleanup)
        cls.redis.start()
        env = server_env(
            f"sqlite:///{tmp}/db.sqlite3",
            store="cache",
            redis_url=cls.redis.url(),
            key_prefix="drf_paseto_faults",
        )
        cls.start_server(env, tmp)

    def test_redis_stopped_with_sigterm_then_restarted(self) -> None:
        self.outage(lambda: self.redis.stop(signal.SIGTERM), self.redis.start, set())

    def test_redis_killed_with_sigkill_then_restarted(self) -> None:
        # appendfsync always: every acknowledged write is on disk, so it survives SIGKILL.
        self.outage(lambda: self.redis.stop(signal.SIGKILL), self.redis.start, set())


class PostgreSQLDatabaseStoreFaultTests(StoreOutageTestCase):
    """The database store on a private PostgreSQL cluster, with persistent connections
    (``CONN_MAX_AGE``), so that dropped connections are met by the next request."""

    unavailable_codes = {"revocation_store_unavailable", "database_unavailable"}
    database = "drf_paseto_faults"
    postgres: PrivatePostgres

    @classmethod
    def setUpClass(cls) -> None:
        _skip_without_gunicorn()
        reason = missing_postgres()
        if reason:
            raise unittest.SkipTest(reason)
        super().setUpClass()
        tmp = cls.make_tmp()
        cls.postgres = PrivatePostgres()
        cls.addClassCleanup(cls.postgres.cleanup)
        cls.postgres.init().start()
        run_sql(cls.postgres.url(), f'CREATE DATABASE "{cls.database}"')
        env = server_env(cls.postgres.url(cls.database), store="database", conn_max_age=60)
        cls.start_server(env, tmp)

    def every_worker_ready(self) -> bool:
        # A worker's connection from before the fault is dead: its next request answers 503
        # and closes it (Django, without CONN_HEALTH_CHECKS). Once the cluster sees a
        # connection per worker again, every worker has reconnected.
        rows = self.postgres.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            self.database,
        )
        return bool(rows[0][0] >= self.server.workers)

    def test_cluster_stopped_immediately_then_restarted(self) -> None:
        self.outage(
            lambda: self.postgres.stop("immediate"),
            self.postgres.start,
            {"database_unavailable"},
        )

    def test_connections_terminated_while_running(self) -> None:
        facts = self.revocation_facts()
        live, logged_out = facts["live"], facts["logged_out"]
        # Every worker keeps a connection open (CONN_MAX_AGE) ...
        run_parallel([partial(self.api.protected, live["access_token"])] * 8)
        terminated = self.postgres.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            self.database,
        )
        self.assertTrue(terminated, "no server connection to terminate")
        # ... which is dead now: the next request of each worker fails closed, or reconnects.
        replies = run_parallel(
            [partial(self.api.protected, live["access_token"])] * 8
            + [partial(self.api.protected, logged_out["access_token"])] * 4
        )
        for index, reply in enumerate(replies):
            self.assertNotServerError(reply, "after pg_terminate_backend")
            if reply.status == 503:
                self.assertUnavailable(reply, self.unavailable_codes, "connection dropped")
            elif index < 8:
                self.assertEqual(reply.status, 200, f"live access: {reply}")
            else:
                self.assertRefused(reply, {"token_revoked"}, "logged-out access")
        self.assert_recovered(facts)


class SQLiteDatabaseStoreLockTests(ServerTestCase):
    """The database store on SQLite while another connection holds a write transaction
    (``BEGIN IMMEDIATE``) on the same file and a refresh with rotation must write.

    SQLite's busy timeout is 1 s here, so the store's own budget for a locked database
    (``DatabaseStore.lock_retry_seconds``) decides when the request gives up with a 503.
    """

    @classmethod
    def setUpClass(cls) -> None:
        _skip_without_gunicorn()
        super().setUpClass()
        tmp = tempfile.mkdtemp(prefix="drf_paseto_faults_")
        cls.addClassCleanup(shutil.rmtree, tmp, ignore_errors=True)
        cls.db_path = f"{tmp}/db.sqlite3"
        env = server_env(f"sqlite:///{cls.db_path}", store="database", sqlite_timeout=1)
        prepare_database(env)
        cls.server = GunicornServer(env, tmp, workers=2)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    def test_refresh_waits_for_a_short_write_lock_then_succeeds(self) -> None:
        tokens = self.login()
        lock = hold_sqlite_write_lock(self.db_path)
        try:
            with ThreadPoolExecutor(max_workers=1) as pool:
                pending = pool.submit(self.api.refresh, tokens["refresh_token"])
                time.sleep(0.5)  # the refresh is waiting for the lock meanwhile
                self.assertFalse(pending.done(), "the refresh did not wait for the lock")
                lock.execute("ROLLBACK")
                reply = pending.result(timeout=30)
        finally:
            lock.close()
        self.assertNotServerError(reply, "refresh under a short lock")
        self.assertEqual(reply.status, 200, f"refresh under a short lock: {reply}")
        self.assertAccessWorks(reply.body["access_token"], "the rotated access token")
        # The rotation was recorded: the old refresh token is spent.
        self.assertRefused(self.api.refresh(tokens["refresh_token"]), {"token_reused"})

    def test_refresh_answers_503_while_the_lock_outlasts_the_store_budget(self) -> None:
        tokens = self.login()
        lock = hold_sqlite_write_lock(self.db_path)
        try:
            reply = self.api.refresh(tokens["refresh_token"])
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        self.assertUnavailable(reply, {"revocation_store_unavailable"}, "refresh under a lock")
        # Nothing was half done: the refresh token was not spent, the session not revoked.
        again = self.api.refresh(tokens["refresh_token"])
        self.assertEqual(again.status, 200, f"refresh once the lock is gone: {again}")
        self.assertAccessWorks(tokens["access_token"], "the session's access token")
