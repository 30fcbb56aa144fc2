"""Practice API (``/api/v1/practice/`` and ``/api/v1/grade``): the queue, reviews, undo, suspend and
bury, statistics, and grading a written answer. Everything here is the signed-in user's own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prepdeck.catalog import selectors as catalog_selectors
from prepdeck.catalog.apis import QuestionListSerializer
from prepdeck.catalog.models import Difficulty
from prepdeck.core.api import signed_in_user
from prepdeck.core.api.pagination import FeedPagination
from prepdeck.core.api.schema import errors
from prepdeck.practice import grading, scheduling, selectors, services, sessions
from prepdeck.practice.models import (
    Card,
    MockInterview,
    MockInterviewItem,
    MockStatus,
    Quiz,
    QuizItem,
    QuizKind,
    Review,
)


class CardSerializer(serializers.ModelSerializer[Card]):
    state = serializers.CharField(source="get_state_display")

    class Meta:
        model = Card
        fields = (
            "state",
            "due",
            "last_review",
            "stability",
            "difficulty",
            "reps",
            "lapses",
            "suspended",
            "buried_until",
        )


QUEUE_ITEM_KINDS = [("due", "Due"), ("new", "New")]


class QueueItemSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=QUEUE_ITEM_KINDS)
    question = QuestionListSerializer()
    retrievability = serializers.FloatField()
    intervals = serializers.DictField(
        child=serializers.IntegerField(), help_text="Seconds until the card is due again for each rating 1-4."
    )


class QueueSerializer(serializers.Serializer[Any]):
    due = serializers.IntegerField()
    new = serializers.IntegerField()
    learning_later_today = serializers.IntegerField()
    new_introduced_today = serializers.IntegerField(
        help_text="New cards started in review today; only these count against the daily limit."
    )
    new_from_practice_today = serializers.IntegerField(
        help_text="Questions first met today in a quiz or mock interview (not counted against the limit)."
    )
    daily_new_limit = serializers.IntegerField()
    day_ends_at = serializers.DateTimeField()
    items = QueueItemSerializer(many=True)


class ReviewInputSerializer(serializers.Serializer[Any]):
    question = serializers.IntegerField(min_value=1)
    rating = serializers.IntegerField(help_text="1 again, 2 hard, 3 good, 4 easy.")
    idempotency_key = serializers.CharField(
        max_length=64, help_text="Any unique string; resending it records nothing new."
    )
    duration_ms = serializers.IntegerField(min_value=0, max_value=3_600_000, default=0)

    def validate_rating(self, value: int) -> int:
        if value not in scheduling.RATINGS:
            raise serializers.ValidationError("The rating must be 1 (again), 2 (hard), 3 (good) or 4 (easy).")
        return value


class ReviewSerializer(serializers.ModelSerializer[Review]):
    question = serializers.IntegerField(source="card.question_id")
    card = CardSerializer()

    class Meta:
        model = Review
        fields = (
            "id",
            "question",
            "rating",
            "reviewed_at",
            "duration_ms",
            "source",
            "scheduled_days",
            "card",
        )


class ReviewLogSerializer(serializers.ModelSerializer[Review]):
    question = serializers.IntegerField(source="card.question_id")
    prompt = serializers.CharField(source="card.question.prompt")

    class Meta:
        model = Review
        fields = (
            "id",
            "question",
            "prompt",
            "rating",
            "reviewed_at",
            "duration_ms",
            "source",
            "scheduled_days",
        )


class ReviewLogPagination(FeedPagination):
    ordering = ("-reviewed_at", "-id")


class MockPagination(FeedPagination):
    ordering = ("-started_at", "-id")


class QueueApi(APIView):
    @extend_schema(
        tags=["practice"],
        summary="What to study now: due cards, then new questions up to your daily limit",
        parameters=[
            OpenApiParameter("limit", int, description="Items to return (1-100, default 20)."),
            OpenApiParameter("topic", str, description="Only this topic (and the topics below it)."),
            OpenApiParameter("tag", str),
            OpenApiParameter("difficulty", str, enum=Difficulty.values),
            OpenApiParameter(
                "more",
                int,
                description="Learn more: up to this many new questions beyond today's limit (0-100; only "
                "with topic, tag or difficulty).",
            ),
            OpenApiParameter(
                "learn_ahead",
                bool,
                description=f"Also offer learning steps due in the next {selectors.LEARN_AHEAD_MINUTES} minutes.",
            ),
        ],
        responses={200: QueueSerializer, **errors(400)},
    )
    def get(self, request: Request) -> Response:
        user = signed_in_user(request)
        try:
            limit = min(100, max(1, int(request.query_params.get("limit", 20))))
        except ValueError:
            raise serializers.ValidationError({"limit": ["A whole number."]}) from None
        difficulty = request.query_params.get("difficulty") or None
        if difficulty and difficulty not in Difficulty.values:
            raise serializers.ValidationError({"difficulty": [f"One of {', '.join(Difficulty.values)}."]})
        narrowing = {name: request.query_params.get(name) or None for name in ("topic", "tag", "difficulty")}
        try:
            more = min(100, max(0, int(request.query_params.get("more", 0))))
        except ValueError:
            raise serializers.ValidationError({"more": ["A whole number."]}) from None
        if more and not any(narrowing.values()):
            raise serializers.ValidationError(
                {"more": ["Learning more beyond the daily limit needs a topic, tag or difficulty."]}
            )
        now = timezone.now()
        settings = services.scheduler_settings_for(user)
        ahead = request.query_params.get("learn_ahead", "").lower() in {"1", "true", "yes"}
        queue = selectors.review_queue(
            user=user,
            now=now,
            settings=settings,
            limit=limit,
            topic=narrowing["topic"],
            tag=narrowing["tag"],
            difficulty=difficulty,
            new_limit_bonus=more,
            learn_ahead_until=now + timedelta(minutes=selectors.LEARN_AHEAD_MINUTES) if ahead else None,
        )
        items = [
            {
                "kind": item.kind,
                "question": item.question,
                "retrievability": round(item.retrievability, 4),
                "intervals": {
                    str(rating): int(interval.total_seconds()) for rating, interval in item.intervals.items()
                },
            }
            for item in queue.items
        ]
        return Response(QueueSerializer({**queue.__dict__, "items": items}).data)


class ReviewListApi(generics.ListAPIView[Review]):
    serializer_class = ReviewLogSerializer
    pagination_class = ReviewLogPagination
    filter_backends = ()

    def get_queryset(self) -> Any:
        return selectors.reviews_of(user=signed_in_user(self.request))

    @extend_schema(
        tags=["practice"],
        summary="Your review log, newest first",
        responses={200: ReviewLogSerializer(many=True), **errors(404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["practice"],
        summary="Rate a question (idempotent by key); returns the review and the card's new schedule",
        request=ReviewInputSerializer,
        responses={201: ReviewSerializer, 200: ReviewSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        payload = ReviewInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = payload.validated_data
        result = services.review_submit(
            user=signed_in_user(request),
            question_id=values["question"],
            rating=values["rating"],
            idempotency_key=values["idempotency_key"],
            duration_ms=values["duration_ms"],
        )
        return Response(
            ReviewSerializer(result.review).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class ReviewUndoApi(APIView):
    @extend_schema(
        tags=["practice"],
        summary="Take back your last review",
        request=None,
        responses={200: CardSerializer, **errors(409)},
    )
    def post(self, request: Request) -> Response:
        return Response(CardSerializer(services.review_undo(user=signed_in_user(request))).data)


class CardSuspendApi(APIView):
    suspend = True

    @extend_schema(
        tags=["practice"],
        summary="Leave a question out of your queue (or bring it back)",
        request=None,
        responses={200: CardSerializer, **errors(404)},
    )
    def post(self, request: Request, question_id: int) -> Response:
        card = services.card_suspend(
            user=signed_in_user(request), question_id=question_id, suspended=self.suspend
        )
        return Response(CardSerializer(card).data)


class CardUnsuspendApi(CardSuspendApi):
    suspend = False


class CardBuryApi(APIView):
    @extend_schema(
        tags=["practice"],
        summary="Leave a question out of your queue until your next study day",
        request=None,
        responses={200: CardSerializer, **errors(404)},
    )
    def post(self, request: Request, question_id: int) -> Response:
        user = signed_in_user(request)
        _, day_end = selectors.study_day_bounds(user=user, now=timezone.now())
        card = services.card_bury(user=user, question_id=question_id, until=day_end)
        return Response(CardSerializer(card).data)


StatisticsSerializer = inline_serializer(
    name="Statistics",
    fields={
        "reviews_today": serializers.IntegerField(),
        "streak_days": serializers.IntegerField(),
        "due_forecast": serializers.ListField(child=serializers.DictField()),
        "heatmap": serializers.ListField(child=serializers.DictField()),
        "retention_by_week": serializers.ListField(child=serializers.DictField()),
        "overall_retention": serializers.FloatField(
            allow_null=True, help_text="Recalled / mature reviews over all weeks; null before the first."
        ),
        "mastery_by_topic": serializers.ListField(child=serializers.DictField()),
        "weakest_topics": serializers.ListField(child=serializers.CharField()),
        "totals": serializers.DictField(child=serializers.IntegerField()),
    },
)


class StatisticsApi(APIView):
    @extend_schema(
        tags=["practice"],
        summary="Your progress: today, streak, forecast, heatmap, retention, mastery",
        responses={200: StatisticsSerializer, **errors()},
    )
    def get(self, request: Request) -> Response:
        user = signed_in_user(request)
        stats = selectors.user_statistics(
            user=user, now=timezone.now(), settings=services.scheduler_settings_for(user)
        )
        return Response(stats.__dict__)


# --- grading, quizzes, mock interviews ----------------------------------------------------------------------


class GradeInputSerializer(serializers.Serializer[Any]):
    question = serializers.IntegerField(min_value=1)
    answer = serializers.CharField(max_length=20_000, trim_whitespace=False)


GradeSerializer = inline_serializer(
    name="Grade",
    fields={
        "score": serializers.FloatField(help_text="0 to 1."),
        "rating": serializers.IntegerField(help_text="The FSRS rating the score maps to (1-4)."),
        "stuffing": serializers.BooleanField(help_text="Penalised as a keyword list without sentences."),
        "needs_review": serializers.BooleanField(
            help_text="The evidence is too weak to tell a pass from a fail: let the learner grade the answer "
            "(the rating is only a suggestion)."
        ),
        "points": serializers.ListField(
            child=inline_serializer(
                name="GradedKeyPoint",
                fields={
                    "key_point": serializers.CharField(),
                    "covered": serializers.BooleanField(help_text='Same as verdict == "covered".'),
                    "matched": serializers.CharField(
                        help_text="The phrase of the answer that covered it (empty unless covered)."
                    ),
                    "similarity": serializers.FloatField(),
                    "verdict": serializers.ChoiceField(
                        choices=["covered", "missing", "contradicted"],
                        help_text="contradicted: the answer states the opposite; it counts against the score.",
                    ),
                    "evidence": serializers.CharField(
                        help_text="The phrase of the answer that decided the verdict (covered or contradicted)."
                    ),
                    "spans": serializers.ListField(
                        child=serializers.ListField(
                            child=serializers.IntegerField(), min_length=2, max_length=2
                        ),
                        help_text="[start, end) character offsets of the deciding phrases in the answer as sent.",
                    ),
                    "reason": serializers.ChoiceField(
                        choices=["", "negation", "antonym", "number", "swapped roles"],
                        help_text="How a contradicted point is contradicted; empty otherwise.",
                    ),
                    "uncertain": serializers.BooleanField(
                        help_text="Weak evidence either way for this point."
                    ),
                },
            )
        ),
    },
)


class GradeApi(APIView):
    throttle_scope = "grading"

    @extend_schema(
        tags=["practice"],
        summary="Grade a written answer to one question against its key points (records nothing)",
        request=GradeInputSerializer,
        responses={200: GradeSerializer, **errors(400, 404)},
    )
    def post(self, request: Request) -> Response:
        payload = GradeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        question = catalog_selectors.question_get_visible(
            user=request.user, question_id=payload.validated_data["question"]
        )
        grade = grading.grade_answer(
            answer=payload.validated_data["answer"], key_points=question.key_points, prompt=question.prompt
        )
        return Response(grade.as_dict())


class QuizItemSerializer(serializers.ModelSerializer[QuizItem]):
    question = QuestionListSerializer()
    correct_option = serializers.SerializerMethodField()
    option_notes = serializers.SerializerMethodField(
        help_text="Multiple choice, once answered: per option, why it is wrong (empty for the right one)."
    )
    why_wrong = serializers.SerializerMethodField(
        help_text="Multiple choice, once answered wrongly: why the chosen option is wrong."
    )

    class Meta:
        model = QuizItem
        fields = (
            "position",
            "question",
            "options",
            "chosen_option",
            "correct_option",
            "option_notes",
            "why_wrong",
            "answer",
            "grade",
            "score",
            "score_overridden",
            "skipped",
            "answered_at",
        )

    def get_correct_option(self, item: QuizItem) -> int | None:
        return item.correct_option if item.answered_at else None  # revealed once answered

    def get_option_notes(self, item: QuizItem) -> list[str] | None:
        return list(item.option_notes) if item.answered_at and item.option_notes else None

    def get_why_wrong(self, item: QuizItem) -> str | None:
        return item.chosen_why_wrong


class QuizSerializer(serializers.ModelSerializer[Quiz]):
    items = QuizItemSerializer(many=True)
    score = serializers.SerializerMethodField()

    class Meta:
        model = Quiz
        fields = ("id", "kind", "created_at", "finished_at", "score", "items")

    def get_score(self, quiz: Quiz) -> float | None:
        return selectors.quiz_score(quiz)


class QuizCreateSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=QuizKind.choices)
    count = serializers.IntegerField(min_value=1, max_value=sessions.MAX_QUESTIONS, default=10)
    topics = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    difficulty = serializers.ChoiceField(
        choices=Difficulty.choices, required=False, allow_null=True, default=None
    )


class QuizAnswerSerializer(serializers.Serializer[Any]):
    chosen_option = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    answer = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20_000, trim_whitespace=False
    )
    duration_ms = serializers.IntegerField(min_value=0, max_value=3_600_000, default=0)
    skip = serializers.BooleanField(
        default=False,
        help_text="Pass over the question: no score, and the card's schedule is left as it was.",
    )


class ScoreOverrideSerializer(serializers.Serializer[Any]):
    score = serializers.FloatField(min_value=0, max_value=1)


class QuizListApi(generics.ListAPIView[Quiz]):
    serializer_class = QuizSerializer
    pagination_class = FeedPagination
    filter_backends = ()

    def get_queryset(self) -> Any:
        return selectors.quizzes_of(user=signed_in_user(self.request))

    @extend_schema(
        tags=["practice"],
        summary="Your quizzes, newest first",
        responses={200: QuizSerializer(many=True), **errors(404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["practice"],
        summary="Start a quiz (multiple choice or written answers)",
        request=QuizCreateSerializer,
        responses={201: QuizSerializer, **errors(400)},
    )
    def post(self, request: Request) -> Response:
        payload = QuizCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = signed_in_user(request)
        quiz = sessions.quiz_create(user=user, **payload.validated_data)
        return Response(
            QuizSerializer(selectors.quiz_get(user=user, quiz_id=quiz.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class QuizDetailApi(APIView):
    @extend_schema(
        tags=["practice"], summary="One of your quizzes", responses={200: QuizSerializer, **errors(404)}
    )
    def get(self, request: Request, quiz_id: int) -> Response:
        return Response(
            QuizSerializer(selectors.quiz_get(user=signed_in_user(request), quiz_id=quiz_id)).data
        )


class QuizAnswerApi(APIView):
    throttle_scope = "grading"

    @extend_schema(
        tags=["practice"],
        summary="Answer one question of a quiz (once); the answer is graded and feeds your reviews",
        request=QuizAnswerSerializer,
        responses={200: QuizItemSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, quiz_id: int, position: int) -> Response:
        payload = QuizAnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item = sessions.quiz_answer(
            user=signed_in_user(request), quiz_id=quiz_id, position=position, **payload.validated_data
        )
        return Response(QuizItemSerializer(item).data)


class QuizOverrideApi(APIView):
    @extend_schema(
        tags=["practice"],
        summary="Correct the grade of one of your written answers",
        request=ScoreOverrideSerializer,
        responses={200: QuizItemSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, quiz_id: int, position: int) -> Response:
        payload = ScoreOverrideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item = sessions.quiz_grade_override(
            user=signed_in_user(request),
            quiz_id=quiz_id,
            position=position,
            score=payload.validated_data["score"],
        )
        return Response(QuizItemSerializer(item).data)


class MockItemSerializer(serializers.ModelSerializer[MockInterviewItem]):
    question = serializers.SerializerMethodField()

    class Meta:
        model = MockInterviewItem
        fields = (
            "position",
            "question",
            "asked_at",
            "answered_at",
            "answer",
            "time_spent_ms",
            "grade",
            "score",
        )

    def get_question(self, item: MockInterviewItem) -> dict[str, Any] | None:
        if item.asked_at is None:
            return None  # not asked yet: its prompt stays hidden
        return {"id": item.question_id, "prompt": item.question.prompt, "topic": item.question.topic.slug}


class MockSerializer(serializers.ModelSerializer[MockInterview]):
    items = MockItemSerializer(many=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = MockInterview
        fields = (
            "id",
            "status",
            "topics",
            "difficulty_mix",
            "seconds_per_question",
            "started_at",
            "finished_at",
            "current",
            "report",
            "items",
        )

    def get_current(self, interview: MockInterview) -> int | None:
        pending = [item.position for item in interview.items.all() if item.answered_at is None]
        return pending[0] if pending and interview.status == MockStatus.IN_PROGRESS else None


class MockCreateSerializer(serializers.Serializer[Any]):
    topics = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    difficulty_mix = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=sessions.MAX_QUESTIONS)
    )
    seconds_per_question = serializers.IntegerField(min_value=30, max_value=1800, default=180)


class MockAnswerSerializer(serializers.Serializer[Any]):
    answer = serializers.CharField(allow_blank=True, max_length=20_000, trim_whitespace=False)


class MockListApi(generics.ListAPIView[MockInterview]):
    serializer_class = MockSerializer
    pagination_class = MockPagination
    filter_backends = ()

    def get_queryset(self) -> Any:
        return selectors.mock_interviews_of(user=signed_in_user(self.request))

    @extend_schema(
        tags=["practice"],
        summary="Your mock interviews, newest first",
        responses={200: MockSerializer(many=True), **errors(404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["practice"],
        summary="Start a timed mock interview",
        request=MockCreateSerializer,
        responses={201: MockSerializer, **errors(400)},
    )
    def post(self, request: Request) -> Response:
        payload = MockCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = signed_in_user(request)
        interview = sessions.mock_start(user=user, **payload.validated_data)
        return Response(
            MockSerializer(selectors.mock_interview_get(user=user, interview_id=interview.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class MockDetailApi(APIView):
    @extend_schema(
        tags=["practice"],
        summary="One of your mock interviews (with its report once finished)",
        responses={200: MockSerializer, **errors(404)},
    )
    def get(self, request: Request, interview_id: int) -> Response:
        return Response(
            MockSerializer(
                selectors.mock_interview_get(user=signed_in_user(request), interview_id=interview_id)
            ).data
        )


class MockAnswerApi(APIView):
    throttle_scope = "grading"

    @extend_schema(
        tags=["practice"],
        summary="Answer the current question (the time since it was asked is recorded)",
        request=MockAnswerSerializer,
        responses={200: MockSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, interview_id: int) -> Response:
        payload = MockAnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = signed_in_user(request)
        sessions.mock_answer(user=user, interview_id=interview_id, answer=payload.validated_data["answer"])
        return Response(
            MockSerializer(selectors.mock_interview_get(user=user, interview_id=interview_id)).data
        )


class MockFinishApi(APIView):
    @extend_schema(
        tags=["practice"],
        summary="End the interview now and get its report",
        request=None,
        responses={200: MockSerializer, **errors(404)},
    )
    def post(self, request: Request, interview_id: int) -> Response:
        user = signed_in_user(request)
        sessions.mock_finish(user=user, interview_id=interview_id)
        return Response(
            MockSerializer(selectors.mock_interview_get(user=user, interview_id=interview_id)).data
        )
