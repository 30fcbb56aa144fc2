"""How fast and how trustworthy the answer grader is, on the bundled bank and the hand-labelled answers.

Run: .venv/bin/python bench/grading.py

Prints, for the labelled answers of prepdeck/practice/tests/grading_labelled.json (all of them, then the
held-out part that was never used for tuning): pairwise order accuracy (within a question, a better label
scores higher: good > partial > wrong > stuffed), verdict agreement (the grader's band equals the label's),
Cohen's kappa with quadratic weights between the two, the abstention rate ("needs review") and the share
of wrong / contradicting / stuffed answers rated Good. Then the verdicts on every question's own model answer
(short answer + explanation), where a contradicted key point is a false alarm. Then the time per graded answer over the labelled
answers plus every question's own model answer (short answer + explanation): p50 / p95 / max, in CPU
time of this process and in wall-clock time. Key points are prepared once per question (cached), as in
production; a first pass warms that cache.
"""

from __future__ import annotations

import time
from collections import Counter

from prepdeck.practice import grading_evaluation
from prepdeck.practice.grading import grade_answer
from prepdeck.practice.grading_evaluation import percentile


def main() -> None:
    bank = grading_evaluation.load_bank()
    answers = grading_evaluation.load_labelled()
    graded = grading_evaluation.grade_labelled(answers, bank)
    for name, items in (
        ("all labelled answers", graded),
        ("held-out answers", [item for item in graded if item.set == "holdout"]),
    ):
        evaluation = grading_evaluation.evaluate(items)
        print(f"== {name}")
        for line in evaluation.lines():
            print(f"  {line}")
        for label, counts in evaluation.confusion.items():
            print(f"    labelled {label:>13}: {counts}")

    verdicts: Counter[str] = Counter()
    for question in bank.values():
        grade = grade_answer(
            answer=f"{question['short_answer']}\n\n{question['explanation']}",
            key_points=question["key_points"],
            prompt=question["prompt"],
        )
        for point in grade.points:
            verdicts[point.verdict] += 1
    print(
        f"== the bank's own answers against their key points: {dict(verdicts)} "
        f"(each contradicted one is a false alarm)"
    )

    grading_evaluation.timings_over_bank(bank, answers)  # warm the per-question cache
    print(f"== time per answer ({len(answers)} labelled + {len(bank)} model answers)")
    for clock_name, clock in (("CPU", time.process_time), ("wall", time.perf_counter)):
        timings = grading_evaluation.timings_over_bank(bank, answers, clock=clock)
        print(
            f"  {clock_name:>4}: p50 {percentile(timings, 0.5):.2f} ms, p95 {percentile(timings, 0.95):.2f} ms, "
            f"max {max(timings):.2f} ms"
        )


if __name__ == "__main__":
    main()
