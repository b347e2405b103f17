"""Create (or reset) the demo user ``test`` / ``test`` of the reference pages."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create or reset the demo user (username and password from the options)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default="test")
        parser.add_argument("--password", default="test")

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        user, created = user_model._default_manager.get_or_create(
            **{user_model.USERNAME_FIELD: options["username"]}
        )
        user.set_password(options["password"])
        user.is_active = True
        user.save()
        verb = "Created" if created else "Reset"
        self.stdout.write(f"{verb} demo user {options['username']!r}.")
