""" "Export my data" gathers the sections that apps above accounts register (accounts imports none of
them), and the desired-retention explanation agrees with the practice scheduler it describes."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from prepdeck.accounts import data_export
from prepdeck.accounts.models import User
from prepdeck.accounts.retention import FORGETTING_CURVE_DECAY
from prepdeck.accounts.tests.factories import make_user
from prepdeck.catalog import services as catalog_services
from prepdeck.practice import scheduling


@pytest.mark.django_db
def test_the_export_holds_accounts_own_data_then_every_registered_section(api: APIClient) -> None:
    catalog_services.topics_sync()
    me = make_user()
    catalog_services.question_create(author=me, topic="django-orm", prompt="Why is my queryset lazy?")
    catalog_services.question_create(author=make_user(), topic="django-orm", prompt="Someone else's?")
    api.force_authenticate(me)

    data = api.get("/api/v1/me/export/").json()

    # accounts' keys first, then the sections in INSTALLED_APPS order (catalog, then practice)
    assert list(data) == [
        "format",
        "profile",
        "api_tokens",
        "questions_written",
        "import_jobs",
        "cards",
        "reviews",
        "quizzes",
        "mock_interviews",
    ]
    assert [(row["prompt"], row["status"]) for row in data["questions_written"]] == [
        ("Why is my queryset lazy?", "draft")
    ]
    assert (data["import_jobs"], data["cards"], data["reviews"]) == ([], [], [])


@pytest.mark.django_db
def test_two_sections_writing_the_same_key_is_a_programming_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from prepdeck.accounts.selectors import user_data_export

    def cards_again(*, user: User) -> dict[str, Any]:
        return {"cards": []}

    monkeypatch.setattr(data_export, "_SECTIONS", [*data_export.user_data_sections(), cards_again])

    with pytest.raises(RuntimeError, match="export sections both write cards"):
        user_data_export(user=make_user())


def test_registering_a_section_twice_adds_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    def section(*, user: User) -> dict[str, Any]:
        return {}

    monkeypatch.setattr(data_export, "_SECTIONS", [])
    data_export.user_data_section_register(section)
    data_export.user_data_section_register(section)

    assert data_export.user_data_sections() == (section,)


def test_the_retention_explanation_uses_the_schedulers_default_forgetting_curve() -> None:
    assert -scheduling.DEFAULT_PARAMETERS[20] == FORGETTING_CURVE_DECAY
