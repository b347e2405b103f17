"""The reference pages' example as a Django project: the token views at the root, and
``protected/``, ``fresh/`` and ``optional/``; ``async/`` (adrf) and ``ninja/`` (django-ninja)."""

from importlib.util import find_spec

from django.apps import apps
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from drf_paseto.views import LogoutView, TokenObtainView, TokenRefreshView
from example_project import views

# Browser clients get their own token views: tokens only in httpOnly cookies, never in a
# body a page script could read (the demo page at /demo/ uses these).
cookie_only = {"paseto_token_location": ("cookies",)}
browser_urlpatterns = [
    path("login/", TokenObtainView.as_view(**cookie_only), name="browser-login"),
    path("refresh/", TokenRefreshView.as_view(**cookie_only), name="browser-refresh"),
    path("logout/", LogoutView.as_view(**cookie_only), name="browser-logout"),
]

urlpatterns = [
    # The root leads to the demo page, which links the rest.
    path("", RedirectView.as_view(pattern_name="demo", permanent=False), name="home"),
    path("", include("drf_paseto.urls")),
    path("browser/", include(browser_urlpatterns)),
    path("protected/", views.ProtectedView.as_view(), name="protected"),
    path("fresh/", views.FreshView.as_view(), name="fresh"),
    path("optional/", views.OptionalView.as_view(), name="optional"),
    path("demo/", views.DemoView.as_view(), name="demo"),
    path("admin/", admin.site.urls),
]

# adrf async views and a django-ninja API (the "async" and "ninja" extras; `make demo`
# installs both).
SERVES_ASYNC = find_spec("adrf") is not None and find_spec("ninja") is not None
if SERVES_ASYNC:
    from example_project import async_views

    urlpatterns += [
        path("async/protected/", async_views.AsyncProtectedView.as_view(), name="async-protected"),
        path("async/fresh/", async_views.AsyncFreshView.as_view(), name="async-fresh"),
        path("ninja/", async_views.api.urls),
    ]

if apps.is_installed("drf_spectacular"):
    # OpenAPI (the "spectacular" extra): the schema at /schema/, Swagger UI at /docs/. The
    # token views document themselves; the example's own views are plain APIViews, so what
    # they answer is stated here (a project would put @extend_schema on its views).
    from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
    from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
    from rest_framework import serializers

    from drf_paseto.contrib.spectacular import ErrorSerializer

    user = inline_serializer("User", {"user": serializers.CharField(allow_null=True)})
    unauthorized = OpenApiResponse(ErrorSerializer, "No valid access token.")
    documented: list[tuple[type, str | None]] = [
        (views.ProtectedView, "Authenticated without a PASETO token (token_required)."),
        (views.FreshView, "Not a fresh access token (token_not_fresh, token_required)."),
        (views.OptionalView, None),
    ]
    if SERVES_ASYNC:
        documented += [
            (async_views.AsyncProtectedView, "Authenticated without a PASETO token."),
            (async_views.AsyncFreshView, "Not a fresh access token (token_not_fresh)."),
        ]
    for view, forbidden in documented:
        responses = {200: user, 401: unauthorized}
        if forbidden:
            responses[403] = OpenApiResponse(ErrorSerializer, forbidden)
        extend_schema(responses=responses)(view)

    urlpatterns += [
        path("schema/", SpectacularAPIView.as_view(), name="schema"),
        path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    ]
