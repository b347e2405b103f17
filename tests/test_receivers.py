"""drf_paseto/receivers.py: user saves and deletes, and what they do to the revocation store."""

from __future__ import annotations

from typing import Any
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db.models.signals import post_delete, post_save
from django.test import TestCase, override_settings

from drf_paseto import receivers, signals
from drf_paseto.models import DenylistEntry
from drf_paseto.revocation import KEY_PREFIX
from tests.keys import LOCAL_V4_1
from tests.test_views import PASSWORD, USERNAME, paseto_settings

ON = {"DENYLIST_ENABLED": True}


class FastPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Preferred over MD5 in one test, so that checking a password upgrades its hash."""

    iterations = 1


class ReceiverTestCase(TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
        self.revoked: list[dict[str, Any]] = []

        def record(**kwargs: Any) -> None:
            self.revoked.append(kwargs)

        signals.token_revoked.connect(record, weak=False, dispatch_uid="test_receivers")
        self.addCleanup(signals.token_revoked.disconnect, dispatch_uid="test_receivers")

    def user_cutoffs(self) -> list[Any]:
        return list(DenylistEntry.objects.filter(kind="user").values_list("subject", flat=True))


class ConnectionTests(TestCase):
    def test_connected_to_the_user_model(self) -> None:
        user_model = get_user_model()
        self.assertTrue(post_save.has_listeners(user_model))
        self.assertTrue(post_delete.has_listeners(user_model))
        # Connected once, under a dispatch_uid: a second ready() adds nothing.
        saved = [r for r in post_save.receivers if r[0][0] == "drf_paseto.user_saved"]
        deleted = [r for r in post_delete.receivers if r[0][0] == "drf_paseto.user_deleted"]
        self.assertEqual((len(saved), len(deleted)), (1, 1))

    def test_ready_is_idempotent(self) -> None:
        from django.apps import apps

        before = len(post_save.receivers)
        apps.get_app_config("drf_paseto").ready()
        self.assertEqual(len(post_save.receivers), before)


class PasswordChangeTests(ReceiverTestCase):
    def test_password_change_revokes_the_users_tokens(self) -> None:
        with paseto_settings(**ON):
            self.user.set_password("another-password-1")
            self.user.save()
        row = DenylistEntry.objects.get()
        self.assertEqual((row.key, row.kind), (f"user:{self.user.pk}", "user"))
        self.assertIsNotNone(row.cutoff)
        self.assertEqual(len(self.revoked), 1)
        sent = self.revoked[0]
        self.assertEqual((sent["scope"], sent["reason"]), ("user", "password_change"))
        self.assertIs(sent["user"], self.user)
        self.assertIsNone(sent["session_id"])
        self.assertIsNone(sent["request"])
        self.assertIs(sent["sender"], get_user_model())  # the model whose save revoked

    def test_creating_a_user_revokes_nothing(self) -> None:
        with paseto_settings(**ON):
            get_user_model().objects.create_user("bob", password=PASSWORD)
        self.assertEqual(self.user_cutoffs(), [])
        self.assertEqual(self.revoked, [])

    def test_other_saves_revoke_nothing(self) -> None:
        with paseto_settings(**ON):
            self.user.email = "alice@example.com"
            self.user.save()
            self.user.save(update_fields=["last_login"])
        self.assertEqual(self.user_cutoffs(), [])

    def test_turned_off(self) -> None:
        with paseto_settings(REVOKE_ON_PASSWORD_CHANGE=False, **ON):
            self.user.set_password("another-password-1")
            self.user.save()
        self.assertEqual(self.user_cutoffs(), [])
        self.assertEqual(self.revoked, [])

    def test_denylist_off_does_nothing(self) -> None:
        with paseto_settings(), mock.patch("drf_paseto.revocation.get_store") as get_store:
            self.user.set_password("another-password-1")
            self.user.save()
            self.user.delete()
        get_store.assert_not_called()
        self.assertFalse(DenylistEntry.objects.exists())

    def test_a_hash_upgrade_is_not_a_password_change(self) -> None:
        hashers = [f"{__name__}.FastPBKDF2PasswordHasher", *self.settings_hashers()]
        with paseto_settings(**ON), override_settings(PASSWORD_HASHERS=hashers):
            self.assertTrue(self.user.check_password(PASSWORD))
            self.user.refresh_from_db()
            self.assertTrue(self.user.password.startswith("pbkdf2_sha256$1$"))
        self.assertEqual(self.user_cutoffs(), [])

    @staticmethod
    def settings_hashers() -> list[str]:
        from django.conf import settings

        return list(settings.PASSWORD_HASHERS)


class KeptUserTests(ReceiverTestCase):
    """With the cache store, every save or delete drops the user the store keeps."""

    def setUp(self) -> None:
        super().setUp()
        override = paseto_settings(DENYLIST_STORE="cache", **ON)
        override.enable()
        self.addCleanup(override.disable)
        from django.core.cache import caches

        self.cache = caches["default"]
        self.cache.clear()
        self.addCleanup(self.cache.clear)
        self.key = f"{KEY_PREFIX}userobj:{self.user.pk}"
        self.cache.set(self.key, self.user)

    def test_save_forgets(self) -> None:
        self.user.is_active = False
        self.user.save()
        self.assertEqual(self.cache.get(self.key), "forgotten")

    def test_delete_forgets(self) -> None:
        pk = self.user.pk
        self.user.delete()
        self.assertEqual(self.cache.get(f"{KEY_PREFIX}userobj:{pk}"), "forgotten")

    def test_queryset_delete_forgets(self) -> None:
        get_user_model().objects.filter(pk=self.user.pk).delete()
        self.assertEqual(self.cache.get(self.key), "forgotten")

    def test_a_last_login_update_keeps_the_user(self) -> None:
        # Every login saves last_login (UPDATE_LAST_LOGIN): that changes nothing checked.
        self.user.save(update_fields=["last_login"])
        self.assertEqual(self.cache.get(self.key), self.user)
        self.user.save(update_fields=["last_login", "is_active"])
        self.assertEqual(self.cache.get(self.key), "forgotten")

    def test_queryset_update_sends_nothing(self) -> None:
        get_user_model().objects.filter(pk=self.user.pk).update(is_active=False)
        self.assertEqual(self.cache.get(self.key), self.user)

    def test_receivers_called_directly(self) -> None:
        other = get_user_model()(pk=self.user.pk + 1000, username="x")
        self.cache.set(f"{KEY_PREFIX}userobj:{other.pk}", other)
        receivers.user_saved(sender=type(other), instance=other, created=True)
        self.assertEqual(self.cache.get(f"{KEY_PREFIX}userobj:{other.pk}"), "forgotten")
        self.cache.set(f"{KEY_PREFIX}userobj:{other.pk}", other)
        receivers.user_deleted(sender=type(other), instance=other)
        self.assertEqual(self.cache.get(f"{KEY_PREFIX}userobj:{other.pk}"), "forgotten")
        self.assertEqual(self.revoked, [])

    def test_subject_follows_user_id_field(self) -> None:
        with paseto_settings(DENYLIST_STORE="cache", USER_ID_FIELD="username", **ON):
            self.assertEqual(receivers._subject(self.user), USERNAME)
            self.user.set_password("another-password-1")
            self.user.save()
            self.assertEqual(self.cache.get(f"{KEY_PREFIX}userobj:{USERNAME}"), "forgotten")
            self.assertIsInstance(self.cache.get(f"{KEY_PREFIX}user:{USERNAME}"), int)


class PasswordChangeFailsClosedTests(TestCase):
    """The revocation happens before the row is written: no store, no password change."""

    def test_store_down_keeps_the_old_password(self) -> None:
        from unittest import mock

        from drf_paseto.exceptions import StoreUnavailable

        user = get_user_model().objects.create_user("carol", password="old")
        config = {"SECRET_KEY": LOCAL_V4_1, "DENYLIST_ENABLED": True}
        with (
            override_settings(DRF_PASETO=config),
            mock.patch(
                "drf_paseto.revocation.DatabaseStore.revoke_user", side_effect=StoreUnavailable()
            ),
        ):
            user.set_password("new")
            with self.assertRaises(StoreUnavailable):
                user.save()
        user.refresh_from_db()
        self.assertTrue(user.check_password("old"))

    def test_cutoff_moves_forward_only(self) -> None:
        from datetime import timedelta

        from drf_paseto.models import DenylistEntry
        from drf_paseto.revocation import DatabaseStore, now

        store = DatabaseStore()
        later, earlier = now(), now() - timedelta(seconds=5)
        store.revoke_user("7", later, later + timedelta(days=1))
        store.revoke_user("7", earlier, earlier + timedelta(days=1))
        self.assertEqual(DenylistEntry.objects.get(key="user:7").cutoff, later)
        store.revoke_user("7", later + timedelta(seconds=1), later + timedelta(days=2))
        self.assertEqual(
            DenylistEntry.objects.get(key="user:7").cutoff, later + timedelta(seconds=1)
        )
