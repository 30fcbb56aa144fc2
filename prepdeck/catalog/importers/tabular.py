"""CSV and TSV with a header row: question, answer, topic, tags, difficulty, key_points."""

from __future__ import annotations

import csv
import io

from prepdeck.catalog.importers.base import ImportFormatError, ParsedDocument, ParsedItem
from prepdeck.catalog.importers.text import decode_document

REQUIRED_COLUMNS = ("question", "answer")
OPTIONAL_COLUMNS = ("topic", "tags", "difficulty", "key_points")
DIFFICULTIES = {"basic", "intermediate", "advanced", "unknown", ""}
# Lists inside a cell: key points one per line or separated by "|", tags by commas or semicolons.
_LIST_SEPARATORS = ("\n", "|")
# Our CSV export prefixes a cell that a spreadsheet would run as a formula with "'" (exporters/data.py);
# such a prefix is removed, so an export reads back to the same text. A quote before anything else stays.
_FORMULA_ESCAPE = "'"
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _unescape_formula(cell: str) -> str:
    if cell.startswith(_FORMULA_ESCAPE) and cell[1:].startswith(_FORMULA_TRIGGERS):
        return cell[1:]
    return cell


def _split(cell: str, separators: tuple[str, ...]) -> list[str]:
    for separator in separators:
        if separator in cell:
            return [part.strip() for part in cell.split(separator) if part.strip()]
    return [cell.strip()] if cell.strip() else []


def parse_tabular(name: str, data: bytes) -> ParsedDocument:
    """Parse a CSV (comma, semicolon) or TSV file whose first row names the columns (any case, any order)."""
    text, repairs, notes = decode_document(name, data)
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel_tab if name.lower().endswith(".tsv") else csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [column.strip().lower() for column in next(reader)]
    except StopIteration:
        raise ImportFormatError(name, "the file is empty", line=1) from None
    except csv.Error as error:
        raise ImportFormatError(name, f"not a readable CSV file ({error})", line=1) from None
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ImportFormatError(
            name,
            f"the header row lacks the column(s) {', '.join(missing)} "
            f"(expected: {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)})",
            line=1,
        )
    position = {
        column: header.index(column) for column in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if column in header
    }
    document = ParsedDocument(name=name, repairs=repairs, notes=notes)
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            cells = {
                column: (_unescape_formula(row[index]).strip() if index < len(row) else "")
                for column, index in position.items()
            }
            if not cells["question"]:
                raise ImportFormatError(name, "the question cell is empty", line=line)
            difficulty = cells.get("difficulty", "").lower()
            if difficulty not in DIFFICULTIES:
                raise ImportFormatError(
                    name, f"difficulty {difficulty!r} is not basic, intermediate or advanced", line=line
                )
            document.items.append(
                ParsedItem(
                    prompt=cells["question"],
                    answer=cells["answer"],
                    line_start=line,
                    line_end=line,
                    section=cells.get("topic", ""),
                    difficulty=difficulty or "unknown",
                    dialect="csv",
                    key_points=_split(cells.get("key_points", ""), _LIST_SEPARATORS),
                    tags=[tag.lower() for tag in _split(cells.get("tags", ""), (";", ","))],
                )
            )
    except csv.Error as error:
        raise ImportFormatError(name, f"not a readable CSV file ({error})", line=reader.line_num) from None
    return document
