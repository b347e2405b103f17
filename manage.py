#!/usr/bin/env python
"""Django's command-line utility for the example project and the test suite.

``python manage.py test`` runs the suite with ``tests.settings`` (kept apart from the example
project's settings); every other command uses ``example_project.settings``. Either can be
overridden with ``DJANGO_SETTINGS_MODULE``.
"""

import os
import sys


def main() -> None:
    default = "tests.settings" if sys.argv[1:2] == ["test"] else "example_project.settings"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
