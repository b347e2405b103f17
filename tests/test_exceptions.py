"""Errors (drf_paseto/exceptions.py): stable codes, the DRF exceptions they become, and the
optional project-wide exception handler."""

from __future__ import annotations

import json
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.test import SimpleTestCase, override_settings
from django.urls import include, path
from django.utils import translation
from rest_framework import exceptions as drf_exceptions
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, BaseThrottle
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from drf_paseto import exceptions as paseto_exceptions
from drf_paseto.authentication import PasetoAuthentication
from drf_paseto.exceptions import (
    Forbidden,
    KeyConfigurationError,
    PasetoAPIException,
    PasetoAuthenticationFailed,
    PasetoError,
    PasetoPermissionDenied,
    TokenError,
    _error_body,
    add_error_code,
    exception_handler,
    to_api_exception,
)
from tests import views as test_views
from tests.helpers import (
    LOGIN_URL,
    MESSAGES,
    PASSWORD,
    REFRESH_URL,
    USERNAME,
    VERIFY_URL,
    TokenAPITestCase,
    error_codes,
)

# Every code drf_paseto can answer with, and its status. These never change.
CODES = {
    "token_invalid": 401,
    "token_too_large": 401,
    "token_unsupported": 401,
    "token_key_unknown": 401,
    "token_claims_invalid": 401,
    "token_expired": 401,
    "token_not_yet_valid": 401,
    "token_issued_in_future": 401,
    "token_issuer_invalid": 401,
    "token_audience_invalid": 401,
    "token_wrong_type": 401,
    "token_not_fresh": 403,
    "token_required": 403,
    "bad_authorization_header": 401,
    "user_not_found": 401,
    "user_inactive": 401,
    "invalid_credentials": 401,
    "bad_json_token": 401,
    "bad_cookie_token": 401,
    "csrf_missing": 403,
    "csrf_mismatch": 403,
    "origin_not_allowed": 403,
    "token_not_issuable": 500,
    "token_revoked": 401,
    "token_reused": 401,
    "not_authenticated": 401,
    "bad_query_token": 401,
    "bad_subprotocol_token": 401,
    "revocation_store_unavailable": 503,
    "keys_unavailable": 503,
    "database_unavailable": 503,
    "revocation_disabled": 404,
    "session_not_found": 404,
    "introspection_disabled": 404,
    "invalid_client": 401,
}


class TeapotError(PasetoError):
    status_code = 418
    default_code = "teapot"
    messages = {"teapot": "I'm a teapot."}


class PasetoErrorTests(SimpleTestCase):
    def test_codes_and_statuses(self) -> None:
        found = {code: status for code, (status, _) in error_codes().items() if code != "teapot"}
        self.assertEqual(found, CODES)

    def test_messages(self) -> None:
        for code, (_, message) in error_codes().items():
            with self.subTest(code=code):
                self.assertTrue(str(message).endswith("."))

    def test_a_class_says_its_codes_only(self) -> None:
        error = TokenError("token_expired")
        self.assertEqual(
            (error.code, str(error), error.status_code),
            ("token_expired", "Token has expired.", 401),
        )
        self.assertEqual(TokenError().code, "token_invalid")
        self.assertIsInstance(error, PasetoError)
        for cls, code in (
            (TokenError, "token_not_fresh"),
            (Forbidden, "token_expired"),
            (PasetoError, None),
        ):
            with self.subTest(cls=cls.__name__, code=code), self.assertRaises(ValueError):
                cls(code)

    def test_custom_message(self) -> None:
        error = TokenError("token_expired", message="Gone.")
        self.assertEqual(error.message, "Gone.")
        self.assertEqual(str(error), "Gone.")
        self.assertEqual(error.code, "token_expired")

    def test_messages_are_translatable(self) -> None:
        error = TokenError("token_expired")
        with translation.override("en"):
            self.assertEqual(str(error.message), "Token has expired.")

    def test_server_faults_keep_their_reason_for_the_log(self) -> None:
        for error, code, status in (
            (KeyConfigurationError("PUBLIC_KEY does not match"), "keys_unavailable", 503),
            (
                paseto_exceptions.ClaimsNotIssuable("reserved claims: sub"),
                "token_not_issuable",
                500,
            ),
        ):
            with self.subTest(code=code):
                self.assertEqual((error.code, error.status_code), (code, status))
                self.assertNotIn(str(error), str(error.message))
                with self.assertLogs("drf_paseto", "ERROR") as logs:
                    exc = to_api_exception(error)
                self.assertIn(str(error), logs.output[0])
                self.assertEqual(exc.detail, {"detail": MESSAGES[code], "code": code})

    def test_key_configuration_error_is_not_a_token_error(self) -> None:
        self.assertFalse(issubclass(KeyConfigurationError, TokenError))


