"""Settings of the example project, read from the environment through django-environ.

Every value has a development default so that ``make demo`` works on a fresh clone:
SQLite next to this file, a local-memory cache, DEBUG on. Set the variables (or put them in
an ``.env`` file next to manage.py) for anything else.
"""

from pathlib import Path

import environ

import drf_paseto

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="django-insecure-example-project-only-change-me-0123456789abcdef",
)
DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_paseto",
    "example_project",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "example_project.urls"
# Bearer tokens out of error reports on Django 4.2 too (check drf_paseto.W009).
DEFAULT_EXCEPTION_REPORTER_FILTER = "drf_paseto.reporting.PasetoExceptionReporterFilter"
WSGI_APPLICATION = "example_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'example_project' / 'db.sqlite3'}"
    ),
}
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["drf_paseto.authentication.PasetoAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "drf_paseto.exceptions.exception_handler",
}

# OpenAPI through drf-spectacular (the "spectacular" extra), when it is installed: /schema/
# and /docs/ (Swagger UI, whose assets come from a CDN). The project runs without it.
try:
    import drf_spectacular  # noqa: F401
except ImportError:
    pass
else:
    INSTALLED_APPS.append("drf_spectacular")
    REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "drf_spectacular.openapi.AutoSchema"

SPECTACULAR_SETTINGS = {
    "TITLE": "drf_paseto example project",
    "DESCRIPTION": (
        "PASETO access, refresh and fresh-token authentication for Django REST framework: "
        "log in, then send the access token as `Authorization: Bearer <token>`."
    ),
    "VERSION": drf_paseto.__version__,
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

DRF_PASETO = {
    # Unset, the key is derived from DJANGO_SECRET_KEY. `manage.py paseto_keygen` makes one.
    "SECRET_KEY": env.str("PASETO_SECRET_KEY", default=None),
    # The issuer of a resource service (example_project/resource_settings.py, `make demo`
    # prints how): PASETO_PURPOSE=public and PASETO_PRIVATE_KEY from
    # `manage.py paseto_keygen --purpose public`; keys/ then publishes the public key.
    "PURPOSE": env.str("PASETO_PURPOSE", default="local"),
    "PRIVATE_KEY": env.str("PASETO_PRIVATE_KEY", default=None),
    "RETIRED_KEYS": env.list("PASETO_RETIRED_KEYS", default=[]),
    "KEYS_MAX_AGE_SECONDS": env.int("PASETO_KEYS_MAX_AGE_SECONDS", default=300),
    # introspect/ for the resource services: PASETO_INTROSPECT_CLIENT_SECRETS=resource=<secret>
    "INTROSPECT_CLIENT_SECRETS": env.dict("PASETO_INTROSPECT_CLIENT_SECRETS", default={}),
    "ACCESS_TOKEN_EXPIRES": env.int("PASETO_ACCESS_TOKEN_EXPIRES", default=15 * 60),
    "REFRESH_TOKEN_EXPIRES": env.int("PASETO_REFRESH_TOKEN_EXPIRES", default=30 * 24 * 3600),
    # Revocation: logout/ and logout/all/ work, password changes end old sessions.
    "DENYLIST_ENABLED": env.bool("PASETO_DENYLIST_ENABLED", default=True),
    "DENYLIST_STORE": env.str("PASETO_DENYLIST_STORE", default="database"),
    "DENYLIST_REDIS_URL": env.str("PASETO_DENYLIST_REDIS_URL", default=None),
    "ROTATE_REFRESH_TOKENS": env.bool("PASETO_ROTATE_REFRESH_TOKENS", default=False),
    # Header clients (curl) and cookie clients (the demo page at /demo/) side by side.
    "TOKEN_LOCATION": ["headers", "cookies"],
    # Secure cookies need HTTPS; the demo serves plain HTTP on 127.0.0.1 while DEBUG is on.
    "COOKIE_SECURE": env.bool("PASETO_COOKIE_SECURE", default=not DEBUG),
}

# WebSockets (the "channels" extra, docs/websockets.md): ws/echo/ through Django Channels when
# it is installed, served by an ASGI server (`make demo` uses uvicorn or daphne). The HTTP side
# is unchanged. PASETO_WEBSOCKET_TOKEN_LOCATION may add "query" (the least safe location).
try:
    import channels  # noqa: F401
except ImportError:
    pass
else:
    ASGI_APPLICATION = "example_project.asgi.application"
    DRF_PASETO["WEBSOCKET_TOKEN_LOCATION"] = env.list(
        "PASETO_WEBSOCKET_TOKEN_LOCATION", default=["headers", "subprotocol", "cookies"]
    )
    # daphne (autobahn) sends only 1000 and 3000-4999 after the handshake: 4008 there.
    DRF_PASETO["WEBSOCKET_CLOSE_CODE"] = env.int("PASETO_WEBSOCKET_CLOSE_CODE", default=1008)
    # A revoked session's WebSockets close at once (SessionRevocationMixin). The demo is one
    # process; several processes need a shared layer (channels-redis).
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
