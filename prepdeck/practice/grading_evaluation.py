"""How well the answer grader agrees with hand-labelled answers (pure: plain data in, figures out).

The labelled set lives in ``prepdeck/practice/tests/grading_labelled.json``; ``bench/grading.py`` prints
these figures and ``test_grading.py`` asserts their floors. Each labelled answer has a ``label``:

- ``good`` and ``paraphrased`` (good, in other words than the key points) expect the band "good";
- ``partial`` expects "partial";
- ``wrong`` (on topic, with the key points' vocabulary, but incorrect) and ``contradicting`` (states the
  opposite of key points) expect "wrong";
- ``stuffed`` (a keyword list) expects "stuffed".

The grader's band (:func:`band`) comes from its score and stuffing flag. An answer the grader marks
``needs_review`` is an *abstention*: the learner grades it, so agreement and kappa are computed over the
answers the grader commits to, and the abstention rate is reported next to them.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prepdeck.practice.grading import Grade, grade_answer

BANK = Path(__file__).resolve().parents[1] / "catalog" / "bank" / "data"
LABELLED = Path(__file__).resolve().parent / "tests" / "grading_labelled.json"

EXPECTED_BAND = {
    "good": "good",
    "paraphrased": "good",
    "partial": "partial",
    "wrong": "wrong",
    "contradicting": "wrong",
    "stuffed": "stuffed",
}
# Order for pairwise comparisons and the quadratic kappa: good > partial > wrong > stuffed.
LABEL_LEVEL = {"good": 3, "paraphrased": 3, "partial": 2, "wrong": 1, "contradicting": 1, "stuffed": 0}
# Levels for kappa (three ordered verdicts: Again, Hard, Good); a keyword list is a fail like a wrong answer.
BAND_LEVEL = {"good": 2, "partial": 1, "wrong": 0, "stuffed": 0, "stuffed-high": 1}
WRONG_LABELS = frozenset({"wrong", "contradicting", "stuffed"})


def band(grade: Grade) -> str:
    """The label a grade agrees with.

    stuffed: flagged and below 0.4; good: at least 0.7; partial: 0.3 to 0.7; wrong: below 0.3 (the last
    three unflagged). A flagged answer scoring 0.4 or more is "stuffed-high", which matches no label.
    """
    if grade.stuffing:
        return "stuffed" if grade.score < 0.4 else "stuffed-high"
    if grade.score >= 0.7:
        return "good"
    if grade.score >= 0.3:
        return "partial"
    return "wrong"


def load_bank() -> dict[str, dict[str, Any]]:
    questions: dict[str, dict[str, Any]] = {}
    for path in sorted(BANK.glob("*.json")):
        for question in json.loads(path.read_text(encoding="utf-8"))["questions"]:
            questions[question["key"]] = question
    return questions


def load_labelled() -> list[dict[str, str]]:
    answers: list[dict[str, str]] = json.loads(LABELLED.read_text(encoding="utf-8"))["answers"]
    return answers


def quadratic_kappa(first: Sequence[int], second: Sequence[int], levels: int) -> float:
    """Cohen's kappa with quadratic weights between two ratings of the same items (levels 0..levels-1)."""
    count = len(first)
    if count == 0:
        return 0.0
    observed = [[0.0] * levels for _ in range(levels)]
    for one, other in zip(first, second, strict=True):
        observed[one][other] += 1
    first_totals = [sum(row) for row in observed]
    second_totals = [sum(observed[row][column] for row in range(levels)) for column in range(levels)]
    disagreement = expected_disagreement = 0.0
    for row in range(levels):
        for column in range(levels):
            weight = (row - column) ** 2 / (levels - 1) ** 2
            disagreement += weight * observed[row][column]
            expected_disagreement += weight * first_totals[row] * second_totals[column] / count
    return 1.0 - disagreement / expected_disagreement if expected_disagreement else 1.0


@dataclass
class Graded:
    key: str
    label: str
    set: str
    grade: Grade
    answer: str = ""

    @property
    def band(self) -> str:
        return band(self.grade)

    @property
    def agrees(self) -> bool:
        return self.band == EXPECTED_BAND[self.label]


