"""A database router for the revocation-check-at-scale figures only.

The session tables (``LoginSession``, ``SubjectCutoff``) live in two SQLite files:
``default`` (1 thousand sessions, the one every other figure uses) and ``large`` (1 million).
``run.py`` points ``SESSION_DATABASE`` at one or the other between timed batches, so the two
sizes are measured interleaved, under the same machine load. Both files hold the same users
with the same primary keys (the database store joins a session to its user in one query), so
a relation between a user of one and a session of the other is allowed. Every other model is
left to Django (``None``).
"""

from typing import Any

SESSION_DATABASE = "default"


class SessionRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return SESSION_DATABASE if model._meta.app_label == "drf_paseto" else None

    db_for_write = db_for_read

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return True
