"""Plain data shared by every importer, and the one error type they raise."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from prepdeck.catalog.limits import DOCUMENT_BYTES_MAX

MAX_FILE_BYTES = DOCUMENT_BYTES_MAX


class ImportFormatError(Exception):
    """Input that cannot be imported. Names the file and, where it applies, the 1-based line; for our JSON
    export also the item (1-based position in ``questions``), its key and the field (``sources[0].line_start``).
    """

    def __init__(
        self,
        file: str,
        message: str,
        *,
        line: int | None = None,
        item: int | None = None,
        key: str | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.message = message
        self.item = item
        self.key = key
        self.field = field
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {message}")

    def as_dict(self) -> dict[str, object]:
        """The report's error object: file, line and message, plus item, key and field when known."""
        error: dict[str, object] = {"file": self.file, "line": self.line, "message": self.message}
        for name in ("item", "key", "field"):
            value = getattr(self, name)
            if value is not None:
                error[name] = value
        return error


@dataclass
class ParsedCodeExample:
    language: str
    code: str
    caption: str = ""


@dataclass
class ParsedItem:
    """One question (or, with ``needs_question``, a block of answer text that had none)."""

    prompt: str  # plain text, Markdown emphasis and numbering removed; "" when needs_question
    answer: str  # Markdown, code fences repaired and balanced
    line_start: int  # 1-based line of the question (or of the block) in the original file
    line_end: int  # 1-based last line of the answer
    section: str = ""  # nearest section heading, emoji and numbering removed (topic hint)
    difficulty: str = "unknown"  # basic | intermediate | advanced | unknown
    dialect: str = ""  # which convention matched, for the report and debugging
    key_points: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    code_examples: list[ParsedCodeExample] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # truncated, suspect_splice, code_only
    needs_question: bool = False


@dataclass
class ParsedDocument:
    name: str
    items: list[ParsedItem] = field(default_factory=list)
    # Counted repairs: bom, crlf, mojibake, fences, filler, splices, section_numbers, ...
    repairs: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)  # e.g. "re-decoded from mac_roman"
