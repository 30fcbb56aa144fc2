"""The admin's import page: upload, dry-run report, then a real import."""

from __future__ import annotations

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
