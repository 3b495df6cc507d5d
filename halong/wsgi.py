"""WSGI entry point, e.g. ``gunicorn halong.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halong.settings")

application = get_wsgi_application()
