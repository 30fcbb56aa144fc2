"""Reviews, the queue, undo, suspend and bury: through the API and the services."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from prepdeck.accounts.tests.factories import make_user
from prepdeck.catalog import services as catalog_services
from prepdeck.catalog.models import Question, QuestionStatus
from prepdeck.core.exceptions import Conflict, InvalidInput, NotFound
from prepdeck.practice import scheduling, selectors, services
from prepdeck.practice.models import Card, CardState, Review, SchedulerParameters

pytestmark = pytest.mark.django_db

FIXED = scheduling.SchedulerSettings(fuzz=False)


def _bank(count: int = 5) -> list[Question]:
    catalog_services.topics_sync()
    catalog_services.questions_upsert(
        [
            {
                "key": f"q-{number:02d}",
                "topic": "django-orm",
                "prompt": f"Question {number}?",
                "short_answer": "A.",
                "key_points": ["a"],
                "difficulty": ("basic", "intermediate", "advanced")[number % 3],
                "status": QuestionStatus.PUBLISHED,
            }
            for number in range(count)
        ],
        revision_summary="test",
    )
    return list(Question.objects.order_by("id"))


def _data_queries(context: CaptureQueriesContext) -> list[str]:
    """Statements that touch data (savepoints are how tests nest transactions; requests have none)."""
    return [
        query["sql"]
        for query in context.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
    ]


def test_a_review_schedules_the_card_and_is_logged(api: APIClient) -> None:
    question = _bank(1)[0]
    user = make_user()
    api.force_authenticate(user)

    response = api.post(
        "/api/v1/practice/reviews/",
        {"question": question.pk, "rating": 3, "idempotency_key": "k1"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["rating"], body["card"]["state"], body["card"]["reps"]) == (3, "Learning", 1)
    card = Card.objects.get(user=user, question=question)
    assert card.state == CardState.LEARNING
    assert Review.objects.get().state_before == CardState.NEW


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland"])
def test_a_review_answers_what_its_serializer_documents(api: APIClient, zone: str) -> None:
    # given: a first review (a new card), a second one of a card in review, a replayed key, a suspended card
    from django.utils import timezone

    from prepdeck.practice.serializers import ReviewSerializer

    first, second = _bank(2)
    user = make_user()
    api.force_authenticate(user)
    bodies = []

    def review(question: Question, rating: int, key: str, expected: int, **extra: Any) -> None:
        body = {"question": question.pk, "rating": rating, "idempotency_key": key, **extra}
        response = api.post("/api/v1/practice/reviews/", body, format="json")
        assert response.status_code == expected
        # then: exactly what ReviewSerializer writes for the review and its card as stored
        stored = Review.objects.select_related("card").get(pk=response.json()["id"])
        assert response.json() == ReviewSerializer(stored).data
        bodies.append(response.json())

    with timezone.override(zone):
        review(first, 3, "a", 201)
        Card.objects.filter(user=user).update(due=timezone.now() - timedelta(days=2))
        review(first, 1, "b", 201, duration_ms=1234)
        review(first, 3, "a", 200)
        services.card_suspend(user=user, question_id=second.pk, suspended=True)
        review(second, 4, "c", 201)

    assert [body["card"]["suspended"] for body in bodies] == [False, False, False, True]
    assert bodies[1]["duration_ms"] == 1234


def test_the_same_key_twice_records_one_review(api: APIClient) -> None:
    question = _bank(1)[0]
    api.force_authenticate(make_user())
    body = {"question": question.pk, "rating": 3, "idempotency_key": "same"}

    first = api.post("/api/v1/practice/reviews/", body, format="json")
    second = api.post("/api/v1/practice/reviews/", body, format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert Review.objects.count() == 1
    assert Card.objects.get().reps == 1


def test_a_key_reused_for_another_question_is_a_conflict() -> None:
    first, second = _bank(2)
    user = make_user()
    services.review_submit(user=user, question_id=first.pk, rating=3, idempotency_key="k", settings=FIXED)

    with pytest.raises(Conflict) as error:
        services.review_submit(
            user=user, question_id=second.pk, rating=3, idempotency_key="k", settings=FIXED
        )

    assert error.value.code == "idempotency_key_reused"
    assert Review.objects.count() == 1


@pytest.mark.parametrize("rating", [0, 5, "3", True, None])
def test_a_rating_outside_1_to_4_is_refused_and_nothing_is_written(api: APIClient, rating: Any) -> None:
    question = _bank(1)[0]
    api.force_authenticate(make_user())

    response = api.post(
        "/api/v1/practice/reviews/",
        {"question": question.pk, "rating": rating, "idempotency_key": "k"},
        format="json",
    )

    # "3" is a valid JSON-form integer for DRF, so it is the one accepted value here
    if rating == "3":
        assert response.status_code == 201
        return
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert Review.objects.count() == 0


def test_unknown_or_unpublished_questions_are_not_found(api: APIClient) -> None:
    _bank(1)
    author = make_user()
    draft = catalog_services.question_create(author=author, topic="django-orm", prompt="Draft?")
    api.force_authenticate(author)

    # 2**63 is beyond any integer column: a lookup finds nothing (no overflow error from the database)
    for question_id in (999999, draft.pk, 2**63, 10**30):
        response = api.post(
            "/api/v1/practice/reviews/",
            {"question": question_id, "rating": 3, "idempotency_key": f"k{question_id}"},
            format="json",
        )
        assert response.status_code == 404
    assert Card.objects.count() == 0


def test_submitting_a_review_takes_at_most_four_queries() -> None:
    question = _bank(1)[0]
    user = make_user()
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)

    with CaptureQueriesContext(connection) as first:
        services.review_submit(
            user=user, question_id=question.pk, rating=3, idempotency_key="a", now=now, settings=FIXED
        )
    with CaptureQueriesContext(connection) as second:
        services.review_submit(
            user=user,
            question_id=question.pk,
            rating=3,
            idempotency_key="b",
            now=now + timedelta(minutes=15),
            settings=FIXED,
        )

    # first review: lock card (none), question published (with the key check), insert card, insert review
    assert len(_data_queries(first)) == 4
    # later reviews: lock card (with the key check), insert review, update card
    assert len(_data_queries(second)) == 3


def test_undo_restores_the_card_and_removes_the_review() -> None:
    question = _bank(1)[0]
    user = make_user()
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    services.review_submit(
        user=user, question_id=question.pk, rating=3, idempotency_key="a", now=now, settings=FIXED
    )
    before = Card.objects.values(
        "state", "step", "stability", "difficulty", "due", "last_review", "reps"
    ).get()
    services.review_submit(
        user=user,
        question_id=question.pk,
        rating=1,
        idempotency_key="b",
        now=now + timedelta(minutes=20),
        settings=FIXED,
    )

    services.review_undo(user=user)

    assert (
        Card.objects.values("state", "step", "stability", "difficulty", "due", "last_review", "reps").get()
        == before
    )
    assert list(Review.objects.values_list("idempotency_key", flat=True)) == ["a"]


def test_undo_with_nothing_to_undo_is_a_409(api: APIClient) -> None:
    api.force_authenticate(make_user())
    response = api.post("/api/v1/practice/reviews/undo/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "nothing_to_undo"


def test_the_queue_shows_due_cards_first_then_new_ones_up_to_the_daily_limit(api: APIClient) -> None:
    questions = _bank(6)
    user = make_user(daily_new_limit=3)
    api.force_authenticate(user)
    with time_machine.travel(datetime(2026, 11, 20, 12, tzinfo=UTC), tick=False):
        services.review_submit(user=user, question_id=questions[4].pk, rating=4, idempotency_key="old")
    with time_machine.travel(datetime(2026, 12, 30, 12, tzinfo=UTC), tick=False):
        queue = api.get("/api/v1/practice/queue/").json()

    assert [item["kind"] for item in queue["items"]] == ["due", "new", "new", "new"]
    assert queue["items"][0]["question"]["id"] == questions[4].pk
    # new questions: basic first, then intermediate, then advanced
    assert [item["question"]["difficulty"] for item in queue["items"][1:]] == [
        "basic",
        "basic",
        "intermediate",
    ]
    assert (queue["due"], queue["new"], queue["daily_new_limit"]) == (1, 3, 3)
    assert set(queue["items"][1]["intervals"]) == {"1", "2", "3", "4"}


def test_new_cards_introduced_today_count_against_the_limit_until_the_study_day_ends() -> None:
    questions = _bank(5)
    # Berlin, study day starting at 04:00 local (03:00 UTC in winter)
    user = make_user(daily_new_limit=2, time_zone="Europe/Berlin", day_start_hour=4)
    evening = datetime(2026, 11, 23, 20, tzinfo=UTC)  # 21:00 in Berlin
    for number in range(2):
        services.review_submit(
            user=user,
            question_id=questions[number].pk,
            rating=3,
            idempotency_key=f"n{number}",
            now=evening,
            settings=FIXED,
        )

    after_midnight = datetime(2026, 11, 24, 1, 30, tzinfo=UTC)  # 02:30 in Berlin: still the same study day
    next_day = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 04:00 in Berlin: a new study day

    same_day = selectors.review_queue(user=user, now=after_midnight, settings=FIXED)
    new_day = selectors.review_queue(user=user, now=next_day, settings=FIXED)

    assert (same_day.new_introduced_today, same_day.new) == (2, 0)
    assert (new_day.new_introduced_today, new_day.new) == (0, 2)
    assert selectors.study_day_bounds(user=user, now=after_midnight) == (
        datetime(2026, 11, 23, 3, tzinfo=UTC),
        datetime(2026, 11, 24, 3, tzinfo=UTC),
    )


def test_learning_steps_come_back_within_the_day() -> None:
    question = _bank(1)[0]
    user = make_user()
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    services.review_submit(
        user=user, question_id=question.pk, rating=1, idempotency_key="a", now=now, settings=FIXED
    )

    right_after = selectors.review_queue(user=user, now=now + timedelta(seconds=30), settings=FIXED)
    minutes_later = selectors.review_queue(user=user, now=now + timedelta(minutes=2), settings=FIXED)

    assert (right_after.due, right_after.learning_later_today) == (0, 1)
    assert (minutes_later.due, minutes_later.learning_later_today) == (1, 0)


@pytest.mark.parametrize("count", [5, 40])
def test_the_queue_runs_the_same_queries_for_any_size(count: int, django_assert_num_queries: Any) -> None:
    questions = _bank(count)
    user = make_user(daily_new_limit=500)
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    for question in questions[: count // 2]:
        services.review_submit(
            user=user,
            question_id=question.pk,
            rating=1,
            idempotency_key=str(question.pk),
            now=now,
            settings=FIXED,
        )

    # due cards ranked and counted with the learning steps later today, the shown ones (with questions),
    # introduced today, new ids, new questions, the tags of all shown
    with django_assert_num_queries(6):
        queue = selectors.review_queue(user=user, now=now + timedelta(hours=1), settings=FIXED, limit=100)

    assert (queue.due, len(queue.items)) == (count // 2, count)


@pytest.mark.parametrize("due", [30, 300])
def test_the_queue_and_its_counts_run_the_same_queries_for_any_number_of_due_cards(
    due: int, django_assert_num_queries: Any
) -> None:
    topic = _bank(3)[0].topic
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    studied = Question.objects.bulk_create(
        Question(
            key=f"due-{number}",
            topic=topic,
            prompt=f"Due {number}?",
            short_answer="A.",
            key_points=["a"],
            status=QuestionStatus.PUBLISHED,
        )
        for number in range(due)
    )
    user = make_user()
    Card.objects.bulk_create(
        Card(
            user=user,
            question=question,
            state=CardState.REVIEW,
            stability=1.0 + number % 17,
            difficulty=5.0,
            due=now - timedelta(days=1 + number % 30),
            last_review=now - timedelta(days=40 + number % 7),
            reps=3,
        )
        for number, question in enumerate(studied)
    )

    # due cards ranked and counted with learning later, the shown ones (with questions), introduced today,
    # new ids, the tags (no room for new questions)
    with django_assert_num_queries(5):
        queue = selectors.review_queue(user=user, now=now, settings=FIXED, limit=20)
    # the dashboard's counts: due and learning later together, introduced today, new questions left
    with django_assert_num_queries(3):
        counts = selectors.review_queue(user=user, now=now, settings=FIXED, limit=0)

    shown_due = [item for item in queue.items if item.kind == "due"]
    assert (queue.due, queue.new, len(shown_due), len(queue.items)) == (
        due,
        3,
        min(due, 20),
        min(due + 3, 20),
    )
    assert (counts.due, counts.new, counts.learning_later_today, counts.items) == (due, 3, 0, [])
    keys = [scheduling.forgetting_key(selectors.card_state(item.card), now=now) for item in shown_due]  # type: ignore[arg-type]
    everything = sorted(
        (
            scheduling.forgetting_key(selectors.card_state(card), now=now)
            for card in Card.objects.filter(user=user)
        ),
        reverse=True,
    )
    assert keys == everything[: len(keys)]  # the lowest predicted recall first, out of all the due cards


def test_a_filtered_session_only_shows_its_topic(api: APIClient) -> None:
    _bank(3)
    catalog_services.questions_upsert(
        [
            {
                "key": "drf-1",
                "topic": "drf-views",
                "prompt": "A DRF question?",
                "key_points": ["x"],
                "status": "published",
            }
        ],
        revision_summary="t",
    )
    api.force_authenticate(make_user())

    queue = api.get("/api/v1/practice/queue/?topic=drf").json()

    assert [item["question"]["key"] for item in queue["items"]] == ["drf-1"]
    # a topic is what the learner typed: its statements are compiled for the request and not kept, so
    # made-up topics cannot fill the compiled statements' cache
    for topic in ("junk-1", "junk-2"):
        assert api.get(f"/api/v1/practice/queue/?topic={topic}").json()["items"] == []
    cached = [*selectors._RANKED_DUE_CARDS._shapes, *selectors._NEW_QUESTION_IDS._shapes]
    assert all(shape[0] is None for shape in cached), cached


def test_suspended_and_buried_cards_leave_the_queue(api: APIClient) -> None:
    first, second, third = _bank(3)
    user = make_user()
    api.force_authenticate(user)

    assert api.post(f"/api/v1/practice/cards/{first.pk}/suspend/").json()["suspended"] is True
    assert api.post(f"/api/v1/practice/cards/{second.pk}/bury/").status_code == 200
    queue = api.get("/api/v1/practice/queue/").json()
    api.post(f"/api/v1/practice/cards/{first.pk}/unsuspend/")
    after = api.get("/api/v1/practice/queue/").json()

    assert [item["question"]["id"] for item in queue["items"]] == [third.pk]
    assert [item["question"]["id"] for item in after["items"]] == [first.pk, third.pk]


def test_another_users_cards_and_reviews_are_invisible(api: APIClient) -> None:
    question = _bank(1)[0]
    owner = make_user()
    services.review_submit(
        user=owner, question_id=question.pk, rating=3, idempotency_key="mine", settings=FIXED
    )
    api.force_authenticate(make_user())

    log = api.get("/api/v1/practice/reviews/").json()
    undo = api.post("/api/v1/practice/reviews/undo/")

    assert log["results"] == []
    assert undo.status_code == 409
    assert Review.objects.filter(user=owner).count() == 1


def test_invalid_input_to_the_service_raises_clear_errors() -> None:
    question = _bank(1)[0]
    user = make_user()
    with pytest.raises(InvalidInput, match="rating must be 1"):
        services.review_submit(user=user, question_id=question.pk, rating=7, idempotency_key="k")
    with pytest.raises(NotFound):
        services.card_suspend(user=user, question_id=424242)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_of_the_same_review_record_one() -> None:
    question = _bank(1)[0]
    user = make_user()
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def submit() -> None:
        try:
            barrier.wait()
            results.append(
                services.review_submit(
                    user=user, question_id=question.pk, rating=3, idempotency_key="same", settings=FIXED
                ).created
            )
        except Exception as error:
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False, True]
    assert Review.objects.count() == 1
    assert Card.objects.get().reps == 1


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_different_reviews_of_one_card_apply_one_after_the_other() -> None:
    question = _bank(1)[0]
    user = make_user()
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    services.review_submit(
        user=user, question_id=question.pk, rating=3, idempotency_key="first", now=now, settings=FIXED
    )
    barrier = threading.Barrier(2)

    def submit(key: str) -> None:
        try:
            barrier.wait()
            services.review_submit(
                user=user,
                question_id=question.pk,
                rating=3,
                idempotency_key=key,
                now=now + timedelta(hours=1),
                settings=FIXED,
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(key,)) for key in ("x", "y")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    card = Card.objects.get()
    assert card.reps == 3  # neither update was lost
    concurrent = list(
        Review.objects.filter(idempotency_key__in=["x", "y"]).values_list("card_before", flat=True)
    )
    # the second saw the card as the first left it (the row lock serialised them)
    assert len(concurrent) == 2
    assert concurrent[0] != concurrent[1]


def _many_due_cards(user: Any, now: datetime, count: int) -> list[Card]:
    """Due cards in every studied state, with last reviews on, and a microsecond either side of, whole days."""
    import random

    rng = random.Random(18)
    cards = []
    for number, question in enumerate(_bank(count)):
        state = (CardState.LEARNING, CardState.RELEARNING, CardState.REVIEW, CardState.REVIEW)[number % 4]
        last_review = now - timedelta(days=rng.randint(0, 90), microseconds=rng.choice([-1, 0, 1, 0]))
        cards.append(
            Card.objects.create(
                user=user,
                question=question,
                state=state,
                step=None if state == CardState.REVIEW else 0,
                stability=rng.choice([rng.uniform(0.1, 120), 2.0, 4.0]),
                difficulty=rng.uniform(1, 10),
                due=now - timedelta(minutes=rng.randint(0, 3) * 30),
                last_review=last_review,
                reps=3,
            )
        )
    return cards


def test_the_database_ranks_due_cards_exactly_as_the_scheduler_would() -> None:
    # given: 40 due cards, some with equal keys (stability 2 or 4 and whole days since the last review)
    user = make_user(daily_new_limit=0)
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    cards = _many_due_cards(user, now, 40)
    # what the queue did before issue 18: the scheduler's recall of every due card, sorted in Python
    expected = sorted(
        cards,
        key=lambda card: (
            card.state == CardState.REVIEW,
            scheduling.retrievability(selectors.card_state(card), now=now, settings=FIXED),
            card.due,
            card.pk,
        ),
    )

    # when
    top = selectors.review_queue(user=user, now=now, settings=FIXED, limit=10)
    everything = selectors.review_queue(user=user, now=now, settings=FIXED, limit=100)
    keys_in_sql = dict(
        Card.objects.filter(user=user)
        .annotate(key=selectors.forgetting_expression(now=now))
        .values_list("id", "key")
    )

    # then
    assert keys_in_sql == {
        card.pk: scheduling.forgetting_key(selectors.card_state(card), now=now) for card in cards
    }
    assert [item.card.pk for item in everything.items if item.card] == [card.pk for card in expected]
    assert [item.card.pk for item in top.items if item.card] == [card.pk for card in expected[:10]]
    assert [item.retrievability for item in top.items] == [
        scheduling.retrievability(selectors.card_state(card), now=now, settings=FIXED)
        for card in expected[:10]
    ]
    assert (top.due, everything.due) == (40, 40)


def test_the_scheduler_runs_only_for_the_cards_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    # given: 30 due cards
    user = make_user(daily_new_limit=0)
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    cards = {(card.stability, card.last_review): card.pk for card in _many_due_cards(user, now, 30)}
    assert len(cards) == 30
    asked_about: list[tuple[float | None, datetime | None]] = []
    real_retrievability = scheduling.retrievability

    def counting_retrievability(card: scheduling.CardState, **kwargs: Any) -> float:
        asked_about.append((card.stability, card.last_review))
        return real_retrievability(card, **kwargs)

    monkeypatch.setattr(scheduling, "retrievability", counting_retrievability)

    # when: the dashboard's counts, then a queue of 5
    counts = selectors.review_queue(user=user, now=now, settings=FIXED, limit=0)
    counted = len(asked_about)
    queue = selectors.review_queue(user=user, now=now, settings=FIXED, limit=5)

    # then
    assert (counts.due, counted) == (30, 0)
    assert queue.due == 30
    assert {cards[asked] for asked in asked_about} == {item.card.pk for item in queue.items if item.card}


def test_a_session_narrowed_to_a_tag_counts_and_shows_only_its_due_cards(api: APIClient) -> None:
    # given: three due cards, two of them on questions tagged "orm" (one with a second tag)
    questions = _bank(3)
    catalog_services.question_tags_set(question=questions[0], slugs=["orm", "queries"])
    catalog_services.question_tags_set(question=questions[2], slugs=["orm"])
    user = make_user(daily_new_limit=0)
    api.force_authenticate(user)
    with time_machine.travel(datetime(2026, 11, 20, 12, tzinfo=UTC), tick=False):
        for question in questions:
            services.review_submit(
                user=user, question_id=question.pk, rating=3, idempotency_key=str(question.pk)
            )

    # when: weeks later, everything is due
    with time_machine.travel(datetime(2026, 12, 30, 12, tzinfo=UTC), tick=False):
        tagged = api.get("/api/v1/practice/queue/?tag=orm").json()
        everything = api.get("/api/v1/practice/queue/").json()

    # then
    assert tagged["due"] == 2
    assert sorted(item["question"]["id"] for item in tagged["items"]) == [questions[0].pk, questions[2].pk]
    assert everything["due"] == 3


def _jwt_client(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def test_a_review_through_the_api_runs_four_statements_plus_the_transaction(
    django_assert_num_queries: Any,
) -> None:
    question = _bank(1)[0]
    user = make_user()
    client = _jwt_client(user)
    client.post(
        "/api/v1/practice/reviews/",
        {"question": question.pk, "rating": 3, "idempotency_key": "first"},
        format="json",
    )

    # the signed-in user, the card locked (with the key check and the fitted parameters), the review
    # inserted, the card updated; plus the transaction (a savepoint here, BEGIN/COMMIT in a request)
    with django_assert_num_queries(6) as captured:
        response = client.post(
            "/api/v1/practice/reviews/",
            {"question": question.pk, "rating": 3, "idempotency_key": "second"},
            format="json",
        )

    assert response.status_code == 201
    assert len(_data_queries(captured)) == 4
    assert Card.objects.get(user=user, question=question).reps == 2
    assert Review.objects.filter(user=user).count() == 2


def test_a_first_review_through_the_api_runs_five_statements() -> None:
    question = _bank(1)[0]
    client = _jwt_client(make_user())

    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            "/api/v1/practice/reviews/",
            {"question": question.pk, "rating": 3, "idempotency_key": "first"},
            format="json",
        )

    assert response.status_code == 201
    # the user, the card (none), the question published (with the key check), insert card, insert review
    assert len(_data_queries(captured)) == 5


@pytest.mark.parametrize("existing_card", [False, True])
def test_a_review_uses_the_users_fitted_parameters_read_in_the_same_statement(existing_card: bool) -> None:
    question = _bank(1)[0]
    user = make_user()
    fitted = list(scheduling.DEFAULT_PARAMETERS)
    fitted[2] = 7.5  # the initial stability after "good"
    if existing_card:
        Card.objects.create(user=user, question=question, due=datetime(2026, 1, 1, tzinfo=UTC))
    SchedulerParameters.objects.create(user=user, parameters=fitted, review_count=500)

    result = services.review_submit(user=user, question_id=question.pk, rating=3, idempotency_key="k")

    assert result.card.stability == 7.5
    assert Card.objects.get(user=user, question=question).stability == 7.5


def test_without_fitted_parameters_a_review_uses_the_defaults() -> None:
    question = _bank(1)[0]
    user = make_user()

    result = services.review_submit(user=user, question_id=question.pk, rating=3, idempotency_key="k")

    assert result.card.stability == scheduling.DEFAULT_PARAMETERS[2]


def test_a_used_key_for_an_unpublished_question_is_still_a_conflict() -> None:
    first = _bank(1)[0]
    user = make_user()
    services.review_submit(user=user, question_id=first.pk, rating=3, idempotency_key="k", settings=FIXED)

    with pytest.raises(Conflict) as error:
        services.review_submit(user=user, question_id=999999, rating=3, idempotency_key="k", settings=FIXED)

    assert error.value.code == "idempotency_key_reused"
