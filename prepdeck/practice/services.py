"""Practice writes: recording reviews (idempotent, row-locked), undo, suspend and bury.

A review is the one hot write of the product, so it is kept to a handful of statements: lock the card,
check the idempotency key, insert the review, update the card (a first review inserts the card already
reviewed instead). The scheduling maths is the pure ``practice.scheduling``; this module only moves its
plain data in and out of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import CharField, Count, F, IntegerField, JSONField, Q, Subquery
from django.utils import timezone

from prepdeck.accounts.models import User
from prepdeck.catalog.models import Question
from prepdeck.core.exceptions import ApplicationError, Conflict, InvalidInput, NotFound
from prepdeck.core.statements import CompiledQuery, Param
from prepdeck.practice import scheduling
from prepdeck.practice.models import Card, Review, ReviewSource, SchedulerParameters
from prepdeck.practice.selectors import card_state

_CARD_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review")


_FITTED_PARAMETERS = CompiledQuery(
    lambda: SchedulerParameters.objects.filter(user_id=Param("user_id", IntegerField())).values_list(
        "parameters"
    )[:1]
)


def scheduler_settings_for(user: User) -> scheduling.SchedulerSettings:
    """The user's scheduler: their desired retention and, once fitted, their own FSRS parameters (read
    before every queue: compiled once, see ``core.statements``)."""
    rows = _FITTED_PARAMETERS.rows(user_id=user.pk)
    fitted = rows[0][0] if rows else None
    return scheduling.SchedulerSettings(
        desired_retention=user.desired_retention,
        parameters=tuple(fitted) if fitted else None,
    )


def _snapshot(state: scheduling.CardState) -> dict[str, Any]:
    return {
        "state": state.state,
        "step": state.step,
        "stability": state.stability,
        "difficulty": state.difficulty,
        "due": state.due.isoformat(),
        "last_review": state.last_review.isoformat() if state.last_review else None,
    }


def _from_snapshot(data: dict[str, Any]) -> dict[str, Any]:
    return {
        **data,
        "due": datetime.fromisoformat(data["due"]),
        "last_review": datetime.fromisoformat(data["last_review"]) if data["last_review"] else None,
    }


@dataclass(frozen=True)
class ReviewResult:
    review: Review
    card: Card
    created: bool  # False when the idempotency key had already been used: nothing new was recorded


def _validate(rating: Any, idempotency_key: str, duration_ms: int) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in scheduling.RATINGS:
        raise InvalidInput(
            "The rating must be 1 (again), 2 (hard), 3 (good) or 4 (easy).", code="invalid_rating"
        )
    if not idempotency_key or len(idempotency_key) > 64:
        raise InvalidInput("Send an idempotency key of 1 to 64 characters.", code="invalid")
    if duration_ms < 0:
        raise InvalidInput("The duration cannot be negative.", code="invalid")
    return int(rating)


def review_submit(
    *,
    user: User,
    question_id: int,
    rating: int,
    idempotency_key: str,
    duration_ms: int = 0,
    source: str = ReviewSource.REVIEW,
    now: datetime | None = None,
    settings: scheduling.SchedulerSettings | None = None,
) -> ReviewResult:
    """Record one rating of a published question and reschedule its card.

    Idempotent: the same ``idempotency_key`` twice records one review and returns it again. The card
    row is locked (``SELECT ... FOR UPDATE``) while the key is checked, so two concurrent submissions
    are applied one after the other; a repeated one that raced past the check (the check in the locking
    statement reads the snapshot taken before the lock was granted) hits the unique key, and the retry
    recognises it: it is never applied twice.

    Three statements for a card that exists: lock the card (reading, in the same statement, whether the
    key was used and the user's fitted FSRS parameters), insert the review, update the card. A first
    review: look the card up (none), check the question is published (same extras), insert the card,
    insert the review.
    """
    rating = _validate(rating, idempotency_key, duration_ms)
    now = now or timezone.now()
    for attempt in range(2):
        try:
            return _review_once(
                user, question_id, rating, idempotency_key, duration_ms, source, now, settings
            )
        except IntegrityError:
            # A concurrent first review created the card (or used the key) first; the retry finds it.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _review_extras(queryset: Any, with_parameters: bool) -> Any:
    """Annotate a one-row query with the review already recorded under the key (if any) and, when the
    caller gave no scheduler settings, the user's fitted FSRS parameters: no statement of their own."""
    user_id = Param("user_id", IntegerField())
    queryset = queryset.annotate(
        used_key_review=Subquery(
            Review.objects.filter(
                user_id=user_id, idempotency_key=Param("idempotency_key", CharField())
            ).values("pk")[:1]
        )
    )
    if with_parameters:
        queryset = queryset.annotate(
            fitted_parameters=Subquery(
                SchedulerParameters.objects.filter(user_id=user_id).values("parameters")[:1],
                output_field=JSONField(),
            )
        )
    return queryset


def _locked_card(with_parameters: bool) -> Any:
    cards = Card.objects.select_for_update(of=("self",)).filter(
        user_id=Param("user_id", IntegerField()), question_id=Param("question_id", IntegerField())
    )
    return _review_extras(cards, with_parameters).order_by()[:1]


def _published_question(with_parameters: bool) -> Any:
    question = Question.objects.published().filter(pk=Param("question_id", IntegerField()))
    names = ("used_key_review", "fitted_parameters") if with_parameters else ("used_key_review",)
    return _review_extras(question, with_parameters).order_by().values_list("pk", *names)[:1]


# A review submit's reads, compiled once per process (``core.statements``): one per study step.
_LOCKED_CARD = CompiledQuery(_locked_card)
_PUBLISHED_QUESTION = CompiledQuery(_published_question)


@transaction.atomic
def _review_once(
    user: User,
    question_id: int,
    rating: int,
    idempotency_key: str,
    duration_ms: int,
    source: str,
    now: datetime,
    settings: scheduling.SchedulerSettings | None,
) -> ReviewResult:
    wants_parameters = settings is None
    values = {"user_id": user.pk, "question_id": question_id, "idempotency_key": idempotency_key}
    card = _LOCKED_CARD.first(wants_parameters, **values)
    assert card is None or isinstance(card, Card)
    if card is not None:
        used_key_review = card.used_key_review  # type: ignore[attr-defined]
        fitted = card.fitted_parameters if wants_parameters else None  # type: ignore[attr-defined]
    else:
        published = _PUBLISHED_QUESTION.rows(wants_parameters, **values)
        if not published:
            if Review.objects.filter(user=user, idempotency_key=idempotency_key).exists():
                raise _key_reused()
            raise NotFound("Question not found.")
        used_key_review = published[0][1]
        fitted = published[0][2] if wants_parameters else None
    if used_key_review is not None:
        existing = Review.objects.select_related("card").get(pk=used_key_review)
        if existing.card.question_id != question_id:
            raise _key_reused()
        return ReviewResult(review=existing, card=existing.card, created=False)
    if settings is None:
        settings = scheduling.SchedulerSettings(
            desired_retention=user.desired_retention, parameters=tuple(fitted) if fitted else None
        )
    before = card_state(card) if card is not None else scheduling.new_card_state(now)
    outcome = scheduling.review(before, rating, now=now, settings=settings)
    after = outcome.card
    values = {name: getattr(after, name) for name in _CARD_FIELDS}
    lapse = before.state == scheduling.CardState.REVIEW and rating == scheduling.AGAIN
    inserted = card is None
    if card is None:
        card = Card.objects.create(
            user=user, question_id=question_id, reps=1, lapses=0, created_at=now, **values
        )
    else:
        for name, value in values.items():
            setattr(card, name, value)
        card.reps += 1
        card.lapses += int(lapse)
        card.buried_until = None
    review = Review(
        user=user,
        card=card,
        rating=rating,
        reviewed_at=now,
        duration_ms=duration_ms,
        source=source,
        idempotency_key=idempotency_key,
        state_before=before.state,
        retrievability_before=outcome.retrievability_before,
        card_before=_snapshot(before),
        scheduled_days=outcome.interval / timedelta(days=1),
    )
    review.save(force_insert=True)
    if not inserted:
        card.save(update_fields=[*_CARD_FIELDS, "reps", "lapses", "buried_until"])
    return ReviewResult(review=review, card=card, created=True)


def _key_reused() -> Conflict:
    return Conflict(
        "This idempotency key was already used for a review of another question.",
        code="idempotency_key_reused",
    )


@transaction.atomic
def review_undo(*, user: User) -> Card:
    """Take back the user's last review: the card gets its earlier scheduling back."""
    review = (
        Review.objects.select_for_update()
        .filter(user=user)
        .select_related("card")
        .order_by("-reviewed_at", "-id")
        .first()
    )
    if review is None:
        raise Conflict("There is no review to undo.", code="nothing_to_undo")
    card = review.card
    for name, value in _from_snapshot(review.card_before).items():
        setattr(card, name, value)
    card.reps = max(0, card.reps - 1)
    if review.state_before == scheduling.CardState.REVIEW and review.rating == scheduling.AGAIN:
        card.lapses = max(0, card.lapses - 1)
    card.save(update_fields=[*_CARD_FIELDS, "reps", "lapses"])
    review.delete()
    return card


def _card_for(user: User, question_id: int, now: datetime) -> Card:
    """The user's card for a published question, created (new) when missing."""
    if not Question.objects.published().filter(pk=question_id).exists():
        raise NotFound("Question not found.")
    card, _ = Card.objects.get_or_create(
        user=user, question_id=question_id, defaults={"due": now, "created_at": now}
    )
    return card


def card_add(*, user: User, question_id: int) -> Card:
    """Put a published question into the user's reviews: its (new) card is created, or unsuspended, and the
    queue offers it before other new questions. A card already being reviewed is left as it is."""
    card = _card_for(user, question_id, timezone.now())
    if card.suspended:
        card.suspended = False
        card.save(update_fields=["suspended"])
    return card


def card_suspend(*, user: User, question_id: int, suspended: bool = True) -> Card:
    """Leave a question out of the queue (or bring it back)."""
    card = _card_for(user, question_id, timezone.now())
    if card.suspended != suspended:
        card.suspended = suspended
        card.save(update_fields=["suspended"])
    return card


def card_bury(*, user: User, question_id: int, until: datetime) -> Card:
    """Leave a question out of the queue until ``until`` (the next study day, usually)."""
    card = _card_for(user, question_id, timezone.now())
    card.buried_until = until
    card.save(update_fields=["buried_until"])
    return card


@transaction.atomic
def review_replace_rating(*, review: Review, rating: int) -> Review:
    """Re-apply the card's latest review with another rating (a corrected grade): the card goes back to
    its state before that review and is rescheduled from there, at the same moment."""
    card = Card.objects.select_for_update().get(pk=review.card_id)
    before = scheduling.CardState(**_from_snapshot(review.card_before))
    settings = scheduler_settings_for(card.user)
    outcome = scheduling.review(before, rating, now=review.reviewed_at, settings=settings)
    for name in _CARD_FIELDS:
        setattr(card, name, getattr(outcome.card, name))
    was_lapse = review.state_before == scheduling.CardState.REVIEW and review.rating == scheduling.AGAIN
    is_lapse = review.state_before == scheduling.CardState.REVIEW and rating == scheduling.AGAIN
    card.lapses = max(0, card.lapses - int(was_lapse) + int(is_lapse))
    card.save(update_fields=[*_CARD_FIELDS, "lapses"])
    review.rating = rating
    review.scheduled_days = outcome.interval / timedelta(days=1)
    review.save(update_fields=["rating", "scheduled_days"])
    return review


# --- fitting the user's own FSRS parameters -------------------------------------------------------------------

MIN_REVIEWS_TO_FIT = 400  # fewer reviews fit noise; the defaults are better until then


def scheduler_parameters_fit(*, user: User, minimum_reviews: int = MIN_REVIEWS_TO_FIT) -> SchedulerParameters:
    """Fit FSRS parameters to the user's review log (needs the optional ``optimizer`` extra: torch).

    Raises ``InvalidInput`` (code ``not_enough_reviews``) when the log is too short, and
    ``ApplicationError`` (code ``optimizer_missing``) when the optimizer is not installed.
    """
    count = Review.objects.filter(user=user).count()
    if count < minimum_reviews:
        raise InvalidInput(
            f"{user.email} has {count} review(s); fitting needs at least {minimum_reviews}. "
            "Until then the default parameters serve better.",
            code="not_enough_reviews",
        )
    try:
        from fsrs import Optimizer, Rating, ReviewLog

        logs = [
            ReviewLog(
                card_id=card_id,
                rating=Rating(rating),
                review_datetime=reviewed_at,
                review_duration=duration or None,
            )
            for card_id, rating, reviewed_at, duration in Review.objects.filter(user=user)
            .order_by("reviewed_at", "id")
            .values_list("card_id", "rating", "reviewed_at", "duration_ms")
            .iterator(chunk_size=5000)
        ]
        parameters = Optimizer(logs).compute_optimal_parameters()
    except ImportError:
        raise ApplicationError(
            'The optimizer is not installed: pip install "prepdeck[optimizer]" (it needs PyTorch).',
            code="optimizer_missing",
        ) from None
    fitted, _ = SchedulerParameters.objects.update_or_create(
        user=user,
        defaults={
            "parameters": [float(value) for value in parameters],
            "review_count": count,
            "fitted_at": timezone.now(),
        },
    )
    return fitted


# How many reviews since the last fit make a refit worth it (the nightly task); a first fit needs
# MIN_REVIEWS_TO_FIT in all.
REFIT_AFTER_NEW_REVIEWS = 200


def optimizer_available() -> bool:
    """Whether the optional FSRS optimizer can run here (``pip install "prepdeck[optimizer]"``: PyTorch and
    pandas). fsrs itself always imports; its ``Optimizer`` raises ``ImportError`` when used without them."""
    from importlib.util import find_spec

    return all(find_spec(name) is not None for name in ("torch", "pandas"))


def scheduler_parameters_refit_candidates(
    *,
    user_ids: list[int] | None = None,
    minimum_reviews: int = MIN_REVIEWS_TO_FIT,
    new_reviews: int = REFIT_AFTER_NEW_REVIEWS,
) -> list[int]:
    """Ids of the users (of ``user_ids``, or all) due a fit: at least ``minimum_reviews`` reviews, and either
    never fitted or with ``new_reviews`` more reviews than their last fit used
    (``SchedulerParameters.review_count``). One query."""
    users = User.objects.filter(is_active=True)
    if user_ids is not None:
        users = users.filter(pk__in=user_ids)
    return list(
        users.annotate(review_total=Count("reviews"))
        .filter(review_total__gte=minimum_reviews)
        .filter(Q(fsrs__isnull=True) | Q(review_total__gte=F("fsrs__review_count") + new_reviews))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def scheduler_parameters_refit(*, user_id: int) -> SchedulerParameters | None:
    """Fit the user's parameters if they are still due a fit, so a repeated or retried task does no more;
    ``None`` when they are not. Raises like ``scheduler_parameters_fit`` (``optimizer_missing``)."""
    if not scheduler_parameters_refit_candidates(user_ids=[user_id]):
        return None
    return scheduler_parameters_fit(user=User.objects.get(pk=user_id))
