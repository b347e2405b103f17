"""A resource service beside the example project (docs/many-services.md).

It accepts the example issuer's tokens without a key or a user table of its own: the keys
come from the issuer's ``keys/`` (``KEYS_URL``), ``request.user`` is a ``TokenUser``
(``PasetoStatelessAuthentication``), and revocation is the issuer's, read from its Redis
copy (``SharedRedisStore``, when ``PASETO_DENYLIST_REDIS_URL`` is set) or asked of its
``introspect/`` (``IntrospectionStore``). ``make demo`` prints how to start both.

    DJANGO_SETTINGS_MODULE=example_project.resource_settings \\
        python manage.py runserver 127.0.0.1:8001
"""

from example_project.settings import *  # noqa: F403 - the same project, another role
from example_project.settings import REST_FRAMEWORK, env

ROOT_URLCONF = "example_project.resource_urls"
# No database of its own is ever read: an in-memory one keeps Django's machinery content.
DATABASES = {"default": env.db("RESOURCE_DATABASE_URL", default="sqlite://:memory:")}

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_AUTHENTICATION_CLASSES": ["drf_paseto.authentication.PasetoStatelessAuthentication"],
}

ISSUER = env.str("PASETO_ISSUER_URL", default="http://127.0.0.1:8000").rstrip("/")
SHARED_REDIS = env.str("PASETO_DENYLIST_REDIS_URL", default=None)

DRF_PASETO = {
    "PURPOSE": "public",
    "KEYS_URL": f"{ISSUER}/keys/",
    "KEYS_MAX_AGE_SECONDS": env.int("PASETO_KEYS_MAX_AGE_SECONDS", default=300),
    "DENYLIST_ENABLED": True,
    "DENYLIST_STORE": (
        "drf_paseto.introspection.SharedRedisStore"
        if SHARED_REDIS
        else "drf_paseto.introspection.IntrospectionStore"
    ),
    "DENYLIST_REDIS_URL": SHARED_REDIS,
    "INTROSPECT_URL": f"{ISSUER}/introspect/",
    "INTROSPECT_CLIENT_ID": "resource",
    "INTROSPECT_CLIENT_SECRET": env.str(
        "PASETO_INTROSPECT_SECRET", default="demo-only-introspection-secret-change-me-0123"
    ),
    "INTROSPECT_CACHE_SECONDS": env.int("PASETO_INTROSPECT_CACHE_SECONDS", default=5),
}
