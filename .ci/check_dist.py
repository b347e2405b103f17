"""Check the built distributions: the wheel carries what the package needs at run time."""

import sys
import zipfile
from pathlib import Path

REQUIRED = [
    "drf_paseto/py.typed",
    "drf_paseto/migrations/0001_initial.py",
    "drf_paseto/locale/fr/LC_MESSAGES/django.mo",
    "drf_paseto/locale/de/LC_MESSAGES/django.mo",
    "drf_paseto/management/commands/paseto_keygen.py",
    "drf_paseto/management/commands/paseto_flush.py",
]
FORBIDDEN_PARTS = ("tests/", "example_project/", "__pycache__")


def main(dist: Path) -> int:
    wheels = sorted(dist.glob("djangorestframework_paseto-*.whl"))
    sdists = sorted(dist.glob("djangorestframework_paseto-*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        print(f"check_dist: expected one wheel and one sdist in {dist}")
        return 1
    names = set(zipfile.ZipFile(wheels[0]).namelist())
    missing = [name for name in REQUIRED if name not in names]
    stray = sorted(n for n in names if any(part in n for part in FORBIDDEN_PARTS))
    for name in missing:
        print(f"check_dist: the wheel lacks {name}")
    for name in stray:
        print(f"check_dist: the wheel should not contain {name}")
    if missing or stray:
        return 1
    print(f"check_dist: {wheels[0].name} and {sdists[0].name} are complete")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "dist")))
