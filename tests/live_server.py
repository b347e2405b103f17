"""Helpers of the multi-process tests (tests/test_concurrency.py, tests/test_faults.py).

* ``GunicornServer``: the test URLconf served by gunicorn with several sync worker processes,
  configured by ``tests.server_settings`` through environment variables.
* ``ExampleProjectServer``: example_project/ as ``make demo`` serves it (migrate,
  create_demo_user, then runserver, uvicorn or daphne) on a temporary SQLite database
  (tests/test_example_project.py, tests/test_browser.py, tests/test_channels_live.py).
* ``PrivateRedis`` / ``PrivatePostgres``: store processes of the test's own, on free loopback
  ports, that fault tests may stop, kill and start again on the same port and data.
* ``JSONClient``: a tiny urllib client; ``run_parallel()`` fires calls at the same moment.
* ``ServerTestCase``: the assertions these tests share.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.test import SimpleTestCase, tag

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")

USERNAME = "alice"
OTHER_USERNAME = "bob"
PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.25)


def gunicorn_path() -> str | None:
    beside = Path(sys.executable).parent / "gunicorn"
    return str(beside) if beside.exists() else shutil.which("gunicorn")


def redis_server_path() -> str | None:
    return shutil.which("redis-server")


def postgres_bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(part) for part in path.split("/") if part.isdigit())


def missing_postgres() -> str | None:
    """Why a private PostgreSQL cluster cannot be run here, or ``None`` when it can."""
    if postgres_bin_dir() is None:
        return "the PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run PostgreSQL as"
        if shutil.which("runuser") is None:
            return "running as root and runuser is missing"
    return None


# --- the HTTP side --------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any  # the parsed JSON body, or None when the body is not JSON
    text: str
    content_type: str
    headers: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def code(self) -> Any:
        return self.body.get("code") if isinstance(self.body, dict) else None

    def __str__(self) -> str:
        return f"{self.status} {self.text[:300]!r}"


class JSONClient:
    def __init__(self, base: str, timeout: float = 30) -> None:
        self.base = base
        self.timeout = timeout

    def call(self, method: str, path: str, token: str | None = None, body: Any = None) -> Reply:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return self._reply(response.status, response.headers, response.read())
        except urllib.error.HTTPError as err:
            with err:
                return self._reply(err.code, err.headers, err.read())

    @staticmethod
    def _reply(status: int, headers: Any, raw: bytes) -> Reply:
        text = raw.decode("utf-8", "replace")
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = None
        return Reply(status, body, text, headers.get("Content-Type", ""), dict(headers))

    # The package's endpoints (tests/urls.py).
    def login(self, username: str = USERNAME, password: str = PASSWORD) -> Reply:
        return self.call("POST", "/auth/login/", body={"username": username, "password": password})

    def refresh(self, refresh_token: str) -> Reply:
        return self.call("POST", "/auth/refresh/", refresh_token)

    def logout(self, token: str) -> Reply:
        return self.call("POST", "/auth/logout/", token)

    def logout_all(self, token: str) -> Reply:
        return self.call("POST", "/auth/logout/all/", token)

    def protected(self, access_token: str) -> Reply:
        return self.call("GET", "/protected/", access_token)

    def change_password(self, access_token: str, password: str) -> Reply:
        return self.call("POST", "/password/", access_token, body={"password": password})


def run_parallel(calls: Sequence[Callable[[], T]], timeout: float = 60) -> list[T]:
    """Run every call in its own thread, all released at once by a barrier."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T:
        barrier.wait(timeout=10)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [future.result(timeout=timeout) for future in futures]


# --- the servers ----------------------------------------------------------------------------


def server_env(
    database_url: str,
    *,
    store: str = "database",
    redis_url: str = "",
    key_prefix: str = "",
    sqlite_timeout: float | None = None,
    conn_max_age: int = 0,
) -> dict[str, str]:
    """The environment of the server processes: ``tests.server_settings`` reads it."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DRF_PASETO_SERVER_", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.server_settings",
        DRF_PASETO_SERVER_DATABASE=database_url,
        DRF_PASETO_SERVER_STORE=store,
        DRF_PASETO_SERVER_REDIS=redis_url,
        DRF_PASETO_SERVER_KEY_PREFIX=key_prefix or f"drf_paseto_{secrets.token_hex(4)}",
        DRF_PASETO_SERVER_CONN_MAX_AGE=str(conn_max_age),
        PYTHONUNBUFFERED="1",
    )
    if sqlite_timeout is not None:
        env["DRF_PASETO_SERVER_SQLITE_TIMEOUT"] = str(sqlite_timeout)
    return env


PREPARE = f"""
from django.contrib.auth import get_user_model
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
for name in ({USERNAME!r}, {OTHER_USERNAME!r}):
    get_user_model().objects.create_user(name, password={PASSWORD!r})
"""


def prepare_database(env: dict[str, str]) -> None:
    """``migrate``, then the users, with the servers' settings, before any server starts."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", PREPARE],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"preparing the database failed:\n{result.stdout}\n{result.stderr}")


