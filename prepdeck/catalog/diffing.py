"""What changed between two versions of a question: per-field line diffs with the changed words marked.

Pure: takes two ``question_snapshot`` dicts (as revisions store them) and returns plain data for a page to
show. Used by the editor's history and edit-conflict views.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from prepdeck.catalog.choice import choice_as_lines
from prepdeck.catalog.models import Difficulty, QuestionStatus
from prepdeck.catalog.probes import probes_as_lines

FIELD_LABELS = {
    "prompt": "Prompt",
    "topic": "Topic",
    "difficulty": "Difficulty",
    "status": "Status",
    "tags": "Tags",
    "short_answer": "Short answer",
    "explanation": "Explanation",
    "key_points": "Key points",
    "common_mistakes": "Common mistakes",
    "choice": "Multiple choice",
    "probes": "Probing follow-ups",
    "code_examples": "Code examples",
    "follow_ups": "Follow-up questions",
}
_CHOICE_LABELS = {"difficulty": dict(Difficulty.choices), "status": dict(QuestionStatus.choices)}
_CONTEXT_LINES = 2
_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass
class DiffSegment:
    text: str
    changed: bool


@dataclass
class DiffLine:
    """One row of a diff: ``same``, ``removed``, ``added`` or ``gap`` (unchanged lines left out)."""

    kind: str
    old_number: int | None = None
    new_number: int | None = None
    segments: list[DiffSegment] = field(default_factory=list)
    skipped: int = 0


@dataclass
class FieldDiff:
    name: str
    label: str
    lines: list[DiffLine]
    added: int
    removed: int


def _as_lines(name: str, value: Any) -> list[str]:
    """A snapshot field as lines of text, so every field is diffed the same way."""
    if value is None or value == "":
        return []
    if name in _CHOICE_LABELS:
        return [str(_CHOICE_LABELS[name].get(value, value))]
    if name == "code_examples":
        lines: list[str] = []
        for example in value:
            caption = f" — {example.get('caption')}" if example.get("caption") else ""
            lines += [
                f"```{example.get('language', '')}{caption}",
                *str(example.get("code", "")).splitlines(),
            ]
            lines.append("```")
        return lines
    if name == "choice":
        return choice_as_lines(value)
    if name == "probes":
        return probes_as_lines(value)
    if isinstance(value, list):
        return [str(item) for item in value]
    return str(value).splitlines()


def _word_segments(old: str, new: str) -> tuple[list[DiffSegment], list[DiffSegment]]:
    """Mark the words that differ between a removed line and the added line replacing it."""
    before, after = _WORDS.findall(old), _WORDS.findall(new)
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    if matcher.ratio() < 0.4:  # mostly rewritten: marking single words would only add noise
        return [DiffSegment(old, False)], [DiffSegment(new, False)]
    old_parts: list[DiffSegment] = []
    new_parts: list[DiffSegment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = tag != "equal"
        for parts, text in ((old_parts, "".join(before[i1:i2])), (new_parts, "".join(after[j1:j2]))):
            if not text:
                continue
            if parts and parts[-1].changed == changed:
                parts[-1].text += text
            else:
                parts.append(DiffSegment(text, changed))
    return old_parts, new_parts


def _line_diff(before: list[str], after: list[str]) -> list[DiffLine]:
    rows: list[DiffLine] = []
    opcodes = difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            numbers = list(zip(range(i1, i2), range(j1, j2), strict=True))
            keep_head = _CONTEXT_LINES if index > 0 else 0
            keep_tail = _CONTEXT_LINES if index < len(opcodes) - 1 else 0
            if len(numbers) > keep_head + keep_tail + 1:
                shown = [*numbers[:keep_head], None, *numbers[len(numbers) - keep_tail :]]
            else:
                shown = list(numbers)
            for pair in shown:
                if pair is None:
                    rows.append(DiffLine("gap", skipped=len(numbers) - keep_head - keep_tail))
                else:
                    rows.append(
                        DiffLine("same", pair[0] + 1, pair[1] + 1, [DiffSegment(before[pair[0]], False)])
                    )
            continue
        removed = [DiffLine("removed", i + 1, None, [DiffSegment(before[i], False)]) for i in range(i1, i2)]
        added = [DiffLine("added", None, j + 1, [DiffSegment(after[j], False)]) for j in range(j1, j2)]
        if tag == "replace":
            for old_row, new_row in zip(removed, added, strict=False):
                old_row.segments, new_row.segments = _word_segments(
                    old_row.segments[0].text, new_row.segments[0].text
                )
        rows += removed + added
    return rows


def snapshot_diff(old: dict[str, Any] | None, new: dict[str, Any]) -> list[FieldDiff]:
    """The fields that differ between two question snapshots (``old`` may be missing), line by line."""
    diffs = []
    for name, label in FIELD_LABELS.items():
        before = _as_lines(name, (old or {}).get(name))
        after = _as_lines(name, new.get(name))
        if before == after:
            continue
        lines = _line_diff(before, after)
        diffs.append(
            FieldDiff(
                name=name,
                label=label,
                lines=lines,
                added=sum(1 for line in lines if line.kind == "added"),
                removed=sum(1 for line in lines if line.kind == "removed"),
            )
        )
    return diffs
