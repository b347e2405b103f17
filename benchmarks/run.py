"""The benchmark suite: ``make bench`` (or ``python -m benchmarks.run`` from the repository).

Everything is measured in this one process, on the same user, database (a fresh SQLite
file), Redis server and Django, with one method (``measure``): warm-up calls, a batch size
found the way ``timeit.autorange`` finds it, then ``REPEAT`` timed batches with the garbage
collector paused (as ``timeit`` does); a figure is the median batch's time per call, in µs.

The table gives each figure, its ratio to the figure it is compared with, the target and
PASS/FAIL; the process exits 1 when any target is missed (or cannot be checked because
Redis is away). docs/performance.md explains every line.

``python -m benchmarks.run --mutate STORE`` is the helper that the correctness gates start
as "another process": it reads a JSON plan on stdin and deactivates, deletes, changes the
password of users and revokes tokens, exactly as an admin or another worker would.
"""

from __future__ import annotations

import argparse
import base64
import gc
import itertools
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WARMUP = 50  # calls before calibrating
REPEAT = int(os.environ.get("DRF_PASETO_BENCH_REPEAT", "7"))  # timed batches per figure
MIN_BATCH_SECONDS = float(os.environ.get("DRF_PASETO_BENCH_BATCH_SECONDS", "0.2"))
SMALL_STORE = 1_000
LARGE_STORE = int(os.environ.get("DRF_PASETO_BENCH_LARGE_STORE", "1000000"))
PASSWORD = "bench-password"


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


def _calibrate(fn: Callable[[], Any], prepare: Callable[[int], Any] | None) -> int:
    """timeit.autorange: 1, 2, 5, 10, 20, 50 ... calls until a batch is long enough."""
    _batch(fn, WARMUP, prepare)
    number = 1
    while True:
        for multiplier in (1, 2, 5):
            if _batch(fn, number * multiplier, prepare) >= MIN_BATCH_SECONDS:
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


def measure_group(cases: list[Case]) -> dict[str, float]:
    """The method of every figure: median µs per call over ``REPEAT`` timed batches.

    The cases of a group are measured interleaved (batch 1 of each, then batch 2 of each
    ...), so the figures that a ratio compares see the same machine load, even on a busy
    machine. Each batch runs after one untimed call in its own context.
    """
    numbers: dict[str, int] = {}
    samples: dict[str, list[float]] = {case.key: [] for case in cases}
    for case in cases:
        with case.context() if case.context else nullcontext():
            numbers[case.key] = _calibrate(case.fn, case.prepare)
    for _ in range(REPEAT):
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

    def compare(self, key: str, section: str, name: str, base: str, target: float) -> None:
        """A second ratio for a figure already in the table (no new measurement)."""
        row = self.by_key[key]
        self.rows.append(Row(section, name, row.micros, base, target))

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
        return any(self.verdict(r) == "FAIL" for r in self.rows) or any(
            not ok for _, ok, _ in self.gates
        )

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


def store_settings(store: str, **extra: Any) -> AbstractContextManager[Any]:
    """``override_settings`` selecting a revocation store ("database" or "cache")."""
    from django.conf import settings
    from django.test import override_settings

    return override_settings(DRF_PASETO={**settings.DRF_PASETO, "DENYLIST_STORE": store, **extra})


def redis_client(alias: str = "redis") -> Any:
    from django.core.cache import caches

    return caches[alias]._cache.get_client(write=True)


def redis_key(fact: str, alias: str = "redis") -> str:
    """The Redis key under which ``CacheStore`` keeps a fact (Django's key prefixing)."""
    from django.core.cache import caches

    from drf_paseto.revocation import KEY_PREFIX

    return str(caches[alias].make_key(KEY_PREFIX + fact))


def bare_round_trip(poll: bool) -> Callable[[], Any]:
    """``MGET`` of 4 absent keys on a raw socket to the benchmark's Redis (no redis-py, no
    Django): the transport's own cost, waiting for the reply by polling (as ``CacheStore``
    does) or by sleeping in ``recv()``."""
    import select
    import socket

    options = redis_client().connection_pool.connection_kwargs
    sock = socket.create_connection((options.get("host", "127.0.0.1"), options.get("port", 6379)))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    keys = [f"drf_paseto:bench-bare-{i}".encode() for i in range(4)]
    command = b"*5\r\n$4\r\nMGET\r\n" + b"".join(b"$%d\r\n%s\r\n" % (len(k), k) for k in keys)
    reply = b"*4\r\n" + b"$-1\r\n" * 4
    buffer = bytearray(64)

    def sleeping() -> Any:
        sock.sendall(command)
        return buffer[: sock.recv_into(buffer)] == reply

    def polling() -> Any:
        sock.sendall(command)
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        while not poller.poll(0):
            pass
        return buffer[: sock.recv_into(buffer)] == reply

    return checked(polling if poll else sleeping, bool)


