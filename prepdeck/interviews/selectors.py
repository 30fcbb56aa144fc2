"""Reads of live interviews, each filtered by the caller's role (see ``access``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from prepdeck.accounts.models import User
from prepdeck.core.exceptions import Conflict, NotFound
from prepdeck.interviews.access import Participant
from prepdeck.interviews.models import (
    LEVEL_NAMES,
    Audience,
    InterviewSession,
    Kit,
    KitItem,
    Note,
    Recommendation,
    Scorecard,
    SessionEvent,
    SessionState,
)
from prepdeck.interviews.presence import PRESENCE_HEARTBEAT_MS, present_of
from prepdeck.practice import grading

EVENTS_PAGE = 500


def kits_of(*, user: User) -> QuerySet[Kit]:
    """The user's kits, with their number of questions."""
    return Kit.objects.filter(owner=user).annotate(item_count=Count("items")).order_by("-updated_at", "-id")


def kit_for(*, user: User, kit_id: Any) -> Kit:
    """One of the user's kits with its items; ``NotFound`` when missing or someone else's."""
    from prepdeck.interviews.access import MAX_ID

    try:
        if not 0 < int(kit_id) <= MAX_ID:
            raise Kit.DoesNotExist
        return Kit.objects.prefetch_related(
            Prefetch(
                "items", queryset=KitItem.objects.select_related("question__topic").order_by("order", "id")
            )
        ).get(pk=int(kit_id), owner=user)
    except (Kit.DoesNotExist, TypeError, ValueError, OverflowError):
        raise NotFound("Kit not found.") from None


def sessions_of(*, user: User) -> QuerySet[InterviewSession]:
    """The sessions the user interviews in, newest first."""
    return (
        InterviewSession.objects.filter(interviewers=user)
        .select_related("owner")
        .order_by("-scheduled_at", "-id")
        .distinct()
    )


def event_visible(event: dict[str, Any], participant: Participant) -> bool:
    """Whether a participant may see an event: the candidate sees only what everyone sees, an interviewer
    also what is for interviewers and their own private events (ticks, notes)."""
    audience = event["audience"]
    if audience == Audience.EVERYONE:
        return True
    if not participant.is_interviewer:
        return False
    if audience == Audience.INTERVIEWERS:
        return True
    return participant.user is not None and event["actor_id"] == participant.user.pk


def _visible_filter(participant: Participant) -> Q:
    if not participant.is_interviewer:
        return Q(audience=Audience.EVERYONE)
    assert participant.user is not None
    return Q(audience__in=[Audience.EVERYONE, Audience.INTERVIEWERS]) | Q(
        audience=Audience.ACTOR, actor=participant.user
    )


def events_after(
    *, session: InterviewSession, participant: Participant, after: int = 0, limit: int = EVENTS_PAGE
) -> list[SessionEvent]:
    """The events after sequence number ``after`` the participant may see, oldest first."""
    return list(
        SessionEvent.objects.filter(session=session, seq__gt=after)
        .filter(_visible_filter(participant))
        .order_by("seq")[:limit]
    )


def session_state(*, session: InterviewSession, participant: Participant) -> dict[str, Any]:
    """What a page or a resyncing socket needs to show the session as it is now, for this participant."""
    index = session.current_index
    current = session.snapshot[index] if 0 <= index < len(session.snapshot) else None
    state: dict[str, Any] = {
        "session_id": session.pk,
        "role": participant.role,
        "state": session.state,
        "last_seq": session.last_seq,
        "current": index,
        "count": len(session.snapshot),
        "question": {"prompt": current["prompt"], "suggested_minutes": current["suggested_minutes"]}
        if current
        else None,
        "pads": session.pads
        if participant.is_interviewer
        else {str(index): session.pads.get(str(index), "")},
        "timers": session.live.get("timers", {}),
        # computed now: a connection whose heartbeat stopped (its server died) is not listed
        "present": present_of(session.live, now=int(timezone.now().timestamp() * 1000)),
        "heartbeat_ms": PRESENCE_HEARTBEAT_MS,
    }
    if participant.is_interviewer:
        assert participant.user is not None
        scorecard = Scorecard.objects.filter(session=session, interviewer=participant.user).first()
        state["questions"] = session.snapshot
        state["ticks"] = scorecard.ticks if scorecard else {}
        state["notes"] = {
            str(note.index): note.text
            for note in Note.objects.filter(session=session, interviewer=participant.user)
        }
    return state


def scorecard_of(*, session: InterviewSession, user: User) -> Scorecard | None:
    return Scorecard.objects.filter(session=session, interviewer=user).first()


