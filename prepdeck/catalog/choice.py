"""A question's multiple-choice content (``Question.choice``): plain data in, plain data out.

The shape is the bank format's ``choice`` object (``bank/FORMAT.md``)::

    {"correct": "the right answer, written for the quiz",
     "distractors": [{"text": "a plausible wrong answer", "why_wrong": "the fact that makes it wrong"}, ...]}

An empty dict means the question has no multiple-choice content. Before this format, questions carried a
``distractors`` list of strings and the quiz used the ``short_answer`` as the correct option; such a list is
still read (``choice_from_entry``) and kept as distractors without a correct option, so nothing is lost but
the question is not asked as multiple choice until someone writes its correct option.
"""

from __future__ import annotations

from typing import Any

MIN_DISTRACTORS = 3
MAX_DISTRACTORS = 8
MAX_OPTION_CHARS = 300
MAX_WHY_WRONG_CHARS = 300


def choice_normalized(value: Any) -> dict[str, Any]:
    """``value`` (a ``choice`` object) with whitespace trimmed and empty distractors dropped; ``{}`` when it
    holds nothing. Only call it on values ``choice_problems`` accepts."""
    if not value:
        return {}
    correct = str(value.get("correct", "") or "").strip()
    distractors = [
        {"text": str(item.get("text", "")).strip(), "why_wrong": str(item.get("why_wrong", "") or "").strip()}
        for item in value.get("distractors", [])
        if str(item.get("text", "")).strip()
    ]
    if not correct and not distractors:
        return {}
    return {"correct": correct, "distractors": distractors}


def choice_from_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """The ``choice`` of a bank or export entry; an entry with only the old ``distractors`` list of strings
    gets those as distractors without a correct option (so it is not asked as multiple choice)."""
    if entry.get("choice"):
        return choice_normalized(entry["choice"])
    legacy = [str(text).strip() for text in entry.get("distractors", []) if str(text).strip()]
    return (
        {"correct": "", "distractors": [{"text": text, "why_wrong": ""} for text in legacy]} if legacy else {}
    )


def choice_problems(value: Any) -> list[str]:
    """What is wrong with the shape of a ``choice`` value, as phrases ("choice.correct as a string")."""
    if value in (None, {}):
        return []
    if not isinstance(value, dict):
        return ["choice as an object with correct and distractors"]
    problems = []
    unknown = set(value) - {"correct", "distractors"}
    if unknown:
        problems.append(f"choice without unknown fields ({', '.join(sorted(unknown))})")
    correct = value.get("correct", "")
    if not isinstance(correct, str) or len(correct) > MAX_OPTION_CHARS:
        problems.append(f"choice.correct as a string of at most {MAX_OPTION_CHARS} characters")
    distractors = value.get("distractors", [])
    if not isinstance(distractors, list) or len(distractors) > MAX_DISTRACTORS:
        problems.append(f"choice.distractors as a list of at most {MAX_DISTRACTORS} objects")
    elif not all(
        isinstance(item, dict)
        and set(item) <= {"text", "why_wrong"}
        and isinstance(item.get("text"), str)
        and len(item["text"]) <= MAX_OPTION_CHARS
        and isinstance(item.get("why_wrong", ""), str)
        and len(item.get("why_wrong", "")) <= MAX_WHY_WRONG_CHARS
        for item in distractors
    ):
        problems.append(
            f"choice.distractors as objects with text (at most {MAX_OPTION_CHARS} characters) and why_wrong "
            f"(at most {MAX_WHY_WRONG_CHARS})"
        )
    return problems


def choice_ready(value: dict[str, Any] | None) -> bool:
    """Whether the question can be asked as multiple choice: a written correct option and at least three
    distractors. Nothing else (its short answer, other questions' key points) ever stands in for them."""
    if not value or not str(value.get("correct", "")).strip():
        return False
    return sum(1 for item in value.get("distractors", []) if str(item.get("text", "")).strip()) >= (
        MIN_DISTRACTORS
    )


def choice_as_lines(value: dict[str, Any] | None) -> list[str]:
    """The choice as lines of text (for diffs and plain exports)."""
    if not value:
        return []
    lines = [f"Correct: {value.get('correct', '')}"] if value.get("correct") else []
    for item in value.get("distractors", []):
        why = f" (wrong: {item['why_wrong']})" if item.get("why_wrong") else ""
        lines.append(f"Wrong: {item.get('text', '')}{why}")
    return lines
