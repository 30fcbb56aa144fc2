"""Spaced-repetition scheduling: a thin, pure wrapper over py-fsrs 6 (FSRS-6).

Plain dataclasses go in and out, so this module never touches the ORM and is tested without a database.
Services use it like this:

- a (user, question) card is first stored as :func:`new_card_state` (``state == CardState.NEW``, due now);
- when the user rates an answer, call :func:`review` and store every field of ``outcome.card`` back on the row;
- to label the rating buttons ("Again 1m / Hard 6m / Good 10m / Easy 8d"), call :func:`preview`;
- to show how likely the user is to remember a card right now, call :func:`retrievability`.

Every call takes the user's :class:`SchedulerSettings`; :func:`scheduler_for` caches the library's
``Scheduler`` per distinct settings value, so building it is not repeated per review.

How our "new" maps to the library: py-fsrs has no "new" state; a card it has never reviewed is a
``State.Learning`` card at step 0 with no stability, difficulty or last review. We store such a card as
``state=0`` so selectors can tell "never reviewed" from "in its learning steps", and convert it to that
library shape on the way in (:func:`to_library_card`). After its first review a card is never new again.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from fsrs import Card, Rating, Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS as _LIBRARY_DEFAULT_PARAMETERS

__all__ = [
    "AGAIN",
    "DEFAULT_PARAMETERS",
    "EASY",
    "GOOD",
    "HARD",
    "RATINGS",
    "CardState",
    "ReviewOutcome",
    "SchedulerSettings",
    "forgetting_key",
    "from_library_card",
    "new_card_state",
    "preview",
    "retrievability",
    "review",
    "scheduler_for",
    "to_library_card",
]

AGAIN = int(Rating.Again)
HARD = int(Rating.Hard)
GOOD = int(Rating.Good)
EASY = int(Rating.Easy)
RATINGS: tuple[int, ...] = (AGAIN, HARD, GOOD, EASY)

# The 21 FSRS-6 weights the library uses when the user has no fitted parameters of their own.
DEFAULT_PARAMETERS: tuple[float, ...] = tuple(_LIBRARY_DEFAULT_PARAMETERS)

# The library's Card requires an id (it only copies it into ReviewLog). Our rows have their own keys and we
# never use the library's logs, so a constant does; it also avoids Card()'s default, which sleeps 1 ms.
_LIBRARY_CARD_ID = 0


def _as_utc(value: datetime, name: str) -> datetime:
    """Return ``value`` in UTC, refusing naive datetimes (their meaning depends on the server's clock)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {value.isoformat()}")
    # The library insists on tzinfo == timezone.utc exactly (a +02:00 or zoneinfo datetime is refused).
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class CardState:
    """The scheduling columns of one (user, question) card, exactly as the database stores them.

    ``state`` is ``NEW`` (0, never reviewed) or one of the library's ``State`` values: ``LEARNING`` (1),
    ``REVIEW`` (2), ``RELEARNING`` (3). ``step`` is the index into the (re)learning steps; it is ``None`` for new
    and review cards. Datetimes must be timezone-aware and are normalised to UTC.
    """

    NEW: ClassVar[int] = 0
    LEARNING: ClassVar[int] = int(State.Learning)
    REVIEW: ClassVar[int] = int(State.Review)
    RELEARNING: ClassVar[int] = int(State.Relearning)

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None

    def __post_init__(self) -> None:
        # Reject rows the library cannot schedule here, with a message, rather than as an AssertionError inside it.
        if self.state not in (self.NEW, self.LEARNING, self.REVIEW, self.RELEARNING):
            raise ValueError(f"unknown card state {self.state!r}; expected 0, 1, 2 or 3")
        object.__setattr__(self, "due", _as_utc(self.due, "due"))
        if self.last_review is not None:
            object.__setattr__(self, "last_review", _as_utc(self.last_review, "last_review"))
        if self.state == self.NEW:
            if (self.step, self.stability, self.difficulty, self.last_review) != (None, None, None, None):
                raise ValueError(
                    "a new card has never been reviewed: step, stability, difficulty and last_review must be None"
                )
            return
        if self.state in (self.REVIEW, self.RELEARNING) and (
            self.stability is None or self.difficulty is None
        ):
            raise ValueError("review and relearning cards need a stability and a difficulty")
        if self.state == self.REVIEW:
            if self.step is not None:
                raise ValueError("a review card has no step")
        elif self.step is None or self.step < 0:
            raise ValueError("learning and relearning cards need a step >= 0")

    @property
    def is_new(self) -> bool:
        """Whether the card has never been reviewed."""
        return self.state == self.NEW


def new_card_state(now: datetime) -> CardState:
    """Return the state of a card the user has never reviewed, due immediately; call it when creating a card row."""
    return CardState(
        state=CardState.NEW, step=None, stability=None, difficulty=None, due=now, last_review=None
    )


@dataclass(frozen=True, slots=True)
class SchedulerSettings:
    """A user's scheduling preferences; frozen and hashable so schedulers can be cached per value.

    ``parameters`` are the user's 21 fitted FSRS-6 weights, or ``None`` for the library defaults. Steps are in
    minutes. ``fuzz`` spreads review intervals by a few percent so cards learnt together do not stay bunched;
    keep it on in production and turn it off where results must be reproducible (tests).
    Invalid values raise ``ValueError`` here, when the settings are built, not later in a review.
    """

    desired_retention: float = 0.9
    parameters: tuple[float, ...] | None = None
    maximum_interval_days: int = 36500
    learning_steps_minutes: tuple[float, ...] = (1, 10)
    relearning_steps_minutes: tuple[float, ...] = (10,)
    fuzz: bool = True

    def __post_init__(self) -> None:
        if not 0 < self.desired_retention < 1:
            raise ValueError(
                f"desired_retention must be between 0 and 1 (exclusive), got {self.desired_retention}"
            )
        if self.maximum_interval_days < 1:
            raise ValueError(f"maximum_interval_days must be at least 1, got {self.maximum_interval_days}")
        # Tuples, even when built from a JSON list, so the settings stay hashable for scheduler_for().
        for name in ("learning_steps_minutes", "relearning_steps_minutes"):
            steps = tuple(getattr(self, name))
            if any(step <= 0 for step in steps):
                raise ValueError(f"{name} must all be positive, got {steps}")
            object.__setattr__(self, name, steps)
        if self.parameters is not None:
            parameters = tuple(float(weight) for weight in self.parameters)
            Scheduler(parameters=parameters)  # the library checks the count and each weight's bounds
            object.__setattr__(self, "parameters", parameters)


@dataclass(frozen=True, slots=True)
class ReviewOutcome:
    """What one review did: the card's new state, the time until it is due, and how well it was remembered.

    ``retrievability_before`` is the predicted probability of recall at the moment of the review (0.0 for a new
    card); store it with the review for statistics and parameter fitting.
    """

    card: CardState
    interval: timedelta
    retrievability_before: float


@functools.lru_cache(maxsize=256)
def scheduler_for(settings: SchedulerSettings) -> Scheduler:
    """Return the library scheduler for ``settings``, built once per distinct value; treat it as read-only."""
    return Scheduler(
        parameters=DEFAULT_PARAMETERS if settings.parameters is None else settings.parameters,
        desired_retention=settings.desired_retention,
        learning_steps=tuple(timedelta(minutes=minutes) for minutes in settings.learning_steps_minutes),
        relearning_steps=tuple(timedelta(minutes=minutes) for minutes in settings.relearning_steps_minutes),
        maximum_interval=settings.maximum_interval_days,
        enable_fuzzing=settings.fuzz,
    )


def to_library_card(card: CardState) -> Card:
    """Convert our stored state to the library's ``Card`` (a new card becomes Learning, step 0, no memory)."""
    if card.is_new:
        return Card(card_id=_LIBRARY_CARD_ID, state=State.Learning, step=0, due=card.due)
    return Card(
        card_id=_LIBRARY_CARD_ID,
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def from_library_card(card: Card) -> CardState:
    """Convert a library ``Card`` back to the columns we store (``card_id`` is dropped)."""
    return CardState(
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def _to_rating(rating: object) -> Rating:
    # bool is an int subclass and "3" would be a programming or input error; neither is a rating.
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in RATINGS:
        raise ValueError(f"rating must be an integer from 1 (Again) to 4 (Easy), got {rating!r}")
    return Rating(rating)


def retrievability(card: CardState, *, now: datetime, settings: SchedulerSettings) -> float:
    """Return the predicted probability (0..1) that the user recalls ``card`` at ``now``; 0.0 if never reviewed.

    The library counts elapsed time in whole days, so the value stays at 1.0 for the first 24 hours.
    """
    moment = _as_utc(now, "now")
    if card.is_new:
        return 0.0
    return float(
        scheduler_for(settings).get_card_retrievability(to_library_card(card), current_datetime=moment)
    )


def forgetting_key(card: CardState, *, now: datetime) -> float:
    """Return a number that sorts cards by predicted recall at ``now``: the larger, the lower the recall.

    The library predicts R = (1 + FACTOR * t / S) ** DECAY, with t the whole days since the last review
    (``timedelta.days``, never below 0), S the stability, FACTOR > 0 and DECAY < 0 for every valid set of
    weights. So R falls strictly as t / S grows, and sorting by t / S descending is sorting by R ascending,
    whatever the user's weights: a database can order a whole queue by this key
    (``practice.selectors.forgetting_expression`` computes the same value in SQL) and the scheduler only
    needs to run for the cards that are shown. A card the library cannot predict (no stability or no last
    review: R = 0) gets infinity, so it comes first.
    """
    moment = _as_utc(now, "now")
    if card.last_review is None or card.stability is None or card.stability <= 0:
        return float("inf")
    elapsed_days = max(0, (moment - card.last_review).days)
    return elapsed_days / card.stability


def review(card: CardState, rating: int, *, now: datetime, settings: SchedulerSettings) -> ReviewOutcome:
    """Apply one rating (1 Again, 2 Hard, 3 Good, 4 Easy) given at ``now``; call it when the user rates a card.

    Raises ``ValueError`` for a rating outside 1..4 or a naive ``now``.
    """
    library_rating = _to_rating(rating)
    moment = _as_utc(now, "now")
    recall_before = retrievability(card, now=moment, settings=settings)
    reviewed, _review_log = scheduler_for(settings).review_card(
        to_library_card(card), library_rating, review_datetime=moment
    )
    new_state = from_library_card(reviewed)
    return ReviewOutcome(card=new_state, interval=new_state.due - moment, retrievability_before=recall_before)


def preview(card: CardState, *, now: datetime, settings: SchedulerSettings) -> dict[int, timedelta]:
    """Return the interval each rating would give at ``now``, keyed 1..4, for labelling the rating buttons.

    Fuzz is left out so labels do not change between page loads; with fuzz on, the real review may land a few
    days either side of a long interval shown here.
    """
    unfuzzed = replace(settings, fuzz=False)
    return {rating: review(card, rating, now=now, settings=unfuzzed).interval for rating in RATINGS}
