"""The ``prepdeck`` command: Django's ``manage.py`` under our name, with clear one-line configuration errors.

Every Django management command works through it (``prepdeck migrate``, ``prepdeck createsuperuser``);
PrepDeck's own verbs are management commands too, so ``prepdeck help <verb>`` documents each of them.
"""

from __future__ import annotations

import os
import sys

USAGE = """\
PrepDeck: prepare for, and run, technical interviews on Django, DRF and PostgreSQL.

Usage: prepdeck <command> [options]

Start here:
  run                 set up the database and serve the app (http://127.0.0.1:8000)
  createsuperuser     create an admin account

Every Django management command works too; `prepdeck help` lists them all and
`prepdeck help <command>` explains one.

Configuration comes from environment variables (see the README): DATABASE_URL,
REDIS_URL, PREPDECK_DATA_DIR, SECRET_KEY, EMAIL_URL, DJANGO_SETTINGS_MODULE.
"""


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``prepdeck`` console script and ``python -m prepdeck``."""
    arguments = list(sys.argv if argv is None else argv)
    arguments[0] = "prepdeck"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

    if len(arguments) == 1 or arguments[1:] in (["-h"], ["--help"]):
        print(USAGE)
        return

    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - loading settings here turns a bad variable into one line
    except ImproperlyConfigured as error:
        sys.stderr.write(f"prepdeck: configuration error: {error}\n")
        raise SystemExit(2) from None

    from django.core.management import execute_from_command_line

    execute_from_command_line(arguments)
