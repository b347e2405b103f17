"""Async views under a real ASGI server: adrf views and django-ninja operations of
tests/async_urls.py served by uvicorn (``--loop asyncio``, one process), on the SQLite,
PostgreSQL and Redis legs of tests/test_concurrency.py.

* The seed flow on both frameworks: login, protected, refresh, a refresh token refused on
  protected, an access token refused on refresh, fresh required.
* The thread-hop proof: ``tests.async_server_settings`` installs ``tests.hop_probe`` in the
  server, and the stateless views answer with the ``sync_to_async`` and ``run_in_executor``
  calls their authentication made. On the Redis store: none, on the event loop's thread.
* The logout-all race against a looping refresher (test_concurrency.py's, under uvicorn),
  on the adrf token views (drf_paseto.adrf_urls), the survivors' tokens checked on the
  async views.
* The example project's adrf views and ninja API under uvicorn, as ``make demo`` serves
  them: the seed flow, on the URLs ``make demo-commands`` prints.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
import threading
import unittest
from pathlib import Path
from typing import Any

from tests.helpers import delete_redis_keys
from tests.live_server import (
    ExampleProjectServer,
    GunicornServer,
    Reply,
    ServerTestCase,
    prepare_database,
    scratch_postgres,
    server_env,
)

POSTGRES_URL = os.environ.get("DRF_PASETO_TEST_POSTGRES", "")
REDIS_URL = os.environ.get("DRF_PASETO_TEST_REDIS", "")
NINJA = "/async/ninja"
ATTACK_TRIALS = 3
ATTACK_LOOPS = 300


class UvicornServer(GunicornServer):
    """``tests.urls`` under uvicorn instead of gunicorn: one process, the stdlib event loop
    (the probe wraps its ``run_in_executor``), the probe installed
    (``tests.async_server_settings``)."""

    def __init__(self, env: dict[str, str], log_dir: str) -> None:
        super().__init__({**env, "DJANGO_SETTINGS_MODULE": "tests.async_server_settings"}, log_dir)
        self.log_path = Path(log_dir) / f"uvicorn-{self.port}.log"

    name = "uvicorn"

    def command(self) -> list[str]:
        return [
            *(sys.executable, "-m", "uvicorn", "--factory"),
            "django.core.asgi:get_asgi_application",
            *("--host", "127.0.0.1", "--port", str(self.port)),
            *("--loop", "asyncio", "--lifespan", "off", "--log-level", "warning"),
        ]


class SeedFlow:
    """login, protected, fresh, a refresh token refused on protected, an access token
    refused on refresh, refresh, fresh required: on one set of URLs."""

    username = "alice"
    password = "correct horse battery staple"
    server: Any

    def call(self, method: str, path: str, token: str | None = None, body: Any = None) -> Reply:
        reply: Reply = self.server.client.call(method, path, token, body)
        test: Any = self
        test.assertNotServerError(reply, f"{method} {path}")
        return reply

    def assertStatus(self, reply: Reply, status: int, code: str | None = None) -> None:
        test: Any = self
        test.assertEqual(reply.status, status, f"{reply}\n{self.server.log_tail()}")
        if code is not None:
            test.assertEqual(set(reply.body), {"detail", "code"}, str(reply))
            test.assertEqual(reply.code, code, str(reply))
        if status == 401:
            headers = {name.lower(): value for name, value in reply.headers.items()}
            test.assertEqual(headers.get("www-authenticate"), 'Bearer realm="api"', str(reply))

    def seed_flow(self, login: str, refresh: str, protected: str, fresh: str) -> None:
        body = {"username": self.username, "password": self.password}
        reply = self.call("POST", login, body=body)
        self.assertStatus(reply, 200)
        access, refresh_token = reply.body["access_token"], reply.body["refresh_token"]
        self.assertStatus(self.call("GET", protected, access), 200)
        self.assertStatus(self.call("GET", fresh, access), 200)
        self.assertStatus(self.call("GET", protected, refresh_token), 401, "token_wrong_type")
        self.assertStatus(self.call("POST", refresh, access), 401, "token_wrong_type")
        reply = self.call("POST", refresh, refresh_token)
        self.assertStatus(reply, 200)
        renewed = reply.body["access_token"]
        self.assertStatus(self.call("GET", protected, renewed), 200)
        self.assertStatus(self.call("GET", fresh, renewed), 403, "token_not_fresh")
        self.assertStatus(self.call("GET", protected), 401, "not_authenticated")


class _AsyncLiveTests(SeedFlow, ServerTestCase):
    """The seed flow and the hop proof, for every leg. Abstract: deleted at the end."""

    store = "database"
    server: Any

    @classmethod
    def leg_env(cls) -> dict[str, str]:
        raise NotImplementedError

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="drf_paseto_async_")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        env = cls.leg_env()
        prepare_database(env)
        cls.server = UvicornServer(env, cls.tmp)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    def test_the_seed_flow_on_adrf_views(self) -> None:
        self.seed_flow("/auth/login/", "/auth/refresh/", "/async/protected/", "/async/fresh/")

    def test_the_seed_flow_on_the_adrf_token_views(self) -> None:
        self.seed_flow(
            "/async/auth/login/", "/async/auth/refresh/", "/async/protected/", "/async/fresh/"
        )

    def test_the_seed_flow_on_ninja_async_operations(self) -> None:
        self.seed_flow(
            f"{NINJA}/auth/login/",
            f"{NINJA}/auth/refresh/",
            f"{NINJA}/async/protected/",
            f"{NINJA}/async/fresh/",
        )

    def test_the_seed_flow_on_ninja_sync_operations(self) -> None:
        self.seed_flow(
            f"{NINJA}/auth/login/",
            f"{NINJA}/auth/refresh/",
            f"{NINJA}/protected/",
            f"{NINJA}/fresh/",
        )

    def probe(self, path: str, access: str) -> dict[str, Any]:
        self.call("GET", path, access)  # warm: the copy, the connections
        reply = self.call("GET", path, access)
        self.assertStatus(reply, 200)
        probe: dict[str, Any] = reply.body["probe"]
        self.assertTrue(probe["main_thread"], f"authentication left the loop's thread: {probe}")
        return probe

    def test_where_stateless_authentication_does_its_io(self) -> None:
        access = self.login()["access_token"]
        for path in ("/async/stateless/", f"{NINJA}/async/stateless/"):
            hops = self.probe(path, access)["hops"]
            if self.store == "redis":
                self.assertEqual(hops, [], f"{path}: thread hops on the Redis store")
            else:  # the store's read, in one sync_to_async call (and its executor job)
                self.assertEqual(
                    [hop for hop in hops if hop.startswith("sync_to_async:")],
                    ["sync_to_async:RevocationStore.read_token"],
                    path,
                )

    def test_a_looping_refresher_keeps_nothing_after_logout_all(self) -> None:
        for trial in range(ATTACK_TRIALS):
            victim = self.login()
            stolen = [self.login(), self.login()]
            kept: list[dict[str, str]] = []
            revoked = threading.Event()

            def loop(
                index: int,
                stolen: list[dict[str, str]] = stolen,
                kept: list[dict[str, str]] = kept,
                revoked: threading.Event = revoked,
            ) -> None:
                for _ in range(ATTACK_LOOPS):
                    reply = self.api.call(
                        "POST", "/async/auth/refresh/", stolen[index]["refresh_token"]
                    )
                    self.assertNotServerError(reply, "attacker's refresh")
                    if reply.status != 200:
                        self.assertEqual(reply.code, "token_revoked", str(reply))
                        return
                    stolen[index] = reply.body
                    if revoked.is_set():
                        kept.append(reply.body)

            threads = [threading.Thread(target=loop, args=(i,)) for i in range(2)]
            for thread in threads:
                thread.start()
            threading.Event().wait(0.05)
            revoked.set()
            reply = self.api.call("POST", "/async/auth/logout/all/", victim["access_token"])
            self.assertEqual(reply.status, 204, f"logout-all: {reply}")
            for thread in threads:
                thread.join(timeout=120)
            for tokens in [*kept, *stolen]:
                for path in ("/async/protected/", f"{NINJA}/async/protected/"):
                    self.assertStatus(
                        self.call("GET", path, tokens["access_token"]), 401, "token_revoked"
                    )
                self.assertRefreshRevoked(tokens["refresh_token"], f"trial {trial}")


class SQLiteAsyncLiveTests(_AsyncLiveTests):
    @classmethod
    def leg_env(cls) -> dict[str, str]:
        return server_env(f"sqlite:///{cls.tmp}/db.sqlite3", store="database", sqlite_timeout=20)


@unittest.skipUnless(POSTGRES_URL, "DRF_PASETO_TEST_POSTGRES is not set (.ci/services.sh)")
class PostgreSQLAsyncLiveTests(_AsyncLiveTests):
    @classmethod
    def leg_env(cls) -> dict[str, str]:
        return server_env(scratch_postgres(cls, POSTGRES_URL, "drf_paseto_async"), store="database")


@unittest.skipUnless(REDIS_URL, "DRF_PASETO_TEST_REDIS is not set (.ci/services.sh)")
class RedisAsyncLiveTests(_AsyncLiveTests):
    """The redis store (sessions in a file SQLite database)."""

    store = "redis"

    @classmethod
    def leg_env(cls) -> dict[str, str]:
        prefix = f"drf_paseto_async_{secrets.token_hex(4)}"
        cls.addClassCleanup(delete_redis_keys, f"{prefix}:*")
        return server_env(
            f"sqlite:///{cls.tmp}/db.sqlite3",
            store="redis",
            redis_url=REDIS_URL,
            key_prefix=prefix,
            sqlite_timeout=20,
        )


del _AsyncLiveTests


class ExampleProjectAsyncTests(SeedFlow, ServerTestCase):
    """example_project/async_views.py under uvicorn, as ``make demo`` serves it."""

    username = password = "test"

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.server = ExampleProjectServer(server="uvicorn")
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    def test_the_seed_flow_on_the_adrf_views(self) -> None:
        self.seed_flow("/login/", "/refresh/", "/async/protected/", "/async/fresh/")

    def test_the_seed_flow_on_the_ninja_api(self) -> None:
        self.seed_flow(
            "/ninja/auth/login/", "/ninja/auth/refresh/", "/ninja/protected/", "/ninja/fresh/"
        )

    def test_make_demo_prints_these_urls(self) -> None:
        from tests.test_example_project import make

        printed = make("demo-commands", "HOST=127.0.0.1", f"PORT={self.server.port}")
        self.assertEqual(printed.returncode, 0, printed.stderr)
        for url in (
            "/async/protected/",
            "/async/fresh/",
            "/ninja/auth/login/",
            "/ninja/protected/",
        ):
            self.assertIn(f"{self.server.base}{url}", printed.stdout)
