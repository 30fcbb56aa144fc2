"""Settings for one process on a laptop: SQLite, in-process cache and tasks unless the environment says
otherwise. This is what ``prepdeck run`` uses by default."""

from .base import *  # noqa: F403
from .base import DATA_DIR, ENV
from .environment import as_bool, local_secret_key

SECRET_KEY = ENV.get("SECRET_KEY") or local_secret_key(DATA_DIR)
DEBUG = as_bool(ENV, "DEBUG", default=False)