class GunicornServer:
    """``tests.urls`` under gunicorn: ``workers`` sync worker processes on a free port."""

    def __init__(self, env: dict[str, str], log_dir: str, workers: int = 4) -> None:
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.client = JSONClient(self.base)
        self.log_path = Path(log_dir) / f"gunicorn-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    #: What the logs and errors call the server.
    name = "gunicorn"

    def command(self) -> list[str]:
        gunicorn = gunicorn_path()
        if gunicorn is None:
            raise RuntimeError("gunicorn is not installed")
        return [
            gunicorn,
            *("--workers", str(self.workers), "--worker-class", "sync"),
            *("--bind", f"127.0.0.1:{self.port}", "--preload"),
            *("--timeout", "60", "--graceful-timeout", "3", "--log-level", "warning"),
            "django.core.wsgi:get_wsgi_application()",
        ]

    def start(self, timeout: float = 30) -> Any:
        command = self.command()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command,
                env=self.env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_until(self._answers, timeout, f"{self.name} to answer")
        except AssertionError as err:
            self.stop()
            raise RuntimeError(f"{self.name} did not start:\n{self.log_tail()}") from err
        return self

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited:\n{self.log_tail()}")
        try:
            return self.client.call("GET", "/auth/keys/").status == 200
        except OSError:
            return False

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()  # gunicorn's master stops its workers on SIGTERM
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a stuck master: kill its whole process group
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


