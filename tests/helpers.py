"""What more than one test module uses: the API test case, settings, URLs and assertions.

Test modules import these from here, never from each other; fixed keys live in tests/keys.py.
"""

from __future__ import annotations

import contextlib
import hmac
import importlib
import importlib.util
import json
import pkgutil
import secrets
import types
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest import mock, skipUnless

import pyseto
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.checks import CheckMessage, Error, Warning
from django.test import SimpleTestCase, override_settings
from rest_framework import status
from rest_framework.test import APITestCase

from drf_paseto import backend
from drf_paseto._encoding import format_time
from drf_paseto.clock import current_time
from drf_paseto.exceptions import PasetoError
from tests import keys

DROP = object()  # as a value in changes_applied()'s changes: remove the claim


def changes_applied(payload: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with ``changes`` set in it, where a change to ``DROP`` removes the claim."""
    for name, value in changes.items():
        if value is DROP:
            payload.pop(name, None)
        else:
            payload[name] = value
    return payload


def error_codes() -> dict[str, tuple[int, Any]]:
    """Every code drf_paseto's own errors say, with its HTTP status and message. A code two
    classes say is the first's (breadth first): ``TokenError``'s 401 ``token_wrong_type``,
    not the message the permissions answer 403 with."""
    found: dict[str, tuple[int, Any]] = {}
    pending: list[type[PasetoError]] = [PasetoError]
    while pending:
        cls = pending.pop(0)
        if cls.__module__.startswith("drf_paseto."):
            for code, message in cls.messages.items():
                found.setdefault(code, (cls.status_code, message))
        pending.extend(cls.__subclasses__())
    return found


@contextlib.contextmanager
def raises_code(test: SimpleTestCase, code: str) -> Iterator[Any]:
    """Like ``assertRaises``: a ``PasetoError`` with this ``code``."""
    with test.assertRaises(PasetoError) as caught:
        yield caught
    test.assertEqual(caught.exception.code, code)


@contextlib.contextmanager
def compare_digest_calls() -> Iterator[list[tuple[Any, Any]]]:
    """The arguments of every constant-time comparison made while the block runs.

    ``hmac.compare_digest`` and ``secrets.compare_digest`` (the same function under the two
    names that pyseto, Django and drf_paseto call it by) are wrapped: they still compare.
    """
    calls: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def recording(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    with (
        mock.patch("hmac.compare_digest", recording),
        mock.patch("secrets.compare_digest", recording),
    ):
        yield calls


@contextlib.contextmanager
def thread_hops() -> Iterator[list[str]]:
    """The ``sync_to_async`` calls made while the block runs: ``module.qualname`` of each
    function sent to a thread (``SyncToAsync.__call__`` wrapped; the calls still run)."""
    from asgiref.sync import SyncToAsync

    calls: list[str] = []
    real = SyncToAsync.__call__

    async def recording(self: Any, *args: Any, **kwargs: Any) -> Any:
        func = self.func
        calls.append(f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', func)}")
        return await real(self, *args, **kwargs)

    with mock.patch.object(SyncToAsync, "__call__", recording):
        yield calls


def assert_store_hops_only(test: Any, hops: list[str]) -> None:
    """Of the ``thread_hops()`` of an async request with a stateless authenticator, the only
    ones of drf_paseto are the store's read (one ``sync_to_async`` call), and none at all on
    the Redis store, which reads its copy through redis.asyncio (docs/async.md)."""
    ours = [hop for hop in hops if hop.startswith("drf_paseto.")]
    redis_store = getattr(test, "store_settings", {}).get("DENYLIST_STORE") == "redis"
    expected = [] if redis_store else ["drf_paseto.stores.base.RevocationStore.read_token"]
    test.assertEqual(ours, expected, hops)


def modules_holding(package: str) -> set[str]:
    """The modules of drf_paseto that hold a module, class or function of ``package``.

    Every module of drf_paseto is imported, but for those of an extra that is not installed.
    """
    import drf_paseto

    found: set[str] = set()
    for info in pkgutil.walk_packages(drf_paseto.__path__, "drf_paseto."):
        try:
            module = importlib.import_module(info.name)
        except ModuleNotFoundError as err:
            if err.name is None or err.name.startswith("drf_paseto"):
                raise
            continue  # drf_paseto.channels without channels, and the like
        for value in vars(module).values():
            origin = (
                value.__name__
                if isinstance(value, types.ModuleType)
                else getattr(value, "__module__", None)
            )
            if isinstance(origin, str) and origin.split(".")[0] == package:
                found.add(info.name)
    return found


class StrictTestCase(SimpleTestCase):
    @contextlib.contextmanager
    def raises(self, exc_type: type[BaseException], code: str | None = None):
        """assertRaises, but the exception must be exactly ``exc_type`` (and have ``code``)."""
        with self.assertRaises(exc_type) as ctx:
            yield ctx
        self.assertIs(type(ctx.exception), exc_type)
        if code is not None:
            self.assertEqual(ctx.exception.code, code)


# --- system checks ---------------------------------------------------------------------------


def ours(messages: list[CheckMessage]) -> list[CheckMessage]:
    return [m for m in messages if (m.id or "").startswith("drf_paseto.")]


class CheckTestCase(SimpleTestCase):
    def messages(self, config: Any, *, deploy: bool = False) -> list[CheckMessage]:
        """drf_paseto's messages from Django's check framework, with DRF_PASETO = config."""
        with override_settings(DRF_PASETO=config):
            return paseto_check_messages(deploy=deploy)

    def assert_only(self, config: Any, check_id: str, *, deploy: bool = False) -> CheckMessage:
        messages = self.messages(config, deploy=deploy)
        self.assertEqual([m.id for m in messages], [check_id], [m.msg for m in messages])
        message = messages[0]
        self.assertTrue(message.hint, f"{check_id} has no hint")
        self.assertIsInstance(message, Error if ".E" in check_id else Warning)
        return message

    def assert_each_only(self, configs: list[dict[str, Any]], check_id: str) -> None:
        for config in configs:
            with self.subTest(config=config):
                self.assert_only(config, check_id)

    def assert_clean(self, config: Any, *, deploy: bool = True) -> None:
        messages = self.messages(config, deploy=deploy)
        self.assertEqual(messages, [], [m.msg for m in messages])


def paseto_check_messages(*, deploy: bool = False) -> list[CheckMessage]:
    """What drf_paseto's registered checks say under the current settings (``deploy``:
    with the ``check --deploy`` ones), without running Django's or other apps' checks."""
    from django.core.checks.registry import registry

    return [
        message
        for check in registry.get_checks(include_deployment_checks=deploy)
        if check.__module__.startswith("drf_paseto.")
        for message in check(app_configs=None, databases=None)
    ]


def setting_messages() -> list[CheckMessage]:
    """drf_paseto's messages of ``manage.py check`` under the current settings."""
    return paseto_check_messages()


