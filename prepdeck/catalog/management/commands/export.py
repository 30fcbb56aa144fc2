"""``prepdeck export``: write the bank (or part of it) as JSON, CSV, Markdown or an Anki package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from prepdeck.catalog import selectors
from prepdeck.catalog.exporters import data
from prepdeck.catalog.models import QuestionStatus


class Command(BaseCommand):
    help = (
        "Export questions. JSON is lossless (import it back with `prepdeck import`); CSV has the importer's "
        "columns (question, answer, topic, tags, difficulty, key_points)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format", choices=["json", "csv"], default="json", help="Output format (default json)."
        )
        parser.add_argument("--topic", metavar="SLUG", help="Only this topic and the topics below it.")
        parser.add_argument(
            "--status", choices=QuestionStatus.values, help="Only questions with this status."
        )
        parser.add_argument(
            "-o", "--output", required=True, metavar="FILE", help="File to write ('-' for stdout)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["topic"] and not selectors.topic_exists(slug=options["topic"]):
            raise CommandError(f"unknown topic {options['topic']!r}")
        questions = list(selectors.questions_for_export(topic=options["topic"], status=options["status"]))
        text = data.export_json(questions) if options["format"] == "json" else data.export_csv(questions)
        if options["output"] == "-":
            self.stdout.write(text, ending="")
            return
        Path(options["output"]).write_text(text, encoding="utf-8")
        self.stderr.write(f"Exported {len(questions)} question(s) to {options['output']}.")
