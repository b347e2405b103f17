"""The resource service's URLs: one API view, served to the issuer's tokens."""

from django.urls import path

from example_project import views

urlpatterns = [
    path("orders/", views.OrdersView.as_view(), name="orders"),
]
