"""drf_paseto/models.py: the login session and cutoff tables, and migrations in step."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, models, transaction
from django.test import TestCase

from drf_paseto import revocation
from drf_paseto.models import LoginSession, SubjectCutoff
from drf_paseto.tokens import RefreshToken
from tests.helpers import PASSWORD, USERNAME, paseto_settings

LATER = datetime(2040, 1, 1, tzinfo=timezone.utc)
EARLIER = datetime(2030, 1, 1, tzinfo=timezone.utc)
REASONS = {
    "logout": "logout",
    "logout_all": "logout everywhere",
    "logout_others": "logout from the other sessions",
    "password_change": "password change",
    "reuse": "refresh token reuse",
    "admin": "ended by an administrator",
    "user_deleted": "user deleted",
    "user_id_changed": "user identifier changed",
}


def make_session(
    session_id: str, *, created_at: datetime = EARLIER, **fields: object
) -> LoginSession:
    values: dict[str, object] = {
        "subject": "7",
        "auth_time": created_at,
        "created_at": created_at,
        "last_used_at": created_at,
        "expires_at": LATER,
        **fields,
    }
    return LoginSession.objects.create(id=session_id, **values)


class LoginSessionTests(TestCase):
    def test_fields(self) -> None:
        meta = LoginSession._meta
        self.assertEqual(
            [field.name for field in meta.fields],
            [
                "id",
                "user",
                "subject",
                "auth_time",
                "created_at",
                "last_used_at",
                "expires_at",
                "refresh_jti",
                "generation",
                "user_agent",
                "ip",
                "revoked_at",
                "revoked_reason",
            ],
        )
        self.assertEqual(meta.pk.name, "id")
        self.assertEqual(meta.get_field("id").max_length, 64)
        self.assertEqual(meta.get_field("subject").max_length, 255)
        self.assertTrue(meta.get_field("subject").db_index)
        self.assertTrue(meta.get_field("expires_at").db_index)
        self.assertEqual(meta.get_field("refresh_jti").max_length, 64)
        self.assertTrue(meta.get_field("refresh_jti").blank)
        self.assertEqual(meta.get_field("generation").default, 0)
        self.assertEqual(meta.get_field("user_agent").max_length, 255)
        self.assertIsInstance(meta.get_field("ip"), models.GenericIPAddressField)
        self.assertTrue(meta.get_field("ip").null)
        self.assertTrue(meta.get_field("revoked_at").null)
        self.assertTrue(meta.get_field("revoked_reason").blank)

    def test_meta(self) -> None:
        meta = LoginSession._meta
        self.assertEqual(str(meta.verbose_name), "login session")
        self.assertEqual(str(meta.verbose_name_plural), "login sessions")
        self.assertEqual(meta.ordering, ("-created_at",))

    def test_str_is_the_session_id(self) -> None:
        self.assertEqual(str(LoginSession(id="abc123", subject="7")), "abc123")

    def test_is_revoked(self) -> None:
        session = make_session("s1")
        self.assertFalse(session.is_revoked)
        session.revoked_at = LATER
        self.assertTrue(session.is_revoked)

    def test_defaults(self) -> None:
        session = make_session("s1")
        session.refresh_from_db()
        self.assertIsNone(session.user)
        self.assertEqual((session.refresh_jti, session.generation), ("", 0))
        self.assertEqual((session.user_agent, session.ip), ("", None))
        self.assertEqual((session.revoked_at, session.revoked_reason), (None, ""))

    def test_reasons(self) -> None:
        self.assertEqual(
            {value: str(label) for value, label in LoginSession.Reason.choices}, REASONS
        )
        self.assertEqual(
            LoginSession._meta.get_field("revoked_reason").choices,
            list(LoginSession.Reason.choices),
        )

    def test_every_reason_fits_revoked_reason(self) -> None:
        max_length = LoginSession._meta.get_field("revoked_reason").max_length
        assert max_length is not None
        self.assertLessEqual(max(len(value) for value in LoginSession.Reason.values), max_length)
        for reason in LoginSession.Reason.values:
            with self.subTest(reason=reason):
                session = make_session(f"s-{reason}", revoked_at=LATER, revoked_reason=reason)
                session.full_clean()
                session.refresh_from_db()
                self.assertEqual(session.revoked_reason, reason)

    def test_the_longest_values_fit(self) -> None:
        # Session ids and jtis are at most 64 characters; subjects at most 255.
        session = make_session(
            "i" * 64,
            subject="s" * 255,
            refresh_jti="j" * 64,
            user_agent="a" * 255,
            ip="2001:db8::ffff:ffff:ffff:ffff",
        )
        session.full_clean()
        session.refresh_from_db()
        self.assertEqual((session.pk, session.subject), ("i" * 64, "s" * 255))
        self.assertEqual(session.ip, "2001:db8::ffff:ffff:ffff:ffff")

    def test_id_is_unique(self) -> None:
        make_session("s1")
        with self.assertRaises(IntegrityError), transaction.atomic():
            LoginSession.objects.create(
                id="s1",
                subject="8",
                auth_time=LATER,
                created_at=LATER,
                last_used_at=LATER,
                expires_at=LATER,
            )

    def test_newest_first(self) -> None:
        make_session("old", created_at=EARLIER)
        make_session("new", created_at=EARLIER + timedelta(seconds=1))
        make_session("middle", created_at=EARLIER + timedelta(microseconds=1))
        self.assertEqual(
            list(LoginSession.objects.values_list("id", flat=True)), ["new", "middle", "old"]
        )

    def test_deleting_the_user_keeps_the_session_without_its_user(self) -> None:
        user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
        field = LoginSession._meta.get_field("user")
        self.assertIs(field.remote_field.on_delete, models.SET_NULL)
        self.assertTrue(field.null)
        self.assertEqual(field.remote_field.related_name, "paseto_sessions")
        with paseto_settings(DENYLIST_ENABLED=True):
            refresh = RefreshToken.for_user(user)
            revocation.start_session(user, refresh)
        session = LoginSession.objects.get(pk=refresh.session_id)
        self.assertEqual(session.user, user)
        self.assertEqual(list(user.paseto_sessions.all()), [session])
        with paseto_settings(DENYLIST_ENABLED=True):
            user.delete()
        session.refresh_from_db()
        self.assertIsNone(session.user)
        self.assertEqual(session.subject, str(refresh.subject))


class SubjectCutoffTests(TestCase):
    def test_fields_and_meta(self) -> None:
        meta = SubjectCutoff._meta
        self.assertEqual([field.name for field in meta.fields], ["subject", "cutoff", "reason"])
        self.assertEqual(meta.pk.name, "subject")
        self.assertEqual(meta.get_field("subject").max_length, 255)
        self.assertEqual(meta.get_field("reason").choices, list(LoginSession.Reason.choices))
        self.assertLessEqual(
            max(len(value) for value in LoginSession.Reason.values),
            meta.get_field("reason").max_length,
        )
        self.assertEqual(str(meta.verbose_name), "subject cutoff")
        self.assertEqual(str(meta.verbose_name_plural), "subject cutoffs")

    def test_str_is_the_subject(self) -> None:
        self.assertEqual(str(SubjectCutoff(subject="42", cutoff=LATER, reason="admin")), "42")

    def test_one_cutoff_per_subject(self) -> None:
        SubjectCutoff.objects.create(subject="42", cutoff=LATER, reason="logout_all")
        with self.assertRaises(IntegrityError), transaction.atomic():
            SubjectCutoff.objects.create(subject="42", cutoff=EARLIER, reason="admin")

    def test_the_longest_subject_fits(self) -> None:
        cutoff = SubjectCutoff.objects.create(
            subject="s" * 255, cutoff=LATER, reason="password_change"
        )
        cutoff.full_clean()
        cutoff.refresh_from_db()
        self.assertEqual(cutoff.subject, "s" * 255)


class MigrationTests(TestCase):
    def test_migrations_are_in_step_with_the_models(self) -> None:
        out = StringIO()
        # Exits with an error (SystemExit) when a model change has no migration.
        call_command("makemigrations", "drf_paseto", "--check", "--dry-run", stdout=out)
        self.assertIn("No changes detected", out.getvalue())
