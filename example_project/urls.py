"""The reference pages' example as a Django project: the token views at the root, and
``protected/``, ``fresh/`` and ``optional/``."""

from django.contrib import admin
from django.urls import include, path

from example_project import views

urlpatterns = [
    path("", include("drf_paseto.urls")),
    path("protected/", views.ProtectedView.as_view(), name="protected"),
    path("fresh/", views.FreshView.as_view(), name="fresh"),
    path("optional/", views.OptionalView.as_view(), name="optional"),
    path("admin/", admin.site.urls),
]
