"""example_project/: the reference pages' flow against the example project, served by a real
HTTP server in a separate process, exactly as `make demo` serves it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.test import SimpleTestCase

from tests.live_server import run_once

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@run_once
class ExampleProjectServerTests(SimpleTestCase):
    """``make demo``'s steps (migrate, create_demo_user, runserver), then the original's flow."""

    server: subprocess.Popen[bytes]
    base: str

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "example_project.settings",
            "DATABASE_URL": f"sqlite:///{cls.tmp.name}/db.sqlite3",
            "DJANGO_DEBUG": "False",
        }
        manage = [sys.executable, str(ROOT / "manage.py")]
        for command in (["migrate", "--noinput", "-v", "0"], ["create_demo_user"]):
            subprocess.run(manage + command, env=env, check=True, capture_output=True, cwd=ROOT)
        port = free_port()
        cls.base = f"http://127.0.0.1:{port}"
        cls.server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if cls.server.poll() is not None or time.monotonic() > deadline:
                    cls.tearDownClass()
                    raise RuntimeError("the example project's server did not start") from None
                time.sleep(0.1)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.terminate()
        try:
            cls.server.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck server
            cls.server.kill()
        if cls.server.stderr is not None:
            cls.server.stderr.close()
        cls.tmp.cleanup()
        super().tearDownClass()

    def call(
        self, method: str, path: str, token: str | None = None, body: Any = None
    ) -> tuple[int, dict[str, Any], Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                content = response.read()
                return response.status, dict(response.headers), json.loads(content or b"null")
        except urllib.error.HTTPError as err:
            with err:
                return err.code, dict(err.headers), json.loads(err.read())

    def login(self) -> dict[str, str]:
        status, _, body = self.call(
            "POST", "/login/", body={"username": "test", "password": "test"}
        )
        self.assertEqual(status, 200)
        self.assertEqual(set(body), {"access_token", "refresh_token"})
        return body  # type: ignore[no-any-return]

    def test_reference_flow(self) -> None:
        tokens = self.login()
        access, refresh = tokens["access_token"], tokens["refresh_token"]

        self.assertEqual(self.call("GET", "/protected/", access)[::2], (200, {"user": "test"}))
        self.assertEqual(self.call("GET", "/fresh/", access)[::2], (200, {"user": "test"}))

        status, _, body = self.call("POST", "/refresh/", refresh)
        self.assertEqual((status, set(body)), (200, {"access_token"}))
        refreshed = body["access_token"]
        self.assertEqual(self.call("GET", "/protected/", refreshed)[::2], (200, {"user": "test"}))

        status, _, body = self.call("GET", "/fresh/", refreshed)
        self.assertEqual((status, body["code"]), (403, "token_not_fresh"))

    def test_the_split_holds(self) -> None:
        tokens = self.login()
        for path in ("/protected/", "/fresh/", "/optional/"):
            status, headers, body = self.call("GET", path, tokens["refresh_token"])
            self.assertEqual((status, body["code"]), (401, "token_wrong_type"), path)
            self.assertEqual(headers["WWW-Authenticate"], 'Bearer realm="api"')
        status, _, body = self.call("POST", "/refresh/", tokens["access_token"])
        self.assertEqual((status, body["code"]), (401, "token_wrong_type"))

    def test_logout_revokes_the_session_only(self) -> None:
        first, second = self.login(), self.login()
        status, _, body = self.call("POST", "/logout/", first["access_token"])
        self.assertEqual(status, 204)
        for token in (first["access_token"],):
            status, _, body = self.call("GET", "/protected/", token)
            self.assertEqual((status, body["code"]), (401, "token_revoked"))
        status, _, body = self.call("POST", "/refresh/", first["refresh_token"])
        self.assertEqual((status, body["code"]), (401, "token_revoked"))
        self.assertEqual(self.call("GET", "/protected/", second["access_token"])[0], 200)
        self.assertEqual(self.call("POST", "/logout/all/", second["refresh_token"])[0], 204)
        status, _, body = self.call("GET", "/protected/", second["access_token"])
        self.assertEqual((status, body["code"]), (401, "token_revoked"))
        self.assertEqual(self.call("GET", "/protected/", self.login()["access_token"])[0], 200)

    def test_optional_and_errors(self) -> None:
        self.assertEqual(self.call("GET", "/optional/")[::2], (200, {"user": None}))
        status, _, body = self.call("GET", "/protected/")
        self.assertEqual((status, body["code"]), (401, "not_authenticated"))
        status, _, body = self.call("POST", "/login/", body={"username": "test", "password": "x"})
        self.assertEqual((status, body["code"]), (401, "invalid_credentials"))
        status, _, body = self.call("POST", "/verify/", body={"token": "v4.local.AAAA"})
        self.assertEqual(status, 401)
        self.assertEqual(self.call("GET", "/keys/")[::2], (200, {"keys": []}))
