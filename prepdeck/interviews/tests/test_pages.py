"""The interview pages: builder, lobby, invite link, live views per role, scorecard, packet, report."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from prepdeck.accounts.models import User
from prepdeck.accounts.tests.factories import make_user
from prepdeck.catalog.models import Question
from prepdeck.interviews import services
from prepdeck.interviews.models import InterviewSession, Invite, Kit, Scorecard
from prepdeck.interviews.tests.conftest import as_candidate, as_interviewer

pytestmark = pytest.mark.django_db


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_navigation_links_interviews_for_signed_in_users(interviewer: User) -> None:
    assert b'href="/interviews/"' in client_for(interviewer).get("/").content
    assert b'href="/interviews/"' not in Client().get(reverse("web:browse")).content


def test_building_a_kit_and_scheduling_a_session(interviewer: User, questions: list[Question]) -> None:
    client = client_for(interviewer)
    response = client.post(reverse("interviews:index"), {"title": "Round 1"})
    kit = Kit.objects.get(owner=interviewer)
    assert response.status_code == 302
    assert response["Location"] == reverse("interviews:kit", kwargs={"kit_id": kit.pk})
    url = response["Location"]

    page = client.get(url, {"q": "Live question 1"})
    assert page.status_code == 200
    assert page.content.count(b'name="action" value="add"') == 1

    client.post(url, {"action": "add", "question": questions[1].pk})
    client.post(url, {"action": "add", "question": questions[0].pk})
    client.post(
        url, {"action": "custom", "prompt": "Design a cache", "key_points": "eviction\nTTL", "minutes": "15"}
    )
    first = kit.items.order_by("order").first()
    assert first is not None
    client.post(url, {"action": "down", "item": first.pk})
    assert [item.prompt for item in kit.items.order_by("order")] == [
        "Live question 0?",
        "Live question 1?",
        "Design a cache",
    ]
    assert kit.items.get(custom_prompt="Design a cache").rubric["behaviours"] == ["eviction", "TTL"]

    response = client.post(
        url, {"action": "schedule", "candidate_name": "Linus", "scheduled_at": "2030-01-02T10:00"}
    )
    session = InterviewSession.objects.get(kit=kit)
    assert response["Location"] == reverse("interviews:lobby", kwargs={"session_id": session.pk})
    assert len(session.snapshot) == 3


def test_kit_pages_are_the_owners_only(kit: Kit) -> None:
    stranger = client_for(make_user())
    url = reverse("interviews:kit", kwargs={"kit_id": kit.pk})
    assert stranger.get(url).status_code == 404
    assert stranger.post(url, {"action": "custom", "prompt": "Sneaky"}).status_code == 404
    assert kit.items.count() == 3
    assert Client().get(url).status_code == 302  # to sign in


def test_an_invite_link_lets_a_guest_in_once(session: InterviewSession, interviewer: User) -> None:
    lobby = client_for(interviewer).post(
        reverse("interviews:lobby", kwargs={"session_id": session.pk}), {"action": "invite"}
    )
    url = lobby.context["invite_url"]
    path = url.removeprefix("http://testserver")
    guest = Client()

    assert guest.get(path).status_code == 200  # asking does not use it up
    assert Invite.objects.get().used_at is None
    response = guest.post(path)
    live = reverse("interviews:live", kwargs={"session_id": session.pk})
    assert response["Location"] == live
    page = guest.get(live)
    assert page.status_code == 200
    assert b'data-role="candidate"' in page.content
    assert b"rubric" not in page.content.lower()

    again = Client().post(path)
    assert again.status_code == 410
    assert b"already been used" in again.content
    assert Client().get(live).status_code == 404
    assert Client().post("/interviews/join/forged-token-that-is-long-enough/").status_code == 410


def test_the_interviewer_live_view_shows_rubric_pad_and_notes(
    session: InterviewSession, interviewer: User
) -> None:
    services.question_reveal(session=session, participant=as_interviewer(interviewer))
    services.pad_update(session=session, participant=as_candidate(session), index=0, text="It joins <b>")
    services.note_write(session=session, participant=as_interviewer(interviewer), index=0, text="Good start")
    page = client_for(interviewer).get(reverse("interviews:live", kwargs={"session_id": session.pk}))
    content = page.content.decode()
    assert 'data-role="interviewer"' in content
    assert "It joins &lt;b&gt;" in content
    assert "Good start" in content
    assert content.count("data-tick ") == 5
    assert 'data-last-seq="3"' in content


def test_interviewers_see_the_bank_questions_probes_and_the_candidate_never_does(
    kit: Kit, interviewer: User, questions: list[Question]
) -> None:
    probe = {"ask": "Now two app servers run it: what breaks?", "answer": "The in-process `lock`."}
    Question.objects.filter(pk__in=[question.pk for question in questions]).update(probes=[probe])
    session = services.session_schedule(
        kit=kit, owner=interviewer, candidate_name="Linus", scheduled_at=timezone.now(), interviewers=[]
    )
    services.question_reveal(session=session, participant=as_interviewer(interviewer))
    url = reverse("interviews:live", kwargs={"session_id": session.pk})

    interviewer_page = client_for(interviewer).get(url).content.decode()
    kit_page = (
        client_for(interviewer).get(reverse("interviews:kit", kwargs={"kit_id": kit.pk})).content.decode()
    )

    assert "Now two app servers run it: what breaks?" in interviewer_page
    assert "<code>lock</code>" in interviewer_page
    assert "Now two app servers run it: what breaks?" in kit_page
    # the candidate, in through an invite, sees the question but never its probes
    lobby = client_for(interviewer).post(
        reverse("interviews:lobby", kwargs={"session_id": session.pk}), {"action": "invite"}
    )
    guest = Client()
    guest.post(lobby.context["invite_url"].removeprefix("http://testserver"))
    candidate_page = guest.get(url).content.decode()
    assert 'data-role="candidate"' in candidate_page
    assert "two app servers" not in candidate_page
    events = guest.get(f"/api/v1/interviews/sessions/{session.pk}/events/")
    assert "two app servers" not in events.content.decode()


def test_other_interviewers_and_strangers_get_not_found(session: InterviewSession) -> None:
    outsider = client_for(make_user())
    for name in ("lobby", "live", "scorecard", "packet", "report"):
        assert (
            outsider.get(reverse(f"interviews:{name}", kwargs={"session_id": session.pk})).status_code == 404
        )


def _answer_and_finish(session: InterviewSession, interviewer: User) -> None:
    ada = as_interviewer(interviewer)
    services.question_reveal(session=session, participant=ada)
    services.pad_update(
        session=session,
        participant=as_candidate(session),
        index=0,
        text="select_related follows foreign keys with a join",
    )
    services.session_finish(session=session, participant=ada)


def _scorecard_form(action: str, **overrides: Any) -> dict[str, Any]:
    form = {
        "level_0": "3",
        "level_1": "2",
        "level_2": "4",
        "recommendation": "yes",
        "feedback": "Good.",
        "feedback_0": "Mention prefetching.",
        "action": action,
    }
    form.update(overrides)
    return form


def test_scorecard_then_packet(
    session: InterviewSession, interviewer: User, second_interviewer: User
) -> None:
    _answer_and_finish(session, interviewer)
    client = client_for(interviewer)
    url = reverse("interviews:scorecard", kwargs={"session_id": session.pk})
    packet_url = reverse("interviews:packet", kwargs={"session_id": session.pk})

    assert client.get(packet_url)["Location"] == url  # submit first
    client.post(url, _scorecard_form("save"))
    card = Scorecard.objects.get(interviewer=interviewer)
    assert card.submitted_at is None
    assert card.levels == {"0": 3, "1": 2, "2": 4}
    assert client.post(url, _scorecard_form("submit"))["Location"] == packet_url
    response = client.post(url, _scorecard_form("save", feedback="Changed"))
    assert response.status_code == 200
    assert b"Your scorecard is submitted and can no longer change." in response.content
    card.refresh_from_db()
    assert card.feedback == "Good."

    packet = client.get(packet_url)
    assert packet.status_code == 200
    assert packet.context["packet"]["pending"] == ["Grace"]
    assert b"Automatic key-point grade" in packet.content


def test_the_shared_report_adds_missed_questions_to_reviews(
    session: InterviewSession, interviewer: User, questions: list[Question]
) -> None:
    account = make_user()
    candidate = client_for(account)
    _, token = services.invite_issue(session=session)
    candidate.post(reverse("interviews:join", kwargs={"token": token}))
    _answer_and_finish(session, interviewer)
    client_for(interviewer).post(
        reverse("interviews:scorecard", kwargs={"session_id": session.pk}), _scorecard_form("submit")
    )
    report_url = reverse("interviews:report", kwargs={"session_id": session.pk})
    assert candidate.get(report_url).status_code == 404

    client_for(interviewer).post(
        reverse("interviews:lobby", kwargs={"session_id": session.pk}), {"action": "share", "shared": "1"}
    )
    page = candidate.get(report_url)
    assert page.status_code == 200
    assert b"Mention prefetching." in page.content
    assert b"Strong" not in page.content  # no levels or recommendations
    candidate.post(report_url)
    assert list(account.cards.values_list("question_id", flat=True)) == [questions[0].pk]


def test_the_interviews_page_runs_the_same_queries_for_any_number_of_kits(
    interviewer: User, questions: list[Question]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from prepdeck.interviews.tests.conftest import build_kit

    client = client_for(interviewer)
    counts = []
    for total in (1, 4):
        while Kit.objects.filter(owner=interviewer).count() < total:
            kit = build_kit(interviewer, questions)
            services.session_schedule(
                kit=kit, owner=interviewer, candidate_name="C", scheduled_at=services.timezone.now()
            )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("interviews:index"))
        assert response.status_code == 200
        assert response.content.count(b'href="/interviews/kits/') == total
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_admin_shows_sessions_but_never_writes(session: InterviewSession) -> None:
    staff = make_user(is_staff=True, is_superuser=True)
    client = client_for(staff)
    assert client.get(reverse("admin:interviews_interviewsession_changelist")).status_code == 200
    assert client.get(reverse("admin:interviews_sessionevent_changelist")).status_code == 200
    assert client.get(reverse("admin:interviews_kit_add")).status_code == 403
    client.post(
        reverse("admin:interviews_interviewsession_change", args=[session.pk]), {"candidate_name": "Changed"}
    )
    session.refresh_from_db()
    assert session.candidate_name == "Linus"