class ToApiExceptionTests(SimpleTestCase):
    def test_401_is_authentication_failed(self) -> None:
        exc = to_api_exception(TokenError("token_expired"))
        self.assertIsInstance(exc, PasetoAuthenticationFailed)
        self.assertIsInstance(exc, drf_exceptions.AuthenticationFailed)
        self.assertEqual(exc.status_code, 401)
        self.assertEqual(exc.code, "token_expired")
        self.assertEqual(exc.detail, {"detail": "Token has expired.", "code": "token_expired"})

    def test_403_is_permission_denied(self) -> None:
        for code in ("token_not_fresh", "token_required"):
            exc = to_api_exception(Forbidden(code))
            self.assertIsInstance(exc, PasetoPermissionDenied)
            self.assertIsInstance(exc, drf_exceptions.PermissionDenied)
            self.assertEqual(exc.status_code, 403)
            self.assertEqual(exc.code, code)
            self.assertEqual(exc.detail, {"detail": MESSAGES[code], "code": code})

    def test_other_status(self) -> None:
        exc = to_api_exception(TeapotError())
        self.assertIsInstance(exc, PasetoAPIException)
        self.assertEqual(exc.status_code, 418)
        self.assertEqual(exc.code, "teapot")
        self.assertEqual(exc.detail, {"detail": "I'm a teapot.", "code": "teapot"})

    def test_not_authenticated(self) -> None:
        exc = to_api_exception(TokenError("not_authenticated"))
        self.assertIsInstance(exc, drf_exceptions.AuthenticationFailed)
        self.assertEqual(exc.status_code, 401)
        self.assertEqual(
            exc.detail, {"detail": MESSAGES["not_authenticated"], "code": "not_authenticated"}
        )

    def test_error_body(self) -> None:
        self.assertEqual(_error_body("x", "y"), {"detail": "x", "code": "y"})


class AddErrorCodeTests(SimpleTestCase):
    def handled(self, exc: Exception) -> Any:
        return add_error_code(drf_exception_handler(exc, {}), exc)

    def test_no_response_or_not_an_api_exception(self) -> None:
        self.assertIsNone(add_error_code(None, drf_exceptions.NotFound()))
        response = Response({"detail": "x"}, status=500)
        self.assertIs(add_error_code(response, ValueError("boom")), response)
        self.assertEqual(response.data, {"detail": "x"})

    def test_detail_gets_its_code(self) -> None:
        cases = [
            (drf_exceptions.NotFound(), "not_found"),
            (drf_exceptions.NotAuthenticated(), "not_authenticated"),
            (drf_exceptions.PermissionDenied(), "permission_denied"),
            (drf_exceptions.MethodNotAllowed("GET"), "method_not_allowed"),
            (drf_exceptions.Throttled(3), "throttled"),
            (drf_exceptions.ParseError(), "parse_error"),
            (drf_exceptions.APIException(), "error"),
            (drf_exceptions.PermissionDenied("Nope.", code="custom"), "custom"),
        ]
        for exc, code in cases:
            with self.subTest(exc=type(exc).__name__):
                response = self.handled(exc)
                self.assertEqual(response.data["code"], code)
                self.assertEqual(set(response.data), {"detail", "code"})

    def test_dict_detail_gets_the_default_code(self) -> None:
        response = self.handled(drf_exceptions.PermissionDenied({"reason": "x"}))
        self.assertEqual(response.data, {"reason": "x", "code": "permission_denied"})

    def test_existing_code_is_kept(self) -> None:
        exc = to_api_exception(TokenError("token_expired"))
        response = self.handled(exc)
        self.assertEqual(response.data, {"detail": "Token has expired.", "code": "token_expired"})
        self.assertFalse(response.has_header("WWW-Authenticate"))  # the view adds it
        self.assertIs(add_error_code(response, exc), response)
        self.assertEqual(response.data, {"detail": "Token has expired.", "code": "token_expired"})

    def test_validation_errors_are_wrapped_once(self) -> None:
        for detail, errors in (
            ({"field": ["bad"]}, {"field": ["bad"]}),
            (["bad"], ["bad"]),
            ("bad", ["bad"]),
        ):
            with self.subTest(detail=detail):
                exc = drf_exceptions.ValidationError(detail)
                response = self.handled(exc)
                expected = {
                    "detail": "Invalid request.",
                    "code": "invalid_request",
                    "errors": errors,
                }
                self.assertEqual(response.data, expected)
                add_error_code(response, exc)
                self.assertEqual(response.data, expected)

    def test_validation_error_with_a_field_named_code(self) -> None:
        response = self.handled(drf_exceptions.ValidationError({"code": ["bad"]}))
        self.assertEqual(response.data["code"], "invalid_request")
        self.assertEqual(response.data["errors"], {"code": ["bad"]})

    def test_django_http404_and_permission_denied(self) -> None:
        response = self.handled(Http404("No such thing."))
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.data, {"detail": "No such thing.", "code": "not_found"})
        response = self.handled(DjangoPermissionDenied())
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.data["code"], "permission_denied")


