"""``TokenUser`` (drf_paseto/users.py): the user a token speaks for, without the user table."""

from __future__ import annotations

from typing import Any

from django.test import SimpleTestCase

from drf_paseto.tokens import AccessToken
from drf_paseto.users import TokenUser
from tests.helpers import paseto_settings, raises_code


def access(subject: str = "42", **claims: Any) -> AccessToken:
    return AccessToken.for_subject(subject, claims=claims)


class TokenUserTests(SimpleTestCase):
    def test_attributes(self) -> None:
        token = access("42", tenant="acme")
        user = TokenUser(token)
        self.assertEqual(user.pk, "42")
        self.assertEqual(user.id, "42")
        self.assertEqual(user.username, "42")
        self.assertEqual(user.get_username(), "42")
        self.assertIs(user.token, token)
        self.assertEqual(user.token["tenant"], "acme")
        self.assertIs(user.is_authenticated, True)
        self.assertIs(user.is_anonymous, False)
        self.assertIs(user.is_active, True)
        self.assertIs(user.is_staff, False)
        self.assertIs(user.is_superuser, False)
        self.assertEqual(str(user), "42")

    def test_grants_no_django_permission(self) -> None:
        user = TokenUser(access())
        self.assertFalse(user.has_perm("auth.view_user"))
        self.assertFalse(user.has_perms(["auth.view_user"]))
        self.assertFalse(user.has_module_perms("auth"))
        self.assertEqual(user.get_all_permissions(), set())

    def test_equality_and_hash_by_pk(self) -> None:
        first, again, other = TokenUser(access("7")), TokenUser(access("7")), TokenUser(access("8"))
        self.assertIsNot(first.token, again.token)
        self.assertEqual(first, again)
        self.assertEqual(hash(first), hash(again))
        self.assertNotEqual(first, other)
        self.assertEqual(len({first, again, other}), 2)
        self.assertNotEqual(first, "7")  # not a TokenUser: never equal

    def test_repr_shows_no_token(self) -> None:
        token = access("7")
        text = repr(TokenUser(token))
        self.assertEqual(text, "<TokenUser pk='7'>")
        self.assertNotIn(str(token), text)

    def test_username_claim(self) -> None:
        with paseto_settings(TOKEN_USER_USERNAME_CLAIM="username"):
            user = TokenUser(access("7", username="alice"))
            self.assertEqual((user.pk, user.get_username(), str(user)), ("7", "alice", "alice"))
            for claims in ({}, {"username": ""}, {"username": 5}, {"username": ["alice"]}):
                with self.subTest(claims=claims), raises_code(self, "token_claims_invalid"):
                    TokenUser(access("7", **claims))
