"""Writes of live interviews: kits, sessions, invites, the event log, scorecards.

Every door (web pages, API, socket consumer, admin) calls these. A live action locks its session row,
takes the next sequence number, writes a ``SessionEvent`` and updates the derived state in the same
transaction, then broadcasts the event to the session's channel-layer group on commit: the database is the
source of truth and the broadcast is only a hint (clients resync from the log when they see a gap).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import Func, IntegerField, Max
from django.utils import timezone

from prepdeck.accounts.models import User
from prepdeck.catalog.models import Question
from prepdeck.core.exceptions import ApplicationError, Conflict, InvalidInput, NotFound
from prepdeck.interviews.access import (
    CANDIDATE,
    INTERVIEWER,
    Participant,
    require_candidate,
    require_interviewer,
)
from prepdeck.interviews.models import (
    LEVEL_NAMES,
    Audience,
    InterviewSession,
    Invite,
    Kit,
    KitItem,
    Note,
    Recommendation,
    Scorecard,
    SessionEvent,
    SessionState,
)
from prepdeck.interviews.presence import fresh_seen, present_of

MAX_PAD_CHARS = 20_000
MAX_NOTE_CHARS = 10_000
MAX_TEXT_CHARS = 5_000
MAX_KIT_ITEMS = 50
INVITE_LIFETIME = timedelta(days=7)
DEFAULT_ANCHORS = [
    "Misses most key points or states them wrongly.",
    "Covers some key points, with gaps or errors.",
    "Covers the key points correctly.",
    "Covers every key point and goes deeper unprompted.",
]
TIMER_SCOPES = ("session", "question")

logger = logging.getLogger("prepdeck.interviews")


class InviteError(ApplicationError):
    """An invite link that cannot be used (``invite_invalid``, ``invite_expired``, ``invite_used``)."""

    status_code = 410


def group_name(session_id: int) -> str:
    """The channel-layer group of a session's sockets."""
    return f"interview-{session_id}"


# --- kits -------------------------------------------------------------------------------------------------


def _text(value: Any, *, field: str, limit: int, required: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field}: must be text.", details={"field": field})
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"{field}: this field is required.", details={"field": field})
    if len(value) > limit:
        raise InvalidInput(f"{field}: at most {limit} characters.", details={"field": field})
    return str(value)


def _string_list(value: Any, *, field: str, limit: int = 20) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidInput(f"{field}: must be a list of texts.", details={"field": field})
    items = [item.strip() for item in value if item.strip()]
    if len(items) > limit or any(len(item) > 500 for item in items):
        raise InvalidInput(f"{field}: at most {limit} items of 500 characters.", details={"field": field})
    return items


def kit_create(*, owner: User, title: str, description: str = "") -> Kit:
    """A new, empty kit."""
    return Kit.objects.create(
        owner=owner,
        title=_text(title, field="title", limit=200, required=True),
        description=_text(description, field="description", limit=MAX_TEXT_CHARS),
    )


def kit_update(*, kit: Kit, title: str | None = None, description: str | None = None) -> Kit:
    """Rename a kit or change its description."""
    if title is not None:
        kit.title = _text(title, field="title", limit=200, required=True)
    if description is not None:
        kit.description = _text(description, field="description", limit=MAX_TEXT_CHARS)
    kit.updated_at = timezone.now()
    kit.save(update_fields=["title", "description", "updated_at"])
    return kit


def _rubric(rubric: Any, key_points: Sequence[str]) -> dict[str, list[str]]:
    """A complete rubric: one behaviour per key point (the key point itself by default), four anchors."""
    rubric = rubric or {}
    if not isinstance(rubric, dict):
        raise InvalidInput("rubric: must be an object.", details={"field": "rubric"})
    behaviours = _string_list(rubric.get("behaviours", []), field="rubric.behaviours")
    anchors = _string_list(rubric.get("anchors", []), field="rubric.anchors", limit=4)
    if anchors and len(anchors) != 4:
        raise InvalidInput(
            "rubric.anchors: one text per level (Strong no, No, Yes, Strong yes).",
            details={"field": "rubric.anchors"},
        )
    behaviours = behaviours[: len(key_points)]
    behaviours += list(key_points[len(behaviours) :])
    return {"behaviours": behaviours, "anchors": anchors or list(DEFAULT_ANCHORS)}


