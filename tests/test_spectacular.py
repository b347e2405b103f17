"""The OpenAPI extension (drf_paseto/contrib/spectacular/) and the example project's schema.

Every schema is generated with drf-spectacular's own generator, and every generation must be
free of drf-spectacular warnings and errors.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from typing import Any
from unittest import mock

from django.conf import settings
from django.core.management import call_command
from django.test import SimpleTestCase, modify_settings, override_settings
from django.urls import include, path
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

import drf_paseto
from drf_paseto import views as paseto_views
from drf_paseto.authentication import PasetoAuthentication, PasetoRefreshAuthentication
from drf_paseto.permissions import IsAccessToken, IsRefreshToken
from drf_paseto.serializers import TokenVerifySerializer
from tests.helpers import modules_holding, paseto_settings

try:
    import drf_spectacular
except ImportError:  # pragma: no cover - the "spectacular" extra is not installed
    drf_spectacular = None

ROOT = Path(__file__).resolve().parent.parent
SPECTACULAR_REST_FRAMEWORK = {
    **settings.REST_FRAMEWORK,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
ACCESS = [{"PasetoAuth": []}]
REFRESH_OR_BODY = [{"PasetoRefreshAuth": []}, {}]
ANY_TOKEN_OR_BODY = [{"PasetoAnyTokenAuth": []}, {}]
NONE = [{}]


class UserSerializer(serializers.Serializer[Any]):
    user = serializers.CharField()


class ProtectedView(GenericAPIView[Any]):
    permission_classes = [IsAccessToken]
    serializer_class = UserSerializer

    def get(self, request: Request) -> Response:
        return Response({"user": request.user.get_username()})


class CustomAuthentication(PasetoAuthentication):
    """A project's subclass: documented as the access-token scheme."""


class CustomRefreshAuthentication(PasetoRefreshAuthentication):
    """A project's subclass: documented as the refresh-token scheme."""


class CustomAuthView(ProtectedView):
    authentication_classes = [CustomAuthentication]


class CustomRefreshView(ProtectedView):
    authentication_classes = [CustomRefreshAuthentication]
    permission_classes = [IsRefreshToken]


urlpatterns = [
    path("auth/", include("drf_paseto.urls")),
    path("protected/", ProtectedView.as_view()),
    path("custom/", CustomAuthView.as_view()),
    path("custom-refresh/", CustomRefreshView.as_view()),
]


@unittest.skipIf(drf_spectacular is None, "drf-spectacular is not installed")
@override_settings(REST_FRAMEWORK=SPECTACULAR_REST_FRAMEWORK)
class SchemaTestCase(SimpleTestCase):
    def generate(self) -> dict[str, Any]:
        from drf_spectacular.drainage import GENERATOR_STATS
        from drf_spectacular.generators import SchemaGenerator
        from drf_spectacular.validation import validate_schema

        GENERATOR_STATS.reset()
        with GENERATOR_STATS.silence():
            schema: dict[str, Any] = SchemaGenerator(patterns=urlpatterns).get_schema(
                request=None, public=True
            )
        messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
        GENERATOR_STATS.reset()
        self.assertEqual(messages, [], "drf-spectacular warned")
        validate_schema(schema)  # a valid OpenAPI 3 document
        return schema

    def operation(self, schema: dict[str, Any], url: str, method: str = "post") -> Any:
        return schema["paths"][url][method]

    def component(self, schema: dict[str, Any], ref: dict[str, str]) -> Any:
        prefix = "#/components/schemas/"
        self.assertTrue(ref["$ref"].startswith(prefix), ref)
        return schema["components"]["schemas"][ref["$ref"][len(prefix) :]]

    def body(self, schema: dict[str, Any], url: str, status: str, method: str = "post") -> Any:
        response = self.operation(schema, url, method)["responses"][status]
        return self.component(schema, response["content"]["application/json"]["schema"])

    def request_body(self, schema: dict[str, Any], url: str) -> Any:
        request = self.operation(schema, url)["requestBody"]
        return self.component(schema, request["content"]["application/json"]["schema"])


