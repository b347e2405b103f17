"""Include with ``path("auth/", include("drf_paseto.urls"))``; names live in ``drf_paseto:``."""

from django.urls import path

from drf_paseto import sessions, views

__all__ = [
    "app_name",
    "urlpatterns",
]


app_name = "drf_paseto"

urlpatterns = [
    path("login/", views.TokenObtainView.as_view(), name="login"),
    path("refresh/", views.TokenRefreshView.as_view(), name="refresh"),
    path("verify/", views.TokenVerifyView.as_view(), name="verify"),
    path("keys/", views.PublicKeysView.as_view(), name="keys"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("logout/all/", views.LogoutAllView.as_view(), name="logout_all"),
    path("logout/others/", sessions.LogoutOthersView.as_view(), name="logout_others"),
    path("sessions/", sessions.SessionListView.as_view(), name="sessions"),
    path("sessions/<str:session_id>/", sessions.SessionView.as_view(), name="session"),
    path("introspect/", views.IntrospectView.as_view(), name="introspect"),
]
