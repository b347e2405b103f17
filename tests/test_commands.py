"""drf_paseto/management/commands/: paseto_keygen and paseto_flush."""

import re
from datetime import datetime, timedelta, timezone
from io import StringIO
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase, override_settings

from drf_paseto import backend, revocation
from drf_paseto.management.commands.paseto_flush import Command
from drf_paseto.models import LoginSession, SubjectCutoff
from drf_paseto.tokens import AccessToken, RefreshToken
from tests.helpers import raises_code
from tests.keys import LOCAL_V4_1


def keygen(*args: str) -> str:
    out = StringIO()
    call_command("paseto_keygen", *args, stdout=out)
    return out.getvalue()


def env_value(output: str, name: str) -> str:
    match = re.search(rf"^{name}=(\S+)$", output, re.MULTILINE)
    assert match is not None, f"{name} not in output"
    return match.group(1)


class PasetoKeygenTests(SimpleTestCase):
    @override_settings(DRF_PASETO={"SECRET_KEY": "k4.local.not-a-key"})
    def test_runs_while_the_key_settings_are_broken(self) -> None:
        # The fix that drf_paseto.E005's hint names: it must not be stopped by E005.
        from django.core.management.base import SystemCheckError

        with self.assertRaises(SystemCheckError):
            call_command("check")
        from drf_paseto.management.commands.paseto_keygen import Command as Keygen

        out = StringIO()
        # As `manage.py paseto_keygen` runs it: run_from_argv() runs the checks it requires.
        Keygen(stdout=out, stderr=StringIO()).run_from_argv(["manage.py", "paseto_keygen"])
        self.assertTrue(env_value(out.getvalue(), "PASETO_SECRET_KEY").startswith("k4.local."))

    def test_local_v4_by_default(self) -> None:
        output = keygen()
        paserk = env_value(output, "PASETO_SECRET_KEY")
        key = backend.key_from_paserk(paserk, 4)
        self.assertEqual((key.version, key.kind), (4, "local"))
        self.assertIn(key.kid, output)
        self.assertTrue(key.kid.startswith("k4.lid."))
        self.assertIn('"SECRET_KEY": os.environ["PASETO_SECRET_KEY"]', output)
        self.assertNotIn('"VERSION"', output)

    def test_each_run_makes_a_new_key(self) -> None:
        self.assertNotEqual(
            env_value(keygen(), "PASETO_SECRET_KEY"), env_value(keygen(), "PASETO_SECRET_KEY")
        )

    def test_public_pair_matches(self) -> None:
        for version in (4, 3):
            with self.subTest(version=version):
                output = keygen("--purpose", "public", "--version", str(version))
                secret = backend.key_from_paserk(env_value(output, "PASETO_PRIVATE_KEY"), version)
                public = backend.key_from_paserk(env_value(output, "PASETO_PUBLIC_KEY"), version)
                self.assertEqual(secret.kind, "secret")
                self.assertEqual(backend.public_key_of(secret).kid, public.kid)
                self.assertIn(public.kid, output)
                self.assertIn('"PURPOSE": "public"', output)
                self.assertEqual(f'"VERSION": {version},' in output, version == 3)

    def test_local_v3(self) -> None:
        paserk = env_value(keygen("--version", "3"), "PASETO_SECRET_KEY")
        self.assertTrue(paserk.startswith("k3.local."))

    def test_generated_keys_issue_working_tokens(self) -> None:
        output = keygen("--purpose", "public")
        config = {
            "PURPOSE": "public",
            "PRIVATE_KEY": env_value(output, "PASETO_PRIVATE_KEY"),
            "PUBLIC_KEY": env_value(output, "PASETO_PUBLIC_KEY"),
        }
        with override_settings(DRF_PASETO=config):
            token = AccessToken.for_subject("42")
            self.assertEqual(AccessToken(str(token)).subject, "42")

    def test_refuses_other_versions_and_purposes(self) -> None:
        for args in (("--version", "2"), ("--version", "1"), ("--purpose", "secret")):
            with self.subTest(args=args), self.assertRaises(CommandError):
                keygen(*args)


# --- drf_paseto/management/commands/paseto_flush.py ------------------------------------------

NOW = datetime(2040, 6, 1, 12, 0, tzinfo=timezone.utc)


def flush() -> str:
    out = StringIO()
    call_command("paseto_flush", stdout=out)
    return out.getvalue()


def flush_at(moment: datetime) -> str:
    with mock.patch("drf_paseto.clock.current_time", return_value=moment):
        return flush()


def make_session(
    session_id: str, *, subject: str = "1", auth_time: datetime, expires_at: datetime
) -> LoginSession:
    return LoginSession.objects.create(
        id=session_id,
        subject=subject,
        auth_time=auth_time,
        created_at=auth_time,
        last_used_at=auth_time,
        expires_at=expires_at,
    )


