"""drf_paseto/checks/revocation.py: E003, E004, E006-E008, W006, W007, W011 and W012, each for
its own mistake.

(tests/test_checks.py covers the other ids; this module adds the revocation ones.)
"""

from __future__ import annotations

from typing import Any
from unittest import mock

from django.conf import settings
from django.test import override_settings

from tests.helpers import CheckTestCase, local

REDIS_URL = "redis://127.0.0.1:6379/0"
REDIS = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x:1/0"}
MEMCACHED = {
    "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
    "LOCATION": "127.0.0.1:11211",
}
FILES = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": "/tmp/x"}
CACHES = {**settings.CACHES, "shared": REDIS, "memcached": MEMCACHED, "files": FILES}


class NotAStore:
    """Importable, but not a RevocationStore."""


@override_settings(CACHES=CACHES)
class RevocationCheckTests(CheckTestCase):
    def test_valid_configurations(self) -> None:
        for config in (
            local(),
            local(DENYLIST_ENABLED=True),
            local(DENYLIST_ENABLED=True, ROTATE_REFRESH_TOKENS=True),
            local(DENYLIST_ENABLED=True, DENYLIST_TOKEN_CHECKS=["refresh"]),
            local(DENYLIST_ENABLED=True, DENYLIST_TOKEN_CHECKS={"access", "refresh"}),
            local(DENYLIST_ENABLED=True, DENYLIST_STORE="redis", DENYLIST_REDIS_URL=REDIS_URL),
            local(DENYLIST_STORE="redis", DENYLIST_REDIS_URL="rediss://h:6380/2"),
            local(DENYLIST_STORE="redis", DENYLIST_REDIS_URL="unix:///run/redis.sock"),
            local(
                DENYLIST_STORE="drf_paseto.stores.RedisStore",
                DENYLIST_REDIS_URL=REDIS_URL,
                DENYLIST_REDIS_KEY_PREFIX="app1",
            ),
            local(DENYLIST_ENABLED=True, USER_ID_FIELD="username"),
            local(DENYLIST_ENABLED=True, REVOKE_ON_PASSWORD_CHANGE=False),
            local(DENYLIST_ENABLED=True, DENYLIST_STORE="database"),
            local(DENYLIST_STORE="cache", CACHE_ALIAS="shared"),
            local(DENYLIST_STORE="cache", CACHE_ALIAS="memcached"),
            local(DENYLIST_STORE="drf_paseto.stores.CacheStore", CACHE_ALIAS="shared"),
            local(DENYLIST_STORE="tests.test_revocation.MemoryStore"),
        ):
            with self.subTest(config=config):
                self.assert_clean(config)

    def test_bools(self) -> None:
        for name in ("DENYLIST_ENABLED", "ROTATE_REFRESH_TOKENS", "REVOKE_ON_PASSWORD_CHANGE"):
            for value in (1, "true", None):
                with self.subTest(name=name, value=value):
                    config = local(**{name: value})
                    if name == "ROTATE_REFRESH_TOKENS":
                        config["DENYLIST_ENABLED"] = True
                    message = self.assert_only(config, "drf_paseto.E003")
                    self.assertIn(name, message.msg)

    def test_token_checks(self) -> None:
        for value in ("access", ["access", "id"], [1], None, {"access": True}):
            with self.subTest(value=value):
                self.assert_only(local(DENYLIST_TOKEN_CHECKS=value), "drf_paseto.E003")

    def test_refresh_tokens_left_unchecked(self) -> None:
        for value in ((), ["access"]):
            with self.subTest(value=value):
                self.assert_only(
                    local(DENYLIST_ENABLED=True, DENYLIST_TOKEN_CHECKS=value), "drf_paseto.W007"
                )
        self.assert_clean(local(DENYLIST_TOKEN_CHECKS=["access"]))  # denylist off: moot

    def test_cache_store_subclasses_get_the_cache_checks(self) -> None:
        self.assert_only(
            local(DENYLIST_STORE="drf_paseto.stores.CacheStore", CACHE_ALIAS="nope"),
            "drf_paseto.E004",
        )

    def test_the_settings_of_the_old_cache_path_are_gone(self) -> None:
        for name in ("USER_CACHE_TIMEOUT", "DENYLIST_CACHE_SPIN_MICROSECONDS"):
            with self.subTest(name=name):
                message = self.assert_only(local(**{name: 60}), "drf_paseto.E001")
                self.assertIn(name, message.msg)

    def test_redis_url(self) -> None:
        for value in (None, "", "http://h:6379/0", 5, "127.0.0.1:6379"):
            with self.subTest(value=value):
                config = local(DENYLIST_STORE="redis", DENYLIST_REDIS_URL=value)
                message = self.assert_only(config, "drf_paseto.E003")
                self.assertNotIn(str(value) or "<empty>", message.msg.replace("redis://", ""))

    def test_redis_py_missing(self) -> None:
        config = local(DENYLIST_STORE="redis", DENYLIST_REDIS_URL=REDIS_URL)
        with mock.patch("drf_paseto.checks.revocation.importlib.util.find_spec", return_value=None):
            message = self.assert_only(config, "drf_paseto.E007")
        # What the redis extra installs: the package itself is not published yet (#22 item 1).
        self.assertIn("pip install 'redis[hiredis]>=5'", message.hint or "")

    def test_redis_key_prefix(self) -> None:
        for value in ("", "a{b}", "with space", None, 5):
            with self.subTest(value=value):
                config = local(
                    DENYLIST_STORE="redis",
                    DENYLIST_REDIS_URL=REDIS_URL,
                    DENYLIST_REDIS_KEY_PREFIX=value,
                )
                self.assert_only(config, "drf_paseto.E003")

    def test_node_urls(self) -> None:
        for value in ([], ["http://h:1"], ["redis://h:1", 5]):
            with self.subTest(value=value):
                config = local(DENYLIST_STORE="redis", DENYLIST_REDIS_URL=value)
                self.assert_only(config, "drf_paseto.E003")
        nodes = ["redis://10.0.0.1:6379", "rediss://u:p@10.0.0.2:6380"]
        self.assert_clean(local(DENYLIST_STORE="redis", DENYLIST_REDIS_URL=nodes))

    def test_process_local_cache(self) -> None:
        config = local(DENYLIST_STORE="cache", CACHE_ALIAS="default")
        self.assertIn("'default'", self.assert_only(config, "drf_paseto.E008").msg)
        # The default alias is "default" (LocMemCache in these tests).
        self.assert_only(local(DENYLIST_STORE="cache"), "drf_paseto.E008")

    def test_redis_cache_with_replicas(self) -> None:
        for location in ("redis://a:1/0,redis://b:1/0", ["redis://a:1/0", "redis://b:1/0"]):
            with self.subTest(location=location):
                caches = {**CACHES, "replicated": {**REDIS, "LOCATION": location}}
                with override_settings(CACHES=caches):
                    config = local(DENYLIST_STORE="cache", CACHE_ALIAS="replicated")
                    self.assert_only(config, "drf_paseto.E008")

    def test_a_user_id_field_that_can_change_hands(self) -> None:
        message = self.assert_only(local(USER_ID_FIELD="username"), "drf_paseto.W011")
        self.assertIn("username", message.msg)
        for config in (
            local(USER_ID_FIELD="username", DENYLIST_ENABLED=True),
            local(USER_ID_FIELD="pk"),
            local(USER_ID_FIELD="id"),
        ):
            with self.subTest(config=config):
                self.assert_clean(config)

    def test_rotation_needs_the_denylist(self) -> None:
        self.assert_only(local(ROTATE_REFRESH_TOKENS=True), "drf_paseto.E006")
        self.assert_only(
            local(ROTATE_REFRESH_TOKENS=True, DENYLIST_ENABLED=False), "drf_paseto.E006"
        )

    def test_store(self) -> None:
        for value in (
            "memcached",
            "drf_paseto.revocation.Nothing",
            "tests.test_checks_revocation.NotAStore",
            "drf_paseto.stores.SessionState",
            "drf_paseto.clock._longest_lifetime",
            None,
            ["database"],
        ):
            with self.subTest(value=value):
                message = self.assert_only(local(DENYLIST_STORE=value), "drf_paseto.E004")
                self.assertIn(repr(value), message.msg)

    def test_cache_alias(self) -> None:
        for value in ("nope", None, 1):
            with self.subTest(value=value):
                config = local(DENYLIST_STORE="cache", CACHE_ALIAS=value)
                self.assert_only(config, "drf_paseto.E004")

    def test_dummy_cache(self) -> None:
        config = local(DENYLIST_STORE="cache", CACHE_ALIAS="dummy")
        self.assertIn("'dummy'", self.assert_only(config, "drf_paseto.E008").msg)

    def test_machine_local_cache(self) -> None:
        config = local(DENYLIST_STORE="cache", CACHE_ALIAS="files")
        self.assertIn("'files'", self.assert_only(config, "drf_paseto.W006").msg)

    def test_several_at_once(self) -> None:
        config = local(
            DENYLIST_ENABLED="yes",
            ROTATE_REFRESH_TOKENS=True,
            DENYLIST_TOKEN_CHECKS="refresh",
            DENYLIST_STORE="cache",
            CACHE_ALIAS="dummy",
        )
        self.assertEqual(
            [m.id for m in self.messages(config)],
            [
                "drf_paseto.E003",
                "drf_paseto.E003",
                "drf_paseto.E006",
                "drf_paseto.E008",
            ],
        )


