"""``/api/v1/interviews/``: kits, sessions, the events log, scorecards, packet and report, per role."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from prepdeck.accounts.models import User
from prepdeck.accounts.tests.factories import make_user
from prepdeck.catalog.models import Question
from prepdeck.interviews import services
from prepdeck.interviews.models import InterviewSession, Kit, Scorecard, SessionEvent
from prepdeck.interviews.tests.conftest import as_candidate, as_interviewer, build_kit

pytestmark = pytest.mark.django_db


def api_as(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"api:{name}", kwargs=kwargs)


def test_building_a_kit_through_the_api(interviewer: User, questions: list[Question]) -> None:
    client = api_as(interviewer)
    kit = client.post(url("interview-kit-list"), {"title": "Round 1"}, format="json").json()
    item = client.post(
        url("interview-kit-items", kit_id=kit["id"]),
        {"question": questions[0].pk, "suggested_minutes": 7, "rubric": {"anchors": ["a", "b", "c", "d"]}},
        format="json",
    )
    assert item.status_code == 201
    assert item.json()["rubric"] == {"behaviours": questions[0].key_points, "anchors": ["a", "b", "c", "d"]}
    custom = client.post(
        url("interview-kit-items", kit_id=kit["id"]),
        {"custom_prompt": "Why?", "custom_key_points": ["because"]},
        format="json",
    ).json()
    reordered = client.post(
        url("interview-kit-reorder", kit_id=kit["id"]),
        {"item_ids": [custom["id"], item.json()["id"]]},
        format="json",
    )
    assert [entry["prompt"] for entry in reordered.json()["items"]] == ["Why?", "Live question 0?"]
    copy = client.post(url("interview-kit-copy", kit_id=kit["id"]))
    assert copy.status_code == 201
    assert copy.json()["copied_from"] == kit["id"]
    assert (
        client.post(
            url("interview-kit-items", kit_id=kit["id"]), {"custom_prompt": ""}, format="json"
        ).json()["error"]["code"]
        == "invalid"
    )


def test_list_endpoints_use_a_constant_number_of_queries(
    interviewer: User, questions: list[Question], django_assert_num_queries: Any
) -> None:
    client = api_as(interviewer)
    for count in (1, 4):
        while Kit.objects.filter(owner=interviewer).count() < count:
            kit = build_kit(interviewer, questions)
            services.session_schedule(
                kit=kit, owner=interviewer, candidate_name="C", scheduled_at=services.timezone.now()
            )
        with django_assert_num_queries(2):  # the page and the count
            assert len(client.get(url("interview-kit-list")).json()["results"]) == count
        with django_assert_num_queries(2):
            assert len(client.get(url("interview-session-list")).json()["results"]) == count


def test_scheduling_inviting_and_the_events_log(
    kit: Kit, interviewer: User, second_interviewer: User
) -> None:
    client = api_as(interviewer)
    created = client.post(
        url("interview-session-list"),
        {
            "kit": kit.pk,
            "candidate_name": "Linus",
            "scheduled_at": "2030-01-01T10:00:00Z",
            "interviewers": [second_interviewer.email],
        },
        format="json",
    )
    assert created.status_code == 201
    session = InterviewSession.objects.get(pk=created.json()["id"])
    assert sorted(session.interviewers.values_list("pk", flat=True)) == [
        interviewer.pk,
        second_interviewer.pk,
    ]
    invite = client.post(url("interview-invites", session_id=session.pk)).json()
    token = invite["url"].rstrip("/").rsplit("/", 1)[-1]

    candidate = make_user()
    joined = api_as(candidate).post(url("interview-join"), {"token": token}, format="json")
    assert joined.status_code == 200
    reused = api_as(make_user()).post(url("interview-join"), {"token": token}, format="json")
    assert (reused.status_code, reused.json()["error"]["code"]) == (410, "invite_used")

    ada = as_interviewer(interviewer)
    services.question_reveal(session=session, participant=ada)
    services.rubric_tick(session=session, participant=ada, index=0, point=1)
    services.pad_update(session=session, participant=as_candidate(session, candidate), index=0, text="typed")

    mine = client.get(url("interview-events", session_id=session.pk), {"after": 1}).json()
    assert [(event["seq"], event["kind"]) for event in mine] == [(2, "rubric_ticked"), (3, "pad_updated")]
    theirs = api_as(candidate).get(url("interview-events", session_id=session.pk)).json()
    assert [(event["seq"], event["kind"]) for event in theirs] == [
        (1, "question_revealed"),
        (3, "pad_updated"),
    ]
    grace = api_as(second_interviewer).get(url("interview-events", session_id=session.pk)).json()
    assert [event["seq"] for event in grace] == [1, 3]
    detail = api_as(candidate).get(url("interview-session-detail", session_id=session.pk)).json()
    assert detail["live"]["role"] == "candidate"
    assert "questions" not in detail["live"]
    bad = client.get(url("interview-events", session_id=session.pk), {"after": "x"})
    assert bad.status_code == 400


def test_the_candidate_cannot_read_rubric_notes_or_scorecards(
    session: InterviewSession, interviewer: User
) -> None:
    candidate = make_user()
    _, token = services.invite_issue(session=session)
    services.invite_redeem(token=token, user=candidate)
    services.question_reveal(session=session, participant=as_interviewer(interviewer))
    services.rubric_tick(session=session, participant=as_interviewer(interviewer), index=0, point=0)
    client = api_as(candidate)
    for name in ("interview-scorecard", "interview-scorecards", "interview-packet"):
        response = client.get(url(name, session_id=session.pk))
        assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
    patch = client.patch(
        url("interview-scorecard", session_id=session.pk), {"feedback": "I was great"}, format="json"
    )
    assert patch.status_code == 404
    assert client.post(url("interview-invites", session_id=session.pk)).status_code == 404
    assert Scorecard.objects.get().feedback == ""
    assert client.get(url("interview-kit-detail", kit_id=session.kit_id)).status_code == 404


def test_scorecards_submit_once_and_the_packet_waits_for_your_own(
    session: InterviewSession, interviewer: User, second_interviewer: User
) -> None:
    services.question_reveal(session=session, participant=as_interviewer(interviewer))
    ada, grace = api_as(interviewer), api_as(second_interviewer)
    body = {"levels": {"0": 3, "1": 3, "2": 2}, "recommendation": "yes", "feedback": "Fine"}
    assert (
        ada.patch(url("interview-scorecard", session_id=session.pk), body, format="json").status_code == 200
    )
    assert ada.post(url("interview-scorecard-submit", session_id=session.pk)).status_code == 200
    twice = ada.post(url("interview-scorecard-submit", session_id=session.pk))
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "scorecard_submitted")
    edit = ada.patch(
        url("interview-scorecard", session_id=session.pk), {"feedback": "Changed"}, format="json"
    )
    assert (edit.status_code, edit.json()["error"]["code"]) == (409, "scorecard_submitted")
    assert Scorecard.objects.get(interviewer=interviewer).feedback == "Fine"

    assert grace.get(url("interview-scorecards", session_id=session.pk)).json() == []
    early = grace.get(url("interview-packet", session_id=session.pk))
    assert (early.status_code, early.json()["error"]["code"]) == (409, "scorecard_not_submitted")
    bad_level = grace.patch(
        url("interview-scorecard", session_id=session.pk), {"levels": {"0": 7}}, format="json"
    )
    assert bad_level.status_code == 400
    grace.patch(
        url("interview-scorecard", session_id=session.pk), {**body, "recommendation": "no"}, format="json"
    )
    grace.post(url("interview-scorecard-submit", session_id=session.pk))

    packet = grace.get(url("interview-packet", session_id=session.pk)).json()
    assert packet["complete"] is True
    assert [row["recommendation"] for row in packet["recommendations"]] == ["yes", "no"]
    assert packet["agreement"] == "split"
    assert len(ada.get(url("interview-scorecards", session_id=session.pk)).json()) == 2


def test_huge_and_garbled_ids_are_not_found(interviewer: User) -> None:
    client = api_as(interviewer)
    assert client.get(f"/api/v1/interviews/sessions/{2**70}/").status_code == 404
    assert client.get(f"/api/v1/interviews/kits/{2**70}/").status_code == 404
    assert SessionEvent.objects.count() == 0
