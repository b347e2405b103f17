"""``revocation.acheck()`` and the stores' ``aread_token()`` on every store leg: the same
verdicts as ``check()``, and where the I/O runs (docs/async.md)."""

from __future__ import annotations

import asyncio
from typing import Any

from asgiref.sync import sync_to_async

from drf_paseto import clock, revocation, signals
from drf_paseto.exceptions import StoreUnavailable
from drf_paseto.models import LoginSession
from drf_paseto.stores import RedisStore
from drf_paseto.stores.redis import redis_client as package_redis_client
from drf_paseto.testing import tokens_for
from drf_paseto.tokens import AccessToken, RefreshToken
from tests.helpers import (
    DEAD_REDIS_URL,
    DatabaseLeg,
    LocMemCacheLeg,
    RedisCacheLeg,
    RedisClusterLeg,
    RedisLeg,
    RedisSentinelLeg,
    TokenAPITestCase,
    raises_code,
    redis_client,
    thread_hops,
)


def plain_factory() -> Any:
    """A project's own ``DENYLIST_REDIS_CLIENT``: it builds no async client."""
    return package_redis_client()


class AsyncCheckTests:
    """What every leg must answer: ``acheck()`` agrees with ``check()``."""

    user: Any

    async def login(self) -> tuple[AccessToken, RefreshToken]:
        pair = await sync_to_async(tokens_for)(self.user)
        return AccessToken(pair["access_token"]), RefreshToken(pair["refresh_token"])

    async def test_a_live_session_is_accepted_as_check_accepts_it(self) -> None:
        access, refresh = await self.login()
        for token in (access, refresh, access):  # a miss, then (with a copy) a hit
            state = await revocation.acheck(token)
            self.assertEqual(state, await sync_to_async(revocation.check)(token))  # type: ignore[attr-defined]
            self.assertEqual(state.subject, str(self.user.pk))  # type: ignore[attr-defined]

    async def test_a_logged_out_session_is_refused(self) -> None:
        access, refresh = await self.login()
        await revocation.acheck(access)  # a copy, where the leg keeps one
        await sync_to_async(revocation.revoke_session)(
            access.session_id, access.subject, reason="logout"
        )
        for token in (access, refresh):
            with raises_code(self, "token_revoked"):  # type: ignore[arg-type]
                await revocation.acheck(token)

    async def test_logout_everywhere_refuses_every_session(self) -> None:
        first, _ = await self.login()
        second, _ = await self.login()
        await revocation.acheck(first)
        await sync_to_async(revocation.revoke_user)(first.subject, reason="logout_all")
        for token in (first, second):
            with raises_code(self, "token_revoked"):  # type: ignore[arg-type]
                await revocation.acheck(token)
        again, _ = await self.login()  # a new login works at once
        await revocation.acheck(again)

    async def test_an_unknown_session_is_refused(self) -> None:
        token = AccessToken.for_user(self.user)  # never recorded
        with raises_code(self, "token_revoked"):  # type: ignore[arg-type]
            await revocation.acheck(token)

    async def test_a_spent_refresh_token_revokes_its_session(self) -> None:
        access, refresh = await self.login()
        state = await revocation.acheck(refresh)
        store = revocation.get_store()
        rotated = await sync_to_async(store.refresh_session)(
            state,
            refresh.session_id,
            used_at=clock.current_time(),
            expires_at=refresh.expires_at,
            rotate_to="a-newer-refresh-token",
        )
        self.assertTrue(rotated)  # type: ignore[attr-defined]
        reported: list[Any] = []

        def receiver(**kwargs: Any) -> None:
            reported.append(kwargs["session_id"])

        signals.token_reuse_detected.connect(receiver)
        try:
            with raises_code(self, "token_reused"):  # type: ignore[arg-type]
                await revocation.acheck(refresh)
        finally:
            signals.token_reuse_detected.disconnect(receiver)
        self.assertEqual(reported, [refresh.session_id])  # type: ignore[attr-defined]
        with raises_code(self, "token_revoked"):  # type: ignore[arg-type]
            await revocation.acheck(access)  # the whole session is over

    async def test_the_store_is_read_in_at_most_one_thread_hop(self) -> None:
        access, _ = await self.login()
        for _ in range(2):  # a miss, then a hit
            with thread_hops() as hops:
                await revocation.acheck(access)
            self.assertLessEqual(len(hops), 1, hops)  # type: ignore[attr-defined]


