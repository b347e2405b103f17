"""Sustained load, the short CI version (docs/security-tests.md; the long one: ``make load``).

gunicorn (3 sync workers, tests.server_settings: the database store on a file SQLite
database, rotation on) on 127.0.0.1, and a bounded mixed load from a thread pool for about
12 seconds: logins, protected calls, refreshes with rotation, logouts, and checks that the
logged-out token is refused. Zero errors allowed (no 5xx, no connection error, no
unexpected status); p50/p95/p99 latency and every worker's RSS at the start and at the end
are printed. A gross leak (a worker growing by more than ``CI_RSS_BOUND_MIB``) fails.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import unittest
from pathlib import Path

from tests.live_server import (
    PASSWORD,
    USERNAME,
    GunicornServer,
    ServerTestCase,
    gunicorn_path,
    prepare_database,
    server_env,
    wait_until,
)
from tests.loadtools import rss_of, run_load, worker_pids

DURATION = 12.0
THREADS = 6
WORKERS = 3
CI_RSS_BOUND_MIB = 48


class ShortLoadTests(ServerTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        if gunicorn_path() is None:
            raise unittest.SkipTest("gunicorn is not installed (it is in the dev extras)")
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="drf_paseto_load_")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        env = server_env(f"sqlite:///{Path(cls.tmp) / 'db.sqlite3'}")
        prepare_database(env)
        cls.server = GunicornServer(env, cls.tmp, workers=WORKERS)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    def test_mixed_load_has_no_errors(self) -> None:
        assert self.server.process is not None
        master = self.server.process.pid
        pids = wait_until(
            lambda: len(worker_pids(master)) == WORKERS and worker_pids(master),
            30,
            f"{WORKERS} gunicorn workers",
        )
        # A short warm-up, so that the first RSS reading is of workers that have served.
        run_load(
            self.server.base,
            threads=THREADS,
            username=USERNAME,
            password=PASSWORD,
            should_stop=lambda stats, elapsed: elapsed >= 1.5,
        )
        before = rss_of(pids)
        stats, elapsed = run_load(
            self.server.base,
            threads=THREADS,
            username=USERNAME,
            password=PASSWORD,
            should_stop=lambda stats, elapsed: elapsed >= DURATION,
        )
        after = rss_of(pids)
        report = [f"load (CI): {stats.summary(elapsed)}"]
        for pid in pids:
            start, end = before[pid], after[pid]
            report.append(f"  worker {pid}: VmRSS {start} KiB -> {end} KiB")
        sys.stderr.write("\n" + "\n".join(report) + "\n")
        self.assertEqual(stats.errors, [], f"{stats.errors[:10]}\n{self.server.log_tail()}")
        self.assertGreater(stats.requests, 200, report[0])
        self.assertEqual(worker_pids(self.server.process.pid), pids, "a worker was replaced")
        for pid in pids:
            start, end = before[pid], after[pid]
            self.assertIsNotNone(end, f"worker {pid} is gone")
            assert start is not None and end is not None
            self.assertLess(end - start, CI_RSS_BOUND_MIB * 1024, f"worker {pid} grew")
        self.assertNotIn("Traceback", self.server.log_tail(20000))
