"""The study reminder and the weekly digest: who is due, the emails as sent, one-click unsubscribe through
the web client, the account page's email preferences, and at most one email per local day or week."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import Client
from django.urls import reverse

from prepdeck.accounts.models import User
from prepdeck.accounts.services import unsubscribe_token
from prepdeck.accounts.tests.factories import make_user
from prepdeck.practice import reminders, selectors, services, tasks
from prepdeck.practice.tests.test_reviews import FIXED, _bank

pytestmark = pytest.mark.django_db

# Monday 30 March 2026, 06:00 UTC: 08:00 in Berlin (summer time since Sunday), 02:00 in New York,
# 15:00 in Tokyo.
MONDAY_MORNING = datetime(2026, 3, 30, 6, 0, tzinfo=UTC)


def _reminded_user(**fields: object) -> User:
    defaults: dict[str, object] = {
        "email": "ada@example.com",
        "display_name": "Ada",
        "time_zone": "Europe/Berlin",
        "study_reminder_enabled": True,
        "study_reminder_hour": 8,
    }
    return make_user(**{**defaults, **fields})


def _with_due_cards(user: User, *, due: int, now: datetime) -> None:
    """``due`` cards in learning (due minutes after their first review, three days before ``now``) and one
    question never seen."""
    questions = _bank(due + 1)
    for question in questions[:due]:
        services.review_submit(
            user=user,
            question_id=question.pk,
            rating=3,
            idempotency_key=f"k-{question.pk}",
            now=now - timedelta(days=3),
            settings=FIXED,
        )


# --- who is due ---------------------------------------------------------------------------------------------


def test_candidates_are_the_opted_in_users_whose_local_hour_has_come(django_assert_num_queries) -> None:
    berlin = _reminded_user(email="berlin@example.com")
    _reminded_user(email="new-york@example.com", time_zone="America/New_York")  # 02:00 there
    tokyo = _reminded_user(email="tokyo@example.com", time_zone="Asia/Tokyo", study_reminder_hour=15)
    _reminded_user(email="tokyo-late@example.com", time_zone="Asia/Tokyo", study_reminder_hour=16)
    _reminded_user(email="sent@example.com", study_reminder_sent_on=date(2026, 3, 30))
    yesterday = _reminded_user(email="yesterday@example.com", study_reminder_sent_on=date(2026, 3, 29))
    _reminded_user(email="off@example.com", study_reminder_enabled=False)
    _reminded_user(email="gone@example.com", is_active=False)

    with django_assert_num_queries(2):  # the distinct zones, then one filter: whatever the number of users
        due = reminders.study_reminder_candidates(now=MONDAY_MORNING)

    assert due == [berlin.pk, tokyo.pk, yesterday.pk]


def test_digest_candidates_follow_the_local_week(django_assert_num_queries) -> None:
    berlin = make_user(
        email="b@example.com", time_zone="Europe/Berlin", weekly_digest_enabled=True, study_reminder_hour=8
    )
    make_user(
        email="b-late@example.com",
        time_zone="Europe/Berlin",
        weekly_digest_enabled=True,
        study_reminder_hour=9,
    )
    make_user(
        email="ny@example.com", time_zone="America/New_York", weekly_digest_enabled=True
    )  # Monday 02:00
    done = date(2026, 3, 30)
    make_user(
        email="done@example.com",
        time_zone="Europe/Berlin",
        weekly_digest_enabled=True,
        weekly_digest_sent_week=done,
    )
    make_user(email="off@example.com", time_zone="Europe/Berlin")

    with django_assert_num_queries(2):
        due = reminders.weekly_digest_candidates(now=MONDAY_MORNING)

    assert due == [berlin.pk]


# --- the reminder email and unsubscribing -------------------------------------------------------------------


def test_the_reminder_email_and_its_one_click_unsubscribe_link() -> None:
    user = _reminded_user()
    _with_due_cards(user, due=2, now=MONDAY_MORNING)

    assert reminders.study_reminder_send(user_id=user.pk, now=MONDAY_MORNING) == "sent"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    token = unsubscribe_token(user=user, mailing="study_reminder")
    link = f"http://localhost:8000/accounts/unsubscribe/{token}/"
    assert message.to == ["ada@example.com"]
    assert message.subject == "2 cards due for review on PrepDeck"
    assert message.extra_headers == {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert message.body == (
        "Hello Ada,\n\n"
        "2 cards are due for review on PrepDeck, and 1 new question is waiting for today.\n"
        "A few minutes now keeps them from slipping.\n\n"
        "Study now: http://localhost:8000/review/\n\n"
        "You get this email because you turned on daily study reminders (at 08:00, Europe/Berlin).\n"
        "Change the hour or time zone: http://localhost:8000/accounts/preferences/\n"
        f"Stop these reminders: {link}\n"
    )
    assert isinstance(message, EmailMultiAlternatives)
    html, mimetype = message.alternatives[0]
    assert isinstance(html, str)
    assert mimetype == "text/html"
    assert f'<a href="{link}">Stop these reminders</a>' in html
    user.refresh_from_db()
    assert user.study_reminder_sent_on == date(2026, 3, 30)

    # A mail scanner following the link unsubscribes nobody: GET asks first.
    browser = Client(enforce_csrf_checks=True)  # not signed in, no CSRF cookie: as from a mail client
    page = browser.get(f"/accounts/unsubscribe/{token}/")
    assert page.status_code == 200
    assert "Stop sending daily study reminders to <strong>ada@example.com</strong>?" in page.content.decode()
    user.refresh_from_db()
    assert user.study_reminder_enabled is True

    # The mail client's one-click POST (RFC 8058) or the page's button turns it off.
    done = browser.post(f"/accounts/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert (
        "<strong>ada@example.com</strong> will no longer receive daily study reminders."
        in done.content.decode()
    )
    user.refresh_from_db()
    assert (user.study_reminder_enabled, user.weekly_digest_enabled) == (False, False)
    assert browser.post(f"/accounts/unsubscribe/{token}/").status_code == 200  # a second click: still fine

    assert reminders.study_reminder_send(user_id=user.pk, now=MONDAY_MORNING + timedelta(days=1)) == "not_due"
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "token",
    ["not-a-token", "eyJ1c2VyIjoxfQ:forged:signature"],
)
def test_a_broken_unsubscribe_link_is_a_friendly_400_page(token: str) -> None:
    user = _reminded_user()

    response = Client().post(f"/accounts/unsubscribe/{token}/")

    assert response.status_code == 400
    page = response.content.decode()
    assert "This link does not work" in page
    assert "This unsubscribe link is not valid." in page
    user.refresh_from_db()
    assert user.study_reminder_enabled is True


def test_a_token_for_one_mailing_does_not_turn_off_the_other() -> None:
    user = _reminded_user(weekly_digest_enabled=True)

    Client().post(
        reverse("accounts:unsubscribe", args=[unsubscribe_token(user=user, mailing="weekly_digest")])
    )

    user.refresh_from_db()
    assert (user.study_reminder_enabled, user.weekly_digest_enabled) == (True, False)


def test_the_account_page_sets_the_email_preferences() -> None:
    user = _reminded_user(study_reminder_enabled=False)
    browser = Client()
    browser.force_login(user)

    page = browser.get("/accounts/preferences/").content.decode()
    assert '<input type="checkbox" name="study_reminder_enabled"' in page
    assert (
        '<option value="8" selected>08:00</option>' in page
    )  # the reminder hour (the study day starts at 4)
    assert '<input type="checkbox" name="weekly_digest_enabled"' in page

    response = browser.post(
        "/accounts/preferences/",
        {
            "display_name": "Ada",
            "time_zone": "America/New_York",
            "day_start_hour": "4",
            "desired_retention": "0.90",
            "daily_new_limit": "20",
            "study_reminder_enabled": "on",
            "study_reminder_hour": "7",
            "weekly_digest_enabled": "on",
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (
        user.time_zone,
        user.study_reminder_enabled,
        user.study_reminder_hour,
        user.weekly_digest_enabled,
    ) == (
        "America/New_York",
        True,
        7,
        True,
    )
    assert (
        '<option value="7" selected>07:00</option>' in browser.get("/accounts/preferences/").content.decode()
    )


def test_the_api_reads_and_sets_the_email_preferences(api) -> None:
    user = _reminded_user(study_reminder_enabled=False)
    api.force_authenticate(user)

    changed = api.patch(
        "/api/v1/me/", {"study_reminder_enabled": True, "study_reminder_hour": 21}, format="json"
    )
    form_encoded = api.patch("/api/v1/me/", {"weekly_digest_enabled": "true"})  # leaves the reminder alone
    refused = api.patch("/api/v1/me/", {"study_reminder_hour": 24}, format="json")

    assert changed.status_code == 200
    assert (changed.json()["study_reminder_enabled"], changed.json()["study_reminder_hour"]) == (True, 21)
    assert form_encoded.status_code == 200
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "invalid"
    user.refresh_from_db()
    assert (user.study_reminder_enabled, user.study_reminder_hour, user.weekly_digest_enabled) == (
        True,
        21,
        True,
    )


# --- at most one a day --------------------------------------------------------------------------------------


def test_one_reminder_per_local_day_and_none_on_a_day_with_nothing_due() -> None:
    user = _reminded_user()
    _with_due_cards(user, due=1, now=MONDAY_MORNING)

    outcomes = [
        reminders.study_reminder_send(user_id=user.pk, now=MONDAY_MORNING),
        reminders.study_reminder_send(user_id=user.pk, now=MONDAY_MORNING),  # a redelivered task
        reminders.study_reminder_send(
            user_id=user.pk, now=MONDAY_MORNING + timedelta(hours=15)
        ),  # 23:00 Berlin
        reminders.study_reminder_send(
            user_id=user.pk, now=MONDAY_MORNING + timedelta(hours=16)
        ),  # 00:00: too early
        reminders.study_reminder_send(
            user_id=user.pk, now=MONDAY_MORNING + timedelta(days=1)
        ),  # Tuesday 08:00
    ]

    assert outcomes == ["sent", "not_due", "not_due", "not_due", "sent"]
    assert [message.subject for message in mail.outbox] == ["1 card due for review on PrepDeck"] * 2

    # nothing due: no email, and the day is handled (no email later that day either)
    quiet = _reminded_user(email="quiet@example.com")
    assert reminders.study_reminder_send(user_id=quiet.pk, now=MONDAY_MORNING) == "nothing_due"
    quiet.refresh_from_db()
    assert quiet.study_reminder_sent_on == date(2026, 3, 30)
    assert len(mail.outbox) == 2


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses the connection (as when SMTP is down)."""

    def send_messages(self, email_messages: object) -> int:
        raise ConnectionRefusedError("[Errno 111] Connection refused")