def deploy_messages() -> list[CheckMessage]:
    """drf_paseto's messages that only ``manage.py check --deploy`` adds."""
    everyday = {(m.id, m.msg) for m in setting_messages()}
    return [m for m in paseto_check_messages(deploy=True) if (m.id, m.msg) not in everyday]


def local(**settings: Any) -> dict[str, Any]:
    """A DRF_PASETO with the suite's local key and ``settings``."""
    return {"SECRET_KEY": keys.LOCAL_V4_1, **settings}


# --- the API: users, URLs, settings, and the assertions every error must pass ----------------


USERNAME = "alice"
PASSWORD = "correct-horse-battery-staple-42"
CHALLENGE = 'Bearer realm="api"'

LOGIN_URL = "/auth/login/"
REFRESH_URL = "/auth/refresh/"
VERIFY_URL = "/auth/verify/"
KEYS_URL = "/auth/keys/"
LOGOUT_URL = "/auth/logout/"
LOGOUT_ALL_URL = "/auth/logout/all/"
PROTECTED_URL = "/protected/"
STATELESS_URL = "/stateless/"


def paseto_settings(**overrides: Any) -> override_settings:
    """``override_settings(DRF_PASETO=...)`` on top of the test suite's own DRF_PASETO."""
    return override_settings(DRF_PASETO={"SECRET_KEY": keys.LOCAL_V4_1, **overrides})


