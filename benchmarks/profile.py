"""Where ``PasetoAuthentication.authenticate()`` spends its time, per store.

``python -m benchmarks.profile`` (Redis from ``DRF_PASETO_BENCH_REDIS``, as ``make bench``):

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
import pickle
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
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection

    from drf_paseto import encoding, revocation
    from drf_paseto.authentication import PasetoAuthentication
    from drf_paseto.backend import open_token, parse_token
    from drf_paseto.keys import get_key_ring, read_kid
    from drf_paseto.models import DenylistEntry
    from drf_paseto.settings import api_settings
    from drf_paseto.tokens import AccessToken

    try:
        call_command("migrate", verbosity=0, interactive=False)
        redis_ok = not run.redis_available()
        if redis_ok:
            run.redis_cleanup()
            run.seed_redis(run.SMALL_STORE, "redis")
        run.seed_database(run.SMALL_STORE, "default")
        user = run.make_user("bench")
        raw = str(AccessToken.for_user(user))
        request = run.drf_request(raw)
        auth = PasetoAuthentication()
        token = AccessToken(raw)
        ring = get_key_ring()
        parsed = parse_token(raw, version=4, purpose="local", max_length=4096)
        key = ring.verifying_keys[read_kid(parsed.footer)]
        payload = open_token(parsed, key)
        user_model = get_user_model()

        steps(
            "Token layer (both stores)",
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
                (
                    "    validate_times(): 2 RFC 3339 parses, now()",
                    lambda: AccessToken.validate_times(token.payload),
                ),
                ("revocation.is_checked(token)", lambda: revocation.is_checked(token)),
                ("revocation.get_store()", revocation.get_store),
                ("token.issued_at (RFC 3339 parse)", lambda: token.issued_at),
            ],
        )

        if redis_ok:
            with run.store_settings("cache"):
                store = revocation.get_store()
                auth.authenticate(request)
                cache = caches[api_settings.DENYLIST_CACHE_ALIAS]
                keys = [
                    revocation.KEY_PREFIX + k
                    for k in [*revocation.token_keys(token), f"userobj:{token.subject}"]
                ]
                made = [cache.make_key(k) for k in keys]
                client = cache._cache.get_client(write=True)
                pooled = cache._cache._get_connection_pool(True)
                user_bytes = client.get(made[-1])
                steps(
                    "Cache store (Redis)",
                    [
                        ("authenticate(request): the whole", lambda: auth.authenticate(request)),
                        ("store.check(token)", lambda: store.check(token)),
                        ("  Django cache.get_many(4 keys)", lambda: cache.get_many(keys)),
                        (
                            "    make_and_validate_key() x4",
                            lambda: [cache.make_and_validate_key(k) for k in keys],
                        ),
                        (
                            "    RedisCacheClient.get_client(): a new redis.Redis per call",
                            lambda: cache._cache.get_client(),
                        ),
                        (
                            "    redis.Redis(connection_pool=...) constructor alone",
                            lambda: client.__class__(connection_pool=pooled),
                        ),
                        ("    MGET round trip on a kept client", lambda: client.mget(made)),
                        (
                            f"    pickle.loads(user): {len(user_bytes or b'')} bytes",
                            lambda: pickle.loads(user_bytes),
                        ),
                        ("  token_keys(token)", lambda: revocation.token_keys(token)),
                        ("  caches[alias]", lambda: caches[api_settings.DENYLIST_CACHE_ALIAS]),
                    ],
                )
                profile_calls(
                    "authenticate(), cache store",
                    lambda: auth.authenticate(request),
                    args.calls,
                    args.top,
                )
                if args.pyinstrument:
                    pyinstrument(lambda: auth.authenticate(request), args.calls)

        with run.store_settings("database"):
            store = revocation.get_store()
            facts_sql, facts_params = (
                DenylistEntry.objects.filter(key__in=revocation.token_keys(token))
                .values_list("key", "cutoff")
                .query.sql_with_params()
            )
            user_sql, user_params = user_model._default_manager.filter(
                pk=user.pk
            ).query.sql_with_params()

            def raw_query(sql: str, params: Any) -> Any:
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    return cursor.fetchall()

            user_row = raw_query(user_sql, user_params)[0]
            names = [f.attname for f in user_model._meta.concrete_fields]
            steps(
                "Database store (SQLite file)",
                [
                    ("authenticate(request): the whole", lambda: auth.authenticate(request)),
                    ("store.check(token): one ORM query", lambda: store.check(token)),
                    (
                        "  the same SQL on a raw cursor",
                        lambda: raw_query(facts_sql, facts_params),
                    ),
                    ("get_user(token): one ORM query (as simplejwt)", lambda: auth.get_user(token)),
                    (
                        "  QuerySet build + SQL compile only",
                        lambda: user_model._default_manager.filter(
                            pk=user.pk
                        ).query.sql_with_params(),
                    ),
                    ("  the same SQL on a raw cursor", lambda: raw_query(user_sql, user_params)),
                    (
                        "  Model.from_db(row)",
                        lambda: user_model.from_db("default", names, user_row),
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
    finally:
        if redis_ok:
            run.redis_cleanup()
        connection.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


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
