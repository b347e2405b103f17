"""The ASGI application the async rows serve with uvicorn (``benchmarks.endtoend``)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
application = get_asgi_application()
