"""The README and docs/ as a new user follows them: the install lines against a wheel built
from this tree, the quick start pasted into a new ``startproject`` project, and the Simple JWT
migration's "running both" setup. Server tier: they build a wheel and run ``manage.py`` in
subprocesses."""

from __future__ import annotations

import ast
import fnmatch
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.test import SimpleTestCase, tag

from tests.test_docs import DOCS, README, ROOT, fenced_blocks

PROJECT = "djangorestframework-paseto"
# What the docs write for a clone of the repository and for the wheel `make dist` builds.
CLONE = "path/to/djangorestframework-paseto"
WHEEL_GLOB = "dist/djangorestframework_paseto-*-py3-none-any.whl"


def install_lines(text: str) -> list[str]:
    """Every ``pip install ...`` command of a page's fenced shell blocks (comments cut)."""
    lines = []
    for block in fenced_blocks(text, "bash"):
        for line in block.splitlines():
            command = line.split(" #", 1)[0].strip()
            if command.startswith("pip install "):
                lines.append(command)
    return lines


def hint_lines() -> list[str]:
    """The ``pip install ...`` commands in the package's string literals (check hints)."""
    found = []
    for path in sorted((ROOT / "drf_paseto").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for match in re.finditer(r"pip install (.*)", node.value):
                    words = []
                    for word in shlex.split(match.group(1)):
                        words.append(word.rstrip(",.;)"))
                        if word != words[-1]:
                            break  # the end of the command inside a sentence
                    found.append(shlex.join(["pip", "install", *words]))
    return found


def project_name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; @]", requirement, maxsplit=1)[0].lower().replace("_", "-")


