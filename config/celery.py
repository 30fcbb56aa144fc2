"""The Celery application.

Without ``REDIS_URL`` tasks run eagerly in-process (see ``config.settings.environment``), so a laptop
needs no broker; with it, Redis is the broker and result backend and ``celery -A config worker`` /
``celery -A config beat`` run the workers.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("prepdeck")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
