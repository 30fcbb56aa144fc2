"""The interview pages (``/interviews/``): kits, the lobby, the live views, scorecards, packet and report.

Thin: each page calls the same services, selectors and access rules as the API and the socket. The live
views render the current state from the database, and ``interview.js`` keeps them live over the socket.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods

from prepdeck.accounts.models import User
from prepdeck.catalog import selectors as catalog_selectors
from prepdeck.catalog.models import Difficulty
from prepdeck.core.exceptions import ApplicationError, NotFound
from prepdeck.interviews import access, selectors, services
from prepdeck.interviews.access import Participant
from prepdeck.interviews.models import LEVELS, InterviewSession, Recommendation

app_name = "interviews"
BANK_RESULTS = 20


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _session_or_404(request: HttpRequest, session_id: int) -> tuple[InterviewSession, Participant]:
    try:
        return access.session_access(
            session_id=session_id, user=request.user, invite_ids=access.invite_ids_of(request.session)
        )
    except NotFound:
        raise Http404("Interview session not found.") from None


def _interviewer_or_404(request: HttpRequest, session_id: int) -> tuple[InterviewSession, Participant]:
    session, participant = _session_or_404(request, session_id)
    if not participant.is_interviewer:
        raise Http404("Interview session not found.")
    return session, participant


def _kit_or_404(request: HttpRequest, kit_id: int) -> Any:
    try:
        return selectors.kit_for(user=_user(request), kit_id=kit_id)
    except NotFound:
        raise Http404("Kit not found.") from None


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """Your kits and your sessions; create a kit."""
    user = _user(request)
    if request.method == "POST":
        try:
            kit = services.kit_create(
                owner=user,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            return redirect("interviews:kit", kit_id=kit.pk)
    return render(
        request,
        "interviews/index.html",
        {
            "kits": list(selectors.kits_of(user=user)[:100]),
            "sessions": list(selectors.sessions_of(user=user)[:100]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def kit(request: HttpRequest, kit_id: int) -> HttpResponse:
    """The kit builder: its questions (reorder, remove), questions from the bank, a custom question, copy,
    and scheduling a session from it."""
    user = _user(request)
    current = _kit_or_404(request, kit_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            target = _kit_action(request, current, action)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            if target:
                return redirect(target)
        return redirect("interviews:kit", kit_id=current.pk)
    filters = {name: request.GET.get(name, "").strip()[:80] for name in ("q", "topic", "tag", "difficulty")}
    bank = catalog_selectors.questions_browse(
        user=user,
        topic=filters["topic"] or None,
        tag=filters["tag"] or None,
        difficulty=filters["difficulty"] or None,
        status="published",
    )
    if filters["q"]:
        bank = bank.filter(prompt__icontains=filters["q"])
    in_kit = {item.question_id for item in current.items.all()}
    return render(
        request,
        "interviews/kit.html",
        {
            "kit": current,
            "items": list(current.items.all()),
            "bank": list(bank.select_related("topic")[:BANK_RESULTS]),
            "in_kit": in_kit,
            "filters": filters,
            "topics": list(catalog_selectors.topics_in_tree_order()),
            "tags": catalog_selectors.tags_in_use(),
            "difficulties": [choice for choice in Difficulty.choices if choice[0] != Difficulty.UNKNOWN],
            "default_time": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:00"),
        },
    )


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _kit_action(request: HttpRequest, current: Any, action: str) -> str:
    """Run one form of the builder; return where to go next ('' = back to the builder)."""
    post = request.POST
    user = _user(request)
    if action == "rename":
        services.kit_update(kit=current, title=post.get("title", ""), description=post.get("description", ""))
    elif action == "add":
        services.kit_add_item(
            kit=current,
            question_id=_int(post.get("question")),
            suggested_minutes=_int(post.get("minutes")) or 10,
        )
    elif action == "custom":
        services.kit_add_item(
            kit=current,
            custom_prompt=post.get("prompt", ""),
            custom_key_points=post.get("key_points", "").splitlines(),
            suggested_minutes=_int(post.get("minutes")) or 10,
        )
    elif action == "remove":
        services.kit_remove_item(kit=current, item_id=_int(post.get("item")))
    elif action in {"up", "down"}:
        ids = [item.pk for item in current.items.all()]
        item_id = _int(post.get("item"))
        if item_id in ids:
            position = ids.index(item_id)
            other = position - 1 if action == "up" else position + 1
            if 0 <= other < len(ids):
                ids[position], ids[other] = ids[other], ids[position]
                services.kit_reorder(kit=current, item_ids=ids)
    elif action == "copy":
        copy = services.kit_copy(kit=current, owner=user)
        return reverse("interviews:kit", kwargs={"kit_id": copy.pk})
    elif action == "schedule":
        when = parse_datetime(post.get("scheduled_at", "") or "")
        if when is None:
            when = timezone.now()
        elif timezone.is_naive(when):
            when = timezone.make_aware(when)
        session = services.session_schedule(
            kit=current, owner=user, candidate_name=post.get("candidate_name", ""), scheduled_at=when
        )
        return reverse("interviews:lobby", kwargs={"session_id": session.pk})
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def lobby(request: HttpRequest, session_id: int) -> HttpResponse:
    """Before and after the interview: invite link, other interviewers, sharing the report."""
    session, participant = _interviewer_or_404(request, session_id)
    invite_url = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "invite":
                _, token = services.invite_issue(session=session)
                invite_url = request.build_absolute_uri(reverse("interviews:join", kwargs={"token": token}))
            elif action == "interviewer":
                added = services.session_add_interviewer(session=session, email=request.POST.get("email", ""))
                messages.success(request, f"{added.get_short_name()} can now interview in this session.")
                return redirect("interviews:lobby", session_id=session.pk)
            elif action == "share":
                services.share_report_set(
                    session=session, participant=participant, shared=request.POST.get("shared") == "1"
                )
                return redirect("interviews:lobby", session_id=session.pk)
        except ApplicationError as error:
            messages.error(request, error.message)
    return render(
        request,
        "interviews/lobby.html",
        {
            "session": session,
            "interviewers": list(session.interviewers.order_by("id")),
            "invite_url": invite_url,
            "scorecard": selectors.scorecard_of(session=session, user=_user(request)),
        },
    )


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """The candidate's invite link. GET only asks (link previews must not use up a single-use invite);
    POST redeems it and lets this browser into the session."""
    if request.method == "POST":
        user = request.user if isinstance(request.user, User) and request.user.is_authenticated else None
        try:
            invite = services.invite_redeem(token=token, user=user)
        except ApplicationError as error:
            return render(request, "interviews/join.html", {"error": error}, status=error.status_code)
        held = access.invite_ids_of(request.session)
        request.session[access.INVITES_SESSION_KEY] = [*held, invite.pk][-20:]
        return redirect("interviews:live", session_id=invite.session_id)
    return render(request, "interviews/join.html", {"token": token})


def live(request: HttpRequest, session_id: int) -> HttpResponse:
    """The live view: the interviewer's (drive, pad, timers, notes, rubric) or the candidate's (question,
    pad, timer). Both render from the database and then follow the socket."""
    session, participant = _session_or_404(request, session_id)
    state = selectors.session_state(session=session, participant=participant)
    context: dict[str, Any] = {"session": session, "state": state, "participant": participant}
    if participant.is_interviewer:
        ticks = state["ticks"]
        context["questions"] = [
            {
                "index": index,
                "item": item,
                "behaviours": [
                    (point, text, point in ticks.get(str(index), []))
                    for point, text in enumerate(item["rubric"]["behaviours"])
                ],
                "anchors": list(zip([name for _, name in LEVELS], item["rubric"]["anchors"], strict=False)),
                "note": state["notes"].get(str(index), ""),
                "pad": state["pads"].get(str(index), ""),
            }
            for index, item in enumerate(session.snapshot)
        ]
        return render(request, "interviews/live_interviewer.html", context)
    context["pad"] = state["pads"].get(str(state["current"]), "")
    return render(request, "interviews/live_candidate.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def scorecard(request: HttpRequest, session_id: int) -> HttpResponse:
    """The interviewer's private scorecard: a level and feedback per question, recommendation, feedback."""
    session, participant = _interviewer_or_404(request, session_id)
    if request.method == "POST":
        levels = {
            str(index): _int(request.POST.get(f"level_{index}")) or None
            for index in range(len(session.snapshot))
        }
        try:
            services.scorecard_save(
                session=session,
                participant=participant,
                levels=levels,
                question_feedback={
                    str(index): request.POST.get(f"feedback_{index}", "")
                    for index in range(len(session.snapshot))
                },
                recommendation=request.POST.get("recommendation", ""),
                feedback=request.POST.get("feedback", ""),
            )
            if request.POST.get("action") == "submit":
                services.scorecard_submit(session=session, participant=participant)
                return redirect("interviews:packet", session_id=session.pk)
            messages.success(request, "Draft saved.")
            return redirect("interviews:scorecard", session_id=session.pk)
        except ApplicationError as error:
            messages.error(request, error.message)
    card = selectors.scorecard_of(session=session, user=_user(request))
    return render(
        request,
        "interviews/scorecard.html",
        {
            "session": session,
            "card": card,
            "questions": [
                {
                    "index": index,
                    "item": item,
                    "level": (card.levels.get(str(index)) if card else None),
                    "feedback": (card.question_feedback.get(str(index), "") if card else ""),
                    "ticked": [
                        item["rubric"]["behaviours"][p]
                        for p in (card.ticks.get(str(index), []) if card else [])
                    ],
                    "levels": list(zip(LEVELS, item["rubric"]["anchors"], strict=False)),
                }
                for index, item in enumerate(session.snapshot)
            ],
            "recommendations": Recommendation.choices,
        },
    )


