"""Question edits with optimistic locking and revisions, and the bundled-bank loader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prepdeck.accounts.models import User
from prepdeck.accounts.tests.factories import make_editor, make_user
from prepdeck.catalog import services
from prepdeck.catalog.models import Question, QuestionRevision, QuestionStatus, Tag
from prepdeck.core.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied

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

    services.question_revision_restore(question=question, version=1, expected_version=2, user=None)

    question.refresh_from_db()
    assert (question.prompt, question.version) == ("Prompt of a-one?", 3)
    assert question.revisions.values_list("summary", flat=True).first() == "Restored version 1"


def test_restoring_a_missing_version_is_not_found(tmp_path: Path) -> None:
    question = _loaded(tmp_path)

    with pytest.raises(NotFound):
        services.question_revision_restore(question=question, version=9, expected_version=1, user=None)


@pytest.mark.parametrize("who", ["anonymous", "learner", "the author of the draft"])
def test_only_editors_may_restore_an_earlier_version_whichever_door_calls(who: str) -> None:
    # given a draft with two versions
    services.topics_sync()
    author = make_user()
    draft = services.question_create(author=author, topic="django-orm", prompt="First?", key_points=["x"])
    services.question_update(question=draft, expected_version=1, changes={"prompt": "Second?"})
    users: dict[str, User | AnonymousUser] = {
        "anonymous": AnonymousUser(),
        "learner": make_user(),
        "the author of the draft": author,
    }
    user = users[who]

    # when they restore version 1
    with pytest.raises(PermissionDenied) as raised:
        services.question_revision_restore(question=draft, version=1, expected_version=2, user=user)

    # then nothing changed
    assert raised.value.message == "Only editors can restore an earlier version of a question."
    draft.refresh_from_db()
    assert (draft.prompt, draft.version, draft.revisions.count()) == ("Second?", 2, 2)


def test_an_editor_restores_an_earlier_version_as_its_author() -> None:
    services.topics_sync()
    draft = services.question_create(
        author=make_user(), topic="django-orm", prompt="First?", key_points=["x"]
    )
    services.question_update(question=draft, expected_version=1, changes={"prompt": "Second?"})
    editor = make_editor()

    services.question_revision_restore(question=draft, version=1, expected_version=2, user=editor)

    draft.refresh_from_db()
    assert (draft.prompt, draft.version) == ("First?", 3)
    assert draft.revisions.values_list("summary", "author_id").first() == ("Restored version 1", editor.pk)


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


def test_an_update_replaces_tags_code_and_follow_ups_and_records_them(tmp_path: Path) -> None:
    bank = _write_bank(tmp_path, [_question("a-one", follow_ups=["a-two"]), _question("a-two")])
    services.bank_load(data_dir=bank)
    _write_bank(
        tmp_path,
        [
            _question(
                "a-one",
                tags=["Caching", "orm"],
                code_examples=[{"language": "sql", "caption": "", "code": "SELECT 1", "runnable": False}],
                follow_ups=["a-three"],
            ),
            _question("a-two"),
            _question("a-three"),
        ],
    )

    report = services.bank_load(data_dir=bank)

    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    one = Question.objects.get(key="a-one")
    assert sorted(tag.slug for tag in one.tags.all()) == ["caching", "orm"]
    assert [(example.language, example.code) for example in one.code_examples.all()] == [("sql", "SELECT 1")]
    assert [other.key for other in one.follow_ups.all()] == ["a-three"]
    latest = one.revisions.get(version=2)
    assert latest.snapshot == services.question_snapshot(one)


def _many(count: int) -> list[dict[str, Any]]:
    return [
        {**_question(f"q-{number}", tags=[f"tag-{number % 7}"]), "topic": "django-orm"}
        for number in range(count)
    ]


@pytest.mark.parametrize("count", [5, 40])
def test_upsert_runs_the_same_number_of_queries_for_any_number_of_questions(count: int) -> None:
    # given the topics (five questions and forty need the same statements; beyond SQLite's batch size
    # of about fifty rows a statement is repeated per batch, never per question)
    services.topics_sync()
    warm_up = [{**entry, "key": f"warm-{entry['key']}"} for entry in _many(1)]
    services.questions_upsert(warm_up, revision_summary="test")  # one-off lookups are cached after this
    baseline = [{**entry, "key": f"base-{entry['key']}"} for entry in _many(1)]
    with CaptureQueriesContext(connection) as one:
        services.questions_upsert(baseline, revision_summary="test")

    # when: read topics, questions, sources; write questions, tags, tag links, code, revisions,
    # and refresh the search index
    with CaptureQueriesContext(connection) as many:
        report = services.questions_upsert(_many(count), revision_summary="test")

    # then (the SQLite search index adds one statement only when the batch brings words it has never
    # seen, so the counts may differ by that one; they never grow with the number of questions)
    assert abs(len(many) - len(one)) <= 1
    assert report.created == count
    assert Question.objects.count() == count + 2
    assert QuestionRevision.objects.count() == count + 2
    assert Tag.objects.count() == min(count, 7)


def test_applying_the_same_entries_again_runs_only_the_reads(django_assert_num_queries: Any) -> None:
    services.topics_sync()
    services.questions_upsert(_many(50), revision_summary="test")

    # topics, questions and their tags, code and follow-ups, sources, the savepoint pair: no writes
    with django_assert_num_queries(8):
        report = services.questions_upsert(_many(50), revision_summary="test")

    assert (report.created, report.updated, report.unchanged) == (0, 0, 50)


def test_a_large_upsert_stores_every_part_of_every_question() -> None:
    # given more rows than the bulk writer's COPY threshold (so PostgreSQL takes its COPY path)
    services.topics_sync()
    entries = [
        {
            **entry,
            "follow_ups": [f"q-{(number + 1) % 300}"],
            "sources": [{"document": "d.md", "line_start": number}],
        }
        for number, entry in enumerate(_many(300))
    ]

    # when
    report = services.questions_upsert(entries, revision_summary="big")

    # then every question reads back exactly as its entry says, with one revision recording it
    assert report.created == 300
    question = Question.objects.prefetch_related("tags", "code_examples", "follow_ups").get(key="q-299")
    assert services.question_snapshot(question) == {
        **services._entry_content(entries[299]),
        "status": QuestionStatus.PUBLISHED,
    }
    assert [other.key for other in question.follow_ups.all()] == ["q-0"]
    assert list(question.sources.values_list("document", "line_start")) == [("d.md", 299)]
    assert question.revisions.get().snapshot == services.question_snapshot(question)
    assert question.published_at is not None
    assert Question.tags.through.objects.count() == 300
    # and the ids continue from the sequence: a question created afterwards gets a fresh one
    services.questions_upsert([{**_question("after"), "topic": "django-orm"}], revision_summary="one more")
    assert Question.objects.get(key="after").pk > question.pk