@transaction.atomic
def kit_add_item(
    *,
    kit: Kit,
    question_id: int | None = None,
    custom_prompt: str = "",
    custom_key_points: list[str] | None = None,
    suggested_minutes: int = 10,
    rubric: dict[str, Any] | None = None,
) -> KitItem:
    """Add a bank question (published) or a custom question of the kit's owner at the end of the kit."""
    Kit.objects.select_for_update().filter(pk=kit.pk).first()
    if kit.items.count() >= MAX_KIT_ITEMS:
        raise InvalidInput(f"A kit holds at most {MAX_KIT_ITEMS} questions.", code="kit_full")
    if not isinstance(suggested_minutes, int) or not 1 <= suggested_minutes <= 180:
        raise InvalidInput("suggested_minutes: between 1 and 180.", details={"field": "suggested_minutes"})
    question = None
    key_points: list[str]
    if question_id is not None:
        question = Question.objects.published().filter(pk=question_id).first()
        if question is None:
            raise NotFound("Question not found.")
        custom_prompt, key_points = "", list(question.key_points)
    else:
        custom_prompt = _text(custom_prompt, field="custom_prompt", limit=MAX_TEXT_CHARS, required=True)
        key_points = _string_list(custom_key_points or [], field="custom_key_points")
    order = (kit.items.aggregate(top=Max("order"))["top"] or 0) + 1
    item = KitItem.objects.create(
        kit=kit,
        order=order,
        question=question,
        custom_prompt=custom_prompt,
        custom_key_points=[] if question else key_points,
        suggested_minutes=suggested_minutes,
        rubric=_rubric(rubric, key_points),
    )
    Kit.objects.filter(pk=kit.pk).update(updated_at=timezone.now())
    return item


def kit_remove_item(*, kit: Kit, item_id: int) -> None:
    """Take a question out of a kit (sessions already scheduled keep their snapshot)."""
    deleted, _ = KitItem.objects.filter(kit=kit, pk=item_id).delete()
    if not deleted:
        raise NotFound("Kit item not found.")


@transaction.atomic
def kit_reorder(*, kit: Kit, item_ids: Sequence[int]) -> list[KitItem]:
    """Put the kit's items in the given order (every item exactly once)."""
    items = {item.pk: item for item in KitItem.objects.select_for_update().filter(kit=kit)}
    if sorted(item_ids) != sorted(items) or len(set(item_ids)) != len(item_ids):
        raise InvalidInput(
            "item_ids: list every item of the kit exactly once.", details={"field": "item_ids"}
        )
    for position, item_id in enumerate(item_ids, start=1):
        items[item_id].order = position
    KitItem.objects.bulk_update(items.values(), ["order"])
    return [items[item_id] for item_id in item_ids]


@transaction.atomic
def kit_copy(*, kit: Kit, owner: User) -> Kit:
    """A copy of a kit, its items and rubrics included, owned by ``owner``."""
    copy = Kit.objects.create(
        owner=owner, title=f"{kit.title} (copy)"[:200], description=kit.description, copied_from=kit
    )
    KitItem.objects.bulk_create(
        KitItem(
            kit=copy,
            order=item.order,
            question_id=item.question_id,
            custom_prompt=item.custom_prompt,
            custom_key_points=item.custom_key_points,
            suggested_minutes=item.suggested_minutes,
            rubric=item.rubric,
        )
        for item in kit.items.all()
    )
    return copy


# --- sessions and invites ---------------------------------------------------------------------------------


@transaction.atomic
def session_schedule(
    *,
    kit: Kit,
    owner: User,
    candidate_name: str,
    scheduled_at: datetime,
    interviewers: Iterable[User] = (),
) -> InterviewSession:
    """Schedule an interview from a snapshot of ``kit``; the owner and ``interviewers`` run it."""
    items = list(kit.items.select_related("question"))
    if not items:
        raise InvalidInput("The kit has no questions yet.", code="kit_empty")
    session = InterviewSession.objects.create(
        owner=owner,
        kit=kit,
        kit_title=kit.title,
        candidate_name=_text(candidate_name, field="candidate_name", limit=120, required=True),
        scheduled_at=scheduled_at,
        snapshot=[
            {
                "prompt": item.prompt,
                "key_points": item.key_points,
                "rubric": item.rubric or _rubric({}, item.key_points),
                "suggested_minutes": item.suggested_minutes,
                "question_id": item.question_id,
                # the bank question's probing follow-ups, for the interviewer (never sent to the candidate)
                "probes": list(item.question.probes) if item.question else [],
            }
            for item in items
        ],
        live={
            "current": -1,
            "timers": {scope: {"running_since": None, "elapsed_ms": 0} for scope in TIMER_SCOPES},
        },
    )
    session.interviewers.add(owner, *interviewers)
    return session


