"""The practice emails the periodic tasks send: the daily study reminder and the weekly progress digest.

Both are opt-in (``User.study_reminder_enabled`` / ``weekly_digest_enabled``) and follow the user's own
time zone and hour (``reminder_times``). Beat runs a dispatcher every 15 minutes that finds the users whose
moment has come and queues one task per user (tasks take ids); the task claims the user's local day (or
week) with a conditional UPDATE before it sends, so retries, redelivered messages and overlapping runs send
at most one email per local day (or week). A failed send rolls the claim back, so the retry sends it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from prepdeck.accounts.models import User
from prepdeck.accounts.services import absolute_url, unsubscribe_url
from prepdeck.practice import reminder_times, selectors
from prepdeck.practice.services import scheduler_settings_for

logger = logging.getLogger(__name__)


# --- finding who is due -------------------------------------------------------------------------------------


def _zones(opted_in: Q) -> list[str]:
    return list(
        User.objects.filter(opted_in, is_active=True)
        .order_by()
        .values_list("time_zone", flat=True)
        .distinct()
    )


def _local_now(now: datetime, zone: str) -> datetime | None:
    try:
        return reminder_times.local_time(now, zone)
    except (ZoneInfoNotFoundError, ValueError):  # validated on save; a zone dropped by a tzdata update
        logger.warning("Unknown time zone %r: its users get no reminders until they choose another", zone)
        return None


def study_reminder_candidates(*, now: datetime) -> list[int]:
    """Ids of the opted-in users whose local reminder hour has come and whose local day had no reminder
    yet. Two queries whatever the number of users: the distinct time zones, then one filter that compares
    each zone's local hour and date (so the database does the work, with no per-user loop)."""
    opted_in = Q(study_reminder_enabled=True)
    condition = Q(pk__in=[])
    for zone in _zones(opted_in):
        local = _local_now(now, zone)
        if local is None:
            continue
        condition |= Q(time_zone=zone, study_reminder_hour__lte=local.hour) & (
            Q(study_reminder_sent_on__isnull=True) | Q(study_reminder_sent_on__lt=local.date())
        )
    return list(
        User.objects.filter(opted_in, condition, is_active=True).order_by("pk").values_list("pk", flat=True)
    )


def weekly_digest_candidates(*, now: datetime) -> list[int]:
    """Ids of the opted-in users whose local week has no digest yet and whose moment has come (Monday from
    their hour, or any later day of the week)."""
    opted_in = Q(weekly_digest_enabled=True)
    condition = Q(pk__in=[])
    for zone in _zones(opted_in):
        local = _local_now(now, zone)
        if local is None:
            continue
        monday = reminder_times.week_start(local.date())
        not_sent = Q(weekly_digest_sent_week__isnull=True) | Q(weekly_digest_sent_week__lt=monday)
        moment = Q() if local.date() != monday else Q(study_reminder_hour__lte=local.hour)
        condition |= Q(time_zone=zone) & moment & not_sent
    return list(
        User.objects.filter(opted_in, condition, is_active=True).order_by("pk").values_list("pk", flat=True)
    )


# --- sending ------------------------------------------------------------------------------------------------


