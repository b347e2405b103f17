"""Small helpers more than one test module uses."""

from __future__ import annotations

import contextlib
from typing import Any

from django.test import SimpleTestCase

from drf_paseto.exceptions import TokenError

DROP = object()  # as a value in changes_applied()'s changes: remove the claim


def changes_applied(payload: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with ``changes`` set in it, where a change to ``DROP`` removes the claim."""
    for name, value in changes.items():
        if value is DROP:
            payload.pop(name, None)
        else:
            payload[name] = value
    return payload


def all_token_errors() -> list[type[TokenError]]:
    """``TokenError`` and every subclass of it defined so far (tests define some too)."""
    found: list[type[TokenError]] = []
    pending: list[type[TokenError]] = [TokenError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


class StrictTestCase(SimpleTestCase):
    @contextlib.contextmanager
    def raises(self, exc_type: type[BaseException], code: str | None = None):
        """assertRaises, but the exception must be exactly ``exc_type`` (and have ``code``)."""
        with self.assertRaises(exc_type) as ctx:
            yield ctx
        self.assertIs(type(ctx.exception), exc_type)
        if code is not None:
            self.assertEqual(ctx.exception.code, code)
