"""The benchmark a deployment would run: ``make bench`` (``python -m benchmarks.run``).

In one process, side by side, every ``authenticate()`` row on PostgreSQL (the figures that
judge) and on SQLite (information), with the SQL queries and Redis commands of one request;
the revocation check as the store grows and logout-all of 10 thousand sessions; then a
protected view under gunicorn, and the async rows (an adrf view and the same sync view)
under uvicorn. docs/performance.md explains every row and the method.

Only the targets (``targets()``) fail the run: exit status 1, each missed one printed with
its numbers. A target that cannot be measured (Redis away) counts as missed. Exit status 2:
PostgreSQL is not there (``eval "$(bash .ci/services.sh)"`` starts it).

``python -m benchmarks.run --mutate STORE`` is the helper process of the correctness gates
(``benchmarks.gates``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    import django

    django.setup()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def redis_status(url: str) -> str:
    """ "" when Redis answers at ``url``, else why not."""
    import redis

    try:
        with redis.Redis.from_url(url) as client:
            client.ping()
    except (redis.RedisError, OSError) as err:
        return f"{type(err).__name__}: {err}"
    return ""


def redis_cleanup(url: str, prefix: str) -> int:
    """Delete the benchmark's keys (``SCAN`` + ``UNLINK`` on its prefix, never FLUSHDB)."""
    import redis

    deleted = 0
    with redis.Redis.from_url(url) as client:
        batch = list(client.scan_iter(match=f"{prefix}*", count=10_000))
        for start in range(0, len(batch), 10_000):
            deleted += client.unlink(*batch[start : start + 10_000])
    return deleted


def server_versions(redis_url: str | None) -> str:
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    with connections["sqlite"].cursor() as cursor:
        cursor.execute("SELECT sqlite_version()")
        sqlite = f"SQLite {cursor.fetchone()[0]} (file, WAL)"
    if redis_url is None:
        return f"{postgres}, {sqlite}, no Redis"
    import redis

    with redis.Redis.from_url(redis_url) as client:
        version = client.info("server")["redis_version"]
    return f"{postgres}, {sqlite}, Redis {version}; all on loopback"


def seed_all() -> dict[str, dict[str, str]]:
    """Migrate and seed every database; the Authorization headers per engine."""
    from django.conf import settings

    from benchmarks import seed
    from benchmarks.rows import ENGINES

    headers: dict[str, dict[str, str]] = {}
    for engine, base in ENGINES.items():
        for suffix, size in settings.SIZES.items():
            alias = base + suffix
            began = time.perf_counter()
            seed.migrate(alias)
            inserts, logouts = seed.seed(alias, size, heavy=suffix == "_100k")
            log(
                f"  {alias}: {time.perf_counter() - began:.1f} s: {size:,} sessions in "
                f"{inserts:.1f} s, logout-all of 1 owner in 20 in {logouts:.1f} s"
            )
        headers[engine] = seed.peer_tokens(base, seed.bench_user(base))
    return headers


def bench_users() -> dict[str, Any]:
    from benchmarks import seed
    from benchmarks.rows import ENGINES

    return {engine: seed.bench_user(alias) for engine, alias in ENGINES.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mutate", metavar="STORE", help=argparse.SUPPRESS)
    parser.add_argument(
        "--no-load",
        action="store_true",
        help="skip the end-to-end and async rows (the view target fails)",
    )
    args = parser.parse_args()
    if args.mutate:
        setup_django()
        from benchmarks import gates

        gates.mutate(args.mutate)
        return 0
    if not os.environ.get("DRF_PASETO_TEST_POSTGRES"):
        log('bench: no PostgreSQL: run eval "$(bash .ci/services.sh)" first (make bench does)')
        return 2

    workdir = tempfile.mkdtemp(prefix="drf_paseto_bench_")
    os.environ["DRF_PASETO_BENCH_SQLITE"] = workdir  # the gunicorn workers inherit it
    load_before = os.getloadavg()[0]
    began = time.perf_counter()
    from benchmarks import seed

    seed.create_postgres_databases()
    setup_django()
    from django.conf import settings
    from django.db import connections

    from benchmarks import report

    redis_error = redis_status(settings.REDIS_URL)
    redis_url = None if redis_error else settings.REDIS_URL
    if redis_url is None:
        log(f"bench: no Redis at {settings.REDIS_URL} ({redis_error}): its rows are skipped")
    try:
        if redis_url:
            redis_cleanup(redis_url, settings.REDIS_KEY_PREFIX)
        log(f"Seeding (PostgreSQL on {seed.postgres_server_url()}, SQLite in {workdir})")
        headers = seed_all()
        results = measure(headers, redis_url, load=not args.no_load)
        versions = server_versions(redis_url)
    finally:
        try:
            if redis_url:
                redis_cleanup(redis_url, settings.REDIS_KEY_PREFIX)
        except Exception as err:  # report, do not mask the real error
            log(f"bench: Redis clean-up failed: {err}")
        connections.close_all()
        seed.drop_postgres_databases()
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"Machine: {report.machine(versions)}")
    print(
        f"Load average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after; "
        f"{time.perf_counter() - began:.0f} s in all"
    )
    return show(results)


