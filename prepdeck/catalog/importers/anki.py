"""Anki packages (``.apkg``): each note becomes one question, its first field the prompt, its second the answer.

An ``.apkg`` is a zip archive holding the collection as an SQLite database, under one of three names:

- ``collection.anki21``: Anki 2.1 with "Support older Anki versions" ticked (schema 11, plain SQLite);
- ``collection.anki21b``: Anki 2.1.50 and later by default (schema 18, zstd-compressed SQLite);
- ``collection.anki2``: Anki 2.0 and genanki (schema 11). Anki 2.1 writes this file next to either of the
  other two as well, holding one placeholder note ("Please update to the latest Anki version…"), so it is
  read only when the archive has nothing better; a lone placeholder is refused with an explanation.

Where things come from:

- **prompt / answer**: the note's first and second fields, HTML turned into Markdown-ish text by
  ``html_to_text`` (blocks and ``<br>`` become new lines, ``<pre>`` becomes a fenced code block, lists
  become ``-`` items, entities are decoded, every other tag is dropped, ``[sound:…]`` is removed). A cloze
  note's prompt shows ``[...]`` for each deletion and its answer the full text.
- **key points**: a trailing "Key points" heading followed only by list items (what
  ``prepdeck.catalog.exporters.anki`` writes at the end of the back) is read back and cut from the answer.
- **tags**: Anki's space-separated tags, lower-cased and made into our tag slugs (``Django::ORM`` →
  ``django-orm``); ``difficulty::basic`` (or ``difficulty-basic``, ``difficulty_basic``) sets the
  difficulty instead, and Anki's own ``marked`` and ``leech`` markers are dropped.
- **section** (the topic hint): the note type's field named ``Topic`` when the note has one with text (our
  exporter writes the topic slug there, so a round trip lands every question in its topic), otherwise the
  last ``::`` part of the deck of the note's first card (the ``Default`` deck gives none).
- **line_start / line_end**: the note's 1-based position in the collection ordered by note id, so an
  import report's ``file:line`` reads "file:note number" for a package.

The database is copied to a temporary file and read with the standard library's ``sqlite3``: plain
``SELECT`` statements on tables (never views), with untrusted-schema features off and a step budget, so a
hostile file can neither run anything nor keep the reader busy. Every unreadable input raises
``ImportFormatError``; nothing else escapes.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Protocol

import zstandard

from prepdeck.catalog import limits
from prepdeck.catalog.importers.base import (
    MAX_FILE_BYTES,
    ImportFormatError,
    ParsedCodeExample,
    ParsedDocument,
    ParsedItem,
)
from prepdeck.catalog.importers.markdown import clean_prompt, clean_section

# Most capable first. Anki never writes anki21 and anki21b together; when either is there, collection.anki2
# is the placeholder.
# Notes in one package: each becomes a question, so this bounds an import's work (see catalog/limits.py).
APKG_NOTES_MAX = limits.APKG_NOTES_MAX
COLLECTION_MEMBERS = ("collection.anki21", "collection.anki21b", "collection.anki2")
COMPRESSED_MEMBER = "collection.anki21b"
PLACEHOLDER_MEMBER = "collection.anki2"
# Zip bombs: the archive may unpack (and the collection decompress) to at most this many bytes.
MAX_UNPACKED_BYTES = 20 * MAX_FILE_BYTES
# SQLite calls the progress handler every this many virtual-machine steps; past the budget it aborts.
_STEPS_PER_CALL = 10_000
_MAX_PROGRESS_CALLS = 100_000

FIELD_SEPARATOR = "\x1f"
DECK_SEPARATOR = "::"
SCHEMA18_DECK_SEPARATOR = "\x1f"
DEFAULT_DECK_ID = 1
TOPIC_FIELD = "topic"
KEY_POINTS_HEADING = "Key points"
DIFFICULTY_TAG = re.compile(r"difficulty(?:::|[-_:])(basic|intermediate|advanced|unknown)")
ANKI_STATE_TAGS = frozenset({"marked", "leech"})
MAX_TAG_LENGTH = 60  # Tag.slug's max_length

_SOUND = re.compile(r"\[sound:[^\]]*\]")
_CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
_KEY_POINTS_LINE = re.compile(rf"^(?:#+ *)?(?:\*\*)?{KEY_POINTS_HEADING}:?(?:\*\*)?:?$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,4}[.)])\s+(?P<text>.*\S)\s*$")


# --------------------------------------------------------------------------------------------------
# HTML → text
# --------------------------------------------------------------------------------------------------

# Content of these elements is never text a person wrote into the field.
_SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript"})
_PARAGRAPHS = frozenset({"p", "blockquote", "table", "section", "article", "header", "footer", "figure"})
_LINES = frozenset({"div", "tr", "dd", "dt", "dl", "caption", "figcaption", "details", "summary", "center"})
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_CELLS = frozenset({"td", "th"})
# Marks a code block in the text while whitespace is tidied; NUL cannot survive from the input.
_PLACEHOLDER = "\x00{}\x00"
_PLACEHOLDER_LINE = re.compile(r"\x00(\d+)\x00")
_LANGUAGE_CLASS = re.compile(r"(?:^|\s)(?:language|lang)-([\w+#.-]+)")


@dataclass
class ConvertedField:
    """A field as Markdown-ish text, and the code blocks it contains (also fenced inside the text)."""

    text: str
    code_blocks: list[ParsedCodeExample]


def _language(attributes: list[tuple[str, str | None]]) -> str:
    for name, value in attributes:
        if name == "class" and value:
            match = _LANGUAGE_CLASS.search(value)
            if match:
                return match.group(1).lower()
    return ""


def _fence(code: str, language: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{language}\n{code}\n{ticks}"


def _inline_code(code: str) -> str:
    code = re.sub(r"\s+", " ", code)
    if not code.strip():
        return code
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    ticks = "`" * (longest + 1)
    padding = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{ticks}{padding}{code}{padding}{ticks}"


class _HtmlToText(HTMLParser):
    """A forgiving one-pass converter: unknown or unbalanced tags are ignored, never an error."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tail = ""  # the last two characters written, to decide how many new lines a block needs
        self.skipping = 0
        self.pre: list[str] | None = None
        self.code: list[str] | None = None
        self.code_language = ""
        self.lists: list[list[int]] = []  # per open list: [ordered (0/1), next number]
        self.cells_in_row = 0
        self.after_marker = False  # a list marker was just written: a block inside the item adds no break
        self.code_blocks: list[ParsedCodeExample] = []

    # -- writing ------------------------------------------------------------------------------------

    def _write(self, text: str) -> None:
        if text:
            self.parts.append(text)
            self.tail = (self.tail + text)[-2:]

    def _line_break(self) -> None:
        if self.tail and not self.tail.endswith("\n") and not self.after_marker:
            self._write("\n")

    def _blank_line(self) -> None:
        if not self.tail or self.after_marker or self.tail.endswith("\n\n"):
            return
        self._write("\n" if self.tail.endswith("\n") else "\n\n")

    def _write_inline(self, text: str) -> None:
        """Text inside a block; in a list item, lines after the first are indented to stay in the item."""
        if not text.strip():
            self._write(text)
            return
        if self.lists:
            indent = "  " * len(self.lists)
            if self.tail.endswith("\n") and not self.after_marker:
                text = indent + text
            text = re.sub(r"\n(?=\S)", "\n" + indent, text)
        self.after_marker = False
        self._write(text)

    def _code_block(self, code: str, language: str) -> None:
        lines = [line.rstrip() for line in code.split("\n")]
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        if not lines:
            return
        self.code_blocks.append(ParsedCodeExample(language=language, code="\n".join(lines)))
        self.after_marker = False
        self._blank_line()
        self._write(_PLACEHOLDER.format(len(self.code_blocks) - 1))
        self._blank_line()

    # -- parser callbacks ---------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            self.skipping += tag in _SKIPPED
            return
        if self.pre is not None:
            if tag == "br":
                self.pre.append("\n")
            elif tag in _LINES or tag in _PARAGRAPHS or tag == "li":
                if self.pre and not self.pre[-1].endswith("\n"):
                    self.pre.append("\n")
            elif tag == "code" and not self.code_language:
                self.code_language = _language(attrs)
            return
        if self.code is not None:
            if tag == "br" or ((tag in _LINES or tag in _PARAGRAPHS) and self.code):
                self.code.append("\n")
            return
        if tag in _SKIPPED:
            self.skipping = 1
        elif tag == "br":
            self._write("\n")
            self.after_marker = False
        elif tag == "pre":
            self.pre = []
            self.code_language = _language(attrs)
        elif tag == "code":
            self.code = []
            self.code_language = _language(attrs)
        elif tag in ("ul", "ol"):
            if self.lists:
                self._line_break()
            else:
                self._blank_line()
            self.lists.append([1 if tag == "ol" else 0, 1])
        elif tag == "li":
            self.after_marker = False
            self._line_break()
            if self.lists:
                ordered, number = self.lists[-1]
                marker = f"{number}. " if ordered else "- "
                self.lists[-1][1] += 1
                self._write("  " * (len(self.lists) - 1) + marker)
            else:
                self._write("- ")
            self.after_marker = True
        elif tag in _HEADINGS:
            self._blank_line()
            self._write("#" * _HEADINGS[tag] + " ")
            self.after_marker = True
        elif tag == "hr":
            self._blank_line()
            self._write("---")
            self._blank_line()
        elif tag in _PARAGRAPHS:
            self._blank_line()
        elif tag in _LINES:
            self._line_break()
            if tag == "tr":
                self.cells_in_row = 0
        elif tag in _CELLS:
            if self.cells_in_row:
                self._write(" | ")
            self.cells_in_row += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # "<br/>" is one line break, and HTML ignores the slash of "<div/>": a start tag only.
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            self.skipping -= tag in _SKIPPED
            return
        if self.pre is not None:
            if tag == "pre":
                code, self.pre = "".join(self.pre), None
                self._code_block(code, self.code_language)
            elif tag in _LINES or tag in _PARAGRAPHS or tag == "br":
                self.pre.append("\n")
            return
        if self.code is not None:
            if tag == "code":
                self._end_code()
            elif tag == "br" or tag in _LINES or tag in _PARAGRAPHS:
                self.code.append("\n")
            return
        if tag == "br":
            self._write("\n")
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self.after_marker = False
            if self.lists:
                self._line_break()
            else:
                self._blank_line()
        elif tag == "li" or tag in _LINES:
            self.after_marker = False
            self._line_break()
        elif tag in _HEADINGS or tag in _PARAGRAPHS:
            self.after_marker = False
            self._blank_line()

    def _end_code(self) -> None:
        assert self.code is not None
        code, self.code = "".join(self.code), None
        if "\n" in code.strip("\n"):
            self._code_block(code, self.code_language)
        else:
            self._write_inline(_inline_code(code.strip("\n")))

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        data = data.replace("\x00", "").replace("\xa0", " ").replace("\r\n", "\n").replace("\r", "\n")
        if self.pre is not None:
            self.pre.append(data)
            return
        if self.code is not None:
            self.code.append(data)
            return
        data = re.sub(r"[^\S\n]+", " ", data)
        data = re.sub(r" ?\n ?", "\n", data)
        if not data.strip() and self.tail.endswith("\n"):
            return  # the new lines between block tags in generated HTML
        if not self.tail or self.tail.endswith("\n") or self.after_marker:
            data = data.lstrip(" \n")  # a block just started: the new lines of the HTML source mean nothing
        elif self.tail.endswith(" "):
            data = data.lstrip(" ")
        self._write_inline(data)

    def result(self) -> ConvertedField:
        if self.pre is not None:
            code, self.pre = "".join(self.pre), None
            self._code_block(code, self.code_language)
        if self.code is not None:
            self._end_code()
        return _assemble("".join(self.parts), self.code_blocks)