class ExampleProjectServer:
    """example_project/ served in a subprocess on a free port, after ``make demo``'s steps
    (``migrate``, ``create_demo_user``) on a SQLite database in a temporary directory.

    ``server``: ``runserver`` (WSGI, as ``make demo``), ``uvicorn`` or ``daphne`` (ASGI);
    ``debug``: ``DJANGO_DEBUG``; ``env``: more environment for every step. The server's
    stdout and stderr go to a log file beside the database (``log_text()``, ``log_tail()``).
    """

    ASGI_APP = "example_project.asgi:application"

    def __init__(
        self,
        *,
        server: str = "runserver",
        debug: bool = False,
        env: dict[str, str] | None = None,
        prepare: bool = True,
    ) -> None:
        if server not in ("runserver", "uvicorn", "daphne"):
            raise ValueError(f"unknown server {server!r}")
        self.kind = server
        #: Whether start() runs migrate and create_demo_user first (not for a service that
        #: has no database of its own, such as example_project.resource_settings).
        self.prepare = prepare
        self.tmp = tempfile.TemporaryDirectory(prefix="drf_paseto_example_")
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "example_project.settings",
            "DATABASE_URL": f"sqlite:///{self.tmp.name}/db.sqlite3",
            "DJANGO_DEBUG": str(debug),
            **(env or {}),
        }
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.base = f"http://{self.host}"
        self.client = JSONClient(self.base, timeout=10)
        self.log_path = Path(self.tmp.name) / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        if self.kind == "uvicorn":
            return [
                *(sys.executable, "-m", "uvicorn", self.ASGI_APP),
                *("--host", "127.0.0.1", "--port", str(self.port), "--lifespan", "off"),
            ]
        if self.kind == "daphne":
            return [
                *(sys.executable, "-m", "daphne", "-b", "127.0.0.1"),
                *("-p", str(self.port), self.ASGI_APP),
            ]
        return [
            *(sys.executable, str(ROOT / "manage.py"), "runserver", self.host),
            *("--noreload", "--skip-checks"),
        ]

    def start(self, timeout: float = 30) -> ExampleProjectServer:
        """Prepare the database, start the server, wait until it listens; or clean up."""
        try:
            manage = [sys.executable, str(ROOT / "manage.py")]
            steps = (["migrate", "--noinput", "-v", "0"], ["create_demo_user"])
            for step in steps if self.prepare else ():
                subprocess.run(
                    manage + step, env=self.env, check=True, capture_output=True, cwd=ROOT
                )
            self.prepare = False  # done once: a restart() keeps the database
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    self.command(),
                    env=self.env,
                    cwd=ROOT,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            try:
                wait_until(self._listening, timeout, f"{self.kind} to listen")
            except (AssertionError, RuntimeError) as err:
                what = f"the example project's server ({self.kind})"
                raise RuntimeError(f"{what} did not start:\n{self.log_tail()}") from err
        except BaseException:
            self.stop()
            raise
        return self

    def _listening(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"{self.kind} exited with {self.process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def halt(self) -> None:
        """Stop the server process only: the database stays, for restart()."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait(timeout=10)

    def restart(self, **env: str) -> ExampleProjectServer:
        """Start again on the same port and database, with ``env`` changed."""
        self.halt()
        self.env.update(env)
        return self.start()

    def stop(self) -> None:
        """Stop the server (if it runs), then remove the database and the log."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover - a stuck server
                process.kill()
                process.wait(timeout=10)
        self.tmp.cleanup()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_text()
        return "\n".join(text.splitlines()[-lines:]) if text else "(no server log)"


class PrivateRedis:
    """A redis-server of the test's own: AOF on, fsync on every write, no RDB snapshots."""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="drf_paseto_redis_")
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self, timeout: float = 15) -> PrivateRedis:
        server = redis_server_path()
        if server is None:
            raise RuntimeError("redis-server is not installed")
        self.process = subprocess.Popen(
            [
                server,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                self.dir,
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--daemonize",
                "no",
                "--logfile",
                str(Path(self.dir) / "redis.log"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(self.ping, timeout, "redis-server to answer PING")
        return self

    def ping(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {self.process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def cleanup(self) -> None:
        self.stop(signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (initdb in a temp dir), trust auth on loopback.

    Run as the ``postgres`` user (``runuser``) when the tests run as root.
    """

    def __init__(self) -> None:
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            raise RuntimeError("the PostgreSQL server binaries are not installed")
        self.bin = bin_dir
        self.root = tempfile.mkdtemp(prefix="drf_paseto_pg_")
        self.data = str(Path(self.root) / "data")
        self.port = free_port()
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    def _run(self, *command: str, timeout: float = 60) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        result = subprocess.run(
            [*prefix, *command],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=self.root,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed:\n{result.stdout}\n{result.stderr}")

    def init(self) -> PrivatePostgres:
        initdb = str(self.bin / "initdb")
        self._run(initdb, "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "-N")
        return self

    def start(self) -> PrivatePostgres:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        log = str(Path(self.root) / "postgres.log")
        self._run(
            str(self.bin / "pg_ctl"), "-D", self.data, "-l", log, "-w", "-o", options, "start"
        )
        return self

    def stop(self, mode: str = "immediate") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", self.data, "-m", mode, "-w", "stop")

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def execute(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return run_sql(self.url(), sql, *params)

    def cleanup(self) -> None:
        with contextlib.suppress(RuntimeError, OSError, subprocess.TimeoutExpired):
            self.stop("immediate")  # fails when it is not running
        shutil.rmtree(self.root, ignore_errors=True)


def run_sql(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """One autocommit statement (CREATE / DROP DATABASE need autocommit)."""
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        cursor = conn.execute(sql, params or None)
        return cursor.fetchall() if cursor.description else []


def scratch_postgres(test_class: type[unittest.TestCase], server_url: str, prefix: str) -> str:
    """A database of the test class's own on the PostgreSQL server at ``server_url``, dropped
    when the class is done: its URL."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    run_sql(server_url, f'CREATE DATABASE "{name}"')
    test_class.addClassCleanup(
        run_sql, server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    )
    return urllib.parse.urlsplit(server_url)._replace(path=f"/{name}").geturl()


def hold_sqlite_write_lock(path: str) -> sqlite3.Connection:
    """Another connection holding a write transaction on the file (``BEGIN IMMEDIATE``)."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=5, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    return conn


# --- the test case base ---------------------------------------------------------------------


# The server tier: every test class that starts server processes carries @tag("servers"), and
# subclasses of ServerTestCase inherit it. `make test-unit` and `make test`'s PostgreSQL pass
# (these tests use no test database) leave them out with `--exclude-tag servers`;
# `make test-servers` runs them alone with `--tag servers`.
@tag("servers")
class ServerTestCase(SimpleTestCase):
    """Tests that talk to real server processes, never to the test database."""

    databases: set[str] = set()
    server: GunicornServer

    @property
    def api(self) -> JSONClient:
        return self.server.client

    def login(self, username: str = USERNAME) -> dict[str, str]:
        reply = self.api.login(username)
        self.assertEqual(reply.status, 200, f"login: {reply}\n{self.server.log_tail()}")
        return dict(reply.body)

    def assertNotServerError(self, reply: Reply, what: str = "") -> None:
        if (reply.status >= 500 and reply.status != 503) or "Traceback" in reply.text:
            self.fail(f"{what}: server error {reply}\nserver log:\n{self.server.log_tail()}")

    def assertUnavailable(self, reply: Reply, codes: set[str], what: str = "") -> None:
        """A fail-closed answer: 503, JSON ``{"detail", "code"}``, no traceback."""
        self.assertNotServerError(reply, what)
        self.assertEqual(reply.status, 503, f"{what}: {reply}")
        self.assertTrue(reply.content_type.startswith("application/json"), f"{what}: {reply}")
        self.assertIn(reply.code, codes, f"{what}: {reply}")
        self.assertIn("detail", reply.body)

    def assertRefused(self, reply: Reply, codes: set[str], what: str = "") -> None:
        self.assertNotServerError(reply, what)
        self.assertEqual(reply.status, 401, f"{what}: {reply}")
        self.assertIn(reply.code, codes, f"{what}: {reply}")

    def assertAccessWorks(self, access_token: str, what: str = "") -> None:
        reply = self.api.protected(access_token)
        self.assertNotServerError(reply, what)
        self.assertEqual(reply.status, 200, f"{what}: {reply}")

    def assertAccessRevoked(self, access_token: str, what: str = "") -> None:
        self.assertRefused(self.api.protected(access_token), {"token_revoked"}, what)

    def assertRefreshRevoked(self, refresh_token: str, what: str = "") -> None:
        self.assertRefused(self.api.refresh(refresh_token), {"token_revoked"}, what)
