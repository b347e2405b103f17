"""ASGI entry point: HTTP through Django, WebSockets (``ws/echo/``) through Django Channels
with PASETO access tokens, when the ``channels`` extra is installed."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")

# Set Django up (apps, settings) before anything imports models.
django_application = get_asgi_application()

try:
    from channels.routing import ProtocolTypeRouter, URLRouter
except ImportError:  # HTTP only
    application = django_application
else:
    from drf_paseto.channels import PasetoAuthMiddlewareStack
    from example_project.routing import websocket_urlpatterns

    application = ProtocolTypeRouter(
        {
            "http": django_application,
            "websocket": PasetoAuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
        }
    )
