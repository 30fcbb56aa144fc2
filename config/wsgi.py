"""WSGI entry point: the container's ``web`` role serves HTTP with it (gunicorn's threaded workers,
``config/gunicorn.py``); WebSockets go to ``config.asgi`` (the ``ws`` role, and ``prepdeck run``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()
