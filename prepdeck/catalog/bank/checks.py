"""Measurable checks of the bank's multiple-choice content (issue 13): pure, over plain question dicts.

A quiz can only measure knowledge when its options give nothing away. ``choice_figures`` reports, over the
questions of the bank (as ``files.iter_questions`` reads them):

- how many have a ``choice`` with a correct option and at least three distractors, each with a why_wrong
  (and which do not, or still carry the old ``distractors`` list);
- the score of the "always pick the longest option" strategy (a tie among the longest counts as a uniform
  pick among them, so it scores 1/k), over the questions that have a usable ``choice``; all of a question's
  options are counted, which is what the quiz shows when a question has exactly three distractors;
- the ratio len(correct) / mean(len(distractor)) per question (its mean, its maximum and the questions above
  the limit);
- sanity problems: option lengths, duplicate options, an option equal to a key point of another question,
  a correct option that is a copy of the short answer, a missing or overlong why_wrong.

The test suite asserts the limits below over the bundled bank; ``prepdeck bank check`` prints the figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from prepdeck.catalog.probes import ADVANCED_MIN_PROBES

MIN_DISTRACTORS = 3
LONGEST_PICK_LIMIT = 0.35  # "always pick the longest option" may score at most this over the bank
LENGTH_RATIO_LIMIT = 1.25  # len(correct) <= this x mean(len(distractors)), for every question
CORRECT_CHARS = (60, 220)
DISTRACTOR_CHARS = (20, 300)
WHY_WRONG_CHARS = 200


@dataclass
class Offender:
    key: str
    problem: str


@dataclass
class ChoiceFigures:
    questions: int = 0
    with_choice: int = 0  # a correct option and >= 3 distractors, each with a why_wrong
    longest_pick_score: float | None = None  # None when no question has a usable choice
    mean_length_ratio: float | None = None
    max_length_ratio: float | None = None
    correct_is_longest: int = 0  # questions whose correct option is strictly the longest
    missing: list[Offender] = field(default_factory=list)  # no usable choice
    legacy: list[Offender] = field(default_factory=list)  # still has the old `distractors` list
    ratio_offenders: list[Offender] = field(default_factory=list)
    sanity_offenders: list[Offender] = field(default_factory=list)

    @property
    def measured(self) -> int:
        """Questions that entered the longest-pick score and the length ratios."""
        return self.with_choice

    def failures(self) -> list[str]:
        """The checks that fail, one line each (empty when the bank passes all of them)."""
        failed = []
        if self.missing:
            failed.append(
                f"{len(self.missing)} question(s) lack a choice with >= {MIN_DISTRACTORS} distractors"
            )
        if self.legacy:
            failed.append(f"{len(self.legacy)} question(s) still have the old distractors list")
        if self.longest_pick_score is None or self.longest_pick_score > LONGEST_PICK_LIMIT:
            failed.append(
                f"'pick the longest option' scores {self.longest_pick_score} (limit {LONGEST_PICK_LIMIT})"
            )
        if self.ratio_offenders:
            failed.append(
                f"{len(self.ratio_offenders)} question(s) have a correct option over {LENGTH_RATIO_LIMIT}x "
                "the mean distractor length"
            )
        if self.sanity_offenders:
            failed.append(f"{len(self.sanity_offenders)} sanity problem(s)")
        return failed

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "measured": self.measured, "failures": self.failures()}


def _normal(text: str) -> str:
    return " ".join(str(text).casefold().split()).rstrip(".")


def _usable(choice: Any) -> bool:
    if not isinstance(choice, dict) or not str(choice.get("correct", "")).strip():
        return False
    distractors = choice.get("distractors", [])
    if not isinstance(distractors, list):
        return False
    complete = [
        item
        for item in distractors
        if isinstance(item, dict)
        and str(item.get("text", "")).strip()
        and str(item.get("why_wrong", "")).strip()
    ]
    return len(complete) >= MIN_DISTRACTORS and len(complete) == len(distractors)


def _sanity(question: dict[str, Any], key_point_owners: dict[str, set[str]]) -> list[str]:
    choice = question["choice"]
    correct = str(choice["correct"]).strip()
    texts = [str(item["text"]).strip() for item in choice["distractors"]]
    problems = []
    low, high = CORRECT_CHARS
    if not low <= len(correct) <= high:
        problems.append(f"correct option has {len(correct)} characters (expected {low}-{high})")
    low, high = DISTRACTOR_CHARS
    for number, text in enumerate(texts, start=1):
        if not low <= len(text) <= high:
            problems.append(f"distractor {number} has {len(text)} characters (expected {low}-{high})")
    for number, item in enumerate(choice["distractors"], start=1):
        if len(str(item["why_wrong"]).strip()) > WHY_WRONG_CHARS:
            problems.append(f"why_wrong of distractor {number} is over {WHY_WRONG_CHARS} characters")
    options = [_normal(correct), *(_normal(text) for text in texts)]
    if len(set(options)) < len(options):
        problems.append("two options are the same")
    key = question.get("key", "")
    borrowed = [text for text in [correct, *texts] if key_point_owners.get(_normal(text), set()) - {key}]
    if borrowed:
        problems.append(f"option equal to another question's key point: {borrowed[0]!r}")
    if _normal(correct) == _normal(question.get("short_answer", "")):
        problems.append("correct option is a copy of the short answer")
    return problems


def choice_figures(questions: Iterable[dict[str, Any]]) -> ChoiceFigures:
    """The multiple-choice figures of ``questions`` (bank entries as plain dicts); see the module doc."""
    questions = list(questions)
    figures = ChoiceFigures(questions=len(questions))
    all_points: dict[str, set[str]] = {}  # a key point (normalised) -> the questions that have it
    for question in questions:
        for point in question.get("key_points", []):
            all_points.setdefault(_normal(point), set()).add(question.get("key", ""))
    longest_credit = 0.0
    ratios: list[float] = []
    for question in questions:
        key = str(question.get("key", "?"))
        if "distractors" in question:
            figures.legacy.append(Offender(key, "still has the old distractors list"))
        choice: dict[str, Any] = question.get("choice") or {}
        if not _usable(choice):
            figures.missing.append(
                Offender(
                    key,
                    f"no choice with a correct option and >= {MIN_DISTRACTORS} distractors with why_wrong",
                )
            )
            continue
        figures.with_choice += 1
        correct = str(choice["correct"]).strip()
        texts = [str(item["text"]).strip() for item in choice["distractors"]]
        lengths = [len(correct), *(len(text) for text in texts)]
        longest = max(lengths)
        tied = [index for index, length in enumerate(lengths) if length == longest]
        if 0 in tied:
            longest_credit += 1 / len(tied)
            if len(tied) == 1:
                figures.correct_is_longest += 1
        mean_distractor = sum(lengths[1:]) / len(texts)
        ratio = len(correct) / mean_distractor
        ratios.append(ratio)
        if ratio > LENGTH_RATIO_LIMIT:
            figures.ratio_offenders.append(
                Offender(key, f"correct option is {ratio:.2f}x the mean distractor length")
            )
        for problem in _sanity(question, all_points):
            figures.sanity_offenders.append(Offender(key, problem))
    if figures.with_choice:
        figures.longest_pick_score = round(longest_credit / figures.with_choice, 3)
        figures.mean_length_ratio = round(sum(ratios) / len(ratios), 3)
        figures.max_length_ratio = round(max(ratios), 3)
    return figures


@dataclass
class ProbeFigures:
    """How many advanced questions carry their probing follow-ups (``bank/FORMAT.md``: two or three)."""

    advanced: int = 0
    with_probes: int = 0
    missing: list[str] = field(default_factory=list)  # keys of advanced questions with fewer

    def failures(self) -> list[str]:
        if not self.missing:
            return []
        return [f"{len(self.missing)} advanced question(s) lack {ADVANCED_MIN_PROBES} probing follow-ups"]


def probe_figures(questions: Iterable[dict[str, Any]]) -> ProbeFigures:
    figures = ProbeFigures()
    for question in questions:
        if question.get("difficulty") != "advanced":
            continue
        figures.advanced += 1
        if len(question.get("probes") or []) >= ADVANCED_MIN_PROBES:
            figures.with_probes += 1
        else:
            figures.missing.append(str(question.get("key", "?")))
    return figures
