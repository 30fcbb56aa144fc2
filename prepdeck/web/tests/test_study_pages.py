"""Review, quiz and mock interview pages through the Django test client."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from prepdeck.accounts.models import User
from prepdeck.accounts.tests.factories import make_user
from prepdeck.catalog.models import Question, Topic
from prepdeck.practice import sessions
from prepdeck.practice.models import Card, MockInterview, Quiz, QuizItem, Review, ReviewSource

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return response.content.decode()


def _rate(
    client: Client, question_id: int, rating: int, key: str, *, htmx: bool = False, **extra: Any
) -> Any:
    return client.post(
        "/review/rate/",
        {"question": question_id, "rating": rating, "idempotency_key": key, "duration_ms": 1500, **extra},
        headers={"HX-Request": "true"} if htmx else {},
    )


@pytest.mark.parametrize("url", ["/review/", "/quiz/", "/mock/", "/quiz/1/", "/mock/1/", "/mock/1/report/"])
def test_study_pages_need_an_account(client: Client, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_review_page_shows_the_first_card_with_the_interval_of_each_rating(
    learner_client: Client, bank: list[Question]
) -> None:
    response = learner_client.get("/review/")

    html = _text(response)
    item = response.context["item"]
    assert item.kind == "new"
    assert item.question.prompt in html
    assert [label for _, label, _, _ in response.context["ratings"]] == ["Again", "Hard", "Good", "Easy"]
    assert 'data-rating="1"' in html
    assert 'data-rating="4"' in html
    assert "<kbd>Space</kbd>" in html
    assert 'class="rating-interval">1m<' in html  # Again on a new card: the first learning step


def test_rating_records_one_review_and_swaps_in_the_next_card(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    first = learner_client.get("/review/").context["item"].question

    response = _rate(learner_client, first.pk, 3, "key-1", htmx=True)

    assert response.status_code == 200
    assert "<html" not in _text(response)  # a fragment for htmx
    assert response.context["item"].question.pk != first.pk
    assert response.context["done"] == 1
    review = Review.objects.get(user=learner)
    assert (review.card.question_id, review.rating, review.duration_ms) == (first.pk, 3, 1500)


def test_a_double_submitted_rating_is_recorded_once(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    question = bank[0]

    _rate(learner_client, question.pk, 3, "same-key")
    _rate(learner_client, question.pk, 3, "same-key")

    assert Review.objects.filter(user=learner).count() == 1


def test_rating_without_javascript_redirects_back_to_the_review_with_its_filters(
    learner_client: Client, bank: list[Question]
) -> None:
    response = _rate(learner_client, bank[0].pk, 4, "plain", topic="django-orm")

    assert response.status_code == 302
    assert response["Location"] == "/review/?topic=django-orm"


def test_an_invalid_rating_records_nothing_and_says_why(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    response = _rate(learner_client, bank[0].pk, 7, "bad", htmx=True)

    assert response.status_code == 200
    assert "The rating must be 1 (again)" in _text(response)
    assert Review.objects.count() == 0


def test_undo_takes_back_the_last_rating_and_shows_that_card_again(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    first = learner_client.get("/review/").context["item"].question
    _rate(learner_client, first.pk, 1, "undo-me")

    response = learner_client.post("/review/undo/", headers={"HX-Request": "true"})

    assert Review.objects.count() == 0
    assert response.context["item"].question.pk == first.pk
    assert response.context["done"] == 0


def test_undo_with_nothing_to_undo_says_so(learner_client: Client, bank: list[Question]) -> None:
    response = learner_client.post("/review/undo/", follow=True)

    assert "There is no review to undo." in _text(response)


def test_a_typed_answer_is_graded_and_a_rating_suggested(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    question = bank[0]

    response = learner_client.post(
        "/review/reveal/",
        {
            "question": question.pk,
            "answer": "Feature 0 runs one query; select_related follows foreign keys with a join.",
        },
    )

    html = _text(response)
    assert response.context["revealed"] is True
    assert response.context["grade"].points[0].covered is True
    assert "Your answer covered" in html
    assert html.count("rating suggested") + html.count('suggested"') >= 1
    assert Review.objects.count() == 0  # grading alone records nothing


CONTRADICTING_ANSWER = (
    "Feature 0 runs one query. select_related does not follow foreign keys, it never uses a join. "
    "<script>alert(1)</script>"
)
COVERED_MARK = (
    '<mark class="covered"><span class="visually-hidden">[covered, point 1: </span>Feature 0 runs one query'
    '<span class="visually-hidden">]</span></mark><sup class="point-ref" aria-hidden="true">1</sup>'
)
CONTRADICTED_MARK = (
    '<mark class="contradicted"><span class="visually-hidden">[contradicted, point 2: </span>'
    "select_related does not follow foreign keys, it never uses a join"
    '<span class="visually-hidden">]</span></mark><sup class="point-ref" aria-hidden="true">2</sup>'
)


def test_a_typed_answer_shows_each_key_point_verdict_and_highlights_the_deciding_phrases(
    learner_client: Client, bank: list[Question]
) -> None:
    response = learner_client.post(
        "/review/reveal/", {"question": bank[0].pk, "answer": CONTRADICTING_ANSWER}
    )

    html = _text(response)
    assert [point.verdict for point in response.context["grade"].points] == [
        "covered",
        "contradicted",
        "missing",
    ]
    assert "Your answer covered 1 of 3 key points</strong> and contradicted 1 (score 19%)" in html
    assert (
        '<li class="contradicted"><span aria-hidden="true">≠</span> <span class="visually-hidden">Contradicted:</span>'
        in html
    )
    assert "(your answer says the opposite)" in html
    assert (
        '<li class="missing"><span aria-hidden="true">✗</span> <span class="visually-hidden">Missing:</span>'
        in html
    )
    assert COVERED_MARK in html
    assert CONTRADICTED_MARK in html
    assert " &lt;script&gt;alert(1)&lt;/script&gt;</blockquote>" in html
    assert "<script>alert(1)" not in html


def test_an_answer_the_grader_is_unsure_about_asks_the_learner_to_grade_it(
    learner_client: Client, bank: list[Question]
) -> None:
    response = learner_client.post(
        "/review/reveal/",
        {"question": bank[0].pk, "answer": "It runs a query with a join, then a second one."},
    )

    html = _text(response)
    assert response.context["grade"].needs_review is True
    assert "the grader is not sure about this answer" in html
    assert "Grade it yourself." in html
    assert "Suggested rating" not in html
    assert [suggested for _, _, _, suggested in response.context["ratings"]] == [False] * 4
    assert " suggested" not in html.split('class="ratings"')[1]


def test_the_finished_screen_gives_the_next_due_time(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    learner.daily_new_limit = 1
    learner.save(update_fields=["daily_new_limit"])
    first = learner_client.get("/review/").context["item"].question
    _rate(learner_client, first.pk, 4, "easy")

    response = learner_client.get("/review/")

    html = _text(response)
    assert response.context["item"] is None
    assert "All done for now" in html
    assert "Your next card is due" in html
    assert "limit of 1 new question" in html


def test_a_topic_session_only_shows_that_topic(learner_client: Client, bank: list[Question]) -> None:
    response = learner_client.get("/review/?topic=postgresql-indexes")

    assert response.context["item"].question.topic.slug == "postgresql-indexes"
    assert "Review: PostgreSQL" in _text(response) or response.context["topic"].slug == "postgresql-indexes"


def test_the_review_page_runs_the_same_number_of_queries_with_many_cards(
    learner: User, learner_client: Client, bank: list[Question], django_assert_num_queries: Any
) -> None:
    from prepdeck.practice import services

    def due_cards(count: int) -> None:
        for question in bank[:count]:
            services.review_submit(
                user=learner, question_id=question.pk, rating=3, idempotency_key=f"k{question.pk}"
            )
        Card.objects.filter(user=learner).update(due=timezone.now() - timedelta(days=1))

    due_cards(1)
    with django_assert_num_queries(10):
        few = learner_client.get("/review/")
    due_cards(12)
    with django_assert_num_queries(10):
        many = learner_client.get("/review/")

    assert (few.context["queue"].due, many.context["queue"].due) == (1, 12)


# --- topic pickers (issue 16 item 9) ------------------------------------------------------------------------


def _spread_over_areas(bank: list[Question]) -> None:
    """Move two questions to the two "Authentication, permissions and ..." topics (Django's and DRF's)."""
    Question.objects.filter(pk=bank[0].pk).update(topic=Topic.objects.get(slug="django-auth"))
    Question.objects.filter(pk=bank[1].pk).update(topic=Topic.objects.get(slug="drf-auth-permissions"))


@pytest.mark.parametrize("url", ["/quiz/", "/mock/"])
def test_topic_pickers_group_topics_by_area_in_tree_order(
    learner_client: Client, bank: list[Question], url: str
) -> None:
    _spread_over_areas(bank)

    response = learner_client.get(url)

    assert [(area.title, [title for _, title in area.topics]) for area in response.context["areas"]] == [
        ("Django", ["ORM and QuerySets", "Authentication, permissions and sessions"]),
        ("Django REST Framework", ["Serializers", "Authentication, permissions and throttling"]),
        ("PostgreSQL", ["Indexes and query plans"]),
    ]
    html = _text(response)
    assert html.count('name="areas"') == 3
    assert '<input type="checkbox" name="areas" value="django" data-area-all> All of Django</label>' in html
    assert html.index("<legend>Django</legend>") < html.index('value="django-auth"')
    assert html.index('value="django-auth"') < html.index("<legend>Django REST Framework</legend>")


def test_ticking_a_whole_area_picks_its_topics_without_javascript(
    learner_client: Client, bank: list[Question]
) -> None:
    # given Django questions in two topics
    _spread_over_areas(bank)
    django_questions = Question.objects.filter(topic__parent__slug="django").count()

    # when a quiz is asked for with the area ticked
    response = learner_client.post("/quiz/", {"kind": "written", "count": 50, "areas": ["django"]})

    # then it is made of every question of the area's topics, and of nothing else
    assert response.status_code == 302
    quiz = Quiz.objects.get()
    assert set(QuizItem.objects.filter(quiz=quiz).values_list("question__topic__slug", flat=True)) == {
        "django-auth",
        "django-orm",
    }
    assert quiz.items.count() == django_questions == 4


def test_a_form_sent_back_shows_the_areas_topics_ticked_one_by_one(
    learner_client: Client, bank: list[Question]
) -> None:
    _spread_over_areas(bank)

    response = learner_client.post(
        "/mock/",
        {
            "areas": ["django"],
            "count_basic": 50,
            "count_intermediate": 0,
            "count_advanced": 0,
            "seconds": 180,
        },
    )

    html = _text(response)
    assert response.status_code == 400
    assert 'value="django-orm" checked' in html
    assert 'value="django-auth" checked' in html
    assert 'value="drf-serializers" checked' not in html
    assert MockInterview.objects.count() == 0


def test_a_mock_interview_can_be_set_up_for_a_whole_area(
    learner_client: Client, bank: list[Question]
) -> None:
    response = learner_client.post(
        "/mock/",
        {
            "areas": ["postgresql"],
            "count_basic": 0,
            "count_intermediate": 0,
            "count_advanced": 2,
            "seconds": 180,
        },
    )

    assert response.status_code == 302
    interview = MockInterview.objects.get()
    assert {item.question.topic.slug for item in interview.items.select_related("question__topic")} == {
        "postgresql-indexes"
    }


# --- quizzes -----------------------------------------------------------------------------------------------


def test_starting_a_quiz_with_no_matching_questions_keeps_the_choices_and_explains(
    learner_client: Client, bank: list[Question]
) -> None:
    response = learner_client.post(
        "/quiz/", {"kind": "choice", "count": 5, "topics": ["django-orm"], "difficulty": "advanced"}
    )

    html = _text(response)
    assert response.status_code == 400
    assert "No published questions match this quiz." in html
    assert 'value="django-orm" checked' in html
    assert '<option value="advanced" selected>' in html
    assert Quiz.objects.count() == 0


def test_a_multiple_choice_answer_shows_right_and_wrong_and_feeds_the_scheduler(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    created = learner_client.post("/quiz/", {"kind": "choice", "count": 2})
    quiz = Quiz.objects.get(user=learner)
    item = QuizItem.objects.get(quiz=quiz, position=1)
    wrong = next(index for index in range(4) if index != item.correct_option)

    answered = learner_client.post(f"/quiz/{quiz.pk}/items/1/answer/", {"option": wrong}, follow=True)

    html = _text(answered)
    assert created["Location"] == f"/quiz/{quiz.pk}/"
    assert "(your answer, wrong)" in html
    assert "(the right answer)" in html
    assert "Next question" in html
    review = Review.objects.get(user=learner)
    assert (review.rating, review.source) == (1, ReviewSource.QUIZ)


def test_an_answer_without_a_choice_or_text_says_what_is_missing(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    choice = sessions.quiz_create(user=learner, kind="choice", count=1)
    written = sessions.quiz_create(user=learner, kind="written", count=1)

    no_choice = learner_client.post(f"/quiz/{choice.pk}/items/1/answer/", {}, follow=True)
    no_text = learner_client.post(f"/quiz/{written.pk}/items/1/answer/", {"answer": "  "}, follow=True)

    assert "Choose one of the answers first." in _text(no_choice)
    assert "Write an answer." in _text(no_text)
    assert Review.objects.count() == 0


def test_answering_a_quiz_question_twice_keeps_the_first_answer(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    learner_client.post("/quiz/", {"kind": "choice", "count": 1})
    quiz = Quiz.objects.get(user=learner)
    item = QuizItem.objects.get(quiz=quiz)

    learner_client.post(f"/quiz/{quiz.pk}/items/1/answer/", {"option": item.correct_option})
    again = learner_client.post(f"/quiz/{quiz.pk}/items/1/answer/", {"option": 0}, follow=True)

    assert "already answered" in _text(again)
    item.refresh_from_db()
    assert item.chosen_option == item.correct_option
    assert Review.objects.count() == 1


def test_a_wrong_choice_shows_why_that_option_is_wrong(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    quiz = sessions.quiz_create(user=learner, kind="choice", count=1, seed=3)
    item = QuizItem.objects.get(quiz=quiz)
    assert item.correct_option is not None
    wrong = (item.correct_option + 1) % 4
    picked = item.options[wrong]  # "Wrong answer 7b": its why_wrong is "Why 7b is wrong."

    answered = learner_client.post(f"/quiz/{quiz.pk}/items/1/answer/", {"option": wrong}, follow=True)

    reason = f"Why {picked.removeprefix('Wrong answer ')} is wrong."
    assert f"<strong>Why your answer is wrong:</strong> {reason}" in _text(answered)
    right = learner_client.get(f"/quiz/{quiz.pk}/?item=1")
    assert _text(right).count("Why your answer is wrong") == 1


def test_a_right_choice_shows_no_why_wrong(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    quiz = sessions.quiz_create(user=learner, kind="choice", count=1, seed=3)
    item = QuizItem.objects.get(quiz=quiz)

    answered = learner_client.post(
        f"/quiz/{quiz.pk}/items/1/answer/", {"option": item.correct_option}, follow=True
    )

    assert "(your answer, right)" in _text(answered)
    assert "Why your answer is wrong" not in _text(answered)


def test_a_written_quiz_is_graded_and_the_grade_can_be_overridden(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    learner_client.post("/quiz/", {"kind": "written", "count": 1})
    quiz = Quiz.objects.get(user=learner)

    answered = learner_client.post(f"/quiz/{quiz.pk}/items/1/answer/", {"answer": "No idea."}, follow=True)
    overridden = learner_client.post(f"/quiz/{quiz.pk}/items/1/override/", {"score": "1.0"}, follow=True)

    assert "you covered 0 of 3 key points" in _text(answered)
    assert '<li class="missing">' in _text(answered)
    assert "Your answer (no phrase of it matched a key point):" in _text(answered)
    assert "Grade updated" in _text(overridden)
    assert "(your own grade)" in _text(overridden)
    assert Review.objects.get(user=learner).rating == 4


def test_the_self_grade_menu_asks_for_a_choice_instead_of_defaulting_to_missed_it(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    learner_client.post("/quiz/", {"kind": "written", "count": 1})
    quiz = Quiz.objects.get(user=learner)

    answered = learner_client.post(f"/quiz/{quiz.pk}/items/1/answer/", {"answer": "No idea."}, follow=True)
    sent_without_a_choice = learner_client.post(f"/quiz/{quiz.pk}/items/1/override/", {}, follow=True)

    assert (
        '<select id="self-grade" name="score" required><option value="" selected disabled>Choose your grade…'
        '</option><option value="0.0">Missed it</option>'
    ) in _text(answered)
    assert "Choose how well you answered." in _text(sent_without_a_choice)
    assert QuizItem.objects.get(quiz=quiz).score_overridden is False


@pytest.mark.parametrize("kind", ["written", "choice"])
def test_a_quiz_question_can_be_skipped_and_the_summary_says_so(
    learner: User, learner_client: Client, bank: list[Question], kind: str
) -> None:
    # given a quiz of two questions
    learner_client.post("/quiz/", {"kind": kind, "count": 2})
    quiz = Quiz.objects.get(user=learner)
    first = learner_client.get(f"/quiz/{quiz.pk}/")
    assert (
        '<button type="submit" name="skip" value="1" class="secondary" formnovalidate>Skip this question</button>'
        in _text(first)
    )

    # when the first is skipped (the browser sends no answer) and the second is answered
    skipped = learner_client.post(f"/quiz/{quiz.pk}/items/1/answer/", {"skip": "1"}, follow=True)
    answer = {"answer": "No idea."} if kind == "written" else {"option": "0"}
    learner_client.post(f"/quiz/{quiz.pk}/items/2/answer/", answer)
    summary = learner_client.get(f"/quiz/{quiz.pk}/")

    # then the skip is shown, scores nothing, and is no review
    assert "<strong>Skipped.</strong>" in _text(skipped)
    html = _text(summary)
    assert "1 question answered, 1 skipped." in html
    assert html.count('<span class="badge score-skipped">skipped</span>') == 1
    item = QuizItem.objects.get(quiz=quiz, position=1)
    assert (item.skipped, item.score, item.answered_at is not None) == (True, None, True)
    assert Review.objects.filter(user=learner).count() == 1
    assert Quiz.objects.get(pk=quiz.pk).finished_at is not None


def test_a_written_quiz_answer_shows_verdicts_and_highlights(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    quiz = sessions.quiz_create(user=learner, kind="written", count=1)
    item = quiz.items.get()
    item.question = bank[0]
    item.save(update_fields=["question"])

    answered = learner_client.post(
        f"/quiz/{quiz.pk}/items/1/answer/", {"answer": CONTRADICTING_ANSWER}, follow=True
    )

    html = _text(answered)
    assert COVERED_MARK in html
    assert CONTRADICTED_MARK in html
    assert "<script>alert(1)" not in html
    stored = QuizItem.objects.get(quiz=quiz).grade
    assert stored is not None
    assert [point["verdict"] for point in stored["points"]] == [
        "covered",
        "contradicted",
        "missing",
    ]


def test_a_quiz_answer_graded_before_verdicts_existed_still_shows_its_points(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    quiz = sessions.quiz_create(user=learner, kind="written", count=1)
    learner_client.post(f"/quiz/{quiz.pk}/items/1/answer/", {"answer": "No idea."})
    item = QuizItem.objects.get(quiz=quiz)
    item.grade = {
        "score": 0.33,
        "rating": 1,
        "stuffing": False,
        "points": [
            {"key_point": "old point one", "covered": True, "matched": "idea", "similarity": 1.0},
            {"key_point": "old point two", "covered": False, "matched": "", "similarity": 0.0},
        ],
    }
    item.save(update_fields=["grade"])

    html = _text(learner_client.get(f"/quiz/{quiz.pk}/?item=1"))

    assert (
        '<li class="covered"><span aria-hidden="true">✓</span> <span class="visually-hidden">Covered:</span>'
        in html
    )
    assert "From your answer: <q>idea</q>" in html
    assert (
        '<li class="missing"><span aria-hidden="true">✗</span> <span class="visually-hidden">Missing:</span>'
        in html
    )
    assert "<mark" not in html.split("graded-answer")[-1].split("</blockquote>")[0]


def test_the_quiz_summary_lists_every_question_with_its_score(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    quiz = sessions.quiz_create(user=learner, kind="choice", count=3, seed=1)
    for item in quiz.items.all():
        sessions.quiz_answer(
            user=learner, quiz_id=quiz.pk, position=item.position, chosen_option=item.correct_option
        )

    response = learner_client.get(f"/quiz/{quiz.pk}/")

    assert "You scored 100%" in _text(response)
    assert _text(response).count('class="badge score-good"') == 3


def test_someone_elses_quiz_is_a_404(learner_client: Client, bank: list[Question]) -> None:
    other = make_user(email="other@example.com")
    quiz = sessions.quiz_create(user=other, kind="choice", count=1)

    assert learner_client.get(f"/quiz/{quiz.pk}/").status_code == 404
    assert learner_client.post(f"/quiz/{quiz.pk}/items/1/answer/", {"option": 0}).status_code == 404
    assert QuizItem.objects.get(quiz=quiz).answered_at is None


def test_the_quiz_list_runs_the_same_number_of_queries_for_more_quizzes(
    learner: User, learner_client: Client, bank: list[Question], django_assert_num_queries: Any
) -> None:
    sessions.quiz_create(user=learner, kind="choice", count=2)
    with django_assert_num_queries(7) as few:
        learner_client.get("/quiz/")
    for _ in range(6):
        sessions.quiz_create(user=learner, kind="written", count=3)
    with django_assert_num_queries(len(few.captured_queries)):
        learner_client.get("/quiz/")


# --- mock interviews ---------------------------------------------------------------------------------------


def test_a_mock_interview_from_start_to_report(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    started = learner_client.post(
        "/mock/", {"count_basic": 1, "count_intermediate": 1, "count_advanced": 0, "seconds": 120}
    )
    interview = MockInterview.objects.get(user=learner)
    page = learner_client.get(started["Location"])

    assert "Question 1 of 2" in _text(page)
    assert "data-countdown-until=" in _text(page)
    learner_client.post(f"/mock/{interview.pk}/answer/", {"answer": "feature runs one query with a join"})
    last = learner_client.post(f"/mock/{interview.pk}/answer/", {"answer": ""}, follow=True)

    html = _text(last)
    assert "Mock interview report" in html
    assert "Key points you missed" in html
    assert 'href="/review/?topic=' in html or "no topic scored below 60%" in html
    assert f'href="/questions/{interview.items.get(position=2).question_id}/"' in html
    first = interview.items.get(position=1).grade
    assert first is not None
    assert first["points"][0]["verdict"] == "covered"
    assert '<mark class="covered"><span class="visually-hidden">[covered, point 1: </span>' in html
    assert Review.objects.filter(user=learner, source=ReviewSource.MOCK).count() == 2


def test_finishing_early_scores_unanswered_questions_zero(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    interview = sessions.mock_start(user=learner, topics=[], difficulty_mix={"basic": 2})

    response = learner_client.post(f"/mock/{interview.pk}/finish/", follow=True)

    interview.refresh_from_db()
    assert interview.report is not None
    assert interview.report["answered"] == 0
    assert "Not answered." in _text(response)


def test_asking_for_more_questions_than_exist_keeps_the_form(
    learner_client: Client, bank: list[Question]
) -> None:
    response = learner_client.post("/mock/", {"count_basic": 40, "count_intermediate": 0, "seconds": 180})

    assert response.status_code == 400
    assert "ask for fewer" in _text(response)
    assert 'value="40"' in _text(response)
    assert MockInterview.objects.count() == 0


def test_someone_elses_mock_interview_is_a_404(learner_client: Client, bank: list[Question]) -> None:
    other = make_user(email="other@example.com")
    interview = sessions.mock_start(user=other, topics=[], difficulty_mix={"basic": 1})

    assert learner_client.get(f"/mock/{interview.pk}/").status_code == 404
    assert learner_client.post(f"/mock/{interview.pk}/finish/").status_code == 404
    interview.refresh_from_db()
    assert interview.report is None
    assert Card.objects.filter(user=other).count() == 0


def test_the_mock_interview_list_runs_the_same_number_of_queries_for_more_interviews(
    learner: User, learner_client: Client, bank: list[Question], django_assert_num_queries: Any
) -> None:
    sessions.mock_start(user=learner, topics=[], difficulty_mix={"basic": 1})
    with django_assert_num_queries(6):  # session, user, editor?, topics, interviews, their items
        learner_client.get("/mock/")
    for _ in range(5):
        interview = sessions.mock_start(user=learner, topics=[], difficulty_mix={"basic": 2, "advanced": 1})
        sessions.mock_finish(user=learner, interview_id=interview.pk)
    with django_assert_num_queries(6):
        learner_client.get("/mock/")


def test_the_report_says_how_many_questions_went_over_the_time_limit(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    start = timezone.now()
    interview = sessions.mock_start(user=learner, topics=[], difficulty_mix={"basic": 2}, now=start)
    sessions.mock_answer(
        user=learner, interview_id=interview.pk, answer="x", now=start + timedelta(minutes=30)
    )
    sessions.mock_answer(
        user=learner, interview_id=interview.pk, answer="y", now=start + timedelta(minutes=31)
    )

    html = _text(learner_client.get(f"/mock/{interview.pk}/report/"))

    assert "Time spent · 1 question over the time limit" in html