def session_add_interviewer(*, session: InterviewSession, email: str) -> User:
    """Let another user (by e-mail) interview in this session too."""
    user = User.objects.filter(email__iexact=str(email).strip(), is_active=True).first()
    if user is None:
        raise NotFound("No account with that e-mail address.", code="user_not_found")
    session.interviewers.add(user)
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_issue(*, session: InterviewSession, lifetime: timedelta = INVITE_LIFETIME) -> tuple[Invite, str]:
    """A new single-use invite; returns it and the token for the link (only its hash is stored)."""
    if session.state == SessionState.FINISHED:
        raise Conflict("The interview is over.", code="session_finished")
    token = secrets.token_urlsafe(32)
    invite = Invite.objects.create(
        session=session, token_hash=_token_hash(token), expires_at=timezone.now() + lifetime
    )
    return invite, token


@transaction.atomic
def invite_redeem(*, token: str, user: User | None = None) -> Invite:
    """Use an invite: the browser that redeems it becomes the candidate (a signed-in user is linked to the
    session, so the report can reach their reviews). Forged, expired and used invites are refused."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise InviteError("This invite link is not valid.", code="invite_invalid")
    invite = (
        Invite.objects.select_for_update()
        .select_related("session")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if invite is None:
        raise InviteError("This invite link is not valid.", code="invite_invalid")
    now = timezone.now()
    if invite.used_at is not None:
        raise InviteError("This invite link has already been used.", code="invite_used")
    if invite.expires_at <= now:
        raise InviteError("This invite link has expired.", code="invite_expired")
    if invite.session.state == SessionState.FINISHED:
        raise InviteError("This interview is over.", code="invite_expired")
    invite.used_at = now
    invite.used_by = user if user is not None and user.is_authenticated else None
    invite.save(update_fields=["used_at", "used_by"])
    if invite.used_by is not None and invite.session.candidate_id is None:
        InterviewSession.objects.filter(pk=invite.session_id).update(candidate=invite.used_by)
    return invite


# --- the event log ----------------------------------------------------------------------------------------


def event_data(event: SessionEvent) -> dict[str, Any]:
    """The JSON form of an event, as the socket and the API send it (``audience`` and ``actor_id`` let the
    consumer filter per connection; the filter is ``selectors.event_visible``)."""
    return {
        "seq": event.seq,
        "kind": event.kind,
        "audience": event.audience,
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "payload": event.payload,
        "created_at": event.created_at.isoformat(),
    }


# Broadcasts of the events committed while ``broadcasts_collected`` is active (the socket's worker thread):
# its consumer sends them from the event loop once the thread returns, instead of the thread blocking on
# a hop back to the loop for each one.
_collected: ContextVar[list[tuple[str, dict[str, Any]]] | None] = ContextVar(
    "interview_broadcasts", default=None
)


@contextmanager
def broadcasts_collected() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Collect, rather than send, the broadcasts of the events committed inside the block: yields the list
    of ``(group, message)`` that the caller sends with ``channel_layer.group_send`` (in that order) after
    the block. They are still added only on commit, so a rolled-back event is never announced. For the
    socket consumer, whose operations run in a worker thread while its event loop is free to send."""
    collected: list[tuple[str, dict[str, Any]]] = []
    token = _collected.set(collected)
    try:
        yield collected
    finally:
        _collected.reset(token)


def _broadcast(session_id: int, data: dict[str, Any]) -> None:
    message = {"type": "session.event", "event": data}
    collected = _collected.get()
    if collected is not None:
        collected.append((group_name(session_id), message))
        return
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group_name(session_id), message)
    except Exception:
        logger.warning(
            "Broadcast of event %s of session %s failed", data.get("seq"), session_id, exc_info=True
        )


class _JSONArrayLength(Func):
    """How many items a JSON array column holds, computed by the database (PostgreSQL's
    ``jsonb_array_length``, SQLite's ``json_array_length``) so the array is not sent to Python and decoded
    there (the database still reads the stored value to count it)."""

    function = "json_array_length"
    output_field = IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, function="jsonb_array_length", **extra_context)


