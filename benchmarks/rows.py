"""The ``authenticate()`` rows: every authenticator on the same user, database and Redis.

One DRF ``Request`` per row, built once with the row's ``Authorization`` header, and the
authenticator's ``authenticate(request)`` called on it: the work each package does per
request before the view runs. Every call is checked once to return the benchmark user as a
real user-model instance (or, for the stateless rows, a token-backed user with the same
primary key), so that no figure measures a refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from benchmarks import routing
from benchmarks.measure import Case, Figure, RoundTrips, count_round_trips, measure_group


@dataclass
class Row:
    key: str
    label: str
    header: str  # which token: "simplejwt", "drf", "knox", "paseto"
    authenticator: str  # a dotted path
    store: str | None = None  # drf_paseto's revocation store (None: not drf_paseto)
    stateless: bool = False
    revocation: bool = True


ROWS = [
    Row(
        "simplejwt",
        "simplejwt JWTAuthentication (no revocation)",
        "simplejwt",
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ),
    Row(
        "drf",
        "DRF TokenAuthentication (rest_framework.authtoken)",
        "drf",
        "rest_framework.authentication.TokenAuthentication",
    ),
    Row("knox", "knox TokenAuthentication (revocable)", "knox", "knox.auth.TokenAuthentication"),
    *(
        Row(
            f"paseto_{store}",
            f"drf_paseto, {store} store",
            "paseto",
            "drf_paseto.authentication.PasetoAuthentication",
            store,
        )
        for store in ("database", "redis", "cache")
    ),
    *(
        Row(
            f"stateless_{store}",
            f"drf_paseto stateless, {store} store",
            "paseto",
            "drf_paseto.authentication.PasetoStatelessAuthentication",
            store,
            stateless=True,
        )
        for store in ("database", "redis")
    ),
    Row(
        "paseto_off",
        "drf_paseto, revocation off (for reference)",
        "paseto",
        "drf_paseto.authentication.PasetoAuthentication",
        "database",
        revocation=False,
    ),
]
#: The engines of every row: PostgreSQL judges, SQLite is information.
ENGINES = {"postgresql": "default", "sqlite": "sqlite"}


@dataclass
class Result:
    figure: Figure | None
    trips: RoundTrips | None
    note: str = ""


def store_settings(store: str | None, **extra: Any) -> Any:
    """``override_settings`` selecting drf_paseto's revocation store."""
    from django.conf import settings
    from django.test import override_settings

    overrides = {} if store is None else {"DENYLIST_STORE": store}
    return override_settings(DRF_PASETO={**settings.DRF_PASETO, **overrides, **extra})


def drf_request(header: str) -> Any:
    from django.test import RequestFactory
    from rest_framework.request import Request

    return Request(RequestFactory().get("/protected/", HTTP_AUTHORIZATION=header))


def row_context(row: Row, alias: str) -> Callable[[], Any]:
    @contextmanager
    def context() -> Iterator[None]:
        extra = {} if row.revocation else {"DENYLIST_ENABLED": False}
        with routing.use(alias), store_settings(row.store, **extra):
            yield

    return context


def authenticate_call(row: Row, header: str, user: Any) -> Callable[[], Any]:
    from django.contrib.auth import get_user_model
    from django.utils.module_loading import import_string

    authenticator = import_string(row.authenticator)()
    request = drf_request(header)
    user_model = get_user_model()

    def call() -> Any:
        return authenticator.authenticate(request)

    got = call()
    if got is None or str(got[0].pk) != str(user.pk):
        raise AssertionError(f"{row.label}: authenticate() returned {got!r}")
    if not row.stateless and type(got[0]) is not user_model:
        raise AssertionError(f"{row.label}: {type(got[0])} is not the user model")
    return call


def measure_rows(
    users: dict[str, Any], headers: dict[str, dict[str, str]], redis_url: str | None
) -> dict[tuple[str, str], Result]:
    """Every row on every engine: ``{(row key, engine): Result}``. ``users`` and ``headers``
    are per engine; without Redis (``redis_url`` None) its rows are not measured."""
    cases: list[Case] = []
    results: dict[tuple[str, str], Result] = {}
    calls: dict[str, tuple[Callable[[], Any], str, Row]] = {}
    for engine, alias in ENGINES.items():
        for row in ROWS:
            if row.store in ("redis", "cache") and redis_url is None:
                results[row.key, engine] = Result(None, None, "no Redis")
                continue
            context = row_context(row, alias)
            with context():
                call = authenticate_call(row, headers[engine][row.header], users[engine])
            key = f"{row.key}@{engine}"
            cases.append(Case(key, call, context))
            calls[key] = (call, alias, row)
    figures = measure_group(cases, finer=4)
    for key, (call, alias, row) in calls.items():
        engine = key.split("@")[1]
        with row_context(row, alias)():
            trips = count_round_trips(call, alias, redis_url)
        results[row.key, engine] = Result(figures[key], trips)
    return results
