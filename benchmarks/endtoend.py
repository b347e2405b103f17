"""The end-to-end rows: a protected view on gunicorn (2 sync workers) or on uvicorn (2
workers, ``--loop asyncio``: the async rows), on loopback.

One server per row (simplejwt, knox, drf_paseto on the database store, drf_paseto on the
Redis store on gunicorn; the async rows on uvicorn), serving ``benchmarks.wsgi`` or
``benchmarks.asgi`` on PostgreSQL (the ``default`` alias). The load
is a bounded Python client: ``CLIENTS`` threads, each sending ``GET`` with the row's token and
reading the answer, one new connection a request (gunicorn's sync workers close each one).
Each row gets one load run of ``LOAD_SECONDS`` in all, cut into ``SLICES`` slices run in
turn across the rows (row 1 slice 1, row 2 slice 1 ...), so that the rows compared see the
same machine load; a slice starts after the previous one's requests are all answered.
Requests per second are the row's answered requests over its time under load; p50 and p99
are over all of its requests. Any answer but 200 fails the run.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
CLIENTS = int(os.environ.get("DRF_PASETO_BENCH_CLIENTS", "4"))
LOAD_SECONDS = float(os.environ.get("DRF_PASETO_BENCH_LOAD_SECONDS", "20"))
SLICES = 10
WARMUP_REQUESTS = 200


@dataclass
class Server:
    key: str
    label: str
    path: str
    header: str
    store: str = "database"
    #: "gunicorn" (WSGI, sync workers) or "uvicorn" (ASGI, the asyncio loop).
    server: str = "gunicorn"
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, q: int) -> float:
        """The ``q``-th percentile latency, in ms."""
        return statistics.quantiles(self.latencies, n=100)[q - 1] * 1e3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def command(server: Server) -> list[str]:
    """The server process of a row: the same worker count on both servers, no access log."""
    bind = ["--host=127.0.0.1", f"--port={server.port}"]
    if server.server == "uvicorn":
        return [
            *("-m", "uvicorn", "benchmarks.asgi:application", *bind),
            *(f"--workers={WORKERS}", "--loop=asyncio", "--lifespan=off"),
            *("--no-access-log", "--log-level=warning"),
        ]
    return [
        *("-m", "gunicorn", "benchmarks.wsgi:application", f"--bind=127.0.0.1:{server.port}"),
        *(f"--workers={WORKERS}", "--worker-class=sync", "--error-logfile=-"),
    ]


def start(server: Server, workdir: str) -> None:
    server.port = free_port()
    server.log = Path(workdir) / f"{server.server}-{server.key}.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"}
    env["DRF_PASETO_BENCH_STORE"] = server.store
    if server.server == "uvicorn":
        env["DRF_PASETO_BENCH_ASGI"] = "1"
    with server.log.open("wb") as log:
        server.process = subprocess.Popen(
            [sys.executable, *command(server)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def wait_ready(server: Server, timeout: float = 30.0) -> None:
    """The view answers 200 (retried every 0.1 s while gunicorn starts)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            status = request(server)[0]
            if status == 200:
                return
            raise AssertionError(f"{server.label}: status {status}")
        except OSError:
            if server.process is not None and server.process.poll() is not None:
                exited = f"{server.label}: {server.server} exited: {tail(server)}"
                raise AssertionError(exited) from None
            if time.monotonic() > deadline:
                raise AssertionError(f"{server.label}: not up in {timeout} s") from None
            time.sleep(0.1)


def request(server: Server) -> tuple[int, float]:
    began = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", server.path, headers={"Authorization": server.header})
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - began
    finally:
        connection.close()


def load_slice(server: Server, seconds: float, into: Load) -> None:
    """``CLIENTS`` threads against ``server`` for ``seconds``; results added to ``into``."""
    stop_at = time.perf_counter() + seconds
    lock = threading.Lock()

    def client() -> None:
        latencies: list[float] = []
        errors: list[str] = []
        while time.perf_counter() < stop_at:
            try:
                status, latency = request(server)
            except OSError as err:
                errors.append(f"{type(err).__name__}: {err}")
                continue
            if status != 200:
                errors.append(f"status {status}")
            latencies.append(latency)
        with lock:
            into.latencies.extend(latencies)
            into.errors.extend(errors)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    into.seconds += time.perf_counter() - began


def tail(server: Server, size: int = 2000) -> str:
    if server.log is None or not server.log.exists():
        return ""
    return server.log.read_text(errors="replace")[-size:]


def run(servers: list[Server]) -> dict[str, Load]:
    """Start every server, load them in turn, stop them: ``{key: Load}``."""
    workdir = tempfile.mkdtemp(prefix="drf_paseto_bench_servers_")
    loads = {server.key: Load() for server in servers}
    try:
        for server in servers:
            start(server, workdir)
        for server in servers:
            wait_ready(server)
            for _ in range(WARMUP_REQUESTS):
                request(server)
        for _ in range(SLICES):
            for server in servers:
                load_slice(server, LOAD_SECONDS / SLICES, loads[server.key])
        for server in servers:
            if "Traceback" in tail(server, 200_000):
                loads[server.key].errors.append("a traceback in the log: " + tail(server))
    finally:
        for server in servers:
            if server.process is not None:
                server.process.terminate()
                try:
                    server.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.process.kill()
                    server.process.wait()
        shutil.rmtree(workdir, ignore_errors=True)
    return loads
