"""``prepdeck export``: write the bank (or part of it) as JSON, CSV, Markdown or an Anki package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from prepdeck.catalog import selectors
from prepdeck.catalog.exporters import formats
from prepdeck.catalog.models import QuestionStatus


class Command(BaseCommand):
    help = (
        "Export questions. JSON is lossless (import it back with `prepdeck import`); Markdown is one clean "
        "document in the dialect the importer reads back; CSV has the importer's columns (question, answer, "
        "topic, tags, difficulty, key_points); apkg is an Anki package with one deck per topic."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format",
            choices=list(formats.FORMATS),
            default="json",
            help="Output format (default json).",
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
        export = formats.FORMATS[options["format"]]
        if options["output"] == "-":
            if export.binary:
                raise CommandError("an Anki package is binary: give a file name with -o")
            self.stdout.write(export.write(questions).decode(), ending="")
            return
        Path(options["output"]).write_bytes(export.write(questions))
        self.stderr.write(f"Exported {len(questions)} question(s) to {options['output']}.")
