"""Limits of the question bank's content and of imports: one place that every door and importer reads.

The content limits match the columns and the editor's form (``web/forms.py``), so a question that an
import creates could also have been typed in the editor; list items are allowed longer than the form's,
as the bundled bank has distractors of up to about 370 characters. The import limits bound the work one
upload can cause (see the README's "Import limits" for the figures they give).
"""

from __future__ import annotations

import re

# --- one question -----------------------------------------------------------------------------------
KEY_MAX = 120  # Question.key
PROMPT_MAX = 2_000  # the editor's prompt field
SHORT_ANSWER_MAX = 5_000
EXPLANATION_MAX = 50_000
LIST_ITEM_MAX = 1_000  # one key point, common mistake or distractor
KEY_POINTS_MAX = 10
COMMON_MISTAKES_MAX = 20
DISTRACTORS_MAX = 10
TAGS_MAX = 20
TAG_MAX = 60  # Tag.slug
CODE_EXAMPLES_MAX = 10
CODE_MAX = 50_000
CODE_LANGUAGE_MAX = 30  # CodeExample.language
CODE_CAPTION_MAX = 300  # CodeExample.caption
CODE_NOT_RUNNABLE_REASON_MAX = 200  # CodeExample.not_runnable_reason
FOLLOW_UPS_MAX = 50
SOURCES_MAX = 1_000  # sources of one question (every document it was merged from)
SOURCE_DOCUMENT_MAX = 255  # Source.document
SOURCE_TEXT_MAX = 200_000  # Source.original_prompt / original_answer
LINE_NUMBER_MAX = 2**31 - 1  # Source.line_start / line_end: a PostgreSQL integer

# --- one upload ---------------------------------------------------------------------------------------
DOCUMENT_BYTES_MAX = 5 * 1024 * 1024  # a Markdown, CSV/TSV or .apkg file
EXPORT_BYTES_MAX = 256 * 1024 * 1024  # our own JSON export (a whole bank's backup)
# One request's files together and their number are settings (UPLOAD_MAX_REQUEST_BYTES, UPLOAD_MAX_FILES),
# enforced by prepdeck.core.uploads before the body is read.
# Questions found in the documents of one import (Markdown, CSV, .apkg; our JSON export is applied in
# bulk and is bounded by its size instead), and notes in one Anki package.
DOCUMENT_ITEMS_MAX = 5_000
APKG_NOTES_MAX = DOCUMENT_ITEMS_MAX

# Characters a PostgreSQL text column cannot store (NUL) or UTF-8 cannot encode (lone surrogates).
UNSTORABLE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def unstorable_character(text: str) -> str | None:
    """Name the first character of ``text`` that cannot be stored, or None when all of them can."""
    match = UNSTORABLE_CHARACTERS.search(text)
    if match is None:
        return None
    character = match.group()
    return "NUL (\\u0000)" if character == "\x00" else f"a lone surrogate (\\u{ord(character):04x})"
