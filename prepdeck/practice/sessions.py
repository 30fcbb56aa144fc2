"""Quizzes and mock interviews: writes (the practice sessions built on top of reviews).

Every answer feeds the scheduler: a multiple-choice answer is Good when right and Again when wrong, a
written answer gets the rating its grade maps to (``grading.rating_for_score``). The review is recorded
through ``services.review_submit`` with a key derived from the session item, so a retried request can
never count twice.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from prepdeck.accounts.models import User
from prepdeck.catalog import selectors as catalog_selectors
from prepdeck.catalog.choice import choice_ready
from prepdeck.catalog.models import Difficulty, Question
from prepdeck.core.exceptions import Conflict, InvalidInput, NotFound
from prepdeck.practice import grading, scheduling, services
from prepdeck.practice.models import (
    MockInterview,
    MockInterviewItem,
    MockStatus,
    Quiz,
    QuizItem,
    QuizKind,
    Review,
    ReviewSource,
)

MAX_QUESTIONS = 50
MC_OPTIONS = 4
PASSING_SCORE = 0.6  # below this an answer counts as missed in a mock interview report


def _pool(*, topics: list[str], difficulty: str | None, written: bool) -> list[Question]:
    """Published questions to draw from (with key points when answers are graded)."""
    condition = Q()
    if topics:
        slugs = {slug for topic in topics for slug in catalog_selectors.topic_descendant_slugs(slug=topic)}
        condition &= Q(topic__slug__in=slugs)
    if difficulty:
        condition &= Q(difficulty=difficulty)
    pool = list(Question.objects.published().filter(condition).select_related("topic").order_by("id"))
    return [question for question in pool if question.key_points] if written else pool


def _check_topics(topics: list[str]) -> None:
    for topic in topics:
        if not catalog_selectors.topic_exists(slug=topic):
            raise InvalidInput(f"Unknown topic {topic!r}.", code="unknown_topic")


# --- quizzes ------------------------------------------------------------------------------------------------


def _choice_options(question: Question, rng: random.Random) -> tuple[list[str], int, list[str]]:
    """The question's written correct option among three of its own distractors, shuffled; with, per
    option, why it is wrong ("" for the correct one). Only questions ``choice_ready`` accepts get here:
    nothing else (the short answer, other questions' key points) ever stands in as an option."""
    choice = question.choice
    wrong = rng.sample(list(choice["distractors"]), MC_OPTIONS - 1)
    right = {"text": choice["correct"], "why_wrong": ""}
    options = [right, *wrong]
    rng.shuffle(options)
    correct = next(index for index, option in enumerate(options) if option is right)
    return (
        [option["text"] for option in options],
        correct,
        [option.get("why_wrong", "") for option in options],
    )


@transaction.atomic
def quiz_create(
    *,
    user: User,
    kind: str,
    count: int = 10,
    topics: list[str] | None = None,
    difficulty: str | None = None,
    seed: int | None = None,
) -> Quiz:
    """A quiz of ``count`` random published questions (multiple choice or written answers)."""
    if kind not in QuizKind.values:
        raise InvalidInput(f"Unknown quiz kind {kind!r}; use choice or written.", code="invalid")
    if not 1 <= count <= MAX_QUESTIONS:
        raise InvalidInput(f"A quiz has 1 to {MAX_QUESTIONS} questions.", code="invalid")
    if difficulty and difficulty not in Difficulty.values:
        raise InvalidInput(f"Unknown difficulty {difficulty!r}.", code="invalid")
    topics = topics or []
    _check_topics(topics)
    rng = random.Random(seed)
    pool = _pool(topics=topics, difficulty=difficulty, written=kind == QuizKind.WRITTEN)
    if not pool:
        raise InvalidInput("No published questions match this quiz.", code="no_questions")
    if kind == QuizKind.MULTIPLE_CHOICE:
        # Only questions with a written correct option and their own distractors; a question still in
        # the old format (distractors without a correct option) is left out, never padded with other text.
        pool = [question for question in pool if choice_ready(question.choice)]
        if not pool:
            raise InvalidInput(
                "No published question matching this quiz has multiple-choice options yet; "
                "try a written quiz.",
                code="no_questions",
            )
    chosen = rng.sample(pool, min(count, len(pool)))
    quiz = Quiz.objects.create(user=user, kind=kind)
    items = []
    for position, question in enumerate(chosen, start=1):
        item = QuizItem(quiz=quiz, question=question, position=position)
        if kind == QuizKind.MULTIPLE_CHOICE:
            item.options, item.correct_option, item.option_notes = _choice_options(question, rng)
        items.append(item)
    QuizItem.objects.bulk_create(items)
    return quiz


def _quiz_item(user: User, quiz_id: int, position: int) -> QuizItem:
    item = (
        QuizItem.objects.select_for_update(of=("self",))
        .select_related("quiz", "question")
        .filter(quiz__id=quiz_id, quiz__user=user, position=position)
        .first()
    )
    if item is None:
        raise NotFound("Quiz question not found.")
    return item


@transaction.atomic
def quiz_answer(
    *,
    user: User,
    quiz_id: int,
    position: int,
    chosen_option: int | None = None,
    answer: str = "",
    duration_ms: int = 0,
    skip: bool = False,
    now: datetime | None = None,
) -> QuizItem:
    """Answer one quiz question: graded, stored, and fed to the scheduler. A question is answered once.

    ``skip`` passes over it instead: it is done and scores nothing in the quiz, and, since nothing was
    answered, the card's schedule is left as it was.
    """
    now = now or timezone.now()
    item = _quiz_item(user, quiz_id, position)
    if item.answered_at is not None:
        raise Conflict("This question of the quiz was already answered.", code="already_answered")
    if skip:
        item.skipped, item.answered_at = True, now
        item.save(update_fields=["skipped", "answered_at"])
        _finish_quiz_when_done(item, now=now)
        return item
    if item.quiz.kind == QuizKind.MULTIPLE_CHOICE:
        if chosen_option is None or not 0 <= chosen_option < len(item.options):
            raise InvalidInput(f"Choose an option from 0 to {len(item.options) - 1}.", code="invalid")
        item.chosen_option = chosen_option
        item.score = 1.0 if chosen_option == item.correct_option else 0.0
        rating, source = (scheduling.GOOD if item.score else scheduling.AGAIN), ReviewSource.QUIZ
    else:
        if not answer.strip():
            raise InvalidInput("Write an answer.", code="invalid")
        if len(answer) > 20_000:
            raise InvalidInput("Answers are limited to 20,000 characters.", code="invalid")
        grade = grading.grade_answer(
            answer=answer, key_points=item.question.key_points, prompt=item.question.prompt
        )
        item.answer, item.grade, item.score = answer, grade.as_dict(), grade.score
        rating, source = grade.rating, ReviewSource.WRITTEN
    item.answered_at = now
    item.save(update_fields=["chosen_option", "answer", "grade", "score", "answered_at"])
    services.review_submit(
        user=user,
        question_id=item.question_id,
        rating=rating,
        idempotency_key=f"quiz-{item.quiz_id}-{item.position}",
        duration_ms=duration_ms,
        source=source,
        now=now,
    )
    _finish_quiz_when_done(item, now=now)
    return item


def _finish_quiz_when_done(item: QuizItem, *, now: datetime) -> None:
    if not item.quiz.items.filter(answered_at__isnull=True).exists():
        Quiz.objects.filter(pk=item.quiz_id).update(finished_at=now)


@transaction.atomic
def quiz_grade_override(*, user: User, quiz_id: int, position: int, score: float) -> QuizItem:
    """The user corrects the grade of a written answer. When that answer's review is still the card's
    latest, it is re-applied with the rating the new score maps to; otherwise only the score changes."""
    if not 0.0 <= score <= 1.0:
        raise InvalidInput("A score is between 0 and 1.", code="invalid")
    item = _quiz_item(user, quiz_id, position)
    if item.quiz.kind != QuizKind.WRITTEN or item.answered_at is None or item.skipped:
        raise Conflict("Only an answered written question can be re-graded.", code="not_gradable")
    item.score, item.score_overridden = round(score, 2), True
    item.save(update_fields=["score", "score_overridden"])
    key = f"quiz-{item.quiz_id}-{item.position}"
    review = Review.objects.filter(user=user, idempotency_key=key).select_related("card").first()
    if review is not None:
        latest = Review.objects.filter(card=review.card).order_by("-reviewed_at", "-id").first()
        rating = grading.rating_for_score(item.score)
        if latest == review and review.rating != rating:
            services.review_replace_rating(review=review, rating=rating)
    return item


# --- mock interviews --------------------------------------------------------------------------------------


@transaction.atomic
def mock_start(
    *,
    user: User,
    topics: list[str],
    difficulty_mix: dict[str, int],
    seconds_per_question: int = 180,
    seed: int | None = None,
    now: datetime | None = None,
) -> MockInterview:
    """Start a timed interview: ``difficulty_mix`` says how many questions of each difficulty."""
    now = now or timezone.now()
    unknown = set(difficulty_mix) - set(Difficulty.values)
    if unknown:
        raise InvalidInput(f"Unknown difficulty {sorted(unknown)[0]!r}.", code="invalid")
    total = sum(difficulty_mix.values())
    if any(count < 0 for count in difficulty_mix.values()) or not 1 <= total <= MAX_QUESTIONS:
        raise InvalidInput(f"Ask for 1 to {MAX_QUESTIONS} questions in all.", code="invalid")
    if not 30 <= seconds_per_question <= 1800:
        raise InvalidInput("Allow 30 to 1800 seconds per question.", code="invalid")
    _check_topics(topics)
    rng = random.Random(seed)
    chosen: list[Question] = []
    for level, count in sorted(difficulty_mix.items()):
        pool = _pool(topics=topics, difficulty=level, written=True)
        if len(pool) < count:
            raise InvalidInput(
                f"Only {len(pool)} {level} question(s) match these topics; ask for fewer.",
                code="not_enough_questions",
            )
        chosen += rng.sample(pool, count)
    rng.shuffle(chosen)
    interview = MockInterview.objects.create(
        user=user,
        topics=topics,
        difficulty_mix=difficulty_mix,
        seconds_per_question=seconds_per_question,
        started_at=now,
    )
    MockInterviewItem.objects.bulk_create(
        MockInterviewItem(
            interview=interview, question=question, position=position, asked_at=now if position == 1 else None
        )
        for position, question in enumerate(chosen, start=1)
    )
    return interview


def _interview(user: User, interview_id: int) -> MockInterview:
    interview = MockInterview.objects.select_for_update().filter(pk=interview_id, user=user).first()
    if interview is None:
        raise NotFound("Mock interview not found.")
    return interview


@transaction.atomic
def mock_answer(
    *, user: User, interview_id: int, answer: str, now: datetime | None = None
) -> MockInterviewItem:
    """Answer the current question; the time since it was asked is recorded and the next one is asked."""
    now = now or timezone.now()
    interview = _interview(user, interview_id)
    if interview.status == MockStatus.FINISHED:
        raise Conflict("This mock interview is finished.", code="interview_finished")
    if len(answer) > 20_000:
        raise InvalidInput("Answers are limited to 20,000 characters.", code="invalid")
    items = list(interview.items.select_related("question").order_by("position"))
    current = next(item for item in items if item.answered_at is None)
    asked_at = current.asked_at or now
    grade = grading.grade_answer(
        answer=answer, key_points=current.question.key_points, prompt=current.question.prompt
    )
    current.answer, current.grade, current.score = answer, grade.as_dict(), grade.score
    current.answered_at = now
    current.time_spent_ms = max(0, int((now - asked_at) / timedelta(milliseconds=1)))
    current.save(update_fields=["answer", "grade", "score", "answered_at", "time_spent_ms"])
    services.review_submit(
        user=user,
        question_id=current.question_id,
        rating=grade.rating if answer.strip() else scheduling.AGAIN,
        idempotency_key=f"mock-{interview.pk}-{current.position}",
        duration_ms=current.time_spent_ms,
        source=ReviewSource.MOCK,
        now=now,
    )
    following = [item for item in items if item.position > current.position]
    if following:
        MockInterviewItem.objects.filter(pk=following[0].pk).update(asked_at=now)
    else:
        _finish(interview, items, now)
    return current


@transaction.atomic
def mock_finish(*, user: User, interview_id: int, now: datetime | None = None) -> MockInterview:
    """End the interview now (unanswered questions score 0) and write its report."""
    interview = _interview(user, interview_id)
    if interview.status == MockStatus.FINISHED:
        return interview
    _finish(
        interview,
        list(interview.items.select_related("question__topic").order_by("position")),
        now or timezone.now(),
    )
    return interview


def _finish(interview: MockInterview, items: list[MockInterviewItem], now: datetime) -> None:
    interview.status, interview.finished_at = MockStatus.FINISHED, now
    interview.report = mock_report(interview, items)
    interview.save(update_fields=["status", "finished_at", "report"])


def mock_report(interview: MockInterview, items: list[MockInterviewItem]) -> dict[str, Any]:
    """Score overall and per topic, missed key points with their questions, time, and what to study."""
    ids = [item.question_id for item in items]
    questions = Question.objects.select_related("topic").in_bulk(ids)
    per_topic: dict[str, list[float]] = defaultdict(list)
    missed = []
    overtime = 0
    for item in items:
        question = questions[item.question_id]
        score = item.score or 0.0
        per_topic[question.topic.slug].append(score)
        if item.time_spent_ms > interview.seconds_per_question * 1000:
            overtime += 1
        points = (item.grade or {}).get("points", [])
        missed_points = (
            [point["key_point"] for point in points if not point["covered"]]
            if item.grade
            else list(question.key_points)
        )
        if score < PASSING_SCORE or missed_points:
            missed.append(
                {
                    "question": question.pk,
                    "prompt": question.prompt,
                    "url": f"/api/v1/questions/{question.pk}/",
                    "score": score,
                    "missed_key_points": missed_points,
                    # the missed points the answer stated the opposite of (a subset of missed_key_points)
                    "contradicted_key_points": [
                        point["key_point"] for point in points if point.get("verdict") == "contradicted"
                    ],
                }
            )
    topics = {slug: round(sum(scores) / len(scores), 2) for slug, scores in sorted(per_topic.items())}
    weakest = [
        slug
        for slug, score in sorted(topics.items(), key=lambda pair: (pair[1], pair[0]))
        if score < PASSING_SCORE
    ][:3]
    answered = [item for item in items if item.answered_at is not None]
    return {
        "score": round(sum(item.score or 0.0 for item in items) / len(items), 2) if items else 0.0,
        "questions": len(items),
        "answered": len(answered),
        "over_time": overtime,
        "time_spent_seconds": round(sum(item.time_spent_ms for item in items) / 1000),
        "by_topic": topics,
        "missed": missed,
        "recommendation": {
            "weakest_topics": weakest,
            "message": (
                "Review "
                + ", ".join(weakest)
                + " next: the questions you missed are already due in your review queue."
                if weakest
                else "Well done: no topic scored below the passing mark."
            ),
            "queue": [f"/api/v1/practice/queue/?topic={slug}" for slug in weakest],
        },
    }
