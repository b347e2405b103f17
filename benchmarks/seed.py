"""The benchmark's databases and what is in them (``settings.DATABASES``).

Each engine has three databases: 1 thousand, 100 thousand and 1 million login sessions.
The PostgreSQL ones are created (and dropped at the end) on the server of
``DRF_PASETO_TEST_POSTGRES`` through psycopg; the SQLite ones are files in a temporary
directory. Every database holds the same users with the same primary keys: the benchmark
user, ``OWNERS`` owners of the seeded sessions and, in the 100 thousand one, three users with
10 thousand sessions each (the revocation check of a user with many sessions, and
logout-all).

Sessions are seeded fast, in one statement each: the first is a real login session
(``RefreshToken.for_user``); the others copy its row by ``INSERT ... SELECT`` over
PostgreSQL's ``generate_series`` or a recursive CTE on SQLite, with fresh random ids, 1 in
10 revoked. The columns come from the model's ``_meta`` (Django's public Model ``_meta``
API), so a column added to ``LoginSession`` is copied too. One owner in 20 then logs out
everywhere through ``revocation.revoke_user()``: the cutoffs are written by the package
itself, wherever it keeps them.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from benchmarks import routing
from benchmarks.rows import store_settings

PASSWORD = "bench-password"
BENCH_USER_PK = 1
OWNERS = 1_000  # the users the seeded sessions belong to: primary keys 1000, 1001 ...
OWNER_PK = 1_000
HEAVY_SESSIONS = 10_000  # sessions of each "heavy" user
HEAVY_PKS = (900, 901, 902)  # in the 100 thousand database only


def logged_in(token_class: Any, user: Any) -> Any:
    """A token of ``token_class`` for ``user`` of a new login session, recorded as login/
    records it (minting a token writes nothing)."""
    from drf_paseto import revocation

    token = token_class.for_user(user)
    revocation.start_session(user, token)
    return token


def create_postgres_databases() -> None:
    """Drop and create the benchmark's PostgreSQL databases (before Django starts)."""
    import psycopg
    from psycopg import sql

    from benchmarks import settings

    with psycopg.connect(settings.POSTGRES_URL, autocommit=True) as conn:
        for suffix in settings.SIZES:
            name = sql.Identifier(settings.DATABASE_PREFIX + suffix)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def drop_postgres_databases() -> None:
    import psycopg
    from psycopg import sql

    from benchmarks import settings

    with psycopg.connect(settings.POSTGRES_URL, autocommit=True) as conn:
        for suffix in settings.SIZES:
            name = sql.Identifier(settings.DATABASE_PREFIX + suffix)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def postgres_server_url() -> str:
    from benchmarks import settings

    url = urlsplit(settings.POSTGRES_URL)
    return f"{url.hostname}:{url.port}"


def migrate(alias: str) -> None:
    from django.core.management import call_command
    from django.db import connections

    if connections[alias].vendor == "sqlite":
        with connections[alias].cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
    call_command("migrate", database=alias, verbosity=0, interactive=False)


def users(alias: str, heavy: bool) -> Any:
    """The benchmark user (returned), the owners and (``heavy``) the heavy users."""
    from django.contrib.auth import get_user_model
    from django.core.management.color import no_style
    from django.db import connections

    user_model = get_user_model()
    manager = user_model._default_manager.db_manager(alias)
    user = user_model(pk=BENCH_USER_PK, username="bench", email="bench@example.com")
    user.set_password(PASSWORD)
    others = [user_model(pk=OWNER_PK + i, username=f"owner-{i}") for i in range(OWNERS)]
    if heavy:
        others += [user_model(pk=pk, username=f"heavy-{pk}") for pk in HEAVY_PKS]
    for other in others:
        other.set_unusable_password()
    manager.bulk_create([user, *others])
    # Explicit primary keys leave PostgreSQL's sequence behind: move it, as loaddata does.
    connection = connections[alias]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [user_model]):
            cursor.execute(statement)
    return manager.get(pk=BENCH_USER_PK)