def _send(*, user: User, mailing: str, subject: str, template: str, context: dict[str, Any]) -> None:
    """Send one mailing with its one-click unsubscribe link in the body and in the headers (RFC 8058)."""
    link = unsubscribe_url(user=user, mailing=mailing)
    context = {
        **context,
        "user": user,
        "unsubscribe_url": link,
        "preferences_url": absolute_url(reverse("accounts:preferences")),
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{template}.txt", context),
        to=[user.email],
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    message.send()


@dataclass(frozen=True)
class _Mailing:
    """One periodic mailing: its name (the unsubscribe scope and its templates), the user's opt-in field,
    and the field that records the period (local day, or local week's Monday) it last went out for."""

    name: str
    opted_in: str
    sent: str


STUDY_REMINDER = _Mailing("study_reminder", opted_in="study_reminder_enabled", sent="study_reminder_sent_on")
WEEKLY_DIGEST = _Mailing("weekly_digest", opted_in="weekly_digest_enabled", sent="weekly_digest_sent_week")


def _claim(mailing: _Mailing, user_id: int, period: date) -> bool:
    """Record ``period`` as the mailing's last one unless it (or a later one) already is: the one UPDATE that
    makes sending idempotent (a concurrent claim waits for this row and then matches nothing)."""
    return (
        User.objects.filter(pk=user_id, is_active=True, **{mailing.opted_in: True})
        .filter(Q(**{f"{mailing.sent}__isnull": True}) | Q(**{f"{mailing.sent}__lt": period}))
        .update(**{mailing.sent: period})
        == 1
    )


def _give_back(mailing: _Mailing, user_id: int, period: date, previous: date | None) -> None:
    """Give back a claim whose email could not be sent, so the retry sends it (only if nothing newer)."""
    User.objects.filter(pk=user_id, **{mailing.sent: period}).update(**{mailing.sent: previous})


# What a mailing's email says: its subject and its templates' context, or None when there is nothing to say.
_Email = tuple[str, dict[str, Any]]


def _send_once(
    *,
    mailing: _Mailing,
    user_id: int,
    due: Callable[[User], date | None],
    compose: Callable[[User, date], _Email | None],
) -> str:
    """Send ``mailing`` to the user at most once per period; the flow both mailings share.

    ``due`` names the period it is due for now (None: not yet, or already sent); ``compose`` writes the
    email, or returns None when there is nothing to say (the period is still handled). Returns ``sent``,
    ``nothing_due`` or ``not_due`` (not opted in, not due, or another worker claimed the period first).

    The claim commits on its own, before composing and sending: the user's row is not kept locked while
    the mail server answers. Anything failing after the claim (SMTP down) gives it back and is raised, for
    the task to retry."""
    user = User.objects.filter(pk=user_id, is_active=True, **{mailing.opted_in: True}).first()
    if user is None:
        return "not_due"
    try:
        period = due(user)
    except (ZoneInfoNotFoundError, ValueError):
        return "not_due"
    if period is None or not _claim(mailing, user_id, period):
        return "not_due"
    try:
        email = compose(user, period)
        if email is None:
            return "nothing_due"
        subject, context = email
        _send(user=user, mailing=mailing.name, subject=subject, template=mailing.name, context=context)
    except Exception:
        _give_back(mailing, user_id, period, getattr(user, mailing.sent))
        raise
    return "sent"


def study_reminder_send(*, user_id: int, now: datetime | None = None) -> str:
    """Send the user's study reminder if it is due now and cards are due; return what happened:
    ``sent``, ``nothing_due`` (the day is marked handled: no email on a day with nothing to review),
    ``not_due`` (not opted in, too early, or already handled today).

    Safe to retry and to run twice at once. An error while sending (SMTP down) rolls the claim back and is
    raised, for the task to retry."""
    now = now or timezone.now()

    def due(user: User) -> date | None:
        return reminder_times.reminder_due_on(
            now=now,
            time_zone=user.time_zone,
            hour=user.study_reminder_hour,
            last_sent_on=user.study_reminder_sent_on,
        )

    def compose(user: User, day: date) -> _Email | None:
        queue = selectors.review_queue(user=user, now=now, settings=scheduler_settings_for(user), limit=0)
        if queue.due == 0:
            return None
        return (
            f"{queue.due} card{'s' if queue.due != 1 else ''} due for review on PrepDeck",
            {"due": queue.due, "new": queue.new, "review_url": absolute_url(reverse("web:review"))},
        )

    return _send_once(mailing=STUDY_REMINDER, user_id=user_id, due=due, compose=compose)


@dataclass
class Digest:
    """One user's last local week (Monday to Sunday, by study day)."""

    week_start: date
    reviews: int
    mature_reviews: int
    retention: float | None  # recalled / mature reviews of that week, None without mature reviews
    target: float  # the user's desired retention
    weakest_topics: list[dict[str, Any]]  # {"topic", "title", "mastery"} of the weakest studied topics
    due_today: int


def weekly_digest_build(*, user: User, now: datetime, week_start: date) -> Digest:
    """The figures of the week before ``week_start``, from the statistics page's selector (one source)."""
    settings_ = scheduler_settings_for(user)
    stats = selectors.user_statistics(user=user, now=now, settings=settings_)
    previous = week_start - timedelta(days=7)
    days = {(previous + timedelta(days=offset)).isoformat() for offset in range(7)}
    week = next((row for row in stats.retention_by_week if row["week"] == previous.isoformat()), None)
    titles = {row["topic"]: row for row in stats.mastery_by_topic}
    return Digest(
        week_start=previous,
        reviews=sum(row["reviews"] for row in stats.heatmap if row["date"] in days),
        mature_reviews=week["reviews"] if week else 0,
        retention=week["retention"] if week else None,
        target=user.desired_retention,
        weakest_topics=[titles[slug] for slug in stats.weakest_topics if slug in titles],
        due_today=stats.due_forecast[0]["due"] if stats.due_forecast else 0,
    )


def weekly_digest_send(*, user_id: int, now: datetime | None = None) -> str:
    """Send the user's weekly digest if it is due now: ``sent`` or ``not_due``. Idempotent like
    ``study_reminder_send`` (the claim is the local week's Monday)."""
    now = now or timezone.now()

    def due(user: User) -> date | None:
        return reminder_times.digest_due_week(
            now=now,
            time_zone=user.time_zone,
            hour=user.study_reminder_hour,
            last_sent_week=user.weekly_digest_sent_week,
        )

    def compose(user: User, monday: date) -> _Email:
        digest = weekly_digest_build(user=user, now=now, week_start=monday)
        return (
            f"Your PrepDeck week: {digest.reviews} review{'s' if digest.reviews != 1 else ''}",
            {
                "digest": digest,
                "week_end": digest.week_start + timedelta(days=6),
                "retention_percent": None if digest.retention is None else round(digest.retention * 100, 1),
                "target_percent": round(digest.target * 100, 1),
                "review_url": absolute_url(reverse("web:review")),
                "statistics_url": absolute_url(reverse("web:statistics")),
            },
        )

    return _send_once(mailing=WEEKLY_DIGEST, user_id=user_id, due=due, compose=compose)
