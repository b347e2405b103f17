"""The URLconf of the test suite: the package's URLs and views like the example project's."""

from django.urls import include, path

from tests import views

urlpatterns = [
    path("auth/", include("drf_paseto.urls")),
    path("protected/", views.ProtectedView.as_view(), name="protected"),
    path("fresh/", views.FreshView.as_view(), name="fresh"),
    path("optional/", views.OptionalView.as_view(), name="optional"),
    path("authenticated/", views.AuthenticatedView.as_view(), name="authenticated"),
    path("open/", views.OpenView.as_view(), name="open"),
    path("refresh-only/", views.RefreshOnlyView.as_view(), name="refresh-only"),
    path("stateless/", views.StatelessView.as_view(), name="stateless"),
    path("password/", views.PasswordView.as_view(), name="password"),
    path("async/", include("tests.async_urls")),
]
