"""drf_paseto/management/commands/paseto_keygen.py"""

import re
from io import StringIO

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, override_settings

from drf_paseto import backend
from drf_paseto.tokens import AccessToken


def keygen(*args: str) -> str:
    out = StringIO()
    call_command("paseto_keygen", *args, stdout=out)
    return out.getvalue()


def env_value(output: str, name: str) -> str:
    match = re.search(rf"^{name}=(\S+)$", output, re.MULTILINE)
    assert match is not None, f"{name} not in output"
    return match.group(1)


class PasetoKeygenTests(SimpleTestCase):
    def test_local_v4_by_default(self) -> None:
        output = keygen()
        paserk = env_value(output, "PASETO_SECRET_KEY")
        key = backend.key_from_paserk(paserk, 4)
        self.assertEqual((key.version, key.kind), (4, "local"))
        self.assertIn(key.kid, output)
        self.assertTrue(key.kid.startswith("k4.lid."))
        self.assertIn('"SECRET_KEY": env.str("PASETO_SECRET_KEY")', output)
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