class RegistrationTests(SchemaTestCase):
    def test_ready_imports_the_extension(self) -> None:
        from drf_spectacular.extensions import (
            OpenApiAuthenticationExtension,
            OpenApiViewExtension,
        )

        self.assertIn("drf_paseto.contrib.spectacular", sys.modules)
        schemes = sys.modules["drf_paseto.contrib.spectacular._schemes"]
        views = sys.modules["drf_paseto.contrib.spectacular._views"]
        self.assertIn(schemes.PasetoAuthenticationScheme, OpenApiAuthenticationExtension._registry)
        self.assertIn(views.LogoutViewSchema, OpenApiViewExtension._registry)

    def test_only_the_extension_imports_drf_spectacular(self) -> None:
        self.assertEqual(
            modules_holding("drf_spectacular"),
            {"drf_paseto.contrib.spectacular._schemes", "drf_paseto.contrib.spectacular._views"},
        )

    def test_views_are_not_modified(self) -> None:
        self.generate()
        for view in (
            paseto_views.TokenObtainView,
            paseto_views.TokenRefreshView,
            paseto_views.TokenVerifyView,
            paseto_views.PublicKeysView,
            paseto_views.LogoutView,
            paseto_views.LogoutAllView,
        ):
            self.assertNotIn("schema", vars(view), view)
            self.assertNotIn("_spectacular_annotation", vars(view), view)