def _assemble(text: str, code_blocks: list[ParsedCodeExample]) -> ConvertedField:
    """Tidy whitespace (trailing spaces, runs of blank lines), then put the fenced code blocks in place."""
    lines = [line.rstrip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

    def fenced(match: re.Match[str]) -> str:
        block = code_blocks[int(match.group(1))]
        return _fence(block.code, block.language)

    return ConvertedField(_PLACEHOLDER_LINE.sub(fenced, text), code_blocks)


def html_to_text(html: str) -> ConvertedField:
    """Turn an Anki field's HTML into Markdown-ish text (see the module docstring); never raises."""
    html = _SOUND.sub("", html)
    converter = _HtmlToText()
    try:
        converter.feed(html)
        converter.close()
    except AssertionError:
        # Python < 3.13 asserts on a malformed "<![keyword[" section; drop every tag instead.
        converter = _HtmlToText()
        converter.feed(re.sub(r"<[^>]*>?", " ", html).replace("<", "&lt;"))
        converter.close()
    return converter.result()


# --------------------------------------------------------------------------------------------------
# Archive → SQLite file → notes
# --------------------------------------------------------------------------------------------------


@dataclass
class _Note:
    position: int  # 1-based, in note id order
    fields: list[str]
    field_names: list[str]  # as the note type names them; [] when the note type is missing
    tags: str
    deck_id: int | None
    deck: str  # full name with "::" between levels, "" when unknown


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def _read_limited(stream: _Readable, limit: int) -> bytes | None:
    """Up to ``limit`` bytes from ``stream``; None when it holds more."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(1 << 20, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None


def _collection_file(name: str, data: bytes) -> tuple[str, bytes]:
    """The name and SQLite bytes of the best collection in the archive (see ``COLLECTION_MEMBERS``)."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFormatError(name, "not an Anki package (.apkg files are zip archives)")
    # zipfile reports a malformed archive through a dozen exception types (BadZipFile, zlib.error,
    # struct.error, EOFError, NotImplementedError for unknown compression, RuntimeError for encryption,
    # UnicodeDecodeError for member names...): any failure while unpacking means the same to the user.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {info.filename: info for info in archive.infolist()}
            unpacked = sum(info.file_size for info in archive.infolist())  # duplicates count too
            if unpacked > MAX_UNPACKED_BYTES:
                raise ImportFormatError(
                    name,
                    f"the archive unpacks to {unpacked:,} bytes; the limit is {MAX_UNPACKED_BYTES:,} bytes",
                )
            member = next((candidate for candidate in COLLECTION_MEMBERS if candidate in members), None)
            if member is None:
                raise ImportFormatError(
                    name,
                    "not an Anki package: the zip archive holds no collection "
                    f"({', '.join(COLLECTION_MEMBERS)})",
                )
            with archive.open(members[member]) as stream:
                raw = _read_limited(stream, MAX_UNPACKED_BYTES)
    except ImportFormatError:
        raise
    except Exception as error:
        raise ImportFormatError(name, f"the zip archive cannot be unpacked ({error})") from None
    if raw is None:
        raise ImportFormatError(
            name, f"{member} unpacks to more than {MAX_UNPACKED_BYTES:,} bytes (the limit)"
        )
    if member == COMPRESSED_MEMBER:
        raw = _decompress(name, raw)
    return member, raw


def _decompress(name: str, raw: bytes) -> bytes:
    # zstandard raises ZstdError for a bad frame, but also ValueError/OSError from its stream wrapper.
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw), read_across_frames=True)
        with reader:
            database = _read_limited(reader, MAX_UNPACKED_BYTES)
    except Exception as error:
        raise ImportFormatError(
            name, f"{COMPRESSED_MEMBER} is not valid zstd-compressed data ({error})"
        ) from None
    if database is None:
        raise ImportFormatError(
            name, f"{COMPRESSED_MEMBER} decompresses to more than {MAX_UNPACKED_BYTES:,} bytes (the limit)"
        )
    return database


