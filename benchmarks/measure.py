"""The measuring method of every timed figure, and the round-trip counters.

Timing (``measure_group``): warm-up calls, a batch size found the way ``timeit.autorange``
finds it, then ``REPEAT`` timed batches with the garbage collector paused (as ``timeit``
does). The cases of a group are measured interleaved (batch 1 of each, then batch 2 ...) so
that the figures a ratio compares see the same machine load. A figure is the median batch's
time per call; its spread is the interquartile range of the batches.

Counting (``count_round_trips``), outside timing: the SQL queries with Django's
``CaptureQueriesContext`` on the measured alias, and the Redis commands the clients send
(``benchmarks.counting``: one command sent, one round trip; a script is one ``EVALSHA``).
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

WARMUP = 50  # calls before calibrating
REPEAT = int(os.environ.get("DRF_PASETO_BENCH_REPEAT", "7"))  # timed batches per figure
MIN_BATCH_SECONDS = float(os.environ.get("DRF_PASETO_BENCH_BATCH_SECONDS", "0.2"))
COUNTED_CALLS = 10  # calls per round-trip count (the count is their mean)


@dataclass
class Case:
    key: str
    fn: Callable[[], Any]
    #: Entered around each of this case's batches (outside timing): settings, a database.
    context: Callable[[], AbstractContextManager[Any]] | None = None


@dataclass
class Figure:
    median: float  # µs per call
    spread: float  # µs: the interquartile range of the batches
    #: µs per call of each batch, in the order taken (one a round of ``measure_group``).
    batches: list[float] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.median:.1f} ± {self.spread / 2:.1f}"

    def ratio(self, base: Figure) -> float:
        """This figure over ``base``: the median of the ratios of the batches taken in the
        same round when both come from one ``measure_group`` (a burst of load then moves
        both sides of each ratio), else the ratio of the medians."""
        if len(self.batches) == len(base.batches) > 1:
            return statistics.median(a / b for a, b in zip(self.batches, base.batches, strict=True))
        return self.median / base.median


def _batch(fn: Callable[[], Any], number: int) -> float:
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        return time.perf_counter() - start
    finally:
        if gc_was_enabled:
            gc.enable()


def _calibrate(fn: Callable[[], Any], seconds: float) -> int:
    """timeit.autorange: 1, 2, 5, 10, 20, 50 ... calls until a batch is long enough."""
    _batch(fn, WARMUP)
    number = 1
    while True:
        for multiplier in (1, 2, 5):
            if _batch(fn, number * multiplier) >= seconds:
                return number * multiplier
        number *= 10


def _context(case: Case) -> AbstractContextManager[Any]:
    return case.context() if case.context else nullcontext()


def measure_group(cases: list[Case], *, finer: int = 1) -> dict[str, Figure]:
    """Median and spread, in µs per call, of each case over ``REPEAT`` interleaved batches.

    ``finer`` cuts each batch that many times shorter and takes that many more of them:
    the same time in all, interleaved more finely (for figures of a few tens of µs, which a
    burst of load on a small machine moves most).
    """
    numbers: dict[str, int] = {}
    samples: dict[str, list[float]] = {case.key: [] for case in cases}
    for case in cases:
        with _context(case):
            numbers[case.key] = _calibrate(case.fn, MIN_BATCH_SECONDS / finer)
    for _ in range(REPEAT * finer):
        for case in cases:
            with _context(case):
                _batch(case.fn, 1)
                number = numbers[case.key]
                samples[case.key].append(_batch(case.fn, number) / number)
    return {key: figure(values) for key, values in samples.items()}


def figure(seconds: list[float]) -> Figure:
    quartiles = statistics.quantiles(seconds, n=4) if len(seconds) > 1 else [seconds[0]] * 3
    micros = [s * 1e6 for s in seconds]
    return Figure(statistics.median(micros), (quartiles[2] - quartiles[0]) * 1e6, micros)


@dataclass
class RoundTrips:
    queries: float
    redis: float | None  # None: Redis was not watched
    sql_verbs: list[str]  # the distinct statements' first words, e.g. ["SELECT"]
    redis_commands: list[str]  # the distinct Redis commands, e.g. ["MGET"]

    def __str__(self) -> str:
        sql = f"{self.queries:g} SQL" + (
            f" ({', '.join(self.sql_verbs)})" if self.sql_verbs else ""
        )
        if not self.redis:
            return sql
        return sql + f" + {self.redis:g} Redis ({', '.join(self.redis_commands)})"


def count_round_trips(
    fn: Callable[[], Any], alias: str, redis_url: str | None, calls: int = COUNTED_CALLS
) -> RoundTrips:
    """The SQL queries on ``alias`` and the Redis commands sent (``benchmarks.counting``) by
    one call of ``fn``, averaged over ``calls`` calls after one uncounted call; Redis is not
    counted when ``redis_url`` is None."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from benchmarks import counting

    with counting.counted() if redis_url else nullcontext(None) as sent:
        fn()  # connections opened, copies written: the steady state is what is counted
        if sent is not None:
            sent.clear()
        with CaptureQueriesContext(connections[alias]) as queries:
            for _ in range(calls):
                fn()
        verbs = sorted({q["sql"].split(None, 1)[0].upper() for q in queries.captured_queries})
        if sent is None:
            return RoundTrips(len(queries) / calls, None, verbs, [])
        return RoundTrips(len(queries) / calls, len(sent) / calls, verbs, sorted(set(sent)))