def drf_settings(**overrides: Any) -> override_settings:
    """``override_settings(REST_FRAMEWORK=...)`` on top of the test suite's own, such as
    ``drf_settings(NUM_PROXIES=1)``."""
    from django.conf import settings

    return override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, **overrides})


# The configurations the whole flow must work under.
LOCAL_V4 = {"SECRET_KEY": keys.LOCAL_V4_1}
LOCAL_V3 = {"VERSION": 3, "SECRET_KEY": keys.LOCAL_V3_1}
PUBLIC_V4 = {"PURPOSE": "public", "PRIVATE_KEY": keys.SECRET_V4_1}
PUBLIC_V3 = {"PURPOSE": "public", "VERSION": 3, "PRIVATE_KEY": keys.SECRET_V3_1}


def _secret_fragments() -> list[str]:
    """Every local and secret key of tests/keys.py, whole and as its bare key data."""
    fragments: list[str] = []
    for name, value in vars(keys).items():
        if not name.isupper() or not isinstance(value, str):
            continue
        if name.startswith(("LOCAL_", "SECRET_", "PRIVATE_")):
            fragments.append(value)
            if value.startswith("k"):
                fragments.append(value.split(".", 2)[2])
            else:
                fragments.extend(
                    line for line in value.splitlines() if line and not line.startswith("-----")
                )
    return fragments


SECRET_FRAGMENTS = _secret_fragments()
# Also the key material of public keys: an error response has no business showing any key.
KEY_FRAGMENTS = [
    *SECRET_FRAGMENTS,
    *(v for k, v in vars(keys).items() if k.startswith("PUBLIC_") and isinstance(v, str)),
]
SECRET_KEY_PREFIXES = ("k4.secret", "k4.local", "k3.secret", "k3.local", "PRIVATE KEY")

# The exact ``detail`` of every code (the suite runs in English).
MESSAGES: dict[str, str] = {code: str(message) for code, (_, message) in error_codes().items()}
MESSAGES["invalid_request"] = "Invalid request."
#: The hint for a PASETO sent behind another scheme, or none (docs/errors.md).
SEND_AS_BEARER = 'Send the token as "Authorization: Bearer <token>".'
MESSAGES["parse_error"] = "Malformed request."


def response_text(response: Any) -> str:
    """Body and every header of a test-client response, as one string."""
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    return response.content.decode("utf-8", "replace") + "\n" + headers


