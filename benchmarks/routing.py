"""Every model on the database a measurement names.

The benchmark measures the same rows on several databases in one process (PostgreSQL and
SQLite, each at three store sizes: ``settings.DATABASES``). ``use("sqlite_1m")`` sends every
read and write of every app (users, DRF's and knox's tokens, drf_paseto's sessions) to that
alias until the block ends; outside any block, everything is on ``default`` (PostgreSQL),
which is what the gunicorn workers of the end-to-end row see.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

ACTIVE = "default"


@contextmanager
def use(alias: str) -> Iterator[None]:
    global ACTIVE
    previous, ACTIVE = ACTIVE, alias
    try:
        yield
    finally:
        ACTIVE = previous


class ActiveDatabaseRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str:
        return ACTIVE

    db_for_write = db_for_read

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return True
