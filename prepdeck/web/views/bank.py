"""Pages of the question bank: browse (topic tree and filtered list), one question, and search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from prepdeck.accounts import roles
from prepdeck.accounts.models import User
from prepdeck.catalog import selectors as catalog_selectors
from prepdeck.catalog.models import Difficulty, Question, QuestionStatus, Topic
from prepdeck.core.exceptions import InvalidInput, NotFound
from prepdeck.practice import selectors as practice_selectors
from prepdeck.practice import services as practice_services
from prepdeck.practice.models import Card, CardState
from prepdeck.search import selectors as search_selectors
from prepdeck.search.query import MAX_QUERY_LENGTH

PAGE_SIZE = 20
SEARCH_PAGE_SIZE = 10
DIFFICULTIES = [(value, label) for value, label in Difficulty.choices if value != Difficulty.UNKNOWN]


def _choice(value: str | None, allowed: set[str]) -> str:
    """A query parameter kept only when it is one of ``allowed`` (anything else means "no filter")."""
    return value if value in allowed else ""


def _page_size(request: HttpRequest, default: int) -> int:
    try:
        return max(1, min(100, int(request.GET.get("page_size", default))))
    except ValueError:
        return default


def _query_without(request: HttpRequest, *names: str) -> str:
    """The current query string minus ``names`` (for links that change one filter and keep the others)."""
    kept = [(key, value) for key, value in request.GET.items() if key not in names and value]
    return urlencode(kept)


@dataclass
class TopicRow:
    topic: Topic
    depth: int
    questions: int
    mastery: float | None  # mean predicted recall over the topic's questions; None before any study


def _topic_rows(user: Any, *, status: str | None = QuestionStatus.PUBLISHED) -> list[TopicRow]:
    """The topic tree in display order, children under their parent, with the number of questions in
    ``status`` (any for None) and the user's mastery."""
    topics = catalog_selectors.topics_with_counts_cached(status=status)
    recall: dict[int, float] = {}
    if user.is_authenticated:
        recall = practice_selectors.recall_by_topic(
            user=user, now=timezone.now(), settings=practice_services.scheduler_settings_for(user)
        )
    children: dict[int | None, list[Topic]] = {}
    for topic in topics:
        children.setdefault(topic.parent_id, []).append(topic)
    rows: list[TopicRow] = []

    def walk(parent: int | None, depth: int) -> tuple[int, int, float, bool]:
        """Add the rows below ``parent``; return their listed and published questions, summed recall and
        whether any was studied."""
        total, total_published, total_recall, total_studied = 0, 0, 0.0, False
        for topic in children.get(parent, []):
            row = TopicRow(topic=topic, depth=depth, questions=0, mastery=None)
            rows.append(row)
            below, below_published, below_recall, below_studied = walk(topic.pk, depth + 1)
            # a topic counts its own questions and those of the topics below it (browsing it shows them all)
            questions = int(getattr(topic, "listed_questions", 0)) + below
            published = int(getattr(topic, "published_questions", 0)) + below_published
            studied = topic.pk in recall or below_studied
            summed = recall.get(topic.pk, 0.0) + below_recall
            row.questions = questions
            # mastery is over the published questions, whichever status the list shows
            row.mastery = round(summed / published, 3) if studied and published else None
            total += questions
            total_published += published
            total_recall += summed
            total_studied = total_studied or studied
        return total, total_published, total_recall, total_studied

    walk(None, 0)
    return [row for row in rows if row.questions]


def _card_label(card: Card | None) -> str:
    """Where the question stands in the user's reviews: "", "suspended", "new" (added) or "reviewing"."""
    if card is None:
        return ""
    if card.suspended:
        return "suspended"
    return "new" if card.state == CardState.NEW else "reviewing"


@require_GET
def browse(request: HttpRequest) -> HttpResponse:
    """The topic tree and the questions of the chosen topic, difficulty, tag (and status, for editors)."""
    user = request.user
    is_editor = roles.is_editor(user)
    status = _choice(request.GET.get("status"), set(QuestionStatus.values)) if is_editor else ""
    # the tree counts what the list shows: an editor's status filter (any status without one)
    listed_status = status or (None if is_editor else QuestionStatus.PUBLISHED)
    topic_rows = _topic_rows(user, status=listed_status)
    topics = {row.topic.slug: row.topic for row in topic_rows}
    tags = list(catalog_selectors.tags_in_use())
    filters = {
        "topic": _choice(request.GET.get("topic"), set(topics)),
        "difficulty": _choice(request.GET.get("difficulty"), {value for value, _ in DIFFICULTIES}),
        "tag": _choice(request.GET.get("tag"), {tag.slug for tag in tags}),
        "status": status,
    }
    questions = catalog_selectors.questions_browse(
        user=user,
        topic=filters["topic"] or None,
        tag=filters["tag"] or None,
        difficulty=filters["difficulty"] or None,
        status=listed_status,
    )
    page: Page[Question] = Paginator(questions, _page_size(request, PAGE_SIZE)).get_page(
        request.GET.get("page")
    )
    cards = (
        practice_selectors.cards_for_questions(user=user, question_ids=[question.pk for question in page])
        if isinstance(user, User)
        else {}
    )
    items = [(question, _card_label(cards.get(question.pk))) for question in page]
    return render(
        request,
        "web/bank/browse.html",
        {
            "topic_rows": topic_rows,
            "current_topic": topics.get(filters["topic"]),
            "tags": tags,
            "difficulties": DIFFICULTIES,
            "statuses": QuestionStatus.choices if is_editor else [],
            "filters": filters,
            "page": page,
            "items": items,
            "filtered": any(filters.values()),
            "page_query": _query_without(request, "page"),
            "topic_query": _query_without(request, "topic", "page"),
        },
    )