def _text(value: object) -> str:
    """A column value as text, whatever a damaged or hostile database stores there."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,19}", value.strip()):
        return int(value)
    return None


def _json_object(value: object) -> dict[str, object]:
    try:
        parsed = json.loads(_text(value))
    except (ValueError, RecursionError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _unicase(left: str, right: str) -> int:
    """Anki's ``unicase`` collation (case-insensitive), which schema 18 declares on name columns."""
    first, second = left.casefold(), right.casefold()
    return (first > second) - (first < second)


class _StepBudget:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return int(self.calls > _MAX_PROGRESS_CALLS)  # non-zero aborts the running statement


def _read_notes(name: str, path: Path) -> list[_Note]:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.text_factory = _text
        connection.create_collation("unicase", _unicase)
        connection.set_progress_handler(_StepBudget(), _STEPS_PER_CALL)
        connection.execute("PRAGMA trusted_schema = OFF")
        connection.execute("PRAGMA query_only = ON")
        return _notes_from(name, connection)
    except sqlite3.Error as error:
        raise ImportFormatError(name, f"the collection is not a readable Anki database ({error})") from None
    except UnicodeDecodeError:  # SQLite's message about a damaged schema can quote the damage itself
        raise ImportFormatError(
            name, "the collection is not a readable Anki database (its schema is damaged)"
        ) from None
    finally:
        connection.close()


