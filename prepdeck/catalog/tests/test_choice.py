"""Multiple-choice content (``Question.choice``) through every door: bank loader, JSON export/import, API,
revisions; and the pure helpers of ``catalog/choice.py``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from prepdeck.accounts.tests.factories import make_editor
from prepdeck.catalog import importing, selectors, services
from prepdeck.catalog.choice import choice_from_entry, choice_problems, choice_ready
from prepdeck.catalog.exporters import data
from prepdeck.catalog.models import Question, QuestionRevision
from prepdeck.catalog.tests.test_services import _question, _write_bank
from prepdeck.core.exceptions import InvalidInput

CHOICE = {
    "correct": "It follows the foreign key with a SQL JOIN in the same query.",
    "distractors": [
        {"text": "It runs one extra query for every row of the result.", "why_wrong": "That is N+1."},
        {"text": "It caches related rows across requests in Redis.", "why_wrong": "Nothing is cached."},
        {"text": "It prefetches reverse relations with a second query.", "why_wrong": "prefetch_related."},
    ],
}


# --- the pure helpers ---------------------------------------------------------------------------------


def test_an_old_distractors_list_becomes_distractors_without_a_correct_option() -> None:
    legacy = {"distractors": ["One", " ", "Two", "Three"]}

    converted = choice_from_entry(legacy)

    assert converted == {
        "correct": "",
        "distractors": [{"text": text, "why_wrong": ""} for text in ("One", "Two", "Three")],
    }
    assert choice_ready(converted) is False
    assert choice_from_entry({"distractors": []}) == {}
    assert choice_from_entry({"choice": CHOICE, "distractors": ["ignored"]}) == CHOICE


@pytest.mark.parametrize(
    ("value", "ready"),
    [
        (CHOICE, True),
        ({**CHOICE, "correct": "  "}, False),
        ({**CHOICE, "distractors": CHOICE["distractors"][:2]}, False),
        ({}, False),
        (None, False),
    ],
)
def test_only_a_written_correct_option_with_three_distractors_is_ready(value: Any, ready: bool) -> None:
    assert choice_ready(value) is ready


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (["a", "b"], "choice as an object with correct and distractors"),
        ({"correct": 3, "distractors": []}, "choice.correct as a string of at most 300 characters"),
        ({"correct": "x", "distractors": ["a", "b", "c"]}, "choice.distractors as objects with text"),
        (
            {"correct": "x", "distractors": [{"text": "a", "why": "b"}]},
            "choice.distractors as objects with text",
        ),
        ({"correct": "x", "distractors": [], "extra": 1}, "choice without unknown fields (extra)"),
    ],
)
def test_a_choice_of_the_wrong_shape_is_named(value: Any, problem: str) -> None:
    assert problem in "; ".join(choice_problems(value))


# --- the doors ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_bank_loader_reads_choice_and_still_loads_the_old_distractors_list(tmp_path: Path) -> None:
    bank = _write_bank(
        tmp_path,
        [_question("new-format", choice=CHOICE), _question("old-format", distractors=["A", "B", "C"])],
    )

    report = services.bank_load(data_dir=bank)
    again = services.bank_load(data_dir=bank)

    assert report.created == 2
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Question.objects.get(key="new-format").choice == CHOICE
    old = Question.objects.get(key="old-format")
    assert old.choice == {"correct": "", "distractors": [{"text": t, "why_wrong": ""} for t in "ABC"]}


@pytest.mark.django_db
def test_the_bank_loader_refuses_a_choice_of_the_wrong_shape(tmp_path: Path) -> None:
    bank = _write_bank(tmp_path, [_question("bad", choice={"correct": "x", "distractors": ["a", "b", "c"]})])

    with pytest.raises(
        InvalidInput, match=re.escape("django-orm.json: question 'bad' needs choice.distractors as objects")
    ):
        services.bank_load(data_dir=bank)

    assert Question.all_objects.count() == 0


@pytest.mark.django_db
def test_json_export_carries_choice_and_imports_it_back(tmp_path: Path) -> None:
    services.bank_load(data_dir=_write_bank(tmp_path, [_question("with-choice", choice=CHOICE)]))
    exported = data.export_json(selectors.questions_for_export())
    Question.all_objects.all().delete()

    report = importing.documents_import(
        files=[importing.InputFile(name="export.json", data=exported.encode())]
    )

    assert report.errors == []
    assert Question.objects.get(key="with-choice").choice == CHOICE


@pytest.mark.django_db
def test_an_old_export_with_a_distractors_list_still_imports() -> None:
    document = (
        '{"format": "prepdeck-export/1", "questions": [{"key": "old", "prompt": "P?", "topic": "django-orm",'
        ' "distractors": ["A", "B", "C"]}]}'
    )

    report = importing.documents_import(files=[importing.InputFile(name="old.json", data=document.encode())])

    assert report.errors == []
    assert Question.all_objects.get(key="old").choice["distractors"][2] == {"text": "C", "why_wrong": ""}


@pytest.mark.django_db
def test_an_export_with_a_bad_choice_is_refused_naming_the_question() -> None:
    document = (
        '{"format": "prepdeck-export/1", "questions": [\n{"key": "bad", "prompt": "P?", "topic": "django-orm",'
        ' "choice": {"correct": "x", "distractors": [{"text": 1}]}}]}'
    )

    report = importing.documents_import(files=[importing.InputFile(name="bad.json", data=document.encode())])

    assert "question 1 ('bad'): choice needs choice.distractors as objects with text" in str(
        report.errors[0]["message"]
    )
    assert report.errors[0]["line"] == 2
    assert Question.all_objects.count() == 0


@pytest.mark.django_db
def test_the_api_shows_and_edits_choice_with_a_revision(api: APIClient, tmp_path: Path) -> None:
    services.bank_load(data_dir=_write_bank(tmp_path, [_question("q", choice=CHOICE), _question("none")]))
    question = Question.objects.get(key="q")
    api.force_authenticate(make_editor())
    edited = {**CHOICE, "correct": "It joins the related table into the same SQL query."}

    detail = api.get(f"/api/v1/questions/{question.pk}/").json()
    without = api.get(f"/api/v1/questions/{Question.objects.get(key='none').pk}/").json()
    response = api.patch(
        f"/api/v1/questions/{question.pk}/", {"version": question.version, "choice": edited}, format="json"
    )

    assert detail["choice"] == CHOICE
    assert without["choice"] is None
    assert response.status_code == 200
    question.refresh_from_db()
    assert question.choice == edited
    assert question.revisions.order_by("-version").first().snapshot["choice"] == edited  # type: ignore[union-attr]


@pytest.mark.django_db
def test_the_api_refuses_distractors_without_text(api: APIClient, tmp_path: Path) -> None:
    services.bank_load(data_dir=_write_bank(tmp_path, [_question("q", choice=CHOICE)]))
    question = Question.objects.get(key="q")
    api.force_authenticate(make_editor())

    response = api.patch(
        f"/api/v1/questions/{question.pk}/",
        {"version": question.version, "choice": {"correct": "x", "distractors": [{"why_wrong": "y"}]}},
        format="json",
    )

    assert response.status_code == 400
    question.refresh_from_db()
    assert question.choice == CHOICE


@pytest.mark.django_db
def test_restoring_a_revision_written_before_choice_converts_its_distractors(tmp_path: Path) -> None:
    services.bank_load(data_dir=_write_bank(tmp_path, [_question("q", choice=CHOICE)]))
    question = Question.objects.get(key="q")
    revision = QuestionRevision.objects.get(question=question)
    snapshot = {name: value for name, value in revision.snapshot.items() if name != "choice"}
    QuestionRevision.objects.filter(pk=revision.pk).update(
        snapshot={**snapshot, "distractors": ["X", "Y", "Z"]}
    )

    services.question_revision_restore(question=question, version=1, expected_version=1, user=None)

    question.refresh_from_db()
    assert question.choice == {"correct": "", "distractors": [{"text": t, "why_wrong": ""} for t in "XYZ"]}
    assert question.version == 2


def test_the_model_field_refuses_a_choice_of_the_wrong_shape() -> None:
    """The admin's form runs the field's validators, so it cannot store a malformed choice either."""
    from django.core.exceptions import ValidationError

    field = Question._meta.get_field("choice")

    field.run_validators(CHOICE)
    field.run_validators({})
    with pytest.raises(ValidationError, match=re.escape("Expected choice.distractors as objects with text")):
        field.run_validators({"correct": "x", "distractors": ["a", "b", "c"]})


def test_a_revision_diff_shows_the_choice_line_by_line() -> None:
    from prepdeck.catalog.diffing import snapshot_diff

    edited = {
        **CHOICE,
        "distractors": [*CHOICE["distractors"][:2], {"text": "It locks rows.", "why_wrong": "No."}],
    }

    [diff] = snapshot_diff({"choice": CHOICE}, {"choice": edited})

    assert (diff.name, diff.label, diff.added, diff.removed) == ("choice", "Multiple choice", 1, 1)
    texts = ["".join(segment.text for segment in line.segments) for line in diff.lines if line.kind != "same"]
    assert texts == [
        "Wrong: It prefetches reverse relations with a second query. (wrong: prefetch_related.)",
        "Wrong: It locks rows. (wrong: No.)",
    ]