def _locked(session: InterviewSession, *, columns: Sequence[str] | None = None) -> InterviewSession:
    """The session row, locked until the transaction ends (the sequence number is allocated under it).

    ``columns`` names the columns the action reads besides ``state`` and ``last_seq`` (all of them when
    None): a live action runs many times a second per session, and the kit ``snapshot`` (every question
    with its rubric and probes) and the ``pads`` (every answer) are the row's biggest values, so the
    actions that do not need them do not fetch and decode them. ``question_count`` is annotated for
    ``_index`` without reading the snapshot."""
    rows = InterviewSession.objects.select_for_update().annotate(question_count=_JSONArrayLength("snapshot"))
    if columns is not None:
        rows = rows.only("state", "last_seq", *columns)
    return rows.get(pk=session.pk)


def _record(
    locked: InterviewSession,
    *,
    participant: Participant | None,
    kind: str,
    payload: dict[str, Any],
    audience: str = Audience.EVERYONE,
    extra_fields: Sequence[str] = (),
) -> SessionEvent:
    """Write the next event of a locked session (and the fields of its derived state that changed)."""
    locked.last_seq += 1
    locked.save(update_fields=["last_seq", *extra_fields])
    event = SessionEvent.objects.create(
        session=locked,
        seq=locked.last_seq,
        kind=kind,
        audience=audience,
        actor=participant.user if participant else None,
        actor_role=participant.role if participant else "system",
        payload=payload,
    )
    data = event_data(event)
    transaction.on_commit(lambda: _broadcast(locked.pk, data))
    return event


@transaction.atomic
def event_record(
    *,
    session: InterviewSession,
    participant: Participant | None,
    kind: str,
    payload: dict[str, Any],
    audience: str = Audience.EVERYONE,
) -> SessionEvent:
    """Append an event to a session's log and broadcast it after commit."""
    return _record(
        _locked(session, columns=()), participant=participant, kind=kind, payload=payload, audience=audience
    )


def _live(locked: InterviewSession) -> InterviewSession:
    if locked.state == SessionState.FINISHED:
        raise Conflict("The interview is over.", code="session_finished")
    return locked


def _index(locked: InterviewSession, index: Any) -> int:
    """A question index of a session that ``_locked`` read (its ``question_count``), or ``InvalidInput``."""
    count = int(locked.question_count)  # type: ignore[attr-defined]
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
        raise InvalidInput("index: not a question of this interview.", details={"field": "index"})
    return int(index)


def now_ms() -> int:
    """The server's clock in ms since the epoch: timers' ``running_since`` and the ``server_now`` sent to
    clients."""
    return int(timezone.now().timestamp() * 1000)


def _timer_start(live: dict[str, Any], scope: str, *, reset: bool = False) -> None:
    timer = live.setdefault("timers", {}).setdefault(scope, {"running_since": None, "elapsed_ms": 0})
    if reset:
        timer["elapsed_ms"] = 0
        timer["running_since"] = None
    if timer["running_since"] is None:
        timer["running_since"] = now_ms()


def _timer_stop(live: dict[str, Any], scope: str) -> None:
    timer = live.setdefault("timers", {}).setdefault(scope, {"running_since": None, "elapsed_ms": 0})
    if timer["running_since"] is not None:
        timer["elapsed_ms"] += max(0, now_ms() - int(timer["running_since"]))
        timer["running_since"] = None


@transaction.atomic
def question_reveal(
    *, session: InterviewSession, participant: Participant, index: int | None = None
) -> SessionEvent:
    """Show the candidate the next question (or ``index``); its timer restarts and the session's runs."""
    require_interviewer(participant)
    locked = _live(_locked(session, columns=("live", "snapshot")))
    if index is None:
        if locked.current_index >= len(locked.snapshot) - 1:
            raise Conflict("Every question has been asked.", code="no_more_questions")
        index = locked.current_index + 1
    index = _index(locked, index)
    live = dict(locked.live)
    live["current"] = index
    _timer_start(live, "session")
    _timer_start(live, "question", reset=True)
    locked.live = live
    locked.state = SessionState.LIVE
    item = locked.snapshot[index]
    return _record(
        locked,
        participant=participant,
        kind="question_revealed",
        payload={
            "index": index,
            "prompt": item["prompt"],
            "suggested_minutes": item["suggested_minutes"],
            "timers": live["timers"],
        },
        extra_fields=["live", "state"],
    )