class TokenAPITestCase(APITestCase):
    """One active user, login/refresh helpers, and the assertions every error must pass."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)

    def setUp(self) -> None:
        super().setUp()
        # Every token the test has seen: none may come back in an error response.
        self.issued: list[str] = []

    # --- helpers --------------------------------------------------------------------------

    def login(self, username: str = USERNAME, password: str = PASSWORD) -> dict[str, str]:
        response = self.client.post(
            LOGIN_URL, {"username": username, "password": password}, format="json"
        )
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)
        tokens: dict[str, str] = response.json()
        self.issued.extend(tokens.values())
        return tokens

    def refresh(self, refresh_token: str) -> str:
        response = self.client.post(REFRESH_URL, **self.bearer(refresh_token))
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)
        access: str = response.json()["access_token"]
        self.issued.append(access)
        return access

    def bearer(self, token: str, scheme: str = "Bearer") -> dict[str, str]:
        self.issued.append(token)
        return {"HTTP_AUTHORIZATION": f"{scheme} {token}"}

    def get_with(self, url: str, token: str | None = None, **extra: Any) -> Any:
        if token is not None:
            extra.update(self.bearer(token))
        return self.client.get(url, **extra)

    # --- assertions -----------------------------------------------------------------------

    def assertNoSecrets(self, response: Any, *secrets: str) -> None:
        text = response_text(response)
        for secret in (PASSWORD, *self.issued, *secrets):
            self.assertNotIn(secret, text)
        for fragment in KEY_FRAGMENTS:
            self.assertNotIn(fragment, text)
        for prefix in SECRET_KEY_PREFIXES:
            self.assertNotIn(prefix, text)

    def assertError(
        self,
        response: Any,
        status_code: int,
        code: str,
        *secrets: str,
        challenge: str | None = CHALLENGE,
    ) -> None:
        """Status, the exact ``{"detail", "code"}`` body, the challenge of a 401, no secret."""
        self.assertEqual(response.status_code, status_code, response.content)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertEqual(response.json(), {"detail": MESSAGES[code], "code": code})
        if status_code == status.HTTP_401_UNAUTHORIZED:
            self.assertEqual(response["WWW-Authenticate"], challenge)
        else:
            self.assertFalse(response.has_header("WWW-Authenticate"))
        self.assertNoSecrets(response, *secrets)

    def assertNotAuthenticated(
        self,
        response: Any,
        *secrets: str,
        challenge: str | None = CHALLENGE,
        hint: str | None = None,
    ) -> None:
        """401 from DRF's ``permission_denied``: no credentials on a view that needs some.

        DRF words this one itself (as for ``IsAuthenticated``): its body carries a ``code``
        through drf_paseto's exception handler, which the test settings install as the
        README does (without it: tests/test_exceptions.py); ``hint``: the ``detail`` that
        says what to send instead (docs/errors.md, hints for habits from Simple JWT).
        """
        self.assertEqual(response.status_code, status.HTTP_401_UNAUTHORIZED, response.content)
        body = {"detail": hint or MESSAGES["not_authenticated"], "code": "not_authenticated"}
        self.assertEqual(response.json(), body)
        self.assertEqual(response["WWW-Authenticate"], challenge)
        self.assertNoSecrets(response, *secrets)

    def assertCodedError(self, response: Any, status_code: int, code: str, *secrets: str) -> None:
        """An error DRF words itself: ``{"detail": <any text>, "code": code}``."""
        self.assertEqual(response.status_code, status_code, response.content)
        body = response.json()
        self.assertEqual(set(body), {"detail", "code"})
        self.assertIsInstance(body["detail"], str)
        self.assertEqual(body["code"], code)
        self.assertNoSecrets(response, *secrets)

    def assertInvalidRequest(
        self, response: Any, fields: set[str], *secrets: str
    ) -> dict[str, Any]:
        """400 ``{"detail", "code": "invalid_request", "errors": {field: [...]}}``."""
        self.assertEqual(response.status_code, status.HTTP_400_BAD_REQUEST, response.content)
        body = response.json()
        self.assertEqual(set(body), {"detail", "code", "errors"})
        self.assertEqual(body["detail"], MESSAGES["invalid_request"])
        self.assertEqual(body["code"], "invalid_request")
        self.assertEqual(set(body["errors"]), fields)
        for messages in body["errors"].values():
            self.assertIsInstance(messages, list)
            self.assertTrue(all(isinstance(m, str) for m in messages))
        self.assertFalse(response.has_header("WWW-Authenticate"))
        self.assertNoSecrets(response, *secrets)
        errors: dict[str, Any] = body["errors"]
        return errors

    def assertUser(self, response: Any, username: str | None = USERNAME) -> None:
        self.assertEqual(response.status_code, status.HTTP_200_OK, response.content)
        self.assertEqual(response.json(), {"user": username})


# --- forging tokens --------------------------------------------------------------------------


def kid_of(paserk: str) -> str:
    """The kid our layer puts in the footer for tokens of this key."""
    version = int(paserk[1])
    key = backend.key_from_paserk(paserk, version)
    if key.kind == "secret":
        key = backend.public_key_of(key)
    return key.kid


def kid_footer(paserk: str) -> bytes:
    return json.dumps({"kid": kid_of(paserk)}, separators=(",", ":")).encode()


def forge(
    payload: dict[str, Any] | bytes,
    *,
    key: str = keys.LOCAL_V4_1,
    footer: bytes | None = None,
) -> str:
    """A token made by raw pyseto: any payload bytes, any footer, any key it can load."""
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return pyseto.encode(
        pyseto.Key.from_paserk(key), data, kid_footer(key) if footer is None else footer
    ).decode("ascii")


def claims(subject: Any, token_type: str = "access", **changes: Any) -> dict[str, Any]:
    """A valid payload of ``token_type``; a change to ``DROP`` removes the claim."""
    now = current_time()
    payload: dict[str, Any] = {
        "sub": str(subject),
        "type": token_type,
        "jti": uuid.uuid4().hex,
        "sid": uuid.uuid4().hex,
        "iat": format_time(now - timedelta(seconds=5)),
        "exp": format_time(now + timedelta(minutes=10)),
    }
    if token_type == "access":
        payload["fresh"] = False
    return changes_applied(payload, changes)


# --- the revocation store legs (tests/test_revocation.py, test_logout.py, test_rotation.py) ---

REDIS_URL: str = settings.TEST_REDIS_URL
REDIS_SKIP_REASON = (
    'the Redis legs need a Redis server: set DRF_PASETO_TEST_REDIS (eval "$(bash .ci/services.sh)")'
)
HAS_REDIS_PY = importlib.util.find_spec("redis") is not None
# Nothing listens on port 1 of the loopback: connecting is refused at once.
DEAD_REDIS_URL = "redis://127.0.0.1:1/0"


def redis_client() -> Any:
    import redis

    return redis.Redis.from_url(REDIS_URL, decode_responses=True)


#: The commands the clients of ``counting_redis_client`` sent, in order (one round trip each).
REDIS_COMMANDS: list[str] = []
#: How many connections the clients of ``counting_redis_client`` opened. Counted in this
#: process: the server's own counters also see the other test processes of a parallel run.
REDIS_CONNECTIONS: list[int] = [0]


def _count_connection(connection: Any) -> None:
    # redis-py calls this instead of on_connect() once a new connection is up.
    REDIS_CONNECTIONS[0] += 1
    connection.on_connect()


def counting_redis_client() -> Any:
    """A ``DENYLIST_REDIS_CLIENT`` for tests: redis-py's client, counting in ``REDIS_COMMANDS``
    every command it sends (a script is one ``EVALSHA``, whatever it runs inside Redis) and in
    ``REDIS_CONNECTIONS`` every connection it opens."""
    import redis

    class CountingRedis(redis.Redis):
        def execute_command(self, *args: Any, **options: Any) -> Any:
            REDIS_COMMANDS.append(str(args[0]).upper())
            return super().execute_command(*args, **options)

    url = getattr(settings, "DRF_PASETO", {}).get("DENYLIST_REDIS_URL") or REDIS_URL
    return CountingRedis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=2,
        socket_timeout=2,
        redis_connect_func=_count_connection,
    )


def delete_redis_keys(pattern: str) -> None:
    client = redis_client()
    try:
        keys = list(client.scan_iter(match=pattern, count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


# --- the legs ------------------------------------------------------------------------------


class StoreLeg:
    """DENYLIST_ENABLED with this leg's store, for every test."""

    store_settings: dict[str, Any] = {}
    #: Whether the store keeps a copy in front of the database.
    mirrored = True

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        for override in (self.leg_overrides(), self.paseto()):
            if override is not None:
                override.enable()
                self.addCleanup(override.disable)  # type: ignore[attr-defined]
        self.wipe_copy()
        self.addCleanup(self.wipe_copy)  # type: ignore[attr-defined]

    def leg_overrides(self) -> override_settings | None:
        return None

    def revocation_settings(self, **extra: Any) -> dict[str, Any]:
        return {"DENYLIST_ENABLED": True, **self.store_settings, **extra}

    def paseto(self, **extra: Any) -> override_settings:
        """``override_settings`` for this leg with more DRF_PASETO settings."""
        return paseto_settings(**self.revocation_settings(**extra))

    def wipe_copy(self) -> None:
        """Lose everything the store keeps in front of the database."""