class DatabaseStoreAsyncTests(DatabaseLeg, AsyncCheckTests, TokenAPITestCase):
    pass


class LocMemCacheStoreAsyncTests(LocMemCacheLeg, AsyncCheckTests, TokenAPITestCase):
    pass


class RedisCacheStoreAsyncTests(RedisCacheLeg, AsyncCheckTests, TokenAPITestCase):
    pass


class AsyncRedisCopyTests(AsyncCheckTests):
    """The Redis store reads its copy through ``redis.asyncio``, on the loop, whatever the
    topology (one server, a cluster, the master a Sentinel names)."""

    async def test_a_copy_is_read_on_the_loop_without_a_thread(self) -> None:
        access, _ = await self.login()
        test: Any = self
        with thread_hops() as hops:
            await revocation.acheck(access)  # a miss: the database and the refill, one hop
        test.assertEqual(hops, ["drf_paseto.stores.mirrored.MirroredStore.read_through"])
        with thread_hops() as hops:
            await revocation.acheck(access)  # the copy: redis.asyncio
        test.assertEqual(hops, [])


class RedisClusterStoreAsyncTests(RedisClusterLeg, AsyncRedisCopyTests, TokenAPITestCase):
    pass


class RedisSentinelStoreAsyncTests(RedisSentinelLeg, AsyncRedisCopyTests, TokenAPITestCase):
    pass


class RedisStoreAsyncTests(RedisLeg, AsyncRedisCopyTests, TokenAPITestCase):
    async def test_a_redis_that_is_away_fails_closed_as_the_sync_check_does(self) -> None:
        access, _ = await self.login()
        away = self.paseto(DENYLIST_REDIS_URL=DEAD_REDIS_URL, DENYLIST_REDIS_KEY_PREFIX="x")
        with away, self.assertLogs("drf_paseto", "ERROR") as logs:
            with self.assertRaises(StoreUnavailable):
                await revocation.acheck(access)
            with self.assertRaises(StoreUnavailable):
                await sync_to_async(revocation.check)(access)
        self.assertIn("ConnectionError", logs.output[0])

    async def test_a_copy_stamped_by_another_server_is_not_trusted(self) -> None:
        access, _ = await self.login()
        await revocation.acheck(access)  # the copy is written
        # The session is revoked behind the copy's back, and the copy restamped as if a
        # Redis restored from an old snapshot held it.
        await LoginSession.objects.filter(pk=access.session_id).aupdate(
            revoked_at=clock.current_time()
        )
        store = revocation.get_store()
        assert isinstance(store, RedisStore)
        key = store.copies.session_key(access.session_id, access.subject)
        raw = redis_client()
        try:
            stamped = raw.get(key)
            raw.set(key, "0" * 40 + "/" + stamped.split("/", 1)[1])
        finally:
            raw.close()
        with raises_code(self, "token_revoked"):
            await revocation.acheck(access)

    async def test_a_project_factory_without_asyncio_reads_in_one_hop(self) -> None:
        with self.paseto(DENYLIST_REDIS_CLIENT="tests.test_revocation_async.plain_factory"):
            access, _ = await self.login()
            await revocation.acheck(access)
            with thread_hops() as hops:
                await revocation.acheck(access)
            self.assertEqual(len(hops), 1, hops)

    def test_each_event_loop_has_its_own_client(self) -> None:
        pair = tokens_for(self.user)
        access = AccessToken(pair["access_token"])
        revocation.check(access)  # the copy is written: the loops below read only Redis
        store = revocation.get_store()
        assert isinstance(store, RedisStore)
        clients = []

        async def read() -> None:
            await revocation.acheck(access)
            kept = store.copies.async_client()
            assert kept is not None
            clients.append(kept[0])
            await kept[0].aclose()

        asyncio.run(read())
        asyncio.run(read())  # a client bound to the first, closed loop would fail here
        self.assertIsNot(clients[0], clients[1])
