"""The tables ``make bench`` prints (Markdown, as docs/performance.md shows them) and the
targets: only the targets can fail the run, each printed with its numbers."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from pathlib import Path

from benchmarks.endtoend import Load
from benchmarks.measure import Figure
from benchmarks.rows import ROWS, Result


@dataclass
class Target:
    name: str
    value: float | None  # the measured ratio or figure (None: could not be measured)
    limit: float
    unit: str  # "x" for a ratio, " s" for seconds
    at_most: bool = True
    why: str = ""  # when value is None

    @property
    def met(self) -> bool:
        if self.value is None:
            return False
        if self.unit == " s":
            return self.value < self.limit
        return self.value <= self.limit if self.at_most else self.value >= self.limit

    def line(self) -> str:
        sign = "<=" if self.at_most else ">="
        if self.unit == " s":
            sign = "<" if self.at_most else ">"
        measured = (self.why or "n/a") if self.value is None else f"{self.value:.2f}{self.unit}"
        verdict = "PASS" if self.met else "FAIL"
        return f"| {self.name} | {measured} | {sign} {self.limit:g}{self.unit} | {verdict} |"


def ratio(a: Figure | None, b: Figure | None) -> float | None:
    if a is None or b is None or not b.median:
        return None
    return a.ratio(b)


def markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _cells(result: Result | None, base: Result | None) -> list[str]:
    if result is None or result.figure is None:
        return [result.note if result else "n/a", "", ""]
    r = ratio(result.figure, base.figure if base else None)
    trips = "" if result.trips is None else str(result.trips)
    return [str(result.figure), trips, "" if r is None else f"{r:.2f}x"]


def authenticate_table(results: dict[tuple[str, str], Result]) -> str:
    rows = []
    for row in ROWS:
        cells = [row.label]
        for engine in ("postgresql", "sqlite"):
            cells += _cells(results.get((row.key, engine)), results.get(("simplejwt", engine)))
        rows.append(cells)
    header = ["authenticate()", "PostgreSQL µs", "round trips", "vs simplejwt"]
    header += ["SQLite µs", "round trips", "vs simplejwt"]
    return markdown(header, rows)


GROWTH_LABELS = {
    "check_1k": "check(), 1 thousand sessions",
    "check_100k": "check(), 100 thousand sessions",
    "check_1m": "check(), 1 million sessions",
    "check_heavy": "check(), a user with 10 thousand sessions (of 100 thousand)",
}


def growth_table(growth: dict[tuple[str, str], Result], logout: dict[str, Result]) -> str:
    rows = []
    for key, label in GROWTH_LABELS.items():
        cells = [label]
        for engine in ("postgresql", "sqlite"):
            cells += _cells(growth.get((key, engine)), growth.get(("check_1k", engine)))
        rows.append(cells)
    cells = ["logout-all (revoke_user) of 10 thousand sessions, ms"]
    for engine in ("postgresql", "sqlite"):
        got = logout.get(engine)
        if got is None or got.figure is None:
            cells += ["n/a", "", ""]
            continue
        trips = "" if got.trips is None else f"{got.trips.queries:g} SQL"
        spread = got.figure.spread / 1e3
        cells += [f"{got.figure.median / 1e3:.0f} (±{spread / 2:.0f})", trips, ""]
    rows.append(cells)
    header = ["database store", "PostgreSQL µs", "round trips", "vs 1 thousand"]
    header += ["SQLite µs", "round trips", "vs 1 thousand"]
    return markdown(header, rows)


def _load_row(label: str, load: Load | None, base: Load | None) -> list[str]:
    if load is None or not load.latencies:
        return [label, "n/a", "", "", "", ""]
    vs = f"{load.rps / base.rps:.2f}x" if base and base.rps else ""
    p50, p99 = f"{load.percentile(50):.2f}", f"{load.percentile(99):.2f}"
    return [label, f"{load.rps:.0f}", p50, p99, vs, str(len(load.errors))]


def load_table(labels: dict[str, str], loads: dict[str, Load]) -> str:
    base = loads.get("simplejwt")
    rows = [_load_row(label, loads.get(key), base) for key, label in labels.items()]
    header = ["GET protected view", "req/s", "p50 ms", "p99 ms", "vs simplejwt", "errors"]
    return markdown(header, rows)


def async_table(labels: dict[str, str], bases: dict[str, str], loads: dict[str, Load]) -> str:
    """The async rows (information, no target): each async row against its sync twin."""
    rows = [
        _load_row(label, loads.get(key), loads.get(bases.get(key, "")))
        for key, label in labels.items()
    ]
    header = ["GET protected view, uvicorn", "req/s", "p50 ms", "p99 ms", "vs the sync view"]
    return markdown([*header, "errors"], rows)


def targets_table(targets: list[Target]) -> str:
    lines = ["| target | measured | limit | result |", "| --- | --- | --- | --- |"]
    return "\n".join(lines + [t.line() for t in targets])


def machine(servers: str) -> str:
    """The CPU, its count, the memory, the versions of every package and ``servers``."""
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    from importlib.metadata import version

    packages = ", ".join(
        f"{name} {version(name)}"
        for name in (
            "Django",
            "djangorestframework",
            "djangorestframework-simplejwt",
            "django-rest-knox",
            "pyseto",
            "redis",
            "psycopg",
            "gunicorn",
            "uvicorn",
            "adrf",
        )
    )
    return (
        f"{cpu}, {os.cpu_count()} CPUs{memory}; Python {platform.python_version()}, "
        f"{packages}; {servers}"
    )


def targets(
    auth: dict[tuple[str, str], Result],
    growth: dict[tuple[str, str], Result],
    logout: dict[str, Result],
    loads: dict[str, Load],
) -> list[Target]:
    """The issue's targets, all on PostgreSQL, each a ratio within this one run."""

    def figure(results: dict[tuple[str, str], Result], key: str) -> Figure | None:
        got = results.get((key, "postgresql"))
        return None if got is None else got.figure

    def versus(key: str, base: str) -> float | None:
        return ratio(figure(auth, key), figure(auth, base))

    found = [
        Target(name, versus(key, base), limit, "x")
        for name, key, base, limit in (
            ("database store authenticate() vs simplejwt", "paseto_database", "simplejwt", 1.0),
            (
                "database store authenticate() vs DRF's TokenAuthentication",
                "paseto_database",
                "drf",
                1.0,
            ),
            ("Redis store authenticate() vs simplejwt", "paseto_redis", "simplejwt", 1.0),
            (
                "stateless, Redis store, authenticate() vs simplejwt",
                "stateless_redis",
                "simplejwt",
                0.5,
            ),
        )
    ]
    ours, theirs = loads.get("paseto_database"), loads.get("simplejwt")
    rps = ours.rps / theirs.rps if ours and theirs and theirs.rps else None
    found.append(
        Target(
            "protected view on gunicorn, database store, req/s vs simplejwt",
            rps,
            0.95,
            "x",
            at_most=False,
            why="" if loads else "not run (--no-load)",
        )
    )
    found.append(
        Target(
            "revocation check, 1 million vs 1 thousand sessions",
            ratio(figure(growth, "check_1m"), figure(growth, "check_1k")),
            1.2,
            "x",
        )
    )
    got = logout.get("postgresql")
    seconds = None if got is None or got.figure is None else got.figure.median / 1e6
    found.append(Target("logout-all of 10 thousand sessions", seconds, 1.0, " s"))
    return found