class DatabaseLeg(StoreLeg):
    store_settings = {"DENYLIST_STORE": "database"}
    mirrored = False


class LocMemCacheLeg(StoreLeg):
    store_settings = {"DENYLIST_STORE": "cache", "CACHE_ALIAS": "default"}

    def wipe_copy(self) -> None:
        caches["default"].clear()


@skipUnless(REDIS_URL and HAS_REDIS_PY, REDIS_SKIP_REASON)
class RedisCacheLeg(StoreLeg):
    store_settings = {"DENYLIST_STORE": "cache", "CACHE_ALIAS": "revocation"}

    def leg_overrides(self) -> override_settings | None:
        self.key_prefix = f"drf_paseto_tests_{secrets.token_hex(4)}"
        config = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": self.key_prefix,
        }
        return override_settings(CACHES={**settings.CACHES, "revocation": config})

    def wipe_copy(self) -> None:
        delete_redis_keys(f"{self.key_prefix}:*")


@skipUnless(REDIS_URL and HAS_REDIS_PY, REDIS_SKIP_REASON)
class RedisLeg(StoreLeg):
    def setUp(self) -> None:
        self.key_prefix = f"drf_paseto_tests_{secrets.token_hex(4)}"
        self.store_settings = {
            "DENYLIST_STORE": "redis",
            "DENYLIST_REDIS_URL": REDIS_URL,
            "DENYLIST_REDIS_KEY_PREFIX": self.key_prefix,
        }
        super().setUp()

    def wipe_copy(self) -> None:
        delete_redis_keys(f"{self.key_prefix}:*")


