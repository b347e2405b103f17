"""docs/: the reference pages are checked against the code, so they cannot drift."""

import re
from pathlib import Path

from django.core import checks
from django.test import SimpleTestCase

from drf_paseto import checks as paseto_checks
from drf_paseto.settings import DEFAULTS
from tests.helpers import all_token_errors

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
        for error in all_token_errors():
            if not error.__module__.startswith("drf_paseto."):
                continue  # subclasses that tests define for themselves
            with self.subTest(code=error.code):
                self.assertIn(f"`{error.code}`", text)


class CheckIdTests(SimpleTestCase):
    def test_every_check_id_in_the_code_is_documented(self) -> None:
        source = Path(paseto_checks.__file__).read_text(encoding="utf-8")
        ids = set(re.findall(r'id="(drf_paseto\.[EW]\d{3})"', source))
        self.assertGreater(len(ids), 20)
        text = (DOCS / "checks.md").read_text(encoding="utf-8")
        for check_id in sorted(ids):
            with self.subTest(check_id=check_id):
                self.assertIn(check_id, text)
        self.assertTrue(checks.registry.registry.registered_checks)
