"""The security schemes: one per authenticator, for its header and, with ``"cookies"`` in
``TOKEN_LOCATION``, its cookies."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object

from drf_paseto._cookies import COOKIES
from drf_paseto.settings import api_settings

ACCESS_SCHEME = "PasetoAuth"
REFRESH_SCHEME = "PasetoRefreshAuth"
ANY_TOKEN_SCHEME = "PasetoAnyTokenAuth"
BEARER_FORMAT = "PASETO"


def header_example(token: str) -> str:
    """How the configured header carries a token: ``Authorization: Bearer <token>``."""
    prefix = api_settings.HEADER_TYPE
    value = f"{prefix} {token}" if prefix else token
    return f"{api_settings.HEADER_NAME}: {value}"


def header_security_scheme(token: str) -> dict[str, Any]:
    """The security scheme for a token in the configured header (``HEADER_NAME``/``_TYPE``).

    drf-spectacular's ``build_bearer_security_scheme_object`` makes it: OpenAPI 3.0's
    ``http``/``bearer`` scheme for ``Authorization: Bearer`` (header names and schemes are
    case-insensitive), an ``apiKey`` header whose value the client sends whole otherwise.
    """
    name: str = api_settings.HEADER_NAME
    prefix: str = api_settings.HEADER_TYPE or ""
    bearer = name.lower() == "authorization" and prefix.lower() == "bearer"
    definition = build_bearer_security_scheme_object(
        header_name="Authorization" if bearer else name,
        token_prefix="Bearer" if bearer else prefix,
        bearer_format=BEARER_FORMAT,
    )
    if bearer:
        description = f"A PASETO {token}: `{header_example('<token>')}`."
    elif prefix:
        description = (
            f'A PASETO {token} in the `{name}` header: the value is "{prefix} <token>" '
            "(prefix included)."
        )
    else:
        description = (
            f"A PASETO {token} in the `{name}` header: the value is the token itself, with no "
            "prefix."
        )
    return {**definition, "description": description}


def cookie_security_scheme(token_type: str) -> dict[str, Any]:
    """The ``token_type`` token in its httpOnly cookie; unsafe methods also need the CSRF
    header."""
    names = COOKIES[token_type]
    cookie, csrf_header, csrf_cookie = (
        names.value(part) for part in ("key", "csrf_header", "csrf_cookie")
    )
    description = f"A PASETO {token_type} token in the httpOnly `{cookie}` cookie."
    if api_settings.COOKIE_CSRF_PROTECT:
        methods = ", ".join(api_settings.CSRF_METHODS)
        description += (
            f" {methods} requests also send the `{csrf_header}` header with the value of the"
            f" `{csrf_cookie}` cookie (double submit)."
        )
    return {"type": "apiKey", "in": "cookie", "name": cookie, "description": description}


class PasetoScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """The base of the three extensions: a header scheme and, with ``"cookies"`` in
    ``TOKEN_LOCATION``, its cookie schemes, all alternatives (any one will do).

    Each authenticator class has schemes of its own names: drf-spectacular files a
    definition under the authenticator class that produced it, and one name for two classes
    would collide. Subclasses of the authenticators match too, at a negative priority, with
    their class name appended (``PasetoAuth_MyAuthentication``); a project's own extension
    for its subclass (priority 0, the default) takes precedence.
    """

    match_subclasses = True
    priority = -2
    #: The header scheme's name, and the token it carries.
    header_scheme = (ACCESS_SCHEME, "access token")
    #: The cookie schemes' names, and the token type of each one's cookie.
    cookie_schemes: tuple[tuple[str, str], ...] = (("PasetoCookieAuth", "access"),)

    def __init__(self, target: Any) -> None:
        super().__init__(target)  # type: ignore[no-untyped-call]
        scheme, token = self.header_scheme
        self.definitions = {self.scheme_name(scheme): header_security_scheme(token)}
        if "cookies" in api_settings.TOKEN_LOCATION:
            for name, token_type in self.cookie_schemes:
                self.definitions[self.scheme_name(name)] = cookie_security_scheme(token_type)
        self.name = list(self.definitions)

    def scheme_name(self, name: str) -> str:
        """``name`` for the authenticator itself, ``name_<ClassName>`` for a subclass."""
        target = self.target if isinstance(self.target, type) else type(self.target)
        # Matched, so target_class is loaded: the class itself.
        return name if target is self.target_class else f"{name}_{target.__name__}"

    def get_security_requirement(self, auto_schema: AutoSchema) -> list[dict[str, list[Any]]]:
        return [{scheme: []} for scheme in self.definitions]

    def get_security_definition(self, auto_schema: AutoSchema) -> list[dict[str, Any]]:
        return list(self.definitions.values())


class PasetoAuthenticationScheme(PasetoScheme):  # type: ignore[no-untyped-call]
    """``PasetoAuthentication``: an access token."""

    target_class = "drf_paseto.authentication.PasetoAuthentication"


class PasetoRefreshAuthenticationScheme(PasetoScheme):  # type: ignore[no-untyped-call]
    """``PasetoRefreshAuthentication``: a refresh token."""

    target_class = "drf_paseto.authentication.PasetoRefreshAuthentication"
    priority = -1  # before PasetoAuthentication's, whose subclass it is
    header_scheme = (REFRESH_SCHEME, "refresh token")
    cookie_schemes = (("PasetoRefreshCookieAuth", "refresh"),)


class PasetoAnyTokenAuthenticationScheme(PasetoScheme):  # type: ignore[no-untyped-call]
    """``PasetoAnyTokenAuthentication``: an access token or a refresh token."""

    target_class = "drf_paseto.authentication.PasetoAnyTokenAuthentication"
    priority = -1  # before PasetoAuthentication's, whose subclass it is
    header_scheme = (ANY_TOKEN_SCHEME, "access or refresh token")
    cookie_schemes = (
        ("PasetoAnyTokenCookieAuth", "access"),
        ("PasetoAnyTokenRefreshCookieAuth", "refresh"),
    )