def scorecards_visible(*, session: InterviewSession, participant: Participant) -> list[Scorecard]:
    """The interviewer's own scorecard, plus everyone's submitted ones once theirs is submitted (nobody reads
    another's before committing to their own, so nobody anchors on it)."""
    if not participant.is_interviewer:
        raise NotFound("Interview session not found.")
    assert participant.user is not None
    cards = list(
        Scorecard.objects.filter(session=session).select_related("interviewer").order_by("interviewer_id")
    )
    own = next((card for card in cards if card.interviewer_id == participant.user.pk), None)
    if own is None or own.submitted_at is None:
        return [own] if own else []
    return [card for card in cards if card.submitted_at is not None]


def _agreement(levels: Sequence[int]) -> str:
    """ "unanimous" (all the same level), "same side" (all hire or all no hire), "split", or "" (< 2)."""
    if len(levels) < 2:
        return ""
    if len(set(levels)) == 1:
        return "unanimous"
    if all(level >= 3 for level in levels) or all(level <= 2 for level in levels):
        return "same side"
    return "split"


def packet_build(*, session: InterviewSession, participant: Participant) -> dict[str, Any]:
    """The hiring packet: per question every submitted level side by side, their agreement, the automatic
    key-point grade of the candidate's answer as a second opinion; every recommendation. Only for an
    interviewer who has submitted their own scorecard."""
    cards = scorecards_visible(session=session, participant=participant)
    if not cards or (cards[0].submitted_at is None and len(cards) == 1):
        raise Conflict("Submit your own scorecard to see the packet.", code="scorecard_not_submitted")
    interviewers = list(session.interviewers.order_by("id"))
    submitted_ids = {card.interviewer_id for card in cards}
    questions = []
    for index, item in enumerate(session.snapshot):
        answer = session.pads.get(str(index), "")
        grade = (
            grading.grade_answer(answer=answer, key_points=item["key_points"], prompt=item["prompt"])
            if answer.strip() and item["key_points"]
            else None
        )
        levels = [card.levels.get(str(index)) for card in cards]
        numeric = [level for level in levels if isinstance(level, int)]
        questions.append(
            {
                "index": index,
                "prompt": item["prompt"],
                "question_id": item["question_id"],
                "answer": answer,
                "scores": [
                    {
                        "interviewer": card.interviewer.get_short_name(),
                        "level": card.levels.get(str(index)),
                        "level_name": LEVEL_NAMES.get(card.levels.get(str(index)) or 0, ""),
                        "ticked": [
                            item["rubric"]["behaviours"][point]
                            for point in card.ticks.get(str(index), [])
                            if point < len(item["rubric"]["behaviours"])
                        ],
                        "feedback": card.question_feedback.get(str(index), ""),
                    }
                    for card in cards
                ],
                "agreement": _agreement(numeric),
                "automatic_grade": {
                    "score": grade.score,
                    "covered": [point.key_point for point in grade.points if point.verdict == "covered"],
                    "missing": [point.key_point for point in grade.points if point.verdict != "covered"],
                }
                if grade
                else None,
            }
        )
    recommendations = [
        {
            "interviewer": card.interviewer.get_short_name(),
            "recommendation": card.recommendation,
            "recommendation_name": Recommendation(card.recommendation).label if card.recommendation else "",
            "feedback": card.feedback,
        }
        for card in cards
    ]
    levels_of_recommendation = {"strong_no": 1, "no": 2, "yes": 3, "strong_yes": 4}
    return {
        "session_id": session.pk,
        "candidate_name": session.candidate_name,
        "kit_title": session.kit_title,
        "complete": all(user.pk in submitted_ids for user in interviewers),
        "pending": [user.get_short_name() for user in interviewers if user.pk not in submitted_ids],
        "questions": questions,
        "recommendations": recommendations,
        "agreement": _agreement(
            [levels_of_recommendation[card.recommendation] for card in cards if card.recommendation]
        ),
    }


def candidate_report(*, session: InterviewSession, participant: Participant) -> dict[str, Any]:
    """What the candidate may read once the interviewers share it: per question the feedback written for it
    and the key points no interviewer ticked. Never levels, notes or recommendations."""
    if participant.is_interviewer:
        pass
    elif not session.share_report or session.state != SessionState.FINISHED:
        raise NotFound("No report has been shared for this interview.", code="report_not_shared")
    cards = list(
        Scorecard.objects.filter(session=session, submitted_at__isnull=False).order_by("interviewer_id")
    )
    questions = []
    for index, item in enumerate(session.snapshot):
        if index > session.current_index:
            continue  # never asked
        ticked = {point for card in cards for point in card.ticks.get(str(index), [])}
        questions.append(
            {
                "index": index,
                "prompt": item["prompt"],
                "question_id": item["question_id"],
                "feedback": [
                    card.question_feedback[str(index)]
                    for card in cards
                    if card.question_feedback.get(str(index))
                ],
                "missed": [point for number, point in enumerate(item["key_points"]) if number not in ticked],
            }
        )
    return {"session_id": session.pk, "kit_title": session.kit_title, "questions": questions}
