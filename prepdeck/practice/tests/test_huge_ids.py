"""Ids beyond the database integer range (Schemathesis found one on SQLite) are a 404, never a 500."""

import pytest
from rest_framework.test import APIClient

from prepdeck.accounts.tests.factories import make_user

HUGE = 2**70


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", f"/api/v1/practice/quizzes/{HUGE}/items/1/answer/"),
        ("post", f"/api/v1/practice/quizzes/1/items/{HUGE}/answer/"),
        ("post", f"/api/v1/practice/cards/{HUGE}/suspend/"),
        ("get", f"/api/v1/practice/quizzes/{HUGE}/"),
        ("get", f"/api/v1/practice/mock-interviews/{HUGE}/"),
    ],
)
def test_ids_too_big_for_the_database_are_404s(method: str, url: str) -> None:
    api = APIClient()
    api.force_authenticate(make_user())
    response = getattr(api, method)(url, {"choice": 0, "answer": "x"}, format="json")
    assert response.status_code == 404, response.content
