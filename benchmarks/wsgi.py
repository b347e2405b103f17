"""The WSGI application the end-to-end row serves with gunicorn (``benchmarks.endtoend``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
application = get_wsgi_application()
