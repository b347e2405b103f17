"""A database router for the revocation-check-at-scale figures only.

The denylist table lives in two SQLite files: ``default`` (1 thousand entries, the one every
other figure uses) and ``large`` (1 million). ``run.py`` points ``DENYLIST_DATABASE`` at
one or the other between timed batches, so the two sizes are measured interleaved, under the
same machine load. Every other model is left to Django (``None``).
"""

from typing import Any

DENYLIST_DATABASE = "default"


class DenylistRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return DENYLIST_DATABASE if model._meta.app_label == "drf_paseto" else None

    db_for_write = db_for_read

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return True
