"""Concurrency of revocation (drf_paseto/revocation.py) against a real multi-process server:
a rotation has one winner, and a revocation landing while another request is between its
check and its mint leaves that request's tokens refused (they are judged by their session).

Each store leg serves tests/urls.py with gunicorn (4 sync worker processes, so requests race
in separate processes with separate database or Redis connections), ``DENYLIST_ENABLED`` and
``ROTATE_REFRESH_TOKENS`` on:

* the database store on a file SQLite database;
* the database store on PostgreSQL (``DRF_PASETO_TEST_POSTGRES``: a fresh database per run);
* the redis store and the cache store on Redis (``DRF_PASETO_TEST_REDIS``: a key prefix of
  the run's own), with their users and sessions in a file SQLite database.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import threading
import unittest
from functools import partial
from typing import Any

from tests.helpers import delete_redis_keys
from tests.live_server import (
    OTHER_USERNAME,
    PASSWORD,
    GunicornServer,
    Reply,
    ServerTestCase,
    gunicorn_path,
    prepare_database,
    run_parallel,
    scratch_postgres,
    server_env,
)

PARALLEL_REFRESHES = 12
RACING_SESSIONS = 6
RACING_LOGINS = 6
LATER_LOGINS = 3
# The looping attackers: trials, and the requests each attacker may make in one trial.
ATTACK_TRIALS = 4
ATTACK_LOOPS = 400
NEW_PASSWORD = "another-horse-battery-staple-43"

POSTGRES_URL = os.environ.get("DRF_PASETO_TEST_POSTGRES", "")
REDIS_URL = os.environ.get("DRF_PASETO_TEST_REDIS", "")


class _StoreConcurrencyTests(ServerTestCase):
    """The races, for every leg. Abstract: deleted from the module at the end."""

    @classmethod
    def leg_env(cls) -> dict[str, str]:
        raise NotImplementedError

    @classmethod
    def setUpClass(cls) -> None:
        if gunicorn_path() is None:
            raise unittest.SkipTest("gunicorn is not installed (it is in the dev extras)")
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="drf_paseto_conc_")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        env = cls.leg_env()
        prepare_database(env)
        cls.server = GunicornServer(env, cls.tmp, workers=4)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    def test_parallel_refreshes_of_one_token_have_exactly_one_winner(self) -> None:
        tokens = self.login()
        replies = run_parallel(
            [partial(self.api.refresh, tokens["refresh_token"])] * PARALLEL_REFRESHES
        )
        for reply in replies:
            self.assertNotServerError(reply, "parallel refresh")
        winners = [reply for reply in replies if reply.status == 200]
        losers = [reply for reply in replies if reply.status != 200]
        self.assertEqual(len(winners), 1, [str(reply) for reply in replies])
        for reply in losers:
            self.assertRefused(reply, {"token_reused", "token_revoked"}, "a losing refresh")
        # Nothing was revoked before the first loser spent the token: it saw the reuse.
        self.assertIn("token_reused", [reply.code for reply in losers])

        # The reuse revoked the whole family, the winner's new tokens included.
        won = winners[0].body
        self.assertEqual(set(won), {"access_token", "refresh_token"})
        self.assertAccessRevoked(won["access_token"], "the winner's new access token")
        self.assertRefreshRevoked(won["refresh_token"], "the winner's new refresh token")
        self.assertAccessRevoked(tokens["access_token"], "the login's access token")

    def test_logout_racing_refresh_leaves_no_token_of_the_session_alive(self) -> None:
        sessions = [self.login() for _ in range(RACING_SESSIONS)]
        calls: list[Any] = []
        for session in sessions:
            calls.append(partial(self.api.logout, session["access_token"]))
            calls.append(partial(self.api.refresh, session["refresh_token"]))
        replies: list[Reply] = run_parallel(calls)

        for index, session in enumerate(sessions):
            logout, refresh = replies[2 * index], replies[2 * index + 1]
            self.assertNotServerError(logout, "logout")
            self.assertNotServerError(refresh, "refresh")
            self.assertEqual(logout.status, 204, f"logout: {logout}")
            survivors = [session]
            if refresh.status == 200:
                survivors.append(refresh.body)  # refreshed before the logout landed
            else:
                self.assertRefused(refresh, {"token_revoked"}, "refresh after logout")
            for tokens in survivors:
                self.assertAccessRevoked(tokens["access_token"], f"session {index}: access")
                self.assertRefreshRevoked(tokens["refresh_token"], f"session {index}: refresh")

    def test_logout_all_racing_logins(self) -> None:
        before = [self.login(OTHER_USERNAME) for _ in range(3)]
        logged_out = threading.Event()

        def logout_all() -> Reply:
            try:
                return self.api.logout_all(before[0]["access_token"])
            finally:
                logged_out.set()

        def login_after_logout_all() -> Reply:
            if not logged_out.wait(timeout=30):
                raise AssertionError("logout-all never returned")
            return self.api.login(OTHER_USERNAME)

        racing_login = partial(self.api.login, OTHER_USERNAME)
        replies = run_parallel(
            [logout_all] + [racing_login] * RACING_LOGINS + [login_after_logout_all] * LATER_LOGINS
        )
        for reply in replies:
            self.assertNotServerError(reply, "logout-all / login")
        self.assertEqual(replies[0].status, 204, f"logout-all: {replies[0]}")
        racing, later = replies[1 : 1 + RACING_LOGINS], replies[1 + RACING_LOGINS :]
        for reply in racing + later:
            self.assertEqual(reply.status, 200, f"login: {reply}")

        # Every token issued before the logout-all is refused ...
        for index, tokens in enumerate(before):
            self.assertAccessRevoked(tokens["access_token"], f"earlier login {index}: access")
            self.assertRefreshRevoked(tokens["refresh_token"], f"earlier login {index}: refresh")
        # ... a racing login's tokens are either side of the cutoff, never a server error ...
        for reply in racing:
            checked = self.api.protected(reply.body["access_token"])
            self.assertNotServerError(checked, "racing login's access token")
            if checked.status != 200:
                self.assertRefused(checked, {"token_revoked"}, "racing login's access token")
        # ... and a login that started after the logout-all returned works, refresh included.
        for reply in later:
            self.assertAccessWorks(reply.body["access_token"], "later login: access")
            refreshed = self.api.refresh(reply.body["refresh_token"])
            self.assertEqual(refreshed.status, 200, f"later login: refresh: {refreshed}")
            self.assertAccessWorks(refreshed.body["access_token"], "later login: refreshed")

    # --- an attacker in a loop, a revocation landing in the middle -----------------------

    def attack(self, step: Any, revoke: Any) -> list[dict[str, str]]:
        """Run ``step`` in two loops (each call returns new tokens, or ``None`` once it is
        refused) while ``revoke`` runs once the loops are going. Returns every token set the
        loops obtained after ``revoke`` was called, or, failing that, their last one."""
        started = threading.Barrier(3)
        revoked = threading.Event()
        obtained: list[list[dict[str, str]]] = [[], []]

        def loop(index: int) -> None:
            started.wait(timeout=10)
            for _ in range(ATTACK_LOOPS):
                tokens = step(index)
                if tokens is None:
                    return
                if revoked.is_set() or not obtained[index]:
                    obtained[index].append(tokens)
                else:
                    obtained[index][-1] = tokens

        threads = [threading.Thread(target=loop, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        started.wait(timeout=10)
        threading.Event().wait(0.05)  # let the loops get going
        revoked.set()
        revoke()
        for thread in threads:
            thread.join(timeout=120)
        return obtained[0] + obtained[1]

    def test_a_looping_refresher_keeps_nothing_after_logout_all(self) -> None:
        for trial in range(ATTACK_TRIALS):
            victim = self.login()
            stolen = [self.login(), self.login()]

            def refresh(index: int, stolen: list[dict[str, str]] = stolen) -> Any:
                reply = self.api.refresh(stolen[index]["refresh_token"])
                self.assertNotServerError(reply, "attacker's refresh")
                if reply.status != 200:
                    self.assertRefused(reply, {"token_revoked"}, "attacker's refresh")
                    return None
                stolen[index] = reply.body
                return reply.body

            def logout_all(victim: dict[str, str] = victim) -> None:
                reply = self.api.logout_all(victim["access_token"])
                self.assertEqual(reply.status, 204, f"logout-all: {reply}")

            kept = self.attack(refresh, logout_all)
            for tokens in [*kept, *stolen]:
                self.assertAccessRevoked(tokens["access_token"], f"trial {trial}: access")
                self.assertRefreshRevoked(tokens["refresh_token"], f"trial {trial}: refresh")

    def test_logins_with_the_old_password_keep_nothing_after_a_password_change(self) -> None:
        try:
            for trial in range(ATTACK_TRIALS):
                old, new = (PASSWORD, NEW_PASSWORD) if trial % 2 == 0 else (NEW_PASSWORD, PASSWORD)
                owner = self.api.login(password=old).body

                def login(index: int, old: str = old) -> Any:
                    reply = self.api.login(password=old)
                    self.assertNotServerError(reply, "attacker's login")
                    if reply.status != 200:
                        self.assertEqual(reply.code, "invalid_credentials", str(reply))
                        return None
                    return reply.body

                def change(owner: dict[str, str] = owner, new: str = new) -> None:
                    reply = self.api.change_password(owner["access_token"], new)
                    self.assertEqual(reply.status, 204, f"password change: {reply}")

                for tokens in self.attack(login, change):
                    self.assertAccessRevoked(tokens["access_token"], f"trial {trial}: access")
                    self.assertRefreshRevoked(tokens["refresh_token"], f"trial {trial}")
        finally:
            # Back to the password the other tests log in with.
            reply = self.api.login(password=NEW_PASSWORD)
            if reply.status == 200:
                self.api.change_password(reply.body["access_token"], PASSWORD)


class SQLiteDatabaseStoreConcurrencyTests(_StoreConcurrencyTests):
    """The database store (``DenylistEntry``) on a file SQLite database."""

    @classmethod
    def leg_env(cls) -> dict[str, str]:
        return server_env(f"sqlite:///{cls.tmp}/db.sqlite3", store="database", sqlite_timeout=20)


@unittest.skipUnless(POSTGRES_URL, "DRF_PASETO_TEST_POSTGRES is not set (.ci/services.sh)")
class PostgreSQLDatabaseStoreConcurrencyTests(_StoreConcurrencyTests):
    """The database store on PostgreSQL, in a database created for the run and dropped after."""

    @classmethod
    def leg_env(cls) -> dict[str, str]:
        return server_env(scratch_postgres(cls, POSTGRES_URL, "drf_paseto_conc"), store="database")


@unittest.skipUnless(REDIS_URL, "DRF_PASETO_TEST_REDIS is not set (.ci/services.sh)")
class RedisStoreConcurrencyTests(_StoreConcurrencyTests):
    """The redis store (sessions in a file SQLite database), under a key prefix of the
    run's own, deleted after."""

    store = "redis"

    @classmethod
    def leg_env(cls) -> dict[str, str]:
        prefix = f"drf_paseto_conc_{secrets.token_hex(4)}"
        cls.addClassCleanup(delete_redis_keys, f"{prefix}:*")
        return server_env(
            f"sqlite:///{cls.tmp}/db.sqlite3",
            store=cls.store,
            redis_url=REDIS_URL,
            key_prefix=prefix,
            sqlite_timeout=20,
        )


class RedisCacheStoreConcurrencyTests(RedisStoreConcurrencyTests):
    """The cache store on Django's RedisCache."""

    store = "cache"


# The abstract base is not a test case of its own.
del _StoreConcurrencyTests
