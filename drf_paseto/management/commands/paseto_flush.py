"""``manage.py paseto_flush``: delete denylist rows whose tokens have all expired."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from drf_paseto.revocation import DatabaseStore


class Command(BaseCommand):
    help = (
        "Delete the database denylist's entries about tokens that have all expired. Run it "
        "daily (cron, a scheduled job). The cache store needs no flushing: entries carry a TTL."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = DatabaseStore().flush()
        self.stdout.write(f"Deleted {deleted} expired denylist entries.")
