"""``TokenUser``: the user a token speaks for, without the user table.

``PasetoStatelessAuthentication`` puts one on ``request.user`` for services that do not own
the user table (an API behind the service that issues the tokens), as simplejwt's
``TokenUser`` does. Everything it knows comes from the validated token: no database query.
"""

from __future__ import annotations

from typing import Any

from drf_paseto.exceptions import TokenError
from drf_paseto.settings import api_settings
from drf_paseto.tokens import Token

__all__ = [
    "TokenUser",
]


class TokenUser:
    """A user known only by its token.

    ``pk`` and ``id``
        The token's subject (``sub``), a string: what ``USER_ID_FIELD`` held when the token
        was issued.
    ``username``, ``get_username()``
        The claim named by ``TOKEN_USER_USERNAME_CLAIM``, or the subject when it is ``None``
        (the default).
    ``token``
        The validated token (``request.auth``): custom claims are read from it,
        ``request.user.token["tenant"]``.
    ``is_authenticated`` / ``is_anonymous`` / ``is_active``
        ``True`` / ``False`` / ``True``.
    ``is_staff`` / ``is_superuser``
        ``False``: nothing in a token grants Django's staff rights. ``has_perm()`` and its
        kin grant nothing either; check claims instead.

    Two ``TokenUser`` objects are equal when their ``pk`` is, whatever their tokens.
    """

    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, token: Token) -> None:
        self.token = token
        self.pk = self.id = token.subject
        claim: str | None = api_settings.TOKEN_USER_USERNAME_CLAIM
        if claim is None:
            self.username = self.pk
        else:
            username = token.get(claim)
            if not isinstance(username, str) or not username:
                raise TokenError("token_claims_invalid")
            self.username = username

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_username(self) -> str:
        return self.username

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False

    def has_perms(self, perm_list: Any, obj: Any = None) -> bool:
        return False

    def has_module_perms(self, app_label: str) -> bool:
        return False

    def get_all_permissions(self, obj: Any = None) -> set[str]:
        return set()

    def __str__(self) -> str:
        return self.username

    def __repr__(self) -> str:  # never the token
        return f"<TokenUser pk={self.pk!r}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TokenUser):
            return NotImplemented
        return self.pk == other.pk

    def __hash__(self) -> int:
        return hash(self.pk)
