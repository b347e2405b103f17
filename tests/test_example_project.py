"""example_project/: the reference pages' flow against the example project, served by a real
HTTP server in a separate process, exactly as `make demo` serves it."""

from __future__ import annotations

from typing import Any

from django.test import SimpleTestCase, tag

from tests.live_server import ExampleProjectServer


@tag("servers")
class ExampleProjectServerTests(SimpleTestCase):
    """``make demo``'s steps (migrate, create_demo_user, runserver), then the original's flow."""

    server: ExampleProjectServer

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.server = ExampleProjectServer().start()
        cls.addClassCleanup(cls.server.stop)

    def call(
        self, method: str, path: str, token: str | None = None, body: Any = None
    ) -> tuple[int, dict[str, Any], Any]:
        reply = self.server.client.call(method, path, token, body)
        return reply.status, reply.headers, reply.body

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


class DemoExtraTests(SimpleTestCase):
    """What `make demo` installs (the root's redirect: tests/test_spectacular.py, which
    imports the example project's URLconf the way it must be imported first)."""

    def test_the_demo_extra_is_what_the_demo_needs(self) -> None:
        import re
        from pathlib import Path

        try:
            import tomllib
        except ImportError:  # pragma: no cover - Python 3.10
            self.skipTest("tomllib needs Python 3.11")
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        extras = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"][
            "optional-dependencies"
        ]

        def names(extra: str) -> set[str]:
            return {re.split(r"[\[<>=~ ]", requirement)[0] for requirement in extras[extra]}

        demo = names("demo")
        # The example project's settings (django-environ), the ASGI server and the WebSocket
        # echo of ws/echo/ (Channels, uvicorn with websockets)...
        self.assertLessEqual({"django-environ", "channels", "uvicorn", "websockets"}, demo)
        # ... and none of the development toolchain.
        self.assertFalse(demo & {"coverage", "mypy", "ruff", "playwright", "tox", "mkdocs"})
        self.assertLess(len(demo), len(names("dev")) / 3)
