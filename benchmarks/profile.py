"""Where ``PasetoAuthentication.authenticate()`` spends its time, per revocation store.

``python -m benchmarks.profile`` (Redis from ``DRF_PASETO_BENCH_REDIS``, as ``make bench``;
1 thousand login sessions seeded as ``make bench`` seeds them, the redis and cache stores
skipped when Redis is away):

1. each step of the request path timed alone with ``run.measure`` (no profiler overhead:
   these are the µs to trust);
2. cProfile over many calls: every function's own and cumulative time per call (µs, with the
   profiler's overhead, which inflates small Python functions: read them as shares);
3. pyinstrument's call tree, when pyinstrument is installed (``--pyinstrument``).

Not part of ``make bench``: profile before optimising, then let ``make bench`` judge.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
from collections.abc import Callable
from typing import Any

from benchmarks import run


def steps(title: str, items: list[tuple[str, Callable[[], Any]]]) -> None:
    print(f"\n{title}")
    for name, fn in items:
        print(f"  {run.measure(fn):8.1f} µs  {name}", flush=True)


def profile_calls(title: str, fn: Callable[[], Any], calls: int, top: int) -> None:
    for _ in range(200):
        fn()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        fn()
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = []
    for (path, line, name), (_, ncalls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{os.path.relpath(path, run.ROOT) if path.startswith('/') else path}:{line}"
        rows.append((tottime / calls * 1e6, cumtime / calls * 1e6, ncalls / calls, where, name))
    rows.sort(reverse=True)
    total = sum(r[0] for r in rows)
    print(f"\n{title}: cProfile, {calls} calls, {total:.0f} µs per call under the profiler")
    print(f"  {'own µs':>7} {'cum µs':>7} {'calls':>6}  function")
    for own, cum, ncalls, where, name in rows[:top]:
        print(f"  {own:7.1f} {cum:7.1f} {ncalls:6.1f}  {name} ({where})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--pyinstrument", action="store_true")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="drf_paseto_profile_")
    run._setup_django(os.path.join(workdir, "bench.sqlite3"))
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections

    from drf_paseto import encoding, revocation
    from drf_paseto.authentication import PasetoAuthentication
    from drf_paseto.backend import open_token, parse_token
    from drf_paseto.keys import get_key_ring, read_kid
    from drf_paseto.models import LoginSession, SubjectCutoff
    from drf_paseto.tokens import AccessToken

    redis_ok = False
    try:
        for database in ("default", "large"):
            call_command("migrate", database=database, verbosity=0, interactive=False)
        redis_ok = not run.redis_available()
        if redis_ok:
            run.redis_cleanup()
        user = run.make_user("bench")
        owners = run.seed_users(user)
        _, template = run.seed_sessions(run.SMALL_STORE, "default", owners)
        if redis_ok:
            run.seed_copies("default", settings.REDIS_URL, template)
        raw = str(run._session_access(user))
        request = run.drf_request(raw)
        auth = PasetoAuthentication()
        token = AccessToken(raw)
        ring = get_key_ring()
        parsed = parse_token(raw, version=4, purpose="local", max_length=4096)
        key = ring.verifying_keys[read_kid(parsed.footer)]
        payload = open_token(parsed, key)
        user_model = get_user_model()
        manager = user_model._default_manager

        user_sql = (
            f"SELECT * FROM {user_model._meta.db_table} WHERE {user_model._meta.pk.column} = %s"
        )
        steps(
            "Token layer (every store)",
            [
                ("get_raw_token(request): header parsing", lambda: auth.get_raw_token(request)),
                ("AccessToken(raw): all of decode + validate", lambda: AccessToken(raw)),
                ("  get_key_ring()", get_key_ring),
                (
                    "  parse_token(): split, strict base64url x2",
                    lambda: parse_token(raw, version=4, purpose="local", max_length=4096),
                ),
                ("  read_kid(footer): strict JSON of the footer", lambda: read_kid(parsed.footer)),
                ("  open_token(): pyseto XChaCha20 + BLAKE2b", lambda: open_token(parsed, key)),
                (
                    "  encoding.loads_object(payload): strict JSON, depth check",
                    lambda: encoding.loads_object(payload, max_depth=8),
                ),
                ("  AccessToken.validate(payload)", lambda: AccessToken.validate(token.payload)),
                ("revocation.is_checked(token)", lambda: revocation.is_checked(token)),
                ("revocation.get_store()", revocation.get_store),
                (
                    "the user by pk through the ORM (simplejwt's query)",
                    lambda: manager.get(pk=user.pk),
                ),
                (
                    "  the same through the manager's raw() and a written SELECT",
                    lambda: list(manager.raw(user_sql, [user.pk])),
                ),
            ],
        )

        with run.store_settings("database"):
            store = revocation.get_store()
            sessions = LoginSession._meta.db_table
            cutoffs = SubjectCutoff._meta.db_table
            users = user_model._meta.db_table
            pk_column = user_model._meta.pk.column
            # The statement the store's one query amounts to, written by hand (documented
            # ``_meta`` names only): what a plain-SQL path would cost.
            join_sql = (
                f"SELECT s.subject, s.auth_time, s.user_id, s.refresh_jti, s.generation, "
                f"s.revoked_at, s.expires_at, c.cutoff, u.* FROM {sessions} s "
                f"LEFT JOIN {cutoffs} c ON c.subject = s.subject "
                f"LEFT JOIN {users} u ON u.{pk_column} = s.user_id WHERE s.id = %s"
            )
            raw_users = (
                f"SELECT u.*, s.auth_time AS paseto_auth_time, c.cutoff AS paseto_cutoff "
                f"FROM {users} u JOIN {sessions} s ON s.user_id = u.{pk_column} "
                f"LEFT JOIN {cutoffs} c ON c.subject = s.subject WHERE s.id = %s"
            )

            def cursor_join() -> Any:
                with connections["default"].cursor() as cursor:
                    cursor.execute(join_sql, [token.session_id])
                    return cursor.fetchone()

            steps(
                "Database store (SQLite file)",
                [
                    ("authenticate(request): the whole", lambda: auth.authenticate(request)),
                    ("revocation.check(token)", lambda: revocation.check(token)),
                    (
                        "  store.read(): one ORM query (session + cutoff + user)",
                        lambda: store.read(token.session_id, token.subject),
                    ),
                    ("  the same join on a raw cursor", cursor_join),
                    (
                        "  the same join through the user manager's raw()",
                        lambda: list(manager.raw(raw_users, [token.session_id])),
                    ),
                    ("  the user alone by pk through the ORM", lambda: manager.get(pk=user.pk)),
                    (
                        "  the session alone by pk through the ORM",
                        lambda: LoginSession.objects.filter(pk=token.session_id).first(),
                    ),
                ],
            )
            profile_calls(
                "authenticate(), database store",
                lambda: auth.authenticate(request),
                args.calls,
                args.top,
            )
            if args.pyinstrument:
                pyinstrument(lambda: auth.authenticate(request), args.calls)

        if redis_ok:
            for name in ("redis", "cache"):
                with run.store_settings(name):
                    profile_copy(name, auth, request, token, args)
    finally:
        if redis_ok:
            run.redis_cleanup()
        connections.close_all()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def profile_copy(name: str, auth: Any, request: Any, token: Any, args: Any) -> None:
    """The steps of ``authenticate()`` on a store with a copy in Redis ("redis", "cache")."""
    from django.conf import settings
    from django.core.cache import caches

    from drf_paseto import revocation, stores

    store = revocation.get_store()
    assert isinstance(store, stores.MirroredStore)
    auth.authenticate(request)  # writes the copies
    keys = [store.session_key(token.session_id, token.subject), store.cutoff_key(token.subject)]
    state, _ = store.read(token.session_id, token.subject)
    assert state is not None
    value = stores.encode_state(state)
    if name == "redis":
        client = run.redis_client(settings.REDIS_URL)
        transport = ("    redis-py MGET on a client of our own", lambda: client.mget(keys))
    else:
        cache = caches[settings.DRF_PASETO["CACHE_ALIAS"]]
        transport = ("    Django cache.get_many(2 keys)", lambda: cache.get_many(keys))
    token.session = revocation.check(token)
    steps(
        f"{name} store (a copy in Redis, the truth in SQLite)",
        [
            ("authenticate(request): the whole", lambda: auth.authenticate(request)),
            ("revocation.check(token)", lambda: revocation.check(token)),
            (
                "  store.read(): the copies' one round trip",
                lambda: store.read(token.session_id, token.subject),
            ),
            ("    store.get_copies(2 keys)", lambda: store.get_copies(keys)),
            transport,
            ("    decode_state(copy)", lambda: stores.decode_state(value, token.subject)),
            ("get_user(token): one ORM query by pk", lambda: auth.get_user(token)),
        ],
    )
    profile_calls(
        f"authenticate(), {name} store", lambda: auth.authenticate(request), args.calls, args.top
    )
    if args.pyinstrument:
        pyinstrument(lambda: auth.authenticate(request), args.calls)


def pyinstrument(fn: Callable[[], Any], calls: int) -> None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("pyinstrument is not installed", file=sys.stderr)
        return
    profiler = Profiler(interval=0.0001)
    profiler.start()
    for _ in range(calls):
        fn()
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    sys.exit(main())
