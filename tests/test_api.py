"""The public API: every public module of drf_paseto declares ``__all__``, and docs/api.md lists
exactly those names, module by module.

The modules are found by walking the package (``pkgutil.walk_packages``), so a new module is
checked as soon as it exists. Public means no part of the dotted name starts with an
underscore; Django's migration modules are loaded by the migration loader, not imported by
anyone, and are left out.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from types import ModuleType

from django.test import SimpleTestCase

import drf_paseto

API_MD = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def public_module_names() -> list[str]:
    """Every public module of drf_paseto, the package itself included."""
    names = ["drf_paseto"]
    for info in pkgutil.walk_packages(drf_paseto.__path__, "drf_paseto."):
        parts = info.name.split(".")
        if any(part.startswith("_") for part in parts) or "migrations" in parts:
            continue
        names.append(info.name)
    return sorted(names)


def import_public_modules() -> tuple[dict[str, ModuleType], set[str]]:
    """The public modules, imported; and those left out because an optional package of
    theirs (an extra: channels, drf-spectacular, …) is not installed."""
    modules: dict[str, ModuleType] = {}
    missing_extra: set[str] = set()
    for name in public_module_names():
        try:
            modules[name] = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name is None or err.name.startswith("drf_paseto"):
                raise
            missing_extra.add(name)
    return modules, missing_extra


def documented_api(text: str) -> dict[str, list[str]]:
    """docs/api.md's sections: ``## `module` `` headings, each with ``- `name`: …`` items."""
    documented: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        heading = re.fullmatch(r"## `(drf_paseto(?:\.\w+)*)`", line.strip())
        if heading:
            current = documented.setdefault(heading.group(1), [])
            continue
        if line.startswith("#"):
            current = None  # another heading ends the module's list
            continue
        item = re.match(r"- `(\w+)`", line)
        if item and current is not None:
            current.append(item.group(1))
    return documented


class PublicModuleTests(SimpleTestCase):
    def setUp(self) -> None:
        self.modules, self.missing_extra = import_public_modules()

    def test_the_walk_finds_the_package_modules(self) -> None:
        # Not the list to check against: a guard that the walk itself works.
        for name in ("drf_paseto", "drf_paseto.tokens", "drf_paseto.stores.redis"):
            self.assertIn(name, self.modules)
        self.assertNotIn("drf_paseto.checks._base", self.modules)
        self.assertFalse([name for name in self.modules if ".migrations" in name])

    def test_every_public_module_declares_all(self) -> None:
        undeclared = sorted(n for n, m in self.modules.items() if not hasattr(m, "__all__"))
        self.assertEqual(undeclared, [], "public modules without __all__")

    def test_every_name_in_all_exists_once(self) -> None:
        for name, module in self.modules.items():
            exported = getattr(module, "__all__", [])
            with self.subTest(module=name):
                self.assertIsInstance(exported, list)
                self.assertEqual(len(exported), len(set(exported)), "listed twice")
                self.assertEqual([n for n in exported if not hasattr(module, n)], [])
                self.assertEqual([n for n in exported if n.startswith("_") and n[1] != "_"], [])


class ApiReferenceTests(SimpleTestCase):
    def setUp(self) -> None:
        self.modules, self.missing_extra = import_public_modules()
        self.documented = documented_api(API_MD.read_text(encoding="utf-8"))

    def test_every_public_module_has_a_section(self) -> None:
        self.assertEqual(sorted(set(self.modules) - set(self.documented)), [], "not in api.md")

    def test_every_section_is_a_public_module(self) -> None:
        known = set(self.modules) | self.missing_extra
        self.assertEqual(sorted(set(self.documented) - known), [], "not public modules")

    def test_each_section_lists_exactly_the_modules_all(self) -> None:
        for name, module in self.modules.items():
            with self.subTest(module=name):
                listed = self.documented.get(name, [])
                exported = list(getattr(module, "__all__", []))
                self.assertEqual(len(listed), len(set(listed)), "documented twice")
                self.assertEqual(sorted(set(exported) - set(listed)), [], "undocumented")
                self.assertEqual(sorted(set(listed) - set(exported)), [], "not in __all__")

    def test_the_parser_reads_items_of_its_section_only(self) -> None:
        text = (
            "# API\n\n- `stray`: before any module\n\n## `drf_paseto.tokens`\n\n"
            "- `Token`: a token\n- `create_token`: builds one\n\n### Notes\n\n- `other`: no\n"
        )
        self.assertEqual(documented_api(text), {"drf_paseto.tokens": ["Token", "create_token"]})
