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


def readme_flow() -> str:
    """The README's shell block under "## The flow"."""
    from tests.test_docs import README, fenced_blocks

    text = README.read_text(encoding="utf-8")
    start = text.index("## The flow\n")
    (block,) = fenced_blocks(text[start : text.index("\n## ", start + 1)], "bash")
    return block


@tag("servers")
class ReadmeFlowTests(SimpleTestCase):
    """The README's flow, pasted into bash as it stands, against the example project: every
    answer is the one its ``# {...}`` comment shows (``…`` for a token's tail)."""

    def test_the_readme_flow_pastes(self) -> None:
        import json
        import os
        import re
        import shutil
        import subprocess
        import sys
        import tempfile
        from pathlib import Path

        if shutil.which("curl") is None:  # pragma: no cover - CI has curl
            self.skipTest("curl is not installed")
        block = readme_flow()
        expected = [line[2:] for line in block.splitlines() if line.startswith("# {")]
        server = ExampleProjectServer().start()
        self.addCleanup(server.stop)
        with tempfile.TemporaryDirectory() as home:
            # Each answer on a line of its own (curl prints none after a body).
            Path(home, ".curlrc").write_text('write-out = "\\n"\n', encoding="utf-8")
            env = {
                **os.environ,
                "CURL_HOME": home,
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            }
            done = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", block.replace("127.0.0.1:8000", server.host)],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
        self.assertEqual(done.returncode, 0, done.stderr)
        answers = [line for line in done.stdout.splitlines() if line.strip()]
        self.assertEqual(len(answers), len(expected), done.stdout)
        for answer, want in zip(answers, expected, strict=True):
            got, wanted = json.loads(answer), json.loads(want)
            self.assertEqual(set(got), set(wanted), answer)
            for key, value in wanted.items():
                pattern = re.escape(value).replace("…", ".+")
                self.assertRegex(got[key], f"^{pattern}$", key)


def make(*args: str, env: dict[str, str] | None = None) -> Any:
    """``make -s`` in the tree, with this interpreter's virtualenv as the Makefile's."""
    import subprocess
    import sys
    from pathlib import Path

    venv = Path(sys.executable).parent.parent
    root = Path(__file__).resolve().parent.parent
    return subprocess.run(
        ["make", "-s", "--no-print-directory", f"VENV={venv}", f"PYTHON={sys.executable}", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


class DemoPortTests(SimpleTestCase):
    """``make demo`` on a port in use: one line that says so, before anything is done."""

    def test_a_busy_port_is_one_line(self) -> None:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            sock.listen()
            port = sock.getsockname()[1]
            done = make("demo", f"PORT={port}")
        self.assertNotEqual(done.returncode, 0)
        self.assertEqual(done.stdout, "")
        (line,) = done.stderr.splitlines()
        self.assertIn(f"port {port} on 127.0.0.1 is in use", line)
        self.assertIn("make demo PORT=", line)


@tag("servers")
class DemoWebSocketSnippetTests(SimpleTestCase):
    """The WebSocket snippet ``make demo`` prints, run as printed (token filled in) against
    the demo's uvicorn, with every DeprecationWarning an error."""

    def test_the_printed_snippet_runs_without_warnings(self) -> None:
        import subprocess
        import sys
        import textwrap

        server = ExampleProjectServer(server="uvicorn").start()
        self.addCleanup(server.stop)
        printed = make("demo-commands", "HOST=127.0.0.1", f"PORT={server.port}")
        self.assertEqual(printed.returncode, 0, printed.stderr)
        lines = printed.stdout.splitlines()
        start = next(i for i, line in enumerate(lines) if line.endswith("python - <<'EOF'"))
        end = lines.index("  EOF", start)
        snippet = textwrap.dedent("\n".join(lines[start + 1 : end]))
        self.assertIn("with connect(", snippet)
        access = server.client.call(
            "POST", "/login/", body={"username": "test", "password": "test"}
        ).body["access_token"]
        done = subprocess.run(
            [sys.executable, "-W", "error::DeprecationWarning", "-"],
            input=snippet.replace("<access_token>", access),
            capture_output=True,
            text=True,
            timeout=30,
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stderr, "")
        greeting, echo = done.stdout.splitlines()
        self.assertIn("test", greeting)
        self.assertIn("hi", echo)


@tag("servers")
class DemoUvicornTests(SimpleTestCase):
    """uvicorn as ``make demo`` runs it: no "ASGI 'lifespan' protocol appears unsupported"
    line at start (Channels has no lifespan handler)."""

    def test_no_lifespan_line(self) -> None:
        import shlex
        import sys

        server = ExampleProjectServer(server="uvicorn")
        self.addCleanup(server.stop)
        printed = make(
            "--eval", "args: ; @echo $(DEMO_UVICORN_ARGS)", "args", f"PORT={server.port}"
        )
        self.assertEqual(printed.returncode, 0, printed.stderr)
        arguments = shlex.split(printed.stdout)
        self.assertEqual(arguments[0], ExampleProjectServer.ASGI_APP)
        server.command = lambda: [sys.executable, "-m", "uvicorn", *arguments]  # type: ignore[method-assign]
        server.start()
        self.assertEqual(server.client.call("GET", "/keys/").status, 200)
        server.halt()
        log = server.log_text()
        self.assertIn("Uvicorn running on", log)
        self.assertNotIn("lifespan", log.lower())
