"""drf_paseto/management/commands/paseto_keygen.py"""

import re
from datetime import datetime, timedelta, timezone
from io import StringIO
from unittest import mock

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase, override_settings

from drf_paseto import backend, revocation
from drf_paseto.management.commands.paseto_flush import Command
from drf_paseto.models import DenylistEntry
from drf_paseto.tokens import AccessToken, RefreshToken
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


class PasetoFlushTests(TestCase):
    def flush(self) -> str:
        out = StringIO()
        call_command("paseto_flush", stdout=out)
        return out.getvalue()

    def test_deletes_expired_entries_only(self) -> None:
        now = datetime.now(tz=timezone.utc)
        for key, expires_at in (
            ("jti:expired", now - timedelta(seconds=1)),
            ("spent:expired", now - timedelta(days=40)),
            ("sid:live", now + timedelta(minutes=5)),
            ("user:live", now + timedelta(days=30)),
        ):
            DenylistEntry.objects.create(
                key=key, kind=key.split(":")[0], subject="1", expires_at=expires_at
            )
        with mock.patch("drf_paseto.revocation._now", return_value=now):
            self.assertEqual(self.flush(), "Deleted 2 expired denylist entries.\n")
        self.assertEqual(
            sorted(DenylistEntry.objects.values_list("key", flat=True)), ["sid:live", "user:live"]
        )
        with mock.patch("drf_paseto.revocation._now", return_value=now):
            self.assertEqual(self.flush(), "Deleted 0 expired denylist entries.\n")

    def test_an_entry_is_kept_until_the_moment_it_expires(self) -> None:
        now = datetime.now(tz=timezone.utc)
        DenylistEntry.objects.create(key="jti:edge", kind="jti", expires_at=now)
        with mock.patch("drf_paseto.revocation._now", return_value=now):
            self.assertEqual(self.flush(), "Deleted 0 expired denylist entries.\n")
        with mock.patch("drf_paseto.revocation._now", return_value=now + timedelta(microseconds=1)):
            self.assertEqual(self.flush(), "Deleted 1 expired denylist entries.\n")

    def test_revoked_tokens_stay_revoked_until_they_expire(self) -> None:
        with override_settings(
            DRF_PASETO={"SECRET_KEY": LOCAL_V4_1, "DENYLIST_ENABLED": True, "DECODE_LEEWAY": 30}
        ):
            token = RefreshToken.for_subject("1", lifetime=timedelta(minutes=1))
            store = revocation.get_store()
            store.revoke_token(token)
            store.spend(token)
            revocation.revoke_session(token, reason="logout")
            # Still accepted by decoding (the leeway): every fact must survive a flush.
            moment = token.expires_at + timedelta(seconds=29)
            with mock.patch("drf_paseto.revocation._now", return_value=moment):
                self.assertEqual(self.flush(), "Deleted 0 expired denylist entries.\n")
            self.assertTrue(store.check(token).revoked)
            self.assertFalse(store.spend(token))

    def test_help(self) -> None:
        self.assertIn("expired", Command.help)
        self.assertIn("cache store needs no flushing", Command.help)
