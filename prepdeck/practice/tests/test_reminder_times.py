"""When reminders and digests are due, across time zones and the 2026 DST changes (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from prepdeck.practice.reminder_times import digest_due_week, local_time, reminder_due_on

# 2026 DST changes: Europe/Berlin 29 March 01:00 UTC (02:00 -> 03:00) and 25 October 01:00 UTC
# (03:00 -> 02:00); America/New_York 8 March 07:00 UTC (02:00 -> 03:00) and 1 November 06:00 UTC (02:00 -> 01:00).


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "zone", "hour", "expected"),
    [
        # the same chosen hour is a different UTC hour in winter and summer
        (utc(2026, 1, 15, 6, 59), "Europe/Berlin", 8, None),
        (utc(2026, 1, 15, 7, 0), "Europe/Berlin", 8, date(2026, 1, 15)),
        (utc(2026, 7, 15, 5, 59), "Europe/Berlin", 8, None),
        (utc(2026, 7, 15, 6, 0), "Europe/Berlin", 8, date(2026, 7, 15)),
        (utc(2026, 1, 15, 12, 59), "America/New_York", 8, None),
        (utc(2026, 1, 15, 13, 0), "America/New_York", 8, date(2026, 1, 15)),
        (utc(2026, 7, 15, 12, 0), "America/New_York", 8, date(2026, 7, 15)),
        # a local date differs from the UTC date: 22:00 on the 14th in New York is the 15th in UTC
        (utc(2026, 1, 15, 3, 0), "America/New_York", 22, date(2026, 1, 14)),
        # spring forward: 02:00 does not exist; the reminder for 02:00 goes at 03:00 (the first hour after)
        (utc(2026, 3, 29, 0, 59), "Europe/Berlin", 2, None),
        (utc(2026, 3, 29, 1, 0), "Europe/Berlin", 2, date(2026, 3, 29)),
        (utc(2026, 3, 8, 6, 59), "America/New_York", 2, None),
        (utc(2026, 3, 8, 7, 0), "America/New_York", 2, date(2026, 3, 8)),
    ],
)
def test_a_reminder_is_due_from_the_chosen_local_hour(
    now: datetime, zone: str, hour: int, expected: date | None
) -> None:
    assert reminder_due_on(now=now, time_zone=zone, hour=hour, last_sent_on=None) == expected


def test_an_hour_that_happens_twice_in_autumn_sends_once() -> None:
    # Berlin, 25 October 2026: 02:00 CEST (00:00 UTC), then 02:00 CET again (01:00 UTC)
    first = reminder_due_on(now=utc(2026, 10, 25, 0, 0), time_zone="Europe/Berlin", hour=2, last_sent_on=None)
    assert first == date(2026, 10, 25)
    assert local_time(utc(2026, 10, 25, 1, 0), "Europe/Berlin").hour == 2
    assert (
        reminder_due_on(now=utc(2026, 10, 25, 1, 0), time_zone="Europe/Berlin", hour=2, last_sent_on=first)
        is None
    )
    # New York, 1 November 2026: 01:00 EDT (05:00 UTC), then 01:00 EST (06:00 UTC)
    first = reminder_due_on(
        now=utc(2026, 11, 1, 5, 0), time_zone="America/New_York", hour=1, last_sent_on=None
    )
    assert first == date(2026, 11, 1)
    assert (
        reminder_due_on(now=utc(2026, 11, 1, 6, 0), time_zone="America/New_York", hour=1, last_sent_on=first)
        is None
    )


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata"])
@pytest.mark.parametrize(
    "change_day", [date(2026, 3, 8), date(2026, 3, 29), date(2026, 10, 25), date(2026, 11, 1)]
)
def test_a_15_minute_beat_sends_exactly_once_per_local_day_at_the_first_tick_of_the_hour(
    zone: str, change_day: date
) -> None:
    """Simulate Beat every 15 minutes over the three days around each DST change, for every chosen hour."""
    for hour in range(24):
        sent: list[datetime] = []
        last: date | None = None
        start = datetime(change_day.year, change_day.month, change_day.day, tzinfo=UTC) - timedelta(days=1)
        tick = start
        while tick < datetime(change_day.year, change_day.month, change_day.day, tzinfo=UTC) + timedelta(
            days=2
        ):
            day = reminder_due_on(now=tick, time_zone=zone, hour=hour, last_sent_on=last)
            if day is not None:
                sent.append(local_time(tick, zone))
                last = day
            tick += timedelta(minutes=15)
        dates = [moment.date() for moment in sent]
        assert len(dates) == len(set(dates)), (zone, hour, sent)
        assert change_day in dates, (zone, hour, sent)
        for moment in sent:
            if moment == start:  # the simulation's first tick: the day before it is not simulated
                continue
            previous = local_time(moment.astimezone(UTC) - timedelta(minutes=15), zone)
            # sent at the chosen hour, or at the first hour after it when a spring-forward skipped it;
            # and the tick before was still too early (or on the previous local day)
            assert moment.hour >= hour
            assert previous.hour < hour or previous.date() != moment.date(), (zone, hour, moment)
            assert moment.hour == hour or (moment.hour == hour + 1 and previous.hour == hour - 1), (
                zone,
                hour,
                moment,
            )


def test_the_digest_goes_on_monday_from_the_chosen_hour_once_a_week() -> None:
    # Monday 2 November 2026, New York (EST since the day before): 09:00 local is 14:00 UTC
    assert (
        digest_due_week(
            now=utc(2026, 11, 2, 13, 59), time_zone="America/New_York", hour=9, last_sent_week=None
        )
        is None
    )
    monday = digest_due_week(
        now=utc(2026, 11, 2, 14, 0), time_zone="America/New_York", hour=9, last_sent_week=None
    )
    assert monday == date(2026, 11, 2)
    assert (
        digest_due_week(
            now=utc(2026, 11, 4, 14, 0), time_zone="America/New_York", hour=9, last_sent_week=monday
        )
        is None
    )
    # missed on Monday (no worker): caught up later that week, even before the hour
    assert digest_due_week(
        now=utc(2026, 11, 4, 2, 0), time_zone="America/New_York", hour=9, last_sent_week=date(2026, 10, 26)
    ) == date(2026, 11, 2)
    # Sunday 23:30 in Berlin is still last week; 00:30 Monday in Berlin (Sunday 23:30 UTC) is the new week
    assert (
        digest_due_week(
            now=utc(2026, 11, 8, 22, 30), time_zone="Europe/Berlin", hour=0, last_sent_week=date(2026, 11, 2)
        )
        is None
    )
    assert digest_due_week(
        now=utc(2026, 11, 8, 23, 30), time_zone="Europe/Berlin", hour=0, last_sent_week=date(2026, 11, 2)
    ) == date(2026, 11, 9)
