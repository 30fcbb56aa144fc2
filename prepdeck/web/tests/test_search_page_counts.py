"""The search page when more questions match than a search counts (issue 18 item 3)."""

from __future__ import annotations

import pytest
from django.test import Client

from prepdeck.web.tests.conftest import make_bank

pytestmark = pytest.mark.django_db


def test_search_says_1000_plus_when_more_questions_match_than_it_counts(client: Client) -> None:
    make_bank(1001)

    many = client.get("/search/?q=feature")
    few = client.get("/search/?q=feature+7")

    assert many.status_code == 200
    assert (
        "1,000+ questions found; counts by topic and difficulty are for the first 1,000"
        in many.content.decode()
    )
    assert few.context["count_label"] == f"{few.context['result'].count:,}"
    assert "for the first" not in few.content.decode()
