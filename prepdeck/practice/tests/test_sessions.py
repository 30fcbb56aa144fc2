"""Quizzes, grading and mock interviews through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from prepdeck.accounts.tests.factories import make_user
from prepdeck.catalog import services as catalog_services
from prepdeck.catalog.models import Question, QuestionStatus
from prepdeck.practice.models import Card, MockInterview, QuizItem, Review, ReviewSource

pytestmark = pytest.mark.django_db

KEY_POINTS = [
    "select_related follows foreign keys with a SQL join",
    "prefetch_related runs a second query per relation",
    "both avoid the N+1 queries problem",
]
GOOD_ANSWER = (
    "select_related follows foreign keys and one-to-one relations with a SQL join in the same query. "
    "prefetch_related runs a second query per relation and joins the results in Python. "
    "Both avoid the N+1 queries problem."
)


def _bank() -> list[Question]:
    catalog_services.topics_sync()
    entries: list[dict[str, Any]] = []
    for number in range(6):
        entries.append(
            {
                "key": f"q-{number}",
                "topic": "django-orm" if number < 4 else "drf-views",
                "prompt": f"Question {number}: what do select_related and prefetch_related do?",
                "short_answer": f"Right answer {number}.",
                "key_points": KEY_POINTS
                if number < 4
                else ["serializers validate input", "views call services"],
                # even questions: a written multiple choice; odd ones: the old format's distractors only
                **(
                    {
                        "choice": {
                            "correct": f"Correct option {number}.",
                            "distractors": [
                                {"text": f"Wrong {number}{letter}", "why_wrong": f"Because {number}{letter}."}
                                for letter in "abcd"
                            ],
                        }
                    }
                    if number % 2 == 0
                    else {"distractors": [f"Wrong {number}a", f"Wrong {number}b", f"Wrong {number}c"]}
                ),
                "difficulty": "basic" if number % 2 else "intermediate",
                "status": QuestionStatus.PUBLISHED,
            }
        )
    catalog_services.questions_upsert(entries, revision_summary="test")
    return list(Question.objects.order_by("id"))


def test_grade_endpoint_grades_without_recording(api: APIClient) -> None:
    question = _bank()[0]
    api.force_authenticate(make_user())

    good = api.post("/api/v1/grade/", {"question": question.pk, "answer": GOOD_ANSWER}, format="json").json()
    empty = api.post(
        "/api/v1/grade/", {"question": question.pk, "answer": "I don't know."}, format="json"
    ).json()

    assert good["score"] >= 0.7
    assert [point["covered"] for point in good["points"]] == [True, True, True]
    assert empty["score"] < 0.3
    assert empty["rating"] == 1
    assert Review.objects.count() == 0
    assert Card.objects.count() == 0


def test_grade_endpoint_gives_each_key_point_a_verdict_and_the_deciding_phrase(api: APIClient) -> None:
    question = _bank()[0]
    api.force_authenticate(make_user())
    answer = (
        "select_related does not follow foreign keys, it never uses a SQL join. "
        "prefetch_related runs a second query per relation."
    )

    graded = api.post("/api/v1/grade/", {"question": question.pk, "answer": answer}, format="json").json()

    assert graded["needs_review"] is False
    assert [
        (point["verdict"], point["covered"], point["reason"], point["evidence"], point["spans"])
        for point in graded["points"]
    ] == [
        (
            "contradicted",
            False,
            "negation",
            "select_related does not follow foreign keys, it never uses a SQL join",
            [[0, 69]],
        ),
        (
            "covered",
            True,
            "",
            "prefetch_related runs a second query",
            [[71, 107]],
        ),
        ("missing", False, "", "", []),
    ]
    assert graded["points"][0]["matched"] == ""  # as before: "matched" is what covered a point
    assert answer[71:107] == "prefetch_related runs a second query"


def test_grading_an_unknown_question_is_a_404(api: APIClient) -> None:
    api.force_authenticate(make_user())
    response = api.post("/api/v1/grade/", {"question": 99999, "answer": "x"}, format="json")
    assert response.status_code == 404


def test_a_multiple_choice_quiz_has_one_correct_option_and_feeds_the_scheduler(api: APIClient) -> None:
    _bank()
    user = make_user()
    api.force_authenticate(user)

    quiz = api.post(
        "/api/v1/practice/quizzes/", {"kind": "choice", "count": 4, "topics": ["django-orm"]}, format="json"
    )

    assert quiz.status_code == 201
    items = quiz.json()["items"]
    # q-1 and q-3 only have the old distractors list: never asked as multiple choice
    assert sorted(item["question"]["key"] for item in items) == ["q-0", "q-2"]
    for item in items:
        assert len(item["options"]) == 4
        assert len(set(item["options"])) == 4
        assert item["correct_option"] is None  # not revealed before answering
        assert (item["option_notes"], item["why_wrong"]) == (None, None)
    stored = QuizItem.objects.get(quiz_id=quiz.json()["id"], position=1)
    correct = api.post(
        f"/api/v1/practice/quizzes/{stored.quiz_id}/items/1/answer/",
        {"chosen_option": stored.correct_option},
        format="json",
    ).json()
    assert (correct["score"], correct["correct_option"], correct["why_wrong"]) == (
        1.0,
        stored.correct_option,
        None,
    )
    review = Review.objects.get()
    assert (review.rating, review.source) == (3, ReviewSource.QUIZ)


def test_options_are_the_questions_own_correct_option_and_distractors() -> None:
    from prepdeck.practice import sessions

    _bank()
    quiz = sessions.quiz_create(user=make_user(), kind="choice", count=10, seed=1)

    items = list(quiz.items.select_related("question").order_by("position"))
    assert sorted(item.question.key for item in items) == ["q-0", "q-2", "q-4"]
    for item in items:
        number = item.question.key[-1]
        assert item.options[item.correct_option] == f"Correct option {number}."
        wrong = [option for index, option in enumerate(item.options) if index != item.correct_option]
        assert set(wrong) <= {f"Wrong {number}{letter}" for letter in "abcd"}
        assert len(wrong) == 3
        assert item.option_notes == [
            "" if index == item.correct_option else f"Because {option.removeprefix('Wrong ')}."
            for index, option in enumerate(item.options)
        ]


def test_a_wrong_answer_shows_why_the_chosen_option_is_wrong(api: APIClient) -> None:
    _bank()
    api.force_authenticate(make_user())
    quiz_id = api.post(
        "/api/v1/practice/quizzes/", {"kind": "choice", "count": 1, "topics": ["drf-views"]}, format="json"
    ).json()["id"]
    stored = QuizItem.objects.get(quiz_id=quiz_id, position=1)
    assert stored.correct_option is not None
    wrong = (stored.correct_option + 1) % 4

    answered = api.post(
        f"/api/v1/practice/quizzes/{quiz_id}/items/1/answer/", {"chosen_option": wrong}, format="json"
    ).json()

    picked = stored.options[wrong].removeprefix("Wrong ")
    assert (answered["score"], answered["why_wrong"]) == (0.0, f"Because {picked}.")
    assert answered["option_notes"][answered["correct_option"]] == ""
    assert Review.objects.get().rating == 1


def test_a_topic_with_only_old_format_questions_offers_no_multiple_choice(api: APIClient) -> None:
    _bank()
    api.force_authenticate(make_user())

    response = api.post(
        "/api/v1/practice/quizzes/",
        {"kind": "choice", "count": 3, "topics": ["drf-views"], "difficulty": "basic"},  # q-5 only
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_questions"
    assert QuizItem.objects.count() == 0


def test_answering_a_quiz_question_twice_is_a_409(api: APIClient) -> None:
    _bank()
    api.force_authenticate(make_user())
    quiz_id = api.post(
        "/api/v1/practice/quizzes/", {"kind": "written", "count": 1, "topics": ["django-orm"]}, format="json"
    ).json()["id"]
    url = f"/api/v1/practice/quizzes/{quiz_id}/items/1/answer/"

    first = api.post(url, {"answer": GOOD_ANSWER}, format="json")
    second = api.post(url, {"answer": "Changed my mind."}, format="json")

    assert first.status_code == 200
    assert first.json()["grade"]["score"] >= 0.7
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "already_answered"
    assert Review.objects.count() == 1
    assert Review.objects.get().source == ReviewSource.WRITTEN


def test_overriding_a_written_grade_reschedules_with_the_new_rating(api: APIClient) -> None:
    _bank()
    user = make_user()
    api.force_authenticate(user)
    quiz_id = api.post(
        "/api/v1/practice/quizzes/", {"kind": "written", "count": 1, "topics": ["django-orm"]}, format="json"
    ).json()["id"]
    api.post(
        f"/api/v1/practice/quizzes/{quiz_id}/items/1/answer/", {"answer": "No idea, sorry."}, format="json"
    )
    assert Review.objects.get().rating == 1

    response = api.post(
        f"/api/v1/practice/quizzes/{quiz_id}/items/1/override/", {"score": 0.95}, format="json"
    )

    assert response.json()["score"] == 0.95
    assert response.json()["score_overridden"] is True
    assert Review.objects.get().rating == 4
    assert Card.objects.get().state == 2  # Easy from new goes straight to review


def test_a_skipped_quiz_question_scores_nothing_records_no_review_and_cannot_be_regraded(
    api: APIClient,
) -> None:
    _bank()
    api.force_authenticate(make_user())
    quiz_id = api.post(
        "/api/v1/practice/quizzes/", {"kind": "written", "count": 1, "topics": ["django-orm"]}, format="json"
    ).json()["id"]

    skipped = api.post(f"/api/v1/practice/quizzes/{quiz_id}/items/1/answer/", {"skip": True}, format="json")
    regraded = api.post(f"/api/v1/practice/quizzes/{quiz_id}/items/1/override/", {"score": 1}, format="json")
    again = api.post(
        f"/api/v1/practice/quizzes/{quiz_id}/items/1/answer/", {"answer": "Now I know."}, format="json"
    )

    assert skipped.status_code == 200
    body = skipped.json()
    assert (body["skipped"], body["score"], body["answer"], body["grade"]) == (True, None, "", None)
    assert body["answered_at"] is not None
    assert regraded.status_code == 409
    assert regraded.json()["error"]["code"] == "not_gradable"
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_answered"
    assert Review.objects.count() == 0
    quiz = api.get(f"/api/v1/practice/quizzes/{quiz_id}/").json()
    assert (quiz["score"], quiz["finished_at"] is not None) == (None, True)


def test_someone_elses_quiz_is_not_found(api: APIClient) -> None:
    _bank()
    api.force_authenticate(make_user())
    quiz_id = api.post("/api/v1/practice/quizzes/", {"kind": "choice", "count": 1}, format="json").json()[
        "id"
    ]
    api.force_authenticate(make_user())

    assert api.get(f"/api/v1/practice/quizzes/{quiz_id}/").status_code == 404
    assert (
        api.post(
            f"/api/v1/practice/quizzes/{quiz_id}/items/1/answer/", {"chosen_option": 0}, format="json"
        ).status_code
        == 404
    )
    assert Review.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "essay"}, "kind"),
        ({"kind": "choice", "count": 0}, "count"),
        ({"kind": "choice", "topics": ["nope"]}, None),
    ],
)
def test_bad_quiz_requests_are_400s(api: APIClient, body: dict[str, Any], field: str | None) -> None:
    _bank()
    api.force_authenticate(make_user())
    response = api.post("/api/v1/practice/quizzes/", body, format="json")
    assert response.status_code == 400
    if field:
        assert field in response.json()["error"]["details"]["fields"]
    else:
        assert response.json()["error"]["code"] == "unknown_topic"


def test_a_mock_interview_asks_one_question_at_a_time_and_reports(api: APIClient) -> None:
    _bank()
    user = make_user()
    api.force_authenticate(user)
    start = datetime(2026, 11, 23, 10, tzinfo=UTC)

    with time_machine.travel(start, tick=False):
        created = api.post(
            "/api/v1/practice/mock-interviews/",
            {
                "topics": ["django-orm"],
                "difficulty_mix": {"basic": 1, "intermediate": 1},
                "seconds_per_question": 60,
            },
            format="json",
        ).json()
    interview_id = created["id"]
    assert created["current"] == 1
    assert created["items"][1]["question"] is None  # the second prompt stays hidden
    with time_machine.travel(start + timedelta(seconds=40), tick=False):
        after_first = api.post(
            f"/api/v1/practice/mock-interviews/{interview_id}/answer/", {"answer": GOOD_ANSWER}, format="json"
        ).json()
    with time_machine.travel(start + timedelta(seconds=140), tick=False):
        finished = api.post(
            f"/api/v1/practice/mock-interviews/{interview_id}/answer/",
            {"answer": "I would guess caching?"},
            format="json",
        ).json()
    again = api.post(
        f"/api/v1/practice/mock-interviews/{interview_id}/answer/", {"answer": "late"}, format="json"
    )

    assert after_first["current"] == 2
    assert after_first["items"][0]["time_spent_ms"] == 40_000
    assert finished["status"] == "finished"
    assert finished["items"][1]["time_spent_ms"] == 100_000
    report = finished["report"]
    assert (report["questions"], report["answered"], report["over_time"]) == (2, 2, 1)
    assert report["by_topic"]["django-orm"] == report["score"]
    assert len(report["missed"]) == 1
    assert report["missed"][0]["missed_key_points"] == KEY_POINTS
    assert report["recommendation"]["weakest_topics"] == (["django-orm"] if report["score"] < 0.6 else [])
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "interview_finished"
    assert Review.objects.filter(user=user, source=ReviewSource.MOCK).count() == 2


CONTRADICTING_ANSWER = (
    "select_related does not follow foreign keys, it never uses a SQL join. "
    "prefetch_related runs a second query per relation."
)


def test_a_written_quiz_answer_and_a_mock_report_carry_each_key_point_verdict(api: APIClient) -> None:
    _bank()
    api.force_authenticate(make_user())
    quiz_id = api.post(
        "/api/v1/practice/quizzes/", {"kind": "written", "count": 1, "topics": ["django-orm"]}, format="json"
    ).json()["id"]
    interview_id = api.post(
        "/api/v1/practice/mock-interviews/",
        {"topics": ["django-orm"], "difficulty_mix": {"basic": 1}},
        format="json",
    ).json()["id"]

    quiz_item = api.post(
        f"/api/v1/practice/quizzes/{quiz_id}/items/1/answer/", {"answer": CONTRADICTING_ANSWER}, format="json"
    ).json()
    finished = api.post(
        f"/api/v1/practice/mock-interviews/{interview_id}/answer/",
        {"answer": CONTRADICTING_ANSWER},
        format="json",
    ).json()

    for grade in (quiz_item["grade"], finished["items"][0]["grade"]):
        assert grade["needs_review"] is False
        assert [point["verdict"] for point in grade["points"]] == ["contradicted", "covered", "missing"]
        assert grade["points"][0]["spans"] == [[0, 69]]
    assert finished["report"]["missed"][0]["missed_key_points"] == [KEY_POINTS[0], KEY_POINTS[2]]
    assert finished["report"]["missed"][0]["contradicted_key_points"] == [KEY_POINTS[0]]


def test_finishing_early_scores_unanswered_questions_zero(api: APIClient) -> None:
    _bank()
    api.force_authenticate(make_user())
    interview_id = api.post(
        "/api/v1/practice/mock-interviews/", {"difficulty_mix": {"basic": 2}}, format="json"
    ).json()["id"]

    report = api.post(f"/api/v1/practice/mock-interviews/{interview_id}/finish/").json()["report"]

    assert (report["score"], report["answered"]) == (0.0, 0)
    assert MockInterview.objects.get().status == "finished"


def test_asking_for_more_questions_than_exist_is_a_400(api: APIClient) -> None:
    _bank()
    api.force_authenticate(make_user())
    response = api.post(
        "/api/v1/practice/mock-interviews/", {"difficulty_mix": {"advanced": 3}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_enough_questions"
    assert MockInterview.objects.count() == 0


@pytest.mark.parametrize("count", [2, 6])
def test_quiz_and_mock_lists_run_constant_queries(
    api: APIClient, count: int, django_assert_num_queries: Any
) -> None:
    _bank()
    user = make_user()
    api.force_authenticate(user)
    for _ in range(count):
        api.post("/api/v1/practice/quizzes/", {"kind": "choice", "count": 3}, format="json")
        api.post("/api/v1/practice/mock-interviews/", {"difficulty_mix": {"basic": 1}}, format="json")

    # page of quizzes, their items with questions and topics, the questions' tags
    with django_assert_num_queries(3):
        assert len(api.get("/api/v1/practice/quizzes/").json()["results"]) == count
    # page of interviews, their items with questions and topics
    with django_assert_num_queries(2):
        assert len(api.get("/api/v1/practice/mock-interviews/").json()["results"]) == count