class VerifyOnlyStoreTests(CheckTestCase):
    """#22 item 5: a verify-only service with the issuer's "redis" store refused every live
    token as token_revoked, with nothing saying why."""

    def follower(self, **settings: Any) -> dict[str, Any]:
        return {
            "PURPOSE": "public",
            "KEYS_URL": "https://auth.example.com/auth/keys/",
            "DENYLIST_ENABLED": True,
            "DENYLIST_REDIS_URL": REDIS_URL,
            **settings,
        }

    def test_w012_for_the_issuers_redis_store_on_a_follower(self) -> None:
        message = self.assert_only(self.follower(DENYLIST_STORE="redis"), "drf_paseto.W012")
        self.assertIn("token_revoked", message.msg)
        self.assertIn("SharedRedisStore", message.hint or "")

    def test_w012_for_the_redis_store_by_its_dotted_path_too(self) -> None:
        dotted = self.follower(DENYLIST_STORE="drf_paseto.stores.redis.RedisStore")
        self.assert_only(dotted, "drf_paseto.W012")

    def test_the_documented_stores_are_clean(self) -> None:
        shared = "drf_paseto.stores.verify_only.SharedRedisStore"
        self.assert_clean(
            self.follower(
                DENYLIST_STORE=shared, INTROSPECT_URL="https://auth.example.com/introspect/"
            )
        )
        # The issuer itself (no KEYS_URL) with the "redis" store.
        self.assert_clean(
            local(DENYLIST_ENABLED=True, DENYLIST_STORE="redis", DENYLIST_REDIS_URL=REDIS_URL)
        )
