"""Settings for a deployment: every secret and host comes from the environment, HTTPS everywhere, JSON logs.

Missing required variables stop the process with one line naming the variable.
"""

from .base import *  # noqa: F403
from .base import ENV
from .environment import as_bool, as_list, logging_config, required

SECRET_KEY = required(
    ENV,
    "SECRET_KEY",
    "production needs a long random secret (python -c 'import secrets; print(secrets.token_urlsafe(64))')",
)
ALLOWED_HOSTS = as_list(ENV, "ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    required(ENV, "ALLOWED_HOSTS", "production needs the host names it serves, comma-separated")
DEBUG = False

SECURE_SSL_REDIRECT = as_bool(ENV, "SECURE_SSL_REDIRECT", default=True)
if as_bool(ENV, "BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(ENV.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = as_bool(ENV, "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = as_bool(ENV, "SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LOG_FORMAT = ENV.get("LOG_FORMAT", "json")
LOGGING = logging_config(log_format=LOG_FORMAT, level=ENV.get("LOG_LEVEL", "INFO").upper())
