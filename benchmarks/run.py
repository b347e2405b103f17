"""The benchmark suite: ``make bench`` (or ``python -m benchmarks.run`` from the repository).

Everything is measured in this one process, on the same user, database (a fresh SQLite
file), Redis server and Django, with one method (``measure``): warm-up calls, a batch size
found the way ``timeit.autorange`` finds it, then ``REPEAT`` timed batches with the garbage
collector paused (as ``timeit`` does); a figure is the median batch's time per call, in µs.

The table gives each figure, its ratio to the figure it is compared with, the target and
PASS/FAIL. Only four targets can fail the run (exit status 1): ``authenticate()``
with the database store at most 1.0x simplejwt's and with the Redis store at most 0.9x, the
protected view with the Redis store at most 0.95x simplejwt's, and the revocation check at 1
million sessions at most 1.2x its cost at 1 thousand. A target that cannot be checked
(Redis away) counts as missed; every other row is information. docs/performance.md
explains every line.

``python -m benchmarks.run --mutate STORE`` is the helper that the correctness gates start
as "another process": it reads a JSON plan on stdin and deactivates, deletes, changes the
password of users and ends a login session, exactly as an admin or another worker would.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WARMUP = 50  # calls before calibrating
REPEAT = int(os.environ.get("DRF_PASETO_BENCH_REPEAT", "7"))  # timed batches per figure
MIN_BATCH_SECONDS = float(os.environ.get("DRF_PASETO_BENCH_BATCH_SECONDS", "0.2"))
SMALL_STORE = 1_000
LARGE_STORE = int(os.environ.get("DRF_PASETO_BENCH_LARGE_STORE", "1000000"))
SEED_USERS = 1_000  # the other users the seeded sessions belong to, in both databases
SEED_USER_PK = 1_000  # their primary keys: 1000, 1001 ...
PASSWORD = "bench-password"


def _session_access(user: Any) -> Any:
    """An access token of a new login session, recorded as login/ records it."""
    from drf_paseto import revocation
    from drf_paseto.tokens import AccessToken

    token = AccessToken.for_user(user)
    revocation.start_session(user, token)
    return token


def _session_refresh(user: Any) -> Any:
    """A refresh token of a new login session, recorded as login/ records it."""
    from drf_paseto import revocation
    from drf_paseto.tokens import RefreshToken

    token = RefreshToken.for_user(user)
    revocation.start_session(user, token)
    return token


def _setup_django(sqlite_path: str | None) -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if sqlite_path is not None:
        os.environ["DRF_PASETO_BENCH_SQLITE"] = sqlite_path
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    import django

    django.setup()


# --- measuring --------------------------------------------------------------------------


def _batch(fn: Callable[[], Any], number: int, prepare: Callable[[int], Any] | None) -> float:
    if prepare is not None:
        prepare(number)  # outside the timed region
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


def _calibrate(fn: Callable[[], Any], prepare: Callable[[int], Any] | None, seconds: float) -> int:
    """timeit.autorange: 1, 2, 5, 10, 20, 50 ... calls until a batch is long enough."""
    _batch(fn, WARMUP, prepare)
    number = 1
    while True:
        for multiplier in (1, 2, 5):
            if _batch(fn, number * multiplier, prepare) >= seconds:
                return number * multiplier
        number *= 10


def measure(fn: Callable[[], Any], prepare: Callable[[int], Any] | None = None) -> float:
    """Median µs per call of ``fn`` over ``REPEAT`` batches (one case of ``measure_group``)."""
    return measure_group([Case("", fn, prepare)])[""]


@dataclass
class Case:
    key: str
    fn: Callable[[], Any]
    prepare: Callable[[int], Any] | None = None
    #: Entered around each of this case's batches (outside timing): settings, a router.
    context: Callable[[], AbstractContextManager[Any]] | None = None


def measure_group(cases: list[Case], *, finer: int = 1) -> dict[str, float]:
    """The method of every figure: median µs per call over ``REPEAT`` timed batches.

    The cases of a group are measured interleaved (batch 1 of each, then batch 2 of each
    ...), so the figures that a ratio compares see the same machine load, even on a busy
    machine. Each batch runs after one untimed call in its own context. ``finer`` cuts
    each batch that many times shorter and takes that many times more of them: the same
    time in all, interleaved more finely (for figures of a few tens of µs, which a burst
    of load on a 2-CPU machine moves most).
    """
    numbers: dict[str, int] = {}
    samples: dict[str, list[float]] = {case.key: [] for case in cases}
    for case in cases:
        with case.context() if case.context else nullcontext():
            numbers[case.key] = _calibrate(case.fn, case.prepare, MIN_BATCH_SECONDS / finer)
    for _ in range(REPEAT * finer):
        for case in cases:
            with case.context() if case.context else nullcontext():
                _batch(case.fn, 1, case.prepare)
                number = numbers[case.key]
                samples[case.key].append(_batch(case.fn, number, case.prepare) / number)
    return {key: statistics.median(values) * 1e6 for key, values in samples.items()}


# --- the table --------------------------------------------------------------------------


@dataclass
class Row:
    section: str
    name: str
    micros: float | None
    base: str = ""  # the key of the row this one is compared with
    target: float | None = None  # the highest ratio allowed
    note: str = ""


@dataclass
class Table:
    rows: list[Row] = field(default_factory=list)
    by_key: dict[str, Row] = field(default_factory=dict)
    gates: list[tuple[str, bool, str]] = field(default_factory=list)

    def add(
        self,
        key: str,
        section: str,
        name: str,
        micros: float | None,
        *,
        base: str = "",
        target: float | None = None,
        note: str = "",
    ) -> None:
        row = Row(section, name, micros, base, target, note)
        self.rows.append(row)
        self.by_key[key] = row
        shown = "n/a" if micros is None else f"{micros:9.1f} µs"
        print(f"  {name}: {shown}", file=sys.stderr, flush=True)

    def ratio(self, row: Row) -> float | None:
        base = self.by_key.get(row.base)
        if not row.base or base is None or base.micros is None or row.micros is None:
            return None
        return row.micros / base.micros

    def verdict(self, row: Row) -> str:
        if row.target is None:
            return "info"
        ratio = self.ratio(row)
        if ratio is None:
            return "FAIL"  # a target that cannot be checked is a target missed
        return "PASS" if ratio <= row.target else "FAIL"

    def failed(self) -> bool:
        """Whether a target was missed: only rows with a target count (the gates are the
        test suite's business; a failed one is printed, and voids the figures)."""
        return any(self.verdict(r) == "FAIL" for r in self.rows)

    def render(self) -> str:
        header = ("figure", "µs/call", "compared with", "ratio", "target", "result")
        lines: list[tuple[str, ...]] = []
        sections: list[tuple[str, list[tuple[str, ...]]]] = []
        for row in self.rows:
            if not sections or sections[-1][0] != row.section:
                sections.append((row.section, []))
            ratio = self.ratio(row)
            base = self.by_key[row.base].name if row.base in self.by_key else ""
            sections[-1][1].append(
                (
                    row.name + (f" ({row.note})" if row.note else ""),
                    "n/a" if row.micros is None else f"{row.micros:.1f}",
                    base,
                    "" if ratio is None else f"{ratio:.2f}x",
                    "" if row.target is None else f"<= {row.target:.2f}x",
                    self.verdict(row),
                )
            )
        for _, rows in sections:
            lines.extend(rows)
        labels = [(f"**{section}**", "", "", "", "", "") for section, _ in sections]
        widths = [max(len(x[i]) for x in [header, *lines, *labels]) for i in range(len(header))]

        def fmt(cells: tuple[str, ...]) -> str:
            return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

        out = [fmt(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
        for section, rows in sections:
            out.append(fmt((f"**{section}**", "", "", "", "", "")))
            out.extend(fmt(r) for r in rows)
        if self.gates:
            out.append("")
            out.append("Correctness gates (a change made by another process, next request):")
            for name, ok, detail in self.gates:
                out.append(
                    f"  {'PASS' if ok else 'FAIL'}  {name}" + (f": {detail}" if detail else "")
                )
        return "\n".join(out)


# --- the stores -------------------------------------------------------------------------

STORES = ("database", "redis", "cache")


def store_settings(store: str, **extra: Any) -> AbstractContextManager[Any]:
    """``override_settings`` selecting a revocation store ("database", "redis" or "cache")."""
    from django.conf import settings
    from django.test import override_settings

    return override_settings(DRF_PASETO={**settings.DRF_PASETO, "DENYLIST_STORE": store, **extra})


@contextmanager
def session_database(database: str) -> Iterator[None]:
    """Route the session tables to ``database`` ("default": 1 thousand, "large": 1 million)."""
    from benchmarks import routing

    previous, routing.SESSION_DATABASE = routing.SESSION_DATABASE, database
    try:
        yield
    finally:
        routing.SESSION_DATABASE = previous


def redis_client(url: str) -> Any:
    """A redis-py client of the benchmark's own (seeding, clean-up, the bare round trip)."""
    import redis

    return redis.Redis.from_url(url, decode_responses=True)


def redis_available() -> str:
    from django.conf import settings

    try:
        redis_client(settings.REDIS_URL).ping()
    except Exception as err:
        return f"{type(err).__name__}: {err}"
    return ""


def redis_cleanup() -> int:
    """Delete every key of the benchmark's prefix (SCAN + UNLINK, never FLUSHDB), in both
    Redis databases: the "redis" store's copies and the "cache" store's."""
    from django.conf import settings

    deleted = 0
    for url in dict.fromkeys((settings.REDIS_URL, settings.REDIS_LARGE_URL)):
        client = redis_client(url)
        batch: list[str] = []
        for key in client.scan_iter(match=f"{settings.REDIS_KEY_PREFIX}*", count=10_000):
            batch.append(key)
            if len(batch) >= 10_000:
                deleted += client.unlink(*batch)
                batch = []
        if batch:
            deleted += client.unlink(*batch)
    return deleted


# --- seeding ----------------------------------------------------------------------------


def make_user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user = user_model(username=username, email=f"{username}@example.com")
    user.set_password(PASSWORD)
    user.save()
    return user


def seed_users(user: Any) -> list[Any]:
    """The benchmark user (already in "default") and ``SEED_USERS`` others, with the same
    primary keys in both databases: a session of either file joins to its user."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    others = [
        user_model(pk=SEED_USER_PK + i, username=f"seed-{i}", password="!")
        for i in range(SEED_USERS)
    ]
    user_model._default_manager.using("large").bulk_create(
        [user_model(pk=user.pk, username=user.get_username(), password=user.password)]
    )
    for database in ("default", "large"):
        user_model._default_manager.using(database).bulk_create(others)
    return others


def seed_sessions(count: int, database: str, owners: list[Any]) -> tuple[float, Any]:
    """``count`` login sessions in ``database``, spread over ``owners``; 1 in 10 revoked
    (logout), and 1 owner in 20 with a cutoff (logout everywhere) a day before them.

    The first is a real login session (``RefreshToken.for_user``, under the benchmark's
    ``DENYLIST_ENABLED``); the others are copied from its row by one ``INSERT … SELECT`` on
    our own table (plain SQL through ``connection.cursor()``, SQLite's ``randomblob`` for
    the ids): the datetimes are the ones the ORM wrote. ``bulk_create`` builds a model
    instance per row: several times slower. Returns the seconds taken and the
    first session's state, as the database store reads it.
    """
    from django.db import connections, transaction

    from drf_paseto.models import LoginSession, SubjectCutoff
    from drf_paseto.stores import DatabaseStore

    began = time.perf_counter()
    with session_database(database), store_settings("database"):
        first = _session_refresh(owners[0])
        state, _ = DatabaseStore().read(first.session_id, first.subject)
    assert state is not None
    table = LoginSession._meta.db_table
    columns = (
        "id, user_id, subject, auth_time, created_at, last_used_at, expires_at, refresh_jti, "
        "generation, user_agent, ip, revoked_at, revoked_reason"
    )
    owner = f"{owners[0].pk} + n % {len(owners)}"
    sql = f"""
        INSERT INTO {table} ({columns})
        WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < %s)
        SELECT lower(hex(randomblob(16))), {owner}, CAST({owner} AS TEXT), t.auth_time,
               t.created_at, t.last_used_at, t.expires_at, lower(hex(randomblob(16))), n %% 3,
               t.user_agent, t.ip, CASE WHEN n %% 10 = 0 THEN t.created_at END,
               CASE WHEN n %% 10 = 0 THEN 'logout' ELSE '' END
        FROM seq, {table} AS t WHERE t.id = %s
    """
    with transaction.atomic(using=database), connections[database].cursor() as cursor:
        cursor.execute(sql, [count - 1, first.session_id])
    SubjectCutoff.objects.using(database).bulk_create(
        SubjectCutoff(
            subject=str(owner.pk), cutoff=state.auth_time - timedelta(days=1), reason="logout_all"
        )
        for owner in owners[::20]
    )
    if LoginSession.objects.using(database).count() != count:
        raise AssertionError(f"seeding {database} failed")
    return time.perf_counter() - began, state


def seed_copies(database: str, url: str, template: Any) -> float:
    """The "redis" store's copy of every session and cutoff of ``database``, in the Redis
    of ``url``: the keys and values the store writes (``session_key``, ``cutoff_key``,
    ``encode_state``), each with its expiry, 10 000 ``SET … EX`` a round trip through a
    redis-py pipeline."""
    from django.db import connections

    from drf_paseto import clock, stores
    from drf_paseto.models import LoginSession, SubjectCutoff

    began = time.perf_counter()
    with store_settings("redis", DENYLIST_REDIS_URL=url):
        store = stores.RedisStore()
        now = clock.current_time()
        session_ttl = int((template.expires_at - now).total_seconds()) + 1
        cutoff_ttl = int(clock.longest_lifetime().total_seconds()) + 1
        cutoffs = {
            subject: (cutoff - stores.EPOCH) // timedelta(microseconds=1)
            for subject, cutoff in SubjectCutoff.objects.using(database).values_list(
                "subject", "cutoff"
            )
        }
        client = redis_client(url)
        pipe = client.pipeline(transaction=False)
        subjects: set[str] = set()
        sql = (
            f"SELECT id, subject, user_id, refresh_jti, generation, revoked_at IS NOT NULL "
            f"FROM {LoginSession._meta.db_table}"
        )
        with connections[database].cursor() as cursor:
            cursor.execute(sql)
            while rows := cursor.fetchmany(10_000):
                for sid, subject, user_pk, jti, generation, revoked in rows:
                    state = dataclasses.replace(
                        template,
                        subject=subject,
                        user_pk=str(user_pk),
                        refresh_jti=jti,
                        generation=generation,
                        revoked=bool(revoked),
                    )
                    value = stores.encode_state(state)
                    pipe.set(store.session_key(sid, subject), value, ex=session_ttl)
                    subjects.add(subject)
                pipe.execute()
        for subject in subjects:
            value = cutoffs.get(subject, stores.NO_CUTOFF)
            pipe.set(store.cutoff_key(subject), str(value), ex=cutoff_ttl)
        pipe.execute()
    return time.perf_counter() - began


# --- the measurements -------------------------------------------------------------------


def drf_request(token: str) -> Any:
    from django.test import RequestFactory
    from rest_framework.request import Request

    return Request(RequestFactory().get("/protected/", HTTP_AUTHORIZATION=f"Bearer {token}"))


class Supply:
    """Single-use tokens (refresh with rotation): made before each batch, outside timing."""

    def __init__(self, make: Callable[[], str]) -> None:
        self.make = make
        self.items: list[str] = []

    def prepare(self, number: int) -> None:
        self.items = [self.make() for _ in range(number)]
        self.items.reverse()

    def next(self) -> str:
        return self.items.pop()


def pae(*pieces: bytes) -> bytes:
    """PASETO's pre-authentication encoding."""
    out = len(pieces).to_bytes(8, "little")
    for piece in pieces:
        out += len(piece).to_bytes(8, "little") + piece
    return out


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def checked(fn: Callable[[], Any], check: Callable[[Any], bool]) -> Callable[[], Any]:
    """``fn``, after one call whose result ``check`` accepts: a figure of a working call."""
    result = fn()
    if not check(result):
        raise AssertionError(f"benchmark call returned {result!r}")
    return fn


def in_store(store: str, key: str, make: Callable[[], Callable[[], Any]], **extra: Any) -> Case:
    """A case run under ``store``'s settings: ``make`` is called (and checked) under them."""
    with store_settings(store, **extra):
        fn = make()
    return Case(key, fn, context=lambda: store_settings(store, **extra))


def bench_authenticate(table: Table, user: Any, redis_ok: bool) -> None:
    import jwt
    import pyseto
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from rest_framework_simplejwt.authentication import JWTAuthentication
    from rest_framework_simplejwt.tokens import AccessToken as JWTAccessToken

    from drf_paseto import revocation, stores
    from drf_paseto.authentication import PasetoAuthentication, PasetoStatelessAuthentication
    from drf_paseto.keys import get_key_ring
    from drf_paseto.tokens import AccessToken

    section = "authenticate(): one request's authentication, same user and database"
    print(section, file=sys.stderr)
    user_model = get_user_model()
    paseto_token = str(_session_access(user))  # a login session, in "default"
    token = AccessToken(paseto_token)
    jwt_token = str(JWTAccessToken.for_user(user))
    key = next(iter(get_key_ring().verifying_keys.values())).key
    signing_key = settings.SIMPLE_JWT["SIGNING_KEY"]
    jwt_auth, jwt_request = JWTAuthentication(), drf_request(jwt_token)
    ours, request = PasetoAuthentication(), drf_request(paseto_token)

    def is_user(result: Any) -> bool:
        # A real user model instance, as request.user: the same for both packages.
        return result is not None and type(result[0]) is user_model and result[0].pk == user.pk

    def authenticate() -> Callable[[], Any]:
        return checked(lambda: ours.authenticate(request), is_user)

    stateless = PasetoStatelessAuthentication()

    def authenticate_stateless() -> Callable[[], Any]:
        # A token-backed user: no user query (issue 14's opt-in).
        return checked(
            lambda: stateless.authenticate(request),
            lambda got: got is not None and str(got[0].pk) == str(user.pk),
        )

    cases = [
        Case("pyseto", checked(lambda: pyseto.decode(key, paseto_token), bool)),
        Case(
            "pyjwt",
            checked(lambda: jwt.decode(jwt_token, signing_key, algorithms=["HS256"]), bool),
        ),
        Case("simplejwt", checked(lambda: jwt_auth.authenticate(jwt_request), is_user)),
        Case("validate", checked(lambda: AccessToken(paseto_token), bool)),
        Case("get_user", lambda: user_model._default_manager.get(pk=user.pk)),
        in_store("database", "auth_db", authenticate),
        in_store("database", "check_db", lambda: lambda: revocation.check(token)),
        in_store("database", "auth_off", authenticate, DENYLIST_ENABLED=False),
    ]
    if redis_ok:
        with store_settings("redis"):
            store = stores.RedisStore()
            keys = [
                store.session_key(token.session_id, token.subject),
                store.cutoff_key(token.subject),
            ]
            revocation.check(token)  # the copies are written on the first read
        client = redis_client(settings.REDIS_URL)
        cases += [
            Case("mget", checked(lambda: client.mget(keys), lambda got: None not in got)),
            in_store("redis", "auth_redis", authenticate),
            in_store("redis", "auth_stateless_redis", authenticate_stateless),
            in_store("redis", "check_redis", lambda: lambda: revocation.check(token)),
            in_store("cache", "auth_cache", authenticate),
        ]
    got = measure_group(cases)

    table.add(
        "pyseto",
        section,
        "pyseto.decode() of the same v4.local token (crypto floor)",
        got["pyseto"],
    )
    table.add(
        "pyjwt", section, "PyJWT HS256 decode of simplejwt's token", got["pyjwt"], base="pyseto"
    )
    table.add(
        "simplejwt",
        section,
        "simplejwt JWTAuthentication.authenticate() (HS256, no revocation, one user query)",
        got["simplejwt"],
    )
    table.add(
        "auth_db",
        section,
        "ours, database store (session + cutoff in one statement, then the user)",
        got["auth_db"],
        base="simplejwt",
        target=1.0,
    )
    table.add(
        "auth_redis",
        section,
        "ours, redis store (one MGET + one user query)",
        got.get("auth_redis"),
        base="simplejwt",
        target=0.9,
    )
    table.add(
        "auth_stateless_redis",
        section,
        "ours, PasetoStatelessAuthentication, redis store (one MGET, no user query)",
        got.get("auth_stateless_redis"),
        base="simplejwt",
        target=0.4,
    )
    table.add(
        "auth_cache",
        section,
        "ours, cache store on Django's RedisCache (get_many + one user query)",
        got.get("auth_cache"),
        base="simplejwt",
    )
    table.add(
        "auth_off",
        section,
        "ours, revocation off (one user query: the work simplejwt does)",
        got["auth_off"],
        base="simplejwt",
    )
    table.add(
        "validate",
        section,
        "ours, AccessToken(raw): decode and claim checks alone",
        got["validate"],
        base="pyseto",
    )
    table.add(
        "check_db",
        section,
        "revocation.check(), database store: the session statement alone",
        got["check_db"],
    )
    table.add(
        "check_redis",
        section,
        "revocation.check(), redis store: the MGET alone",
        got.get("check_redis"),
    )
    table.add(
        "mget",
        section,
        "redis-py MGET of the same 2 keys on a kept client: the bare round trip",
        got.get("mget"),
    )
    table.add(
        "get_user",
        section,
        "User._default_manager.get(pk=…): the ORM query the redis store adds",
        got["get_user"],
    )


def bench_end_to_end(table: Table, user: Any, redis_ok: bool) -> None:
    from django.test import Client
    from rest_framework_simplejwt.tokens import AccessToken as JWTAccessToken
    from rest_framework_simplejwt.tokens import RefreshToken as JWTRefreshToken

    client = Client()
    section = "End to end through Django's test client"
    print(section, file=sys.stderr)
    stores = [s for s in STORES if redis_ok or s == "database"]

    def ok(response: Any) -> bool:
        return bool(response.status_code == 200)

    def get(path: str, header: str) -> Callable[[], Any]:
        return checked(lambda: client.get(path, HTTP_AUTHORIZATION=header), ok)

    def post(path: str, data: Callable[[], dict[str, Any]]) -> Callable[[], Any]:
        def call() -> Any:
            response = client.post(path, data(), content_type="application/json")
            if response.status_code != 200:
                raise AssertionError(f"{path}: {response.status_code} {response.content!r}")
            return response

        return call

    jwt_header = f"Bearer {JWTAccessToken.for_user(user)}"
    paseto_header = f"Bearer {_session_access(user)}"
    got = measure_group(
        [
            Case("view_jwt", get("/jwt/protected/", jwt_header)),
            *(
                in_store(store, f"view_{store}", lambda: get("/protected/", paseto_header))
                for store in stores
            ),
        ]
    )
    table.add("view_jwt", section, "GET protected view, simplejwt", got["view_jwt"])
    for store, target in (("database", None), ("redis", 0.95), ("cache", None)):
        table.add(
            f"view_{store}",
            section,
            f"GET protected view, ours, {store} store",
            got.get(f"view_{store}"),
            base="view_jwt",
            target=target,
        )

    credentials = {"username": user.get_username(), "password": PASSWORD}
    jwt_supply = Supply(lambda: str(JWTRefreshToken.for_user(user)))
    supplies = {store: Supply(lambda: str(_session_refresh(user))) for store in stores}
    cases = [Case("login_jwt", post("/jwt/login/", lambda: credentials))]
    cases += [
        in_store(store, f"login_{store}", lambda: post("/auth/login/", lambda: credentials))
        for store in stores
    ]
    cases.append(
        Case(
            "refresh_jwt",
            post("/jwt/refresh/", lambda: {"refresh": jwt_supply.next()}),
            jwt_supply.prepare,
        )
    )
    for store in stores:
        supply = supplies[store]
        case = in_store(
            store,
            f"refresh_{store}",
            lambda s=supply: post("/auth/refresh/", lambda: {"refresh_token": s.next()}),
        )
        case.prepare = supply.prepare
        cases.append(case)
    got = measure_group(cases)
    table.add("login_jwt", section, "POST login, simplejwt (TokenObtainPairView)", got["login_jwt"])
    for store in STORES:
        table.add(
            f"login_{store}",
            section,
            f"POST login/, ours, {store} store (a session row written)",
            got.get(f"login_{store}"),
            base="login_jwt",
        )
    table.add(
        "refresh_jwt",
        section,
        "POST refresh, simplejwt, rotation on (no blacklist app)",
        got["refresh_jwt"],
    )
    for store in STORES:
        table.add(
            f"refresh_{store}",
            section,
            f"POST refresh/, ours, {store} store, rotation on (session checked and rotated)",
            got.get(f"refresh_{store}"),
            base="refresh_jwt",
        )


def bench_public(table: Table, user: Any) -> None:
    import pyseto
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from drf_paseto import backend
    from drf_paseto.keys import get_key_ring
    from drf_paseto.tokens import AccessToken, Token

    section = "v4.public verification"
    print(section, file=sys.stderr)
    secret = backend.secret_paserk(backend.generate_key(4, "public"))
    with store_settings("database", PURPOSE="public", SECRET_KEY=None, PRIVATE_KEY=secret):
        token = str(_session_access(user))
        ring = get_key_ring()
        public = ring.verifying_keys[str(ring.signing_kid)]
        verifier = Ed25519PublicKey.from_public_bytes(b64d(public.public_paserk().split(".")[2]))

        def raw() -> Any:
            parts = token.split(".")
            body = b64d(parts[2])
            footer = b64d(parts[3]) if len(parts) == 4 else b""
            message, signature = body[:-64], body[-64:]
            verifier.verify(signature, pae(b"v4.public.", message, footer, b""))
            return json.loads(message)

        assert raw() == Token.decode(token)
        parts = token.split(".")
        body = b64d(parts[2])
        signed = pae(b"v4.public.", body[:-64], b64d(parts[3]), b"")
        signature = body[-64:]
        got = measure_group(
            [
                Case("ed25519", lambda: verifier.verify(signature, signed)),
                Case("raw_public", raw),
                Case("pyseto_public", lambda: pyseto.decode(public.key, token)),
                Case("ours_public", lambda: Token.decode(token)),
                Case("ours_public_validate", lambda: AccessToken(token)),
            ]
        )
    table.add("ed25519", section, "Ed25519 verify() alone (cryptography)", got["ed25519"])
    table.add(
        "raw_public",
        section,
        "raw v4.public: base64, PAE, Ed25519 verify, json.loads",
        got["raw_public"],
    )
    table.add(
        "pyseto_public",
        section,
        "pyseto.decode() of the same v4.public token",
        got["pyseto_public"],
        base="raw_public",
    )
    table.add(
        "ours_public",
        section,
        "ours, Token.decode(): strict parse, kid lookup, verify, strict JSON",
        got["ours_public"],
        base="raw_public",
    )
    table.add(
        "ours_public_validate",
        section,
        "ours, AccessToken(raw): the same plus every claim check",
        got["ours_public_validate"],
        base="raw_public",
    )


def bench_scale(table: Table, user: Any, redis_ok: bool) -> None:
    """``revocation.check()`` of a live access token against 1 thousand and 1 million
    sessions, on the database store and on the redis store (its copy warm).

    The two sizes live side by side (two SQLite files, two Redis databases) and are measured
    interleaved. Each size has its own login session of the benchmark user (a token's
    session is in one file only).
    """
    from django.conf import settings

    from drf_paseto import revocation
    from drf_paseto.tokens import AccessToken

    section = "Revocation check against the number of sessions (a live token)"
    print(section, file=sys.stderr)
    sizes = {
        "small": ("default", settings.REDIS_URL, f"{SMALL_STORE:,}"),
        "large": ("large", settings.REDIS_LARGE_URL, f"{LARGE_STORE:,}"),
    }
    stores = [s for s in ("database", "redis") if redis_ok or s == "database"]
    cases = []
    for size, (database, url, _) in sizes.items():
        with session_database(database), store_settings("database"):
            token = AccessToken(str(_session_access(user)))
        for store in stores:

            @contextmanager
            def context(store: str = store, database: str = database, url: str = url) -> Any:
                with session_database(database), store_settings(store, DENYLIST_REDIS_URL=url):
                    yield

            with context():
                state = revocation.check(token)  # the redis store writes its copy here
                assert state.user_pk == str(user.pk)
            cases.append(
                Case(f"scale_{store}_{size}", lambda t=token: revocation.check(t), context=context)
            )
    got = measure_group(cases, finer=4)
    for store in ("database", "redis"):
        table.add(
            f"scale_{store}_small",
            section,
            f"{store} store check(), {sizes['small'][2]} sessions",
            got.get(f"scale_{store}_small"),
        )
        table.add(
            f"scale_{store}_large",
            section,
            f"{store} store check(), {sizes['large'][2]} sessions",
            got.get(f"scale_{store}_large"),
            base=f"scale_{store}_small",
            target=1.2,
        )


# --- correctness gates ------------------------------------------------------------------


def correctness_gates(table: Table, sqlite_path: str, redis_ok: bool) -> None:
    """A change made in another process is seen on this process's next request.

    For each store: tokens are authenticated here first (so the copies are warm), a
    subprocess then deactivates one user, deletes one, changes one's password and ends one
    login session; every one of those tokens must now be refused here, and an untouched
    user's token still accepted.
    """
    from rest_framework.exceptions import AuthenticationFailed

    from drf_paseto.authentication import PasetoAuthentication

    print("Correctness gates", file=sys.stderr)
    auth = PasetoAuthentication()
    for store in STORES:
        if store != "database" and not redis_ok:
            table.gates.append((f"{store} store", False, "Redis unavailable"))
            continue
        with store_settings(store):
            users = {
                name: make_user(f"gate-{store}-{name}")
                for name in ("deactivate", "delete", "password", "revoke", "control")
            }
            tokens = {name: str(_session_access(u)) for name, u in users.items()}
            for token in tokens.values():
                auth.authenticate(drf_request(token))  # accepted, and the copies written
            plan = {
                "deactivate": users["deactivate"].get_username(),
                "delete": users["delete"].get_username(),
                "password": users["password"].get_username(),
                "revoke": tokens["revoke"],
            }
            result = subprocess.run(
                [sys.executable, "-m", "benchmarks.run", "--mutate", store],
                input=json.dumps(plan),
                capture_output=True,
                text=True,
                cwd=ROOT,
                env={**os.environ, "DRF_PASETO_BENCH_SQLITE": sqlite_path},
                check=False,
            )
            if result.returncode != 0:
                table.gates.append((f"{store} store: helper process", False, result.stderr[-500:]))
                continue
            for name, token in tokens.items():
                try:
                    auth.authenticate(drf_request(token))
                    refused = False
                except AuthenticationFailed:
                    refused = True
                if name == "control":
                    ok, what = not refused, "an untouched user's token is still accepted"
                else:
                    ok, what = refused, f"{name} in another process: refused on the next request"
                table.gates.append((f"{store} store, {what}", ok, ""))


def mutate(store: str) -> None:
    """The helper process of ``correctness_gates``: apply the JSON plan read on stdin."""
    from django.contrib.auth import get_user_model

    from drf_paseto import revocation
    from drf_paseto.tokens import AccessToken

    plan = json.loads(sys.stdin.read())
    manager = get_user_model()._default_manager
    with store_settings(store):
        user = manager.get_by_natural_key(plan["deactivate"])
        user.is_active = False
        user.save()
        manager.get_by_natural_key(plan["delete"]).delete()
        user = manager.get_by_natural_key(plan["password"])
        user.set_password("a-new-password")
        user.save()
        token = AccessToken(plan["revoke"])
        revocation.revoke_session(token.session_id, token.subject, reason="admin")


# --- main -------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import django
    import pyseto
    import redis
    import rest_framework
    import rest_framework_simplejwt

    try:
        import hiredis

        parser = f"hiredis {hiredis.__version__}"
    except ImportError:
        parser = "no hiredis"
    return (
        f"{cpu}, {os.cpu_count()} CPUs; Python {platform.python_version()}, "
        f"Django {django.get_version()}, DRF {rest_framework.VERSION}, "
        f"pyseto {pyseto.__version__}, simplejwt {rest_framework_simplejwt.__version__}, "
        f"redis-py {redis.__version__} ({parser}), SQLite file database"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mutate", metavar="STORE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mutate:
        _setup_django(None)
        mutate(args.mutate)
        return 0

    load_before = os.getloadavg()[0]
    workdir = tempfile.mkdtemp(prefix="drf_paseto_bench_")
    sqlite_path = os.path.join(workdir, "bench.sqlite3")
    _setup_django(sqlite_path)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    redis_error = "not checked"
    try:
        for database in ("default", "large"):
            with connections[database].cursor() as cursor:
                cursor.execute("PRAGMA journal_mode=WAL")
            call_command("migrate", database=database, verbosity=0, interactive=False)
        redis_error = redis_available()
        redis_ok = not redis_error
        if redis_ok:
            redis_cleanup()
        else:
            print(
                f"bench: no Redis at {settings.REDIS_URL} ({redis_error}): the redis and "
                "cache store figures cannot be measured and their targets count as missed. "
                'Start one with: eval "$(bash .ci/services.sh)"',
                file=sys.stderr,
            )
        user = make_user("bench")
        owners = seed_users(user)
        for count, database, url in (
            (SMALL_STORE, "default", settings.REDIS_URL),
            (LARGE_STORE, "large", settings.REDIS_LARGE_URL),
        ):
            print(f"Seeding {count:,} login sessions", file=sys.stderr)
            seconds, template = seed_sessions(count, database, owners)
            print(f"  database (INSERT … SELECT): {seconds:.1f} s", file=sys.stderr)
            if redis_ok:
                seconds = seed_copies(database, url, template)
                print(f"  Redis copies (pipelined SET EX): {seconds:.1f} s", file=sys.stderr)

        table = Table()
        bench_scale(table, user, redis_ok)  # first: the logins below add sessions
        bench_authenticate(table, user, redis_ok)
        bench_end_to_end(table, user, redis_ok)
        bench_public(table, user)
        correctness_gates(table, sqlite_path, redis_ok)
    finally:
        try:
            if not redis_error:
                redis_cleanup()
        except Exception as err:  # report, do not mask the real error
            print(f"bench: Redis clean-up failed: {err}", file=sys.stderr)
        connections.close_all()
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(f"Machine: {machine()}")
    print(f"Method: median of {REPEAT} batches of >= {MIN_BATCH_SECONDS} s each, after warm-up")
    print(
        f"Load average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after: "
        "above ~1 the Redis figures (another process answering) suffer first"
    )
    print()
    print(table.render())
    if any(not ok for _, ok, _ in table.gates):
        print()
        print("bench: a correctness gate failed: the figures above measure a broken path")
    failed = table.failed()
    print()
    print("bench: FAIL (a target was missed)" if failed else "bench: all targets met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
