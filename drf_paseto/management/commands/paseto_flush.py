"""``manage.py paseto_flush``: delete the login sessions whose tokens have all expired."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from drf_paseto.stores import DatabaseStore

__all__ = [
    "Command",
]


class Command(BaseCommand):
    help = (
        "Delete the login sessions whose tokens have all expired, and the revocation cutoffs "
        "that match no remaining session. Run it daily (cron, a scheduled job)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = DatabaseStore().flush()
        self.stdout.write(f"Deleted {deleted} expired session records.")
