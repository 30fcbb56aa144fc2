"""Practice reads: the study day, the review queue and progress statistics.

Every function here runs a fixed number of queries whatever the size of the user's history; statistics
are aggregated by the database (grouped by study day in the user's time zone), never by looping over
reviews in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Greatest, Power, TruncDate

from prepdeck.accounts.models import User
from prepdeck.catalog import selectors as catalog_selectors
from prepdeck.catalog.models import Question, Topic, published_condition
from prepdeck.core import caching
from prepdeck.core.exceptions import NotFound
from prepdeck.core.statements import CompiledQuery, Param, limit_bucket
from prepdeck.practice import scheduling
from prepdeck.practice.models import (
    Card,
    CardState,
    MockInterview,
    MockInterviewItem,
    Quiz,
    QuizItem,
    Review,
    ReviewSource,
)


def card_state(card: Card) -> scheduling.CardState:
    """A card row as the scheduler's plain state."""
    return scheduling.CardState(
        state=card.state,
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


# --- the study day ---------------------------------------------------------------------------------------


def study_day_bounds(*, user: User, now: datetime) -> tuple[datetime, datetime]:
    """The UTC start and end of the user's current study day (it starts at ``day_start_hour`` local time,
    so a review at 01:30 with a 4 o'clock start still counts for the day before)."""
    zone = ZoneInfo(user.time_zone)
    local = now.astimezone(zone)
    day = local.date() if local.hour >= user.day_start_hour else local.date() - timedelta(days=1)
    start = datetime.combine(day, time(user.day_start_hour), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(user.day_start_hour), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def _study_date(expression: Any, user: User) -> TruncDate:
    """The study day (a date in the user's time zone) of a datetime column, shifted by the start hour."""
    shifted = F(expression) - Value(timedelta(hours=user.day_start_hour))
    return TruncDate(shifted, tzinfo=ZoneInfo(user.time_zone))


def current_study_date(*, user: User, now: datetime) -> Any:
    start, _ = study_day_bounds(user=user, now=now)
    return start.astimezone(ZoneInfo(user.time_zone)).date()


# --- the queue -------------------------------------------------------------------------------------------


@dataclass
class QueueItem:
    question: Question
    kind: str  # "due" (learning, relearning or review) or "new"
    card: Card | None
    retrievability: float
    intervals: dict[int, timedelta] = field(default_factory=dict)  # what each rating 1-4 would give


@dataclass
class Queue:
    items: list[QueueItem]
    due: int  # cards due now (all of them, not only those in ``items``)
    new: int  # new questions still available today (within the daily limit)
    learning_later_today: int  # learning steps that come due later in this study day
    new_introduced_today: int  # new cards started in review today: only these count against the limit
    daily_new_limit: int
    day_ends_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # new cards first met today in a quiz or mock interview: shown apart, they do not use up the limit
    new_from_practice_today: int = 0


def _published_filtered(topic_slugs: tuple[str, ...] | None, tagged: bool, narrowed_by_difficulty: bool) -> Q:
    """A card's question is published and in the session's topic (``topic_slugs``: it and the topics below
    it), has the ``tag`` and the ``difficulty`` (``Param`` values) when they are asked for."""
    condition = published_condition("question__")
    if topic_slugs is not None:
        condition &= Q(question__topic__slug__in=topic_slugs)
    if tagged:
        # EXISTS, not a join: a join would repeat a card once per matching tag row
        condition &= Q(
            Exists(
                Question.tags.through.objects.filter(
                    question_id=OuterRef("question_id"), tag__slug=Param("tag", CharField())
                )
            )
        )
    if narrowed_by_difficulty:
        condition &= Q(question__difficulty=Param("difficulty", CharField()))
    return condition


# How far ahead a learner may take learning steps when nothing else is due (Anki's default "learn ahead").
LEARN_AHEAD_MINUTES = 20
# New questions one "learn more in this topic" adds beyond the daily limit (the learner asks each time).
LEARN_MORE_BATCH = 10

_DIFFICULTY_ORDER = Case(
    When(difficulty="basic", then=Value(0)),
    When(difficulty="intermediate", then=Value(1)),
    When(difficulty="advanced", then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
_LEARNING = (CardState.LEARNING, CardState.RELEARNING)

# The queue's statements are compiled once per process and shape (``core.statements``): it is read on every
# study step, and building its querysets cost more CPU than running them. Their values: ``user_id``,
# ``now``, ``learn_ahead_until``, ``later_from`` (the later of the two), ``day_start``, ``day_end``, ``tag``
# and ``difficulty``; their shape: the topic's slugs (a session narrowed to a topic is compiled for its run
# only), whether a tag, a difficulty or learning ahead narrow or widen the session, and the LIMIT (rounded
# up by ``limit_bucket``; the rows past it are dropped).


def _user_param() -> Param:
    return Param("user_id", IntegerField())


def _time_param(name: str) -> Param:
    return Param(name, DateTimeField())


def _due_conditions(
    topic_slugs: tuple[str, ...] | None, tagged: bool, narrowed_by_difficulty: bool, learn_ahead: bool
) -> tuple[Q, Q, Q]:
    """The cards of the session that may be shown, those due now and the learning steps later today."""
    now = _time_param("now")
    available = Q(suspended=False) & (Q(buried_until__isnull=True) | Q(buried_until__lte=now))
    due_now = Q(due__lte=now)
    if learn_ahead:
        due_now |= Q(state__in=_LEARNING, due__lte=_time_param("learn_ahead_until"))
    later_today = Q(state__in=_LEARNING, due__gt=_time_param("later_from"), due__lte=_time_param("day_end"))
    cards = Q(
        _published_filtered(topic_slugs, tagged, narrowed_by_difficulty),
        available,
        due_now | later_today,
        user_id=_user_param(),
        state__gt=CardState.NEW,
    )
    return cards, due_now, later_today


def _ranked_due_cards(
    topic_slugs: tuple[str, ...] | None,
    tagged: bool,
    narrowed_by_difficulty: bool,
    learn_ahead: bool,
    limit: int,
) -> QuerySet[Any]:
    # The database ranks and counts the due cards, and counts the learning steps later today, in one query
    # whatever their number: the due cards first, learning and relearning steps before reviews (they are
    # minutes apart), then the lowest predicted recall, which is the largest forgetting key (see
    # scheduling.forgetting_key), then the earliest due; the steps later today rank after every due card
    # and are only counted (the two conditions never overlap). Only the ids come back: the window counts
    # keep every row until the end, and whole rows cost more there than fetching the shown cards again by
    # id. No DISTINCT: the filters are EXISTS, not joins that repeat rows.
    cards, due_now, later_today = _due_conditions(topic_slugs, tagged, narrowed_by_difficulty, learn_ahead)
    return (
        Card.objects.filter(cards)
        .annotate(
            later=Case(When(due_now, then=Value(0)), default=Value(1)),
            review_after_steps=Case(When(state=CardState.REVIEW, then=Value(1)), default=Value(0)),
            forgetting=forgetting_expression(now=_time_param("now")),
            due_total=Window(Count("id", filter=due_now)),
            later_total=Window(Count("id", filter=later_today)),
        )
        .order_by("later", "review_after_steps", "-forgetting", "due", "id")
        .values_list("id", "later", "due_total", "later_total")[:limit]
    )


def _due_counts(
    topic_slugs: tuple[str, ...] | None, tagged: bool, narrowed_by_difficulty: bool, learn_ahead: bool
) -> QuerySet[Any]:
    # only the counts (the dashboard): both in one query, the two conditions never overlap; grouped by the
    # one user, so no row means none
    cards, due_now, later_today = _due_conditions(topic_slugs, tagged, narrowed_by_difficulty, learn_ahead)
    return (
        Card.objects.filter(cards)
        .values("user_id")
        .annotate(due_count=Count("id", filter=due_now), later_count=Count("id", filter=later_today))
        .values_list("due_count", "later_count")
    )


def _new_cards_started_today() -> QuerySet[Any]:
    # grouped by the one user, so no row means none
    return (
        Review.objects.filter(
            user_id=_user_param(), reviewed_at__gte=_time_param("day_start"), state_before=CardState.NEW
        )
        .values("user_id")
        .annotate(
            review=Count("id", filter=Q(source=ReviewSource.REVIEW)),
            practice=Count("id", filter=~Q(source=ReviewSource.REVIEW)),
        )
        .values_list("review", "practice")
    )


def _unseen_questions(
    topic_slugs: tuple[str, ...] | None, tagged: bool, narrowed_by_difficulty: bool
) -> QuerySet[Question]:
    seen = Card.objects.filter(user_id=_user_param(), question=OuterRef("pk")).filter(
        Q(state__gt=CardState.NEW) | Q(suspended=True) | Q(buried_until__gt=_time_param("now"))
    )
    new_filter = published_condition()
    if topic_slugs is not None:
        new_filter &= Q(topic__slug__in=topic_slugs)
    if tagged:
        new_filter &= Q(tags__slug=Param("tag", CharField()))
    if narrowed_by_difficulty:
        new_filter &= Q(difficulty=Param("difficulty", CharField()))
    return Question.objects.filter(new_filter).filter(~Exists(seen))


def _new_question_ids(
    topic_slugs: tuple[str, ...] | None, tagged: bool, narrowed_by_difficulty: bool, limit: int
) -> QuerySet[Any]:
    # questions the user added ("add to my reviews") have a new card already: they come first
    added = Exists(Card.objects.filter(user_id=_user_param(), question=OuterRef("pk")))
    return (
        _unseen_questions(topic_slugs, tagged, narrowed_by_difficulty)
        .annotate(added=added)
        .order_by("-added", "topic__order", _DIFFICULTY_ORDER, "id")
        .values_list("id")
        .distinct()[:limit]
    )


def _unseen_question_ids(
    topic_slugs: tuple[str, ...] | None, tagged: bool, narrowed_by_difficulty: bool, limit: int
) -> QuerySet[Any]:
    # only how many (up to the limit), so no ordering
    return _unseen_questions(topic_slugs, tagged, narrowed_by_difficulty).values_list("id").distinct()[:limit]


def _without_topic(topic_slugs: tuple[str, ...] | None, *rest: Any) -> bool:
    # a topic's slugs come from what the learner asked for: such a shape is compiled for its run only
    return topic_slugs is None


_RANKED_DUE_CARDS = CompiledQuery(_ranked_due_cards, keep=_without_topic)
_DUE_COUNTS = CompiledQuery(_due_counts, keep=_without_topic)
_NEW_CARDS_STARTED_TODAY = CompiledQuery(_new_cards_started_today)
_NEW_QUESTION_IDS = CompiledQuery(_new_question_ids, keep=_without_topic)
_UNSEEN_QUESTION_IDS = CompiledQuery(_unseen_question_ids, keep=_without_topic)


def review_queue(
    *,
    user: User,
    now: datetime,
    settings: scheduling.SchedulerSettings,
    limit: int = 20,
    topic: str | None = None,
    tag: str | None = None,
    difficulty: str | None = None,
    new_limit_bonus: int = 0,
    learn_ahead_until: datetime | None = None,
) -> Queue:
    """What to study now: due cards first (learning steps, then the lowest predicted recall), then new
    questions up to the daily limit. ``topic``/``tag``/``difficulty`` narrow the session without
    touching other cards. A constant number of queries for any queue size.

    Only new cards started in review count against the daily limit (``ReviewSource.REVIEW``); a question
    first met in a quiz or mock interview enters the schedule without using it up. The learner may ask
    for more: ``new_limit_bonus`` raises today's limit for this queue ("learn more in this topic"), and
    ``learn_ahead_until`` also offers learning steps due before then (so a session need not stop a
    minute before the next step comes due)."""
    day_start, day_end = study_day_bounds(user=user, now=now)
    topic_slugs = tuple(catalog_selectors.topic_descendant_slugs(slug=topic)) if topic else None
    learn_ahead = learn_ahead_until is not None and learn_ahead_until > now
    narrowing = (topic_slugs, bool(tag), bool(difficulty))
    values = {
        "user_id": user.pk,
        "now": now,
        "learn_ahead_until": learn_ahead_until,
        "later_from": max(now, learn_ahead_until) if learn_ahead_until is not None else now,
        "day_start": day_start,
        "day_end": day_end,
        "tag": tag,
        "difficulty": difficulty,
    }
    shown_cards: list[Card] = []
    if limit > 0:
        ranked = _RANKED_DUE_CARDS.rows(*narrowing, learn_ahead, limit_bucket(limit), **values)[:limit]
        due_total, learning_later = (ranked[0][2], ranked[0][3]) if ranked else (0, 0)
        due_ids = [card_id for card_id, later, _, _ in ranked if not later]
        if due_ids:
            by_id = Card.objects.select_related("question__topic").in_bulk(due_ids)
            shown_cards = [by_id[card_id] for card_id in due_ids if card_id in by_id]
    else:
        counts = _DUE_COUNTS.rows(*narrowing, learn_ahead, **values)
        due_total, learning_later = counts[0] if counts else (0, 0)
    started = _NEW_CARDS_STARTED_TODAY.rows(**values)
    introduced, from_practice = started[0] if started else (0, 0)
    new_allowed = max(0, user.daily_new_limit + max(0, new_limit_bonus) - introduced)
    new_ids: list[int] = []
    new_count = 0
    if new_allowed and limit > 0:
        found = _NEW_QUESTION_IDS.rows(*narrowing, limit_bucket(new_allowed), **values)
        new_ids = [question_id for (question_id,) in found[:new_allowed]]
        new_count = len(new_ids)
    elif new_allowed:
        unseen = _UNSEEN_QUESTION_IDS.rows(*narrowing, limit_bucket(new_allowed), **values)
        new_count = min(new_allowed, len(unseen))

    # The due cards came with their questions; the new ones are loaded here, and then the tags of all of
    # them in one query.
    new_shown = new_ids[: max(0, limit - len(shown_cards))]
    new_questions = Question.objects.select_related("topic").in_bulk(new_shown) if new_shown else {}
    prefetch_related_objects([card.question for card in shown_cards] + list(new_questions.values()), "tags")
    items: list[QueueItem] = []
    for card in shown_cards:
        state = card_state(card)
        # the scheduler runs only for the cards shown
        items.append(
            QueueItem(
                question=card.question,
                kind="due",
                card=card,
                retrievability=scheduling.retrievability(state, now=now, settings=settings),
                intervals=scheduling.preview(state, now=now, settings=settings),
            )
        )
    if new_shown:
        # every new card starts from the same state, so one preview serves them all
        new_intervals = scheduling.preview(scheduling.new_card_state(now), now=now, settings=settings)
        items += [
            QueueItem(
                question=new_questions[pk],
                kind="new",
                card=None,
                retrievability=0.0,
                intervals=dict(new_intervals),
            )
            for pk in new_shown
            if pk in new_questions  # not deleted since it was counted
        ]
    return Queue(
        items=items,
        due=due_total,
        new=new_count,
        learning_later_today=learning_later,
        new_introduced_today=introduced,
        daily_new_limit=user.daily_new_limit,
        day_ends_at=day_end,
        new_from_practice_today=from_practice,
    )


def queue_item_for(
    *, user: User, question_id: int, now: datetime, settings: scheduling.SchedulerSettings
) -> QueueItem | None:
    """One published question as a queue item (with its rating intervals), whether or not it is due: for
    showing a card again right after its review was undone. ``None`` when it is not published."""
    question = (
        Question.objects.published()
        .filter(pk=question_id)
        .select_related("topic")
        .prefetch_related("tags")
        .first()
    )
    if question is None:
        return None
    card = Card.objects.filter(user=user, question=question).first()
    studied = card is not None and card.state != CardState.NEW
    current = card_state(card) if card is not None and studied else scheduling.new_card_state(now)
    return QueueItem(
        question=question,
        kind="due" if studied else "new",
        card=card,
        retrievability=scheduling.retrievability(current, now=now, settings=settings) if studied else 0.0,
        intervals=scheduling.preview(current, now=now, settings=settings),
    )


def reviews_today_count(*, user: User, now: datetime) -> int:
    """How many reviews the user has done in the current study day."""
    day_start, _ = study_day_bounds(user=user, now=now)
    return Review.objects.filter(user=user, reviewed_at__gte=day_start).count()


# --- statistics --------------------------------------------------------------------------------------------


class EpochDays(Func):
    """A datetime column as fractional days since 1970 (so elapsed time can be divided by stability)."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="(julianday(%(expressions)s) - 2440587.5)", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="(EXTRACT(EPOCH FROM %(expressions)s) / 86400.0)", **extra
        )


class WholeDaysSince(Func):
    """Whole days from a datetime column to ``now`` (never below 0), exactly as ``timedelta.days`` counts
    them, so a review exactly N days ago gives N and one a microsecond less than N days ago gives N - 1.
    ``now`` is a datetime or an expression of one (a ``Param`` of a compiled statement)."""

    output_field = FloatField()

    def __init__(self, expression: Any, *, now: Any) -> None:
        if isinstance(now, datetime):
            now = Value(now, output_field=DateTimeField())
        super().__init__(expression, now)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # The difference is exact (integer microseconds); date_part gives it in seconds as a double, exact
        # enough that a microsecond short of N days still floors to N - 1 for anything under ~50,000 days
        # (EXTRACT would be exact too, but its numeric arithmetic costs ~2 us a row: 40 ms for 20,000 cards).
        column, params = compiler.compile(self.source_expressions[0])
        now, now_params = compiler.compile(self.source_expressions[1])
        sql = f"GREATEST(0, FLOOR(date_part('epoch', ({now})::timestamptz - {column}) / 86400))"
        return sql, (*now_params, *params)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC, and sends a datetime value the same way: whole
        # seconds from strftime on the first 19 characters, microseconds from the text (SQLite's date
        # functions round to milliseconds).
        column, params = compiler.compile(self.source_expressions[0])
        now, now_params = compiler.compile(self.source_expressions[1])

        def micros(text: str) -> str:
            return (
                f"(CAST(strftime('%%s', substr({text}, 1, 19)) AS INTEGER) * 1000000"
                f" + CAST(substr({text}, 21, 6) AS INTEGER))"
            )

        sql = f"CAST(MAX(0, ({micros(now)} - {micros(column)}) / 86400000000) AS REAL)"
        return sql, (*now_params, *now_params, *params, *params)


def forgetting_expression(*, now: Any) -> Any:
    """``scheduling.forgetting_key`` of every card at ``now`` (a datetime or an expression of one), computed
    by the database, for ordering cards by predicted recall (largest first = least likely recalled)
    without running the scheduler."""
    return Case(
        When(
            Q(last_review__isnull=True) | Q(stability__isnull=True) | Q(stability__lte=0),
            then=Value(float("inf")),
        ),
        default=WholeDaysSince("last_review", now=now) / F("stability"),
        output_field=FloatField(),
    )


def _recall_expression(*, now: datetime, settings: scheduling.SchedulerSettings) -> Any:
    """FSRS-6 predicted recall of a card at ``now``, computed by the database."""
    parameters = settings.parameters or scheduling.DEFAULT_PARAMETERS
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    now_days = (now - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(days=1)
    elapsed = Value(now_days) - EpochDays("last_review")
    return Power(
        Value(1.0) + Value(factor) * elapsed / F("stability"), Value(decay), output_field=FloatField()
    )


@dataclass
class Statistics:
    reviews_today: int
    streak_days: int
    due_forecast: list[dict[str, Any]]  # next 30 study days: {"date", "due"}
    heatmap: list[dict[str, Any]]  # last 365 study days with reviews: {"date", "reviews"}
    retention_by_week: list[dict[str, Any]]  # {"week", "reviews", "recalled", "retention"}
    overall_retention: float | None  # over all those weeks (see ``overall_retention``)
    mastery_by_topic: list[dict[str, Any]]  # {"topic", "title", "questions", "mastery"}
    weakest_topics: list[str]
    totals: dict[str, int]


def user_statistics(*, user: User, now: datetime, settings: scheduling.SchedulerSettings) -> Statistics:
    """A user's progress from a fixed number of aggregate queries, whatever the size of the history."""
    today = current_study_date(user=user, now=now)
    day_start, _ = study_day_bounds(user=user, now=now)
    reviews = Review.objects.filter(user=user)
    reviews_today = reviews.filter(reviewed_at__gte=day_start).count()

    # One pass over the last year of reviews gives the heatmap and the weekly retention.
    per_day = list(
        reviews.filter(reviewed_at__gte=day_start - timedelta(days=365))
        .annotate(day=_study_date("reviewed_at", user))
        .values("day")
        .annotate(
            # counting a covered column (not the id) lets PostgreSQL answer from the index alone
            reviews=Count("rating"),
            mature=Count("rating", filter=Q(state_before=CardState.REVIEW)),
            recalled=Count("rating", filter=Q(state_before=CardState.REVIEW, rating__gt=scheduling.AGAIN)),
        )
        .order_by("day")
    )
    heatmap = [{"date": row["day"].isoformat(), "reviews": row["reviews"]} for row in per_day]
    active = {row["date"] for row in heatmap}
    streak, cursor = 0, today if today.isoformat() in active else today - timedelta(days=1)
    while cursor.isoformat() in active:
        streak, cursor = streak + 1, cursor - timedelta(days=1)

    horizon = day_start + timedelta(days=30)
    forecast_rows = (
        Card.objects.filter(user=user, state__gt=CardState.NEW, suspended=False, due__lt=horizon)
        .annotate(day=_study_date("due", user))
        .values("day")
        .annotate(due=Count("id"))
    )
    forecast: dict[Any, int] = {}
    for row in forecast_rows:
        day = max(row["day"], today)  # overdue cards are due today
        forecast[day] = forecast.get(day, 0) + row["due"]
    due_forecast = [
        {
            "date": (today + timedelta(days=offset)).isoformat(),
            "due": forecast.get(today + timedelta(days=offset), 0),
        }
        for offset in range(30)
    ]

    weeks: dict[Any, list[int]] = {}
    for row in per_day:  # at most 366 rows, one per study day
        if not row["mature"] or row["day"] < today - timedelta(weeks=26):
            continue
        monday = row["day"] - timedelta(days=row["day"].weekday())
        counts = weeks.setdefault(monday, [0, 0])
        counts[0] += row["mature"]
        counts[1] += row["recalled"]
    retention_by_week = [
        {
            "week": week.isoformat(),
            "reviews": total,
            "recalled": recalled,
            "retention": round(recalled / total, 3),
        }
        for week, (total, recalled) in sorted(weeks.items())
    ]

    recall_sums = recall_by_topic(user=user, now=now, settings=settings)
    topics = (
        Topic.objects.select_related("parent")
        .annotate(
            published=Count(
                "questions",
                filter=published_condition("questions__"),
            )
        )
        .filter(published__gt=0)
    )
    mastery: list[dict[str, Any]] = []
    studied: list[dict[str, Any]] = []
    # In tree order: each area (a top-level topic: Django, DRF...) followed by its subtopics.
    for topic in sorted(topics, key=_tree_position):
        published = int(topic.published)
        recall = float(recall_sums.get(topic.pk) or 0)
        area = topic.parent or topic
        mastery.append(
            {
                "topic": topic.slug,
                "title": topic.title,
                "area": area.slug,
                "area_title": area.title,
                "questions": published,
                "mastery": round(recall / published, 3),
            }
        )
        if topic.pk in recall_sums:
            studied.append(mastery[-1])
    weakest = [
        str(row["topic"]) for row in sorted(studied, key=lambda row: (row["mastery"], row["topic"]))[:3]
    ]
    totals = {
        "reviews": reviews.count(),
        "cards": Card.objects.filter(user=user, state__gt=CardState.NEW).count(),
        "quizzes": Quiz.objects.filter(user=user).count(),
        "mock_interviews": MockInterview.objects.filter(user=user).count(),
    }
    return Statistics(
        reviews_today=reviews_today,
        streak_days=streak,
        due_forecast=due_forecast,
        heatmap=heatmap,
        retention_by_week=retention_by_week,
        overall_retention=overall_retention(retention_by_week),
        mastery_by_topic=mastery,
        weakest_topics=weakest,
        totals=totals,
    )


def _tree_position(topic: Topic) -> tuple[int, str, int, int, str]:
    """Sorts topics as the tree reads: areas in order, each followed by its subtopics in order."""
    area = topic.parent or topic
    return (area.order, area.slug, 0 if topic.parent is None else 1, topic.order, topic.slug)


STATISTICS_CACHE_SECONDS = 300


def user_statistics_cached(
    *, user: User, now: datetime, settings: scheduling.SchedulerSettings
) -> Statistics:
    """``user_statistics`` from the cache (the statistics API, and the pages' charts when they are drawn,
    see ``web.views.dashboard.statistics_charts``): recomputed after any change
    to this user's history or settings or to the bank, and every ``STATISTICS_CACHE_SECONDS`` (predicted
    recall, and so mastery, drifts with time alone). The key holds the user's id: one learner's figures are
    never served to another."""
    return caching.cached(
        "user-statistics",
        lambda: user_statistics(user=user, now=now, settings=settings),
        key=user_statistics_cache_key(user=user, now=now, settings=settings),
        namespaces=user_statistics_namespaces(user=user),
        timeout=STATISTICS_CACHE_SECONDS,
    )


def user_statistics_cache_key(
    *, user: User, now: datetime, settings: scheduling.SchedulerSettings
) -> tuple[Any, ...]:
    """What a user's statistics depend on besides :func:`user_statistics_namespaces`: for caching them, or
    something drawn from them alone (the pages cache their charts with them), for as long as they hold."""
    bucket = int(now.timestamp()) // STATISTICS_CACHE_SECONDS
    return (user.pk, bucket, user.time_zone, user.day_start_hour, settings)


def user_statistics_namespaces(*, user: User) -> tuple[str, ...]:
    """The cache namespaces whose writes change a user's statistics: their own history and the bank."""
    return (caching.practice_user(user.pk), caching.CATALOG)


def recall_by_topic(*, user: User, now: datetime, settings: scheduling.SchedulerSettings) -> dict[int, float]:
    """Topic id → the sum of the user's predicted recall over its published questions they have studied
    (divide by the topic's published questions for its mastery). One aggregate query."""
    return {
        topic_id: float(recall or 0)
        for topic_id, recall in Card.objects.filter(
            published_condition("question__"),
            user=user,
            state__gt=CardState.NEW,
            stability__gt=0,
        )
        .values("question__topic_id")
        .annotate(recall=Sum(_recall_expression(now=now, settings=settings)))
        .values_list("question__topic_id", "recall")
    }


def cards_for_questions(*, user: User, question_ids: list[int]) -> dict[int, Card]:
    """Question id → the user's card for it, for the questions that have one (one query)."""
    if not question_ids:
        return {}
    return {card.question_id: card for card in Card.objects.filter(user=user, question_id__in=question_ids)}


def reviews_of(*, user: User) -> QuerySet[Review]:
    """The user's review log, newest first, with each card's question."""
    return Review.objects.filter(user=user).select_related("card__question").order_by("-reviewed_at", "-id")


def quizzes_of(*, user: User) -> QuerySet[Quiz]:
    return Quiz.objects.filter(user=user).prefetch_related(
        Prefetch(
            "items",
            queryset=QuizItem.objects.select_related("question__topic").prefetch_related("question__tags"),
        )
    )


def quiz_score(quiz: Quiz) -> float | None:
    """A quiz's score, the same on every page and in the API: the mean over all its questions (one not yet
    answered counts 0), rounded to two places; ``None`` until an answer has been scored. Reads the
    prefetched items of ``quizzes_of``."""
    items = list(quiz.items.all())
    scores = [item.score for item in items if item.score is not None]
    return round(sum(scores) / len(items), 2) if scores else None


def overall_retention(retention_by_week: list[dict[str, Any]]) -> float | None:
    """True retention over every week of ``Statistics.retention_by_week`` (recalled / mature reviews), to
    three places; ``None`` before the first mature review."""
    total = sum(week["reviews"] for week in retention_by_week)
    return round(sum(week["recalled"] for week in retention_by_week) / total, 3) if total else None


def quiz_get(*, user: User, quiz_id: int) -> Quiz:
    quiz = quizzes_of(user=user).filter(pk=quiz_id).first()
    if quiz is None:
        raise NotFound("Quiz not found.")
    return quiz


def mock_interviews_of(*, user: User) -> QuerySet[MockInterview]:
    return MockInterview.objects.filter(user=user).prefetch_related(
        Prefetch("items", queryset=MockInterviewItem.objects.select_related("question__topic"))
    )


def mock_interview_get(*, user: User, interview_id: int) -> MockInterview:
    interview = mock_interviews_of(user=user).filter(pk=interview_id).first()
    if interview is None:
        raise NotFound("Mock interview not found.")
    return interview


def practice_data_of(*, user: User) -> dict[str, Any]:
    """Everything practice keeps about the user, as plain data (for "export my data")."""
    return {
        "cards": list(
            Card.objects.filter(user=user)
            .order_by("id")
            .values(
                "question__key",
                "state",
                "step",
                "stability",
                "difficulty",
                "due",
                "last_review",
                "reps",
                "lapses",
                "suspended",
            )
        ),
        "reviews": list(
            Review.objects.filter(user=user)
            .order_by("reviewed_at", "id")
            .values("card__question__key", "rating", "reviewed_at", "duration_ms", "source")
        ),
        "quizzes": [
            {
                "kind": quiz.kind,
                "created_at": quiz.created_at,
                "items": [
                    {
                        "question": item.question.key,
                        "chosen_option": item.chosen_option,
                        "answer": item.answer,
                        "score": item.score,
                    }
                    for item in quiz.items.all()
                ],
            }
            for quiz in quizzes_of(user=user).order_by("id")
        ],
        "mock_interviews": [
            {
                "started_at": interview.started_at,
                "status": interview.status,
                "report": interview.report,
                "items": [
                    {
                        "question": item.question.key,
                        "answer": item.answer,
                        "score": item.score,
                        "time_spent_ms": item.time_spent_ms,
                    }
                    for item in interview.items.all()
                ],
            }
            for interview in mock_interviews_of(user=user).order_by("id")
        ],
    }


def recent_mock_interviews(*, user: User, limit: int = 5) -> list[MockInterview]:
    """The user's latest mock interviews, newest first, without their items: for lists that show only the
    status, score (``report["score"]``) and date. One query."""
    return list(MockInterview.objects.filter(user=user).order_by("-started_at", "-id")[:limit])


def next_due_at(*, user: User, now: datetime) -> datetime | None:
    """When the user's next studied card comes due after ``now`` (a buried card counts from the end of its
    burial; suspended cards and unpublished questions never), or None when nothing is scheduled. Shown by
    the dashboard once today's queue is empty. One query."""
    available_at = Greatest("due", Coalesce("buried_until", "due"))
    next_at: datetime | None = (
        Card.objects.filter(
            published_condition("question__"),
            user=user,
            state__gt=CardState.NEW,
            suspended=False,
        )
        .annotate(available_at=available_at)
        .filter(available_at__gt=now)
        .aggregate(next_at=Min("available_at"))["next_at"]
    )
    return next_at
