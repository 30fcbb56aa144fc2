"""The bundled bank itself: well-formed, complete questions, and it loads idempotently."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from prepdeck.catalog import limits, services
from prepdeck.catalog.bank import checks, files
from prepdeck.catalog.choice import choice_problems
from prepdeck.catalog.models import Question

QUESTIONS = [question for _path, question in files.iter_questions()]
KEYS = {question["key"] for question in QUESTIONS}
TOPICS = {topic["slug"] for topic in files.load_topics()}


def test_keys_are_unique() -> None:
    duplicates = [key for key, count in Counter(q["key"] for q in QUESTIONS).items() if count > 1]

    assert duplicates == []


@pytest.mark.parametrize("question", QUESTIONS, ids=[q["key"] for q in QUESTIONS])
def test_question_is_complete(question: dict[str, object]) -> None:
    assert question["topic"] in TOPICS
    assert question["prompt"]
    assert question["short_answer"]
    assert question["difficulty"] in {"basic", "intermediate", "advanced"}
    key_points = question["key_points"]
    assert isinstance(key_points, list)
    # one gradeable fact each (FORMAT.md), so a broad question has more of them; the editor's limit caps it
    assert 3 <= len(key_points) <= limits.KEY_POINTS_MAX
    assert all(isinstance(point, str) and point.strip() for point in key_points)
    assert "distractors" not in question  # replaced by the ``choice`` object (FORMAT.md)
    # tags are slugs (a "." would not survive the Markdown round trip nor fit a SlugField)
    tags = question["tags"]
    assert isinstance(tags, list)
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", tag) for tag in tags), tags
    assert choice_problems(question.get("choice")) == []
    follow_ups = question.get("follow_ups", [])
    assert isinstance(follow_ups, list)
    assert set(follow_ups) <= KEYS
    for example in question.get("code_examples", []):  # type: ignore[attr-defined]
        assert example["code"].strip()
        assert example.get("runnable") or example.get("not_runnable_reason")


@pytest.mark.django_db
def test_the_bundled_bank_loads_and_reloading_changes_nothing() -> None:
    first = services.bank_load()
    second = services.bank_load()

    assert first.created == len(QUESTIONS)
    assert (second.created, second.updated, second.unchanged) == (0, 0, len(QUESTIONS))
    assert Question.objects.filter(status="published").count() == len(QUESTIONS)


# The bank's promised scope (issue "The bundled question bank"): minimum questions per topic.
MINIMUM_QUESTIONS = {
    "django-core": 15,
    "django-models": 15,
    "django-orm": 25,
    "django-transactions": 8,
    "django-views-urls": 10,
    "django-templates": 8,
    "django-forms": 8,
    "django-auth": 10,
    "django-middleware": 6,
    "django-signals": 6,
    "django-caching": 8,
    "django-security": 10,
    "django-async": 10,
    "django-testing": 15,
    "drf-serializers": 12,
    "drf-views": 10,
    "drf-auth-permissions": 12,
    "drf-pagination-filtering": 8,
    "drf-testing": 6,
    "celery": 10,
}


def test_every_topic_has_its_minimum_number_of_questions() -> None:
    counts = Counter(question["topic"] for question in QUESTIONS)

    short = {topic: counts[topic] for topic, minimum in MINIMUM_QUESTIONS.items() if counts[topic] < minimum}
    assert short == {}


def test_the_bank_as_a_whole_meets_its_scope() -> None:
    postgresql = sum(1 for question in QUESTIONS if question["topic"].startswith("postgresql-"))
    runnable = sum(1 for q in QUESTIONS for example in q.get("code_examples", []) if example.get("runnable"))

    assert len(QUESTIONS) >= 320
    assert postgresql >= 30
    assert runnable >= 80


def test_no_two_questions_would_be_merged_by_the_importer() -> None:
    from prepdeck.catalog.matching import group_duplicates

    groups = group_duplicates([q["prompt"] for q in QUESTIONS], [q["short_answer"] for q in QUESTIONS])

    merged = [[QUESTIONS[index]["key"] for index in group] for group in groups.exact + groups.near]
    assert merged == []


def test_the_linter_finds_nothing_in_the_bank(capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command

    call_command("lint", "--bank")

    assert capsys.readouterr().out.strip() == "0 finding(s)."


# --- multiple choice that measures knowledge (issue 13; figures: `prepdeck bank check`) -----------------

FIGURES = checks.choice_figures(QUESTIONS)


def test_every_question_has_a_choice_with_three_distractors_and_why_wrong() -> None:
    assert [offender.key for offender in FIGURES.missing] == []
    assert [offender.key for offender in FIGURES.legacy] == []
    assert FIGURES.with_choice == len(QUESTIONS)


def test_picking_the_longest_option_scores_at_most_035_over_the_bank() -> None:
    assert FIGURES.measured == len(QUESTIONS)  # over the whole bank, not the part written so far
    assert FIGURES.longest_pick_score is not None
    assert FIGURES.longest_pick_score <= checks.LONGEST_PICK_LIMIT


def test_no_correct_option_is_over_125_times_the_mean_distractor_length() -> None:
    assert FIGURES.measured == len(QUESTIONS)
    assert FIGURES.ratio_offenders == []


def test_written_choices_are_sane() -> None:
    """Lengths, no duplicate options, no option borrowed from another question's key points: checked on
    every question that already has its choice, so a bad one fails now, before the whole bank is done."""
    assert FIGURES.sanity_offenders == []


def test_every_advanced_question_has_two_or_three_probing_follow_ups() -> None:
    figures = checks.probe_figures(QUESTIONS)
    assert figures.missing == []
    assert figures.with_probes == figures.advanced
    assert all(
        len(question.get("probes", [])) <= 3 for question in QUESTIONS if question["difficulty"] == "advanced"
    )
