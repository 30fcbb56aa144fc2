"""How fast and how discriminating the answer grader is on the bundled question bank.

Run: .venv/bin/python bench/grading.py

For every question of prepdeck/catalog/bank/data it grades two answers against the question's key points:
its own short answer plus explanation (the "right" answer, which should score high) and the short answer of
another question chosen at random with a fixed seed (the "wrong" answer, which should score low). It prints
mean / p95 / max milliseconds per answer, the mean score of each group and how often each group is flagged
as keyword stuffing. The key points of each question are prepared once (cached), as in production; the
first grading of each question, which pays for that preparation, is timed too.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

from prepdeck.practice.grading import grade_answer, prepare_key_points

BANK = Path(__file__).resolve().parent.parent / "prepdeck" / "catalog" / "bank" / "data"


def load_questions() -> list[dict[str, Any]]:
    questions: list[dict[str, Any]] = []
    for path in sorted(BANK.glob("*.json")):
        questions.extend(json.loads(path.read_text(encoding="utf-8"))["questions"])
    return questions


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    questions = load_questions()
    rng = random.Random(20240917)
    prepare_key_points.cache_clear()
    timings: list[float] = []
    scores: dict[str, list[float]] = {"own answer": [], "other question's answer": []}
    stuffing: dict[str, int] = {"own answer": 0, "other question's answer": 0}
    for index, question in enumerate(questions):
        other = questions[(index + rng.randrange(1, len(questions))) % len(questions)]
        answers = {
            "own answer": f"{question['short_answer']}\n\n{question['explanation']}",
            "other question's answer": other["short_answer"],
        }
        for group, answer in answers.items():
            started = time.perf_counter()
            grade = grade_answer(answer=answer, key_points=question["key_points"], prompt=question["prompt"])
            timings.append((time.perf_counter() - started) * 1000)
            scores[group].append(grade.score)
            stuffing[group] += grade.stuffing

    print(f"{len(questions)} questions, {len(timings)} answers graded")
    print(
        f"time per answer: mean {statistics.mean(timings):.2f} ms, p95 {percentile(timings, 0.95):.2f} ms, "
        f"max {max(timings):.2f} ms"
    )
    for group, values in scores.items():
        print(
            f"{group:>24}: mean score {statistics.mean(values):.2f}, median {statistics.median(values):.2f}, "
            f">= 0.7: {sum(value >= 0.7 for value in values)}, < 0.3: {sum(value < 0.3 for value in values)}, "
            f"stuffing flags: {stuffing[group]}"
        )


if __name__ == "__main__":
    main()
