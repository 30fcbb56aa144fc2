"""Question edits with optimistic locking and revisions, and the bundled-bank loader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from prepdeck.catalog import services
from prepdeck.catalog.models import Question, QuestionRevision, QuestionStatus, Tag
from prepdeck.core.exceptions import Conflict, InvalidInput, NotFound

pytestmark = pytest.mark.django_db


def _question(key: str, **overrides: Any) -> dict[str, Any]:
    return {
        "key": key,
        "prompt": f"Prompt of {key}?",
        "short_answer": f"Short answer of {key}.",
        "explanation": "Some *Markdown*.",
        "key_points": ["first point", "second point", "third point"],
        "difficulty": "basic",
        "tags": ["orm", "basics"],
        "code_examples": [{"language": "python", "caption": "c", "code": "x = 1", "runnable": False}],
        "follow_ups": [],
        **overrides,
    }


def _write_bank(folder: Path, questions: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "django-orm.json").write_text(
        json.dumps({"format": "prepdeck-bank/1", "topic": "django-orm", "questions": questions})
    )
    return folder


def test_loading_a_bank_creates_published_questions_with_their_parts(tmp_path: Path) -> None:
    bank = _write_bank(tmp_path, [_question("a-one", follow_ups=["a-two"]), _question("a-two")])

    report = services.bank_load(data_dir=bank)

    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    one = Question.objects.get(key="a-one")
    assert one.status == QuestionStatus.PUBLISHED
    assert one.published_at is not None
    assert one.topic.slug == "django-orm"
    assert one.topic.parent is not None
    assert one.topic.parent.slug == "django"
    assert sorted(tag.slug for tag in one.tags.all()) == ["basics", "orm"]
    assert [example.code for example in one.code_examples.all()] == ["x = 1"]
    assert [other.key for other in one.follow_ups.all()] == ["a-two"]
    assert one.revisions.count() == 1
    assert Tag.objects.count() == 2


def test_loading_the_same_bank_twice_changes_nothing(tmp_path: Path) -> None:
    bank = _write_bank(tmp_path, [_question("a-one", follow_ups=["a-two"]), _question("a-two")])
    services.bank_load(data_dir=bank)
    versions = dict(Question.objects.values_list("key", "version"))

    report = services.bank_load(data_dir=bank)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert dict(Question.objects.values_list("key", "version")) == versions
    assert QuestionRevision.objects.count() == 2


def test_a_newer_bank_updates_changed_questions_in_place(tmp_path: Path) -> None:
    bank = _write_bank(tmp_path, [_question("a-one"), _question("a-two")])
    services.bank_load(data_dir=bank)
    original_id = Question.objects.get(key="a-one").pk
    _write_bank(tmp_path, [_question("a-one", short_answer="A better answer."), _question("a-two")])

    report = services.bank_load(data_dir=bank)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert report.keys_updated == ["a-one"]
    one = Question.objects.get(key="a-one")
    assert one.pk == original_id
    assert (one.short_answer, one.version) == ("A better answer.", 2)
    assert list(one.revisions.values_list("version", flat=True)) == [2, 1]


def test_an_invalid_bank_names_the_file_and_question_and_writes_nothing(tmp_path: Path) -> None:
    bank = _write_bank(tmp_path, [_question("a-one"), _question("a-bad", key_points=[])])

    with pytest.raises(InvalidInput, match=r"django-orm.json: question 'a-bad' lacks key_points"):
        services.bank_load(data_dir=bank)

    assert Question.all_objects.count() == 0


def _loaded(tmp_path: Path) -> Question:
    services.bank_load(data_dir=_write_bank(tmp_path, [_question("a-one")]))
    return Question.objects.get(key="a-one")


def test_an_edit_based_on_the_current_version_applies_and_is_recorded(tmp_path: Path) -> None:
    question = _loaded(tmp_path)

    services.question_update(
        question=question,
        expected_version=1,
        changes={"prompt": "New prompt?", "tags": ["orm"]},
        summary="Reword",
    )

    question.refresh_from_db()
    assert (question.prompt, question.version) == ("New prompt?", 2)
    latest = question.revisions.first()
    assert latest is not None
    assert (latest.version, latest.summary, latest.snapshot["prompt"], latest.snapshot["tags"]) == (
        2,
        "Reword",
        "New prompt?",
        ["orm"],
    )


def test_an_edit_based_on_a_stale_version_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    question = _loaded(tmp_path)
    services.question_update(question=question, expected_version=1, changes={"prompt": "First editor?"})

    with pytest.raises(Conflict) as raised:
        services.question_update(question=question, expected_version=1, changes={"prompt": "Second editor?"})

    assert raised.value.code == "edit_conflict"
    assert raised.value.details == {"current_version": 2, "your_version": 1}
    question.refresh_from_db()
    assert (question.prompt, question.version) == ("First editor?", 2)
    assert question.revisions.count() == 2


def test_restoring_an_earlier_version_makes_a_new_version(tmp_path: Path) -> None:
    question = _loaded(tmp_path)
    services.question_update(question=question, expected_version=1, changes={"prompt": "Changed?"})

    services.question_revision_restore(question=question, version=1, expected_version=2)

    question.refresh_from_db()
    assert (question.prompt, question.version) == ("Prompt of a-one?", 3)
    assert question.revisions.values_list("summary", flat=True).first() == "Restored version 1"


def test_restoring_a_missing_version_is_not_found(tmp_path: Path) -> None:
    question = _loaded(tmp_path)

    with pytest.raises(NotFound):
        services.question_revision_restore(question=question, version=9, expected_version=1)


def test_unknown_fields_are_refused(tmp_path: Path) -> None:
    question = _loaded(tmp_path)

    with pytest.raises(InvalidInput, match="Unknown question fields: owner"):
        services.question_update(question=question, expected_version=1, changes={"owner": 1})


def test_bank_load_command_prints_a_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command

    from prepdeck.catalog.bank import files

    call_command("bank", "load", "--json")
    call_command("bank", "load", "--json")

    first, second = (json.loads(line) for line in capsys.readouterr().out.strip().splitlines())
    total = sum(1 for _ in files.iter_questions())
    assert (first["created"], first["unchanged"]) == (total, 0)
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, total)
