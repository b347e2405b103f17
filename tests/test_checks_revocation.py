"""drf_paseto.checks._check_revocation: E016-E022, E036 and W004, each for its own mistake.

(tests/test_checks.py covers the other ids; this module adds the revocation ones.)
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage
from django.test import override_settings

from drf_paseto.checks import check_settings
from tests.helpers import CheckTestCase, local

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
            local(DENYLIST_ENABLED=True, USER_CACHE_TIMEOUT=0),
            local(DENYLIST_CACHE_SPIN_MICROSECONDS=0),
            local(DENYLIST_CACHE_SPIN_MICROSECONDS=10_000),
            local(DENYLIST_ENABLED=True, REVOKE_ON_PASSWORD_CHANGE=False),
            local(DENYLIST_ENABLED=True, DENYLIST_STORE="database"),
            local(DENYLIST_STORE="cache", DENYLIST_CACHE_ALIAS="shared"),
            local(DENYLIST_STORE="cache", DENYLIST_CACHE_ALIAS="memcached"),
            local(DENYLIST_STORE="drf_paseto.revocation.CacheStore", DENYLIST_CACHE_ALIAS="shared"),
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
            local(DENYLIST_STORE="drf_paseto.revocation.CacheStore", DENYLIST_CACHE_ALIAS="nope"),
            "drf_paseto.E021",
        )

    def test_e018_user_cache_timeout(self) -> None:
        for value in (-1, 1.5, "60", True, None):
            with self.subTest(value=value):
                self.assert_only(local(USER_CACHE_TIMEOUT=value), "drf_paseto.E018")

    def test_e036_spin_microseconds(self) -> None:
        for value in (-1, 10_001, 50.0, "100", True, None):
            with self.subTest(value=value):
                message = self.assert_only(
                    local(DENYLIST_CACHE_SPIN_MICROSECONDS=value), "drf_paseto.E036"
                )
                self.assertIn("DENYLIST_CACHE_SPIN_MICROSECONDS", message.msg)

    def test_e019_rotation_needs_the_denylist(self) -> None:
        self.assert_only(local(ROTATE_REFRESH_TOKENS=True), "drf_paseto.E019")
        self.assert_only(
            local(ROTATE_REFRESH_TOKENS=True, DENYLIST_ENABLED=False), "drf_paseto.E019"
        )

    def test_e020_store(self) -> None:
        for value in (
            "redis",
            "drf_paseto.revocation.Nothing",
            "tests.test_checks_revocation.NotAStore",
            "drf_paseto.revocation.Verdict",
            "drf_paseto.revocation.longest_lifetime",
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

    def test_w004_process_local_cache(self) -> None:
        for alias in ("default", "files"):
            with self.subTest(alias=alias):
                config = local(DENYLIST_STORE="cache", DENYLIST_CACHE_ALIAS=alias)
                self.assertIn(repr(alias), self.assert_only(config, "drf_paseto.W004").msg)
        # The default alias is "default" (LocMemCache in these tests).
        self.assert_only(local(DENYLIST_STORE="cache"), "drf_paseto.W004")

    def test_several_at_once(self) -> None:
        config = local(
            DENYLIST_ENABLED="yes",
            ROTATE_REFRESH_TOKENS=True,
            DENYLIST_TOKEN_CHECKS="refresh",
            USER_CACHE_TIMEOUT=-5,
            DENYLIST_STORE="cache",
            DENYLIST_CACHE_ALIAS="dummy",
        )
        self.assertEqual(
            [m.id for m in self.messages(config)],
            [
                "drf_paseto.E016",
                "drf_paseto.E017",
                "drf_paseto.E018",
                "drf_paseto.E019",
                "drf_paseto.E022",
            ],
        )
