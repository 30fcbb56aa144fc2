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

The question bank:
  bank load           load or refresh the bundled question bank
  import PATH...      import Q&A documents (Markdown, CSV, Anki .apkg, our JSON) as drafts
  lint PATH...        report outdated or wrong Django advice in documents (--bank: the bank)
  export              export questions as JSON, Markdown, CSV or an Anki package
  search "QUERY"      search the bank as the API does (--rebuild recomputes the index)

Practice:
  practice optimize   fit a user's own FSRS parameters to their review log

Every Django management command works too (migrate, check --deploy, shell, ...);
`prepdeck help` lists them all and `prepdeck help <command>` explains one.
Django's --settings and --pythonpath options are honoured.

Configuration comes from environment variables (see the README): DATABASE_URL,
REDIS_URL, PREPDECK_DATA_DIR, SECRET_KEY, EMAIL_URL, DJANGO_SETTINGS_MODULE.
"""


def _apply_default_options(arguments: list[str]) -> None:
    """Honour ``--settings`` and ``--pythonpath`` before anything reads the settings.

    Django's own ``manage.py`` applies them inside ``execute_from_command_line``; we read the settings earlier
    (to turn a bad variable into one line), so we apply them first, with Django's own parser and handler.
    """
    from django.core.management.base import CommandParser, handle_default_options

    parser = CommandParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--settings")
    parser.add_argument("--pythonpath")
    options, _ = parser.parse_known_args(arguments[2:])
    handle_default_options(options)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``prepdeck`` console script and ``python -m prepdeck``."""
    arguments = list(sys.argv if argv is None else argv)
    arguments[0] = "prepdeck"
    if len(arguments) == 1 or arguments[1:] in (["-h"], ["--help"]):
        print(USAGE)
        return

    _apply_default_options(arguments)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - loading settings here turns a bad variable into one line
    except ImproperlyConfigured as error:
        sys.stderr.write(f"prepdeck: configuration error: {error}\n")
        raise SystemExit(2) from None
    except ImportError as error:
        module = os.environ["DJANGO_SETTINGS_MODULE"]
        sys.stderr.write(f"prepdeck: configuration error: cannot import the settings {module!r}: {error}\n")
        raise SystemExit(2) from None

    from django.core.management import execute_from_command_line

    execute_from_command_line(arguments)
