"""The home page (visitor introduction, dashboard) and the statistics page, through the Django test client."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Min
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, timezone

from prepdeck.accounts.models import User
from prepdeck.accounts.tests.factories import make_user
from prepdeck.catalog.models import Question, Topic
from prepdeck.practice import selectors, services, sessions
from prepdeck.practice.models import Card, MockInterview
from prepdeck.web.tests.conftest import make_bank

pytestmark = pytest.mark.django_db


def review(user: User, question: Question, rating: int, *, days_ago: float, key: str = "") -> None:
    services.review_submit(
        user=user,
        question_id=question.pk,
        rating=rating,
        idempotency_key=key or f"{question.pk}-{days_ago}",
        now=timezone.now() - timedelta(days=days_ago),
    )


def finished_mock(user: User) -> MockInterview:
    interview = sessions.mock_start(user=user, topics=["django-orm"], difficulty_mix={"basic": 1})
    return sessions.mock_finish(user=user, interview_id=interview.pk)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the visitor's home page ------------------------------------------------------------------------------


def test_a_visitor_gets_an_introduction_with_a_one_click_start(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.templates[0].name == "web/home.html"
    content = response.content.decode()
    assert '<h1 id="hero-title">Prepare for Django, DRF and PostgreSQL interviews</h1>' in content
    assert f'<a class="button big" href="{reverse("accounts:signup")}">Create a free account</a>' in content
    assert f'<a class="button secondary big" href="{reverse("web:browse")}">Browse questions</a>' in content
    for feature in ("A question bank", "Spaced repetition", "Quizzes", "Mock interviews"):
        assert f"<h3>{feature}</h3>" in content
    assert "Start review" not in content


# --- the dashboard ----------------------------------------------------------------------------------------


def test_a_new_user_gets_the_welcome_card_and_empty_states(
    learner_client: Client, bank: list[Question]
) -> None:
    response = learner_client.get("/")

    assert response.status_code == 200
    assert response.templates[0].name == "web/dashboard/dashboard.html"
    content = response.content.decode()
    assert '<h2 id="welcome-title">Welcome to PrepDeck</h2>' in content
    assert f'<a class="button big" href="{reverse("web:review")}">Start your first review</a>' in content
    assert "aiming for 90% recall" in content
    assert '<span class="stat">0</span> <span class="stat-label">due now' in content
    # 12 published questions, a daily limit of 20
    assert '<span class="stat">12</span> <span class="stat-label">new today<br>0 of 20 started' in content
    assert "<strong>Nothing to work on yet</strong>" in content
    assert "<strong>No mock interviews yet</strong>" in content
    assert f'<a class="button" href="{reverse("web:mock_new")}">Start a mock interview</a>' in content
    assert "0 reviews on 0 days of the last 36" in content
    assert "Start review</a>" not in content
    assert "All done for today" not in content


def test_an_active_user_sees_due_new_streak_weakest_topics_and_start_review(
    learner: User, bank: list[Question]
) -> None:
    # given three questions forgotten yesterday (due again within minutes) and one two days ago
    for question in bank[:3]:
        review(learner, question, 1, days_ago=1)
    review(learner, bank[3], 3, days_ago=2)

    content = signed_in(learner).get("/").content.decode()

    assert "Welcome to PrepDeck" not in content
    assert '<span class="stat">4</span> <span class="stat-label">due now' in content
    assert '<span class="stat">8</span> <span class="stat-label">new today<br>0 of 20 started' in content
    assert '<span class="stat">2</span> <span class="stat-label">day streak<br>0 reviews today' in content
    assert f'<a class="button big" href="{reverse("web:review")}">Start review</a>' in content
    assert "4 due and 8 new cards waiting." in content
    # bank[0] and bank[3] are ORM questions, bank[1] serializers, bank[2] indexes
    assert (
        'href="/review/?topic=django-orm">Study these<span class="visually-hidden"> questions on ORM and'
        in content
    )
    assert 'href="/review/?topic=drf-serializers">Study these' in content
    assert 'href="/review/?topic=postgresql-indexes">Study these' in content
    assert "4 reviews on 2 days of the last 36" in content
    assert "<title>Cards due in the next 30 days: 4 in all, most on " in content


def test_when_nothing_is_left_the_dashboard_says_when_the_next_card_is_due(
    learner: User, bank: list[Question]
) -> None:
    for question in bank:
        review(learner, question, 4, days_ago=1)
    next_due = Card.objects.filter(user=learner).aggregate(Min("due"))["due__min"]

    content = signed_in(learner).get("/").content.decode()

    shown = dateformat.format(next_due.astimezone(ZoneInfo(learner.time_zone)), "D j M, H:i")
    assert f"<strong>All done for today.</strong>\n      Next card due {shown} (in " in content
    assert "Start review</a>" not in content
    assert f'<a class="button secondary" href="{reverse("web:quiz_new")}">Take a quiz</a>' in content


def test_recent_mock_interviews_link_to_their_report_or_to_continue(
    learner: User, bank: list[Question]
) -> None:
    finished = finished_mock(learner)
    in_progress = sessions.mock_start(
        user=learner, topics=["drf-serializers"], difficulty_mix={"intermediate": 1}
    )

    content = signed_in(learner).get("/").content.decode()

    assert "No mock interviews yet" not in content
    assert f'<a href="/mock/{finished.pk}/report/">Report<span class="visually-hidden">' in content
    assert "<td>0%</td>" in content
    assert f'<a href="/mock/{in_progress.pk}/">Continue<span class="visually-hidden">' in content
    assert content.count('<span class="badge status">In progress</span>') == 1


def test_another_users_mock_interviews_are_not_shown(learner: User, bank: list[Question]) -> None:
    someone_else = make_user()
    finished_mock(someone_else)

    content = signed_in(learner).get("/").content.decode()

    assert "<strong>No mock interviews yet</strong>" in content


def test_the_dashboard_escapes_what_the_user_typed(bank: list[Question]) -> None:
    user = make_user(display_name="<script>alert(1)</script>")

    content = signed_in(user).get("/").content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_statistics_list_mastery_grouped_by_area_in_tree_order(learner: User, bank: list[Question]) -> None:
    # given questions in Django's and DRF's "Authentication, permissions and ..." topics too (issue 16 item 9)
    Question.objects.filter(pk=bank[0].pk).update(topic=Topic.objects.get(slug="drf-auth-permissions"))
    Question.objects.filter(pk=bank[1].pk).update(topic=Topic.objects.get(slug="django-auth"))

    response = signed_in(learner).get("/statistics/")

    content = response.content.decode()
    groups = re.findall(r'class="mastery-area-title">([^<]+)</th>', content)
    assert groups == ["Django", "Django REST Framework", "PostgreSQL"]
    topics = re.findall(r'<a href="/browse/\?topic=([a-z-]+)">', content)
    assert topics == [
        "django-orm",
        "django-auth",
        "drf-serializers",
        "drf-auth-permissions",
        "postgresql-indexes",
    ]


@pytest.mark.parametrize(("reviews", "mocks", "due"), [(2, 1, 0), (40, 4, 0), (2, 1, 300)])
def test_the_dashboard_runs_the_same_queries_for_any_history(
    reviews: int, mocks: int, due: int, django_assert_num_queries: object
) -> None:
    questions = make_bank(12)
    user = make_user()
    for number in range(reviews):  # every review forgotten, so cards are due and new ones remain
        review(user, questions[number % 8], 1, days_ago=(reviews - number) / 4, key=str(number))
    for _ in range(mocks):
        finished_mock(user)
    now = timezone.now()
    studied = Question.objects.bulk_create(
        Question(
            key=f"due-{n}", topic=questions[0].topic, prompt=f"Due {n}?", key_points=["a"], status="published"
        )
        for n in range(due)
    )
    Card.objects.bulk_create(  # ``due`` more review cards due now
        Card(
            user=user,
            question=question,
            state=2,
            stability=1.0 + n % 17,
            difficulty=5.0,
            due=now - timedelta(days=1 + n % 30),
            last_review=now - timedelta(days=40),
            reps=3,
        )
        for n, question in enumerate(studied)
    )
    client = signed_in(user)

    # session, user, editor?; scheduler settings; statistics (9); queue counts (3: due and learning later,
    # introduced today, new left); mock interviews
    with django_assert_num_queries(17):  # type: ignore[operator]
        response = client.get("/")

    assert response.status_code == 200
    assert response.context["queue"].due == min(reviews, 8) + due  # the 8 reviewed cards and the extra ones


# --- statistics -------------------------------------------------------------------------------------------


def test_statistics_need_an_account(client: Client) -> None:
    response = client.get("/statistics/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/statistics/"


def test_statistics_of_a_new_user_show_an_empty_state(learner_client: Client, bank: list[Question]) -> None:
    content = learner_client.get("/statistics/").content.decode()

    assert "<strong>No reviews yet</strong>" in content
    assert f'<a class="button" href="{reverse("web:review")}">Start reviewing</a>' in content
    assert 'role="img"' not in content
    assert (
        '<dt class="stat-label">True retention</dt><dd class="stat"><span aria-hidden="true">–</span>'
        in content
    )
    # mastery is still listed (0 % everywhere), each topic linking to its questions
    assert '<a href="/browse/?topic=django-orm">ORM and QuerySets</a>' in content
    assert content.count('<span class="mastery-percent">0%</span>') == 3


def test_statistics_show_charts_retention_and_mastery(learner: User, bank: list[Question]) -> None:
    # given a question learnt (Easy) 20 days ago and recalled 10 days ago, another forgotten 10 days ago
    review(learner, bank[0], 4, days_ago=20)
    review(learner, bank[1], 4, days_ago=20)
    review(learner, bank[0], 3, days_ago=10)
    review(learner, bank[1], 1, days_ago=10)

    content = signed_in(learner).get("/statistics/").content.decode()

    assert "No reviews yet" not in content
    assert '<dt class="stat-label">Reviews</dt><dd class="stat">4</dd>' in content
    assert '<dt class="stat-label">Questions studied</dt><dd class="stat">2</dd>' in content
    assert '<dt class="stat-label">True retention</dt><dd class="stat">50%</dd>' in content
    assert content.count('role="img"') == 3  # forecast, retention, heatmap
    assert "Target 90%</text>" in content
    assert "recalled (1 of 2)</title>" in content
    assert "4 reviews on 2 days of the last 36" in content
    assert "your desired retention of 90%" in content
    assert '<a href="/browse/?topic=drf-serializers">Serializers</a>' in content
    assert '<td class="number">4</td>' in content  # 4 questions per topic in the 12-question bank
    # every chart has its data as a visually hidden table
    assert content.count('<div class="visually-hidden">\n  <table>') == 3


@pytest.mark.parametrize(("reviews", "mocks"), [(2, 1), (40, 4)])
def test_statistics_run_the_same_queries_for_any_history(
    reviews: int, mocks: int, django_assert_num_queries: object
) -> None:
    questions = make_bank(12)
    user = make_user()
    for number in range(reviews):
        review(user, questions[number % 8], 3, days_ago=(reviews - number) / 2, key=str(number))
    for _ in range(mocks):
        finished_mock(user)
    client = signed_in(user)

    # session, user; scheduler settings; statistics (9)
    with django_assert_num_queries(13):  # type: ignore[operator]
        response = client.get("/statistics/")

    assert response.status_code == 200


# --- the selectors the dashboard added ---------------------------------------------------------------------


def test_next_due_at_is_the_earliest_future_due_counting_burials(learner: User, bank: list[Question]) -> None:
    now = timezone.now()
    for question in bank[:3]:
        review(learner, question, 4, days_ago=0)
    cards = list(Card.objects.filter(user=learner).order_by("due"))
    services.card_suspend(user=learner, question_id=cards[0].question_id)
    services.card_bury(user=learner, question_id=cards[1].question_id, until=cards[2].due + timedelta(days=1))

    assert selectors.next_due_at(user=learner, now=now) == cards[2].due
    assert selectors.next_due_at(user=learner, now=cards[2].due) == cards[2].due + timedelta(days=1)
    assert selectors.next_due_at(user=make_user(), now=now) is None


def test_recent_mock_interviews_are_the_users_newest_first(learner: User, bank: list[Question]) -> None:
    interviews = [finished_mock(learner) for _ in range(3)]
    finished_mock(make_user())

    assert selectors.recent_mock_interviews(user=learner, limit=2) == [interviews[2], interviews[1]]