def test_a_failed_send_keeps_the_day_unclaimed_so_the_retry_sends(settings) -> None:
    user = _reminded_user()
    _with_due_cards(user, due=1, now=MONDAY_MORNING)
    settings.EMAIL_BACKEND = "prepdeck.practice.tests.test_reminders.RefusingBackend"

    with pytest.raises(ConnectionRefusedError):
        reminders.study_reminder_send(user_id=user.pk, now=MONDAY_MORNING)

    user.refresh_from_db()
    assert user.study_reminder_sent_on is None
    assert ConnectionRefusedError.__mro__[1] is ConnectionError  # what the tasks' autoretry_for names
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert reminders.study_reminder_send(user_id=user.pk, now=MONDAY_MORNING) == "sent"
    assert len(mail.outbox) == 1


# what each kind claims: its send function, the user field holding the claim, the claim before this run
# (yesterday's reminder, last week's digest) and the one this run makes (Monday 30 March in Berlin)
KINDS = {
    "study_reminder": (reminders.study_reminder_send, "study_reminder_sent_on", date(2026, 3, 29)),
    "weekly_digest": (reminders.weekly_digest_send, "weekly_digest_sent_week", date(2026, 3, 23)),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_failed_send_gives_the_claim_back_as_it_was_so_the_retry_sends(settings, kind: str) -> None:
    # given a user due for this kind at 08:00 in Berlin, who had the previous one
    send, field, previous = KINDS[kind]
    user = _reminded_user(weekly_digest_enabled=True, **{field: previous})
    _with_due_cards(user, due=1, now=MONDAY_MORNING)
    settings.EMAIL_BACKEND = "prepdeck.practice.tests.test_reminders.RefusingBackend"

    # when the mail server refuses the connection
    with pytest.raises(ConnectionRefusedError):
        send(user_id=user.pk, now=MONDAY_MORNING)

    # then the claim is back to the previous one, and the retry (SMTP up again) sends exactly one email
    user.refresh_from_db()
    assert getattr(user, field) == previous
    assert mail.outbox == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send(user_id=user.pk, now=MONDAY_MORNING) == "sent"
    assert send(user_id=user.pk, now=MONDAY_MORNING) == "not_due"
    assert len(mail.outbox) == 1
    user.refresh_from_db()
    assert getattr(user, field) == date(2026, 3, 30)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_at_once_send_one_email() -> None:
    user = _reminded_user()
    _with_due_cards(user, due=1, now=MONDAY_MORNING)
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def worker() -> None:
        try:
            start.wait()
            outcomes.append(reminders.study_reminder_send(user_id=user.pk, now=MONDAY_MORNING))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["not_due", "not_due", "not_due", "sent"]
    assert len(mail.outbox) == 1


def test_the_beat_task_queues_one_send_per_due_user_and_logs_counts(caplog: pytest.LogCaptureFixture) -> None:
    # hour 0: due at any time of day, so the task's own clock (now) finds them
    due = _reminded_user(study_reminder_hour=0)
    _with_due_cards(due, due=1, now=datetime.now(UTC))
    _reminded_user(email="nothing@example.com", study_reminder_hour=0)
    _reminded_user(email="off@example.com", study_reminder_hour=0, study_reminder_enabled=False)

    with caplog.at_level(logging.INFO, logger="prepdeck.practice.tasks"):
        queued = tasks.study_reminders_dispatch_task.delay().get()  # eager in tests: the sends run inline

    assert queued == 2
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]
    assert "Study reminders: 2 user(s) due, 2 task(s) queued" in caplog.messages
    assert f"Study reminder for user {due.pk}: sent" in caplog.messages
    # a second run finds nobody
    assert tasks.study_reminders_dispatch_task.delay().get() == 0