def redis_available() -> str:
    try:
        redis_client().ping()
    except Exception as err:
        return f"{type(err).__name__}: {err}"
    return ""


def redis_cleanup() -> int:
    """Delete every key of the benchmark's prefix (SCAN + UNLINK, never FLUSHDB)."""
    from django.conf import settings

    deleted = 0
    for alias in ("redis", "redis_large"):
        client = redis_client(alias)
        prefix = settings.CACHES[alias]["KEY_PREFIX"]
        batch: list[bytes] = []
        for key in client.scan_iter(match=f"{prefix}:*", count=10_000):
            batch.append(key)
            if len(batch) >= 10_000:
                deleted += client.unlink(*batch)
                batch = []
        if batch:
            deleted += client.unlink(*batch)
    return deleted


def fact_keys(count: int) -> Iterator[tuple[str, str, str]]:
    """``count`` revoked entries: (key, kind, subject), a realistic mix.

    70 % single tokens (``jti``), 25 % sessions (``sid``), 5 % users (``user``, with a
    cutoff); ids are random 128-bit hex like the real ones; the subjects are ids no
    benchmark user has.
    """
    rng = random.Random(count)
    for index in range(count):
        pick = index % 20
        subject = str(10_000_000 + index)
        if pick < 14:
            yield f"jti:{rng.getrandbits(128):032x}", "jti", subject
        elif pick < 19:
            yield f"sid:{rng.getrandbits(128):032x}", "sid", subject
        else:
            yield f"user:{subject}", "user", subject


def seed_database(count: int, database: str) -> float:
    """Put ``count`` entries in the ``DenylistEntry`` table of ``database``.

    One ``executemany`` INSERT per 50 000 rows, with the columns and values Django itself
    would write (``bulk_create`` builds a model instance per row: 65 s for 1 million here,
    against a few seconds this way).
    """
    from django.db import connections, transaction

    from drf_paseto.models import DenylistEntry

    began = time.perf_counter()
    connection = connections[database]
    meta = DenylistEntry._meta
    fields = [meta.get_field(name) for name in ("key", "kind", "subject", "cutoff")]
    fields += [meta.get_field("expires_at"), meta.get_field("created_at")]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    now = datetime.now(tz=timezone.utc)
    adapt = connection.ops.adapt_datetimefield_value
    created, expires = adapt(now), adapt(now + timedelta(days=30))
    cutoff = adapt(now - timedelta(days=1))
    rows = (
        (key, kind, subject, cutoff if kind == "user" else None, expires, created)
        for key, kind, subject in fact_keys(count)
    )
    with transaction.atomic(using=database), connection.cursor() as cursor:
        while chunk := list(itertools.islice(rows, 50_000)):
            cursor.executemany(sql, chunk)
    if DenylistEntry.objects.using(database).count() != count:
        raise AssertionError(f"seeding {database} failed")
    return time.perf_counter() - began


# One round trip per 10 000 entries: SET key value EX ttl for each KEYS[i] / ARGV[i + 1].
_SEED_SCRIPT = """
for i, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[i + 1], 'EX', ARGV[1])
end
return #KEYS
"""


def seed_redis(count: int, alias: str) -> float:
    """Put ``count`` entries in Redis: a Lua script of 10 000 SETs with TTLs a round trip.

    The keys and values are what ``CacheStore`` writes (Django's key prefix and version;
    RedisSerializer stores ints bare): ``1`` for a token or a session, whole microseconds
    since the epoch for a user cutoff.
    """
    from drf_paseto.revocation import EPOCH

    began = time.perf_counter()
    client = redis_client(alias)
    script = client.register_script(_SEED_SCRIPT)
    prefix = redis_key("", alias)
    cutoff = (datetime.now(tz=timezone.utc) - timedelta(days=1) - EPOCH) // timedelta(
        microseconds=1
    )
    ttl = int(timedelta(days=30).total_seconds())
    facts = fact_keys(count)
    while chunk := list(itertools.islice(facts, 10_000)):
        keys = [prefix + key for key, _, _ in chunk]
        values = [cutoff if kind == "user" else 1 for _, kind, _ in chunk]
        script(keys=keys, args=[ttl, *values])
    if client.dbsize() < count:
        raise AssertionError(f"seeding Redis ({alias}) failed")
    return time.perf_counter() - began