def _card_status(card: Card | None, now: Any) -> dict[str, Any]:
    label = _card_label(card)
    if card is None or label != "reviewing":
        return {"state": label or "none"}
    return {"state": label, "due": card.due, "due_now": card.due <= now}


@require_GET
def question(request: HttpRequest, question_id: int) -> HttpResponse:
    """Everything about one question, the user's card for it and similar questions."""
    user = request.user
    try:
        item = catalog_selectors.question_get_visible(user=user, question_id=question_id)
    except NotFound as error:
        raise Http404(error.message) from error
    similar = search_selectors.similar_questions(user=user, question_id=item.pk, limit=5)
    card = None
    if isinstance(user, User):
        card = practice_selectors.cards_for_questions(user=user, question_ids=[item.pk]).get(item.pk)
    return render(
        request,
        "web/bank/question.html",
        {
            "question": item,
            "similar": similar,
            "card": _card_status(card, timezone.now()),
            "can_edit": roles.is_editor(user),
            "is_published": item.is_published,
        },
    )


@login_required
@require_POST
def question_reviews(request: HttpRequest, question_id: int) -> HttpResponse:
    """Add the question to the user's reviews, or take it out again (suspend).

    No flash message: the question page's card line, beside the button, says where the card now stands.
    """
    user = request.user
    assert isinstance(user, User)
    action = request.POST.get("action", "add")
    try:
        if action == "remove":
            practice_services.card_suspend(user=user, question_id=question_id)
        else:
            practice_services.card_add(user=user, question_id=question_id)
    except NotFound as error:
        raise Http404(error.message) from error
    return redirect("web:question", question_id=question_id)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Ranked results with highlighted snippets, facets and "did you mean"; htmx asks for the results only."""
    query = request.GET.get("q", "").strip()
    topics = {topic.slug: topic for topic in catalog_selectors.topics_in_tree_order()}
    topic = _choice(request.GET.get("topic"), set(topics))
    difficulty = _choice(request.GET.get("difficulty"), {value for value, _ in DIFFICULTIES})
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    result, error = None, ""
    if query:
        try:
            result = search_selectors.search_questions(
                query[: MAX_QUERY_LENGTH + 1],
                topic=topic or None,
                difficulty=difficulty or None,
                limit=SEARCH_PAGE_SIZE,
                offset=min((page_number - 1) * SEARCH_PAGE_SIZE, search_selectors.MAX_OFFSET),
            )
        except InvalidInput as invalid:
            error = invalid.message
    pages = -(-result.count // SEARCH_PAGE_SIZE) if result else 0
    labels = dict(Difficulty.choices)
    context = {
        "search_query": query,
        "result": result,
        # Beyond COUNTED_MATCHES a search stops counting: "1,000+", and the facets are the first 1,000's.
        "count_label": f"{result.count:,}{'' if result.count_exact else '+'}" if result else "",
        "error": error,
        "topic": topics.get(topic),
        "difficulty": difficulty,
        "topic_facets": [
            (slug, topics[slug].title if slug in topics else slug, count)
            for slug, count in (result.facets.topic.items() if result else [])
        ],
        "difficulty_facets": [
            (level, labels.get(level, level), count)
            for level, count in (result.facets.difficulty.items() if result else [])
        ],
        "hits": [
            (
                hit,
                topics[hit.topic].title if hit.topic in topics else hit.topic,
                labels.get(hit.difficulty, ""),
            )
            for hit in (result.results if result else [])
        ],
        "page_number": page_number,
        "pages": pages,
        "previous_page": page_number - 1 if page_number > 1 else None,
        "next_page": page_number + 1 if page_number < pages else None,
        "base_query": _query_without(request, "page"),
        "query_without_topic": _query_without(request, "topic", "page"),
        "query_without_difficulty": _query_without(request, "difficulty", "page"),
        "suggestion_query": urlencode({"q": result.suggestion}) if result and result.suggestion else "",
    }
    htmx = request.htmx  # type: ignore[attr-defined]
    partial = bool(htmx) and not htmx.history_restore_request
    response = render(
        request, "web/bank/_search_results.html" if partial else "web/bank/search.html", context
    )
    patch_vary_headers(response, ("HX-Request",))
    return response


urlpatterns: list[URLPattern] = [
    path("browse/", browse, name="browse"),
    path("questions/<int:question_id>/", question, name="question"),
    path("questions/<int:question_id>/reviews/", question_reviews, name="question_reviews"),
    path("search/", search, name="search"),
]
