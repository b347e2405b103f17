"""``manage.py paseto_keygen``: a fresh key as PASERK, ready for an environment file.

It runs without the system checks (``requires_system_checks = []``): it is the fix that
``drf_paseto.E005`` names when the key settings are broken, so it must run while they are.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.views.decorators.debug import sensitive_variables

from drf_paseto import backend

__all__ = [
    "Command",
]


class Command(BaseCommand):
    help = (
        "Print a fresh PASETO key as PASERK (k4.local, or k4.secret with its k4.public), "
        "its key id, and the lines to paste into an environment file and into settings.py."
    )
    # The fix the key checks (E005) point to: it must run while the key settings are broken.
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Our --version is the PASETO version; it replaces Django's --version of the command.
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--purpose", choices=backend._PURPOSES, default="local")
        parser.add_argument(
            "--version",
            dest="paseto_version",
            type=int,
            choices=backend._SUPPORTED_VERSIONS,
            default=4,
            help="PASETO version: 4 (default) or 3",
        )

    @sensitive_variables()  # the new secret key, should an error report catch it
    def handle(self, *args: Any, **options: Any) -> None:
        version: int = options["paseto_version"]
        purpose: str = options["purpose"]
        key = backend.generate_key(version, purpose)
        if purpose == "local":
            env_lines = [f"PASETO_SECRET_KEY={backend.secret_paserk(key)}"]
            settings_lines = ['    "SECRET_KEY": os.environ["PASETO_SECRET_KEY"],']
            kid = key.kid
        else:
            public = backend.public_key_of(key)
            env_lines = [
                f"PASETO_PRIVATE_KEY={backend.secret_paserk(key)}",
                f"PASETO_PUBLIC_KEY={public.public_paserk()}",
            ]
            settings_lines = [
                '    "PURPOSE": "public",',
                '    "PRIVATE_KEY": os.environ["PASETO_PRIVATE_KEY"],',
                '    "PUBLIC_KEY": os.environ["PASETO_PUBLIC_KEY"],',
            ]
            kid = public.kid
        if version != 4:
            settings_lines.insert(0, f'    "VERSION": {version},')
        out = [
            f"# A new v{version}.{purpose} key. Its id (the kid footer of its tokens): {kid}",
            "# Keep the secret out of version control. For the environment (a .env file, the",
            "# service's unit or container definition):",
            *env_lines,
            "",
            "# And in settings.py (import os):",
            "DRF_PASETO = {",
            *settings_lines,
            "}",
        ]
        self.stdout.write("\n".join(out))