@tag("servers")
class InstallLineTests(SimpleTestCase):
    """Each line resolves, offline, to the wheel built from this tree: the package is not
    published, so its name alone would fail for a new user ("No matching distribution")."""

    wheel: Path

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        tmp = tempfile.TemporaryDirectory(prefix="drf_paseto_wheel_")
        cls.addClassCleanup(tmp.cleanup)
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp.name, str(ROOT)],
            check=True,
            capture_output=True,
        )
        (cls.wheel,) = Path(tmp.name).glob("*.whl")

    def extras_offered(self) -> set[str]:
        with zipfile.ZipFile(self.wheel) as wheel:
            (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
            metadata = wheel.read(name).decode("utf-8")
        return set(re.findall(r"^Provides-Extra: (\S+)$", metadata, re.MULTILINE))

    def resolve(self, line: str) -> None:
        """``pip install --dry-run`` of the line, with the clone and ``dist/`` standing for
        the wheel; offline and the same everywhere: no index, no configuration, no
        dependencies (the line's own requirements only), and the extras checked against the
        wheel's metadata."""
        ours = False
        arguments = []
        for word in shlex.split(line)[2:]:
            extras = re.search(r"\[([^\]]*)\]$", word)
            bare = word[: extras.start()] if extras else word
            if bare == CLONE or fnmatch.fnmatch(bare, WHEEL_GLOB):
                ours = True
                wanted = {e.strip() for e in extras.group(1).split(",")} if extras else set()
                self.assertLessEqual(wanted, self.extras_offered(), line)
                word = f"{self.wheel}{extras.group(0) if extras else ''}"
            else:
                self.assertNotEqual(
                    project_name(word), PROJECT, f"{line!r}: {PROJECT} is not published yet"
                )
            arguments.append(word)
        with tempfile.TemporaryDirectory() as tmp:
            report = Path(tmp, "report.json")
            done = subprocess.run(
                [
                    *(sys.executable, "-m", "pip", "install", "--isolated", "--dry-run"),
                    *("--no-index", "--no-deps", "--quiet", "--report", str(report)),
                    *arguments,
                ],
                capture_output=True,
                text=True,
            )
            self.assertEqual(done.returncode, 0, f"{line!r}:\n{done.stderr[-2000:]}")
            installed = json.loads(report.read_text(encoding="utf-8"))["install"]
        if ours:
            urls = {item["download_info"]["url"] for item in installed}
            self.assertIn(self.wheel.as_uri(), urls, line)

    def test_the_readme_and_docs_lines_install(self) -> None:
        pages = [README, DOCS / "index.md", DOCS / "websockets.md", DOCS / "openapi.md"]
        lines = [line for page in pages for line in install_lines(page.read_text("utf-8"))]
        for line in lines:
            with self.subTest(line=line):
                self.resolve(line)
        self.assertGreaterEqual(len(lines), 6)

    def test_the_check_hints_install(self) -> None:
        lines = hint_lines()
        self.assertTrue(lines)
        for line in lines:
            self.resolve(line)

    def test_an_extra_the_wheel_lacks_is_refused(self) -> None:
        with self.assertRaises(AssertionError):
            self.resolve(f"pip install '{CLONE}[no-such-extra]'")

    def test_the_fixed_hint_would_pass(self) -> None:
        """What E046's hint should say: the redis extra's own requirement."""
        self.resolve("pip install 'redis[hiredis]>=5'")

    def test_the_bare_name_is_refused(self) -> None:
        """The test itself: the line the README had before would pass against the editable
        install of a development virtualenv, so it is refused by name."""
        with self.assertRaises(AssertionError):
            self.resolve(f"pip install '{PROJECT}[redis]'")


def clean_env() -> dict[str, str]:
    """A new user's environment: none of the suite's variables; this tree's drf_paseto."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PASETO_", "DRF_PASETO_"))
    }
    env["PYTHONPATH"] = str(ROOT)
    return env


class NewProject:
    """``django-admin startproject mysite`` in a temporary directory."""

    def __init__(self, test: SimpleTestCase, tmp: str) -> None:
        self.test = test
        self.dir = Path(tmp)
        self.env = clean_env()
        self.run("-m", "django", "startproject", "mysite", ".")
        self.package = self.dir / "mysite"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, *args],
            cwd=self.dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check:
            self.test.assertEqual(done.returncode, 0, f"{args}: {done.stderr[-3000:]}")
        return done

    def add_settings(self, block: str) -> None:
        """The block's ``INSTALLED_APPS`` entries go into the generated list ("# ..." stands
        for the project's own apps), the rest is appended."""
        match = re.search(r"INSTALLED_APPS = \[\n(.*?)\]\n", block, re.DOTALL)
        assert match is not None
        apps = "".join(line + "\n" for line in match.group(1).splitlines() if '"' in line)
        path = self.package / "settings.py"
        text = path.read_text(encoding="utf-8")
        text = text.replace("INSTALLED_APPS = [\n", "INSTALLED_APPS = [\n" + apps)
        path.write_text(text + "\n" + block.replace(match.group(0), ""), encoding="utf-8")

    def shell(self, script: str) -> Any:
        """Run ``script`` in ``manage.py shell``; its last line of output, parsed as JSON."""
        output = self.run("manage.py", "shell", "-c", script).stdout
        # The last line: Django 5.2's shell may first say what it imported.
        return json.loads(output.strip().splitlines()[-1])


def section_blocks(text: str, heading: str) -> dict[str, str]:
    """The ``python`` blocks of one section, by the file their first line names."""
    start = text.index(f"{heading}\n")
    end = text.find("\n## ", start + 1)
    blocks = {}
    for block in fenced_blocks(text[start:end], "python"):
        match = re.match(r"# (\w+\.py)", block)
        assert match is not None, block
        blocks[match.group(1)] = block
    return blocks


QUICK_START_FLOW = """
import json
from django.contrib.auth import get_user_model
from django.test import Client
get_user_model().objects.create_user("reader", password="a-password-123")
client = Client(HTTP_HOST="localhost")
def call(method, path, token=None, **body):
    headers = {"HTTP_AUTHORIZATION": "Bearer " + token} if token else {}
    answer = getattr(client, method)(path, body, content_type="application/json", **headers)
    return [answer.status_code, answer.json() if answer.content else None]
login = call("post", "/PREFIX/login/", username="reader", password="a-password-123")
access, refresh = login[1]["access_token"], login[1]["refresh_token"]
print(json.dumps({
    "login": [login[0], sorted(login[1])],
    "protected": call("get", "/protected/", access),
    "anonymous": call("get", "/protected/"),
    "refresh": call("post", "/PREFIX/refresh/", refresh)[0],
    "sessions": [call("get", "/PREFIX/sessions/", access)[0]],
    "logout": call("post", "/PREFIX/logout/", access),
    "revoked": call("get", "/protected/", access),
}))
"""


@tag("servers")
class QuickStartNewProjectTests(SimpleTestCase):
    """The quick start's blocks (the README's Configure section, docs/index.md's Quick start),
    pasted into a new project with no environment variable set: checks clean, then a login,
    a protected call, sessions/ and a logout."""

    def paste_and_run(self, page: Path, heading: str, prefix: str) -> None:
        blocks = section_blocks(page.read_text(encoding="utf-8"), heading)
        self.assertEqual(set(blocks), {"settings.py", "views.py", "urls.py"})
        self.assertIn(f'path("{prefix}", include("drf_paseto.urls"))', blocks["urls.py"])
        with tempfile.TemporaryDirectory() as tmp:
            project = NewProject(self, tmp)
            project.add_settings(blocks["settings.py"])
            (project.package / "views.py").write_text(blocks["views.py"], encoding="utf-8")
            urls = project.package / "urls.py"
            urls.write_text(urls.read_text("utf-8") + "\n" + blocks["urls.py"], encoding="utf-8")
            project.run("manage.py", "check", "--fail-level", "WARNING")
            # The README: check --deploy has nothing to say about drf_paseto.
            deploy = project.run("manage.py", "check", "--deploy", check=False)
            self.assertNotIn("drf_paseto.", deploy.stdout + deploy.stderr)
            project.run("manage.py", "migrate", "-v", "0")
            result = project.shell(QUICK_START_FLOW.replace("/PREFIX/", f"/{prefix}"))
        self.assertEqual(result["login"], [200, ["access_token", "refresh_token"]])
        self.assertEqual(result["protected"], [200, {"user": "reader"}])
        self.assertEqual(result["anonymous"][0], 401)
        self.assertEqual(result["anonymous"][1]["code"], "not_authenticated")
        self.assertEqual(result["refresh"], 200)
        self.assertEqual(result["sessions"], [200])
        self.assertEqual(result["logout"], [204, None])
        self.assertEqual(result["revoked"][0], 401)
        self.assertEqual(result["revoked"][1]["code"], "token_revoked")

    def test_the_readme_quick_start(self) -> None:
        self.paste_and_run(README, "## Configure", "")

    def test_the_docs_quick_start(self) -> None:
        self.paste_and_run(DOCS / "index.md", "## Quick start", "auth/")


BOTH_FLOW = """
import json
from django.contrib.auth import get_user_model
from django.test import Client
get_user_model().objects.create_user("mover", password="a-password-123")
client = Client(HTTP_HOST="localhost")
credentials = {"username": "mover", "password": "a-password-123"}
def call(method, path, auth=None, body=None):
    headers = {"HTTP_AUTHORIZATION": auth} if auth else {}
    answer = getattr(client, method)(path, body, content_type="application/json", **headers)
    return [answer.status_code, answer.json() if answer.content else None]
jwt = call("post", "/api/token/", body=credentials)[1]
paseto = call("post", "/api/paseto/login/", body=credentials)[1]
print(json.dumps({
    "jwt_login": sorted(jwt),
    "jwt_refresh": call("post", "/api/token/refresh/", body={"refresh": jwt["refresh"]}),
    "jwt_me": call("get", "/me/", "Bearer " + jwt["access"]),
    "paseto_login": sorted(paseto),
    "paseto_refresh": call("post", "/api/paseto/refresh/", "PASETO " + paseto["refresh_token"]),
    "paseto_me": call("get", "/me/", "PASETO " + paseto["access_token"]),
    "nothing": call("get", "/me/"),
}))
"""

ME_VIEW = """
from rest_framework.response import Response
from rest_framework.views import APIView


class MeView(APIView):
    def get(self, request):
        return Response({"user": request.user.get_username()})
"""


@tag("servers")
class MigratingRunningBothTests(SimpleTestCase):
    """docs/migrating-from-simplejwt.md, "Running both": Simple JWT and drf_paseto side by
    side in a new project, each with its own login, refresh and header scheme."""

    def test_running_both_as_the_page_says(self) -> None:
        try:
            import rest_framework_simplejwt  # noqa: F401
        except ImportError:  # pragma: no cover - the bench extra installs it
            self.skipTest("djangorestframework-simplejwt is not installed")
        text = (DOCS / "migrating-from-simplejwt.md").read_text(encoding="utf-8")
        blocks = section_blocks(text, "## Running both during the switch")
        self.assertEqual(set(blocks), {"settings.py", "urls.py"})
        with tempfile.TemporaryDirectory() as tmp:
            project = NewProject(self, tmp)
            project.add_settings(blocks["settings.py"])
            (project.package / "views.py").write_text(ME_VIEW, encoding="utf-8")
            urls = blocks["urls.py"] + (
                "\nfrom .views import MeView  # noqa: E402\n\n"
                'urlpatterns += [path("me/", MeView.as_view())]\n'
            )
            (project.package / "urls.py").write_text(urls, encoding="utf-8")
            project.run("manage.py", "check", "--fail-level", "WARNING")
            project.run("manage.py", "migrate", "-v", "0")
            result = project.shell(BOTH_FLOW)
        self.assertEqual(result["jwt_login"], ["access", "refresh"])
        self.assertEqual(result["jwt_refresh"][0], 200)
        self.assertEqual(result["jwt_me"], [200, {"user": "mover"}])
        self.assertEqual(result["paseto_login"], ["access_token", "refresh_token"])
        self.assertEqual(result["paseto_refresh"][0], 200, result["paseto_refresh"])
        self.assertEqual(sorted(result["paseto_refresh"][1]), ["access_token"])
        self.assertEqual(result["paseto_me"], [200, {"user": "mover"}])
        self.assertEqual(result["nothing"][0], 401)
        self.assertEqual(result["nothing"][1]["code"], "not_authenticated")