# --- the optional project-wide handler, on real views ---------------------------------------


class AlwaysThrottled(BaseThrottle):
    def allow_request(self, request: Request, view: APIView) -> bool:
        return False

    def wait(self) -> float:
        return 7


class OncePerMinute(AnonRateThrottle):
    rate = "1/min"


class _OpenView(APIView):
    authentication_classes = [PasetoAuthentication]
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class ThrottledView(_OpenView):
    throttle_classes = [AlwaysThrottled]


class RateLimitedView(_OpenView):
    throttle_classes = [OncePerMinute]


class Http404View(_OpenView):
    def get(self, request: Request) -> Response:
        raise Http404("No such widget.")


class DjangoDeniedView(_OpenView):
    def get(self, request: Request) -> Response:
        raise DjangoPermissionDenied


class ValidationView(_OpenView):
    def post(self, request: Request) -> Response:
        raise drf_exceptions.ValidationError({"name": ["This field is required."]})


class LoginInMyViewView(_OpenView):
    """A project's own login view using drf_paseto's serializer."""

    def post(self, request: Request) -> Response:
        from drf_paseto.serializers import TokenObtainSerializer

        serializer = TokenObtainSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class UnchallengedLoginView(LoginInMyViewView):
    authentication_classes = []


class CrashView(_OpenView):
    def get(self, request: Request) -> Response:
        raise RuntimeError("boom")


