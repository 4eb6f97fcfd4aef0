"""WSGI entry point, e.g. `gunicorn cstonews.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cstonews.settings")

application = get_wsgi_application()
