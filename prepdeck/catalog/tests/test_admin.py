"""The admin's import page: upload, dry-run report, then a real import."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from prepdeck.accounts.tests.factories import make_user
from prepdeck.catalog.models import Question
from prepdeck.catalog.tests.test_importing import CSV

pytestmark = pytest.mark.django_db


def test_staff_can_dry_run_then_import_an_upload(client: Client) -> None:
    client.force_login(make_user(is_staff=True, is_superuser=True))

    dry = client.post(
        "/admin/catalog/question/import/",
        {"documents": SimpleUploadedFile("bank.csv", CSV.encode()), "dry_run": "on"},
    )
    assert dry.status_code == 200
    assert "Dry run: nothing was written" in dry.content.decode()
    assert Question.all_objects.count() == 0

    real = client.post(
        "/admin/catalog/question/import/", {"documents": SimpleUploadedFile("bank.csv", CSV.encode())}
    )
    assert real.status_code == 200
    assert "<h2>Imported</h2>" in real.content.decode()
    assert Question.all_objects.count() == 2


def test_a_bad_upload_shows_file_and_line_and_writes_nothing(client: Client) -> None:
    client.force_login(make_user(is_staff=True, is_superuser=True))

    response = client.post(
        "/admin/catalog/question/import/",
        {"documents": SimpleUploadedFile("x.csv", b"question,answer\n,empty\n")},
    )

    assert "x.csv:2: the question cell is empty" in response.content.decode()
    assert Question.all_objects.count() == 0


def test_the_import_page_needs_staff(client: Client) -> None:
    client.force_login(make_user())

    response = client.get("/admin/catalog/question/import/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_question_page_previews_the_explanation_sanitised_and_highlighted(client: Client) -> None:
    from prepdeck.catalog import services

    services.topics_sync()
    author = make_user(is_staff=True, is_superuser=True)
    question = services.question_create(
        author=author,
        topic="django-orm",
        prompt="What does F() do?",
        explanation="Use `F()`.\n\n<script>alert(1)</script>\n\n```python\nx = F('n') + 1\n```",
    )
    client.force_login(author)

    page = client.get(f"/admin/catalog/question/{question.pk}/change/").content.decode()

    assert '<span class="n">x</span>' in page
    assert "<script>alert(1)</script>" not in page


@pytest.mark.parametrize("url", ["/admin/catalog/importjob/", "/admin/catalog/topic/", "/admin/catalog/tag/"])
def test_the_other_bank_admin_pages_load(client: Client, url: str) -> None:
    client.force_login(make_user(is_staff=True, is_superuser=True))
    assert client.get(url).status_code == 200


def test_deleting_a_question_in_the_admin_removes_it_from_search(client: Client) -> None:
    from prepdeck.catalog import services
    from prepdeck.search.selectors import search_questions

    services.topics_sync()
    services.questions_upsert(
        [
            {
                "key": "gone",
                "topic": "django-orm",
                "prompt": "What is a tablespace?",
                "key_points": ["x"],
                "status": "published",
            }
        ],
        revision_summary="t",
    )
    question = Question.objects.get(key="gone")
    assert search_questions("tablespace").count == 1
    client.force_login(make_user(is_staff=True, is_superuser=True))

    response = client.post(f"/admin/catalog/question/{question.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert search_questions("tablespace").count == 0


# --- the admin is a door like the others: services for save, soft delete and bulk actions ----------------


def _bank_question(**overrides: object) -> Question:
    from prepdeck.catalog import services

    services.topics_sync()
    author = make_user()
    question = services.question_create(
        author=author,
        topic="django-orm",
        prompt="What does select_related do?",
        short_answer="A join.",
        key_points=["one query"],
        code_examples=[{"language": "python", "caption": "c", "code": "x = 1", "runnable": True}],
    )
    for name, value in overrides.items():
        setattr(question, name, value)
    question.save()
    return question


def _change_form(question: Question, **overrides: str) -> dict[str, str]:
    """What the admin's change form posts for ``question`` as stored, with ``overrides``."""
    examples = list(question.code_examples.order_by("order"))
    revisions = list(question.revisions.all())
    data = {
        "topic": str(question.topic_id),
        "prompt": question.prompt,
        "short_answer": question.short_answer,
        "explanation": question.explanation,
        "key_points": json.dumps(question.key_points),
        "common_mistakes": json.dumps(question.common_mistakes),
        "choice": json.dumps(question.choice),
        "difficulty": question.difficulty,
        "status": question.status,
        "code_examples-TOTAL_FORMS": str(len(examples)),
        "code_examples-INITIAL_FORMS": str(len(examples)),
        "code_examples-MIN_NUM_FORMS": "0",
        "code_examples-MAX_NUM_FORMS": "1000",
        "sources-TOTAL_FORMS": "0",
        "sources-INITIAL_FORMS": "0",
        "sources-MIN_NUM_FORMS": "0",
        "sources-MAX_NUM_FORMS": "1000",
        "revisions-TOTAL_FORMS": str(len(revisions)),
        "revisions-INITIAL_FORMS": str(len(revisions)),
        "revisions-MIN_NUM_FORMS": "0",
        "revisions-MAX_NUM_FORMS": "1000",
    }
    for index, example in enumerate(examples):
        data.update(
            {
                f"code_examples-{index}-id": str(example.pk),
                f"code_examples-{index}-question": str(question.pk),
                f"code_examples-{index}-order": str(example.order),
                f"code_examples-{index}-language": example.language,
                f"code_examples-{index}-caption": example.caption,
                f"code_examples-{index}-code": example.code,
                f"code_examples-{index}-not_runnable_reason": example.not_runnable_reason,
                **({f"code_examples-{index}-runnable": "on"} if example.runnable else {}),
            }
        )
    for index, revision in enumerate(revisions):
        data[f"revisions-{index}-id"] = str(revision.pk)
        data[f"revisions-{index}-question"] = str(question.pk)
    data.update(overrides)
    return data


