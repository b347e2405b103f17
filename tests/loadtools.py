"""The load generator of tests/test_load.py (short, in CI) and loadtest/run.py (``make load``).

A bounded mixed load on a gunicorn server on 127.0.0.1 (tests/live_server.py starts it):
each client thread plays a user who logs in, calls a protected view, refreshes (with
rotation), calls again, logs out and checks that the logged-out token is refused. Every
answer is checked against the status that step must get; anything else (a 5xx, a connection
error, a 401 where a 200 was due) is an error. Latencies are kept per request, and the
resident memory (VmRSS) of every gunicorn worker is read from /proc.
"""

from __future__ import annotations

import os
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.live_server import JSONClient, Reply

PROTECTED_CALLS = 4


def worker_pids(master_pid: int) -> list[int]:
    """The gunicorn workers: the children of the master process."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    try:
        return sorted(int(pid) for pid in children.read_text().split())
    except OSError:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == master_pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)


def rss_kib(pid: int) -> int | None:
    """VmRSS of a process in KiB, or None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_of(pids: list[int]) -> dict[int, int | None]:
    return {pid: rss_kib(pid) for pid in pids}


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


@dataclass
class LoadStats:
    latencies: list[float] = field(default_factory=list)
    by_step: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    def record(self, step: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.by_step[step] = self.by_step.get(step, 0) + 1
            if error is not None and len(self.errors) < 1000:
                self.errors.append(error)

    def summary(self, elapsed: float) -> str:
        with self.lock:
            values = sorted(self.latencies)
            steps = ", ".join(f"{k} {v}" for k, v in sorted(self.by_step.items()))
            errors = len(self.errors)
        ms = [percentile(values, q) * 1000 for q in (0.5, 0.95, 0.99)]
        return (
            f"{len(values)} requests in {elapsed:.1f}s ({len(values) / max(elapsed, 1e-9):.0f}/s), "
            f"{errors} errors; latency p50 {ms[0]:.1f} ms, p95 {ms[1]:.1f} ms, "
            f"p99 {ms[2]:.1f} ms, max {(values[-1] if values else 0) * 1000:.1f} ms; {steps}"
        )


class VirtualUser:
    """One client thread's user journey, repeated until ``stop`` is set."""

    def __init__(self, client: JSONClient, stats: LoadStats, username: str, password: str):
        self.client = client
        self.stats = stats
        self.username = username
        self.password = password

    def step(
        self, name: str, expected: int, call: Callable[..., Reply], *args: str
    ) -> Reply | None:
        start = time.perf_counter()
        try:
            reply = call(*args)
        except Exception as err:  # a connection error, a timeout: all errors
            self.stats.record(name, time.perf_counter() - start, f"{name}: {err!r}")
            return None
        error = None
        if reply.status != expected:
            error = f"{name}: expected {expected}, got {reply}"
        self.stats.record(name, time.perf_counter() - start, error)
        return reply if error is None else None

    def protected_calls(self, access: str, stop: threading.Event) -> bool:
        for _ in range(PROTECTED_CALLS):
            if stop.is_set() or self.step("protected", 200, self.client.protected, access) is None:
                return False
        return True

    def run(self, stop: threading.Event) -> None:
        client = self.client
        while not stop.is_set():
            login = self.step("login", 200, client.login, self.username, self.password)
            if login is None:
                continue
            access, refresh = login.body["access_token"], login.body["refresh_token"]
            if not self.protected_calls(access, stop):
                continue
            rotated = self.step("refresh", 200, client.refresh, refresh)
            if rotated is None:
                continue
            access = rotated.body["access_token"]
            if not self.protected_calls(access, stop):
                continue
            if self.step("logout", 204, client.logout, access) is None:
                continue
            self.step("revoked", 401, client.protected, access)


def run_load(
    base: str,
    *,
    threads: int,
    username: str,
    password: str,
    should_stop: Callable[[LoadStats, float], bool],
    on_tick: Callable[[LoadStats, float], None] | None = None,
    tick: float = 0.5,
) -> tuple[LoadStats, float]:
    """Run ``threads`` virtual users against ``base`` (127.0.0.1 only) until told to stop."""
    host = urllib.parse.urlsplit(base).hostname
    if host != "127.0.0.1":
        raise ValueError(f"the load only ever targets 127.0.0.1, not {host!r}")
    stats = LoadStats()
    stop = threading.Event()
    users = [
        VirtualUser(JSONClient(base, timeout=30), stats, username, password) for _ in range(threads)
    ]
    workers = [threading.Thread(target=user.run, args=(stop,), daemon=True) for user in users]
    start = time.monotonic()
    for worker in workers:
        worker.start()
    try:
        while True:
            time.sleep(tick)
            elapsed = time.monotonic() - start
            if on_tick is not None:
                on_tick(stats, elapsed)
            if should_stop(stats, elapsed):
                break
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=60)
    return stats, time.monotonic() - start


def load_env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default
