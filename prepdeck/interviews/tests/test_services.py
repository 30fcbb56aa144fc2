"""The services and selectors of live interviews: kits, invites, the event log, scorecards, the packet."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from prepdeck.accounts.models import User
from prepdeck.accounts.tests.factories import make_user
from prepdeck.catalog.models import Question
from prepdeck.core.exceptions import ApplicationError, Conflict, InvalidInput, NotFound, PermissionDenied
from prepdeck.interviews import access, presence, selectors, services
from prepdeck.interviews.models import InterviewSession, Invite, Kit, Scorecard, SessionEvent, SessionState
from prepdeck.interviews.tests.conftest import KEY_POINTS, as_candidate, as_interviewer
from prepdeck.practice.models import Card

pytestmark = pytest.mark.django_db


def _log(session: InterviewSession) -> list[tuple[int, str, str]]:
    return list(
        SessionEvent.objects.filter(session=session).order_by("seq").values_list("seq", "kind", "audience")
    )


def test_kit_items_get_default_rubrics_and_the_order_they_were_added(kit: Kit) -> None:
    items = list(kit.items.order_by("order"))
    assert [item.order for item in items] == [1, 2, 3]
    assert items[0].rubric["behaviours"] == KEY_POINTS[0]
    assert items[0].rubric["anchors"] == services.DEFAULT_ANCHORS
    assert items[2].prompt == "Tell me about a bug you fixed."
    assert items[2].key_points == ["names the cause"]


def test_kit_reorder_and_copy(kit: Kit, second_interviewer: User) -> None:
    first, second, third = [item.pk for item in kit.items.order_by("order")]
    services.kit_reorder(kit=kit, item_ids=[third, first, second])
    assert list(kit.items.order_by("order").values_list("pk", flat=True)) == [third, first, second]

    copy = services.kit_copy(kit=kit, owner=second_interviewer)

    assert copy.copied_from_id == kit.pk
    assert copy.owner_id == second_interviewer.pk
    assert [item.prompt for item in copy.items.order_by("order")] == [
        item.prompt for item in kit.items.order_by("order")
    ]


def test_kit_reorder_must_list_every_item_once(kit: Kit) -> None:
    ids = [item.pk for item in kit.items.order_by("order")]
    with pytest.raises(InvalidInput):
        services.kit_reorder(kit=kit, item_ids=[ids[0], ids[0], ids[1]])
    assert list(kit.items.order_by("order").values_list("pk", flat=True)) == ids


def test_kit_refuses_a_draft_question_and_a_custom_question_without_prompt(
    kit: Kit, interviewer: User
) -> None:
    from prepdeck.catalog import services as catalog_services

    draft = catalog_services.question_create(
        author=interviewer, topic="django-orm", prompt="Draft?", key_points=["x"]
    )
    with pytest.raises(NotFound):
        services.kit_add_item(kit=kit, question_id=draft.pk)
    with pytest.raises(InvalidInput):
        services.kit_add_item(kit=kit, custom_prompt="   ")
    assert kit.items.count() == 3


def test_the_session_keeps_a_snapshot_of_the_kit(session: InterviewSession, kit: Kit) -> None:
    services.kit_add_item(kit=kit, custom_prompt="Added later")
    session.refresh_from_db()
    assert [item["prompt"] for item in session.snapshot] == [
        "Live question 0?",
        "Live question 1?",
        "Tell me about a bug you fixed.",
    ]
    assert session.state == SessionState.SCHEDULED


# --- invites ---


def test_an_invite_is_single_use(session: InterviewSession) -> None:
    invite, token = services.invite_issue(session=session)
    assert services.invite_redeem(token=token).pk == invite.pk
    with pytest.raises(ApplicationError) as error:
        services.invite_redeem(token=token)
    assert error.value.code == "invite_used"


def test_an_expired_invite_is_refused(session: InterviewSession) -> None:
    invite, token = services.invite_issue(session=session, lifetime=timedelta(minutes=5))
    with time_machine.travel(timezone.now() + timedelta(minutes=6)), pytest.raises(ApplicationError) as error:
        services.invite_redeem(token=token)
    assert error.value.code == "invite_expired"
    invite.refresh_from_db()
    assert invite.used_at is None


@pytest.mark.parametrize("token", ["", "short", "x" * 43, "x" * 500])
def test_a_forged_invite_is_refused(session: InterviewSession, token: str) -> None:
    services.invite_issue(session=session)
    with pytest.raises(ApplicationError) as error:
        services.invite_redeem(token=token)
    assert error.value.code == "invite_invalid"
    assert Invite.objects.filter(used_at__isnull=False).count() == 0


def test_a_signed_in_candidate_is_linked_to_the_session(session: InterviewSession) -> None:
    candidate = make_user()
    _, token = services.invite_issue(session=session)
    invite = services.invite_redeem(token=token, user=candidate)
    session.refresh_from_db()
    assert session.candidate_id == candidate.pk
    _, participant = access.session_access(session_id=session.pk, user=candidate)
    assert participant.role == access.CANDIDATE
    _, guest = access.session_access(session_id=session.pk, user=None, invite_ids=[invite.pk])
    assert guest.role == access.CANDIDATE
    assert guest.user is None


def test_strangers_and_unredeemed_invites_get_not_found(session: InterviewSession) -> None:
    invite, _ = services.invite_issue(session=session)
    for user, invite_ids in [(make_user(), []), (None, []), (None, [invite.pk]), (None, [invite.pk + 1000])]:
        with pytest.raises(NotFound):
            access.session_access(session_id=session.pk, user=user, invite_ids=invite_ids)
    with pytest.raises(NotFound):
        access.session_access(session_id="nope", user=None)


# --- live ---


def test_events_are_numbered_per_session_and_hidden_by_audience(
    session: InterviewSession, interviewer: User, second_interviewer: User
) -> None:
    ada, grace, candidate = (
        as_interviewer(interviewer),
        as_interviewer(second_interviewer),
        as_candidate(session),
    )

    services.question_reveal(session=session, participant=ada)
    services.pad_update(session=session, participant=candidate, index=0, text="select_related joins")
    services.rubric_tick(session=session, participant=ada, index=0, point=0)
    services.note_write(session=session, participant=grace, index=0, text="Hesitant")
    services.timer_set(session=session, participant=ada, scope="question", running=False)

    assert _log(session) == [
        (1, "question_revealed", "everyone"),
        (2, "pad_updated", "everyone"),
        (3, "rubric_ticked", "actor"),
        (4, "note_written", "actor"),
        (5, "timer_stopped", "everyone"),
    ]
    seen = {
        name: [event.seq for event in selectors.events_after(session=session, participant=participant)]
        for name, participant in [("ada", ada), ("grace", grace), ("candidate", candidate)]
    }
    assert seen == {"ada": [1, 2, 3, 5], "grace": [1, 2, 4, 5], "candidate": [1, 2, 5]}
    assert [e.seq for e in selectors.events_after(session=session, participant=ada, after=2)] == [3, 5]
    session.refresh_from_db()
    assert session.last_seq == 5
    assert session.pads == {"0": "select_related joins"}
    state = selectors.session_state(session=session, participant=candidate)
    assert set(state) == {
        "session_id",
        "role",
        "state",
        "last_seq",
        "current",
        "count",
        "question",
        "pads",
        "timers",
        "present",
        "heartbeat_ms",
    }
    assert state["question"] == {"prompt": "Live question 0?", "suggested_minutes": 5}


def test_the_candidate_cannot_drive_and_interviewers_cannot_type(
    session: InterviewSession, interviewer: User
) -> None:
    ada, candidate = as_interviewer(interviewer), as_candidate(session)
    services.question_reveal(session=session, participant=ada)
    for action in (
        lambda: services.question_reveal(session=session, participant=candidate),
        lambda: services.rubric_tick(session=session, participant=candidate, index=0, point=0),
        lambda: services.note_write(session=session, participant=candidate, index=0, text="x"),
        lambda: services.timer_set(session=session, participant=candidate, scope="session", running=False),
        lambda: services.scorecard_save(session=session, participant=candidate, feedback="x"),
        lambda: services.pad_update(session=session, participant=ada, index=0, text="x"),
    ):
        with pytest.raises(PermissionDenied):
            action()
    assert _log(session) == [(1, "question_revealed", "everyone")]


def test_the_pad_only_takes_the_current_question_and_skips_unchanged_text(
    session: InterviewSession, interviewer: User
) -> None:
    candidate = as_candidate(session)
    services.question_reveal(session=session, participant=as_interviewer(interviewer))
    with pytest.raises(Conflict):
        services.pad_update(session=session, participant=candidate, index=1, text="early")
    assert services.pad_update(session=session, participant=candidate, index=0, text="a") is not None
    assert services.pad_update(session=session, participant=candidate, index=0, text="a") is None
    with pytest.raises(InvalidInput):
        services.pad_update(
            session=session, participant=candidate, index=0, text="x" * (services.MAX_PAD_CHARS + 1)
        )
    assert [kind for _, kind, _ in _log(session)] == ["question_revealed", "pad_updated"]


def test_reveal_walks_the_questions_then_stops(session: InterviewSession, interviewer: User) -> None:
    ada = as_interviewer(interviewer)
    assert [
        services.question_reveal(session=session, participant=ada).payload["index"] for _ in range(3)
    ] == [0, 1, 2]
    with pytest.raises(Conflict) as error:
        services.question_reveal(session=session, participant=ada)
    assert error.value.code == "no_more_questions"


def test_timers_are_kept_in_server_time(session: InterviewSession, interviewer: User) -> None:
    # The state a client renders from: running_since on the server's clock plus the time already run.
    ada = as_interviewer(interviewer)
    start = timezone.now().replace(microsecond=0)
    started_ms = int(start.timestamp() * 1000)
    with time_machine.travel(start, tick=False):
        services.question_reveal(session=session, participant=ada)
    with time_machine.travel(start + timedelta(seconds=90), tick=False):
        services.timer_set(session=session, participant=ada, scope="question", running=False)
    with time_machine.travel(start + timedelta(seconds=100), tick=False):
        services.timer_set(session=session, participant=ada, scope="question", running=True)
    session.refresh_from_db()
    assert session.live["timers"] == {
        "session": {"running_since": started_ms, "elapsed_ms": 0},
        "question": {"running_since": started_ms + 100_000, "elapsed_ms": 90_000},
    }
    state = selectors.session_state(session=session, participant=as_candidate(session))
    assert state["timers"] == session.live["timers"]


def test_presence_counts_connections(session: InterviewSession, interviewer: User) -> None:
    ada = as_interviewer(interviewer)
    services.presence_set(session=session, participant=ada, joined=True, connection="a1")
    services.presence_set(session=session, participant=ada, joined=True, connection="a2")
    services.presence_set(session=session, participant=as_candidate(session), joined=True, connection="c1")
    services.presence_set(session=session, participant=ada, joined=False, connection="a1")
    session.refresh_from_db()
    assert session.live["present"] == {
        f"interviewer:{interviewer.pk}": {"name": "Ada", "role": "interviewer", "connections": 1},
        "candidate:guest": {"name": "Linus", "role": "candidate", "connections": 1},
    }


def test_presence_drops_a_connection_whose_heartbeat_stopped_and_lists_it_again_on_reconnect(
    session: InterviewSession, interviewer: User
) -> None:
    ada, linus = as_interviewer(interviewer), as_candidate(session)
    start = timezone.now()
    ada_key = f"interviewer:{interviewer.pk}"
    with time_machine.travel(start, tick=False):
        services.presence_set(session=session, participant=ada, joined=True, connection="ada")
        services.presence_set(session=session, participant=linus, joined=True, connection="linus")
    # Ada's server dies: her socket never disconnects, and her heartbeat stops. Linus keeps beating.
    with time_machine.travel(start + timedelta(seconds=20), tick=False):
        assert services.presence_beat(session=session, participant=linus, connection="linus") is None
    stale_at = start + timedelta(milliseconds=presence.PRESENCE_STALE_MS + 1)
    with time_machine.travel(stale_at, tick=False):
        session.refresh_from_db()
        # a resync computes presence now, before any write: Ada is not listed
        state = selectors.session_state(session=session, participant=ada)
        assert state["present"] == {
            "candidate:guest": {"name": "Linus", "role": "candidate", "connections": 1}
        }
        assert state["heartbeat_ms"] == presence.PRESENCE_HEARTBEAT_MS
        # the next heartbeat drops her for good, and tells everyone
        left = services.presence_beat(session=session, participant=linus, connection="linus")
    assert left is not None
    assert (left.kind, left.actor_role) == ("presence_left", "system")
    assert left.payload["present"] == {
        "candidate:guest": {"name": "Linus", "role": "candidate", "connections": 1}
    }
    session.refresh_from_db()
    assert set(session.live["seen"]) == {"linus"}
    # Ada reconnects to another server: listed again
    with time_machine.travel(stale_at + timedelta(seconds=1), tick=False):
        joined = services.presence_set(session=session, participant=ada, joined=True, connection="ada-2")
        session.refresh_from_db()
        state = selectors.session_state(session=session, participant=ada)
    assert joined.kind == "presence_joined"
    assert set(joined.payload["present"]) == {ada_key, "candidate:guest"}
    assert state["present"][ada_key] == {"name": "Ada", "role": "interviewer", "connections": 1}


def test_a_heartbeat_after_going_stale_lists_the_connection_again(
    session: InterviewSession, interviewer: User
) -> None:
    ada = as_interviewer(interviewer)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.presence_set(session=session, participant=ada, joined=True, connection="ada")
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        back = services.presence_beat(session=session, participant=ada, connection="ada")
    assert back is not None
    assert back.kind == "presence_joined"
    assert back.payload["present"] == {
        f"interviewer:{interviewer.pk}": {"name": "Ada", "role": "interviewer", "connections": 1}
    }


def test_the_presence_sweep_drops_stale_connections_of_unfinished_sessions(
    session: InterviewSession, interviewer: User
) -> None:
    from prepdeck.interviews.tasks import presence_sweep_task

    ada = as_interviewer(interviewer)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.presence_set(session=session, participant=ada, joined=True, connection="ada")
        assert presence_sweep_task() == 0  # still fresh: nothing to do, nothing logged
    last_seq = SessionEvent.objects.filter(session=session).count()
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert presence_sweep_task() == 1
        assert services.presence_sweep() == 0  # idempotent
    session.refresh_from_db()
    assert session.live["present"] == {}
    assert session.live["seen"] == {}
    assert _log(session)[last_seq:] == [(last_seq + 1, "presence_left", "everyone")]


# --- scorecards, packet and report ---


def _run_interview(session: InterviewSession, interviewer: User, second: User) -> None:
    ada, grace, candidate = as_interviewer(interviewer), as_interviewer(second), as_candidate(session)
    services.question_reveal(session=session, participant=ada)
    services.pad_update(
        session=session,
        participant=candidate,
        index=0,
        text="select_related follows foreign keys with a join. prefetch_related runs a second query.",
    )
    services.rubric_tick(session=session, participant=ada, index=0, point=0)
    services.question_reveal(session=session, participant=ada)
    services.pad_update(session=session, participant=candidate, index=1, text="An index speeds up lookups.")
    services.rubric_tick(session=session, participant=grace, index=1, point=0)
    services.session_finish(session=session, participant=ada)


def _submit(session: InterviewSession, user: User, levels: dict[str, Any], recommendation: str) -> Scorecard:
    participant = as_interviewer(user)
    services.scorecard_save(
        session=session,
        participant=participant,
        levels=levels,
        recommendation=recommendation,
        feedback="Solid.",
        question_feedback={"1": "Mention the write cost."},
    )
    return services.scorecard_submit(session=session, participant=participant)


def test_a_scorecard_is_submitted_once_and_then_frozen(
    session: InterviewSession, interviewer: User, second_interviewer: User
) -> None:
    _run_interview(session, interviewer, second_interviewer)
    ada = as_interviewer(interviewer)
    with pytest.raises(InvalidInput) as incomplete:
        services.scorecard_submit(session=session, participant=ada)
    assert incomplete.value.code == "scorecard_incomplete"
    _submit(session, interviewer, {"0": 4, "1": 3, "2": 3}, "yes")

    for action in (
        lambda: services.scorecard_submit(session=session, participant=ada),
        lambda: services.scorecard_save(session=session, participant=ada, feedback="Changed"),
        lambda: services.rubric_tick(session=session, participant=ada, index=0, point=1),
    ):
        with pytest.raises(Conflict) as error:
            action()
        assert error.value.code in {"scorecard_submitted", "session_finished"}
    card = Scorecard.objects.get(session=session, interviewer=interviewer)
    assert (card.feedback, card.levels, card.ticks) == ("Solid.", {"0": 4, "1": 3, "2": 3}, {"0": [0]})


def test_nobody_sees_another_scorecard_before_submitting_their_own(
    session: InterviewSession, interviewer: User, second_interviewer: User
) -> None:
    _run_interview(session, interviewer, second_interviewer)
    _submit(session, interviewer, {"0": 4, "1": 3, "2": 3}, "yes")
    grace = as_interviewer(second_interviewer)

    assert selectors.scorecards_visible(session=session, participant=grace) == [
        Scorecard.objects.get(interviewer=second_interviewer)  # her draft only (made by her tick)
    ]
    with pytest.raises(Conflict):
        selectors.packet_build(session=session, participant=grace)
    with pytest.raises(NotFound):
        selectors.scorecards_visible(session=session, participant=as_candidate(session))

    packet = selectors.packet_build(session=session, participant=as_interviewer(interviewer))
    assert packet["complete"] is False
    assert packet["pending"] == ["Grace"]


def test_the_packet_puts_levels_side_by_side_with_the_automatic_grade(
    session: InterviewSession, interviewer: User, second_interviewer: User
) -> None:
    _run_interview(session, interviewer, second_interviewer)
    _submit(session, interviewer, {"0": 4, "1": 3, "2": 3}, "yes")
    _submit(session, second_interviewer, {"0": 4, "1": 2, "2": 3}, "strong_yes")
    session.refresh_from_db()

    packet = selectors.packet_build(session=session, participant=as_interviewer(second_interviewer))

    assert packet["complete"] is True
    assert packet["pending"] == []
    assert [q["agreement"] for q in packet["questions"]] == ["unanimous", "split", "unanimous"]
    assert [[s["level"] for s in q["scores"]] for q in packet["questions"]] == [[4, 4], [3, 2], [3, 3]]
    assert packet["questions"][0]["scores"][0]["ticked"] == [KEY_POINTS[0][0]]
    assert packet["questions"][0]["automatic_grade"]["missing"] == []
    assert packet["questions"][1]["automatic_grade"]["missing"] == ["an index slows down writes"]
    assert packet["questions"][2]["automatic_grade"] is None  # never answered
    assert [r["recommendation"] for r in packet["recommendations"]] == ["yes", "strong_yes"]
    assert packet["agreement"] == "same side"


def test_the_candidate_report_is_shared_on_purpose_and_feeds_their_reviews(
    session: InterviewSession, interviewer: User, second_interviewer: User, questions: list[Question]
) -> None:
    account = make_user()
    _, token = services.invite_issue(session=session)
    services.invite_redeem(token=token, user=account)
    session.refresh_from_db()
    _run_interview(session, interviewer, second_interviewer)
    _submit(session, interviewer, {"0": 4, "1": 3, "2": 3}, "yes")
    candidate = as_candidate(session, account)
    session.refresh_from_db()
    with pytest.raises(NotFound):
        selectors.candidate_report(session=session, participant=candidate)

    services.share_report_set(session=session, participant=as_interviewer(interviewer), shared=True)
    report = selectors.candidate_report(session=session, participant=candidate)

    assert report["questions"] == [
        {
            "index": 0,
            "prompt": "Live question 0?",
            "question_id": questions[0].pk,
            "feedback": [],
            "missed": [KEY_POINTS[0][1]],
        },
        {
            "index": 1,
            "prompt": "Live question 1?",
            "question_id": questions[1].pk,
            "feedback": ["Mention the write cost."],
            "missed": KEY_POINTS[1],
        },
    ]
    assert services.candidate_reviews_add(session=session, participant=candidate) == [
        questions[0].pk,
        questions[1].pk,
    ]
    assert sorted(Card.objects.filter(user=account).values_list("question_id", flat=True)) == [
        q.pk for q in questions
    ]


def test_a_pad_edit_locks_and_reads_only_the_columns_it_needs(
    session: InterviewSession, interviewer: User
) -> None:
    # given a live session (its kit snapshot is the row's biggest value in a long interview)
    candidate = as_candidate(session)
    services.question_reveal(session=session, participant=as_interviewer(interviewer))

    # when the candidate's pad snapshot arrives
    with CaptureQueriesContext(connection) as queries:
        services.pad_update(session=session, participant=candidate, index=0, text="select_related joins")

    # then one locked read (the question count computed by the database, not the snapshot itself), one
    # update of what changed and the event: no second read of the session
    statements = [query["sql"] for query in queries.captured_queries]
    assert [sql.split()[0] for sql in statements] == ["SAVEPOINT", "SELECT", "UPDATE", "INSERT", "RELEASE"]
    read, update = statements[1], statements[2]
    selected = read.split(" FROM ")[0]
    assert 'array_length("interviews_interviewsession"."snapshot") AS "question_count"' in selected
    assert (
        selected.replace('array_length("interviews_interviewsession"."snapshot")', "").count("snapshot") == 0
    )
    if connection.features.has_select_for_update:
        assert read.endswith("FOR UPDATE")
    assert update.startswith('UPDATE "interviews_interviewsession" SET "last_seq" = 2, "pads" = ')
    session.refresh_from_db()
    assert (session.last_seq, session.pads) == (2, {"0": "select_related joins"})


def test_question_indexes_are_checked_against_the_count_the_database_computes(
    session: InterviewSession, interviewer: User
) -> None:
    ada, candidate = as_interviewer(interviewer), as_candidate(session)
    services.question_reveal(session=session, participant=ada, index=2)  # the last of three
    for action in (
        lambda: services.question_reveal(session=session, participant=ada, index=3),
        lambda: services.pad_update(session=session, participant=candidate, index=3, text="x"),
        lambda: services.note_write(session=session, participant=ada, index=3, text="x"),
        lambda: services.rubric_tick(session=session, participant=ada, index=-1, point=0),
    ):
        with pytest.raises(InvalidInput) as error:
            action()
        assert error.value.details == {"field": "index"}
    assert services.pad_update(session=session, participant=candidate, index=2, text="last") is not None
    assert services.note_write(session=session, participant=ada, index=2, text="ok").payload["index"] == 2
    assert [kind for _, kind, _ in _log(session)] == ["question_revealed", "pad_updated", "note_written"]


def _pad_then_fail(session: InterviewSession, candidate: access.Participant, text: str) -> None:
    """A pad edit inside a transaction that then fails: the edit is rolled back with it."""
    with transaction.atomic():
        services.pad_update(session=session, participant=candidate, index=0, text=text)
        raise RuntimeError("after the edit")


def test_collected_broadcasts_are_those_of_committed_events_only(
    session: InterviewSession, interviewer: User, django_capture_on_commit_callbacks: Any
) -> None:
    candidate = as_candidate(session)
    services.question_reveal(session=session, participant=as_interviewer(interviewer))

    with services.broadcasts_collected() as collected, django_capture_on_commit_callbacks(execute=True):
        kept = services.pad_update(session=session, participant=candidate, index=0, text="kept")
        with pytest.raises(RuntimeError):
            _pad_then_fail(session, candidate, "rolled back")

    assert kept is not None
    assert collected == [
        (services.group_name(session.pk), {"type": "session.event", "event": services.event_data(kept)})
    ]
    assert [kind for _, kind, _ in _log(session)] == ["question_revealed", "pad_updated"]
