"""The multiple-choice bank checks (``bank/checks.py``) on small synthetic banks, and ``prepdeck bank check``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from prepdeck.catalog.bank import checks, files

CORRECT = "It adds a JOIN so the related rows arrive in the same query as the main rows."  # 77 chars


def _question(
    key: str, correct: str = CORRECT, texts: tuple[str, ...] | None = None, **extra: Any
) -> dict[str, Any]:
    texts = texts or (
        "It runs one extra query per row and caches each related object on the instance.",  # 79
        "It loads the related rows lazily the first time the attribute is read in a loop.",  # 80
        "It copies the related table into a temporary table that lives for one request.",  # 78
    )
    return {
        "key": key,
        "short_answer": "A long short answer.",
        "key_points": [f"{key} point one", f"{key} point two", f"{key} point three"],
        "choice": {
            "correct": correct,
            "distractors": [
                {"text": text, "why_wrong": f"Wrong because of fact {i}."} for i, text in enumerate(texts)
            ],
        },
        **extra,
    }


def test_a_fair_bank_passes_every_check() -> None:
    figures = checks.choice_figures([_question("a"), _question("b")])

    assert figures.questions == 2
    assert figures.with_choice == 2
    assert figures.longest_pick_score == 0.0
    assert figures.correct_is_longest == 0
    assert figures.mean_length_ratio == round(77 / ((79 + 80 + 78) / 3), 3)
    assert figures.missing == figures.legacy == figures.ratio_offenders == figures.sanity_offenders == []
    assert figures.failures() == []


def test_the_longest_pick_score_counts_ties_as_a_uniform_pick() -> None:
    long_correct = "x" * 100
    questions = [
        _question("longest", correct=long_correct, texts=("y" * 90, "z" * 90, "w" * 90)),  # credit 1
        _question("tied", correct="a" * 90, texts=("b" * 90, "c" * 80, "d" * 80)),  # credit 1/2
        _question("short", correct="e" * 60, texts=("f" * 70, "g" * 70, "h" * 70)),  # credit 0
        _question("short2", correct="i" * 60, texts=("j" * 70, "k" * 70, "l" * 70)),  # credit 0
    ]

    figures = checks.choice_figures(questions)

    assert figures.longest_pick_score == round(1.5 / 4, 3)
    assert figures.correct_is_longest == 1
    assert figures.failures() == ["'pick the longest option' scores 0.375 (limit 0.35)"]


def test_a_correct_option_much_longer_than_its_distractors_is_an_offender() -> None:
    figures = checks.choice_figures(
        [_question("long", correct="m" * 126, texts=("n" * 100, "o" * 100, "p" * 100)), _question("fine")]
    )

    assert [(offender.key, offender.problem) for offender in figures.ratio_offenders] == [
        ("long", "correct option is 1.26x the mean distractor length")
    ]
    assert figures.max_length_ratio == 1.26


def test_questions_without_a_usable_choice_are_missing_and_old_lists_are_reported() -> None:
    no_choice = {"key": "old", "key_points": [], "distractors": ["One", "Two", "Three"]}
    two_distractors = _question("two", texts=("q" * 70, "r" * 70))
    no_reason = _question("reason")
    no_reason["choice"]["distractors"][1]["why_wrong"] = ""
    no_correct = _question("correct", correct="")

    figures = checks.choice_figures([no_choice, two_distractors, no_reason, no_correct, _question("ok")])

    assert [offender.key for offender in figures.missing] == ["old", "two", "reason", "correct"]
    assert [offender.key for offender in figures.legacy] == ["old"]
    assert figures.with_choice == 1
    assert figures.longest_pick_score == 0.0


def test_no_usable_choice_at_all_fails_the_longest_pick_check() -> None:
    figures = checks.choice_figures([{"key": "old", "key_points": ["a"], "distractors": ["x", "y", "z"]}])

    assert figures.longest_pick_score is None
    assert figures.mean_length_ratio is None
    assert "'pick the longest option' scores None (limit 0.35)" in figures.failures()


def test_sanity_lengths_duplicates_borrowed_key_points_and_copied_short_answer() -> None:
    other = _question("other")
    borrowed = _question(
        "borrowed", texts=("Other point one", "s" * 70, "t" * 70)
    )  # "other point one" is a key point of "other" (compared without case)
    duplicated = _question("duplicated", texts=("u" * 70, "U" * 70 + ".", "v" * 70))
    short = _question("short", correct="Too short.", texts=("w" * 70, "x" * 70, "y" * 10))
    copied = _question("copied", short_answer=CORRECT)
    long_reason = _question("reason")
    long_reason["choice"]["distractors"][0]["why_wrong"] = "z" * 201
    own_point = _question("own", texts=("own point one", "s" * 70, "t" * 70))  # its own key point: allowed

    figures = checks.choice_figures([other, borrowed, duplicated, short, copied, long_reason, own_point])

    assert [(offender.key, offender.problem) for offender in figures.sanity_offenders] == [
        ("borrowed", "distractor 1 has 15 characters (expected 20-300)"),
        ("borrowed", "option equal to another question's key point: 'Other point one'"),
        ("duplicated", "two options are the same"),
        ("short", "correct option has 10 characters (expected 60-220)"),
        ("short", "distractor 3 has 10 characters (expected 20-300)"),
        ("copied", "correct option is a copy of the short answer"),
        ("reason", "why_wrong of distractor 1 is over 200 characters"),
        ("own", "distractor 1 has 13 characters (expected 20-300)"),
    ]


def _write_bank(directory: Path, questions: list[dict[str, Any]]) -> None:
    directory.mkdir()
    document = {"format": "prepdeck-bank/1", "topic": "django-orm", "questions": questions}
    (directory / "django-orm.json").write_text(json.dumps(document), encoding="utf-8")


def test_bank_check_prints_the_figures_as_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_bank(tmp_path / "data", [_question("a"), _question("b")])
    monkeypatch.setattr(files, "DATA_DIR", tmp_path / "data")

    call_command("bank", "check", "--json")

    figures = json.loads(capsys.readouterr().out)
    assert (figures["questions"], figures["with_choice"], figures["measured"]) == (2, 2, 2)
    assert figures["longest_pick_score"] == 0.0
    assert figures["failures"] == []


def test_bank_check_exits_1_and_names_what_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    long = _question("long", correct="m" * 130, texts=("n" * 100, "o" * 100, "p" * 100))
    _write_bank(tmp_path / "data", [long, {"key": "old", "key_points": [], "distractors": ["x", "y", "z"]}])
    monkeypatch.setattr(files, "DATA_DIR", tmp_path / "data")

    with pytest.raises(SystemExit) as exit_info:
        call_command("bank", "check")

    assert exit_info.value.code == 1
    assert capsys.readouterr().out == (
        "Questions: 2; with a choice of >= 3 distractors: 1; still with the old distractors list: 1\n"
        "'Always pick the longest option' scores: 1.0 (limit 0.35); correct option strictly the longest in 1\n"
        "Length ratio correct / mean distractor: mean 1.3, max 1.3 (limit 1.25 per question)\n"
        "Advanced questions with >= 2 probing follow-ups: 0 of 0\n"
        "  long: correct option is 1.30x the mean distractor length\n"
        "Failing: 1 question(s) lack a choice with >= 3 distractors; 1 question(s) still have the old "
        "distractors list; 'pick the longest option' scores 1.0 (limit 0.35); 1 question(s) have a correct "
        "option over 1.25x the mean distractor length.\n"
    )


def test_bank_check_fails_an_advanced_question_without_two_probes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    probe = {"ask": "Now two servers run it?", "answer": "Use a database lock."}
    _write_bank(
        tmp_path / "data",
        [
            {**_question("deep"), "difficulty": "advanced", "probes": [probe, probe]},
            {**_question("shallow"), "difficulty": "advanced", "probes": [probe]},
            _question("basic"),
        ],
    )
    monkeypatch.setattr(files, "DATA_DIR", tmp_path / "data")

    with pytest.raises(SystemExit):
        call_command("bank", "check")

    out = capsys.readouterr().out
    assert "Advanced questions with >= 2 probing follow-ups: 1 of 2\n" in out
    assert "  shallow: advanced, with fewer than 2 probes\n" in out
    assert out.endswith("Failing: 1 advanced question(s) lack 2 probing follow-ups.\n")
