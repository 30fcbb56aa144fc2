"""The export formats in one table: what the CLI and the API offer, and how each is written."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from prepdeck.catalog.exporters import anki, data, markdown
from prepdeck.catalog.models import Question


@dataclass(frozen=True)
class ExportFormat:
    content_type: str
    extension: str
    write: Callable[[Sequence[Question]], bytes]
    binary: bool = False


FORMATS: dict[str, ExportFormat] = {
    "json": ExportFormat("application/json", "json", lambda questions: data.export_json(questions).encode()),
    "markdown": ExportFormat(
        "text/markdown; charset=utf-8", "md", lambda questions: markdown.export_markdown(questions).encode()
    ),
    "csv": ExportFormat(
        "text/csv; charset=utf-8", "csv", lambda questions: data.export_csv(questions).encode()
    ),
    "apkg": ExportFormat("application/octet-stream", "apkg", anki.export_apkg, binary=True),
}
