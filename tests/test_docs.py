"""docs/: the reference pages are checked against the code, so they cannot drift."""

import ast
import builtins
import importlib
import importlib.util
import os
import pkgutil
import re
import subprocess
import textwrap
from pathlib import Path

from django.core import checks
from django.test import SimpleTestCase

from drf_paseto import checks as paseto_checks
from drf_paseto.checks.names import REMOVED
from drf_paseto.settings import DEFAULTS
from tests.helpers import error_codes

DOCS = Path(__file__).resolve().parent.parent / "docs"


def table_names(text: str) -> set[str]:
    """The backticked names in the first column of a Markdown table."""
    return set(re.findall(r"^\|\s*`([A-Z0-9_]+)`\s*\|", text, re.MULTILINE))


def section(page: str, start: str, end: str | None = None) -> str:
    """The text of ``page`` from the heading ``start`` to the heading ``end`` (or the end)."""
    text = (DOCS / page).read_text(encoding="utf-8")
    begin = text.index(start)
    return text[begin : text.index(end, begin) if end else None]


class SettingsReferenceTests(SimpleTestCase):
    def test_every_setting_is_documented_and_nothing_else(self) -> None:
        documented = table_names(section("settings.md", "# Settings reference", "## Constants"))
        self.assertEqual(documented - set(DEFAULTS), set(), "documented, but not settings")
        self.assertEqual(set(DEFAULTS) - documented, set(), "settings, but not documented")

    def test_every_removed_setting_is_listed_with_its_replacement(self) -> None:
        removed = section("settings.md", "## Removed settings")
        first_column = {
            name
            for line in removed.splitlines()
            if line.startswith("| `")
            for name in re.findall(r"`([A-Z0-9_]+)`", line.split("|")[1])
        }
        self.assertEqual(first_column, set(REMOVED))


class ErrorCodeTableTests(SimpleTestCase):
    def test_every_error_code_is_documented(self) -> None:
        text = (DOCS / "errors.md").read_text(encoding="utf-8")
        for code in error_codes():
            with self.subTest(code=code):
                self.assertIn(f"`{code}`", text)


class CheckIdTests(SimpleTestCase):
    def test_every_check_id_in_the_code_is_documented(self) -> None:
        package = Path(paseto_checks.__file__).parent
        source = "".join(p.read_text(encoding="utf-8") for p in package.glob("*.py"))
        ids = set(re.findall(r'id="(drf_paseto\.[EW]\d{3})"', source))
        text = (DOCS / "checks.md").read_text(encoding="utf-8")
        documented = set(re.findall(r"^## (drf_paseto\.[EW]\d{3})$", text, re.MULTILINE))
        # One id per kind of mistake: 10 errors and 12 warnings, each with its own section.
        self.assertEqual(ids, documented)
        self.assertEqual(len(ids), 22)
        self.assertTrue(checks.registry.registry.registered_checks)


README = DOCS.parent / "README.md"
ROOT = DOCS.parent


def fenced_blocks(text: str, language: str) -> list[str]:
    """The fenced blocks of one language, dedented (blocks inside list items are indented)."""
    pattern = rf"^([ \t]*)```{language}\n(.*?)^\1```"
    return [
        textwrap.dedent(block) for _, block in re.findall(pattern, text, re.DOTALL | re.MULTILINE)
    ]


# Where a snippet's names come from when it forgets to import them.
IMPORT_SOURCES = (
    "datetime",
    "django.contrib.auth",
    "django.contrib.auth.models",
    "django.urls",
    "rest_framework.generics",
    "rest_framework.permissions",
    "rest_framework.response",
    "rest_framework.serializers",
    "rest_framework.views",
    "channels.db",
    "channels.generic.websocket",
    "asgiref.sync",
)


def undefined_names(source: str) -> set[str]:
    """Names a snippet reads without binding them (scopes merged: a snippet is small)."""
    tree = ast.parse(source)
    bound, loaded = set(dir(builtins)), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return loaded - bound


class DocsSnippetImportTests(SimpleTestCase):
    """Every Python snippet of the README and docs/ imports what it uses: a name that a
    module of Python, Django, DRF, Channels or drf_paseto offers is never left for the
    reader to guess (``user``, ``request`` and the like are the reader's own)."""

    def test_every_snippet_has_its_imports(self) -> None:
        sources = [importlib.import_module(name) for name in IMPORT_SOURCES]
        package = importlib.import_module("drf_paseto")
        for info in pkgutil.walk_packages(package.__path__, "drf_paseto."):
            sources.append(importlib.import_module(info.name))
        offered = {name for module in sources for name in vars(module) if not name.startswith("_")}
        pages = [README, *sorted(DOCS.glob("*.md"))]
        checked = 0
        for page in pages:
            for number, block in enumerate(fenced_blocks(page.read_text("utf-8"), "python")):
                checked += 1
                with self.subTest(page=page.name, block=number):
                    missing = {
                        name
                        for name in undefined_names(block)
                        if name in offered or importlib.util.find_spec(name) is not None
                    }
                    self.assertEqual(missing, set(), f"{page.name} block {number}:\n{block}")
        self.assertGreater(checked, 50)


def include_comment(text: str) -> set[str]:
    """The routes named in the comment above ``include("drf_paseto.urls")``."""
    match = re.search(
        r"((?:^\s*#.*\n)+)\s*path\(\"[^\"]*\", include\(\"drf_paseto.urls\"\)\)", text, re.MULTILINE
    )
    assert match is not None
    return set(re.findall(r"[a-z]+/(?:[a-z<>]+/)*", match.group(1)))


class RoutesDocumentedTests(SimpleTestCase):
    """The routes ``drf_paseto.urls`` serves, all of them, in docs/usage.md and the README."""

    def served(self) -> set[str]:
        from drf_paseto import urls

        return {re.sub(r"<[^>]*>", "<id>", str(p.pattern)) for p in urls.urlpatterns}

    def test_usage_lists_every_route(self) -> None:
        text = (DOCS / "usage.md").read_text(encoding="utf-8")
        table = set(re.findall(r"^\| `([a-z<>/]+)` \| `drf_paseto:", text, re.MULTILINE))
        self.assertEqual(table, self.served())
        self.assertEqual(include_comment(text), self.served())

    def test_the_readme_include_names_every_route(self) -> None:
        self.assertEqual(include_comment(README.read_text(encoding="utf-8")), self.served())


class ReadmeSkipMessageTests(SimpleTestCase):
    """The README quotes what ``make test`` prints when the servers are missing."""

    def test_the_quoted_skip_message_is_what_make_test_prints(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DRF_PASETO_TEST_")}
        done = subprocess.run(
            ["bash", str(ROOT / ".ci" / "skipped.sh")],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        lines = done.stdout.splitlines()
        self.assertTrue(lines[0].startswith("make test: skipped the server legs: PostgreSQL"))
        quoted = [
            line
            for block in fenced_blocks(README.read_text(encoding="utf-8"), "text")
            for line in block.splitlines()
            if line.startswith("make test:")
        ]
        for line in lines:
            self.assertIn(line, quoted)
        makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
        self.assertIn("bash .ci/skipped.sh", makefile)
