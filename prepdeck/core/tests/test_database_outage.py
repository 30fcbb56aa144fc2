"""A database outage answers 503 with ``Retry-After`` (the API's JSON error, or a standalone page), never a
500, and the next request after the database returns is served normally.

The outage is real: the test's own connection is pointed at a port nothing listens on (the shared
PostgreSQL server is not touched). SQLite runs in the test process, so there is no server to lose there.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.db import connections
from django.test import Client
from rest_framework.test import APIClient

from prepdeck.accounts.tests.factories import make_user
from prepdeck.catalog import services as catalog_services
from prepdeck.core.outages import outage_log
from prepdeck.core.tests.outages import free_port

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

UNAVAILABLE = {
    "error": {
        "code": "service_unavailable",
        "message": "The database is unavailable at the moment; nothing was changed. Try again shortly.",
        "details": {"service": "database", "retry_after": 30},
    }
}


class Outage:
    """Takes the default database away from this process, and gives it back."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.connection = connections["default"]

    def begin(self) -> None:
        settings_dict = self.connection.settings_dict
        self.connection.close()
        options = dict(settings_dict.get("OPTIONS") or {})
        if options.get("pool"):  # Django's connection pool: a new pool, quick to give up
            self.connection.close_pool()  # type: ignore[attr-defined]
            pool = options["pool"] if isinstance(options["pool"], dict) else {}
            options["pool"] = {**pool, "timeout": 2}
        options["connect_timeout"] = 2
        self.monkeypatch.setitem(settings_dict, "OPTIONS", options)
        self.monkeypatch.setitem(settings_dict, "HOST", "127.0.0.1")
        self.monkeypatch.setitem(settings_dict, "PORT", str(free_port()))

    def end(self) -> None:
        self.connection.close()
        if getattr(self.connection, "close_pool", None) and self.connection.settings_dict["OPTIONS"].get(
            "pool"
        ):
            self.connection.close_pool()  # type: ignore[attr-defined]
        self.monkeypatch.undo()


@pytest.fixture
def outage() -> Iterator[Outage]:
    outage_log.reset()
    outage = Outage(pytest.MonkeyPatch())
    yield outage
    outage.end()
    outage_log.reset()


def _bank() -> None:
    catalog_services.topics_sync()
    catalog_services.questions_upsert(
        [
            {
                "key": "q-1",
                "topic": "django-orm",
                "prompt": "What does select_related do?",
                "short_answer": "It joins.",
                "key_points": ["a join"],
                "difficulty": "basic",
                "status": "published",
            }
        ],
        revision_summary="test",
    )


def test_the_api_answers_503_with_retry_after_and_recovers(
    outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    # given: a reader with an API token, and the database goes away
    from prepdeck.accounts import services as account_services

    _bank()
    _, raw_token = account_services.api_token_create(user=make_user(), name="cli")
    anonymous, with_token = APIClient(), APIClient()
    with_token.credentials(HTTP_AUTHORIZATION=f"Token {raw_token}")
    outage.begin()

    # when
    with caplog.at_level(logging.WARNING, logger="prepdeck.outages"):
        responses = [
            anonymous.get("/api/v1/questions/"),
            with_token.get("/api/v1/me/"),
            with_token.post("/api/v1/practice/reviews/", {"question": 1, "rating": 3}, format="json"),
        ]

    # then: 503, Retry-After and the usual error body, every time; one log line for the outage
    assert [response.status_code for response in responses] == [503, 503, 503]
    assert [response["Retry-After"] for response in responses] == ["30", "30", "30"]
    assert [response.json() for response in responses] == [UNAVAILABLE] * 3
    outage_lines = [record for record in caplog.records if record.name == "prepdeck.outages"]
    assert len(outage_lines) == 1
    assert outage_lines[0].getMessage().startswith("The database is unavailable (")

    # when: the database is back
    outage.end()

    # then: the same requests are served, without a restart
    assert anonymous.get("/api/v1/questions/").json()["count"] == 1
    assert with_token.get("/api/v1/me/").status_code == 200


def test_web_pages_answer_a_standalone_503_page(outage: Outage) -> None:
    # given: a visitor and a signed-in learner (whose session and user row must be read first)
    _bank()
    visitor, learner = Client(), Client()
    learner.force_login(make_user())
    outage.begin()

    # when
    browse = visitor.get("/browse/")
    dashboard = learner.get("/")
    api_with_session = learner.get("/api/v1/me/")

    # then
    for response in (browse, dashboard):
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert response["Content-Type"] == "text/html; charset=utf-8"
        page = response.content.decode()
        assert '<h1 id="error-heading">PrepDeck is briefly unavailable</h1>' in page
        assert "The database is unavailable at the moment; nothing was changed. Try again shortly." in page
        assert "Please try again in 30 seconds" in page
    assert api_with_session.status_code == 503
    assert api_with_session.json() == UNAVAILABLE

    # when: the database is back
    outage.end()

    # then
    assert visitor.get("/browse/").status_code == 200
    assert learner.get("/").status_code == 200


def test_under_asgi_too(outage: Outage) -> None:
    # given: the async handler (uvicorn serves the ASGI app), a signed-in learner and a visitor
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    _bank()
    learner, visitor = AsyncClient(), AsyncClient()
    learner.force_login(make_user())
    outage.begin()

    # when
    dashboard = async_to_sync(learner.get)("/")
    browse = async_to_sync(visitor.get)("/browse/")
    api = async_to_sync(visitor.get)("/api/v1/questions/")

    # then
    assert (dashboard.status_code, browse.status_code, api.status_code) == (503, 503, 503)
    assert dashboard["Retry-After"] == browse["Retry-After"] == api["Retry-After"] == "30"
    assert api.json() == UNAVAILABLE


def test_readyz_names_the_database_during_the_outage(outage: Outage) -> None:
    outage.begin()

    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]