class SecuritySchemeTests(SchemaTestCase):
    def test_bearer_schemes(self) -> None:
        schemes = self.generate()["components"]["securitySchemes"]
        # One scheme per authenticator class; a subclass has its class name appended.
        self.assertEqual(
            set(schemes),
            {
                "PasetoAuth",
                "PasetoRefreshAuth",
                "PasetoAnyTokenAuth",
                "PasetoAuth_CustomAuthentication",
                "PasetoRefreshAuth_CustomRefreshAuthentication",
            },
        )
        for name, token in (
            ("PasetoAuth", "access"),
            ("PasetoRefreshAuth", "refresh"),
            ("PasetoAnyTokenAuth", "access or refresh"),
            ("PasetoAuth_CustomAuthentication", "access"),
            ("PasetoRefreshAuth_CustomRefreshAuthentication", "refresh"),
        ):
            scheme = schemes[name]
            self.assertEqual(
                {k: scheme[k] for k in ("type", "scheme", "bearerFormat")},
                {"type": "http", "scheme": "bearer", "bearerFormat": "PASETO"},
            )
            self.assertIn(f"{token} token", scheme["description"])
            self.assertIn("Authorization: Bearer <token>", scheme["description"])

    def test_which_views_require_which_scheme(self) -> None:
        schema = self.generate()
        expected = {
            ("/protected/", "get"): ACCESS,
            ("/custom/", "get"): [{"PasetoAuth_CustomAuthentication": []}],
            ("/custom-refresh/", "get"): [{"PasetoRefreshAuth_CustomRefreshAuthentication": []}],
            ("/auth/refresh/", "post"): REFRESH_OR_BODY,
            ("/auth/logout/", "post"): ANY_TOKEN_OR_BODY,
            ("/auth/logout/all/", "post"): ANY_TOKEN_OR_BODY,
            ("/auth/login/", "post"): NONE,
            ("/auth/verify/", "post"): NONE,
            ("/auth/keys/", "get"): NONE,
        }
        for (url, method), security in expected.items():
            self.assertEqual(self.operation(schema, url, method)["security"], security, url)

    def test_cookie_schemes_when_cookies_are_a_location(self) -> None:
        with paseto_settings(TOKEN_LOCATION=["headers", "cookies"]):
            schema = self.generate()
        schemes = schema["components"]["securitySchemes"]
        self.assertEqual(
            {k: schemes["PasetoCookieAuth"][k] for k in ("type", "in", "name")},
            {"type": "apiKey", "in": "cookie", "name": "access_token_cookie"},
        )
        self.assertEqual(schemes["PasetoRefreshCookieAuth"]["name"], "refresh_token_cookie")
        self.assertIn("X-CSRF-Token", schemes["PasetoCookieAuth"]["description"])
        self.assertIn("csrf_access_token", schemes["PasetoCookieAuth"]["description"])
        self.assertEqual(
            self.operation(schema, "/protected/", "get")["security"],
            [{"PasetoAuth": []}, {"PasetoCookieAuth": []}],
        )
        refresh = self.operation(schema, "/auth/refresh/", "post")["security"]
        self.assertIn({"PasetoRefreshCookieAuth": []}, refresh)
        # The logout views read the access cookie, then the refresh cookie.
        self.assertEqual(
            self.operation(schema, "/auth/logout/", "post")["security"],
            [
                {"PasetoAnyTokenAuth": []},
                {"PasetoAnyTokenCookieAuth": []},
                {"PasetoAnyTokenRefreshCookieAuth": []},
                {},
            ],
        )
        self.assertEqual(schemes["PasetoAnyTokenRefreshCookieAuth"]["name"], "refresh_token_cookie")

    def test_cookie_scheme_without_csrf(self) -> None:
        with paseto_settings(TOKEN_LOCATION=["cookies"], COOKIE_CSRF_PROTECT=False):
            schemes = self.generate()["components"]["securitySchemes"]
        self.assertNotIn("CSRF", schemes["PasetoCookieAuth"]["description"])

    def test_bearer_in_lower_case(self) -> None:
        with paseto_settings(HEADER_NAME="authorization", HEADER_TYPE="bearer"):
            schemes = self.generate()["components"]["securitySchemes"]
        self.assertEqual(schemes["PasetoAuth"]["type"], "http")

    def test_another_prefix_is_an_api_key_header(self) -> None:
        with paseto_settings(HEADER_TYPE="PASETO"):
            schema = self.generate()
        scheme = schema["components"]["securitySchemes"]["PasetoAuth"]
        self.assertEqual(
            {k: scheme[k] for k in ("type", "in", "name")},
            {"type": "apiKey", "in": "header", "name": "Authorization"},
        )
        self.assertIn('"PASETO <token>"', scheme["description"])
        refresh = self.operation(schema, "/auth/refresh/")["description"]
        self.assertIn("`Authorization: PASETO <refresh_token>`", refresh)

    def test_another_header_is_an_api_key_header(self) -> None:
        with paseto_settings(HEADER_NAME="X-Auth-Token", HEADER_TYPE="Bearer"):
            schemes = self.generate()["components"]["securitySchemes"]
        for name in ("PasetoAuth", "PasetoRefreshAuth"):
            scheme = schemes[name]
            self.assertEqual((scheme["type"], scheme["in"]), ("apiKey", "header"))
            # drf-spectacular's builder capitalizes the name (header names ignore case).
            self.assertEqual(scheme["name"], "X-auth-token")
            self.assertIn('"Bearer <token>"', scheme["description"])

    def test_no_prefix(self) -> None:
        with paseto_settings(HEADER_NAME="X-Token", HEADER_TYPE=""):
            schema = self.generate()
        scheme = schema["components"]["securitySchemes"]["PasetoAuth"]
        self.assertEqual(
            (scheme["type"], scheme["in"], scheme["name"]), ("apiKey", "header", "X-token")
        )
        self.assertIn("no prefix", scheme["description"])
        logout = self.operation(schema, "/auth/logout/")["description"]
        self.assertIn("`X-Token: <token>`", logout)

    def test_a_projects_own_extension_wins(self) -> None:
        from drf_spectacular.extensions import OpenApiAuthenticationExtension

        class ProjectScheme(OpenApiAuthenticationExtension):
            target_class = CustomAuthentication
            name = "ProjectAuth"

            def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
                return {"type": "apiKey", "in": "header", "name": "X-Project"}

        try:
            schema = self.generate()
        finally:
            OpenApiAuthenticationExtension._registry.remove(ProjectScheme)
        self.assertEqual(
            self.operation(schema, "/custom/", "get")["security"], [{"ProjectAuth": []}]
        )
        self.assertEqual(self.operation(schema, "/protected/", "get")["security"], ACCESS)

    def test_no_cookie_scheme(self) -> None:
        schemes = self.generate()["components"]["securitySchemes"].values()
        self.assertFalse([s for s in schemes if s.get("in") == "cookie"])