# --- the measurements -------------------------------------------------------------------


def make_user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user = user_model(username=username, email=f"{username}@example.com")
    user.set_password(PASSWORD)
    user.save()
    return user


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


def bench_authenticate(table: Table, user: Any, redis_ok: bool) -> None:
    import jwt
    import pyseto
    from django.conf import settings
    from django.core.cache import caches
    from rest_framework_simplejwt.authentication import JWTAuthentication
    from rest_framework_simplejwt.tokens import AccessToken as JWTAccessToken

    from drf_paseto.authentication import PasetoAuthentication
    from drf_paseto.keys import get_key_ring
    from drf_paseto.tokens import AccessToken

    section = "authenticate(): one request's authentication, same user and database"
    print(section, file=sys.stderr)
    paseto_token = str(AccessToken.for_user(user))
    jwt_token = str(JWTAccessToken.for_user(user))
    key = next(iter(get_key_ring().verifying_keys.values())).key
    signing_key = settings.SIMPLE_JWT["SIGNING_KEY"]
    jwt_auth, jwt_request = JWTAuthentication(), drf_request(jwt_token)
    ours, request = PasetoAuthentication(), drf_request(paseto_token)

    def is_user(result: Any) -> bool:
        return result is not None and result[0].pk == user.pk

    def ours_with(store: str, **extra: Any) -> Case:
        with store_settings(store, **extra):
            fn = checked(lambda: ours.authenticate(request), is_user)
        return Case("", fn, context=lambda: store_settings(store, **extra))

    cases = [
        Case("pyseto", checked(lambda: pyseto.decode(key, paseto_token), bool)),
        Case(
            "pyjwt",
            checked(lambda: jwt.decode(jwt_token, signing_key, algorithms=["HS256"]), bool),
        ),
        Case("simplejwt", checked(lambda: jwt_auth.authenticate(jwt_request), is_user)),
        Case("validate", checked(lambda: AccessToken(paseto_token), bool)),
    ]
    if redis_ok:
        cache = caches["redis"]
        keys = [f"drf_paseto:bench-missing-{i}" for i in range(4)]
        cases.append(Case("get_many", lambda: cache.get_many(keys)))
        cases.append(Case("rtt_poll", bare_round_trip(poll=True)))
        cases.append(Case("rtt_sleep", bare_round_trip(poll=False)))
        cases.append(ours_with("cache"))
        cases[-1].key = "auth_cache"
        cases.append(ours_with("cache", DENYLIST_CACHE_SPIN_MICROSECONDS=0))
        cases[-1].key = "auth_cache_sleep"
    cases.append(ours_with("database"))
    cases[-1].key = "auth_db"
    cases.append(ours_with("database", DENYLIST_ENABLED=False))
    cases[-1].key = "auth_off"
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
        "simplejwt JWTAuthentication.authenticate() (HS256, no revocation)",
        got["simplejwt"],
    )
    table.add(
        "auth_cache",
        section,
        "ours, cache store on Redis, revocation on",
        got.get("auth_cache"),
        base="simplejwt",
        target=0.5,
    )
    table.compare(
        "auth_cache", section, "ours, cache store on Redis, against the crypto floor", "pyseto", 3.0
    )
    table.add(
        "auth_cache_sleep",
        section,
        "ours, cache store, DENYLIST_CACHE_SPIN_MICROSECONDS=0 (sleep in recv)",
        got.get("auth_cache_sleep"),
        base="simplejwt",
    )
    table.add(
        "rtt_poll",
        section,
        "bare Redis round trip (raw socket, MGET of 4 keys), polling",
        got.get("rtt_poll"),
    )
    table.add(
        "rtt_sleep",
        section,
        "bare Redis round trip (raw socket, MGET of 4 keys), sleeping in recv()",
        got.get("rtt_sleep"),
    )
    if redis_ok:
        table.add(
            "floor",
            section,
            "pyseto.decode() + bare round trip (polling): no layer at all",
            got["pyseto"] + got["rtt_poll"],
            base="pyseto",
        )
    table.add(
        "auth_db",
        section,
        "ours, database store, revocation on",
        got["auth_db"],
        base="simplejwt",
        target=1.0,
    )
    table.add(
        "auth_off",
        section,
        "ours, revocation off (the work simplejwt does)",
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
        "get_many",
        section,
        "Django cache.get_many() of 4 absent keys on Redis: one round trip",
        got.get("get_many"),
    )