REDIS_CLUSTER_URL: str = settings.TEST_REDIS_CLUSTER_URL
REDIS_SENTINEL_URL: str = settings.TEST_REDIS_SENTINEL_URL
REDIS_CLUSTER_SKIP_REASON = (
    "the Redis Cluster and Sentinel legs need DRF_PASETO_TEST_REDIS_CLUSTER and "
    'DRF_PASETO_TEST_REDIS_SENTINEL (eval "$(bash .ci/redis-cluster.sh)")'
)


class _RedisTopologyLeg(StoreLeg):
    """``RedisStore`` on another Redis topology than one server (``DENYLIST_REDIS_CLIENT``)."""

    factory = ""
    url = ""

    def setUp(self) -> None:
        self.key_prefix = f"drf_paseto_tests_{secrets.token_hex(4)}"
        self.store_settings = {
            "DENYLIST_STORE": "redis",
            "DENYLIST_REDIS_URL": self.url,
            "DENYLIST_REDIS_CLIENT": f"drf_paseto.stores.redis.{self.factory}",
            "DENYLIST_REDIS_KEY_PREFIX": self.key_prefix,
        }
        super().setUp()

    def wipe_copy(self) -> None:
        with paseto_settings(**self.store_settings):
            from drf_paseto.stores.redis import _build_client

            client = _build_client()
            try:
                for key in list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000)):
                    client.delete(key)
            finally:
                client.close()


@skipUnless(REDIS_CLUSTER_URL and HAS_REDIS_PY, REDIS_CLUSTER_SKIP_REASON)
class RedisClusterLeg(_RedisTopologyLeg):
    """A real three-node Redis Cluster (redis-py's ``RedisCluster``)."""

    factory = "cluster_client"
    url = REDIS_CLUSTER_URL


@skipUnless(REDIS_SENTINEL_URL and HAS_REDIS_PY, REDIS_CLUSTER_SKIP_REASON)
class RedisSentinelLeg(_RedisTopologyLeg):
    """The master a real Sentinel names (redis-py's ``Sentinel.master_for``)."""

    factory = "sentinel_client"
    url = REDIS_SENTINEL_URL


