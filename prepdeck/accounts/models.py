"""The custom user: email is the sign-in identifier, and the practice preferences live on the user row
(every review reads them, so keeping them here saves a join on the hottest path)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from prepdeck.accounts import validators


class UserManager(BaseUserManager["User"]):
    """Creates users from an email address; lookups by email ignore case."""

    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: Any) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if extra_fields.get("is_staff") is not True or extra_fields.get("is_superuser") is not True:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", max_length=254, unique=True, help_text="Stored in lower case.")
    display_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can sign in to the admin site.")
    date_joined = models.DateTimeField(default=timezone.now)
    email_verified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the user proved they receive mail at this address."
    )

    # Practice preferences.
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validators.validate_time_zone],
        help_text="IANA time zone; the study day and the daily queue follow it.",
    )
    day_start_hour = models.PositiveSmallIntegerField(
        default=4,
        validators=[MaxValueValidator(23)],
        help_text="Local hour at which a new study day starts (0-23). Reviews after midnight but before "
        "this hour still count for the previous day.",
    )
    desired_retention = models.FloatField(
        default=0.90,
        validators=[validators.validate_desired_retention],
        help_text="Probability of recall the scheduler aims for when a card comes due (0.70-0.97). "
        "Higher means more reviews and better memory.",
    )
    daily_new_limit = models.PositiveSmallIntegerField(
        default=20,
        validators=[MinValueValidator(0), MaxValueValidator(validators.MAX_DAILY_NEW_LIMIT)],
        help_text="New questions introduced per study day.",
    )

    # Email the user asked for (off until they opt in), and what was last sent (dates in their time zone).
    study_reminder_enabled = models.BooleanField(
        default=False, help_text="Email a study reminder on days with cards due."
    )
    study_reminder_hour = models.PositiveSmallIntegerField(
        default=18,
        validators=[MaxValueValidator(23)],
        help_text="Local hour (0-23) from which the day's study reminder and the weekly digest are sent.",
    )
    weekly_digest_enabled = models.BooleanField(default=False, help_text="Email a weekly progress digest.")
    study_reminder_sent_on = models.DateField(
        null=True, blank=True, editable=False, help_text="Local date of the last study reminder handled."
    )
    weekly_digest_sent_week = models.DateField(
        null=True, blank=True, editable=False, help_text="Monday (local) of the last week a digest was sent."
    )

    objects: ClassVar[UserManager] = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day_start_hour__gte=0, day_start_hour__lte=23),
                name="accounts_user_day_start_hour_range",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    desired_retention__gte=validators.MIN_DESIRED_RETENTION,
                    desired_retention__lte=validators.MAX_DESIRED_RETENTION,
                ),
                name="accounts_user_desired_retention_range",
            ),
            models.CheckConstraint(
                condition=models.Q(daily_new_limit__lte=validators.MAX_DAILY_NEW_LIMIT),
                name="accounts_user_daily_new_limit_range",
            ),
            models.CheckConstraint(
                condition=models.Q(study_reminder_hour__gte=0, study_reminder_hour__lte=23),
                name="accounts_user_study_reminder_hour_range",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_editor(self) -> bool:
        """In the editors group, or staff (see ``accounts.roles``; cached for the request)."""
        from prepdeck.accounts import roles

        return roles.is_editor(self)

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Email addresses are compared case-insensitively everywhere; storing them lower-cased lets a plain
        # unique index enforce that (the admin, createsuperuser and services all pass through here).
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email.split("@", 1)[0]

    @property
    def public_name(self) -> str:
        """How other people see this user (revision authors, edit conflicts): the display name, never the
        email address (a user without a display name is "User #<id>")."""
        return self.display_name or f"User #{self.pk}"


class ApiToken(models.Model):
    """A personal API token (``Authorization: Token pd_...``). Only its SHA-256 digest is stored; the
    token itself is shown once, when it is created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'my CLI'.")
    prefix = models.CharField(max_length=12, help_text="The token's first characters, to recognise it.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"
