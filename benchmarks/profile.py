"""Where one row's ``authenticate()`` spends its time: ``python -m benchmarks.profile ROW``.

ROW is a row key of ``benchmarks.rows.ROWS`` (``paseto_database``, ``paseto_redis``,
``stateless_redis``, ``simplejwt``, ``drf``, ``knox`` ...). The database is seeded as
``make bench`` seeds its 1 thousand-session one (``--engine sqlite`` for SQLite), then:

1. the row's figure and round trips, by ``make bench``'s own method;
2. cProfile over ``--calls`` calls: each function's own and cumulative µs per call (with the
   profiler's overhead, which inflates small Python functions: read them as shares);
3. pyinstrument's call tree, with ``--pyinstrument`` (the ``bench`` extra installs it).

Not part of ``make bench``: profile before optimising, then let ``make bench`` judge. Needs
PostgreSQL and Redis as ``make bench`` does (``eval "$(bash .ci/services.sh)"``).
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

from benchmarks.run import ROOT, redis_cleanup, redis_status, setup_django


def profile_calls(fn: Callable[[], Any], calls: int, top: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        fn()
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime")
    rows = []
    for (path, line, name), (_, ncalls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = os.path.relpath(path, ROOT) if path.startswith("/") else path
        rows.append(
            (own / calls * 1e6, cumulative / calls * 1e6, ncalls / calls, where, line, name)
        )
    rows.sort(reverse=True)
    print(f"\ncProfile, {calls} calls, {sum(r[0] for r in rows):.0f} µs per call under it")
    print(f"  {'own µs':>7} {'cum µs':>7} {'calls':>6}  function")
    for own, cumulative, ncalls, where, line, name in rows[:top]:
        print(f"  {own:7.1f} {cumulative:7.1f} {ncalls:6.1f}  {name} ({where}:{line})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("row")
    parser.add_argument("--engine", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--pyinstrument", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DRF_PASETO_TEST_POSTGRES"):
        print('profile: no PostgreSQL: eval "$(bash .ci/services.sh)" first', file=sys.stderr)
        return 2

    workdir = tempfile.mkdtemp(prefix="drf_paseto_profile_")
    os.environ["DRF_PASETO_BENCH_SQLITE"] = workdir
    from benchmarks import seed

    seed.create_postgres_databases()
    setup_django()
    from django.conf import settings
    from django.db import connections

    from benchmarks import measure, rows

    row = next((r for r in rows.ROWS if r.key == args.row), None)
    if row is None:
        print(f"profile: rows are {', '.join(r.key for r in rows.ROWS)}", file=sys.stderr)
        return 2
    redis_url = None if redis_status(settings.REDIS_URL) else settings.REDIS_URL
    alias = rows.ENGINES[args.engine]
    try:
        seed.migrate(alias)
        seed.seed(alias, 1_000, heavy=False)
        user = seed.bench_user(alias)
        headers = seed.peer_tokens(alias, user)
        context = rows.row_context(row, alias)
        with context():
            call = rows.authenticate_call(row, headers[row.header], user)
            got = measure.measure_group([measure.Case(row.key, call)])[row.key]
            trips = measure.count_round_trips(call, alias, redis_url)
            print(f"{row.label} on {args.engine}: {got} µs, {trips}")
            profile_calls(call, args.calls, args.top)
            if args.pyinstrument:
                pyinstrument(call, args.calls)
    finally:
        if redis_url:
            redis_cleanup(redis_url, settings.REDIS_KEY_PREFIX)
        connections.close_all()
        seed.drop_postgres_databases()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def pyinstrument(fn: Callable[[], Any], calls: int) -> None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("pyinstrument is not installed (the bench extra)", file=sys.stderr)
        return
    profiler = Profiler(interval=0.0001)
    profiler.start()
    for _ in range(calls):
        fn()
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    sys.exit(main())
