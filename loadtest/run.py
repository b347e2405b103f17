"""The long sustained load (``make load``): gunicorn on 127.0.0.1 under a bounded mixed load.

Runs until BOTH at least ``--duration`` seconds (default 60) have passed AND ``--requests``
requests (default 100 000) have been answered, then stops by itself (or after
``--max-duration`` seconds, default 1800, which fails the run). Prints p50/p95/p99 latency and
the VmRSS of every gunicorn worker every ~10 000 requests.

Exit status 1 on any error (a 5xx, a connection error, an unexpected status), on a worker
replaced or gone, on too few requests, or when a worker's RSS grew by more than
``--rss-bound-mib`` (default 16 MiB) between the first sample after warm-up (10 000 requests)
and the end: with the default bound, memory must be flat across the 100 000 requests.

``--store`` picks the revocation store of the workers: ``database`` (the default: the login
sessions in SQLite, one query a request), ``redis`` (a copy of them in the Redis of
``DRF_PASETO_TEST_REDIS``, through redis-py) or ``cache`` (the same copy through Django's
``RedisCache`` on that Redis). ``.ci/services.sh`` starts that Redis.

Options can also come from the environment: LOAD_DURATION, LOAD_REQUESTS, LOAD_THREADS,
LOAD_WORKERS, LOAD_RSS_BOUND_MIB, LOAD_MAX_DURATION, LOAD_STORE.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_server import (  # noqa: E402
    PASSWORD,
    USERNAME,
    GunicornServer,
    gunicorn_path,
    prepare_database,
    server_env,
    wait_until,
)
from tests.loadtools import LoadStats, load_env_int, rss_of, run_load, worker_pids  # noqa: E402

SAMPLE_EVERY = 10_000
WARM_UP = 10_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=load_env_int("LOAD_DURATION", 60))
    parser.add_argument("--requests", type=int, default=load_env_int("LOAD_REQUESTS", 100_000))
    parser.add_argument("--threads", type=int, default=load_env_int("LOAD_THREADS", 8))
    parser.add_argument("--workers", type=int, default=load_env_int("LOAD_WORKERS", 4))
    parser.add_argument("--rss-bound-mib", type=int, default=load_env_int("LOAD_RSS_BOUND_MIB", 16))
    parser.add_argument("--max-duration", type=int, default=load_env_int("LOAD_MAX_DURATION", 1800))
    parser.add_argument(
        "--store",
        choices=("database", "redis", "cache"),
        default=os.environ.get("LOAD_STORE", "database"),
    )
    args = parser.parse_args()
    redis_url = os.environ.get("DRF_PASETO_TEST_REDIS", "")
    if args.store != "database" and not redis_url:
        print(f"make load: --store {args.store} needs DRF_PASETO_TEST_REDIS", file=sys.stderr)
        return 1
    if gunicorn_path() is None:
        print("make load: gunicorn is not installed (pip install -e '.[dev]')", file=sys.stderr)
        return 1

    tmp = tempfile.mkdtemp(prefix="drf_paseto_loadtest_")
    server = None
    try:
        env = server_env(
            f"sqlite:///{Path(tmp) / 'db.sqlite3'}", store=args.store, redis_url=redis_url
        )
        prepare_database(env)
        server = GunicornServer(env, tmp, workers=args.workers).start()
        assert server.process is not None
        master = server.process.pid
        pids = wait_until(
            lambda: len(worker_pids(master)) == args.workers and worker_pids(master),
            30,
            "the gunicorn workers",
        )
        print(
            f"make load: {server.base}, {args.store} store, "
            f"{args.workers} gunicorn workers {pids}, "
            f"{args.threads} client threads; until >= {args.duration}s and "
            f">= {args.requests} requests (at most {args.max_duration}s)",
            flush=True,
        )
        samples: list[tuple[int, dict[int, int | None]]] = [(0, rss_of(pids))]
        next_sample = [SAMPLE_EVERY]

        def on_tick(stats: LoadStats, elapsed: float) -> None:
            if stats.requests >= next_sample[0]:
                rss = rss_of(pids)
                samples.append((stats.requests, rss))
                next_sample[0] += SAMPLE_EVERY
                workers = ", ".join(f"{pid}: {kib} KiB" for pid, kib in rss.items())
                print(
                    f"[{elapsed:6.1f}s] {stats.summary(elapsed)}\n         RSS {workers}",
                    flush=True,
                )

        def should_stop(stats: LoadStats, elapsed: float) -> bool:
            if elapsed >= args.max_duration:
                return True
            return elapsed >= args.duration and stats.requests >= args.requests

        stats, elapsed = run_load(
            server.base,
            threads=args.threads,
            username=USERNAME,
            password=PASSWORD,
            should_stop=should_stop,
            on_tick=on_tick,
        )
        final = rss_of(pids)
        samples.append((stats.requests, final))
        print(f"\nmake load: {stats.summary(elapsed)}")
        failures = []
        if stats.errors:
            failures.append(f"{len(stats.errors)} errors, the first: {stats.errors[:5]}")
        if stats.requests < args.requests or elapsed < args.duration:
            failures.append(f"only {stats.requests} requests in {elapsed:.0f}s")
        if worker_pids(master) != pids:
            failures.append(f"workers changed: {pids} -> {worker_pids(master)}")
        baseline = next(((n, rss) for n, rss in samples if n >= WARM_UP), samples[0])
        print(f"RSS after warm-up ({baseline[0]} requests) -> at the end ({stats.requests}):")
        for pid in pids:
            start, end = baseline[1].get(pid), final.get(pid)
            if start is None or end is None:
                failures.append(f"worker {pid} is gone")
                continue
            growth = (end - start) / 1024
            print(f"  worker {pid}: {start} KiB -> {end} KiB ({growth:+.1f} MiB)")
            if growth > args.rss_bound_mib:
                failures.append(f"worker {pid} grew by {growth:.1f} MiB > {args.rss_bound_mib}")
        if "Traceback" in server.log_tail(200_000):
            failures.append("a traceback in the server log:\n" + server.log_tail(3000))
        if failures:
            print("make load: FAILED\n  " + "\n  ".join(failures))
            return 1
        print("make load: OK")
        return 0
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
