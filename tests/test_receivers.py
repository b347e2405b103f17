"""drf_paseto/receivers.py: user saves and deletes, and the sessions they revoke."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.db import transaction
from django.db.models.signals import post_save, pre_delete, pre_save
from django.test import TestCase, TransactionTestCase, override_settings

from drf_paseto import clock, revocation, signals
from drf_paseto.exceptions import StoreUnavailable
from drf_paseto.models import LoginSession, SubjectCutoff
from drf_paseto.receivers import checking_password
from drf_paseto.stores import DatabaseStore
from drf_paseto.tokens import RefreshToken
from tests.helpers import (
    PASSWORD,
    PROTECTED_URL,
    REFRESH_URL,
    USERNAME,
    DatabaseLeg,
    LocMemCacheLeg,
    RedisCacheLeg,
    RedisLeg,
    TokenAPITestCase,
    paseto_settings,
)
from tests.models import ChildUser, ProxyUser

ON = {"DENYLIST_ENABLED": True}


class FastPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Preferred over MD5 in some tests, so that checking a password upgrades its hash."""

    iterations = 1


class SlowerPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """The same algorithm with more iterations, as a Django upgrade brings."""

    iterations = 2


class ReceiverTestCase(TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
        self.revoked: list[dict[str, Any]] = []

        def record(**kwargs: Any) -> None:
            self.revoked.append(kwargs)

        signals.token_revoked.connect(record, weak=False, dispatch_uid="test_receivers")
        self.addCleanup(signals.token_revoked.disconnect, dispatch_uid="test_receivers")

    def cutoffs(self) -> list[str]:
        return list(SubjectCutoff.objects.values_list("subject", flat=True))


class ConnectionTests(TestCase):
    def test_connected_to_the_user_model_and_its_subclasses_once(self) -> None:
        from django.apps import apps

        user_models = [get_user_model(), ProxyUser, ChildUser]
        for signal, uid in (
            (pre_save, "drf_paseto.user_saving"),
            (post_save, "drf_paseto.user_saved"),
            (pre_delete, "drf_paseto.user_deleting"),
        ):
            with self.subTest(uid=uid):
                for model in user_models:
                    self.assertTrue(signal.has_listeners(model))
                before = [r for r in signal.receivers if r[0][0] == uid]
                apps.get_app_config("drf_paseto").ready()
                after = [r for r in signal.receivers if r[0][0] == uid]
                self.assertGreaterEqual(len(before), len(user_models))
                self.assertEqual(len(after), len(before))

    def test_a_subclass_defined_later_is_connected(self) -> None:
        from django.apps import apps
        from django.db import models

        class LateProxy(get_user_model()):  # type: ignore[misc]
            class Meta:
                proxy = True
                app_label = "tests"

        self.addCleanup(apps.all_models["tests"].pop, "lateproxy", None)
        self.addCleanup(apps.clear_cache)
        self.assertTrue(pre_save.has_listeners(LateProxy))
        self.assertIsInstance(LateProxy._meta, models.options.Options)


class PasswordChangeTests(ReceiverTestCase):
    def test_a_password_change_revokes_the_users_sessions(self) -> None:
        with paseto_settings(**ON):
            refresh = RefreshToken.for_user(self.user)
            revocation.start_session(self.user, refresh)
            self.user.set_password("another-password-1")
            self.user.save()
        self.assertEqual(self.cutoffs(), [str(self.user.pk)])
        session = LoginSession.objects.get(pk=refresh.session_id)
        self.assertEqual(session.revoked_reason, "password_change")
        self.assertEqual(len(self.revoked), 1)
        sent = self.revoked[0]
        self.assertEqual((sent["scope"], sent["reason"]), ("user", "password_change"))
        self.assertIs(sent["user"], self.user)
        self.assertIsNone(sent["session_id"])
        self.assertIsNone(sent["request"])
        self.assertIs(sent["sender"], get_user_model())  # the model whose save revoked

    def test_any_new_hash_revokes(self) -> None:
        for change in (
            lambda user: user.set_unusable_password(),
            lambda user: setattr(user, "password", "md5$x$0123"),
        ):
            with self.subTest(change=change), paseto_settings(**ON):
                SubjectCutoff.objects.all().delete()
                change(self.user)
                self.user.save(update_fields=["password"])
                self.assertEqual(self.cutoffs(), [str(self.user.pk)])

    def test_creating_a_user_revokes_nothing(self) -> None:
        with paseto_settings(**ON):
            get_user_model().objects.create_user("bob", password=PASSWORD)
        self.assertEqual(self.cutoffs(), [])
        self.assertEqual(self.revoked, [])

    def test_other_saves_revoke_nothing_and_read_nothing(self) -> None:
        with paseto_settings(**ON):
            self.user.email = "alice@example.com"
            self.user.save()
            with self.assertNumQueries(1):  # the UPDATE alone: no field that revokes
                self.user.save(update_fields=["last_login"])
            self.user.set_password(PASSWORD)  # not saved: the stored hash stays
            self.user.save(update_fields=["email"])
        self.assertEqual(self.cutoffs(), [])

    def test_turned_off(self) -> None:
        with paseto_settings(REVOKE_ON_PASSWORD_CHANGE=False, **ON):
            self.user.set_password("another-password-1")
            self.user.save()
        self.assertEqual(self.cutoffs(), [])
        self.assertEqual(self.revoked, [])

    def test_denylist_off_does_nothing(self) -> None:
        with paseto_settings(), mock.patch("drf_paseto.revocation.get_store") as get_store:
            self.user.set_password("another-password-1")
            self.user.save()
            self.user.delete()
        get_store.assert_not_called()

    def test_a_hash_upgrade_in_a_login_revokes_nothing(self) -> None:
        # Django re-hashes the same password on a successful check: no password change.
        with paseto_settings(**ON), override_settings(PASSWORD_HASHERS=self.upgrading()):
            with checking_password(PASSWORD):
                self.assertTrue(self.user.check_password(PASSWORD))
            self.user.refresh_from_db()
            self.assertTrue(self.user.password.startswith("pbkdf2_sha256$1$"))
        self.assertEqual(self.cutoffs(), [])
        self.assertEqual(self.revoked, [])

    def test_a_hash_upgrade_outside_a_login_of_ours_revokes(self) -> None:
        # Without the raw password the upgrade cannot be told from a new hash: fail safe.
        with paseto_settings(**ON), override_settings(PASSWORD_HASHERS=self.upgrading()):
            self.assertTrue(self.user.check_password(PASSWORD))
        self.assertEqual(self.cutoffs(), [str(self.user.pk)])

    def test_checking_another_password_spares_nothing(self) -> None:
        # The password a login checks must verify both hashes: another one spares nothing.
        with (
            paseto_settings(**ON),
            override_settings(PASSWORD_HASHERS=self.upgrading()),
            checking_password("not-the-password"),
        ):
            self.user.password = make_password("another-password-1")
            self.user.save(update_fields=["password"])
        self.assertEqual(self.cutoffs(), [str(self.user.pk)])

    def test_raised_iterations_revoke_nothing(self) -> None:
        # Every Django release raises the PBKDF2 iterations: the next login re-hashes.
        with paseto_settings(**ON), override_settings(PASSWORD_HASHERS=self.upgrading()):
            self.user.set_password(PASSWORD)
            self.user.save()
            self.assertEqual(self.cutoffs(), [])  # the same password again
        hashers = [f"{__name__}.SlowerPBKDF2PasswordHasher", *self.upgrading()]
        with paseto_settings(**ON), override_settings(PASSWORD_HASHERS=hashers):
            with checking_password(PASSWORD):
                self.assertTrue(self.user.check_password(PASSWORD))
            self.user.refresh_from_db()
            self.assertTrue(self.user.password.startswith("pbkdf2_sha256$2$"))
        self.assertEqual(self.cutoffs(), [])

    def test_the_same_password_set_again_revokes_nothing(self) -> None:
        with paseto_settings(**ON):
            self.user.set_password(PASSWORD)
            self.user.save()
        self.assertEqual(self.cutoffs(), [])

    def test_a_new_password_saved_as_an_upgrade_would_be_still_revokes(self) -> None:
        with paseto_settings(**ON), override_settings(PASSWORD_HASHERS=self.upgrading()):
            self.user.set_password("another-password-1")
            self.user.save(update_fields=["password"])
        self.assertEqual(self.cutoffs(), [str(self.user.pk)])

    def test_a_hash_assigned_directly_still_revokes(self) -> None:
        # No raw password on the instance: only the exact shape of an upgrade is spared.
        with paseto_settings(**ON), override_settings(PASSWORD_HASHERS=self.upgrading()):
            self.user.password = make_password("another-password-1")
            self.user.save()
        self.assertEqual(self.cutoffs(), [str(self.user.pk)])

    def test_a_raw_password_left_behind_by_a_later_hash_still_revokes(self) -> None:
        # set_password() keeps the raw password on the instance until the save; a hash set
        # after it (an unusable password, a hash assigned directly) is what is saved, and
        # the old raw password says nothing about it.
        for change in (
            lambda user: user.set_unusable_password(),
            lambda user: setattr(user, "password", make_password("another-password-1")),
        ):
            with self.subTest(change=change), paseto_settings(**ON):
                SubjectCutoff.objects.all().delete()
                users = get_user_model().objects.filter(pk=self.user.pk)
                users.update(password=make_password(PASSWORD))  # no signal: the stored hash
                self.user.refresh_from_db()
                self.user.set_password(PASSWORD)  # the same password: on its own, no change
                change(self.user)
                self.user.save()
                self.assertEqual(self.cutoffs(), [str(self.user.pk)])

    def test_a_new_hash_saved_alone_over_an_outdated_hash_still_revokes(self) -> None:
        # The stored hash is outdated (MD5 here; after any Django upgrade, a PBKDF2 hash of
        # fewer iterations: every user who has not logged in since). A new password's hash
        # assigned and saved alone has the exact shape of Django's upgrade: nothing revoked.
        with paseto_settings(**ON), override_settings(PASSWORD_HASHERS=self.upgrading()):
            self.user.password = make_password("another-password-1")
            self.user.save(update_fields=["password"])
        self.assertEqual(self.cutoffs(), [str(self.user.pk)])

    def test_an_unusable_password_still_revokes(self) -> None:
        with paseto_settings(**ON), override_settings(PASSWORD_HASHERS=self.upgrading()):
            self.user.set_unusable_password()
            self.user.save(update_fields=["password"])
        self.assertEqual(self.cutoffs(), [str(self.user.pk)])

    def upgrading(self) -> list[str]:
        """The fast PBKDF2 hasher preferred over the suite's MD5 one: a check upgrades."""
        return [f"{__name__}.FastPBKDF2PasswordHasher", *self.settings_hashers()]

    @staticmethod
    def settings_hashers() -> list[str]:
        from django.conf import settings

        return list(settings.PASSWORD_HASHERS)


class UserIdFieldTests(ReceiverTestCase):
    def test_a_changed_identifier_revokes_the_old_subject(self) -> None:
        with paseto_settings(USER_ID_FIELD="username", **ON):
            refresh = RefreshToken.for_user(self.user)
            revocation.start_session(self.user, refresh)
            self.user.username = "alice2"
            self.user.save()
        self.assertEqual(self.cutoffs(), [USERNAME])
        self.assertEqual(self.revoked[0]["reason"], "user_id_changed")
        session = LoginSession.objects.get(pk=refresh.session_id)
        self.assertEqual(session.revoked_reason, "user_id_changed")

    def test_the_primary_key_is_not_watched(self) -> None:
        with paseto_settings(**ON):
            self.user.username = "alice2"
            self.user.save()
        self.assertEqual(self.cutoffs(), [])


class DeletionTests(ReceiverTestCase):
    def test_deleting_a_user_revokes_its_sessions(self) -> None:
        with paseto_settings(**ON):
            refresh = RefreshToken.for_user(self.user)
            revocation.start_session(self.user, refresh)
            self.user.delete()
        session = LoginSession.objects.get(pk=refresh.session_id)
        self.assertEqual((session.user, session.revoked_reason), (None, "user_deleted"))
        self.assertEqual(self.revoked[0]["reason"], "user_deleted")

    def test_a_queryset_delete_too(self) -> None:
        with paseto_settings(**ON):
            revocation.start_session(self.user, RefreshToken.for_user(self.user))
            get_user_model().objects.filter(pk=self.user.pk).delete()
        self.assertEqual(LoginSession.objects.get().revoked_reason, "user_deleted")


class PasswordChangeFailsClosedTests(TestCase):
    """The revocation happens before the row is written: no store, no password change."""

    def test_store_down_keeps_the_old_password(self) -> None:
        user = get_user_model().objects.create_user("carol", password="old")
        with (
            paseto_settings(**ON),
            mock.patch.object(DatabaseStore, "revoke_subject", side_effect=StoreUnavailable()),
        ):
            user.set_password("new")
            with self.assertRaises(StoreUnavailable):
                user.save()
        user.refresh_from_db()
        self.assertTrue(user.check_password("old"))

    def test_cutoff_moves_forward_only(self) -> None:
        store = DatabaseStore()
        later, earlier = clock.current_time(), clock.current_time() - timedelta(seconds=5)
        self.assertEqual(store.revoke_subject("7", cutoff=later, reason="logout_all"), later)
        self.assertEqual(store.revoke_subject("7", cutoff=earlier, reason="logout_all"), later)
        self.assertEqual(SubjectCutoff.objects.get(subject="7").cutoff, later)
        moved = later + timedelta(seconds=1)
        store.revoke_subject("7", cutoff=moved, reason="password_change")
        row = SubjectCutoff.objects.get(subject="7")
        self.assertEqual((row.cutoff, row.reason), (moved, "password_change"))


class AfterCommitTests(TransactionTestCase):
    """The cutoff is moved again once the new password is committed: past any login that
    read the old one while it was being written."""

    def test_the_cutoff_moves_past_the_commit(self) -> None:
        user = get_user_model().objects.create_user("dave", password="old")
        with paseto_settings(**ON):
            with transaction.atomic():
                user.set_password("new")
                user.save()
                during = SubjectCutoff.objects.get().cutoff
                committing = clock.current_time()
            after = SubjectCutoff.objects.get().cutoff
        self.assertLess(during, committing)
        self.assertGreater(after, committing)

    def test_a_store_away_after_the_commit_is_logged(self) -> None:
        user = get_user_model().objects.create_user("erin", password="old")
        with paseto_settings(**ON):
            real = DatabaseStore.revoke_subject
            calls: list[str] = []

            def first_only(store: Any, subject: str, **kwargs: Any) -> Any:
                calls.append(subject)
                if len(calls) > 1:
                    raise StoreUnavailable()
                return real(store, subject, **kwargs)

            with (
                mock.patch.object(DatabaseStore, "revoke_subject", first_only),
                self.assertLogs("drf_paseto", "WARNING") as logs,
            ):
                user.set_password("new")
                user.save()
        self.assertEqual(len(calls), 2)
        self.assertIn("cutoff", logs.output[0])


class UserSaveTests:
    """Saves met through the API, as the red-team pass met them, on every store leg.

    A proxy or a multi-table child of the user model revokes as the user model does, and a
    login that upgrades the password hash revokes nothing.

    Django sends the model signals with the instance's own class; the red-team pass saw a
    password changed through ``class Customer(User): class Meta: proxy = True`` keep every
    old token alive. Run on every store leg: the access token is checked through the store.
    """

    def change_password(self, model: Any, pk: Any) -> None:
        user = model.objects.get(pk=pk)
        user.set_password("another-password-1")
        user.save()

    def assert_password_change_through(self, model: Any, username: str, pk: Any) -> None:
        tokens = self.login(username)
        self.assertUser(self.get_with(PROTECTED_URL, tokens["access_token"]), username)
        self.change_password(model, pk)
        self.assertError(self.get_with(PROTECTED_URL, tokens["access_token"]), 401, "token_revoked")
        response = self.client.post(REFRESH_URL, **self.bearer(tokens["refresh_token"]))
        self.assertError(response, 401, "token_revoked")

    def test_a_password_change_through_a_proxy_revokes(self) -> None:
        self.assert_password_change_through(ProxyUser, USERNAME, self.user.pk)

    def test_a_password_change_through_a_multi_table_child_revokes(self) -> None:
        child = ChildUser.objects.create_user("child", password=PASSWORD)
        self.assert_password_change_through(ChildUser, "child", child.pk)

    def test_deleting_through_a_proxy_revokes_once(self) -> None:
        revoked: list[str] = []

        def record(reason: str, **kwargs: Any) -> None:
            revoked.append(reason)

        signals.token_revoked.connect(record, weak=False, dispatch_uid="test_subclass_delete")
        self.addCleanup(signals.token_revoked.disconnect, dispatch_uid="test_subclass_delete")
        tokens = self.login()
        ProxyUser.objects.get(pk=self.user.pk).delete()
        self.assertEqual(revoked, ["user_deleted"])
        session = LoginSession.objects.get()
        self.assertEqual(session.revoked_reason, "user_deleted")
        self.assertError(self.get_with(PROTECTED_URL, tokens["access_token"]), 401, "token_revoked")

    def test_deleting_a_multi_table_child_revokes_once(self) -> None:
        child = ChildUser.objects.create_user("child", password=PASSWORD)
        revoked: list[str] = []

        def record(reason: str, **kwargs: Any) -> None:
            revoked.append(reason)

        signals.token_revoked.connect(record, weak=False, dispatch_uid="test_subclass_delete")
        self.addCleanup(signals.token_revoked.disconnect, dispatch_uid="test_subclass_delete")
        self.login("child")
        ChildUser.objects.get(pk=child.pk).delete()
        self.assertEqual(revoked, ["user_deleted"])
        self.assertEqual(LoginSession.objects.get().revoked_reason, "user_deleted")
        self.assertFalse(get_user_model().objects.filter(pk=child.pk).exists())

    def test_a_login_that_upgrades_the_hash_keeps_every_session(self) -> None:
        # The red-team pass: the tokens a hash-upgrading login returned were already revoked.
        other_device = self.login()
        hashers = [
            f"{__name__}.FastPBKDF2PasswordHasher",
            "django.contrib.auth.hashers.MD5PasswordHasher",
        ]
        with override_settings(PASSWORD_HASHERS=hashers):
            tokens = self.login()
            self.user.refresh_from_db()
            self.assertTrue(self.user.password.startswith("pbkdf2_sha256$1$"))
            for access in (tokens["access_token"], other_device["access_token"]):
                self.assertUser(self.get_with(PROTECTED_URL, access))
            self.refresh(tokens["refresh_token"])
            # A real change still ends both at once.
            self.change_password(get_user_model(), self.user.pk)
            for access in (tokens["access_token"], other_device["access_token"]):
                self.assertError(self.get_with(PROTECTED_URL, access), 401, "token_revoked")

    def test_other_models_get_no_receiver(self) -> None:
        # Django deletes models without listeners in one query (a "fast delete"): the
        # receivers must not be connected for every sender.
        self.assertFalse(pre_delete.has_listeners(LoginSession))
        self.assertTrue(pre_delete.has_listeners(ProxyUser))


class DatabaseUserSaveTests(DatabaseLeg, UserSaveTests, TokenAPITestCase):
    pass


class LocMemCacheUserSaveTests(LocMemCacheLeg, UserSaveTests, TokenAPITestCase):
    pass


class RedisCacheUserSaveTests(RedisCacheLeg, UserSaveTests, TokenAPITestCase):
    pass


class RedisStoreUserSaveTests(RedisLeg, UserSaveTests, TokenAPITestCase):
    pass