class TokenViewTests(SchemaTestCase):
    def assertErrors(self, schema: dict[str, Any], url: str, statuses: dict[str, str]) -> None:
        responses = self.operation(schema, url, "get" if url.endswith("keys/") else "post")[
            "responses"
        ]
        for status, component in statuses.items():
            ref = responses[status]["content"]["application/json"]["schema"]
            self.assertEqual(ref, {"$ref": f"#/components/schemas/{component}"}, (url, status))
            self.assertTrue(responses[status]["description"], (url, status))

    def test_error_schemas(self) -> None:
        schemas = self.generate()["components"]["schemas"]
        self.assertEqual(set(schemas["Error"]["properties"]), {"detail", "code"})
        self.assertEqual(set(schemas["Error"]["required"]), {"detail", "code"})
        validation = schemas["ValidationError"]
        self.assertEqual(set(validation["properties"]), {"detail", "code", "errors"})
        self.assertEqual(set(validation["required"]), {"detail", "code"})
        self.assertEqual(validation["properties"]["errors"]["type"], "object")

    def test_error_responses(self) -> None:
        schema = self.generate()
        token_errors = {"400": "ValidationError", "401": "Error", "503": "Error"}
        for url in ("/auth/login/", "/auth/refresh/", "/auth/verify/"):
            self.assertErrors(schema, url, token_errors)
        revoke_errors = {"400": "Error", "401": "Error", "404": "Error", "503": "Error"}
        for url in ("/auth/logout/", "/auth/logout/all/"):
            self.assertErrors(schema, url, revoke_errors)
        self.assertErrors(schema, "/auth/keys/", {"503": "Error"})

    def test_login(self) -> None:
        schema = self.generate()
        request = self.request_body(schema, "/auth/login/")
        self.assertEqual(set(request["properties"]), {"username", "password"})
        self.assertEqual(set(request["required"]), {"username", "password"})
        self.assertTrue(self.operation(schema, "/auth/login/")["requestBody"]["required"])
        response = self.body(schema, "/auth/login/", "200")
        self.assertEqual(set(response["properties"]), {"access_token", "refresh_token"})
        self.assertEqual(set(response["required"]), {"access_token", "refresh_token"})

    def test_login_follows_the_serializer_class(self) -> None:
        with mock.patch.object(
            paseto_views.TokenObtainView, "serializer_class", TokenVerifySerializer
        ):
            schema = self.generate()
        self.assertEqual(set(self.request_body(schema, "/auth/login/")["properties"]), {"token"})

    def test_refresh(self) -> None:
        schema = self.generate()
        operation = self.operation(schema, "/auth/refresh/")
        self.assertNotIn("required", operation["requestBody"])  # the header will do
        request = self.request_body(schema, "/auth/refresh/")
        self.assertEqual(set(request["properties"]), {"refresh_token"})
        self.assertNotIn("required", request)
        self.assertIn("Authorization: Bearer <refresh_token>", operation["description"])
        self.assertIn('{"refresh_token": "<refresh_token>"}', operation["description"])
        response = self.body(schema, "/auth/refresh/", "200")
        self.assertEqual(set(response["properties"]), {"access_token"})
        self.assertNotIn("token_reused", operation["responses"]["401"]["description"])

    def test_refresh_with_rotation(self) -> None:
        with paseto_settings(ROTATE_REFRESH_TOKENS=True):
            schema = self.generate()
        response = self.body(schema, "/auth/refresh/", "200")
        self.assertEqual(set(response["properties"]), {"access_token", "refresh_token"})
        operation = self.operation(schema, "/auth/refresh/")
        self.assertIn("rotated", operation["description"])
        self.assertIn("token_reused", operation["responses"]["401"]["description"])

    def test_refresh_json_key(self) -> None:
        with paseto_settings(REFRESH_JSON_KEY="refresh"):
            schema = self.generate()
        for url in ("/auth/refresh/", "/auth/logout/", "/auth/logout/all/"):
            self.assertEqual(set(self.request_body(schema, url)["properties"]), {"refresh"}, url)
            self.assertIn('{"refresh": ', self.operation(schema, url)["description"], url)

    def test_media_types_are_the_ones_each_view_reads(self) -> None:
        schema = self.generate()
        form = {"application/x-www-form-urlencoded", "multipart/form-data"}
        for url in ("/auth/refresh/", "/auth/logout/", "/auth/logout/all/"):
            content = self.operation(schema, url)["requestBody"]["content"]
            self.assertEqual(set(content), {"application/json"}, url)
        for url in ("/auth/login/", "/auth/verify/"):  # their serializers read forms too
            content = self.operation(schema, url)["requestBody"]["content"]
            self.assertLessEqual({"application/json", *form}, set(content), url)
        verify = self.operation(schema, "/auth/verify/")
        self.assertIn("Authorization: Bearer <token>", verify["description"])

    def test_verify(self) -> None:
        schema = self.generate()
        request = self.request_body(schema, "/auth/verify/")
        self.assertEqual(request["required"], ["token"])
        response = self.body(schema, "/auth/verify/", "200")
        self.assertEqual(set(response["properties"]), {"token_type", "expires_at"})
        self.assertEqual(response["properties"]["expires_at"]["format"], "date-time")

    def test_keys(self) -> None:
        schema = self.generate()
        self.assertEqual(set(schema["paths"]["/auth/keys/"]), {"get"})
        self.assertNotIn("requestBody", self.operation(schema, "/auth/keys/", "get"))
        response = self.body(schema, "/auth/keys/", "200", "get")
        items = self.component(schema, response["properties"]["keys"]["items"])
        self.assertEqual(
            set(items["properties"]), {"kid", "paserk", "version", "purpose", "current"}
        )

    def test_logout(self) -> None:
        schema = self.generate()
        for url in ("/auth/logout/", "/auth/logout/all/"):
            operation = self.operation(schema, url)
            self.assertEqual(operation["responses"]["204"], {"description": "Revoked."}, url)
            self.assertNotIn("200", operation["responses"])
            self.assertNotIn("required", operation["requestBody"])
            self.assertEqual(set(self.request_body(schema, url)["properties"]), {"refresh_token"})
        self.assertNotEqual(
            self.operation(schema, "/auth/logout/")["summary"],
            self.operation(schema, "/auth/logout/all/")["summary"],
        )

    def test_sessions(self) -> None:
        schema = self.generate()
        listing = self.body(schema, "/auth/sessions/", "200", "get")
        items = listing["properties"]["sessions"]["items"]
        self.assertEqual(
            set(self.component(schema, items)["properties"]),
            {"id", "current", "created_at", "last_used_at", "expires_at", "user_agent", "ip"},
        )
        ending = self.operation(schema, "/auth/sessions/{session_id}/", "delete")
        self.assertEqual(set(ending["responses"]), {"204", "401", "404", "503"})
        self.assertEqual(ending["parameters"][0]["name"], "session_id")
        others = self.operation(schema, "/auth/logout/others/")
        self.assertEqual(set(others["responses"]), {"204", "401", "404", "503"})
        self.assertNotIn("requestBody", others)
        for url, method in (
            ("/auth/sessions/", "get"),
            ("/auth/sessions/{session_id}/", "delete"),
            ("/auth/logout/others/", "post"),
        ):
            security = self.operation(schema, url, method)["security"]
            self.assertIn({"PasetoAuth": []}, security, url)

    def test_spectacular_command_fails_on_no_warning(self) -> None:
        from drf_spectacular.management.commands.spectacular import Command

        with tempfile.TemporaryDirectory() as tmp, override_settings(ROOT_URLCONF=__name__):
            target = Path(tmp) / "schema.yml"
            call_command(Command(), "--fail-on-warn", "--validate", "--file", str(target))
            text = target.read_text()
        self.assertIn("PasetoAuth:", text)
        self.assertIn("bearerFormat: PASETO", text)


