"""Feedback on a graded written answer, ready for a template: each key point's verdict with the phrase that
decided it, and the answer cut into segments so those phrases can be highlighted.

Pure presentation code: it takes the grader's result (a :class:`~prepdeck.practice.grading.Grade`, or the
JSON stored on a quiz item or mock answer, including grades stored before verdicts existed) and the answer
as the candidate wrote it. The template escapes every segment and wraps the highlighted ones in ``<mark>``;
nothing here builds HTML, so no user text can reach the page unescaped (and the CSP forbids inline styles).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from prepdeck.practice.grading import Grade

VERDICT_LABELS = {"covered": "Covered", "missing": "Missing", "contradicted": "Contradicted"}
VERDICT_SYMBOLS = {"covered": "✓", "missing": "✗", "contradicted": "≠"}
REASONS = {
    "negation": "your answer says the opposite",
    "antonym": "your answer uses the opposite word",
    "number": "your answer gives a different number or version",
    "swapped roles": "your answer swaps who does what",
}


@dataclass(frozen=True)
class PointFeedback:
    number: int  # 1-based, the reference shown next to highlighted phrases
    key_point: str
    verdict: str  # covered / missing / contradicted
    evidence: str
    reason: str  # a sentence for a contradicted point, else ""
    uncertain: bool

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    @property
    def symbol(self) -> str:
        return VERDICT_SYMBOLS[self.verdict]


@dataclass(frozen=True)
class Segment:
    text: str
    verdict: str  # "" for text that decided nothing, else covered / contradicted
    points: tuple[int, ...]  # the key points this phrase decided

    @property
    def references(self) -> str:
        return ",".join(str(number) for number in self.points)


@dataclass(frozen=True)
class Feedback:
    points: tuple[PointFeedback, ...]
    segments: tuple[Segment, ...]
    needs_review: bool

    @property
    def covered(self) -> int:
        return sum(1 for point in self.points if point.verdict == "covered")

    @property
    def contradicted(self) -> int:
        return sum(1 for point in self.points if point.verdict == "contradicted")

    @property
    def highlighted(self) -> bool:
        return any(segment.verdict for segment in self.segments)


def _verdict(point: Mapping[str, Any]) -> str:
    verdict = point.get("verdict")
    if verdict in VERDICT_LABELS:
        return str(verdict)
    return "covered" if point.get("covered") else "missing"  # stored before verdicts existed


def _spans(point: Mapping[str, Any], length: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for span in point.get("spans") or ():
        if isinstance(span, Sequence) and len(span) == 2:
            start, end = (int(value) for value in span)
            start, end = max(0, start), min(length, end)
            if start < end:
                spans.append((start, end))
    return spans


def segments_of(answer: str, marks: Sequence[tuple[int, int, str, int]]) -> tuple[Segment, ...]:
    """Cut the answer at every mark boundary; a piece inside a contradicted mark is contradicted, inside a
    covered one covered, else plain. ``marks`` are (start, end, verdict, point number)."""
    if not answer:
        return ()
    cuts = sorted({0, len(answer), *(start for start, _, _, _ in marks), *(end for _, end, _, _ in marks)})
    segments: list[Segment] = []
    for start, end in pairwise(cuts):
        inside = [mark for mark in marks if mark[0] <= start and end <= mark[1]]
        verdicts = {mark[2] for mark in inside}
        verdict = "contradicted" if "contradicted" in verdicts else ("covered" if inside else "")
        numbers = tuple(sorted({mark[3] for mark in inside if mark[2] == verdict}))
        text = answer[start:end]
        if segments and segments[-1].verdict == verdict and segments[-1].points == numbers:
            segments[-1] = Segment(segments[-1].text + text, verdict, numbers)
        else:
            segments.append(Segment(text, verdict, numbers))
    return tuple(segments)


def grade_feedback(grade: Grade | Mapping[str, Any] | None, answer: str) -> Feedback | None:
    """The feedback to show for a graded answer, or ``None`` when there is no grade."""
    if grade is None:
        return None
    data = grade.as_dict() if isinstance(grade, Grade) else grade
    points: list[PointFeedback] = []
    marks: list[tuple[int, int, str, int]] = []
    for number, point in enumerate(data.get("points") or (), start=1):
        verdict = _verdict(point)
        points.append(
            PointFeedback(
                number=number,
                key_point=str(point.get("key_point", "")),
                verdict=verdict,
                evidence=str(point.get("evidence") or point.get("matched") or ""),
                reason=REASONS.get(str(point.get("reason", "")), "") if verdict == "contradicted" else "",
                uncertain=bool(point.get("uncertain")),
            )
        )
        if verdict != "missing":
            marks.extend((start, end, verdict, number) for start, end in _spans(point, len(answer)))
    return Feedback(
        points=tuple(points),
        segments=segments_of(answer, marks),
        needs_review=bool(data.get("needs_review")),
    )