def measure(headers: dict[str, dict[str, str]], redis_url: str | None, *, load: bool) -> Any:
    from benchmarks import endtoend, gates, rows, scale

    log("authenticate() rows")
    auth = rows.measure_rows(bench_users(), headers, redis_url)
    log("Cost growth: the revocation check at 1 thousand to 1 million sessions")
    growth = scale.measure_growth()
    log("Logout-all of 10 thousand sessions")
    logout = scale.measure_logout_all()
    loads: dict[str, endtoend.Load] = {}
    if load:
        log("End to end: gunicorn, 2 workers")
        servers = end_to_end_servers(headers["postgresql"], redis_url)
        loads = endtoend.run(servers)
        log("End to end, async: uvicorn, 2 workers")
        loads.update(endtoend.run(async_servers(headers["postgresql"]["paseto"], redis_url)))
    log("Correctness gates")
    gate_results = gates.run(redis_url)
    return auth, growth, logout, loads, gate_results


END_TO_END = {
    "simplejwt": "simplejwt",
    "knox": "knox",
    "paseto_database": "drf_paseto, database store",
    "paseto_redis": "drf_paseto, Redis store",
}


def end_to_end_servers(headers: dict[str, str], redis_url: str | None) -> list[Any]:
    from benchmarks.endtoend import Server

    path = "/paseto/protected/"
    servers = [
        Server("simplejwt", END_TO_END["simplejwt"], "/jwt/protected/", headers["simplejwt"]),
        Server("knox", END_TO_END["knox"], "/knox/protected/", headers["knox"]),
        Server(
            "paseto_database",
            END_TO_END["paseto_database"],
            "/paseto/protected/",
            headers["paseto"],
        ),
    ]
    if redis_url:
        servers.append(
            Server(
                "paseto_redis",
                END_TO_END["paseto_redis"],
                path,
                headers["paseto"],
                store="redis",
            )
        )
    return servers


#: The async rows (information): the adrf view and the same sync view, both on uvicorn.
ASYNC = {
    "async_database": "async view, database store",
    "sync_database": "sync view, database store",
    "async_redis": "async view, Redis store",
    "sync_redis": "sync view, Redis store",
    "async_stateless_redis": "async view, stateless user, Redis store",
}
#: Each async row's sync twin (the ratio's base; the stateless user has none: its figure
#: is the zero-hop path's, beside the real user's).
ASYNC_BASE = {"async_database": "sync_database", "async_redis": "sync_redis"}


def async_servers(header: str, redis_url: str | None) -> list[Any]:
    """The async rows: the adrf view and the same sync view under the same uvicorn, so
    that their ratio is the async path's, not a server's."""
    from benchmarks.endtoend import Server

    paths = {
        "async": "/async/protected/",
        "sync": "/paseto/protected/",
        "async_stateless": "/async/stateless/",
    }
    servers = []
    for key, label in ASYNC.items():
        kind, store = key.rsplit("_", 1)
        if store == "redis" and redis_url is None:
            continue
        servers.append(Server(key, label, paths[kind], header, store=store, server="uvicorn"))
    return servers


def show(results: Any) -> int:
    from benchmarks import report

    auth, growth, logout, loads, gate_results = results
    print("\n" + report.authenticate_table(auth))
    print("\n" + report.growth_table(growth, logout))
    if loads:
        print("\n" + report.load_table(END_TO_END, loads))
        print("\n" + report.async_table(ASYNC, ASYNC_BASE, loads))
        labels = {**END_TO_END, **ASYNC}
        for key, load in loads.items():
            if load.errors:
                print(f"\n{labels[key]}: {len(load.errors)} errors, first: {load.errors[:3]}")
    print("\nCorrectness gates (a change made by another process, next request):")
    for name, ok, detail in gate_results:
        verdict = "SKIP" if ok is None else "PASS" if ok else "FAIL"
        print(f"  {verdict}  {name}" + (f": {detail}" if detail else ""))
    checked = report.targets(auth, growth, logout, loads)
    print("\n" + report.targets_table(checked))
    failed = [t for t in checked if not t.met]
    if any(ok is False for _, ok, _ in gate_results) or any(x.errors for x in loads.values()):
        print("\nbench: a correctness gate failed or a request erred: the figures are void")
        return 1
    if failed:
        print(f"\nbench: FAIL: {len(failed)} of {len(checked)} targets missed")
        return 1
    print(f"\nbench: all {len(checked)} targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
