"""The production settings, as the scale-out test's app servers run them, with two differences that only a
test needs: static files are served from the app folders (a deployment runs ``collectstatic`` when it builds
the image), and the cache keys get the prefix the test chose (a fresh one per run, so runs never share
cached values)."""

import os

from config.settings.production import *  # noqa: F403
from config.settings.production import CACHES, STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
CACHES["default"]["KEY_PREFIX"] = os.environ["SCALEOUT_CACHE_PREFIX"]
