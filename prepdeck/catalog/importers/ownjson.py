"""Our own JSON export format, read back losslessly (validated here, written by ``questions_upsert``)."""

from __future__ import annotations

import json
from typing import Any

from prepdeck.catalog.importers.base import ImportFormatError

EXPORT_FORMAT = "prepdeck-export/1"
_DIFFICULTIES = {"basic", "intermediate", "advanced", "unknown"}
_STATUSES = {"draft", "in_review", "published", "archived"}


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def parse_export(name: str, data: bytes) -> list[dict[str, Any]]:
    """Return the question entries of a PrepDeck JSON export, or raise naming the file and line."""
    if not data.strip():
        raise ImportFormatError(name, "the file is empty", line=1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFormatError(name, "not UTF-8 text", line=data.count(b"\n", 0, error.start) + 1) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFormatError(name, f"invalid JSON: {error.msg}", line=error.lineno) from None
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise ImportFormatError(name, f'not a PrepDeck export (expected "format": "{EXPORT_FORMAT}")', line=1)
    questions = document.get("questions")
    if not isinstance(questions, list):
        raise ImportFormatError(name, '"questions" must be a list', line=1)
    keys: set[str] = set()
    for number, entry in enumerate(questions, start=1):
        where = f"question {number}"
        key = entry.get("key") if isinstance(entry, dict) else None
        position = text.find(json.dumps(key)) if isinstance(key, str) else -1
        line = _line_of(text, position) if position >= 0 else None
        if not isinstance(entry, dict) or not isinstance(key, str) or not key:
            raise ImportFormatError(name, f"{where} has no key", line=line)
        problems = []
        if not isinstance(entry.get("prompt"), str) or not (entry["prompt"] or entry.get("needs_question")):
            problems.append("a prompt")
        if not isinstance(entry.get("topic"), str):
            problems.append("a topic")
        if entry.get("difficulty", "unknown") not in _DIFFICULTIES:
            problems.append("a known difficulty")
        if entry.get("status", "draft") not in _STATUSES:
            problems.append("a known status")
        for list_field in ("key_points", "tags", "code_examples", "follow_ups", "sources", "distractors"):
            if not isinstance(entry.get(list_field, []), list):
                problems.append(f"{list_field} as a list")
        if problems:
            raise ImportFormatError(name, f"question {key!r} needs {', '.join(problems)}", line=line)
        if key in keys:
            raise ImportFormatError(name, f"question key {key!r} appears twice", line=line)
        keys.add(key)
    return questions
