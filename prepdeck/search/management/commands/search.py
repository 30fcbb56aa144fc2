"""``prepdeck search "query"``: search the question bank from the terminal; ``--rebuild`` rebuilds the index."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from prepdeck.catalog.models import Difficulty, QuestionStatus
from prepdeck.core.exceptions import ApplicationError
from prepdeck.search import selectors, services

_TAG = re.compile(r"<(/?)mark>")


class Command(BaseCommand):
    help = (
        'Search the question bank: prepdeck search "n+1 queries". All words must match; "quoted words" '
        "match as a phrase, -word excludes, a or b matches either; identifiers match as written "
        "(select_related, @action). --rebuild recomputes the whole search index."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", nargs="*", help="What to look for.")
        parser.add_argument("--topic", metavar="SLUG", help="Only this topic and the topics below it.")
        parser.add_argument("--difficulty", choices=Difficulty.values)
        parser.add_argument("--tag", action="append", default=[], metavar="SLUG", help="Repeatable.")
        parser.add_argument(
            "--status",
            choices=[*QuestionStatus.values, "any"],
            default=QuestionStatus.PUBLISHED,
            help="Default published.",
        )
        parser.add_argument("--limit", type=int, default=10, help="Results to show (default 10).")
        parser.add_argument("--offset", type=int, default=0)
        parser.add_argument("--json", action="store_true", help="Print the API's result object.")
        parser.add_argument("--rebuild", action="store_true", help="Rebuild the search index and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            services.search_index_refresh()
            self.stdout.write(self.style.SUCCESS("Search index rebuilt."))
            return
        try:
            result = selectors.search_questions(
                " ".join(options["query"]),
                topic=options["topic"],
                difficulty=options["difficulty"],
                tags=options["tag"],
                status=None if options["status"] == "any" else options["status"],
                limit=options["limit"],
                offset=options["offset"],
            )
        except ApplicationError as error:
            raise CommandError(error.message) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        if result.suggestion:
            self.stdout.write(f"Did you mean: {result.suggestion}")
        shown = (
            f"{options['offset'] + 1}-{options['offset'] + len(result.results)} of " if result.results else ""
        )
        self.stdout.write(f"{shown}{result.count}{'' if result.count_exact else '+'} question(s)")
        for position, hit in enumerate(result.results, start=options["offset"] + 1):
            self.stdout.write("")
            self.stdout.write(self.style.SUCCESS(f"{position}. {hit.prompt}"))
            self.stdout.write(f"   {hit.topic} · {hit.difficulty} · {hit.key} (#{hit.id}, score {hit.score})")
            self.stdout.write(f"   {self._plain(hit.snippet)}")

    @staticmethod
    def _plain(snippet: str) -> str:
        """The snippet for a terminal: matches between ** **, HTML entities decoded."""
        return html.unescape(_TAG.sub("**", snippet))
