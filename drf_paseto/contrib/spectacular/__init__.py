"""OpenAPI 3 schema for drf_paseto through drf-spectacular (the ``spectacular`` extra).

drf-spectacular extensions: one security scheme per authenticator (``_schemes``), and the
bodies of the token views (``_views``, with the serializers of ``_serializers``).
``DrfPasetoConfig.ready()`` imports this package when drf-spectacular is installed, and the
extensions register themselves; settings are read while the schema is generated.
docs/openapi.md describes what the schema shows and how to extend it: a project documents
its own views, or subclasses of ours, with the serializers below.
"""

from drf_paseto.contrib.spectacular import _schemes, _views  # noqa: F401  (registration)
from drf_paseto.contrib.spectacular._serializers import (
    AccessTokenSerializer,
    ErrorSerializer,
    LogoutSerializer,
    PublicKeysResponseSerializer,
    TokenPairSerializer,
    TokenVerifyResponseSerializer,
    ValidationErrorSerializer,
)

__all__ = [
    "AccessTokenSerializer",
    "ErrorSerializer",
    "LogoutSerializer",
    "PublicKeysResponseSerializer",
    "TokenPairSerializer",
    "TokenVerifyResponseSerializer",
    "ValidationErrorSerializer",
]
