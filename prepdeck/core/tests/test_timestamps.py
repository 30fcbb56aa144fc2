"""timestamptz values are read by our ISO loader, with the same values Django's loader gives (issue 18)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import DataError, connection
from psycopg.pq import Format

from prepdeck.core.timestamps import IsoTimestamptzLoader

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]

TIMESTAMPTZ_OID = 1184


def _select(sql: str) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    assert row is not None
    return row[0]


def test_connections_read_timestamptz_with_the_iso_loader() -> None:
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    assert loader is not None
    assert issubclass(loader, IsoTimestamptzLoader)
    assert loader.timezone is UTC


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("2026-12-07 12:40:45.267654+00", datetime(2026, 12, 7, 12, 40, 45, 267654, tzinfo=UTC)),
        ("2026-12-07 14:40:45+02", datetime(2026, 12, 7, 12, 40, 45, tzinfo=UTC)),
        ("2026-03-29 01:59:59.999999+00", datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=UTC)),
        ("0001-01-01 00:00:00+00", datetime(1, 1, 1, tzinfo=UTC)),
    ],
)
def test_values_are_the_instants_stored_in_utc(literal: str, expected: datetime) -> None:
    value = _select(f"SELECT '{literal}'::timestamptz")

    assert value == expected
    assert isinstance(value, datetime)
    assert value.tzinfo is UTC


def test_what_iso_parsing_refuses_is_answered_by_psycopg_as_before() -> None:
    with pytest.raises(DataError, match="timestamp too large"):
        _select("SELECT 'infinity'::timestamptz")
