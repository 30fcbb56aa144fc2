"""Validators for account preferences."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

from django.core.exceptions import ValidationError

MIN_DESIRED_RETENTION = 0.70
MAX_DESIRED_RETENTION = 0.97
MAX_DAILY_NEW_LIMIT = 500
MAX_DAY_START_HOUR = 23


@lru_cache(maxsize=1)
def available_time_zones() -> frozenset[str]:
    """IANA time zone names known to this Python (from the system or the ``tzdata`` package)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in available_time_zones():
        raise ValidationError(
            "%(value)s is not a known time zone; use an IANA name such as Europe/Berlin.",
            code="unknown_time_zone",
            params={"value": value},
        )


def validate_desired_retention(value: float) -> None:
    if not MIN_DESIRED_RETENTION <= value <= MAX_DESIRED_RETENTION:
        raise ValidationError(
            "Desired retention must be between %(low).2f and %(high).2f.",
            code="retention_out_of_range",
            params={"low": MIN_DESIRED_RETENTION, "high": MAX_DESIRED_RETENTION},
        )