def bench_end_to_end(table: Table, user: Any, redis_ok: bool) -> None:
    from django.test import Client
    from rest_framework_simplejwt.tokens import AccessToken as JWTAccessToken
    from rest_framework_simplejwt.tokens import RefreshToken as JWTRefreshToken

    from drf_paseto.tokens import AccessToken, RefreshToken

    client = Client()
    section = "End to end through Django's test client"
    print(section, file=sys.stderr)
    stores = ["database", *(["cache"] if redis_ok else [])]

    def ok(response: Any) -> bool:
        return bool(response.status_code == 200)

    def get(path: str, header: str) -> Callable[[], Any]:
        return lambda: client.get(path, HTTP_AUTHORIZATION=header)

    def post(path: str, data: Callable[[], dict[str, Any]]) -> Callable[[], Any]:
        def call() -> Any:
            response = client.post(path, data(), content_type="application/json")
            if response.status_code != 200:
                raise AssertionError(f"{path}: {response.status_code} {response.content!r}")
            return response

        return call

    def in_store(store: str, key: str, make: Callable[[], Case]) -> Case:
        with store_settings(store):
            case = make()
        case.key, case.context = key, lambda: store_settings(store)
        return case

    jwt_header = f"Bearer {JWTAccessToken.for_user(user)}"
    paseto_header = f"Bearer {AccessToken.for_user(user)}"
    got = measure_group(
        [
            Case("view_jwt", checked(get("/jwt/protected/", jwt_header), ok)),
            *(
                in_store(
                    store,
                    f"view_{store}",
                    lambda: Case("", checked(get("/protected/", paseto_header), ok)),
                )
                for store in stores
            ),
        ]
    )
    table.add("view_jwt", section, "GET protected view, simplejwt", got["view_jwt"])
    table.add(
        "view_cache",
        section,
        "GET protected view, ours, cache store",
        got.get("view_cache"),
        base="view_jwt",
        target=0.8,
    )
    table.add(
        "view_database",
        section,
        "GET protected view, ours, database store",
        got["view_database"],
        base="view_jwt",
    )

    credentials = {"username": user.get_username(), "password": PASSWORD}
    jwt_supply = Supply(lambda: str(JWTRefreshToken.for_user(user)))
    supplies = {store: Supply(lambda: str(RefreshToken.for_user(user))) for store in stores}
    got = measure_group(
        [
            Case("login_jwt", post("/jwt/login/", lambda: credentials)),
            *(
                in_store(
                    store,
                    f"login_{store}",
                    lambda: Case("", post("/auth/login/", lambda: credentials)),
                )
                for store in stores
            ),
            Case(
                "refresh_jwt",
                post("/jwt/refresh/", lambda: {"refresh": jwt_supply.next()}),
                jwt_supply.prepare,
            ),
            *(
                in_store(
                    store,
                    f"refresh_{store}",
                    lambda s=supplies[store]: Case(
                        "", post("/auth/refresh/", lambda: {"refresh_token": s.next()}), s.prepare
                    ),
                )
                for store in stores
            ),
        ]
    )
    table.add("login_jwt", section, "POST login, simplejwt (TokenObtainPairView)", got["login_jwt"])
    for store in ["database", "cache"]:
        table.add(
            f"login_{store}",
            section,
            f"POST login/, ours, {store} store",
            got.get(f"login_{store}"),
            base="login_jwt",
        )
    table.add(
        "refresh_jwt",
        section,
        "POST refresh, simplejwt, rotation on (no blacklist app)",
        got["refresh_jwt"],
    )
    for store in ["database", "cache"]:
        table.add(
            f"refresh_{store}",
            section,
            f"POST refresh/, ours, {store} store, rotation on (spend, reuse detection)",
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
        token = str(AccessToken.for_user(user))
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
        target=1.15,
    )
    table.add(
        "ours_public_validate",
        section,
        "ours, AccessToken(raw): the same plus every claim check",
        got["ours_public_validate"],
        base="raw_public",
    )


@contextmanager
def denylist_database(database: str) -> Iterator[None]:
    from benchmarks import routing

    previous, routing.DENYLIST_DATABASE = routing.DENYLIST_DATABASE, database
    try:
        yield
    finally:
        routing.DENYLIST_DATABASE = previous