@dataclass
class Evaluation:
    """Figures of the grader on a set of labelled answers."""

    answers: int
    questions: int
    pairwise_order_accuracy: float
    verdict_agreement: float  # over the answers the grader commits to
    verdict_agreement_all: float  # every answer, by the suggested band even when abstaining
    kappa: float  # quadratic, over the answers the grader commits to
    abstention_rate: float
    wrong_rated_good: float  # share of wrong / contradicting / stuffed answers rated Good or Easy, committed
    wrong_rated_good_count: int
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"{self.answers} labelled answers over {self.questions} questions",
            f"pairwise order accuracy (good > partial > wrong > stuffed, same question): "
            f"{self.pairwise_order_accuracy:.3f}",
            f"verdict agreement: {self.verdict_agreement:.3f} of the answers graded "
            f"({self.verdict_agreement_all:.3f} of all, abstentions counted by their suggested band)",
            f"Cohen's kappa (quadratic weights): {self.kappa:.3f}",
            f"abstention rate (needs review): {self.abstention_rate:.3f}",
            f"wrong answers rated Good: {self.wrong_rated_good:.3f} ({self.wrong_rated_good_count})",
        ]


def grade_labelled(
    answers: Iterable[Mapping[str, str]], bank: Mapping[str, Mapping[str, Any]]
) -> list[Graded]:
    graded: list[Graded] = []
    for answer in answers:
        question = bank[answer["key"]]
        grade = grade_answer(
            answer=answer["answer"], key_points=question["key_points"], prompt=question["prompt"]
        )
        graded.append(
            Graded(answer["key"], answer["label"], answer.get("set", "tuning"), grade, answer["answer"])
        )
    return graded


def evaluate(graded: Sequence[Graded]) -> Evaluation:
    """Pairwise order accuracy, verdict agreement, quadratic kappa, abstentions, wrong answers rated Good."""
    by_question: dict[str, list[Graded]] = {}
    for item in graded:
        by_question.setdefault(item.key, []).append(item)
    ordered = pairs = 0.0
    for items in by_question.values():
        for index, one in enumerate(items):
            for other in items[index + 1 :]:
                if LABEL_LEVEL[one.label] == LABEL_LEVEL[other.label]:
                    continue
                better, worse = (
                    (one, other) if LABEL_LEVEL[one.label] > LABEL_LEVEL[other.label] else (other, one)
                )
                pairs += 1
                if better.grade.score > worse.grade.score:
                    ordered += 1
                elif better.grade.score == worse.grade.score:
                    ordered += 0.5

    committed = [item for item in graded if not item.grade.needs_review]
    wrong = [item for item in committed if item.label in WRONG_LABELS]
    wrong_good = [item for item in wrong if item.grade.rating >= 3]
    confusion: dict[str, dict[str, int]] = {}
    for item in graded:
        verdict = "needs review" if item.grade.needs_review else item.band
        row = confusion.setdefault(item.label, {})
        row[verdict] = row.get(verdict, 0) + 1
    return Evaluation(
        answers=len(graded),
        questions=len(by_question),
        pairwise_order_accuracy=ordered / pairs if pairs else 1.0,
        verdict_agreement=statistics.mean(item.agrees for item in committed) if committed else 0.0,
        verdict_agreement_all=statistics.mean(item.agrees for item in graded) if graded else 0.0,
        kappa=quadratic_kappa(
            [BAND_LEVEL[EXPECTED_BAND[item.label]] for item in committed],
            [BAND_LEVEL[item.band] for item in committed],
            levels=3,
        ),
        abstention_rate=1 - len(committed) / len(graded) if graded else 0.0,
        wrong_rated_good=len(wrong_good) / len(wrong) if wrong else 0.0,
        wrong_rated_good_count=len(wrong_good),
        confusion=confusion,
        misses=[
            f"{item.set}: {item.label} -> {'needs review' if item.grade.needs_review else item.band} "
            f"({item.grade.score}): {item.key}"
            for item in graded
            if item.grade.needs_review or not item.agrees
        ],
    )


def timings_over_bank(
    bank: Mapping[str, Mapping[str, Any]],
    answers: Iterable[Mapping[str, str]],
    clock: Callable[[], float] = time.process_time,
) -> list[float]:
    """Milliseconds per graded answer: the labelled answers plus every question's own model answer.

    The default clock is this process's CPU time, which other processes on a busy machine do not inflate;
    pass ``time.perf_counter`` for wall-clock time.
    """
    texts: list[tuple[Mapping[str, Any], str]] = [
        (bank[answer["key"]], answer["answer"]) for answer in answers
    ]
    texts += [
        (question, f"{question['short_answer']}\n\n{question['explanation']}") for question in bank.values()
    ]
    timings: list[float] = []
    for question, text in texts:
        started = clock()
        grade_answer(answer=text, key_points=question["key_points"], prompt=question["prompt"])
        timings.append((clock() - started) * 1000)
    return timings


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
