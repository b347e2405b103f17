"""docs/: the reference pages are checked against the code, so they cannot drift."""

import re
from pathlib import Path

from django.core import checks
from django.test import SimpleTestCase

from drf_paseto import checks as paseto_checks
from drf_paseto.settings import DEFAULTS
from tests.helpers import error_codes

DOCS = Path(__file__).resolve().parent.parent / "docs"


def table_names(page: str) -> set[str]:
    """The backticked names in the first column of a Markdown table."""
    text = (DOCS / page).read_text(encoding="utf-8")
    return set(re.findall(r"^\|\s*`([A-Z0-9_]+)`\s*\|", text, re.MULTILINE))


class SettingsReferenceTests(SimpleTestCase):
    def test_every_setting_is_documented_and_nothing_else(self) -> None:
        self.assertEqual(table_names("settings.md"), set(DEFAULTS))


class ErrorCodeTableTests(SimpleTestCase):
    def test_every_error_code_is_documented(self) -> None:
        text = (DOCS / "errors.md").read_text(encoding="utf-8")
        for code in error_codes():
            with self.subTest(code=code):
                self.assertIn(f"`{code}`", text)


class CheckIdTests(SimpleTestCase):
    def test_every_check_id_in_the_code_is_documented(self) -> None:
        package = Path(paseto_checks.__file__).parent
        source = "".join(p.read_text(encoding="utf-8") for p in package.glob("checks*.py"))
        ids = set(re.findall(r'id="(drf_paseto\.[EW]\d{3})"', source))
        self.assertIn("drf_paseto.W010", ids)
        self.assertGreater(len(ids), 20)
        text = (DOCS / "checks.md").read_text(encoding="utf-8")
        for check_id in sorted(ids):
            with self.subTest(check_id=check_id):
                self.assertIn(check_id, text)
        self.assertTrue(checks.registry.registry.registered_checks)


README = DOCS.parent / "README.md"
# What the quick start's project does once configured: log in, refresh, and a DRF error.
QUICK_START_SCRIPT = """
import json
from django.contrib.auth import get_user_model
from django.test import Client
get_user_model().objects.create_user("reader", password="a-password-123")
client = Client(HTTP_HOST="localhost")
login = client.post("/login/", {"username": "reader", "password": "a-password-123"},
                    content_type="application/json")
refresh = client.post("/refresh/", HTTP_AUTHORIZATION="Bearer " + login.json()["refresh_token"])
anonymous = client.post("/refresh/")
print(json.dumps({"login": [login.status_code, sorted(login.json())],
                  "refresh": [refresh.status_code, sorted(refresh.json())],
                  "anonymous": [anonymous.status_code, anonymous.json()]}))
"""


def readme_blocks(section: str) -> list[str]:
    """The fenced ``python`` blocks of one ``## `` section of the README."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {section}\n")
    end = text.find("\n## ", start + 1)
    return re.findall(r"```python\n(.*?)```", text[start:end], re.DOTALL)


class ReadmeQuickStartTests(SimpleTestCase):
    """The README's Configure blocks, pasted into a new ``startproject`` project with no
    environment variable set, give a working login: no edit, no KeyError."""

    def test_the_quick_start_works_pasted_into_a_new_project(self) -> None:
        import json
        import os
        import subprocess
        import sys
        import tempfile

        settings_block, urls_block = readme_blocks("Configure")
        # INSTALLED_APPS = [ # ... "rest_framework", "drf_paseto", ]: "# ..." stands for the
        # project's own apps, so the README's entries go into the generated list.
        apps_match = re.search(r"INSTALLED_APPS = \[\n(.*?)\]\n", settings_block, re.DOTALL)
        assert apps_match is not None
        apps = "".join(line + "\n" for line in apps_match.group(1).splitlines() if '"' in line)
        rest_of_settings = settings_block.replace(apps_match.group(0), "")
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "PASETO_", "DRF_PASETO_")) and k != "PYTHONPATH"
        }
        with tempfile.TemporaryDirectory() as tmp:

            def run(*args: str) -> str:
                done = subprocess.run(
                    [sys.executable, *args], cwd=tmp, env=env, capture_output=True, text=True
                )
                self.assertEqual(done.returncode, 0, f"{args}: {done.stderr[-3000:]}")
                return done.stdout

            run("-m", "django", "startproject", "mysite", ".")
            settings_path = Path(tmp, "mysite", "settings.py")
            settings_text = settings_path.read_text(encoding="utf-8")
            settings_text = settings_text.replace(
                "INSTALLED_APPS = [\n", "INSTALLED_APPS = [\n" + apps
            )
            settings_path.write_text(settings_text + "\n" + rest_of_settings, encoding="utf-8")
            urls_path = Path(tmp, "mysite", "urls.py")
            urls_path.write_text(
                urls_path.read_text(encoding="utf-8") + "\n" + urls_block, encoding="utf-8"
            )
            run("manage.py", "check", "--fail-level", "WARNING")
            run("manage.py", "migrate", "-v", "0")
            # The last line: Django 5.2's shell may first say what it imported.
            output = run("manage.py", "shell", "-c", QUICK_START_SCRIPT)
            result = json.loads(output.strip().splitlines()[-1])
        self.assertEqual(result["login"], [200, ["access_token", "refresh_token"]])
        self.assertEqual(result["refresh"], [200, ["access_token"]])
        status, body = result["anonymous"]
        self.assertEqual(status, 401)
        self.assertEqual(body["code"], "not_authenticated")
