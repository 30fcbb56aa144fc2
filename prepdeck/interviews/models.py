"""Live interviews: kits of questions with rubrics, scheduled sessions, invites, the event log and scorecards.

The event log (``SessionEvent``) is the source of truth of a live session: every action gets the next
sequence number of its session, and clients resync from it after a reconnect. ``InterviewSession.live`` and
``pads`` are the current state derived from the same writes (kept so a page renders without replaying).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

LEVELS = ((1, "Strong no"), (2, "No"), (3, "Yes"), (4, "Strong yes"))
LEVEL_NAMES = dict(LEVELS)


class Recommendation(models.TextChoices):
    STRONG_NO = "strong_no", "Strong no"
    NO = "no", "No"
    YES = "yes", "Yes"
    STRONG_YES = "strong_yes", "Strong yes"


class Kit(models.Model):
    """A reusable, copyable list of questions with a rubric each."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kits")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title


class KitItem(models.Model):
    """One question of a kit: from the bank (``question``) or custom (``custom_prompt``, ``custom_key_points``).

    ``rubric`` is ``{"behaviours": [one observable behaviour per key point], "anchors": [text for levels
    1-4: Strong no, No, Yes, Strong yes]}``.
    """

    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(default=0)
    question = models.ForeignKey(
        "catalog.Question", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    custom_prompt = models.TextField(blank=True)
    custom_key_points = models.JSONField(default=list, blank=True)
    suggested_minutes = models.PositiveSmallIntegerField(default=10)
    rubric = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(question__isnull=False) | ~models.Q(custom_prompt=""),
                name="interviews_kititem_question_or_custom",
            )
        ]

    def __str__(self) -> str:
        return self.prompt[:60]

    @property
    def prompt(self) -> str:
        return self.question.prompt if self.question_id and self.question else self.custom_prompt

    @property
    def key_points(self) -> list[str]:
        if self.question_id and self.question:
            return list(self.question.key_points)
        return list(self.custom_key_points)


class SessionState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    LIVE = "live", "Live"
    FINISHED = "finished", "Finished"


class InterviewSession(models.Model):
    """One interview of one candidate, from a snapshot of a kit (later kit edits do not change it).

    ``snapshot`` is a list of ``{"prompt", "key_points", "rubric", "suggested_minutes", "question_id"}``.
    ``last_seq`` is the sequence number of the latest event, bumped under a row lock.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kit = models.ForeignKey(Kit, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions")
    kit_title = models.CharField(max_length=200)
    snapshot = models.JSONField(default=list)
    candidate_name = models.CharField(max_length=120)
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interviews_taken",
    )
    interviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="interviews_given")
    scheduled_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=SessionState.choices, default=SessionState.SCHEDULED)
    share_report = models.BooleanField(default=False)
    last_seq = models.PositiveIntegerField(default=0)
    live = models.JSONField(default=dict, blank=True)
    pads = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-scheduled_at", "-id"]

    def __str__(self) -> str:
        return f"{self.candidate_name} ({self.kit_title})"

    @property
    def current_index(self) -> int:
        value: Any = self.live.get("current", -1)
        return int(value)


class Invite(models.Model):
    """A candidate's invite: only the SHA-256 of the random token is stored; single use, expiring."""

    session = models.ForeignKey(InterviewSession, on_delete=models.CASCADE, related_name="invites")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"invite to {self.session_id}"


class Audience(models.TextChoices):
    EVERYONE = "everyone", "Everyone in the session"
    INTERVIEWERS = "interviewers", "Interviewers only"
    ACTOR = "actor", "Only who did it"


class SessionEvent(models.Model):
    """One thing that happened in a live session, numbered per session (the log clients resync from)."""

    session = models.ForeignKey(InterviewSession, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=30)
    audience = models.CharField(max_length=12, choices=Audience.choices, default=Audience.EVERYONE)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(max_length=12)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "seq"]
        constraints = [models.UniqueConstraint(fields=["session", "seq"], name="interviews_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.seq} {self.kind}"


class Note(models.Model):
    """An interviewer's private note on one question of a session."""

    session = models.ForeignKey(InterviewSession, on_delete=models.CASCADE, related_name="notes")
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    index = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "interviewer", "index"], name="interviews_note_unique")
        ]

    def __str__(self) -> str:
        return f"note {self.session_id}/{self.interviewer_id}#{self.index}"


class Scorecard(models.Model):
    """One interviewer's private scorecard: ticks and levels per question (keys are question indexes as
    strings), a recommendation and feedback. Immutable once ``submitted_at`` is set."""

    session = models.ForeignKey(InterviewSession, on_delete=models.CASCADE, related_name="scorecards")
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ticks = models.JSONField(default=dict, blank=True)
    levels = models.JSONField(default=dict, blank=True)
    question_feedback = models.JSONField(default=dict, blank=True)
    recommendation = models.CharField(max_length=12, choices=Recommendation.choices, blank=True)
    feedback = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "interviewer"], name="interviews_scorecard_unique")
        ]

    def __str__(self) -> str:
        return f"scorecard {self.session_id}/{self.interviewer_id}"
