"""Settings for the test suite: the same services as the environment names (PostgreSQL and Redis in CI,
SQLite and in-process otherwise), fast password hashing, and tasks run eagerly."""

import uuid

from .base import *  # noqa: F403
from .base import CACHES, ENV, INSTALLED_APPS, STORAGES
from .environment import logging_config

SECRET_KEY = "test-secret-key-not-for-production-" + "x" * 32
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests never wait for a worker; the broker URL stays what the environment says so /readyz checks it.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_STORE_EAGER_RESULT = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A fresh prefix per run keeps a shared Redis from leaking state between runs.
CACHES["default"]["KEY_PREFIX"] = f"prepdeck-test-{uuid.uuid4().hex[:8]}"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
LOG_LEVEL = ENV.get("LOG_LEVEL", "WARNING").upper()
LOGGING = logging_config(log_format="text", level=LOG_LEVEL)

# The throwaway app that the bundled bank's runnable code examples use (tables made without migrations).
INSTALLED_APPS = [*INSTALLED_APPS, "prepdeck.catalog.bank.library"]
# Serve static files from the app folders; tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
