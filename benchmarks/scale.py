"""The cost-growth rows: the revocation check as the store grows, and logout-all.

* ``revocation.check()`` of a live access token on the database store, against 1 thousand,
  100 thousand and 1 million login sessions (three databases per engine, measured
  interleaved, 4 times more finely than the other figures: each is a few tens of µs), and
  for a user with 10 thousand sessions of their own (in the 100 thousand database).
* ``revocation.revoke_user()`` (what logout-all runs) of a user with 10 thousand live
  sessions: each of the three heavy users once, the median of the three.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from benchmarks import routing, seed
from benchmarks.measure import Case, Figure, RoundTrips, count_round_trips, measure_group
from benchmarks.rows import ENGINES, Result, store_settings


def _check_case(key: str, alias: str, user_pk: int) -> tuple[Case, Callable[[], Any]]:
    from django.contrib.auth import get_user_model

    from drf_paseto import revocation
    from drf_paseto.tokens import AccessToken

    @contextmanager
    def context() -> Iterator[None]:
        with routing.use(alias), store_settings("database"):
            yield

    with context():
        user = get_user_model()._default_manager.get(pk=user_pk)
        token = AccessToken(str(seed.logged_in(AccessToken, user)))
        state = revocation.check(token)
        if state.user_pk != str(user_pk):
            raise AssertionError(f"{alias}: the check read {state!r}")

    def call() -> Any:
        return revocation.check(token)

    return Case(key, call, context), call


def measure_growth() -> dict[tuple[str, str], Result]:
    """``{(size key, engine): Result}``: the check at each size and for the heavy user."""
    cases: list[Case] = []
    calls: dict[str, tuple[Callable[[], Any], str]] = {}
    for engine, base in ENGINES.items():
        targets = {
            "check_1k": (base, seed.BENCH_USER_PK),
            "check_100k": (f"{base}_100k", seed.BENCH_USER_PK),
            "check_1m": (f"{base}_1m", seed.BENCH_USER_PK),
            "check_heavy": (f"{base}_100k", seed.HEAVY_PKS[0]),
        }
        for size, (alias, pk) in targets.items():
            case, call = _check_case(f"{size}@{engine}", alias, pk)
            cases.append(case)
            calls[case.key] = (call, alias)
    figures = measure_group(cases, finer=4)
    results: dict[tuple[str, str], Result] = {}
    for key, (call, alias) in calls.items():
        size, engine = key.split("@")
        with routing.use(alias), store_settings("database"):
            trips = count_round_trips(call, alias, None)
        results[size, engine] = Result(figures[key], trips)
    return results


def measure_logout_all() -> dict[str, Result]:
    """``{engine: Result}``: ``revoke_user()`` of each heavy user once; the median."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from drf_paseto import revocation
    from drf_paseto.models import LoginSession

    results: dict[str, Result] = {}
    for engine, base in ENGINES.items():
        alias = f"{base}_100k"
        seconds: list[float] = []
        queries: list[int] = []
        for pk in seed.HEAVY_PKS:
            sessions = LoginSession.objects.using(alias).filter(user_id=pk, revoked_at=None)
            live = sessions.count()
            if live < seed.HEAVY_SESSIONS:  # the growth rows' own login adds one
                raise AssertionError(f"{alias}: user {pk} has {live} live sessions")
            with (
                routing.use(alias),
                store_settings("database"),
                CaptureQueriesContext(connections[alias]) as captured,
            ):
                began = time.perf_counter()
                revocation.revoke_user(str(pk), reason="logout_all")
                seconds.append(time.perf_counter() - began)
            queries.append(len(captured))
            if sessions.exists():
                raise AssertionError(f"{alias}: logout-all left live sessions of user {pk}")
        spread = (max(seconds) - min(seconds)) * 1e6
        trips = RoundTrips(statistics.median(queries), None, [], [])
        results[engine] = Result(Figure(statistics.median(seconds) * 1e6, spread), trips)
    return results