@transaction.atomic
def pad_update(
    *, session: InterviewSession, participant: Participant, index: int, text: str
) -> SessionEvent | None:
    """The candidate's whole answer to question ``index`` (a snapshot, not a diff); None if unchanged."""
    require_candidate(participant)
    if not isinstance(text, str):
        raise InvalidInput("text: must be text.", details={"field": "text"})
    if len(text) > MAX_PAD_CHARS:
        raise InvalidInput(f"text: at most {MAX_PAD_CHARS} characters.", code="pad_too_long")
    locked = _live(_locked(session, columns=("live", "pads")))
    index = _index(locked, index)
    if index != locked.current_index:
        raise Conflict("That question is not the current one.", code="not_current_question")
    if locked.pads.get(str(index)) == text:
        return None
    locked.pads = {**locked.pads, str(index): text}
    return _record(
        locked,
        participant=participant,
        kind="pad_updated",
        payload={"index": index, "text": text},
        extra_fields=["pads"],
    )


def _own_draft(locked: InterviewSession, user: User) -> Scorecard:
    scorecard, _ = Scorecard.objects.get_or_create(session=locked, interviewer=user)
    if scorecard.submitted_at is not None:
        raise Conflict("Your scorecard is submitted and can no longer change.", code="scorecard_submitted")
    return scorecard


@transaction.atomic
def rubric_tick(
    *, session: InterviewSession, participant: Participant, index: int, point: int, ticked: bool = True
) -> SessionEvent:
    """Tick (or untick) a rubric key point on the interviewer's own draft scorecard; only they see it."""
    require_interviewer(participant)
    assert participant.user is not None
    locked = _live(_locked(session, columns=("snapshot",)))
    index = _index(locked, index)
    behaviours = locked.snapshot[index]["rubric"]["behaviours"]
    if isinstance(point, bool) or not isinstance(point, int) or not 0 <= point < len(behaviours):
        raise InvalidInput("point: not a key point of this question.", details={"field": "point"})
    scorecard = _own_draft(locked, participant.user)
    points = set(scorecard.ticks.get(str(index), []))
    (points.add if ticked else points.discard)(point)
    scorecard.ticks = {**scorecard.ticks, str(index): sorted(points)}
    scorecard.updated_at = timezone.now()
    scorecard.save(update_fields=["ticks", "updated_at"])
    return _record(
        locked,
        participant=participant,
        kind="rubric_ticked",
        payload={"index": index, "point": point, "ticked": bool(ticked)},
        audience=Audience.ACTOR,
    )


@transaction.atomic
def note_write(*, session: InterviewSession, participant: Participant, index: int, text: str) -> SessionEvent:
    """Save an interviewer's private note on a question (the whole text)."""
    require_interviewer(participant)
    assert participant.user is not None
    text = _text(text, field="text", limit=MAX_NOTE_CHARS)
    locked = _locked(session, columns=())
    index = _index(locked, index)
    Note.objects.update_or_create(
        session=locked,
        interviewer=participant.user,
        index=index,
        defaults={"text": text, "updated_at": timezone.now()},
    )
    return _record(
        locked,
        participant=participant,
        kind="note_written",
        payload={"index": index, "text": text},
        audience=Audience.ACTOR,
    )


@transaction.atomic
def timer_set(
    *, session: InterviewSession, participant: Participant, scope: str, running: bool
) -> SessionEvent:
    """Start or stop the session's or the current question's timer (everyone sees it)."""
    require_interviewer(participant)
    if scope not in TIMER_SCOPES:
        raise InvalidInput("scope: 'session' or 'question'.", details={"field": "scope"})
    locked = _live(_locked(session, columns=("live",)))
    live = dict(locked.live)
    (_timer_start if running else _timer_stop)(live, scope)
    locked.live = live
    return _record(
        locked,
        participant=participant,
        kind="timer_started" if running else "timer_stopped",
        payload={"scope": scope, "timers": live["timers"]},
        extra_fields=["live"],
    )


# --- presence: a last-seen time per connection, kept fresh by the client's heartbeat --------------------


