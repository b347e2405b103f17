"""``drf_paseto.urls`` with the adrf views of ``drf_paseto.adrf_views``: include with
``path("auth/", include("drf_paseto.adrf_urls"))`` instead of ``drf_paseto.urls`` (the
same routes and names, in ``drf_paseto:``). verify/, keys/ and introspect/ stay the sync
views: they write nothing and adrf serves them as they are."""

from django.urls import path

from drf_paseto import adrf_views, views

app_name = "drf_paseto"

urlpatterns = [
    path("login/", adrf_views.AsyncTokenObtainView.as_view(), name="login"),
    path("refresh/", adrf_views.AsyncTokenRefreshView.as_view(), name="refresh"),
    path("verify/", views.TokenVerifyView.as_view(), name="verify"),
    path("keys/", views.PublicKeysView.as_view(), name="keys"),
    path("logout/", adrf_views.AsyncLogoutView.as_view(), name="logout"),
    path("logout/all/", adrf_views.AsyncLogoutAllView.as_view(), name="logout_all"),
    path("logout/others/", adrf_views.AsyncLogoutOthersView.as_view(), name="logout_others"),
    path("sessions/", adrf_views.AsyncSessionListView.as_view(), name="sessions"),
    path("sessions/<str:session_id>/", adrf_views.AsyncSessionView.as_view(), name="session"),
    path("introspect/", views.IntrospectView.as_view(), name="introspect"),
]

__all__ = ["app_name", "urlpatterns"]
