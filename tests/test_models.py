"""drf_paseto/models.py: the denylist table, and migrations in step with the models."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from io import StringIO

from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import TestCase

from drf_paseto.models import DenylistEntry
from drf_paseto.revocation import DatabaseStore
from drf_paseto.tokens import RefreshToken
from tests.helpers import paseto_settings

LATER = datetime(2040, 1, 1, tzinfo=timezone.utc)


class DenylistEntryTests(TestCase):
    def test_str_is_the_key(self) -> None:
        entry = DenylistEntry(key="sid:abc", kind="sid", expires_at=LATER)
        self.assertEqual(str(entry), "sid:abc")

    def test_kinds(self) -> None:
        self.assertEqual(
            dict(DenylistEntry.Kind.choices),
            {
                "jti": "token",
                "sid": "session",
                "user": "all tokens of a user",
                "spent": "spent refresh token",
            },
        )
        self.assertEqual(
            DenylistEntry._meta.get_field("kind").max_length,
            max(len(value) for value in DenylistEntry.Kind.values) + 3,
        )

    def test_meta(self) -> None:
        meta = DenylistEntry._meta
        self.assertEqual(str(meta.verbose_name), "denylist entry")
        self.assertEqual(str(meta.verbose_name_plural), "denylist entries")
        self.assertEqual(meta.ordering, ("-created_at",))
        self.assertEqual(meta.pk.name, "key")
        self.assertTrue(meta.get_field("expires_at").db_index)
        self.assertTrue(meta.get_field("subject").db_index)
        self.assertTrue(meta.get_field("cutoff").null)

    def test_the_longest_keys_fit(self) -> None:
        # jti, sid and sub are at most 255 characters (tokens.MAX_ID_LENGTH).
        longest = "spent:" + "x" * 255
        self.assertLessEqual(len(longest), DenylistEntry._meta.get_field("key").max_length)
        entry = DenylistEntry.objects.create(
            key=longest, kind="spent", subject="s" * 255, expires_at=LATER
        )
        entry.refresh_from_db()
        self.assertEqual(entry.key, longest)
        self.assertIsNotNone(entry.created_at)

    def test_key_is_unique(self) -> None:
        DenylistEntry.objects.create(key="jti:1", kind="jti", expires_at=LATER)
        with self.assertRaises(IntegrityError), transaction.atomic():
            DenylistEntry.objects.create(key="jti:1", kind="jti", expires_at=LATER)

    def test_rows_written_by_the_store(self) -> None:
        with paseto_settings(DENYLIST_ENABLED=True):
            token = RefreshToken.for_subject("7", lifetime=timedelta(hours=1))
            store = DatabaseStore()
            store.revoke_token(token)
            store.spend(token)
            store.revoke_session(token.session_id, "7", LATER)
            store.revoke_user("7", LATER - timedelta(days=1), LATER)
        rows = {row.key: row for row in DenylistEntry.objects.all()}
        self.assertEqual(
            {key: (row.kind, row.subject) for key, row in rows.items()},
            {
                f"jti:{token.jti}": ("jti", "7"),
                f"spent:{token.jti}": ("spent", "7"),
                f"sid:{token.session_id}": ("sid", "7"),
                "user:7": ("user", "7"),
            },
        )
        self.assertEqual(rows[f"jti:{token.jti}"].expires_at, token.expires_at)
        self.assertEqual(rows["user:7"].cutoff, LATER - timedelta(days=1))
        self.assertIsNone(rows[f"sid:{token.session_id}"].cutoff)

    def test_newest_first(self) -> None:
        DenylistEntry.objects.create(key="jti:a", kind="jti", expires_at=LATER)
        DenylistEntry.objects.create(key="jti:b", kind="jti", expires_at=LATER)
        DenylistEntry.objects.filter(key="jti:a").update(
            created_at=datetime(2001, 1, 1, tzinfo=timezone.utc)
        )
        self.assertEqual([e.key for e in DenylistEntry.objects.all()], ["jti:b", "jti:a"])


class MigrationTests(TestCase):
    def test_migrations_are_in_step_with_the_models(self) -> None:
        out = StringIO()
        # Exits with an error (SystemExit) when a model change has no migration.
        call_command("makemigrations", "drf_paseto", "--check", "--dry-run", stdout=out)
        self.assertIn("No changes detected", out.getvalue())
