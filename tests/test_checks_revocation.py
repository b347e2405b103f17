"""drf_paseto/checks_revocation.py: E016-E022, E045-E049, W004, W007 and W020, each for
its own mistake.

(tests/test_checks.py covers the other ids; this module adds the revocation ones.)
"""

from __future__ import annotations

from typing import Any
from unittest import mock

from django.conf import settings
from django.core.checks import CheckMessage
from django.test import override_settings

from drf_paseto.checks import check_settings
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
    def messages(self, config: Any, *, deploy: bool = False) -> list[CheckMessage]:
        with override_settings(DRF_PASETO=config):
            # drf_paseto's own check (Django's cache checks would connect to the aliases).
            return check_settings(None)

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
            local(DENYLIST_STORE="cache", DENYLIST_CACHE_ALIAS="shared"),
            local(DENYLIST_STORE="cache", DENYLIST_CACHE_ALIAS="memcached"),
            local(DENYLIST_STORE="drf_paseto.stores.CacheStore", DENYLIST_CACHE_ALIAS="shared"),
            local(DENYLIST_STORE="tests.test_revocation.MemoryStore"),
        ):
            with self.subTest(config=config):
                self.assert_clean(config)

    def test_e016_bools(self) -> None:
        for name in ("DENYLIST_ENABLED", "ROTATE_REFRESH_TOKENS", "REVOKE_ON_PASSWORD_CHANGE"):
            for value in (1, "true", None):
                with self.subTest(name=name, value=value):
                    config = local(**{name: value})
                    if name == "ROTATE_REFRESH_TOKENS":
                        config["DENYLIST_ENABLED"] = True
                    message = self.assert_only(config, "drf_paseto.E016")
                    self.assertIn(name, message.msg)

    def test_e017_token_checks(self) -> None:
        for value in ("access", ["access", "id"], [1], None, {"access": True}):
            with self.subTest(value=value):
                self.assert_only(local(DENYLIST_TOKEN_CHECKS=value), "drf_paseto.E017")

    def test_w007_refresh_tokens_left_unchecked(self) -> None:
        for value in ((), ["access"]):
            with self.subTest(value=value):
                self.assert_only(
                    local(DENYLIST_ENABLED=True, DENYLIST_TOKEN_CHECKS=value), "drf_paseto.W007"
                )
        self.assert_clean(local(DENYLIST_TOKEN_CHECKS=["access"]))  # denylist off: moot

    def test_cache_store_subclasses_get_the_cache_checks(self) -> None:
        self.assert_only(
            local(DENYLIST_STORE="drf_paseto.stores.CacheStore", DENYLIST_CACHE_ALIAS="nope"),
            "drf_paseto.E021",
        )

    def test_the_settings_of_the_old_cache_path_are_gone(self) -> None:
        for name in ("USER_CACHE_TIMEOUT", "DENYLIST_CACHE_SPIN_MICROSECONDS"):
            with self.subTest(name=name):
                message = self.assert_only(local(**{name: 60}), "drf_paseto.E002")
                self.assertIn(name, message.msg)

    def test_e045_redis_url(self) -> None:
        for value in (None, "", "http://h:6379/0", 5, "127.0.0.1:6379"):
            with self.subTest(value=value):
                config = local(DENYLIST_STORE="redis", DENYLIST_REDIS_URL=value)
                message = self.assert_only(config, "drf_paseto.E045")
                self.assertNotIn(str(value) or "<empty>", message.msg.replace("redis://", ""))

    def test_e046_redis_py_missing(self) -> None:
        config = local(DENYLIST_STORE="redis", DENYLIST_REDIS_URL=REDIS_URL)
        with mock.patch("drf_paseto.checks_revocation.importlib.util.find_spec", return_value=None):
            self.assert_only(config, "drf_paseto.E046")

    def test_e047_redis_key_prefix(self) -> None:
        for value in ("", "a{b}", "with space", None, 5):
            with self.subTest(value=value):
                config = local(
                    DENYLIST_STORE="redis",
                    DENYLIST_REDIS_URL=REDIS_URL,
                    DENYLIST_REDIS_KEY_PREFIX=value,
                )
                self.assert_only(config, "drf_paseto.E047")

    def test_cluster_and_sentinel(self) -> None:
        nodes = ["redis://10.0.0.1:6379", "rediss://u:p@10.0.0.2:6380"]
        for mode in ("cluster", "sentinel"):
            for url in (REDIS_URL, nodes):
                with self.subTest(mode=mode, url=url):
                    config = local(
                        DENYLIST_STORE="redis", DENYLIST_REDIS_URL=url, DENYLIST_REDIS_MODE=mode
                    )
                    self.assert_clean(config)

    def test_e068_redis_mode(self) -> None:
        for value in ("Cluster", None, "replica"):
            with self.subTest(value=value):
                config = local(
                    DENYLIST_STORE="redis", DENYLIST_REDIS_URL=REDIS_URL, DENYLIST_REDIS_MODE=value
                )
                self.assert_only(config, "drf_paseto.E068")

    def test_e069_node_urls(self) -> None:
        for value in ([], ["http://h:1"], ["redis://h:1", 5], ["unix:///run/redis.sock"]):
            with self.subTest(value=value):
                config = local(
                    DENYLIST_STORE="redis", DENYLIST_REDIS_URL=value, DENYLIST_REDIS_MODE="cluster"
                )
                self.assert_only(config, "drf_paseto.E069")
        config = local(DENYLIST_STORE="redis", DENYLIST_REDIS_URL=["redis://h:1"])
        self.assert_only(config, "drf_paseto.E045")  # a list is for cluster and sentinel only

    def test_e070_sentinel_master(self) -> None:
        for value in ("", None):
            with self.subTest(value=value):
                config = local(
                    DENYLIST_STORE="redis",
                    DENYLIST_REDIS_URL=REDIS_URL,
                    DENYLIST_REDIS_MODE="sentinel",
                    DENYLIST_REDIS_SENTINEL_MASTER=value,
                )
                self.assert_only(config, "drf_paseto.E070")

    def test_e048_process_local_cache(self) -> None:
        config = local(DENYLIST_STORE="cache", DENYLIST_CACHE_ALIAS="default")
        self.assertIn("'default'", self.assert_only(config, "drf_paseto.E048").msg)
        # The default alias is "default" (LocMemCache in these tests).
        self.assert_only(local(DENYLIST_STORE="cache"), "drf_paseto.E048")

    def test_e049_redis_cache_with_replicas(self) -> None:
        for location in ("redis://a:1/0,redis://b:1/0", ["redis://a:1/0", "redis://b:1/0"]):
            with self.subTest(location=location):
                caches = {**CACHES, "replicated": {**REDIS, "LOCATION": location}}
                with override_settings(CACHES=caches):
                    config = local(DENYLIST_STORE="cache", DENYLIST_CACHE_ALIAS="replicated")
                    self.assert_only(config, "drf_paseto.E049")

    def test_w020_a_user_id_field_that_can_change_hands(self) -> None:
        message = self.assert_only(local(USER_ID_FIELD="username"), "drf_paseto.W020")
        self.assertIn("username", message.msg)
        for config in (
            local(USER_ID_FIELD="username", DENYLIST_ENABLED=True),
            local(USER_ID_FIELD="pk"),
            local(USER_ID_FIELD="id"),
        ):
            with self.subTest(config=config):
                self.assert_clean(config)

    def test_e019_rotation_needs_the_denylist(self) -> None:
        self.assert_only(local(ROTATE_REFRESH_TOKENS=True), "drf_paseto.E019")
        self.assert_only(
            local(ROTATE_REFRESH_TOKENS=True, DENYLIST_ENABLED=False), "drf_paseto.E019"
        )

    def test_e020_store(self) -> None:
        for value in (
            "memcached",
            "drf_paseto.revocation.Nothing",
            "tests.test_checks_revocation.NotAStore",
            "drf_paseto.stores.SessionState",
            "drf_paseto.clock.longest_lifetime",
            None,
            ["database"],
        ):
            with self.subTest(value=value):
                message = self.assert_only(local(DENYLIST_STORE=value), "drf_paseto.E020")
                self.assertIn(repr(value), message.msg)

    def test_e021_cache_alias(self) -> None:
        for value in ("nope", None, 1):
            with self.subTest(value=value):
                config = local(DENYLIST_STORE="cache", DENYLIST_CACHE_ALIAS=value)
                self.assert_only(config, "drf_paseto.E021")

    def test_e022_dummy_cache(self) -> None:
        config = local(DENYLIST_STORE="cache", DENYLIST_CACHE_ALIAS="dummy")
        self.assertIn("'dummy'", self.assert_only(config, "drf_paseto.E022").msg)

    def test_w004_machine_local_cache(self) -> None:
        config = local(DENYLIST_STORE="cache", DENYLIST_CACHE_ALIAS="files")
        self.assertIn("'files'", self.assert_only(config, "drf_paseto.W004").msg)

    def test_several_at_once(self) -> None:
        config = local(
            DENYLIST_ENABLED="yes",
            ROTATE_REFRESH_TOKENS=True,
            DENYLIST_TOKEN_CHECKS="refresh",
            DENYLIST_STORE="cache",
            DENYLIST_CACHE_ALIAS="dummy",
        )
        self.assertEqual(
            [m.id for m in self.messages(config)],
            [
                "drf_paseto.E016",
                "drf_paseto.E017",
                "drf_paseto.E019",
                "drf_paseto.E022",
            ],
        )
