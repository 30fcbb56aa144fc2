"""Our own JSON export format, read back losslessly (validated here, written by ``questions_upsert``).

Every entry is checked here, field by field, so that a hand-edited or truncated export is refused with
the file, line and question it concerns instead of failing half-way through the database writes.
"""

from __future__ import annotations

import json
import re
from typing import Any

from prepdeck.catalog.choice import choice_problems
from prepdeck.catalog.importers.base import ImportFormatError

EXPORT_FORMAT = "prepdeck-export/1"
# Our own export is how a whole bank is backed up and moved, so it may be far larger than a document.
MAX_EXPORT_BYTES = 256 * 1024 * 1024
_DIFFICULTIES = {"basic", "intermediate", "advanced", "unknown"}
_STATUSES = {"draft", "in_review", "published", "archived"}
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
# "distractors" (a list of strings) is the multiple-choice field of exports written before ``choice``.
_STRING_LISTS = ("key_points", "common_mistakes", "distractors", "tags", "follow_ups")
# Column limits of the models the entry is written to (a longer value would be refused by PostgreSQL).
_CODE_LIMITS = {"language": 30, "caption": 300, "not_runnable_reason": 200}


def _problems(entry: dict[str, Any]) -> list[str]:
    """What is wrong with one entry, as phrases completing "question 'key' needs ..."."""
    problems = []
    key = entry["key"]
    if len(key) > 120 or not _SLUG.match(key):
        problems.append("a key of at most 120 letters, digits, '-' or '_'")
    if not isinstance(entry.get("prompt"), str) or not (entry["prompt"] or entry.get("needs_question")):
        problems.append("a prompt")
    if not isinstance(entry.get("topic"), str):
        problems.append("a topic")
    for text_field in ("short_answer", "explanation"):
        if not isinstance(entry.get(text_field, ""), str):
            problems.append(f"{text_field} as a string")
    if entry.get("difficulty", "unknown") not in _DIFFICULTIES:
        problems.append("a known difficulty")
    if entry.get("status", "draft") not in _STATUSES:
        problems.append("a known status")
    for list_field in _STRING_LISTS:
        value = entry.get(list_field, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            problems.append(f"{list_field} as a list of strings")
    problems.extend(choice_problems(entry.get("choice")))
    if any(len(tag.strip()) > 60 for tag in entry.get("tags", []) if isinstance(tag, str)):
        problems.append("tags of at most 60 characters")
    examples = entry.get("code_examples", [])
    if not isinstance(examples, list) or not all(
        isinstance(example, dict)
        and isinstance(example.get("code"), str)
        and isinstance(example.get("runnable", False), bool)
        and all(
            isinstance(example.get(name, ""), str) and len(example.get(name, "")) <= limit
            for name, limit in _CODE_LIMITS.items()
        )
        for example in examples
    ):
        problems.append("code_examples as a list of objects with code (and short language and caption)")
    sources = entry.get("sources", [])
    if not isinstance(sources, list) or not all(
        isinstance(source, dict)
        and isinstance(source.get("document"), str)
        and len(source["document"]) <= 255
        and all(
            source.get(name) is None or (isinstance(source[name], int) and source[name] >= 0)
            for name in ("line_start", "line_end")
        )
        and all(isinstance(source.get(name, ""), str) for name in ("original_prompt", "original_answer"))
        for source in sources
    ):
        problems.append("sources as a list of objects with a document")
    if not isinstance(entry.get("needs_question", False), bool):
        problems.append("needs_question as true or false")
    return problems


def parse_export(name: str, data: bytes) -> list[dict[str, Any]]:
    """Return the question entries of a PrepDeck JSON export, or raise naming the file and line."""
    if not data.strip():
        raise ImportFormatError(name, "the file is empty", line=1)
    if len(data) > MAX_EXPORT_BYTES:
        raise ImportFormatError(
            name, f"the file is {len(data):,} bytes; the limit is {MAX_EXPORT_BYTES:,} bytes per export"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFormatError(name, "not UTF-8 text", line=data.count(b"\n", 0, error.start) + 1) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFormatError(name, f"invalid JSON: {error.msg}", line=error.lineno) from None
    except RecursionError:
        raise ImportFormatError(name, "invalid JSON: nested too deeply", line=1) from None
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise ImportFormatError(name, f'not a PrepDeck export (expected "format": "{EXPORT_FORMAT}")', line=1)
    questions = document.get("questions")
    if not isinstance(questions, list):
        raise ImportFormatError(name, '"questions" must be a list', line=1)
    keys: set[str] = set()
    # Entries appear in file order, so each key is searched for after the previous one and lines are
    # counted from there: finding every entry's line is linear in the file's size.
    cursor, line = 0, 1
    for number, entry in enumerate(questions, start=1):
        key = entry.get("key") if isinstance(entry, dict) else None
        position = -1
        if isinstance(key, str):
            quoted = json.dumps(key, ensure_ascii=False)
            position = text.find(f'"key": {quoted}', cursor)
            if position < 0:
                position = text.find(quoted, cursor)
        if position >= 0:
            line += text.count("\n", cursor, position)
            cursor = position
        if not isinstance(entry, dict) or not isinstance(key, str) or not key:
            raise ImportFormatError(name, f"question {number} has no key", line=line)
        problems = _problems(entry)
        if problems:
            raise ImportFormatError(name, f"question {key!r} needs {', '.join(problems)}", line=line)
        if key in keys:
            raise ImportFormatError(name, f"question key {key!r} appears twice", line=line)
        keys.add(key)
    return questions
