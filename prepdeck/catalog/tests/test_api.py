"""The bank's API as clients meet it: visibility, the editorial workflow, ETags, imports and exports."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from prepdeck.accounts.tests.factories import make_editor, make_user
from prepdeck.catalog import services
from prepdeck.catalog.models import ImportJob, Question, QuestionStatus, Source
from prepdeck.core.api import pagination

pytestmark = pytest.mark.django_db


def _bank(count: int = 3, **overrides: Any) -> list[Question]:
    services.topics_sync()
    services.questions_upsert(
        [
            {
                "key": f"q-{number}",
                "topic": "django-orm" if number % 2 else "drf-views",
                "prompt": f"Question number {number}?",
                "short_answer": "Answer.",
                "key_points": ["a", "b", "c"],
                "difficulty": "basic",
                "tags": [f"tag-{number % 3}", "common"],
                "status": QuestionStatus.PUBLISHED,
                **overrides,
            }
            for number in range(count)
        ],
        revision_summary="test",
    )
    return list(Question.objects.order_by("id"))


def _draft(author: Any, prompt: str = "A draft question?") -> Question:
    services.topics_sync()
    return services.question_create(author=author, topic="django-orm", prompt=prompt, key_points=["x"])


def test_anonymous_clients_list_published_questions_only(api: APIClient) -> None:
    published = _bank(2)
    _draft(make_user())

    response = api.get("/api/v1/questions/")

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert [row["key"] for row in response.json()["results"]] == [question.key for question in published]


@pytest.mark.parametrize("page_size", [5, 50])
def test_the_question_list_runs_the_same_queries_for_any_page_size(
    api: APIClient, page_size: int, django_assert_num_queries: Any
) -> None:
    _bank(60)

    # count, page of questions, their tags
    with django_assert_num_queries(3):
        response = api.get(f"/api/v1/questions/?page_size={page_size}")

    assert len(response.json()["results"]) == page_size


@pytest.mark.parametrize(
    "query", ["", "?page_size=4&page=2", "?tag=common&ordering=-updated_at", "?topic=django-orm"]
)
def test_the_question_list_answers_what_its_serializer_documents(api: APIClient, query: str) -> None:
    # given: published questions with and without tags, an author's own draft, and the author signed in
    # through a session in a time zone far from UTC (times are written in the active zone)
    questions = _bank(7)
    questions[0].tags.clear()
    author = make_user()
    author.time_zone = "Pacific/Kiritimati"
    author.save(update_fields=["time_zone"])
    _draft(author)
    api.force_login(author)

    # when
    body = api.get(f"/api/v1/questions/{query}").json()

    # then: exactly what QuestionListSerializer writes for the same questions, in the same order
    from django.utils import timezone

    from prepdeck.catalog.serializers import QuestionListSerializer

    listed = (
        Question.all_objects.prefetch_related("tags")
        .select_related("topic")
        .in_bulk([row["id"] for row in body["results"]])
    )
    with timezone.override("Pacific/Kiritimati"):
        expected = QuestionListSerializer([listed[row["id"]] for row in body["results"]], many=True).data
    assert body["results"] == json.loads(json.dumps(expected))
    assert body["results"]
    assert "+14:00" in body["results"][0]["updated_at"]
    if query == "":
        assert body["count"] == 8  # the draft is listed for its author
        assert [row["tags"] for row in body["results"] if row["id"] == questions[0].pk] == [[]]


def test_a_pages_tags_are_read_the_same_for_any_number_of_questions() -> None:
    # a page (up to 128 questions) reads its tags with a compiled statement, more with the ORM
    from prepdeck.catalog.selectors import question_rows_with_tags

    questions = _bank(7)
    questions[3].tags.clear()
    expected = {question.pk: sorted(tag.slug for tag in question.tags.all()) for question in questions}
    for count in (1, 3, 7):
        rows = [{"id": question.pk, "n": index} for index, question in enumerate(questions[:count])]
        assert question_rows_with_tags(rows=rows) == [
            {**row, "tag_slugs": expected[row["id"]]} for row in rows
        ]
    many = [{"id": question.pk} for question in questions] + [{"id": -number} for number in range(1, 130)]
    with_tags = question_rows_with_tags(rows=many)
    assert [row["tag_slugs"] for row in with_tags[:7]] == [expected[question.pk] for question in questions]
    assert all(row["tag_slugs"] == [] for row in with_tags[7:])
    assert expected[questions[3].pk] == []
    assert expected[questions[0].pk] == ["common", "tag-0"]


def test_the_question_count_stops_at_the_bound_and_says_so(
    api: APIClient, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    _bank(12)
    monkeypatch.setattr(pagination, "COUNT_BOUND", 5)

    with django_assert_num_queries(3) as captured:
        first = api.get("/api/v1/questions/?page_size=2").json()

    # the count reads at most bound + 1 rows, however large the bank
    count_sql = captured.captured_queries[0]["sql"]
    assert "COUNT(" in count_sql.upper()
    assert "LIMIT 6" in count_sql.upper()
    assert (first["count"], first["count_exact"], len(first["results"])) == (5, False, 2)
    assert first["next"].endswith("page=2&page_size=2")


def test_a_page_past_the_bound_counts_one_row_past_itself(
    api: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = [question.key for question in _bank(12)]
    monkeypatch.setattr(pagination, "COUNT_BOUND", 5)

    fifth = api.get("/api/v1/questions/?page_size=2&page=5").json()
    sixth = api.get("/api/v1/questions/?page_size=2&page=6").json()

    assert (fifth["count"], fifth["count_exact"]) == (11, False)
    assert [row["key"] for row in fifth["results"]] == keys[8:10]
    assert fifth["next"] is not None
    assert (sixth["count"], sixth["count_exact"], sixth["next"]) == (12, True, None)
    assert [row["key"] for row in sixth["results"]] == keys[10:12]


def test_a_list_under_the_bound_has_its_exact_count(api: APIClient) -> None:
    _bank(3)

    body = api.get("/api/v1/questions/").json()

    assert (body["count"], body["count_exact"], body["next"]) == (3, True, None)
    assert list(body) == ["count", "count_exact", "next", "previous", "results"]


@pytest.mark.parametrize("page", ["last", "99999999999999999999", "0", "x"])
def test_odd_page_numbers_answer_without_a_server_error(
    api: APIClient, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    _bank(12)
    monkeypatch.setattr(pagination, "COUNT_BOUND", 5)

    response = api.get(f"/api/v1/questions/?page_size=5&page={page}")

    if page == "last":
        assert response.status_code == 200
        assert (response.json()["count"], response.json()["count_exact"]) == (12, True)
        assert len(response.json()["results"]) == 2
    else:
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_the_page_size_is_capped(api: APIClient) -> None:
    _bank(3)
    response = api.get("/api/v1/questions/?page_size=100000")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3


def test_filters_by_topic_tree_tag_and_difficulty(api: APIClient) -> None:
    _bank(6)

    by_root_topic = api.get("/api/v1/questions/?topic=django").json()
    by_tag = api.get("/api/v1/questions/?tag=tag-1").json()
    by_difficulty = api.get("/api/v1/questions/?difficulty=advanced").json()

    assert {row["topic"] for row in by_root_topic["results"]} == {"django-orm"}
    assert by_root_topic["count"] == 3
    assert [row["key"] for row in by_tag["results"]] == ["q-1", "q-4"]
    assert by_difficulty["count"] == 0


def test_a_bad_filter_value_is_a_400_in_the_error_shape(api: APIClient) -> None:
    response = api.get("/api/v1/questions/?difficulty=impossible")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "difficulty" in response.json()["error"]["details"]["fields"]


def test_question_detail_has_an_etag_and_answers_304_when_unchanged(api: APIClient) -> None:
    question = _bank(1)[0]

    first = api.get(f"/api/v1/questions/{question.pk}/")
    again = api.get(f"/api/v1/questions/{question.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert first.json()["key_points"] == ["a", "b", "c"]
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


def test_someone_elses_draft_is_not_found_but_the_author_and_editors_see_it(api: APIClient) -> None:
    author = make_user()
    draft = _draft(author)
    url = f"/api/v1/questions/{draft.pk}/"

    anonymous = api.get(url)
    api.force_authenticate(make_user())
    stranger = api.get(url)
    api.force_authenticate(author)
    own = api.get(url)
    api.force_authenticate(make_editor())
    editor = api.get(url)

    assert (anonymous.status_code, stranger.status_code, own.status_code, editor.status_code) == (
        404,
        404,
        200,
        200,
    )
    assert stranger.json()["error"]["code"] == "not_found"


def test_a_learner_proposes_a_draft_submits_it_and_an_editor_publishes_it(api: APIClient) -> None:
    services.topics_sync()
    learner, editor = make_user(), make_editor()
    api.force_authenticate(learner)

    created = api.post(
        "/api/v1/questions/",
        {"topic": "django-orm", "prompt": "What is a QuerySet?", "key_points": ["lazy"], "tags": ["orm"]},
        format="json",
    )
    question_id = created.json()["id"]
    submitted = api.post(f"/api/v1/questions/{question_id}/submit/", {"version": 1}, format="json")
    refused = api.post(f"/api/v1/questions/{question_id}/publish/", {"version": 2}, format="json")
    api.force_authenticate(editor)
    published = api.post(f"/api/v1/questions/{question_id}/publish/", {"version": 2}, format="json")

    assert created.status_code == 201
    assert created.json()["status"] == "draft"
    assert submitted.json()["status"] == "in_review"
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert published.status_code == 200
    assert (published.json()["status"], published.json()["version"]) == ("published", 3)
    assert Question.objects.get(pk=question_id).revisions.count() == 3


def test_a_question_is_proposed_with_code_examples(api: APIClient) -> None:
    services.topics_sync()
    api.force_authenticate(make_user())

    created = api.post(
        "/api/v1/questions/",
        {
            "topic": "django-orm",
            "prompt": "How do you count rows?",
            "code_examples": [{"language": "python", "code": "Book.objects.count()\n"}],
        },
        format="json",
    )

    assert created.status_code == 201
    assert created.json()["code_examples"] == [
        {"language": "python", "caption": "", "code": "Book.objects.count()\n", "runnable": False}
    ]


def test_an_edit_based_on_a_stale_version_is_a_409_and_changes_nothing(api: APIClient) -> None:
    question = _bank(1)[0]
    api.force_authenticate(make_editor())
    api.patch(f"/api/v1/questions/{question.pk}/", {"version": 1, "short_answer": "First."}, format="json")

    stale = api.patch(
        f"/api/v1/questions/{question.pk}/", {"version": 1, "short_answer": "Second."}, format="json"
    )

    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "edit_conflict"
    assert stale.json()["error"]["details"] == {"current_version": 2, "your_version": 1}
    assert Question.objects.get(pk=question.pk).short_answer == "First."


def test_a_learner_cannot_edit_a_published_question(api: APIClient) -> None:
    question = _bank(1)[0]
    api.force_authenticate(make_user())

    response = api.patch(
        f"/api/v1/questions/{question.pk}/", {"version": 1, "prompt": "Hacked?"}, format="json"
    )

    assert response.status_code == 403
    assert Question.objects.get(pk=question.pk).prompt == "Question number 0?"


def test_revisions_are_listed_and_an_editor_restores_one(api: APIClient) -> None:
    question = _bank(1)[0]
    api.force_authenticate(make_editor())
    api.patch(f"/api/v1/questions/{question.pk}/", {"version": 1, "short_answer": "Changed."}, format="json")

    history = api.get(f"/api/v1/questions/{question.pk}/revisions/")
    restored = api.post(
        f"/api/v1/questions/{question.pk}/revisions/1/restore/", {"version": 2}, format="json"
    )

    assert [row["version"] for row in history.json()["results"]] == [2, 1]
    assert (restored.json()["short_answer"], restored.json()["version"]) == ("Answer.", 3)


CSV = b"question,answer,topic\nWhat does select_related do?,It joins.,django-orm\nWhat is a signal?,A hook.,django-signals\n"


def test_an_export_with_a_bad_field_fails_the_job_naming_file_item_and_field(
    api: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    api.force_authenticate(make_editor())
    export = (
        b'{"format": "prepdeck-export/1", "questions": [{"key": "a", "topic": "django-orm",'
        b' "prompt": "P \\u0000?"}]}'
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/imports/", {"files": [SimpleUploadedFile("bank.json", export)]}, format="multipart"
        )

    job = api.get(response["Location"]).json()
    assert (response.status_code, job["status"]) == (202, "failed")
    assert job["report"]["errors"] == [
        {
            "file": "bank.json",
            "line": 1,
            "message": "question 1 ('a'): prompt contains NUL (\\u0000), which cannot be stored",
            "item": 1,
            "key": "a",
            "field": "prompt",
        }
    ]
    assert Question.all_objects.count() == 0


@pytest.mark.parametrize(("keep_status", "status"), [(False, "draft"), (True, "published")])
def test_an_uploaded_export_is_a_draft_unless_keep_status_is_asked_for(
    api: APIClient, django_capture_on_commit_callbacks: Any, keep_status: bool, status: str
) -> None:
    api.force_authenticate(make_editor())
    export = (
        b'{"format": "prepdeck-export/1", "questions": [{"key": "a", "topic": "django-orm",'
        b' "prompt": "P?", "status": "published"}]}'
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/imports/",
            {"files": [SimpleUploadedFile("bank.json", export)], "keep_status": keep_status},
            format="multipart",
        )

    assert api.get(response["Location"]).json()["keep_status"] is keep_status
    assert Question.all_objects.get().status == status


def test_an_editor_uploads_a_file_and_gets_the_job_with_its_report(
    api: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    services.topics_sync()
    editor = make_editor()
    api.force_authenticate(editor)

    # when: the upload's transaction commits, the job is queued (and runs in-process: no broker in tests)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post(
            "/api/v1/imports/", {"files": [SimpleUploadedFile("bank.csv", CSV)]}, format="multipart"
        )

    # then
    assert response.status_code == 202
    assert (response.json()["status"], response.json()["report"]) == ("queued", None)
    # the job is queued once (the other callbacks are the import's own announcements that the bank changed)
    assert len([callback for callback in callbacks if "import_job_create" in callback.__qualname__]) == 1
    job = api.get(response["Location"]).json()
    assert job["status"] == "succeeded"
    assert job["files"] == ["bank.csv"]
    assert (job["report"]["created"], job["report"]["errors"]) == (2, [])
    assert Question.objects.filter(author=editor, status="draft").count() == 2


def test_running_a_job_twice_imports_once(api: APIClient, django_capture_on_commit_callbacks: Any) -> None:
    from prepdeck.catalog import importing

    services.topics_sync()
    api.force_authenticate(make_editor())
    with django_capture_on_commit_callbacks(execute=True):
        job_id = api.post(
            "/api/v1/imports/", {"files": [SimpleUploadedFile("bank.csv", CSV)]}, format="multipart"
        ).json()["id"]

    importing.import_job_run(job_id=job_id)  # a retried task

    assert Question.objects.count() == 2
    report = ImportJob.objects.get(pk=job_id).report
    assert report is not None
    assert report["created"] == 2


def test_a_bad_upload_fails_naming_file_and_line_and_writes_nothing(
    api: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    services.topics_sync()
    api.force_authenticate(make_editor())

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/imports/",
            {
                "files": [
                    SimpleUploadedFile("good.csv", CSV),
                    SimpleUploadedFile("bad.json", b'{"format": "prepdeck-export/1",\n "questions": [}'),
                ]
            },
            format="multipart",
        )

    job = api.get(response["Location"]).json()
    assert job["status"] == "failed"
    assert job["report"]["errors"] == [
        {"file": "bad.json", "line": 2, "message": "invalid JSON: Expecting value"}
    ]
    assert Question.all_objects.count() == 0
    assert Source.objects.count() == 0


def test_imports_are_for_editors_and_jobs_are_private(api: APIClient) -> None:
    services.topics_sync()
    api.force_authenticate(make_editor())
    job_id = api.post(
        "/api/v1/imports/", {"files": [SimpleUploadedFile("a.csv", CSV)]}, format="multipart"
    ).json()["id"]

    api.force_authenticate(make_user())
    learner_upload = api.post(
        "/api/v1/imports/", {"files": [SimpleUploadedFile("a.csv", CSV)]}, format="multipart"
    )
    api.force_authenticate(make_editor())
    other_editor = api.get(f"/api/v1/imports/{job_id}/")

    assert learner_upload.status_code == 403
    assert other_editor.status_code == 404
    assert ImportJob.objects.count() == 1


def test_an_upload_without_files_is_a_400(api: APIClient) -> None:
    api.force_authenticate(make_editor())
    response = api.post("/api/v1/imports/", {"format": "csv"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["fields"]["files"]


@pytest.mark.parametrize(
    ("file_format", "content_type"),
    [
        ("json", "application/json"),
        ("markdown", "text/markdown; charset=utf-8"),
        ("csv", "text/csv; charset=utf-8"),
        ("apkg", "application/octet-stream"),
    ],
)
def test_exports_download_published_questions(api: APIClient, file_format: str, content_type: str) -> None:
    _bank(2)
    _draft(make_user(), prompt="Secret draft?")

    response = api.get(f"/api/v1/exports/?format={file_format}")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="prepdeck-all.{ {"markdown": "md"}.get(file_format, file_format) }"'
    )
    if file_format != "apkg":
        assert b"Question number 1?" in response.content
        assert b"Secret draft" not in response.content


def test_exporting_drafts_is_for_editors(api: APIClient) -> None:
    _draft(make_user())
    assert api.get("/api/v1/exports/?status=draft").status_code == 403
    api.force_authenticate(make_editor())
    assert b"A draft question?" in api.get("/api/v1/exports/?status=draft").content


def test_topics_and_tags_are_public_with_counts(api: APIClient) -> None:
    _bank(3)

    topics = api.get("/api/v1/topics/").json()
    tags = api.get("/api/v1/tags/").json()

    orm = next(topic for topic in topics if topic["slug"] == "django-orm")
    assert (orm["parent"], orm["published_questions"]) == ("django", 1)
    assert {tag["slug"]: tag["published_questions"] for tag in tags["results"]} == {
        "common": 3,
        "tag-0": 1,
        "tag-1": 1,
        "tag-2": 1,
    }


def test_an_api_edit_keeps_the_runnable_flag_of_an_unchanged_code_example(api: APIClient) -> None:
    _bank(
        1,
        code_examples=[
            {"language": "python", "caption": "kept", "code": "x = 1", "runnable": True},
            {"language": "python", "caption": "edited", "code": "y = 1", "runnable": True},
        ],
    )
    question = Question.objects.get()
    api.force_authenticate(make_editor())

    response = api.patch(
        f"/api/v1/questions/{question.pk}/",
        {
            "version": question.version,
            "code_examples": [
                {"language": "python", "caption": "kept, new caption", "code": "x = 1"},
                {"language": "python", "caption": "edited", "code": "y = 2"},
            ],
        },
        format="json",
    )

    assert response.status_code == 200
    assert [(example["code"], example["runnable"]) for example in response.json()["code_examples"]] == [
        ("x = 1", True),
        ("y = 2", False),
    ]


def test_an_editor_deletes_lists_and_restores_a_question(api: APIClient) -> None:
    question = _bank(2)[0]
    editor = make_editor()
    api.force_authenticate(editor)

    stale = api.delete(f"/api/v1/questions/{question.pk}/?version=7")
    deleted = api.delete(f"/api/v1/questions/{question.pk}/?version=1")

    assert (stale.status_code, stale.json()["error"]["code"]) == (409, "edit_conflict")
    assert deleted.status_code == 204
    stored = Question.all_objects.get(pk=question.pk)
    assert stored.deleted_at is not None
    assert (stored.version, stored.revisions.get(version=2).summary) == (2, "Deleted")
    assert api.get(f"/api/v1/questions/{question.pk}/").status_code == 404
    assert [row["key"] for row in api.get("/api/v1/questions/").json()["results"]] == ["q-1"]
    listing = api.get("/api/v1/questions/deleted/").json()
    assert [(row["id"], row["version"]) for row in listing["results"]] == [(question.pk, 2)]
    assert listing["results"][0]["deleted_at"] is not None

    restored = api.post(f"/api/v1/questions/{question.pk}/restore/", {"version": 2}, format="json")

    assert restored.status_code == 200
    assert restored.json()["version"] == 3
    stored = Question.all_objects.get(pk=question.pk)
    assert stored.deleted_at is None
    revision = stored.revisions.get(version=3)
    assert (revision.summary, revision.author_id) == ("Restored", editor.pk)
    assert api.get("/api/v1/questions/deleted/").json()["count"] == 0


def test_restoring_a_live_question_is_a_404(api: APIClient) -> None:
    question = _bank(1)[0]
    api.force_authenticate(make_editor())

    response = api.post(f"/api/v1/questions/{question.pk}/restore/", {"version": 1}, format="json")

    assert response.status_code == 404
    assert Question.all_objects.get(pk=question.pk).version == 1


@pytest.mark.parametrize("page_size", [5, 50])
def test_the_deleted_list_runs_the_same_queries_for_any_page_size(
    api: APIClient, page_size: int, django_assert_num_queries: Any
) -> None:
    for question in _bank(60):
        services.question_delete(question=question, user=None)
    api.force_authenticate(make_editor())

    # the editor check, the count, the page, its tags
    with django_assert_num_queries(4):
        response = api.get(f"/api/v1/questions/deleted/?page_size={page_size}")

    assert len(response.json()["results"]) == page_size


def test_probes_are_read_and_written_through_the_api(api: APIClient) -> None:
    probes = [{"ask": "Now two servers run it?", "answer": "Use a database lock."}]
    question = _bank(1, difficulty="advanced", probes=probes)[0]
    api.force_authenticate(make_editor())

    assert api.get(f"/api/v1/questions/{question.pk}/").json()["probes"] == probes
    edited = api.patch(
        f"/api/v1/questions/{question.pk}/",
        {"version": 1, "probes": [*probes, {"ask": "  And 100M rows? ", "answer": "Batch it."}]},
        format="json",
    )
    invalid = api.patch(
        f"/api/v1/questions/{question.pk}/", {"version": 2, "probes": [{"ask": "No answer"}]}, format="json"
    )

    assert edited.status_code == 200
    assert Question.objects.get(pk=question.pk).probes == [
        *probes,
        {"ask": "And 100M rows?", "answer": "Batch it."},
    ]
    assert invalid.status_code == 400
    assert invalid.json()["error"]["code"] == "invalid"
    assert Question.objects.get(pk=question.pk).version == 2


def test_a_list_without_filter_parameters_is_the_unfiltered_list_and_filters_still_apply(
    api: APIClient,
) -> None:
    # The filter backend skips the FilterSet when the request names none of its filters
    # (prepdeck.core.api.filtering): the same rows as with a blank filter, which runs it.
    _bank(6)

    plain = api.get("/api/v1/questions/?page_size=50").json()
    unrelated = api.get("/api/v1/questions/?page_size=50&colour=blue").json()
    blank = api.get("/api/v1/questions/?page_size=50&difficulty=").json()
    by_tag = api.get("/api/v1/questions/?page_size=50&tag=tag-1").json()
    bad = api.get("/api/v1/questions/?page_size=50&difficulty=impossible")

    assert plain["count"] == 6
    assert unrelated == plain
    assert blank == plain
    assert [row["key"] for row in by_tag["results"]] == ["q-1", "q-4"]
    assert bad.status_code == 400
    assert "difficulty" in bad.json()["error"]["details"]["fields"]