# --- the weekly digest --------------------------------------------------------------------------------------


def test_the_weekly_digest_reports_last_week_against_the_target() -> None:
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)  # Monday 13:00 in Berlin
    questions = _bank(4)
    user = make_user(
        email="ada@example.com",
        display_name="Ada",
        time_zone="Europe/Berlin",
        weekly_digest_enabled=True,
        study_reminder_hour=9,
        desired_retention=0.9,
    )

    def review(question: int, rating: int, when: datetime) -> None:
        services.review_submit(
            user=user,
            question_id=questions[question].pk,
            rating=rating,
            idempotency_key=f"{question}-{when.isoformat()}",
            now=when,
            settings=FIXED,
        )

    review(0, 4, now - timedelta(days=2))  # Saturday: Easy, into review
    review(1, 3, now - timedelta(days=2))
    review(0, 1, datetime(2026, 11, 23, 1, tzinfo=UTC))  # 02:00 Monday in Berlin: still Sunday; a lapse
    review(2, 3, now)  # this week: not in last week's digest
    stats = selectors.user_statistics(user=user, now=now, settings=services.scheduler_settings_for(user))
    mastery = {row["topic"]: row for row in stats.mastery_by_topic}["django-orm"]

    assert reminders.weekly_digest_send(user_id=user.pk, now=now) == "sent"
    assert reminders.weekly_digest_send(user_id=user.pk, now=now + timedelta(days=2)) == "not_due"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Your PrepDeck week: 3 reviews"
    token = unsubscribe_token(user=user, mailing="weekly_digest")
    assert message.body == (
        "Hello Ada,\n\n"
        "Your week on PrepDeck, 16 November to 22 November 2026:\n\n"
        "- Reviews done: 3\n"
        "- Retention: 0.0% of 1 review of known cards (your target: 90.0%)\n"
        f"- Weakest topics: {mastery['title']} ({round(mastery['mastery'] * 100)}% mastered)\n"
        f"- Due today: {stats.due_forecast[0]['due']}\n\n"
        "Study now: http://localhost:8000/review/\n"
        "Your statistics: http://localhost:8000/statistics/\n\n"
        "You get this email because you turned on the weekly progress digest.\n"
        "Change your email preferences: http://localhost:8000/accounts/preferences/\n"
        f"Stop the weekly digest: http://localhost:8000/accounts/unsubscribe/{token}/\n"
    )
    user.refresh_from_db()
    assert user.weekly_digest_sent_week == date(2026, 11, 23)
