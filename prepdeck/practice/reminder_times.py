"""When a user's study reminder and weekly digest are due: pure functions of the time, the user's time zone
and hour, and what was last sent (local dates). No ORM, so they are tested across DST changes directly.

The rule is "the first run at or after the chosen local hour, once per local day (or week)": a 15-minute
Beat schedule then sends at the chosen hour, a run delayed by a worker outage catches up later the same
day, an hour skipped by a spring-forward change (02:00 in Europe/Berlin) is sent at the first hour that
exists after it, and an hour that happens twice in autumn sends once, since the local date was recorded.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def local_time(now: datetime, time_zone: str) -> datetime:
    """``now`` (aware) as a wall-clock time in ``time_zone`` (an IANA name; ``ZoneInfoNotFoundError`` if
    unknown)."""
    return now.astimezone(ZoneInfo(time_zone))


def week_start(day: date) -> date:
    """The Monday of ``day``'s week (ISO weeks)."""
    return day - timedelta(days=day.weekday())


def reminder_due_on(*, now: datetime, time_zone: str, hour: int, last_sent_on: date | None) -> date | None:
    """The local date a study reminder is due for now, or ``None`` when it is not due (too early in the
    day, or this local date already had its reminder)."""
    local = local_time(now, time_zone)
    if local.hour < hour:
        return None
    if last_sent_on is not None and last_sent_on >= local.date():
        return None
    return local.date()


def digest_due_week(*, now: datetime, time_zone: str, hour: int, last_sent_week: date | None) -> date | None:
    """The local week (its Monday) a weekly digest is due for now, or ``None``: the digest goes out on
    Monday from the chosen hour (later in the week if no run could send it then), once per local week."""
    local = local_time(now, time_zone)
    monday = week_start(local.date())
    if last_sent_week is not None and last_sent_week >= monday:
        return None
    if local.date() == monday and local.hour < hour:
        return None
    return monday
