"""Many services, as real servers: the example project as the issuer, and
example_project/resource_settings.py as a resource service that follows the issuer's keys
(KEYS_URL) and reads its revocations from a shared Redis (SharedRedisStore)."""

from __future__ import annotations

import time
from typing import Any
from unittest import skipUnless

from django.test import SimpleTestCase, tag

from tests import keys
from tests.live_server import ExampleProjectServer, PrivateRedis, Reply, redis_server_path

SECRET = "a-test-introspection-secret-0123456789-abcdef"


@tag("servers")
@skipUnless(redis_server_path(), "redis-server is not installed")
class IssuerAndResourceServiceTests(SimpleTestCase):
    redis: PrivateRedis
    issuer: ExampleProjectServer
    resource: ExampleProjectServer

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.redis = PrivateRedis().start()
        cls.addClassCleanup(cls.redis.cleanup)
        shared = {"PASETO_DENYLIST_REDIS_URL": cls.redis.url()}
        cls.issuer = ExampleProjectServer(
            env={
                "PASETO_PURPOSE": "public",
                "PASETO_PRIVATE_KEY": keys.SECRET_V4_1,
                "PASETO_DENYLIST_STORE": "redis",
                "PASETO_INTROSPECT_CLIENT_SECRETS": f"resource={SECRET}",
                **shared,
            }
        ).start()
        cls.addClassCleanup(cls.issuer.stop)
        cls.resource = ExampleProjectServer(
            prepare=False,
            env={
                "DJANGO_SETTINGS_MODULE": "example_project.resource_settings",
                "PASETO_ISSUER_URL": cls.issuer.base,
                "PASETO_INTROSPECT_SECRET": SECRET,
                **shared,
            },
        ).start()
        cls.addClassCleanup(cls.resource.stop)

    def login(self) -> dict[str, str]:
        reply = self.issuer.client.call(
            "POST", "/login/", body={"username": "test", "password": "test"}
        )
        self.assertEqual(reply.status, 200, f"{reply}\n{self.issuer.log_tail()}")
        return dict(reply.body)

    def orders(self, token: str) -> Reply:
        return self.resource.client.call("GET", "/orders/", token)

    def assertAccepted(self, token: str) -> None:
        reply = self.orders(token)
        self.assertEqual(reply.status, 200, f"{reply}\n{self.resource.log_tail()}")
        self.assertEqual(reply.body["service"], "resource")

    def test_tokens_rotation_issuer_down_and_logout(self) -> None:
        # Tokens issued by one are accepted by the other.
        first = self.login()
        self.assertAccepted(first["access_token"])
        reply = self.orders(first["refresh_token"])
        self.assertEqual((reply.status, reply.code), (401, "token_wrong_type"))

        # A rotation on the issuer is picked up: the new key current, the old one retired.
        self.issuer.restart(
            PASETO_PRIVATE_KEY=keys.SECRET_V4_2, PASETO_RETIRED_KEYS=keys.SECRET_V4_1
        )
        second = self.login()
        self.assertAccepted(second["access_token"])  # an unknown kid: keys/ fetched again
        self.assertAccepted(first["access_token"])  # the retired key still verifies

        # The issuer down: the service goes on with its cached keys (and the Redis copy).
        self.issuer.halt()
        self.assertAccepted(second["access_token"])
        self.assertAccepted(first["access_token"])
        self.issuer.restart()

        # A logout on the issuer is refused by the service, within a second.
        reply = self.issuer.client.call("POST", "/logout/", second["access_token"])
        self.assertEqual(reply.status, 204, f"{reply}\n{self.issuer.log_tail()}")
        started = time.monotonic()
        reply = self.orders(second["access_token"])
        self.assertEqual((reply.status, reply.code), (401, "token_revoked"), str(reply))
        self.assertLess(time.monotonic() - started, 1.0)
        self.assertAccepted(first["access_token"])  # another session: untouched

    def test_the_resource_service_cannot_log_out_or_log_in(self) -> None:
        for path in ("/login/", "/logout/"):
            reply: Any = self.resource.client.call("POST", path, None, {})
            self.assertEqual(reply.status, 404, str(reply))