@login_required
def packet(request: HttpRequest, session_id: int) -> HttpResponse:
    """The hiring packet, once the interviewer has submitted their own scorecard."""
    session, participant = _interviewer_or_404(request, session_id)
    try:
        data = selectors.packet_build(session=session, participant=participant)
    except ApplicationError as error:
        messages.info(request, error.message)
        return redirect("interviews:scorecard", session_id=session.pk)
    return render(request, "interviews/packet.html", {"session": session, "packet": data})


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, session_id: int) -> HttpResponse:
    """The candidate's report (once shared): feedback and missed key points; add them to your reviews."""
    session, participant = _session_or_404(request, session_id)
    try:
        data = selectors.candidate_report(session=session, participant=participant)
    except ApplicationError:
        raise Http404("No report has been shared for this interview.") from None
    if request.method == "POST":
        try:
            added = services.candidate_reviews_add(session=session, participant=participant)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{len(added)} question(s) added to your reviews.")
        return redirect("interviews:report", session_id=session.pk)
    return render(
        request, "interviews/report.html", {"session": session, "report": data, "participant": participant}
    )


urlpatterns = [
    path("", index, name="index"),
    path("kits/<int:kit_id>/", kit, name="kit"),
    path("sessions/<int:session_id>/", lobby, name="lobby"),
    path("sessions/<int:session_id>/live/", live, name="live"),
    path("sessions/<int:session_id>/scorecard/", scorecard, name="scorecard"),
    path("sessions/<int:session_id>/packet/", packet, name="packet"),
    path("sessions/<int:session_id>/report/", report, name="report"),
    path("join/<str:token>/", join, name="join"),
]
