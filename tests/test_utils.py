"""drf_paseto/utils.py: the client's address and the Origin rule."""

from __future__ import annotations

from django.test import SimpleTestCase, override_settings
from rest_framework.test import APIRequestFactory

from drf_paseto.utils import _client_ip, _origin_allowed, is_same_origin
from tests.helpers import drf_settings

factory = APIRequestFactory()


def proxies(count: object) -> override_settings:
    return drf_settings(NUM_PROXIES=count)


class ClientIPTests(SimpleTestCase):
    def ip(self, **meta: str) -> str:
        return _client_ip(factory.get("/", **meta))

    def test_the_connecting_address_by_default(self) -> None:
        self.assertEqual(
            self.ip(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4"), "10.0.0.1"
        )
        self.assertEqual(self.ip(REMOTE_ADDR="::ffff:0:1"), "::ffff:0:1")
        self.assertEqual(self.ip(REMOTE_ADDR="not an address"), "")

    def test_trusted_proxies(self) -> None:
        forwarded = "9.9.9.9, 1.1.1.1 , 10.0.0.2"
        with proxies(1):
            self.assertEqual(self.ip(HTTP_X_FORWARDED_FOR=forwarded), "10.0.0.2")
        with proxies(2):
            self.assertEqual(self.ip(HTTP_X_FORWARDED_FOR=forwarded), "1.1.1.1")
            # Shorter than the chain, or not an address: the connecting address.
            self.assertEqual(self.ip(HTTP_X_FORWARDED_FOR="1.1.1.1"), "127.0.0.1")
            self.assertEqual(self.ip(HTTP_X_FORWARDED_FOR="x" * 5000 + ", 1.1.1.1"), "127.0.0.1")
        for count in (0, None, -1, "1", True):
            with self.subTest(count=count), proxies(count):
                self.assertEqual(self.ip(HTTP_X_FORWARDED_FOR=forwarded), "127.0.0.1")

    def test_drf_default_none_is_not_believing_the_header(self) -> None:
        # DRF's own default (None: the whole header decides) is never taken.
        with proxies(None):
            self.assertEqual(self.ip(HTTP_X_FORWARDED_FOR="1.1.1.1"), "127.0.0.1")


class OriginTests(SimpleTestCase):
    def test_origin_allowed(self) -> None:
        trusted = ["https://app.example.com", "https://*.example.org", "http://localhost:3000"]
        for origin, scheme, host, allowed in (
            ("https://api.example.com", "https", "api.example.com", True),
            ("HTTPS://API.example.com", "https", "api.EXAMPLE.com", True),
            ("http://api.example.com", "https", "api.example.com", False),
            ("https://api.example.com", "http", "api.example.com", False),
            ("https://api.example.com:8443", "https", "api.example.com", False),
            ("https://api.example.com", "https", None, False),
            ("https://app.example.com", "https", "api.example.com", True),
            ("http://localhost:3000", "https", "api.example.com", True),
            ("http://localhost:3001", "https", "api.example.com", False),
            ("https://a.b.example.org", "https", "api.example.com", True),
            ("https://example.org", "https", "api.example.com", True),
            ("http://a.example.org", "https", "api.example.com", False),
            ("https://evilexample.org", "https", "api.example.com", False),
            ("null", "https", "api.example.com", False),
            ("https://[::1", "https", "api.example.com", False),
        ):
            with self.subTest(origin=origin, scheme=scheme, host=host):
                self.assertEqual(_origin_allowed(origin, scheme, host, trusted), allowed)

    def test_is_same_origin(self) -> None:
        def same(**meta: str) -> bool:
            return is_same_origin(factory.post("/", **meta))

        self.assertTrue(same())
        self.assertTrue(same(HTTP_ORIGIN="http://testserver"))
        self.assertFalse(same(HTTP_ORIGIN="https://testserver"))
        self.assertTrue(same(HTTP_ORIGIN="https://testserver", secure=True))  # type: ignore[arg-type]
        self.assertFalse(same(HTTP_ORIGIN="http://testserver", HTTP_HOST="evil.example"))
        self.assertTrue(same(HTTP_SEC_FETCH_SITE="same-origin"))
        self.assertTrue(same(HTTP_SEC_FETCH_SITE="none"))
        self.assertFalse(same(HTTP_SEC_FETCH_SITE="same-site"))
        self.assertFalse(same(HTTP_SEC_FETCH_SITE="cross-site"))
        with self.settings(CSRF_TRUSTED_ORIGINS=["https://app.example.com"]):
            self.assertTrue(same(HTTP_ORIGIN="https://app.example.com"))
