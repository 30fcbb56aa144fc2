"""``prepdeck bank load``: load or refresh the bundled question bank."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from prepdeck.catalog import services
from prepdeck.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Work with the bundled question bank. `bank load` creates missing questions and updates changed "
        "ones by key, keeping every user's progress; loading twice changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = actions.add_parser("load", help="Load or refresh the bundled bank.")
        load.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            report = services.bank_load(stdout=None if options["json"] else self.stdout)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        if options["json"]:
            self.stdout.write(services.bank_report_json(report))
