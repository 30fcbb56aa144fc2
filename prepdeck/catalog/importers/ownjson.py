"""Our own JSON export format, read back losslessly (validated here, written by ``questions_upsert``).

Every field of every entry is checked here (types, lengths, integer ranges, characters that PostgreSQL or
UTF-8 cannot store), so that a hand-edited, truncated or hostile export is refused with the file, line,
question and field it concerns instead of failing half-way through the database writes. The limits are
those of ``prepdeck.catalog.limits`` (the columns' and the editor's).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from prepdeck.catalog import limits
from prepdeck.catalog.choice import choice_problems
from prepdeck.catalog.importers.base import ImportFormatError
from prepdeck.catalog.probes import probes_problems

EXPORT_FORMAT = "prepdeck-export/1"
# Our own export is how a whole bank is backed up and moved, so it may be far larger than a document.
MAX_EXPORT_BYTES = limits.EXPORT_BYTES_MAX
_DIFFICULTIES = ("basic", "intermediate", "advanced", "unknown")
_STATUSES = ("draft", "in_review", "published", "archived")
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
# Problems listed for one entry at most (a wholly broken entry would otherwise make a very long message).
_PROBLEMS_SHOWN = 5
_PATH_SHOWN = 200  # characters of a field path (a path is made of the entry's own field names)

Problems = list[tuple[str, str]]  # (field path, what is wrong)


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(problems: Problems, path: str, value: object, *, most: int, required: bool = False) -> None:
    if not isinstance(value, str):
        problems.append((path, "must be a string"))
    elif len(value) > most:
        problems.append((path, f"must be at most {most:,} characters (it has {len(value):,})"))
    elif required and not value.strip():
        problems.append((path, "must not be empty"))


def _choice(problems: Problems, path: str, value: object, choices: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in choices:
        problems.append((path, f"must be one of {', '.join(choices)}"))


def _boolean(problems: Problems, path: str, value: object) -> None:
    if not isinstance(value, bool):
        problems.append((path, "must be true or false"))


def _objects(
    problems: Problems,
    path: str,
    value: object,
    *,
    most: int,
    check: Callable[[Problems, str, dict[str, Any]], None],
) -> None:
    if not isinstance(value, list):
        problems.append((path, "must be a list"))
        return
    if len(value) > most:
        problems.append((path, f"must have at most {most:,} entries (it has {len(value):,})"))
        return
    for index, item in enumerate(value):
        if isinstance(item, dict):
            check(problems, f"{path}[{index}]", item)
        else:
            problems.append((f"{path}[{index}]", "must be an object"))


def _strings(problems: Problems, path: str, value: object, *, most: int, longest: int) -> None:
    if not isinstance(value, list):
        problems.append((path, "must be a list of strings"))
        return
    if len(value) > most:
        problems.append((path, f"must have at most {most:,} entries (it has {len(value):,})"))
        return
    for index, item in enumerate(value):
        _text(problems, f"{path}[{index}]", item, most=longest)


def _code_example(problems: Problems, path: str, example: dict[str, Any]) -> None:
    _text(problems, f"{path}.code", example.get("code"), most=limits.CODE_MAX)
    _text(problems, f"{path}.language", example.get("language", ""), most=limits.CODE_LANGUAGE_MAX)
    _text(problems, f"{path}.caption", example.get("caption", ""), most=limits.CODE_CAPTION_MAX)
    _text(
        problems,
        f"{path}.not_runnable_reason",
        example.get("not_runnable_reason", ""),
        most=limits.CODE_NOT_RUNNABLE_REASON_MAX,
    )
    _boolean(problems, f"{path}.runnable", example.get("runnable", False))


def _source(problems: Problems, path: str, source: dict[str, Any]) -> None:
    _text(problems, f"{path}.document", source.get("document"), most=limits.SOURCE_DOCUMENT_MAX)
    for name in ("line_start", "line_end"):
        value = source.get(name)
        if value is not None and not (_is_integer(value) and 0 <= value <= limits.LINE_NUMBER_MAX):
            problems.append(
                (f"{path}.{name}", f"must be null or an integer from 0 to {limits.LINE_NUMBER_MAX:,}")
            )
    for name in ("original_prompt", "original_answer"):
        _text(problems, f"{path}.{name}", source.get(name, ""), most=limits.SOURCE_TEXT_MAX)


def _unstorable(problems: Problems, entry: dict[str, Any]) -> None:
    """Find NUL and lone surrogates anywhere in the entry, field names included (nothing of them can be
    stored). Iterative: an entry may nest as deeply as the JSON parser allows."""
    pending: list[tuple[str, object]] = [("", entry)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            character = limits.unstorable_character(value)
            if character is not None:
                problems.append((path, f"contains {character}, which cannot be stored"))
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                character = limits.unstorable_character(key)
                if character is not None:
                    problems.append((path or "(entry)", f"has a field name containing {character}"))
                else:
                    pending.append((f"{path}.{key}" if path else key, item))
        elif isinstance(value, list):
            pending.extend((f"{path}[{index}]", item) for index, item in reversed(list(enumerate(value))))


def entry_problems(entry: dict[str, Any]) -> Problems:
    """Every field of one export entry that cannot be imported, as (field path, what is wrong)."""
    problems: Problems = []
    _unstorable(problems, entry)
    if problems:  # the checks below would only repeat the same fields
        return problems
    key = entry.get("key")
    if not isinstance(key, str) or len(key) > limits.KEY_MAX or not _SLUG.fullmatch(key):
        problems.append(("key", f"must be at most {limits.KEY_MAX} letters, digits, '-' or '_'"))
    needs_question = entry.get("needs_question", False)
    _boolean(problems, "needs_question", needs_question)
    _text(
        problems, "prompt", entry.get("prompt"), most=limits.PROMPT_MAX, required=needs_question is not True
    )
    topic = entry.get("topic")
    if not isinstance(topic, str) or not topic or len(topic) > 80 or not _SLUG.fullmatch(topic):
        problems.append(("topic", "must be a topic's slug"))
    _text(problems, "short_answer", entry.get("short_answer", ""), most=limits.SHORT_ANSWER_MAX)
    _text(problems, "explanation", entry.get("explanation", ""), most=limits.EXPLANATION_MAX)
    _choice(problems, "difficulty", entry.get("difficulty", "unknown"), _DIFFICULTIES)
    if "status" in entry:
        _choice(problems, "status", entry["status"], _STATUSES)
    lists = (
        ("key_points", limits.KEY_POINTS_MAX, limits.LIST_ITEM_MAX),
        ("common_mistakes", limits.COMMON_MISTAKES_MAX, limits.LIST_ITEM_MAX),
        # the multiple-choice field of exports written before ``choice``: a list of strings
        ("distractors", limits.DISTRACTORS_MAX, limits.LIST_ITEM_MAX),
        ("tags", limits.TAGS_MAX, limits.TAG_MAX),
        ("follow_ups", limits.FOLLOW_UPS_MAX, limits.KEY_MAX),
    )
    for name, most, longest in lists:
        _strings(problems, name, entry.get(name, []), most=most, longest=longest)
    problems.extend(("choice", f"needs {problem}") for problem in choice_problems(entry.get("choice")))
    problems.extend(("probes", f"needs {problem}") for problem in probes_problems(entry.get("probes")))
    _objects(
        problems,
        "code_examples",
        entry.get("code_examples", []),
        most=limits.CODE_EXAMPLES_MAX,
        check=_code_example,
    )
    _objects(problems, "sources", entry.get("sources", []), most=limits.SOURCES_MAX, check=_source)
    return problems


def _shorten(path: str) -> str:
    return path if len(path) <= _PATH_SHOWN else path[: _PATH_SHOWN - 1] + "…"


def _describe(problems: Problems) -> str:
    shown = [f"{_shorten(path)} {what}" for path, what in problems[:_PROBLEMS_SHOWN]]
    more = len(problems) - _PROBLEMS_SHOWN
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def parse_export(name: str, data: bytes) -> list[dict[str, Any]]:
    """Return the question entries of a PrepDeck JSON export, or raise naming the file, line, item, field.

    Raises only ``ImportFormatError``, whatever the bytes.
    """
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
    except ValueError as error:
        # Python refuses to convert an integer literal of more than 4,300 digits (sys.set_int_max_str_digits)
        raise ImportFormatError(name, f"invalid JSON: {error}", line=1) from None
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
        if isinstance(key, str) and limits.unstorable_character(key) is None:
            quoted = json.dumps(key, ensure_ascii=False)
            position = text.find(f'"key": {quoted}', cursor)
            if position < 0:
                position = text.find(quoted, cursor)
        if position >= 0:
            line += text.count("\n", cursor, position)
            cursor = position
        if not isinstance(entry, dict):
            raise ImportFormatError(name, f"question {number} must be an object", line=line, item=number)
        problems = entry_problems(entry)
        if problems:
            label = f"question {number}" + (
                f" ({key!r})" if isinstance(key, str) and len(key) <= limits.KEY_MAX else ""
            )
            raise ImportFormatError(
                name,
                f"{label}: {_describe(problems)}",
                line=line,
                item=number,
                key=key if isinstance(key, str) and not any(path == "key" for path, _ in problems) else None,
                field=_shorten(problems[0][0]),
            )
        assert isinstance(key, str)
        if key in keys:
            raise ImportFormatError(
                name, f"question key {key!r} appears twice", line=line, item=number, key=key, field="key"
            )
        keys.add(key)
    return questions
