"""``prepdeck import``: import Q&A documents into the bank (or show what importing would do)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from prepdeck.catalog import importing
from prepdeck.core.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Import question/answer documents (Markdown in many dialects, CSV/TSV, Anki .apkg) into the bank as "
        "drafts, or a PrepDeck JSON export losslessly. "
        "Duplicates merge with every source kept; the whole import is one transaction; importing the same "
        "files again changes nothing. Exits with status 1 when a file cannot be read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths", nargs="+", metavar="PATH", help="Files, or folders to import every file of."
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; write nothing.")
        parser.add_argument(
            "--format",
            choices=["auto", "markdown", "csv", "json", "apkg"],
            default="auto",
            help="Input format (default: detect from the name and content).",
        )
        parser.add_argument("--topic", metavar="SLUG", help="Put every imported question under this topic.")
        parser.add_argument("--json", action="store_true", help="Print the report as one JSON object.")
        parser.add_argument(
            "--keep-status",
            action="store_true",
            help="For our own JSON export: give questions the status the export names (e.g. published) "
            "instead of importing them as drafts. Use it to restore a backup of the bank.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        files = []
        for raw in options["paths"]:
            path = Path(raw)
            candidates = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
            for candidate in candidates:
                if not candidate.is_file():
                    raise CommandError(f"{candidate}: no such file")
                with candidate.open("rb") as stream:
                    head = stream.read(4096)
                limit = importing.file_limit(candidate.name, head, options["format"])
                if candidate.stat().st_size > limit:
                    raise CommandError(
                        f"{candidate}: larger than the {limit // (1024 * 1024)} MiB limit for its format"
                    )
                files.append(importing.InputFile(name=candidate.name, data=candidate.read_bytes()))

        report = importing.documents_import(
            files=files,
            file_format=options["format"],
            topic=options["topic"],
            dry_run=options["dry_run"],
            keep_status=options["keep_status"],
            progress=None if options["json"] else ProgressBar("Importing"),
        )
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self._print(report)
        if report.errors:
            raise SystemExit(1)

    def _print(self, report: importing.ImportReport) -> None:
        write = self.stdout.write
        if report.errors:
            for error in report.errors:
                where = error["file"] or "import"
                if error["line"] is not None:
                    where = f"{where}:{error['line']}"
                self.stderr.write(f"error: {where}: {error['message']}")
            self.stderr.write("Nothing was imported.")
            return
        heading = "Dry run (nothing written)" if report.dry_run else "Imported"
        write(
            self.style.SUCCESS(
                f"{heading}: {len(report.files)} file(s), {report.questions_found} item(s) found"
            )
        )
        write(f"  created          {report.created}")
        write(f"  drafts           {report.drafts}  (answer text without a question; needs an editor)")
        write(f"  merged (exact)   {report.merged_exact}")
        write(f"  merged (near)    {report.merged_near}")
        if report.repairs:
            write(
                "  repairs          "
                + ", ".join(f"{name} {count}" for name, count in sorted(report.repairs.items()))
            )
        if report.near_duplicate_groups:
            write(
                f"Near-duplicate groups ({len(report.near_duplicate_groups)}), check that each merge is right:"
            )
            for group in report.near_duplicate_groups:
                write("  - " + "\n    ".join(group))