def bench_user(alias: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model()._default_manager.db_manager(alias).get(pk=BENCH_USER_PK)


def sessions(alias: str, count: int, owner_pk: int, owners: int, revoked_every: int) -> str:
    """``count`` login sessions on ``alias``, spread over the ``owners`` users from primary
    key ``owner_pk``; one in ``revoked_every`` revoked (0: none). Returns the first's id."""
    from django.contrib.auth import get_user_model
    from django.db import connections, transaction

    from drf_paseto.models import LoginSession
    from drf_paseto.tokens import RefreshToken

    with routing.use(alias), store_settings("database"):
        owner = get_user_model()._default_manager.get(pk=owner_pk)
        first = logged_in(RefreshToken, owner).session_id
    connection = connections[alias]
    postgres = connection.vendor == "postgresql"
    # %% is the modulo operator once the DB-API has substituted the parameters.
    owner_sql = f"({owner_pk} + n %% {owners})"
    random_hex = (
        "replace(gen_random_uuid()::text, '-', '')" if postgres else "lower(hex(randomblob(16)))"
    )
    overrides = {
        LoginSession._meta.pk.attname: random_hex,
        "user_id": owner_sql,
        "subject": f"CAST({owner_sql} AS TEXT)",
        "refresh_jti": random_hex,
        "generation": "n %% 3",
    }
    if revoked_every:
        revoked = f"n %% {revoked_every} = 0"
        overrides["revoked_at"] = f"CASE WHEN {revoked} THEN t.created_at END"
        overrides["revoked_reason"] = f"CASE WHEN {revoked} THEN 'logout' ELSE '' END"
    quote = connection.ops.quote_name
    fields = LoginSession._meta.concrete_fields
    columns = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(overrides.get(f.attname, f"t.{quote(f.column)}") for f in fields)
    table = quote(LoginSession._meta.db_table)
    pk_column = quote(LoginSession._meta.pk.column)
    if postgres:
        head, series = "", "generate_series(2, %s) AS g(n)"
    else:
        head = "WITH RECURSIVE g(n) AS (SELECT 2 UNION ALL SELECT n + 1 FROM g WHERE n < %s) "
        series = "g"
    statement = (
        f"INSERT INTO {table} ({columns}) {head}"
        f"SELECT {values} FROM {series}, {table} AS t WHERE t.{pk_column} = %s"
        # In key order: the primary key's index is then written left to right, not at random.
        f" ORDER BY {[f.primary_key for f in fields].index(True) + 1}"
    )
    if count > 1:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            if not postgres:  # room for the indexes being written (a page cache of 256 MiB)
                cursor.execute("PRAGMA cache_size = -262144")
            cursor.execute(statement, [count, first])
    return first


def seed(alias: str, size: int, *, heavy: bool) -> tuple[float, float]:
    """Users and ``size`` sessions on ``alias`` (see the module's docstring): the seconds
    the users and sessions took, and then the logouts everywhere."""
    from django.contrib.auth import get_user_model

    from drf_paseto import revocation
    from drf_paseto.models import LoginSession

    began = time.perf_counter()
    users(alias, heavy)
    spread = size - (len(HEAVY_PKS) * HEAVY_SESSIONS if heavy else 0)
    sessions(alias, spread, OWNER_PK, OWNERS, revoked_every=10)
    if heavy:
        for pk in HEAVY_PKS:
            sessions(alias, HEAVY_SESSIONS, pk, 1, revoked_every=0)
    inserted = time.perf_counter()
    owners = get_user_model()._default_manager.filter(pk__gte=OWNER_PK).order_by("pk")
    with routing.use(alias), store_settings("database"):
        for owner in owners[::20]:
            revocation.revoke_user(str(owner.pk), reason="logout_all", user=owner)
    got = LoginSession.objects.using(alias).count()
    if got != size:
        raise AssertionError(f"seeding {alias}: {got} sessions, not {size}")
    return inserted - began, time.perf_counter() - inserted


def peer_tokens(alias: str, user: Any) -> dict[str, str]:
    """The Authorization headers of every package's rows, minted on ``alias``."""
    from knox.models import AuthToken
    from rest_framework.authtoken.models import Token as DRFToken
    from rest_framework_simplejwt.tokens import AccessToken as JWTAccessToken

    from drf_paseto.tokens import AccessToken

    with routing.use(alias):
        _, knox = AuthToken.objects.create(user)
        return {
            "simplejwt": f"Bearer {JWTAccessToken.for_user(user)}",
            "drf": f"Token {DRFToken.objects.create(user=user).key}",
            "knox": f"Token {knox}",
            "paseto": f"Bearer {logged_in(AccessToken, user)}",
        }
