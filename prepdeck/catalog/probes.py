"""A question's probing follow-ups (``Question.probes``): plain data in, plain data out.

A probe is what an interviewer asks once the candidate has answered: the same problem pushed one step
further ("now the table has 100 million rows", "now it runs behind PgBouncer in transaction mode"), with a
short model answer. Unlike ``follow_ups`` (links to other bank questions) a probe belongs to its question.
The shape is the bank format's ``probes`` list (``bank/FORMAT.md``)::

    [{"ask": "Now two app servers run it: what changes?", "answer": "The in-process lock no longer ..."}]

They are shown after the answer on the question page, after each answer in a mock interview's report, and
to the interviewer (never the candidate) in a live interview kit.
"""

from __future__ import annotations

from typing import Any

MAX_PROBES = 5
MAX_ASK_CHARS = 300
MAX_ANSWER_CHARS = 1_200
# What an advanced bank question should carry (checked over the bundled bank, not for every question).
ADVANCED_MIN_PROBES = 2


def probes_normalized(value: Any) -> list[dict[str, str]]:
    """``value`` (a ``probes`` list) with whitespace trimmed and empty probes dropped. Only call it on values
    ``probes_problems`` accepts."""
    probes = []
    for item in value or []:
        ask = " ".join(str(item.get("ask", "")).split())
        answer = str(item.get("answer", "")).strip()
        if ask or answer:
            probes.append({"ask": ask, "answer": answer})
    return probes


def probes_problems(value: Any) -> list[str]:
    """What is wrong with the shape of a ``probes`` value, as phrases ("probes as a list ...")."""
    if value in (None, []):
        return []
    if not isinstance(value, list) or len(value) > MAX_PROBES:
        return [f"probes as a list of at most {MAX_PROBES} objects"]
    for item in value:
        if not (
            isinstance(item, dict)
            and set(item) <= {"ask", "answer"}
            and isinstance(item.get("ask"), str)
            and isinstance(item.get("answer"), str)
            and 0 < len(item["ask"].strip()) <= MAX_ASK_CHARS
            and 0 < len(item["answer"].strip()) <= MAX_ANSWER_CHARS
        ):
            return [
                f"probes as objects with ask (1 to {MAX_ASK_CHARS} characters) and answer "
                f"(1 to {MAX_ANSWER_CHARS})"
            ]
    return []


def probes_as_lines(value: list[dict[str, str]] | None) -> list[str]:
    """The probes as lines of text (for diffs and plain exports)."""
    lines = []
    for item in value or []:
        lines.append(f"Ask: {item.get('ask', '')}")
        lines.append(f"Answer: {item.get('answer', '')}")
    return lines


def probes_from_text(text: str) -> list[dict[str, str]]:
    """Probes written in the editor's text box: each probe starts with a line ``Ask: ...``; the lines after
    it up to the next ``Ask:`` are its answer (an optional leading ``Answer:`` is dropped)."""
    probes: list[dict[str, str]] = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.lower().startswith("ask:"):
            probes.append({"ask": line[4:].strip(), "answer": ""})
        elif probes:
            if not probes[-1]["answer"] and line.lower().startswith("answer:"):
                line = line[7:].strip()
            probes[-1]["answer"] = f"{probes[-1]['answer']}\n{line}".strip()
        elif line.strip():
            probes.append({"ask": line.strip(), "answer": ""})
    return probes


def probes_as_text(value: list[dict[str, str]] | None) -> str:
    """The editor's text form of ``value`` (read back by ``probes_from_text``)."""
    return "\n\n".join(f"Ask: {item['ask']}\nAnswer: {item['answer']}" for item in value or [])