def _notes_from(name: str, connection: sqlite3.Connection) -> list[_Note]:
    tables = {
        _text(table): _text(kind)
        for table, kind in connection.execute(
            "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')"
        )
    }
    if tables.get("notes") != "table":
        raise ImportFormatError(name, "the collection has no notes table: not an Anki collection")
    decks: dict[int, str] = {}
    field_names: dict[int, list[str]] = {}
    if tables.get("decks") == "table":  # schema 15 and later
        for deck_id, deck_name in connection.execute("SELECT id, name FROM decks"):
            number = _integer(deck_id)
            if number is not None:
                decks[number] = _text(deck_name).replace(SCHEMA18_DECK_SEPARATOR, DECK_SEPARATOR)
    if tables.get("fields") == "table":
        for notetype_id, _order, field_name in connection.execute(
            "SELECT ntid, ord, name FROM fields ORDER BY ntid, ord"
        ):
            number = _integer(notetype_id)
            if number is not None:
                field_names.setdefault(number, []).append(_text(field_name))
    if tables.get("col") == "table":  # schema 11 keeps decks and note types as JSON in the col row
        row = connection.execute("SELECT decks, models FROM col").fetchone()
        if row is not None:
            for key, deck in _json_object(row[0]).items():
                number = _integer(key)
                if number is not None and isinstance(deck, dict) and number not in decks:
                    decks[number] = _text(deck.get("name"))
            for key, model in _json_object(row[1]).items():
                number = _integer(key)
                if number is not None and isinstance(model, dict) and number not in field_names:
                    fields = model.get("flds")
                    if isinstance(fields, list):
                        field_names[number] = [
                            _text(field.get("name")) for field in fields if isinstance(field, dict)
                        ]
    first_deck: dict[int, int] = {}
    if tables.get("cards") == "table":
        for note_id, deck_id in connection.execute("SELECT nid, did FROM cards ORDER BY nid, ord, id"):
            note_number, deck_number = _integer(note_id), _integer(deck_id)
            if note_number is not None and deck_number is not None:
                first_deck.setdefault(note_number, deck_number)
    count = _integer(connection.execute("SELECT count(*) FROM notes").fetchone()[0]) or 0
    if count > APKG_NOTES_MAX:
        raise ImportFormatError(
            name, f"the package holds {count:,} notes; the limit is {APKG_NOTES_MAX:,} notes per package"
        )
    notes = []
    for position, (note_id, model_id, tags, fields) in enumerate(
        connection.execute("SELECT id, mid, tags, flds FROM notes ORDER BY id"), start=1
    ):
        note_number, model_number = _integer(note_id), _integer(model_id)
        deck_id = first_deck.get(note_number) if note_number is not None else None
        notes.append(
            _Note(
                position=position,
                fields=_text(fields).split(FIELD_SEPARATOR),
                field_names=field_names.get(model_number, []) if model_number is not None else [],
                tags=_text(tags),
                deck_id=deck_id,
                deck=decks.get(deck_id, "") if deck_id is not None else "",
            )
        )
    return notes


