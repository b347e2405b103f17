"""Correctness gates: a store measured fast must still see another process's changes.

For each store, on PostgreSQL: tokens are authenticated here first (so any copy is warm),
then a second process (``python -m benchmarks.run --mutate STORE``) deactivates one user,
deletes one, changes one's password and ends one login session, as an admin or another
worker would. Each of those tokens must be refused on this process's next request, and an
untouched user's token still accepted. A failed gate voids the figures (exit status 1): a
store that answers from stale memory would be fast for the wrong reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.rows import drf_request, store_settings
from benchmarks.seed import logged_in

ROOT = Path(__file__).resolve().parent.parent
CHANGES = ("deactivate", "delete", "password", "revoke")


def run(redis_url: str | None) -> list[tuple[str, bool | None, str]]:
    """``[(gate, passed, detail)]`` for every store; passed is None for a store skipped
    (the Redis ones, without Redis: their targets are missed anyway)."""
    from django.contrib.auth import get_user_model
    from rest_framework.exceptions import AuthenticationFailed

    from drf_paseto.authentication import PasetoAuthentication
    from drf_paseto.tokens import AccessToken

    gates: list[tuple[str, bool | None, str]] = []
    auth = PasetoAuthentication()
    manager = get_user_model()._default_manager
    for store in ("database", "redis", "cache"):
        if store != "database" and redis_url is None:
            gates.append((f"{store} store", None, "no Redis"))
            continue
        with store_settings(store):
            users = {
                name: manager.create_user(f"gate-{store}-{name}", password="gate-password")
                for name in (*CHANGES, "control")
            }
            tokens = {name: str(logged_in(AccessToken, user)) for name, user in users.items()}
            for token in tokens.values():
                auth.authenticate(drf_request(f"Bearer {token}"))  # accepted; copies written
            plan = {name: users[name].get_username() for name in CHANGES[:3]}
            plan["revoke"] = tokens["revoke"]
            helper = subprocess.run(
                [sys.executable, "-m", "benchmarks.run", "--mutate", store],
                input=json.dumps(plan),
                capture_output=True,
                text=True,
                cwd=ROOT,
                env=os.environ.copy(),
                check=False,
            )
            if helper.returncode != 0:
                gates.append((f"{store} store: the helper process", False, helper.stderr[-500:]))
                continue
            for name, token in tokens.items():
                try:
                    auth.authenticate(drf_request(f"Bearer {token}"))
                    refused = False
                except AuthenticationFailed:
                    refused = True
                if name == "control":
                    gates.append((f"{store} store, an untouched user's token", not refused, ""))
                else:
                    gates.append((f"{store} store, {name} in another process", refused, ""))
    return gates


def mutate(store: str) -> None:
    """The helper process: apply the JSON plan read on stdin."""
    from django.contrib.auth import get_user_model

    from drf_paseto import revocation
    from drf_paseto.tokens import AccessToken

    plan = json.loads(sys.stdin.read())
    manager = get_user_model()._default_manager
    with store_settings(store):
        user = manager.get_by_natural_key(plan["deactivate"])
        user.is_active = False
        user.save()
        manager.get_by_natural_key(plan["delete"]).delete()
        user = manager.get_by_natural_key(plan["password"])
        user.set_password("a-new-password")
        user.save()
        token = AccessToken(plan["revoke"])
        revocation.revoke_session(token.session_id, token.subject, reason="admin")
