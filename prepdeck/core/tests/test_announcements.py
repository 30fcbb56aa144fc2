"""``core.announcements``: subscribers run in the announcing transaction or after its commit, as they chose."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from prepdeck.accounts.models import User
from prepdeck.accounts.tests.factories import make_user
from prepdeck.core.announcements import Announcement


class _Abort(Exception):
    pass


def test_in_transaction_hooks_run_at_once_in_subscription_order() -> None:
    heard: list[str] = []
    announcement: Announcement[int] = Announcement("test.numbers")
    announcement.subscribe(lambda n: heard.append(f"first {n}"), when="in_transaction")
    announcement.subscribe(lambda n: heard.append(f"second {n}"), when="in_transaction")

    announcement.announce(7)

    assert heard == ["first 7", "second 7"]


def test_subscribing_the_same_hook_twice_runs_it_once_and_unsubscribing_stops_it() -> None:
    heard: list[int] = []
    announcement: Announcement[int] = Announcement("test.numbers")
    announcement.subscribe(heard.append, when="in_transaction")
    announcement.subscribe(heard.append, when="on_commit")  # already subscribed: ignored

    announcement.announce(1)
    announcement.unsubscribe(heard.append)
    announcement.announce(2)

    assert heard == [1]
    assert announcement.subscriptions == ()


def test_an_unknown_moment_is_refused() -> None:
    announcement: Announcement[int] = Announcement("test.numbers")

    with pytest.raises(ValueError, match="when must be one of in_transaction, on_commit, not 'later'"):
        announcement.subscribe(print, when="later")  # type: ignore[arg-type]

    assert announcement.subscriptions == ()


@pytest.mark.django_db
def test_a_failing_in_transaction_hook_rolls_the_write_back() -> None:
    def refuse(_: str) -> None:
        raise _Abort

    announcement: Announcement[str] = Announcement("test.users")
    announcement.subscribe(refuse, when="in_transaction")

    def write() -> None:
        with transaction.atomic():
            user = make_user(email="written@example.com")
            announcement.announce(user.email)

    with pytest.raises(_Abort):
        write()

    assert not User.objects.filter(email="written@example.com").exists()


@pytest.mark.django_db
def test_on_commit_hooks_wait_for_the_commit_and_never_run_after_a_rollback(
    django_capture_on_commit_callbacks: Any,
) -> None:
    heard: list[str] = []
    announcement: Announcement[str] = Announcement("test.users")
    announcement.subscribe(heard.append, when="on_commit")

    def write_and_roll_back() -> None:
        with transaction.atomic():
            announcement.announce("rolled back")
            raise _Abort

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(_Abort):
            write_and_roll_back()
        with transaction.atomic():
            announcement.announce("committed")
            heard_before_commit = list(heard)

    assert heard_before_commit == []
    assert heard == ["committed"]
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_a_failing_on_commit_hook_does_not_stop_the_others(django_capture_on_commit_callbacks: Any) -> None:
    heard: list[str] = []

    def fail(_: str) -> None:
        raise _Abort

    announcement: Announcement[str] = Announcement("test.users")
    announcement.subscribe(fail, when="on_commit")
    announcement.subscribe(heard.append, when="on_commit")

    with django_capture_on_commit_callbacks(execute=True):
        announcement.announce("committed")

    assert heard == ["committed"]