def _is_placeholder(notes: list[_Note]) -> bool:
    """Anki's one "Please update to the latest Anki version…" note (in any language it names .colpkg)."""
    return len(notes) == 1 and "colpkg" in notes[0].fields[0].lower()


# --------------------------------------------------------------------------------------------------
# Notes → items
# --------------------------------------------------------------------------------------------------


def split_key_points(text: str) -> tuple[str, list[str]]:
    """Cut a trailing "Key points" heading and the list under it from the text; return both parts."""
    lines = text.split("\n")
    for index in range(len(lines) - 1, -1, -1):
        if not _KEY_POINTS_LINE.match(lines[index].strip()):
            continue
        items: list[str] = []
        for line in lines[index + 1 :]:
            if not line.strip():
                continue
            match = _LIST_ITEM.match(line)
            if match is None:
                return text, []
            items.append(match.group("text"))
        if not items:
            return text, []
        return "\n".join(lines[:index]).strip(), items
    return text, []


def tag_slug(tag: str) -> str:
    """An Anki tag as one of our tag slugs: lower case, hierarchy and punctuation turned into hyphens."""
    slug = re.sub(r"[^\w-]+", "-", tag.lower().replace(DECK_SEPARATOR, "-"))
    slug = re.sub(r"-{2,}", "-", slug).strip("-_")
    return slug[:MAX_TAG_LENGTH].rstrip("-_")