def _seen_entry(participant: Participant, now: int) -> dict[str, Any]:
    return {"key": participant.key, "name": participant.name, "role": participant.role, "at": now}


def _presence_event(
    locked: InterviewSession, live: dict[str, Any], *, participant: Participant | None, kind: str
) -> SessionEvent:
    locked.live = live
    payload: dict[str, Any] = {"present": live["present"]}
    if participant is not None:
        payload.update(key=participant.key, name=participant.name, role=participant.role)
    return _record(locked, participant=participant, kind=kind, payload=payload, extra_fields=["live"])


@transaction.atomic
def presence_set(
    *, session: InterviewSession, participant: Participant, joined: bool, connection: str
) -> SessionEvent:
    """Someone's socket ``connection`` connected (``joined``) or went away. Connections not seen for
    ``PRESENCE_STALE_MS`` are dropped on the way."""
    locked = _locked(session, columns=("live",))
    now = now_ms()
    live = dict(locked.live)
    seen = fresh_seen(live, now=now)
    if joined:
        seen[connection] = _seen_entry(participant, now)
    else:
        seen.pop(connection, None)
    live["seen"] = seen
    live["present"] = present_of(live, now=now)
    return _presence_event(
        locked, live, participant=participant, kind="presence_joined" if joined else "presence_left"
    )


@transaction.atomic
def presence_beat(
    *, session: InterviewSession, participant: Participant, connection: str
) -> SessionEvent | None:
    """The heartbeat of a connection: its last-seen time becomes now. Nothing is logged unless who is
    present changed: a connection that had gone stale is back (``presence_joined``) or others went stale
    (``presence_left``, by the system)."""
    locked = _locked(session, columns=("live",))
    now = now_ms()
    live = dict(locked.live)
    shown = set(live.get("present", {}))  # what clients were last told
    was_present = participant.key in present_of(live, now=now)
    seen = fresh_seen(live, now=now)
    seen[connection] = _seen_entry(participant, now)
    live["seen"] = seen
    live["present"] = present_of(live, now=now)
    if not was_present:
        return _presence_event(locked, live, participant=participant, kind="presence_joined")
    if set(live["present"]) != shown:
        return _presence_event(locked, live, participant=None, kind="presence_left")
    locked.live = live
    locked.save(update_fields=["live"])
    return None


def presence_sweep(*, now: int | None = None) -> int:
    """Drop the stale connections of sessions not finished (the periodic sweeper; a server that died
    took its sockets' disconnects with it). Returns how many sessions changed."""
    now = now_ms() if now is None else now
    changed = 0
    for session_id, live in InterviewSession.objects.exclude(state=SessionState.FINISHED).values_list(
        "pk", "live"
    ):
        if set(present_of(live or {}, now=now)) == set((live or {}).get("present", {})):
            continue
        with transaction.atomic():
            locked = _locked(InterviewSession(pk=session_id), columns=("live",))
            fresh = dict(locked.live)
            fresh["seen"] = fresh_seen(fresh, now=now)
            fresh["present"] = present_of(fresh, now=now)
            if set(fresh["present"]) != set(locked.live.get("present", {})):
                _presence_event(locked, fresh, participant=None, kind="presence_left")
                changed += 1
    return changed


@transaction.atomic
def session_finish(*, session: InterviewSession, participant: Participant) -> SessionEvent:
    """End the live part: timers stop, the pad closes; scorecards can still be written and submitted."""
    require_interviewer(participant)
    locked = _live(_locked(session, columns=("live",)))
    live = dict(locked.live)
    for scope in TIMER_SCOPES:
        _timer_stop(live, scope)
    locked.live = live
    locked.state = SessionState.FINISHED
    return _record(
        locked,
        participant=participant,
        kind="session_finished",
        payload={"timers": live["timers"]},
        extra_fields=["live", "state"],
    )


# --- scorecards and the report ----------------------------------------------------------------------------


def _clean_levels(snapshot: list[Any], levels: Any) -> dict[str, int]:
    if not isinstance(levels, dict):
        raise InvalidInput(
            "levels: must be an object of question index to level 1-4.", details={"field": "levels"}
        )
    clean: dict[str, int] = {}
    for key, level in levels.items():
        if not str(key).isdigit() or int(key) >= len(snapshot):
            raise InvalidInput(
                f"levels: {key} is not a question of this interview.", details={"field": "levels"}
            )
        if level in (None, ""):
            continue
        if isinstance(level, bool) or not isinstance(level, int) or level not in LEVEL_NAMES:
            raise InvalidInput("levels: each level is 1, 2, 3 or 4.", details={"field": "levels"})
        clean[str(int(key))] = level
    return clean