class PasetoFlushTests(TestCase):
    def session_ids(self) -> list[str]:
        return sorted(LoginSession.objects.values_list("id", flat=True))

    def cutoff_subjects(self) -> list[str]:
        return sorted(SubjectCutoff.objects.values_list("subject", flat=True))

    def test_deletes_expired_sessions_only(self) -> None:
        hour = timedelta(hours=1)
        make_session("expired", auth_time=NOW - 3 * hour, expires_at=NOW - timedelta(seconds=1))
        make_session("long-expired", auth_time=NOW - 1000 * hour, expires_at=NOW - 900 * hour)
        make_session("live", auth_time=NOW - hour, expires_at=NOW + timedelta(minutes=5))
        revoked = make_session("revoked-live", auth_time=NOW - hour, expires_at=NOW + hour)
        LoginSession.objects.filter(pk=revoked.pk).update(revoked_at=NOW, revoked_reason="logout")
        self.assertEqual(flush_at(NOW), "Deleted 2 expired session records.\n")
        self.assertEqual(self.session_ids(), ["live", "revoked-live"])

    def test_a_session_is_kept_until_the_moment_it_expires(self) -> None:
        make_session("edge", auth_time=NOW - timedelta(hours=1), expires_at=NOW)
        self.assertEqual(flush_at(NOW), "Deleted 0 expired session records.\n")
        self.assertEqual(self.session_ids(), ["edge"])
        self.assertEqual(
            flush_at(NOW + timedelta(microseconds=1)), "Deleted 1 expired session records.\n"
        )
        self.assertEqual(self.session_ids(), [])

    def test_deletes_the_cutoffs_that_match_no_remaining_session(self) -> None:
        hour = timedelta(hours=1)
        cutoff = NOW - timedelta(days=40)  # older than the longest token lifetime
        # "kept": a remaining session authenticated before its cutoff.
        make_session("kept-1", subject="kept", auth_time=cutoff - hour, expires_at=NOW + hour)
        # "edge": authenticated exactly at the cutoff (auth_time <= cutoff matches).
        make_session("edge-1", subject="edge", auth_time=cutoff, expires_at=NOW + hour)
        # "later": only a session authenticated after the cutoff: the cutoff matches nothing.
        make_session("later-1", subject="later", auth_time=cutoff + hour, expires_at=NOW + hour)
        # "expired": its only matching session is flushed in the same run.
        make_session("expired-1", subject="expired", auth_time=cutoff - hour, expires_at=NOW - hour)
        # "other": a matching session of another subject does not keep it.
        make_session("other-1", subject="someone", auth_time=cutoff - hour, expires_at=NOW + hour)
        for subject in ("kept", "edge", "later", "expired", "other"):
            SubjectCutoff.objects.create(subject=subject, cutoff=cutoff, reason="logout_all")
        # 1 expired session + 3 cutoffs (later, expired, other).
        self.assertEqual(flush_at(NOW), "Deleted 4 expired session records.\n")
        self.assertEqual(self.cutoff_subjects(), ["edge", "kept"])
        self.assertEqual(self.session_ids(), ["edge-1", "kept-1", "later-1", "other-1"])

    def test_a_recent_cutoff_is_kept_though_it_matches_nothing_yet(self) -> None:
        # A login that took its auth_time before the cutoff may record its session after.
        SubjectCutoff.objects.create(
            subject="1", cutoff=NOW - timedelta(days=29), reason="logout_all"
        )
        self.assertEqual(flush_at(NOW), "Deleted 0 expired session records.\n")
        self.assertEqual(self.cutoff_subjects(), ["1"])
        self.assertEqual(flush_at(NOW + timedelta(days=2)), "Deleted 1 expired session records.\n")

    def test_is_idempotent(self) -> None:
        hour = timedelta(hours=1)
        old = NOW - timedelta(days=40)
        make_session("expired", auth_time=NOW - 2 * hour, expires_at=NOW - hour)
        make_session("live", auth_time=old - hour, expires_at=NOW + hour)
        SubjectCutoff.objects.create(subject="1", cutoff=old, reason="logout_all")
        SubjectCutoff.objects.create(subject="gone", cutoff=old, reason="user_deleted")
        self.assertEqual(flush_at(NOW), "Deleted 2 expired session records.\n")
        for _ in range(2):
            self.assertEqual(flush_at(NOW), "Deleted 0 expired session records.\n")
        self.assertEqual(self.session_ids(), ["live"])
        self.assertEqual(self.cutoff_subjects(), ["1"])

    def test_an_empty_database(self) -> None:
        self.assertEqual(flush(), "Deleted 0 expired session records.\n")

    def test_revoked_tokens_stay_revoked_until_they_expire(self) -> None:
        user = get_user_model().objects.create_user("flush-user", password="a-password-123")
        with override_settings(
            DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "DENYLIST_ENABLED": True, "DECODE_LEEWAY": 30}
        ):
            refresh = RefreshToken.for_user(user, lifetime=timedelta(minutes=1))
            revocation.start_session(user, refresh)
            access = refresh.access_token
            revocation.revoke_user(refresh.subject, reason="logout_all")
            # Still accepted by decoding (the leeway): the session and cutoff must survive.
            moment = refresh.expires_at + timedelta(seconds=29)
            self.assertEqual(flush_at(moment), "Deleted 0 expired session records.\n")
            for token in (refresh, access):
                with self.subTest(type=token.type), raises_code(self, "token_revoked"):
                    revocation.check(token)
            # Once decoding refuses them, the session goes; the cutoff once it is older
            # than the longest token lifetime.
            moment = refresh.expires_at + timedelta(seconds=31)
            self.assertEqual(flush_at(moment), "Deleted 1 expired session records.\n")
            self.assertFalse(LoginSession.objects.exists())
            self.assertTrue(SubjectCutoff.objects.exists())
            self.assertEqual(
                flush_at(moment + timedelta(days=31)), "Deleted 1 expired session records.\n"
            )
        self.assertFalse(SubjectCutoff.objects.exists())

    def test_help(self) -> None:
        self.assertIn("expired", Command.help)
        self.assertIn("cutoffs", Command.help)