def _tags_and_difficulty(raw: str) -> tuple[list[str], str]:
    tags: list[str] = []
    difficulty = "unknown"
    for token in raw.split():
        lowered = token.lower()
        level = DIFFICULTY_TAG.fullmatch(lowered)
        if level:
            difficulty = level.group(1)
            continue
        if lowered in ANKI_STATE_TAGS:
            continue
        slug = tag_slug(lowered)
        if slug and slug not in tags:
            tags.append(slug)
    return tags, difficulty


def _section(note: _Note) -> str:
    for index, field_name in enumerate(note.field_names):
        if field_name.strip().lower() == TOPIC_FIELD and index > 1 and index < len(note.fields):
            topic = html_to_text(note.fields[index]).text.strip()
            if topic:
                return topic
    if note.deck_id == DEFAULT_DECK_ID or not note.deck:
        return ""
    return clean_section(note.deck.split(DECK_SEPARATOR)[-1])[0]


def _prompt(front: ConvertedField) -> str:
    if front.code_blocks:  # a question about code keeps its code block (and so its lines)
        return front.text.strip()
    return clean_prompt(front.text)


def _item(note: _Note) -> ParsedItem | None:
    front = html_to_text(note.fields[0])
    back = html_to_text(note.fields[1]) if len(note.fields) > 1 else ConvertedField("", [])
    if _CLOZE.search(front.text):
        hidden = ConvertedField(
            _CLOZE.sub(lambda match: f"[{match.group(2) or '...'}]", front.text), front.code_blocks
        )
        shown = _CLOZE.sub(lambda match: match.group(1), front.text)
        back = ConvertedField(f"{shown}\n\n{back.text}".strip(), front.code_blocks + back.code_blocks)
        front = hidden
    answer, key_points = split_key_points(back.text)
    prompt = _prompt(front)
    if not prompt and not answer and not key_points:
        return None
    tags, difficulty = _tags_and_difficulty(note.tags)
    return ParsedItem(
        prompt=prompt,
        answer=answer,
        line_start=note.position,
        line_end=note.position,
        section=_section(note),
        difficulty=difficulty,
        dialect="apkg",
        key_points=key_points,
        tags=tags,
        code_examples=back.code_blocks,
        flags=[] if answer else ["empty_answer"],
        needs_question=not prompt,
    )


def parse_apkg(name: str, data: bytes) -> ParsedDocument:
    """Parse an Anki package into one item per note (see the module docstring for the mapping).

    Raises ``ImportFormatError`` naming the file for anything that is not a readable package with notes.
    """
    if not data:
        raise ImportFormatError(name, "the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFormatError(
            name, f"the file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,} bytes per file"
        )
    member, database = _collection_file(name, data)
    with tempfile.TemporaryDirectory(prefix="prepdeck-apkg-") as directory:
        path = Path(directory) / "collection.sqlite"
        path.write_bytes(database)
        notes = _read_notes(name, path)
    if member == PLACEHOLDER_MEMBER and _is_placeholder(notes):
        raise ImportFormatError(
            name,
            "the package holds only Anki's 'please update' placeholder note: it was exported by a newer "
            "Anki but its collection.anki21b is missing; export it again from Anki",
            line=1,
        )
    if not notes:
        raise ImportFormatError(name, "the package holds no notes")
    document = ParsedDocument(name=name, repairs=Counter(), notes=[f"read {member}"])
    skipped = 0
    for note in notes:
        item = _item(note)
        if item is None:
            skipped += 1
        else:
            document.items.append(item)
    if skipped:
        document.notes.append(f"skipped {skipped} empty note(s)")
    if not document.items:
        raise ImportFormatError(name, f"none of the package's {len(notes)} note(s) has any text", line=1)
    return document
