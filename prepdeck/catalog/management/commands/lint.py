"""``prepdeck lint``: report outdated or wrong Django advice in documents or in the bundled bank."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from prepdeck.catalog.bank import files as bank_files
from prepdeck.catalog.importers.base import ImportFormatError
from prepdeck.catalog.importers.text import decode_document
from prepdeck.catalog.lint.checks import Finding, lint_bank_question, lint_markdown


class Command(BaseCommand):
    help = (
        "Find outdated or wrong Django advice: removed or misused settings and APIs (each rule names the "
        "version that changed it), Python code that does not parse, and django/rest_framework imports that "
        "do not resolve against the installed versions. No code from a document is executed. "
        "Exits with status 1 when there are findings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths",
            nargs="*",
            metavar="PATH",
            help="Markdown or text documents, or folders of them, to check.",
        )
        parser.add_argument("--bank", action="store_true", help="Check the bundled question bank.")
        parser.add_argument("--json", action="store_true", help="Print findings as a JSON list.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["paths"] and not options["bank"]:
            raise CommandError("give documents to check, or --bank")
        findings: list[Finding] = []
        for raw in options["paths"]:
            path = Path(raw)
            candidates = (
                sorted(child for child in path.iterdir() if child.is_file()) if path.is_dir() else [path]
            )
            for candidate in candidates:
                if not candidate.is_file():
                    raise CommandError(f"{candidate}: no such file")
                try:
                    # The importer's decoding: BOM, line endings and mojibake repaired, lines kept.
                    text = decode_document(candidate.name, candidate.read_bytes()).text
                except ImportFormatError as error:
                    raise CommandError(str(error)) from None
                findings.extend(lint_markdown(candidate.name, text))
        if options["bank"]:
            for data_file in bank_files.bank_files():
                text = data_file.read_text(encoding="utf-8")
                for _path, question in bank_files.iter_questions_of(data_file):
                    line = text[: text.find(f'"key": "{question["key"]}"')].count("\n") + 1
                    findings.extend(lint_bank_question(f"bank/{data_file.name}", line, question))
        if options["json"]:
            self.stdout.write(json.dumps([finding.as_dict() for finding in findings], ensure_ascii=False))
        else:
            for finding in findings:
                self.stdout.write(
                    f"{finding.file}:{finding.line}: {finding.rule} {finding.message}\n    fix: {finding.fix}"
                )
            self.stdout.write(f"{len(findings)} finding(s).")
        if findings:
            raise SystemExit(1)