def _clean_feedback(snapshot: list[Any], feedback: Any) -> dict[str, str]:
    if not isinstance(feedback, dict):
        raise InvalidInput("question_feedback: must be an object.", details={"field": "question_feedback"})
    clean: dict[str, str] = {}
    for key, text in feedback.items():
        if not str(key).isdigit() or int(key) >= len(snapshot):
            raise InvalidInput(
                f"question_feedback: {key} is not a question of this interview.",
                details={"field": "question_feedback"},
            )
        value = _text(text, field="question_feedback", limit=MAX_TEXT_CHARS)
        if value:
            clean[str(int(key))] = value
    return clean


@transaction.atomic
def scorecard_save(
    *,
    session: InterviewSession,
    participant: Participant,
    levels: dict[str, Any] | None = None,
    question_feedback: dict[str, Any] | None = None,
    recommendation: str | None = None,
    feedback: str | None = None,
) -> Scorecard:
    """Save the interviewer's draft scorecard (fields left None keep their value)."""
    require_interviewer(participant)
    assert participant.user is not None
    locked = _locked(session, columns=("snapshot",))
    scorecard = _own_draft(locked, participant.user)
    if levels is not None:
        scorecard.levels = _clean_levels(locked.snapshot, levels)
    if question_feedback is not None:
        scorecard.question_feedback = _clean_feedback(locked.snapshot, question_feedback)
    if recommendation is not None:
        if recommendation not in {"", *Recommendation.values}:
            raise InvalidInput(
                "recommendation: strong_no, no, yes or strong_yes.", details={"field": "recommendation"}
            )
        scorecard.recommendation = recommendation
    if feedback is not None:
        scorecard.feedback = _text(feedback, field="feedback", limit=MAX_TEXT_CHARS)
    scorecard.updated_at = timezone.now()
    scorecard.save()
    return scorecard


@transaction.atomic
def scorecard_submit(*, session: InterviewSession, participant: Participant) -> Scorecard:
    """Submit the interviewer's scorecard: it needs a recommendation and a level for every question, and
    cannot change afterwards. Only then do they see the other interviewers' scorecards."""
    require_interviewer(participant)
    assert participant.user is not None
    locked = _locked(session, columns=("snapshot",))
    scorecard = _own_draft(locked, participant.user)
    if not scorecard.recommendation:
        raise InvalidInput("Choose an overall recommendation first.", code="scorecard_incomplete")
    missing = [index + 1 for index in range(len(locked.snapshot)) if str(index) not in scorecard.levels]
    if missing:
        raise InvalidInput(
            f"Give a level to every question (missing: {', '.join(map(str, missing))}).",
            code="scorecard_incomplete",
        )
    scorecard.submitted_at = timezone.now()
    scorecard.save(update_fields=["submitted_at"])
    _record(
        locked,
        participant=participant,
        kind="scorecard_submitted",
        payload={"interviewer": participant.name},
        audience=Audience.INTERVIEWERS,
    )
    return scorecard


def share_report_set(
    *, session: InterviewSession, participant: Participant, shared: bool
) -> InterviewSession:
    """Share (or stop sharing) the feedback report with the candidate."""
    require_interviewer(participant)
    session.share_report = bool(shared)
    session.save(update_fields=["share_report"])
    return session


def candidate_reviews_add(*, session: InterviewSession, participant: Participant) -> list[int]:
    """Put the bank questions whose key points the candidate missed into their reviews (the same service as
    the question page's "Add to my reviews"); returns the question ids added."""
    from prepdeck.interviews import selectors
    from prepdeck.practice import services as practice_services

    if participant.role != CANDIDATE or participant.user is None:
        raise InvalidInput("Sign in to add questions to your reviews.", code="account_needed")
    report = selectors.candidate_report(session=session, participant=participant)
    added: list[int] = []
    for item in report["questions"]:
        if item["question_id"] and item["missed"]:
            practice_services.card_add(user=participant.user, question_id=item["question_id"])
            added.append(item["question_id"])
    return added


__all__ = ["CANDIDATE", "INTERVIEWER"]