# --- an issuer's keys/ on loopback (tests/test_keyset.py) ---------------------------------


def self_signed_context() -> Any:
    """A server-side TLS context with a fresh self-signed certificate for 127.0.0.1."""
    import ipaddress
    import ssl
    import tempfile
    from pathlib import Path

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = current_time()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "server.pem"
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            + certificate.public_bytes(serialization.Encoding.PEM)
        )
        context.load_cert_chain(path)
    return context


class KeySetServer:
    """A tiny HTTP server on loopback that answers every request with what the test says:
    ``status``, ``content_type``, ``body`` (bytes) and ``headers``; ``hits`` counts requests,
    ``posts`` keeps the headers and body of each POST.
    ``serve_keys()`` makes the body a ``keys/`` answer. ``stop()`` ends it (refused
    connections from then on, as an issuer that is down).
    ``tls=True`` serves https with a self-signed certificate (which no client trusts).
    ``delay`` (seconds) holds each answer back before its first byte; ``dribble`` (seconds)
    sends the whole answer, status line and headers included, one byte at a time with that
    pause between bytes, as a slow peer or relay does; ``cut_off`` is set when a client
    closes the connection before a dribbled answer is complete."""

    def __init__(self, tls: bool = False) -> None:
        import http.server
        import threading

        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                with server.lock:
                    server.posts.append((dict(self.headers), self.rfile.read(length)))
                self.do_GET()

            def do_GET(self) -> None:
                with server.lock:
                    server.hits += 1
                    status_code, content_type = server.status, server.content_type
                    body, headers = server.body, dict(server.headers)
                    delay, dribble = server.delay, server.dribble
                if delay and server.stopping.wait(delay):
                    return
                if dribble:
                    self.dribble(status_code, content_type, body, headers, dribble)
                    return
                self.send_response(status_code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def dribble(
                self,
                status_code: int,
                content_type: str,
                body: bytes,
                headers: dict[str, str],
                pause: float,
            ) -> None:
                lines = [f"HTTP/1.1 {status_code} OK", f"Content-Type: {content_type}"]
                lines += [f"Content-Length: {len(body)}"]
                lines += [f"{name}: {value}" for name, value in headers.items()]
                answer = "\r\n".join([*lines, "", ""]).encode("latin-1") + body
                try:
                    for index in range(len(answer)):
                        if server.stopping.wait(pause):
                            return
                        self.wfile.write(answer[index : index + 1])
                except OSError:  # the client hung up
                    server.cut_off.set()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.lock = threading.Lock()
        self.hits = 0
        self.posts: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        self.content_type = "application/json"
        self.body = b"{}"
        self.headers: dict[str, str] = {}
        self.delay = 0.0
        self.dribble = 0.0
        self.stopping = threading.Event()
        self.cut_off = threading.Event()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:  # https with a self-signed certificate for 127.0.0.1: no client trusts it
            self.httpd.socket = self_signed_context().wrap_socket(
                self.httpd.socket, server_side=True
            )
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}/auth/keys/"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def serve_keys(self, *paserks: str, current: str | None = None, **extra: Any) -> None:
        """Answer with these public keys (``current`` the current one), as keys/ does."""
        entries = []
        for paserk in paserks:
            version = int(paserk[1])
            key = backend.key_from_paserk(paserk, version)
            public = backend.public_key_of(key) if key.kind == "secret" else key
            entries.append(
                {
                    "kid": public.kid,
                    "paserk": public.public_paserk(),
                    "version": f"v{version}",
                    "purpose": "public",
                    "current": paserk == current,
                    **extra,
                }
            )
        self.answer(json.dumps({"keys": entries}).encode())

    def answer(
        self, body: bytes, status_code: int = 200, content_type: str = "application/json"
    ) -> None:
        with self.lock:
            self.body, self.status, self.content_type = body, status_code, content_type

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()
