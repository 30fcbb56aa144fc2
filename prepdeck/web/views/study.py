"""Pages for studying: the review session, quizzes and mock interviews.

Each answer goes through the same services as the API (``practice.services`` and ``practice.sessions``),
so a review made here and one made through ``/api/v1/practice/reviews/`` are the same thing. The review page
works as plain forms; with htmx, rating a card swaps in the next one without reloading the page.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prepdeck.accounts.models import User
from prepdeck.catalog import selectors as catalog_selectors
from prepdeck.catalog.models import Difficulty
from prepdeck.core.exceptions import Conflict, InvalidInput, NotFound
from prepdeck.practice import grading, scheduling, sessions
from prepdeck.practice import selectors as practice_selectors
from prepdeck.practice import services as practice_services
from prepdeck.practice.models import MockStatus, QuizKind
from prepdeck.web.forms import MockSetupForm, QuizSetupForm, TopicArea, first_error, topic_areas

RATINGS = [
    (scheduling.AGAIN, "Again"),
    (scheduling.HARD, "Hard"),
    (scheduling.GOOD, "Good"),
    (scheduling.EASY, "Easy"),
]
FILTER_NAMES = ("topic", "tag", "difficulty")
QUIZ_SIZES = (5, 10, 20)
MOCK_SECONDS = (
    (60, "1 minute"),
    (120, "2 minutes"),
    (180, "3 minutes"),
    (300, "5 minutes"),
    (600, "10 minutes"),
)
SELF_GRADES = ((0.0, "Missed it"), (0.5, "Partly right"), (0.8, "Mostly right"), (1.0, "Fully right"))


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # every view here is login_required
    return user


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _swap_or_redirect(
    request: HttpRequest, render_partial: Callable[[], HttpResponse], url: str
) -> HttpResponse:
    """htmx asked for a fragment: render it; a plain form post: redirect (POST → redirect → GET)."""
    if request.htmx:  # type: ignore[attr-defined]
        return render_partial()
    return redirect(url)


# --- review ------------------------------------------------------------------------------------------------


LEARN_MORE_BATCH = practice_selectors.LEARN_MORE_BATCH
MAX_LEARN_MORE = 500


def _review_filters(data: Any) -> dict[str, str]:
    """The session's narrowing (topic, tag, difficulty) and the learner's choices that travel with it:
    ``more`` (new questions beyond today's limit, only in a narrowed session) and ``ahead`` (take
    learning steps due in the next few minutes now)."""
    filters = {name: str(data.get(name, "")).strip()[:80] for name in FILTER_NAMES if data.get(name)}
    more = min(MAX_LEARN_MORE, max(0, _int(data.get("more"))))
    if more and filters:
        filters["more"] = str(more)
    if data.get("ahead") == "1":
        filters["ahead"] = "1"
    return filters


def _review_url(filters: dict[str, str]) -> str:
    query = urlencode(filters)
    return reverse("web:review") + (f"?{query}" if query else "")


def _narrowing(filters: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in filters.items() if name in FILTER_NAMES}


def _queue(
    user: User, filters: dict[str, str], now: Any, settings: Any, *, limit: int = 0, **options: Any
) -> practice_selectors.Queue:
    """The review queue narrowed by ``filters`` (topic, tag, difficulty)."""
    return practice_selectors.review_queue(
        user=user,
        now=now,
        settings=settings,
        limit=limit,
        topic=filters.get("topic"),
        tag=filters.get("tag"),
        difficulty=filters.get("difficulty"),
        **options,
    )


def _learn_more_offer(
    user: User, filters: dict[str, str], queue: practice_selectors.Queue, now: Any, settings: Any
) -> dict[str, Any] | None:
    """In a narrowed session whose new questions stopped at the daily limit: how many more new ones of
    this topic (tag, difficulty) the learner could take now, and the link that does it."""
    narrowing = _narrowing(filters)
    bonus = _int(filters.get("more"))
    if not narrowing or queue.new or queue.new_introduced_today < queue.daily_new_limit + bonus:
        return None
    next_bonus = max(0, queue.new_introduced_today - queue.daily_new_limit) + LEARN_MORE_BATCH
    if next_bonus > MAX_LEARN_MORE:
        return None
    probe = _queue(user, narrowing, now, settings, new_limit_bonus=next_bonus)
    if not probe.new:
        return None
    return {"count": probe.new, "url": _review_url({**narrowing, "more": str(next_bonus)})}


def _finished_offers(user: User, filters: dict[str, str], now: Any, settings: Any) -> dict[str, Any]:
    """What the finished screen offers instead of a dead end: learning steps due in the next minutes
    ("continue now"), and, after a narrowed session, the cards due elsewhere (the dashboard's count)."""
    narrowing = _narrowing(filters)
    ahead = _queue(
        user,
        narrowing,
        now,
        settings,
        new_limit_bonus=_int(filters.get("more")),
        learn_ahead_until=now + timedelta(minutes=practice_selectors.LEARN_AHEAD_MINUTES),
    )
    offers: dict[str, Any] = {
        "learn_ahead": ahead.due,
        "learn_ahead_url": _review_url({**filters, "ahead": "1"}),
        "learn_ahead_minutes": practice_selectors.LEARN_AHEAD_MINUTES,
    }
    if narrowing:
        everywhere = _queue(user, {}, now, settings)
        offers.update(due_everywhere=everywhere.due, new_everywhere=everywhere.new)
    return offers


def _review_context(
    user: User,
    filters: dict[str, str],
    *,
    first_question: int | None = None,
    revealed: bool = False,
    answer: str = "",
    grade: grading.Grade | None = None,
) -> dict[str, Any]:
    """The card to show (``first_question`` when given, else the queue's first), and the session's progress."""
    now = timezone.now()
    settings = practice_services.scheduler_settings_for(user)
    narrowing = _narrowing(filters)
    bonus = _int(filters.get("more"))
    queue = _queue(
        user,
        narrowing,
        now,
        settings,
        limit=1,
        new_limit_bonus=bonus,
        learn_ahead_until=(
            now + timedelta(minutes=practice_selectors.LEARN_AHEAD_MINUTES) if filters.get("ahead") else None
        ),
    )
    item = queue.items[0] if queue.items else None
    if first_question is not None:
        item = (
            practice_selectors.queue_item_for(
                user=user, question_id=first_question, now=now, settings=settings
            )
            or item
        )
    done = practice_selectors.reviews_today_count(user=user, now=now)
    remaining = queue.due + queue.new
    topic = catalog_selectors.topic_by_slug(slug=narrowing["topic"]) if "topic" in narrowing else None
    next_due = practice_selectors.next_due_at(user=user, now=now) if item is None else None
    return {
        "item": item,
        "queue": queue,
        "filters": filters,
        "review_url": _review_url(filters),
        "narrowed": bool(narrowing),
        "learning_more": bonus if narrowing else 0,
        "learn_more": _learn_more_offer(user, filters, queue, now, settings),
        "finished": _finished_offers(user, filters, now, settings) if item is None else {},
        "topic": topic,
        "done": done,
        "remaining": remaining,
        "total": done + remaining,
        "revealed": revealed,
        "answer": answer,
        "grade": grade,
        "covered": sum(1 for point in grade.points if point.covered) if grade else 0,
        "ratings": [
            (
                value,
                label,
                item.intervals.get(value) if item else None,
                # no suggestion when the grader abstains: the learner grades the answer
                bool(grade and not grade.needs_review and grade.rating == value),
            )
            for value, label in RATINGS
        ],
        "idempotency_key": uuid.uuid4().hex,
        "next_due": next_due,
        "next_due_within_a_minute": next_due is not None and next_due - now < timedelta(minutes=1),
        "can_undo": done > 0,
    }


def _render_review(request: HttpRequest, context: dict[str, Any], *, partial: bool) -> HttpResponse:
    template = "web/study/_review_card.html" if partial else "web/study/review.html"
    return render(request, template, context)


@login_required
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    """One card at a time: Space shows the answer, 1–4 rate it, u undoes the last rating."""
    filters = _review_filters(request.GET)
    first = _int(request.GET.get("question")) or None
    return _render_review(
        request, _review_context(_user(request), filters, first_question=first), partial=False
    )


@login_required
@require_POST
def review_reveal(request: HttpRequest) -> HttpResponse:
    """Show the answer; when the learner typed one, grade it and suggest a rating."""
    user = _user(request)
    filters = _review_filters(request.POST)
    question_id = _int(request.POST.get("question"))
    answer = request.POST.get("answer", "")[:20_000]
    now = timezone.now()
    item = practice_selectors.queue_item_for(
        user=user, question_id=question_id, now=now, settings=practice_services.scheduler_settings_for(user)
    )
    if item is None:
        raise Http404("Question not found.")
    grade = None
    if answer.strip():
        grade = grading.grade_answer(
            answer=answer, key_points=item.question.key_points, prompt=item.question.prompt
        )
    context = _review_context(
        user, filters, first_question=question_id, revealed=True, answer=answer, grade=grade
    )
    return _render_review(request, context, partial=bool(request.htmx))  # type: ignore[attr-defined]


@login_required
@require_POST
def review_rate(request: HttpRequest) -> HttpResponse:
    """Record the rating (idempotent: a double click records one review) and show the next card."""
    user = _user(request)
    filters = _review_filters(request.POST)
    question_id = _int(request.POST.get("question"))
    try:
        practice_services.review_submit(
            user=user,
            question_id=question_id,
            rating=_int(request.POST.get("rating")),
            idempotency_key=request.POST.get("idempotency_key", "")[:64] or uuid.uuid4().hex,
            duration_ms=min(max(0, _int(request.POST.get("duration_ms"))), 3_600_000),
        )
    except NotFound as error:
        raise Http404(error.message) from error
    except InvalidInput as error:
        messages.error(request, error.message)
        context = _review_context(user, filters, first_question=question_id, revealed=True)
        return _render_review(request, context, partial=bool(request.htmx))  # type: ignore[attr-defined]
    return _swap_or_redirect(
        request,
        lambda: _render_review(request, _review_context(user, filters), partial=True),
        _review_url(filters),
    )


@login_required
@require_POST
def review_undo(request: HttpRequest) -> HttpResponse:
    """Take back the last rating and show that card again."""
    user = _user(request)
    filters = _review_filters(request.POST)
    try:
        card = practice_services.review_undo(user=user)
    except Conflict as error:
        messages.info(request, error.message)
        return _swap_or_redirect(
            request,
            lambda: _render_review(request, _review_context(user, filters), partial=True),
            _review_url(filters),
        )
    url = _review_url(filters)
    url += ("&" if "?" in url else "?") + f"question={card.question_id}"
    return _swap_or_redirect(
        request,
        lambda: _render_review(
            request, _review_context(user, filters, first_question=card.question_id), partial=True
        ),
        url,
    )


# --- quizzes -----------------------------------------------------------------------------------------------


def _topic_areas() -> list[TopicArea]:
    return topic_areas(catalog_selectors.topics_with_counts_cached())


@login_required
@require_http_methods(["GET", "POST"])
def quiz_new(request: HttpRequest) -> HttpResponse:
    """Choose a quiz (multiple choice or written, how many questions, which topics) and see past quizzes."""
    user = _user(request)
    areas = _topic_areas()
    form: dict[str, Any] = {
        "kind": QuizKind.MULTIPLE_CHOICE.value,
        "count": 10,
        "topics": [],
        "difficulty": "",
    }
    error = ""
    if request.method == "POST":
        setup = QuizSetupForm(request.POST, areas=areas)
        valid = setup.is_valid()
        form = {
            "kind": request.POST.get("kind", ""),
            "count": _int(request.POST.get("count"), 10),  # shown again as chosen
            "topics": setup.cleaned_data.get("topics", request.POST.getlist("topics")),
            "difficulty": request.POST.get("difficulty", ""),
        }
        try:
            if not valid:
                raise InvalidInput(first_error(setup))
            quiz = sessions.quiz_create(
                user=user,
                kind=setup.cleaned_data["kind"],
                count=setup.cleaned_data["count"],
                topics=setup.cleaned_data["topics"],
                difficulty=setup.cleaned_data["difficulty"] or None,
            )
        except InvalidInput as invalid:
            error = invalid.message
        else:
            return redirect("web:quiz", quiz_id=quiz.pk)
    recent = list(practice_selectors.quizzes_of(user=user).order_by("-created_at")[:10])
    return render(
        request,
        "web/study/quiz_new.html",
        {
            "form": form,
            "error": error,
            "areas": areas,
            "kinds": QuizKind.choices,
            "sizes": QUIZ_SIZES,
            "difficulties": [choice for choice in Difficulty.choices if choice[0] != Difficulty.UNKNOWN],
            "recent": [_quiz_summary(quiz) for quiz in recent],
        },
        status=400 if error else 200,
    )


def _quiz_summary(quiz: Any) -> dict[str, Any]:
    items = list(quiz.items.all())
    done = [item for item in items if item.answered_at is not None]
    skipped = sum(1 for item in done if item.skipped)
    return {
        "quiz": quiz,
        "questions": len(items),
        "done": len(done),  # answered or skipped
        "answered": len(done) - skipped,
        "skipped": skipped,
        "score": practice_selectors.quiz_score(quiz),
    }


@login_required
@require_GET
def quiz(request: HttpRequest, quiz_id: int) -> HttpResponse:
    """The next unanswered question, or the one asked for (``?item=n``, to see its feedback), or the summary."""
    user = _user(request)
    try:
        found = practice_selectors.quiz_get(user=user, quiz_id=quiz_id)
    except NotFound as error:
        raise Http404(error.message) from error
    items = list(found.items.all())
    wanted = _int(request.GET.get("item"))
    current = next((item for item in items if item.position == wanted), None)
    if current is None:
        current = next((item for item in items if item.answered_at is None), None)
    summary = _quiz_summary(found)
    context: dict[str, Any] = {
        "quiz": found,
        "items": items,
        "current": current,
        "summary": summary,
        "next_position": next((item.position for item in items if item.answered_at is None), None),
        "self_grades": SELF_GRADES,
        "written": found.kind == QuizKind.WRITTEN,
    }
    if current is not None and current.grade:
        points = current.grade.get("points", [])
        context["covered"] = sum(1 for point in points if point.get("covered"))
    return render(request, "web/study/quiz.html", context)


@login_required
@require_POST
def quiz_answer(request: HttpRequest, quiz_id: int, position: int) -> HttpResponse:
    user = _user(request)
    chosen = request.POST.get("option")
    try:
        sessions.quiz_answer(
            user=user,
            quiz_id=quiz_id,
            position=position,
            chosen_option=_int(chosen, -1) if chosen is not None else None,
            answer=request.POST.get("answer", ""),
            duration_ms=min(max(0, _int(request.POST.get("duration_ms"))), 3_600_000),
            skip="skip" in request.POST,
        )
    except NotFound as error:
        raise Http404(error.message) from error
    except InvalidInput as error:
        # the service counts options from 0; a person picks "one of the answers"
        no_choice = chosen is None and "answer" not in request.POST  # a multiple-choice form sent without one
        messages.error(request, "Choose one of the answers first." if no_choice else error.message)
        return redirect(reverse("web:quiz", args=[quiz_id]) + f"?item={position}")
    except Conflict as error:
        messages.error(request, error.message)
    return redirect(reverse("web:quiz", args=[quiz_id]) + f"?item={position}")


@login_required
@require_POST
def quiz_override(request: HttpRequest, quiz_id: int, position: int) -> HttpResponse:
    """The learner corrects the grade of a written answer (and so the card's rating)."""
    user = _user(request)
    try:
        score = float(request.POST.get("score", ""))
        sessions.quiz_grade_override(user=user, quiz_id=quiz_id, position=position, score=score)
    except NotFound as error:
        raise Http404(error.message) from error
    except ValueError:
        messages.error(request, "Choose how well you answered.")
    except (InvalidInput, Conflict) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Grade updated; the card is rescheduled to match.")
    return redirect(reverse("web:quiz", args=[quiz_id]) + f"?item={position}")


# --- mock interviews ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def mock_new(request: HttpRequest) -> HttpResponse:
    """Set up a timed interview (topics, how many questions of each difficulty, time per question)."""
    user = _user(request)
    levels = [choice for choice in Difficulty.choices if choice[0] != Difficulty.UNKNOWN]
    areas = _topic_areas()
    form: dict[str, Any] = {
        "topics": [],
        "mix": {"basic": 1, "intermediate": 2, "advanced": 1},
        "seconds": 180,
    }
    error = ""
    if request.method == "POST":
        setup = MockSetupForm(request.POST, areas=areas)
        valid = setup.is_valid()
        form = {  # shown again as chosen
            "topics": setup.cleaned_data.get("topics", request.POST.getlist("topics")),
            "mix": {level: max(0, _int(request.POST.get(f"count_{level}"))) for level, _ in levels},
            "seconds": _int(request.POST.get("seconds"), 180),
        }
        try:
            if not valid:
                raise InvalidInput(first_error(setup))
            interview = sessions.mock_start(
                user=user,
                topics=setup.cleaned_data["topics"],
                difficulty_mix={level: count for level, count in setup.mix().items() if count},
                seconds_per_question=setup.cleaned_data["seconds"],
            )
        except InvalidInput as invalid:
            error = invalid.message
        else:
            return redirect("web:mock", interview_id=interview.pk)
    recent = list(practice_selectors.mock_interviews_of(user=user).order_by("-started_at")[:10])
    return render(
        request,
        "web/study/mock_new.html",
        {
            "form": form,
            "error": error,
            "areas": areas,
            "levels": [(level, label, form["mix"].get(level, 0)) for level, label in levels],
            "seconds_choices": MOCK_SECONDS,
            "recent": recent,
        },
        status=400 if error else 200,
    )


def _interview_or_404(user: User, interview_id: int) -> Any:
    try:
        return practice_selectors.mock_interview_get(user=user, interview_id=interview_id)
    except NotFound as error:
        raise Http404(error.message) from error


@login_required
@require_GET
def mock(request: HttpRequest, interview_id: int) -> HttpResponse:
    """The question being asked, with the time left for it; a finished interview shows its report."""
    interview = _interview_or_404(_user(request), interview_id)
    if interview.status == MockStatus.FINISHED:
        return redirect("web:mock_report", interview_id=interview.pk)
    items = sorted(interview.items.all(), key=lambda item: item.position)
    current = next(item for item in items if item.answered_at is None)
    asked_at = current.asked_at or timezone.now()
    return render(
        request,
        "web/study/mock.html",
        {
            "interview": interview,
            "current": current,
            "total": len(items),
            "deadline": asked_at + timedelta(seconds=interview.seconds_per_question),
        },
    )


@login_required
@require_POST
def mock_answer(request: HttpRequest, interview_id: int) -> HttpResponse:
    user = _user(request)
    try:
        sessions.mock_answer(user=user, interview_id=interview_id, answer=request.POST.get("answer", ""))
    except NotFound as error:
        raise Http404(error.message) from error
    except (InvalidInput, Conflict) as error:
        messages.error(request, error.message)
    return redirect("web:mock", interview_id=interview_id)


@login_required
@require_POST
def mock_finish(request: HttpRequest, interview_id: int) -> HttpResponse:
    try:
        sessions.mock_finish(user=_user(request), interview_id=interview_id)
    except NotFound as error:
        raise Http404(error.message) from error
    return redirect("web:mock_report", interview_id=interview_id)


@login_required
@require_GET
def mock_report(request: HttpRequest, interview_id: int) -> HttpResponse:
    """Score overall and per topic, the key points missed (with links to the questions), time, what next."""
    interview = _interview_or_404(_user(request), interview_id)
    if interview.status != MockStatus.FINISHED or not interview.report:
        return redirect("web:mock", interview_id=interview.pk)
    report = interview.report
    titles = dict(_topic_titles())
    items = sorted(interview.items.all(), key=lambda item: item.position)
    return render(
        request,
        "web/study/mock_report.html",
        {
            "interview": interview,
            "report": report,
            "by_topic": [(slug, titles.get(slug, slug), score) for slug, score in report["by_topic"].items()],
            "weakest": [
                (slug, titles.get(slug, slug)) for slug in report["recommendation"]["weakest_topics"]
            ],
            "items": items,
            "limit_ms": interview.seconds_per_question * 1000,
        },
    )


def _topic_titles() -> list[tuple[str, str]]:
    return [(topic.slug, topic.title) for topic in catalog_selectors.topics_in_tree_order()]


urlpatterns: list[URLPattern] = [
    path("review/", review, name="review"),
    path("review/reveal/", review_reveal, name="review_reveal"),
    path("review/rate/", review_rate, name="review_rate"),
    path("review/undo/", review_undo, name="review_undo"),
    path("quiz/", quiz_new, name="quiz_new"),
    path("quiz/<int:quiz_id>/", quiz, name="quiz"),
    path("quiz/<int:quiz_id>/items/<int:position>/answer/", quiz_answer, name="quiz_answer"),
    path("quiz/<int:quiz_id>/items/<int:position>/override/", quiz_override, name="quiz_override"),
    path("mock/", mock_new, name="mock_new"),
    path("mock/<int:interview_id>/", mock, name="mock"),
    path("mock/<int:interview_id>/answer/", mock_answer, name="mock_answer"),
    path("mock/<int:interview_id>/finish/", mock_finish, name="mock_finish"),
    path("mock/<int:interview_id>/report/", mock_report, name="mock_report"),
]