def test_saving_a_question_in_the_admin_bumps_the_version_and_writes_a_revision(client: Client) -> None:
    question = _bank_question()
    staff = make_user(is_staff=True, is_superuser=True)
    client.force_login(staff)

    response = client.post(
        f"/admin/catalog/question/{question.pk}/change/", _change_form(question, short_answer="A SQL join.")
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    question.refresh_from_db()
    assert (question.short_answer, question.version) == ("A SQL join.", 2)
    newest = question.revisions.order_by("-version").first()
    assert newest is not None
    assert (newest.version, newest.author_id, newest.summary) == (2, staff.pk, "Edited in the admin")
    assert newest.snapshot["short_answer"] == "A SQL join."
    assert list(question.code_examples.values_list("code", "runnable")) == [("x = 1", True)]


def test_editing_a_code_example_in_the_admin_is_a_versioned_edit(client: Client) -> None:
    question = _bank_question()
    client.force_login(make_user(is_staff=True, is_superuser=True))

    client.post(
        f"/admin/catalog/question/{question.pk}/change/",
        _change_form(question, **{"code_examples-0-code": "x = 2"}),
    )

    question.refresh_from_db()
    assert question.version == 2
    assert question.revisions.get(version=2).snapshot["code_examples"][0]["code"] == "x = 2"


def test_deleting_in_the_admin_is_a_soft_delete_with_a_revision(client: Client) -> None:
    question = _bank_question()
    staff = make_user(is_staff=True, is_superuser=True)
    client.force_login(staff)

    response = client.post(f"/admin/catalog/question/{question.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    stored = Question.all_objects.get(pk=question.pk)
    assert stored.deleted_at is not None
    assert stored.version == 2
    assert list(stored.revisions.values_list("version", "summary", "author_id")) == [
        (2, "Deleted", staff.pk),
        (1, "Created", stored.author_id),
    ]
    assert not Question.objects.filter(pk=question.pk).exists()


def test_the_admin_bulk_actions_soft_delete_restore_and_publish_through_the_services(client: Client) -> None:
    first, second = _bank_question(), _bank_question()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    changelist = "/admin/catalog/question/"
    ids = [str(first.pk), str(second.pk)]

    actions = client.get(changelist).content.decode()
    assert 'value="delete_selected"' not in actions
    assert 'value="soft_delete_selected"' in actions
    client.post(changelist, {"action": "soft_delete_selected", "_selected_action": ids})
    deleted = list(Question.all_objects.filter(pk__in=ids).values_list("version", flat=True))
    assert deleted == [2, 2]
    assert Question.all_objects.filter(pk__in=ids, deleted_at__isnull=False).count() == 2

    client.post(changelist, {"action": "restore_selected", "_selected_action": ids})
    client.post(changelist, {"action": "publish_selected", "_selected_action": ids})

    rows = list(
        Question.all_objects.filter(pk__in=ids).order_by("pk").values_list("deleted_at", "status", "version")
    )
    assert rows == [(None, "published", 4), (None, "published", 4)]
    assert list(first.revisions.values_list("summary", flat=True)) == [
        "Publish",
        "Restored",
        "Deleted",
        "Created",
    ]


def test_adding_a_question_in_the_admin_goes_through_question_create(client: Client) -> None:
    from prepdeck.catalog import services
    from prepdeck.catalog.models import Topic

    services.topics_sync()
    staff = make_user(is_staff=True, is_superuser=True)
    client.force_login(staff)
    data = {
        "topic": str(Topic.objects.get(slug="django-orm").pk),
        "prompt": "What is a queryset?",
        "short_answer": "Lazy.",
        "explanation": "",
        "key_points": "[]",
        "common_mistakes": "[]",
        "distractors": "[]",
        "difficulty": "basic",
        "status": "published",
        **{
            f"{prefix}-{name}": value
            for prefix in ("code_examples", "sources", "revisions")
            for name, value in (
                ("TOTAL_FORMS", "0"),
                ("INITIAL_FORMS", "0"),
                ("MIN_NUM_FORMS", "0"),
                ("MAX_NUM_FORMS", "1000"),
            )
        },
    }

    response = client.post("/admin/catalog/question/add/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    question = Question.objects.get(prompt="What is a queryset?")
    assert (question.author_id, question.status, question.version) == (staff.pk, "published", 2)
    assert list(question.revisions.values_list("summary", flat=True)) == ["Edited in the admin", "Created"]


# --- the admin's import page shares the web page's upload field and checks -------------------------------


def test_the_admin_import_without_a_file_says_so_and_imports_nothing(client: Client) -> None:
    client.force_login(make_user(is_staff=True, is_superuser=True))

    response = client.post("/admin/catalog/question/import/", {"dry_run": "on"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required." in page
    assert "Dry run: nothing was written" not in page


def test_the_admin_import_refuses_too_many_files_like_the_web_page(client: Client) -> None:
    client.force_login(make_user(is_staff=True, is_superuser=True))
    files = [SimpleUploadedFile(f"f{number}.csv", CSV.encode()) for number in range(21)]

    response = client.post("/admin/catalog/question/import/", {"documents": files})

    # the upload handler stops reading at the 21st file, as for the web page and the API
    assert response.status_code == 413
    assert "At most 20 files can be uploaded at once." in response.content.decode()
    assert Question.all_objects.count() == 0


def test_the_admin_import_refuses_a_file_over_the_limit_with_the_shared_message(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prepdeck.catalog import importing

    monkeypatch.setattr(importing, "largest_file_bytes", lambda: 10)
    client.force_login(make_user(is_staff=True, is_superuser=True))

    response = client.post(
        "/admin/catalog/question/import/", {"documents": SimpleUploadedFile("big.md", b"x" * 11)}
    )

    assert "Larger than the 0 MiB limit: big.md." in response.content.decode()
    assert Question.all_objects.count() == 0