def bench_scale(table: Table, user: Any, redis_ok: bool) -> None:
    """``store.check()`` of a live token against 1 thousand and 1 million entries.

    The two sizes live side by side (two SQLite files, two Redis databases) and are
    measured interleaved; the user is kept in Redis as between two requests.
    """
    from drf_paseto.authentication import PasetoAuthentication
    from drf_paseto.revocation import CacheStore, DatabaseStore
    from drf_paseto.tokens import AccessToken

    section = "Revocation check against store size (a live token: every key looked up)"
    print(section, file=sys.stderr)
    raw = str(AccessToken.for_user(user))
    token = AccessToken(raw)
    small, large = f"{SMALL_STORE:,}", f"{LARGE_STORE:,}"
    database = DatabaseStore()
    cases = []
    for size, db in (("small", "default"), ("large", "large")):
        with denylist_database(db):
            assert not database.check(token).revoked
        cases.append(
            Case(
                f"check_database_{size}",
                lambda: database.check(token),
                context=lambda db=db: denylist_database(db),
            )
        )
    if redis_ok:
        for size, alias in (("small", "redis"), ("large", "redis_large")):
            with store_settings("cache", DENYLIST_CACHE_ALIAS=alias):
                PasetoAuthentication().authenticate_token(raw, "headers")  # keeps the user
                store = CacheStore(alias)
                verdict = store.check(token)
                assert not verdict.revoked
                assert verdict.user is not None
            cases.append(Case(f"check_cache_{size}", lambda s=store: s.check(token)))
    got = measure_group(cases)
    for store in ["database", "cache"]:
        table.add(
            f"check_{store}_small",
            section,
            f"{store} store check(), {small} entries",
            got.get(f"check_{store}_small"),
        )
        table.add(
            f"check_{store}_large",
            section,
            f"{store} store check(), {large} entries",
            got.get(f"check_{store}_large"),
            base=f"check_{store}_small",
            target=1.2,
        )


# --- correctness gates ------------------------------------------------------------------


def correctness_gates(table: Table, sqlite_path: str, redis_ok: bool) -> None:
    """A change made in another process is seen on this process's next request.

    For each store: tokens are authenticated here first (so the cache store keeps the
    users), a subprocess then deactivates one user, deletes one, changes one's password and
    revokes one token; every one of those tokens must now be refused here, and an untouched
    user's token still accepted.
    """
    from rest_framework.exceptions import AuthenticationFailed

    from drf_paseto.authentication import PasetoAuthentication
    from drf_paseto.tokens import AccessToken

    print("Correctness gates", file=sys.stderr)
    auth = PasetoAuthentication()
    for store in ["database", "cache"]:
        if store == "cache" and not redis_ok:
            table.gates.append((f"{store} store", False, "Redis unavailable"))
            continue
        with store_settings(store):
            users = {
                name: make_user(f"gate-{store}-{name}")
                for name in ("deactivate", "delete", "password", "revoke", "control")
            }
            tokens = {name: str(AccessToken.for_user(u)) for name, u in users.items()}
            for token in tokens.values():
                auth.authenticate(drf_request(token))  # accepted, and the user is kept
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

    from drf_paseto.revocation import get_store
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
        get_store().revoke_token(AccessToken(plan["revoke"]))


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

    return (
        f"{cpu}, {os.cpu_count()} CPUs; Python {platform.python_version()}, "
        f"Django {django.get_version()}, DRF {rest_framework.VERSION}, "
        f"pyseto {pyseto.__version__}, simplejwt {rest_framework_simplejwt.__version__}, "
        f"redis-py {redis.__version__}, SQLite file database"
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
                f"bench: no Redis at {settings.REDIS_URL} ({redis_error}): the cache-store "
                "figures cannot be measured and their targets count as missed. "
                'Start one with: eval "$(bash .ci/services.sh)"',
                file=sys.stderr,
            )
        user = make_user("bench")
        for count, database, alias in (
            (SMALL_STORE, "default", "redis"),
            (LARGE_STORE, "large", "redis_large"),
        ):
            print(f"Seeding {count:,} revoked entries in each store", file=sys.stderr)
            seconds = seed_database(count, database)
            print(f"  database (executemany): {seconds:.1f} s", file=sys.stderr)
            if redis_ok:
                seconds = seed_redis(count, alias)
                print(f"  Redis (Lua SET EX, 10 000 a trip): {seconds:.1f} s", file=sys.stderr)

        table = Table()
        bench_authenticate(table, user, redis_ok)
        bench_end_to_end(table, user, redis_ok)
        bench_public(table, user)
        bench_scale(table, user, redis_ok)
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
    failed = table.failed()
    print()
    print("bench: FAIL (a target was missed)" if failed else "bench: all targets met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
