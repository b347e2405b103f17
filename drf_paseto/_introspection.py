"""The issuer's side of introspection: which service calls ``introspect/``
(``drf_paseto.views.IntrospectView``). The services' side, the stores that ask the issuer,
is ``drf_paseto.stores.verify_only``."""

from __future__ import annotations

import base64
import hmac

from drf_paseto.settings import api_settings


def client_of(authorization: str) -> str | None:
    """The client id of an ``Authorization: Basic`` header whose secret is in
    ``INTROSPECT_CLIENT_SECRETS``, else ``None``. Compared in constant time."""
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    client_id, found, secret = decoded.partition(":")
    secrets = api_settings.INTROSPECT_CLIENT_SECRETS
    expected = secrets.get(client_id) if isinstance(secrets, dict) and found else None
    if not isinstance(expected, str) or not expected:
        return None  # client ids are not secret; their secrets are compared in constant time
    if not hmac.compare_digest(secret.encode("utf-8"), expected.encode("utf-8")):
        return None
    return client_id
