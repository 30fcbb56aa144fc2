"""Tests for the pure FSRS wrapper; exact figures are those of fsrs 6.3.2 with its default parameters."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fsrs import Card, Rating, Scheduler, State
from fsrs.scheduler import MAX_DIFFICULTY, MIN_DIFFICULTY
from hypothesis import given, settings
from hypothesis import strategies as st

from prepdeck.practice.scheduling import (
    AGAIN,
    DEFAULT_PARAMETERS,
    EASY,
    GOOD,
    HARD,
    RATINGS,
    CardState,
    SchedulerSettings,
    forgetting_key,
    from_library_card,
    new_card_state,
    preview,
    retrievability,
    review,
    scheduler_for,
    to_library_card,
)

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
EXACT = SchedulerSettings(fuzz=False)


def _new_card() -> CardState:
    return new_card_state(NOW)


def _review_good_until_review_state() -> CardState:
    """A card that graduated from learning with two Goods: Review state, due in 2 days."""
    card = new_card_state(NOW)
    for _ in range(2):
        card = review(card, GOOD, now=card.due, settings=EXACT).card
    assert card.state == CardState.REVIEW
    return card


def _mature_review_card() -> CardState:
    """A review card after four Goods, each given when due (last interval 46 days)."""
    card = new_card_state(NOW)
    for _ in range(4):
        card = review(card, GOOD, now=card.due, settings=EXACT).card
    return card


def _relearning_card() -> CardState:
    card = _mature_review_card()
    return review(card, AGAIN, now=card.due, settings=EXACT).card


# --- card state ---------------------------------------------------------------------------------------------


def test_new_card_state_is_new_and_due_now():
    card = new_card_state(NOW)

    assert card == CardState(state=0, step=None, stability=None, difficulty=None, due=NOW, last_review=None)
    assert card.is_new is True
    assert CardState.NEW == 0
    assert (CardState.LEARNING, CardState.REVIEW, CardState.RELEARNING) == (1, 2, 3)


def test_card_state_normalises_datetimes_to_utc():
    plus_two = timezone(timedelta(hours=2))

    card = new_card_state(datetime(2025, 3, 1, 11, 0, tzinfo=plus_two))

    assert card.due == NOW
    assert card.due.tzinfo is UTC


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"state": 4}, "unknown card state"),
        ({"state": 0, "stability": 2.0}, "new card has never been reviewed"),
        ({"state": 0, "last_review": NOW}, "new card has never been reviewed"),
        ({"state": 2, "stability": None, "difficulty": 5.0}, "need a stability and a difficulty"),
        ({"state": 3, "step": 0, "stability": 2.0, "difficulty": None}, "need a stability and a difficulty"),
        ({"state": 2, "step": 0, "stability": 2.0, "difficulty": 5.0}, "a review card has no step"),
        ({"state": 1, "step": None}, "need a step >= 0"),
        ({"state": 3, "step": -1, "stability": 2.0, "difficulty": 5.0}, "need a step >= 0"),
        ({"state": 0, "due": datetime(2025, 3, 1, 9, 0)}, "due must be a timezone-aware"),
        (
            {"state": 2, "stability": 2.0, "difficulty": 5.0, "last_review": datetime(2025, 3, 1)},
            "last_review must be a timezone-aware",
        ),
    ],
)
def test_card_state_rejects_rows_the_library_cannot_schedule(fields, message):
    values = {
        "state": 0,
        "step": None,
        "stability": None,
        "difficulty": None,
        "due": NOW,
        "last_review": None,
    }

    with pytest.raises(ValueError, match=message):
        CardState(**(values | fields))


# --- conversion to and from the library ---------------------------------------------------------------------


def test_new_card_converts_to_a_library_learning_card_without_memory():
    library_card = to_library_card(new_card_state(NOW))

    assert library_card.to_dict() == {
        "card_id": 0,
        "state": int(State.Learning),
        "step": 0,
        "stability": None,
        "difficulty": None,
        "due": NOW.isoformat(),
        "last_review": None,
    }


@pytest.mark.parametrize(
    "make_card", [_review_good_until_review_state, _mature_review_card, _relearning_card]
)
def test_reviewed_cards_round_trip_through_the_library_card(make_card):
    card = make_card()

    assert from_library_card(to_library_card(card)) == card


def test_a_new_card_round_trips_as_a_learning_card_because_the_library_has_no_new_state():
    library_card = to_library_card(new_card_state(NOW))

    assert from_library_card(library_card) == CardState(
        state=CardState.LEARNING, step=0, stability=None, difficulty=None, due=NOW, last_review=None
    )


def test_wrapper_matches_the_library_step_by_step():
    # given the same ratings and times, fed to the wrapper and to the library directly
    scheduler = Scheduler(enable_fuzzing=False)
    library_card = Card(card_id=1, due=NOW)
    card = new_card_state(NOW)
    now = NOW
    for rating in (GOOD, GOOD, HARD, AGAIN, GOOD, EASY, GOOD):
        # when
        outcome = review(card, rating, now=now, settings=EXACT)
        expected_recall = scheduler.get_card_retrievability(library_card, current_datetime=now)
        library_card, _ = scheduler.review_card(library_card, Rating(rating), review_datetime=now)
        # then
        assert outcome.retrievability_before == expected_recall
        assert outcome.card == from_library_card(library_card)
        card = outcome.card
        now = card.due + timedelta(hours=5)


# --- review ---------------------------------------------------------------------------------------------------


def test_first_good_on_a_new_card_goes_to_the_next_learning_step_in_minutes():
    outcome = review(new_card_state(NOW), GOOD, now=NOW, settings=EXACT)

    assert outcome.interval == timedelta(minutes=10)
    assert outcome.card.state == CardState.LEARNING
    assert outcome.card.step == 1
    assert outcome.card.stability == DEFAULT_PARAMETERS[2]  # initial stability for Good
    assert outcome.card.last_review == NOW
    assert outcome.card.due == NOW + timedelta(minutes=10)
    assert outcome.retrievability_before == 0.0


def test_intervals_grow_with_successive_good_ratings():
    card = new_card_state(NOW)
    intervals = []

    for _ in range(8):
        outcome = review(card, GOOD, now=card.due, settings=EXACT)
        intervals.append(outcome.interval)
        card = outcome.card

    assert intervals == [
        timedelta(minutes=10),
        timedelta(days=2),
        timedelta(days=11),
        timedelta(days=46),
        timedelta(days=163),
        timedelta(days=498),
        timedelta(days=1348),
        timedelta(days=3299),
    ]
    assert card.state == CardState.REVIEW
    assert card.step is None


def test_again_on_a_review_card_moves_it_to_relearning_with_a_shorter_interval():
    # given a review card last scheduled 46 days out
    card = _mature_review_card()
    assert card.last_review is not None
    assert card.stability is not None
    assert card.difficulty is not None
    assert card.due - card.last_review == timedelta(days=46)

    # when
    outcome = review(card, AGAIN, now=card.due, settings=EXACT)

    # then
    assert outcome.card.state == CardState.RELEARNING
    assert outcome.card.step == 0
    assert outcome.interval == timedelta(minutes=10)  # the first relearning step
    assert outcome.card.stability is not None
    assert outcome.card.stability < card.stability
    assert outcome.card.difficulty is not None
    assert outcome.card.difficulty > card.difficulty


def test_good_after_the_last_relearning_step_returns_the_card_to_review():
    card = _relearning_card()

    outcome = review(card, GOOD, now=card.due, settings=EXACT)

    assert outcome.card.state == CardState.REVIEW
    assert outcome.card.step is None
    assert outcome.interval == timedelta(days=3)


@pytest.mark.parametrize("make_card", [_new_card, _review_good_until_review_state, _relearning_card])
def test_easy_beats_good_beats_hard_from_the_same_state(make_card):
    card = make_card()

    intervals = preview(card, now=card.due, settings=EXACT)

    assert intervals[EASY] > intervals[GOOD] > intervals[HARD] >= intervals[AGAIN]


def test_higher_desired_retention_gives_shorter_intervals():
    card = _mature_review_card()
    strict = SchedulerSettings(desired_retention=0.95, fuzz=False)
    relaxed = SchedulerSettings(desired_retention=0.8, fuzz=False)

    strict_outcome = review(card, GOOD, now=card.due, settings=strict)
    relaxed_outcome = review(card, GOOD, now=card.due, settings=relaxed)

    assert strict_outcome.interval == timedelta(days=66)
    assert relaxed_outcome.interval == timedelta(days=541)
    assert strict_outcome.card.stability == relaxed_outcome.card.stability


def test_maximum_interval_caps_review_intervals():
    card = _mature_review_card()
    capped = SchedulerSettings(maximum_interval_days=30, fuzz=False)

    assert review(card, EASY, now=card.due, settings=capped).interval == timedelta(days=30)


def test_without_learning_steps_a_new_card_goes_straight_to_review():
    no_steps = SchedulerSettings(learning_steps_minutes=(), fuzz=False)

    outcome = review(new_card_state(NOW), GOOD, now=NOW, settings=no_steps)

    assert outcome.card.state == CardState.REVIEW
    assert outcome.interval == timedelta(days=2)


def test_review_accepts_any_aware_timezone_and_answers_in_utc():
    # The library itself refuses anything but timezone.utc; the wrapper converts.
    plus_two = timezone(timedelta(hours=2))
    card = _mature_review_card()
    local_due = card.due.astimezone(plus_two)

    local_outcome = review(card, GOOD, now=local_due, settings=EXACT)

    assert local_outcome == review(card, GOOD, now=card.due, settings=EXACT)
    assert local_outcome.card.due.tzinfo is UTC


def test_review_does_not_change_the_given_state():
    card = _mature_review_card()
    before = replace(card)

    review(card, AGAIN, now=card.due, settings=EXACT)

    assert card == before


@pytest.mark.parametrize("rating", [0, 5, -1, "3", 3.0, None, True])
def test_review_rejects_invalid_ratings(rating):
    with pytest.raises(ValueError, match=r"rating must be an integer from 1 \(Again\) to 4 \(Easy\)"):
        review(new_card_state(NOW), rating, now=NOW, settings=EXACT)


def test_review_accepts_the_library_rating_enum():
    assert review(new_card_state(NOW), Rating.Good, now=NOW, settings=EXACT) == review(
        new_card_state(NOW), GOOD, now=NOW, settings=EXACT
    )


def test_naive_datetimes_are_rejected():
    naive = datetime(2025, 3, 1, 9, 0)
    card = _mature_review_card()

    with pytest.raises(ValueError, match="now must be a timezone-aware datetime"):
        review(card, GOOD, now=naive, settings=EXACT)
    with pytest.raises(ValueError, match="now must be a timezone-aware datetime"):
        retrievability(card, now=naive, settings=EXACT)
    with pytest.raises(ValueError, match="now must be a timezone-aware datetime"):
        preview(card, now=naive, settings=EXACT)
    with pytest.raises(ValueError, match="due must be a timezone-aware datetime"):
        new_card_state(naive)


# --- fuzz -----------------------------------------------------------------------------------------------------


def test_without_fuzz_reviews_are_deterministic():
    card = _mature_review_card()

    outcomes = {review(card, rating, now=card.due, settings=EXACT) for rating in RATINGS for _ in range(20)}

    assert len(outcomes) == len(RATINGS)


def test_with_fuzz_long_intervals_spread_within_the_library_range():
    card = _mature_review_card()
    fuzzed = SchedulerSettings(fuzz=True)

    intervals = {review(card, GOOD, now=card.due, settings=fuzzed).interval.days for _ in range(200)}

    # Unfuzzed 163 days; the library's fuzz range is 163 +/- 10 days, but it draws uniformly over
    # [min, max + 1) and rounds, so max + 1 can come out too.
    assert len(intervals) > 1
    assert min(intervals) >= 153
    assert max(intervals) <= 174


def test_fuzz_never_touches_learning_steps():
    fuzzed = SchedulerSettings(fuzz=True)

    intervals = {review(new_card_state(NOW), GOOD, now=NOW, settings=fuzzed).interval for _ in range(50)}

    assert intervals == {timedelta(minutes=10)}


# --- retrievability -------------------------------------------------------------------------------------------


def test_retrievability_is_zero_for_new_cards():
    assert retrievability(new_card_state(NOW), now=NOW + timedelta(days=3), settings=EXACT) == 0.0


def test_retrievability_decreases_with_elapsed_time():
    card = _mature_review_card()  # stability ~46 days
    last = card.last_review
    assert last is not None

    values = [
        retrievability(card, now=last + timedelta(days=days), settings=EXACT) for days in (0, 1, 10, 46, 365)
    ]

    assert values[0] == 1.0
    assert values == sorted(values, reverse=True)
    assert len(set(values)) == len(values)
    assert values[3] == pytest.approx(0.9, abs=0.001)  # at the interval, recall is the desired retention


def test_retrievability_counts_whole_days_only():
    # A library quirk: elapsed time is floored to days, so recall stays 1.0 for the first 24 hours.
    card = _mature_review_card()
    assert card.last_review is not None

    assert retrievability(card, now=card.last_review + timedelta(hours=23), settings=EXACT) == 1.0


def test_review_reports_retrievability_before_the_review():
    card = _mature_review_card()
    moment = card.due + timedelta(days=10)

    outcome = review(card, GOOD, now=moment, settings=EXACT)

    assert outcome.retrievability_before == retrievability(card, now=moment, settings=EXACT)
    assert 0.0 < outcome.retrievability_before < 0.9


# --- preview --------------------------------------------------------------------------------------------------


def test_preview_for_a_new_card_labels_the_buttons():
    assert preview(new_card_state(NOW), now=NOW, settings=EXACT) == {
        AGAIN: timedelta(minutes=1),
        HARD: timedelta(minutes=5, seconds=30),
        GOOD: timedelta(minutes=10),
        EASY: timedelta(days=8),
    }


@pytest.mark.parametrize(
    "make_card",
    [_new_card, _review_good_until_review_state, _mature_review_card, _relearning_card],
)
@pytest.mark.parametrize("rating", RATINGS)
def test_preview_matches_review_for_each_rating(make_card, rating):
    card = make_card()
    moment = card.due + timedelta(days=1)

    assert (
        preview(card, now=moment, settings=EXACT)[rating]
        == review(card, rating, now=moment, settings=EXACT).interval
    )


def test_preview_ignores_fuzz_so_labels_are_stable():
    card = _mature_review_card()

    previews = [preview(card, now=card.due, settings=SchedulerSettings(fuzz=True)) for _ in range(20)]

    assert all(labels == preview(card, now=card.due, settings=EXACT) for labels in previews)


# --- settings and parameters ----------------------------------------------------------------------------------


def test_scheduler_is_built_once_per_settings_value():
    first = scheduler_for(SchedulerSettings(desired_retention=0.85, fuzz=False))

    assert scheduler_for(SchedulerSettings(desired_retention=0.85, fuzz=False)) is first
    assert scheduler_for(SchedulerSettings(desired_retention=0.86, fuzz=False)) is not first


def test_scheduler_reflects_the_settings():
    custom = SchedulerSettings(
        desired_retention=0.85,
        maximum_interval_days=365,
        learning_steps_minutes=(2, 15, 60),
        relearning_steps_minutes=(5,),
        fuzz=False,
    )

    scheduler = scheduler_for(custom)

    assert scheduler.to_dict() == {
        "parameters": list(DEFAULT_PARAMETERS),
        "desired_retention": 0.85,
        "learning_steps": [120, 900, 3600],
        "relearning_steps": [300],
        "maximum_interval": 365,
        "enable_fuzzing": False,
    }


def test_default_settings_match_the_library_defaults():
    assert scheduler_for(SchedulerSettings()).to_dict() == Scheduler().to_dict()


def test_custom_parameters_change_outcomes():
    # w[3] is the initial stability after Easy; the library default is 8.2956 days
    fitted = list(DEFAULT_PARAMETERS)
    fitted[3] = 20.0
    custom = SchedulerSettings(parameters=tuple(fitted), fuzz=False)

    default_outcome = review(new_card_state(NOW), EASY, now=NOW, settings=EXACT)
    custom_outcome = review(new_card_state(NOW), EASY, now=NOW, settings=custom)

    assert default_outcome.interval == timedelta(days=8)
    assert custom_outcome.interval == timedelta(days=20)
    assert custom_outcome.card.stability == 20.0


def test_parameters_from_a_json_list_are_stored_as_a_hashable_tuple():
    custom = SchedulerSettings(parameters=list(DEFAULT_PARAMETERS), fuzz=False)  # type: ignore[arg-type]

    assert custom.parameters == DEFAULT_PARAMETERS
    assert scheduler_for(custom) is scheduler_for(
        SchedulerSettings(parameters=DEFAULT_PARAMETERS, fuzz=False)
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"desired_retention": 0.0}, "desired_retention must be between 0 and 1"),
        ({"desired_retention": 1.0}, "desired_retention must be between 0 and 1"),
        ({"desired_retention": 1.2}, "desired_retention must be between 0 and 1"),
        ({"maximum_interval_days": 0}, "maximum_interval_days must be at least 1"),
        ({"learning_steps_minutes": (1, 0)}, "learning_steps_minutes must all be positive"),
        ({"relearning_steps_minutes": (-10,)}, "relearning_steps_minutes must all be positive"),
        ({"parameters": DEFAULT_PARAMETERS[:20]}, "Expected 21 parameters, got 20"),
        ({"parameters": (*DEFAULT_PARAMETERS[:4], 11.0, *DEFAULT_PARAMETERS[5:])}, r"parameters\[4\] = 11.0"),
    ],
)
def test_invalid_settings_are_rejected_when_built(fields, message):
    with pytest.raises(ValueError, match=message):
        SchedulerSettings(**fields)


# --- properties -----------------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(RATINGS),
            st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=800)),
        ),
        min_size=1,
        max_size=25,
    ),
    desired_retention=st.floats(min_value=0.7, max_value=0.99),
    fuzz=st.booleans(),
)
def test_any_rating_sequence_keeps_the_card_schedulable(steps, desired_retention, fuzz):
    chosen = SchedulerSettings(desired_retention=desired_retention, fuzz=fuzz)
    card = new_card_state(NOW)
    now = NOW

    for rating, gap in steps:
        now += gap
        outcome = review(card, rating, now=now, settings=chosen)
        card = outcome.card

        assert card.state in (CardState.LEARNING, CardState.REVIEW, CardState.RELEARNING)
        assert card.stability is not None
        assert card.stability > 0
        assert card.difficulty is not None
        assert MIN_DIFFICULTY <= card.difficulty <= MAX_DIFFICULTY
        assert card.due > now
        assert card.last_review == now
        assert outcome.interval == card.due - now
        assert 0.0 <= outcome.retrievability_before <= 1.0


# --- ordering by predicted recall without the scheduler ---------------------------------------------------------

_seconds_since_review = st.one_of(
    st.integers(min_value=-86_400, max_value=400 * 86_400),
    # exactly whole days, and a microsecond either side, where counting whole days can go wrong
    st.builds(
        lambda days, nudge: timedelta(days=days, microseconds=nudge).total_seconds(),
        st.integers(min_value=0, max_value=400),
        st.sampled_from([-1, 0, 1]),
    ),
)
_review_cards = st.lists(
    st.builds(
        lambda stability, seconds: CardState(
            state=CardState.REVIEW,
            step=None,
            stability=stability,
            difficulty=5.0,
            due=NOW,
            last_review=NOW - timedelta(seconds=seconds),
        ),
        st.floats(min_value=0.001, max_value=36_500, allow_nan=False),
        _seconds_since_review,
    ),
    min_size=2,
    max_size=30,
)
_weights = st.builds(
    lambda decay: SchedulerSettings(fuzz=False, parameters=(*DEFAULT_PARAMETERS[:20], decay)),
    st.floats(min_value=0.1, max_value=0.8),
)


@settings(max_examples=300, deadline=None)
@given(cards=_review_cards, scheduler_settings=st.one_of(st.just(EXACT), _weights))
def test_sorting_by_forgetting_key_descending_sorts_by_the_schedulers_recall_ascending(
    cards, scheduler_settings
):
    # given: the real scheduler's predicted recall of each card
    recall = {id(card): retrievability(card, now=NOW, settings=scheduler_settings) for card in cards}

    # when: the cards are sorted by the key alone (it does not know the user's weights)
    ordered = sorted(cards, key=lambda card: -forgetting_key(card, now=NOW))

    # then: recall never falls along that order, and equal keys mean equal recall
    recalls = [recall[id(card)] for card in ordered]
    assert recalls == sorted(recalls)
    for first, second in itertools.pairwise(ordered):
        if forgetting_key(first, now=NOW) == forgetting_key(second, now=NOW):
            assert recall[id(first)] == recall[id(second)]


def test_forgetting_key_counts_whole_days_as_the_library_does():
    card = _mature_review_card()
    assert card.last_review is not None
    assert card.stability is not None
    day = timedelta(days=1)

    assert forgetting_key(card, now=card.last_review + 3 * day) == 3 / card.stability
    assert (
        forgetting_key(card, now=card.last_review + 3 * day - timedelta(microseconds=1)) == 2 / card.stability
    )
    assert forgetting_key(card, now=card.last_review - day) == 0.0  # reviewed "in the future": no time passed
    assert forgetting_key(replace(card, stability=None, state=CardState.LEARNING, step=0), now=NOW) == float(
        "inf"
    )
