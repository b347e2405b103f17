"""drf_paseto._request: reading a request's body, its headers and its token locations."""

from __future__ import annotations

from django.test import SimpleTestCase
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from drf_paseto._request import (
    as_locations,
    header_meta_key,
    is_token_text,
    read_request_data,
    token_from_authorization,
    token_locations_of,
)
from tests.helpers import paseto_settings, raises_code


class RequestTests(SimpleTestCase):
    def test_header_meta_key(self) -> None:
        self.assertEqual(header_meta_key("Authorization"), "HTTP_AUTHORIZATION")
        self.assertEqual(header_meta_key("X-Auth-Token"), "HTTP_X_AUTH_TOKEN")
        self.assertEqual(header_meta_key("x-auth-token"), "HTTP_X_AUTH_TOKEN")

    def test_token_from_authorization(self) -> None:
        self.assertEqual(token_from_authorization("Bearer v4.local.a-b_c"), "v4.local.a-b_c")
        self.assertEqual(token_from_authorization("bearer   v4.local.x  "), "v4.local.x")
        for other in ("Basic abc", "Token v4.local.x", "", "Bearerv4.local.x"):
            with self.subTest(header=other):
                self.assertIsNone(token_from_authorization(other))
        for bad in ("Bearer", "Bearer ", "Bearer\tv4.local.x", "Bearer a b", "Bearer a+b"):
            with self.subTest(header=bad), raises_code(self, "bad_authorization_header"):
                token_from_authorization(bad)
        with paseto_settings(HEADER_TYPE=""):
            self.assertEqual(token_from_authorization(" v4.local.x "), "v4.local.x")
            with raises_code(self, "bad_authorization_header"):
                token_from_authorization("Bearer v4.local.x")

    def test_is_token_text(self) -> None:
        self.assertTrue(is_token_text("v4.local.AZaz09-_"))
        for bad in ("", " v4", "a+b", "a/b", "a=", "é", "a\n"):
            with self.subTest(value=bad):
                self.assertFalse(is_token_text(bad))

    def test_as_locations(self) -> None:
        self.assertEqual(as_locations("cookies"), ("cookies",))
        self.assertEqual(as_locations(["headers", "json"]), ("headers", "json"))
        self.assertEqual(as_locations(None), ("headers",))
        with paseto_settings(TOKEN_LOCATION="json"):
            self.assertEqual(as_locations(None), ("json",))

    def test_token_locations_of(self) -> None:
        class Getter:
            def get_paseto_token_location(self) -> tuple[str, ...]:
                return ("cookies",)

        class Attribute:
            paseto_token_location = "json"

        self.assertEqual(token_locations_of(Getter()), ("cookies",))
        self.assertEqual(token_locations_of(Attribute()), ("json",))
        self.assertEqual(token_locations_of(None), ("headers",))

    def test_read_request_data(self) -> None:
        factory = APIRequestFactory()
        good = factory.post("/", '{"a": 1}', content_type="application/json")
        self.assertEqual(read_request_data(Request(good, parsers=[JSONParser()])), {"a": 1})
        for body in ('{"a": ', "[" * 100_000):
            with self.subTest(body=body[:10]):
                bad = factory.post("/", body, content_type="application/json")
                with self.assertRaises(exceptions.ParseError) as caught:
                    read_request_data(Request(bad, parsers=[JSONParser()]))
                self.assertEqual(caught.exception.detail, exceptions.ParseError.default_detail)