@unittest.skipIf(drf_spectacular is None, "drf-spectacular is not installed")
@override_settings(ROOT_URLCONF="example_project.urls", REST_FRAMEWORK=SPECTACULAR_REST_FRAMEWORK)
@modify_settings(INSTALLED_APPS={"append": "drf_spectacular"})
class ExampleProjectSchemaTests(SimpleTestCase):
    """The example project's URLconf, served under the test settings."""

    def test_the_root_leads_to_the_demo_page(self) -> None:
        response = self.client.get("/")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], "/demo/")

    def test_schema_as_yaml(self) -> None:
        response = self.client.get("/schema/")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("application/vnd.oai.openapi"))
        text = response.content.decode()
        self.assertTrue(text.startswith("openapi: 3."))
        for fragment in ("/login/:", "/logout/all/:", "/protected/:", "PasetoAuth:"):
            self.assertIn(fragment, text)

    def test_schema_as_json(self) -> None:
        response = self.client.get("/schema/", {"format": "json"})
        self.assertEqual(response.status_code, 200)
        schema = response.json()
        self.assertEqual(schema["paths"]["/fresh/"]["get"]["security"], ACCESS)
        responses = schema["paths"]["/fresh/"]["get"]["responses"]
        self.assertEqual(set(responses), {"200", "401", "403"})

    def test_swagger_ui(self) -> None:
        response = self.client.get("/docs/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "swagger-ui")
        self.assertContains(response, "/schema/")


class ExampleProjectCommandTests(SimpleTestCase):
    """The example project under its own settings, in a separate process."""

    def run_example(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "example_project.settings"}
        return subprocess.run(
            [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True
        )

    @unittest.skipIf(drf_spectacular is None, "drf-spectacular is not installed")
    def test_spectacular_fail_on_warn(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "schema.yml"
            done = self.run_example(
                "manage.py", "spectacular", "--fail-on-warn", "--validate", "--file", str(target)
            )
            self.assertEqual(done.returncode, 0, done.stderr)
            text = target.read_text()
        self.assertIn("title: drf_paseto example project", text)
        self.assertIn(f"version: {drf_paseto.__version__}", text)
        self.assertNotIn("/schema/:", text)  # SERVE_INCLUDE_SCHEMA is off

    def test_runs_without_drf_spectacular(self) -> None:
        script = (
            "import sys; sys.modules['drf_spectacular'] = None\n"
            "import django; django.setup()\n"
            "from django.conf import settings\n"
            "from django.urls import Resolver404, resolve\n"
            "assert 'drf_spectacular' not in settings.INSTALLED_APPS\n"
            "assert 'DEFAULT_SCHEMA_CLASS' not in settings.REST_FRAMEWORK\n"
            "assert 'drf_paseto.contrib.spectacular' not in sys.modules\n"
            "resolve('/login/')\n"
            "try:\n"
            "    resolve('/schema/')\n"
            "except Resolver404:\n"
            "    print('ok')\n"
        )
        done = self.run_example("-c", script)
        self.assertEqual((done.returncode, done.stdout.strip()), (0, "ok"), done.stderr)