urlpatterns = [
    path("auth/", include("drf_paseto.urls")),
    path("authenticated/", test_views.AuthenticatedView.as_view()),
    path("fresh/", test_views.FreshView.as_view()),
    path("throttled/", ThrottledView.as_view()),
    path("rate-limited/", RateLimitedView.as_view()),
    path("missing/", Http404View.as_view()),
    path("denied/", DjangoDeniedView.as_view()),
    path("validation/", ValidationView.as_view()),
    path("crash/", CrashView.as_view()),
    path("my-login/", LoginInMyViewView.as_view()),
    path("my-unchallenged-login/", UnchallengedLoginView.as_view()),
]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["drf_paseto.authentication.PasetoAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
WITH_HANDLER = {**REST_FRAMEWORK, "EXCEPTION_HANDLER": "drf_paseto.exceptions.exception_handler"}


def tagging_handler(exc: Exception, context: dict[str, Any]) -> Any:
    """A project's own handler: DRF's, plus a header."""
    response = drf_exception_handler(exc, context)
    if response is not None:
        response["X-Handled-By"] = "project"
    return response


@override_settings(ROOT_URLCONF=__name__, REST_FRAMEWORK=WITH_HANDLER)
class ExceptionHandlerTests(TokenAPITestCase):
    def setUp(self) -> None:
        super().setUp()
        cache.clear()

    def test_is_authenticated_401_has_a_code(self) -> None:
        self.assertError(self.client.get("/authenticated/"), 401, "not_authenticated")

    def test_throttled_429_has_a_code(self) -> None:
        response = self.client.get("/throttled/")
        self.assertCodedError(response, 429, "throttled")
        self.assertEqual(response["Retry-After"], "7")
        self.assertEqual(
            response.json()["detail"], "Request was throttled. Expected available in 7 seconds."
        )

    def test_real_rate_limit(self) -> None:
        self.assertEqual(self.client.get("/rate-limited/").status_code, 200)
        response = self.client.get("/rate-limited/")
        self.assertCodedError(response, 429, "throttled")
        self.assertTrue(response.has_header("Retry-After"))

    def test_django_exceptions_have_codes(self) -> None:
        response = self.client.get("/missing/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json(), {"detail": "No such widget.", "code": "not_found"})
        self.assertCodedError(self.client.get("/denied/"), 403, "permission_denied")

    def test_other_drf_errors(self) -> None:
        self.assertCodedError(self.client.post("/missing/"), 405, "method_not_allowed")
        response = self.client.post("/validation/", "{", content_type="application/json")
        # The body is parsed lazily: the view raises before reading it.
        self.assertInvalidRequest(response, {"name"})
        self.assertCodedError(
            self.client.get("/authenticated/", HTTP_ACCEPT="application/xml"),
            406,
            "not_acceptable",
        )

    def test_drf_paseto_errors_are_unchanged(self) -> None:
        tokens = self.login()
        refreshed = self.refresh(tokens["refresh_token"])
        self.assertError(self.get_with("/fresh/", refreshed), 403, "token_not_fresh")
        self.assertError(self.get_with("/fresh/", tokens["refresh_token"]), 401, "token_wrong_type")
        self.assertError(self.get_with("/authenticated/", "garbage"), 401, "token_invalid")
        response = self.client.post(
            LOGIN_URL, {"username": USERNAME, "password": "x"}, format="json"
        )
        self.assertError(response, 401, "invalid_credentials")
        self.assertInvalidRequest(
            self.client.post(LOGIN_URL, {}, format="json"), {"username", "password"}
        )
        self.assertError(self.client.post(REFRESH_URL), 401, "not_authenticated")

    def test_paseto_errors_in_a_projects_view_are_answered(self) -> None:
        # What drf_paseto raises below DRF (bad credentials here) gets drf_paseto's answer.
        response = self.client.post(
            "/my-login/", {"username": USERNAME, "password": "x"}, format="json"
        )
        self.assertError(response, 401, "invalid_credentials")
        response = self.client.post(
            "/my-login/", {"username": USERNAME, "password": PASSWORD}, format="json"
        )
        self.assertEqual(set(response.json()), {"access_token", "refresh_token"})
        # Without an authenticator to name a challenge, a 401 is a 403, as DRF answers it.
        response = self.client.post(
            "/my-unchallenged-login/", {"username": USERNAME, "password": "x"}, format="json"
        )
        self.assertCodedError(response, 403, "invalid_credentials")

    def test_unhandled_exceptions_still_raise(self) -> None:
        with self.assertRaises(RuntimeError):
            self.client.get("/crash/")

    @override_settings(REST_FRAMEWORK=REST_FRAMEWORK)
    def test_without_the_handler_drf_errors_have_no_code(self) -> None:
        response = self.client.get("/throttled/")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(set(response.json()), {"detail"})
        response = self.client.get("/authenticated/")
        self.assertEqual(response.json(), {"detail": MESSAGES["not_authenticated"]})
        # drf_paseto's own errors and token views have their code either way.
        self.assertError(self.get_with("/authenticated/", "garbage"), 401, "token_invalid")
        self.assertCodedError(self.client.get(LOGIN_URL), 405, "method_not_allowed")

    @override_settings(
        REST_FRAMEWORK={**REST_FRAMEWORK, "EXCEPTION_HANDLER": f"{__name__}.tagging_handler"}
    )
    def test_token_views_keep_the_projects_handler(self) -> None:
        cases = [
            (
                self.client.post(LOGIN_URL, {"username": USERNAME, "password": "x"}, format="json"),
                401,
                "invalid_credentials",
            ),
            (self.client.post(REFRESH_URL), 401, "not_authenticated"),
            (
                self.client.post(VERIFY_URL, {"token": "garbage"}, format="json"),
                401,
                "token_invalid",
            ),
        ]
        for response, status_code, code in cases:
            with self.subTest(code=code):
                self.assertError(response, status_code, code)
                self.assertEqual(response["X-Handled-By"], "project")
        response = self.client.get(LOGIN_URL)
        self.assertCodedError(response, 405, "method_not_allowed")
        self.assertEqual(response["X-Handled-By"], "project")
        response = self.client.post(LOGIN_URL, {}, format="json")
        self.assertInvalidRequest(response, {"username", "password"})
        self.assertEqual(response["X-Handled-By"], "project")

    def test_handler_is_idempotent_with_token_views(self) -> None:
        response = self.client.post(LOGIN_URL, {"password": PASSWORD}, format="json")
        body = response.json()
        self.assertEqual(body["code"], "invalid_request")
        self.assertEqual(set(body["errors"]), {"username"})
        self.assertNotIn("errors", body["errors"])

    def test_handler_function(self) -> None:
        self.assertIsNone(exception_handler(ValueError("x"), {}))
        response = exception_handler(drf_exceptions.NotFound(), {})
        self.assertEqual(response.data["code"], "not_found")


@override_settings(ROOT_URLCONF=__name__, REST_FRAMEWORK=WITH_HANDLER)
class HabitHintTests(TokenAPITestCase):
    """A simplejwt user's habits get a ``detail`` saying what to send instead; same codes."""

    def test_a_paseto_behind_another_scheme_or_none(self) -> None:
        access = self.login()["access_token"]
        for header in (f"Token {access}", access, f"JWT {access}"):
            with self.subTest(header=header.split(" ")[0][:8]):
                response = self.client.get("/authenticated/", HTTP_AUTHORIZATION=header)
                self.assertEqual(response.status_code, 401)
                self.assertEqual(
                    response.json(),
                    {
                        "detail": 'Send the token as "Authorization: Bearer <token>".',
                        "code": "not_authenticated",
                    },
                )

    def test_another_schemes_own_credential_gets_no_hint(self) -> None:
        for header in ("Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "Basic YTpi"):
            with self.subTest(header=header):
                response = self.client.get("/authenticated/", HTTP_AUTHORIZATION=header)
                self.assertEqual(
                    response.json(),
                    {"detail": MESSAGES["not_authenticated"], "code": "not_authenticated"},
                )

    def test_simplejwts_refresh_body(self) -> None:
        refresh = self.login()["refresh_token"]
        response = self.client.post(REFRESH_URL, {"refresh": refresh}, format="json")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["code"], "not_authenticated")
        self.assertEqual(
            response.json()["detail"],
            'Send the refresh token as {"refresh_token": "<token>"}, '
            'or as "Authorization: Bearer <token>".',
        )

    def test_a_json_login_without_its_content_type(self) -> None:
        body = json.dumps({"username": USERNAME, "password": PASSWORD})
        hint = 'Send a JSON body with "Content-Type: application/json".'
        for content_type, status_code, code in (
            ("application/x-www-form-urlencoded", 400, "invalid_request"),
            ("text/plain", 415, "unsupported_media_type"),
            ("", 415, "unsupported_media_type"),
        ):
            with self.subTest(content_type=content_type):
                response = self.client.generic("POST", LOGIN_URL, body, content_type=content_type)
                self.assertEqual(response.status_code, status_code)
                self.assertEqual((response.json()["code"], response.json()["detail"]), (code, hint))
        # A form that is a form keeps the usual answer.
        response = self.client.post(LOGIN_URL, {"username": USERNAME})
        self.assertEqual(response.json()["detail"], "Invalid request.")
