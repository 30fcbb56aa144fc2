"""The review flow without dead ends (issue 13 item 5), through the Django test client: learning steps due
in a few minutes, learning more in a topic beyond the daily limit, and which new cards count against it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from prepdeck.accounts.models import User
from prepdeck.catalog.models import Question
from prepdeck.practice import services, sessions
from prepdeck.practice.models import Card, Review, ReviewSource

pytestmark = pytest.mark.django_db

# The web bank: 12 questions, bank[n] in topic ["django-orm", "drf-serializers", "postgresql-indexes"][n % 3]


def _text(response: Any) -> str:
    return response.content.decode()


def _limit(user: User, limit: int) -> None:
    user.daily_new_limit = limit
    user.save(update_fields=["daily_new_limit"])


def _review(user: User, question: Question, rating: int, key: str) -> None:
    services.review_submit(user=user, question_id=question.pk, rating=rating, idempotency_key=key)


def test_a_learning_step_due_in_a_minute_is_offered_now_instead_of_a_dead_end(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    # given the only new card of the day was forgotten: its next learning step is a minute away
    _limit(learner, 1)
    first = learner_client.get("/review/").context["item"].question
    _review(learner, first, 1, "again")

    finished = learner_client.get("/review/")

    html = _text(finished)
    assert finished.context["item"] is None
    assert "1 card in learning is due within 20 minutes: you can take it now." in html
    assert (
        '<a class="button" href="/review/?ahead=1" data-action="continue" data-focus>Continue now</a>' in html
    )
    assert " 0 minutes" not in html
    assert "Your next card is due" not in html

    # when the learner continues, that card is shown at once and can be rated
    ahead = learner_client.get("/review/?ahead=1")
    assert ahead.context["item"].question == first
    assert ahead.context["item"].kind == "due"
    assert '<input type="hidden" name="ahead" value="1">' in _text(ahead)
    learner_client.post(
        "/review/rate/", {"question": first.pk, "rating": 3, "idempotency_key": "good", "ahead": "1"}
    )
    assert Review.objects.filter(user=learner).count() == 2


def test_after_a_topic_session_the_finished_screen_counts_what_is_due_everywhere(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    # given three due cards outside postgresql-indexes and a daily limit already met
    _limit(learner, 3)
    for question in bank[:2]:
        _review(learner, question, 3, f"k{question.pk}")
    _review(learner, bank[3], 3, "k3")
    Card.objects.filter(user=learner).update(due=Card.objects.values("due")[:1][0]["due"].replace(year=2020))
    dashboard = learner_client.get("/").context["queue"]

    finished = learner_client.get("/review/?topic=postgresql-indexes")

    assert finished.context["item"] is None
    assert (dashboard.due, dashboard.new) == (3, 0)
    assert "Every topic: 3 due now, 0 new." in _text(finished)
    assert 'href="/review/" data-action="review-everything">Review every topic</a>' in _text(finished)


def test_a_topic_session_learns_more_beyond_the_daily_limit_when_asked(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    # given the daily limit of 1 met by an ORM question rated Easy (not due again today)
    _limit(learner, 1)
    _review(learner, bank[0], 4, "easy")

    finished = learner_client.get("/review/?topic=django-orm")

    html = _text(finished)
    assert finished.context["item"] is None
    assert finished.context["learn_more"] == {"count": 3, "url": "/review/?topic=django-orm&more=10"}
    assert (
        'href="/review/?topic=django-orm&amp;more=10" data-action="learn-more" data-focus>Learn 3 more in'
        in html
    )

    # when the learner asks for more, new ORM questions come, and the page says why
    more = learner_client.get("/review/?topic=django-orm&more=10")
    text = _text(more)
    assert more.context["item"].kind == "new"
    assert more.context["item"].question.topic.slug == "django-orm"
    assert (more.context["queue"].new, more.context["remaining"]) == (3, 3)
    assert "up to 10 new questions beyond your daily limit of 1, because you asked for them." in text
    for number, question in enumerate((bank[3], bank[6], bank[9])):
        response = learner_client.post(
            "/review/rate/",
            {
                "question": question.pk,
                "rating": 4,
                "idempotency_key": f"m{number}",
                "topic": "django-orm",
                "more": "10",
            },
        )
        assert response["Location"] == "/review/?topic=django-orm&more=10"

    # then the topic is exhausted: nothing more to offer, and other topics keep their limit
    done = learner_client.get("/review/?topic=django-orm&more=10")
    assert done.context["item"] is None
    assert done.context["learn_more"] is None
    assert learner_client.get("/review/").context["queue"].new == 0
    dashboard = _text(learner_client.get("/"))
    assert "1 of 1 started, +3 more you chose to learn" in dashboard


def test_more_without_a_topic_tag_or_difficulty_is_ignored(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    _limit(learner, 1)
    _review(learner, bank[0], 4, "easy")

    response = learner_client.get("/review/?more=10")

    assert response.context["item"] is None
    assert response.context["filters"] == {}
    assert response.context["learn_more"] is None


def test_a_weak_topic_past_the_limit_offers_to_learn_more_not_a_one_card_session(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    # given the limit of 1 met and one ORM card forgotten (due again within minutes)
    _limit(learner, 1)
    _review(learner, bank[0], 1, "again")
    Card.objects.filter(user=learner).update(due=Card.objects.get(user=learner).due.replace(year=2020))

    dashboard = _text(learner_client.get("/"))
    session = learner_client.get("/review/?topic=django-orm")

    # the dashboard's "Study these" asks for a batch beyond the limit, and says so
    assert 'href="/review/?topic=django-orm&amp;more=10">Study these' in dashboard
    assert '+ up to 10 new<span class="visually-hidden"> beyond today’s limit</span>' in dashboard
    # and a session opened without it offers the same choice while its one due card is shown
    assert session.context["item"].question == bank[0]
    assert session.context["learn_more"] == {"count": 3, "url": "/review/?topic=django-orm&more=10"}
    assert "You reached today’s limit of 1 new question; this session shows only cards already due." in _text(
        session
    )


def test_quiz_and_mock_questions_do_not_use_up_the_new_card_limit(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    # given a limit of 2, one card started in review, three questions met in a quiz, one in a mock interview
    _limit(learner, 2)
    _review(learner, bank[0], 4, "review")
    quiz = sessions.quiz_create(user=learner, kind="choice", count=3, topics=["drf-serializers"], seed=1)
    for item in quiz.items.all():
        sessions.quiz_answer(user=learner, quiz_id=quiz.pk, position=item.position, chosen_option=0)
    interview = sessions.mock_start(
        user=learner,
        topics=["postgresql-indexes"],
        difficulty_mix={"basic": 0, "intermediate": 0, "advanced": 1},
    )
    sessions.mock_answer(user=learner, interview_id=interview.pk, answer="An index.")

    response = learner_client.get("/")

    queue = response.context["queue"]
    assert (
        Review.objects.filter(user=learner, state_before=0).exclude(source=ReviewSource.REVIEW).count() == 4
    )
    assert (queue.new_introduced_today, queue.new_from_practice_today, queue.new) == (1, 4, 1)
    assert (
        'new today<br>1 of 2 started<br><span class="small">+4 first met in quizzes and mock interviews'
        in (_text(response))
    )


def test_the_dashboard_offers_a_learning_step_minutes_away_instead_of_all_done(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    _limit(learner, 1)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        _review(learner, bank[0], 1, "again")  # the next learning step is a minute away
    with time_machine.travel(now + timedelta(seconds=30), tick=False):
        content = _text(learner_client.get("/"))

    assert "<strong>Nothing due this minute.</strong>" in content
    assert "(in less than a minute)." in content
    assert '<a class="button" href="/review/?ahead=1">Continue now</a>' in content
    assert "All done for today" not in content


def test_with_a_daily_limit_of_zero_study_these_asks_for_nothing_new(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    _review(learner, bank[0], 1, "again")
    _limit(learner, 0)
    Card.objects.filter(user=learner).update(due=Card.objects.get(user=learner).due.replace(year=2020))

    content = _text(learner_client.get("/"))

    assert 'href="/review/?topic=django-orm">Study these' in content
