"""Practice: spaced-repetition cards and their review log, quizzes, mock interviews, fitted parameters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from prepdeck.catalog.models import Question


class CardState(models.IntegerChoices):
    NEW = 0, "New"
    LEARNING = 1, "Learning"
    REVIEW = 2, "Review"
    RELEARNING = 3, "Relearning"


class Card(models.Model):
    """One user's memory of one question: the FSRS state (see ``practice.scheduling``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cards")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="cards")
    state = models.PositiveSmallIntegerField(choices=CardState.choices, default=CardState.NEW)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField(default=timezone.now)
    last_review = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    suspended = models.BooleanField(default=False, help_text="Left out of the queue until unsuspended.")
    buried_until = models.DateTimeField(null=True, blank=True, help_text="Left out of the queue until then.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="practice_card_one_per_question"),
            models.CheckConstraint(condition=models.Q(state__lte=3), name="practice_card_state_known"),
        ]
        indexes = [models.Index(fields=["user", "state", "due"], name="practice_card_user_due")]

    def __str__(self) -> str:
        return f"card {self.pk} of user {self.user_id}"


class ReviewSource(models.TextChoices):
    REVIEW = "review", "Flashcard review"
    WRITTEN = "written", "Written answer"
    QUIZ = "quiz", "Multiple-choice quiz"
    MOCK = "mock", "Mock interview"


class Review(models.Model):
    """One rating of a card (append-only; the last one can be undone)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    reviewed_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=10, choices=ReviewSource.choices, default=ReviewSource.REVIEW)
    idempotency_key = models.CharField(max_length=64)
    state_before = models.PositiveSmallIntegerField(choices=CardState.choices)
    retrievability_before = models.FloatField(default=0)
    card_before = models.JSONField(help_text="The card's scheduling fields before this review (for undo).")
    scheduled_days = models.FloatField(default=0, help_text="Interval given by this review, in days.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "idempotency_key"], name="practice_review_idempotent"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=4), name="practice_review_rating"
            ),
        ]
        indexes = [
            # Covering on PostgreSQL (statistics read only these columns: an index-only scan).
            models.Index(
                fields=["user", "reviewed_at"],
                include=["rating", "state_before"],
                name="practice_review_user_time",
            ),
            models.Index(fields=["card", "reviewed_at"], name="practice_review_card_time"),
        ]

    def __str__(self) -> str:
        return f"review {self.pk} ({self.rating})"


class SchedulerParameters(models.Model):
    """FSRS weights fitted to one user's review log (``prepdeck practice optimize``)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fsrs")
    parameters = models.JSONField()
    review_count = models.PositiveIntegerField()
    fitted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"FSRS parameters of user {self.user_id}"


class QuizKind(models.TextChoices):
    MULTIPLE_CHOICE = "choice", "Multiple choice"
    WRITTEN = "written", "Written answers"


class Quiz(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quizzes")
    kind = models.CharField(max_length=10, choices=QuizKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="practice_quiz_user_created")]

    def __str__(self) -> str:
        return f"quiz {self.pk}"


class QuizItem(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    options = models.JSONField(default=list, blank=True, help_text="Multiple choice: the shuffled options.")
    option_notes = models.JSONField(
        default=list,
        blank=True,
        help_text='Multiple choice: per option, why it is wrong ("" for the correct one), shown once answered.',
    )
    correct_option = models.PositiveSmallIntegerField(null=True, blank=True)
    chosen_option = models.PositiveSmallIntegerField(null=True, blank=True)
    answer = models.TextField(blank=True)
    grade = models.JSONField(null=True, blank=True, help_text="Written answers: the grader's result.")
    score = models.FloatField(null=True, blank=True)
    score_overridden = models.BooleanField(default=False)
    skipped = models.BooleanField(
        default=False, help_text="Passed over without an answer: done, scored nothing, not reviewed."
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["quiz", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "position"], name="practice_quizitem_position")
        ]

    def __str__(self) -> str:
        return f"quiz {self.quiz_id} item {self.position}"

    @property
    def chosen_why_wrong(self) -> str | None:
        """Once a multiple-choice question is answered wrongly: why the chosen option is wrong."""
        if (
            self.answered_at is None
            or self.chosen_option is None
            or self.chosen_option == self.correct_option
        ):
            return None
        notes = self.option_notes or []
        return notes[self.chosen_option] or None if self.chosen_option < len(notes) else None


class MockStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    FINISHED = "finished", "Finished"


class MockInterview(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mock_interviews"
    )
    topics = models.JSONField(default=list, help_text="Topic slugs the questions came from.")
    difficulty_mix = models.JSONField(default=dict, help_text="Questions per difficulty.")
    seconds_per_question = models.PositiveIntegerField(default=180)
    status = models.CharField(max_length=12, choices=MockStatus.choices, default=MockStatus.IN_PROGRESS)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-started_at"], name="practice_mock_user_started")]

    def __str__(self) -> str:
        return f"mock interview {self.pk}"


class MockInterviewItem(models.Model):
    interview = models.ForeignKey(MockInterview, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    asked_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)
    time_spent_ms = models.PositiveIntegerField(default=0)
    grade = models.JSONField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["interview", "position"]
        constraints = [
            models.UniqueConstraint(fields=["interview", "position"], name="practice_mockitem_position")
        ]

    def __str__(self) -> str:
        return f"mock {self.interview_id} item {self.position}"
