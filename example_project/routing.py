"""WebSocket routes of the example project."""

from django.urls import path

from example_project.consumers import EchoConsumer

websocket_urlpatterns = [
    path("ws/echo/", EchoConsumer.as_asgi(), name="ws-echo"),
]
