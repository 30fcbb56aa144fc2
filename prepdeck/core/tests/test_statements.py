"""Compiled statements (``core.statements``): the ORM's SQL, compiled once, run with new values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import CharField, Count, DateTimeField, Exists, IntegerField, OuterRef, QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from prepdeck.core import statements
from prepdeck.core.statements import CompiledQuery, Param, limit_bucket

pytestmark = pytest.mark.django_db


def _sessions_expiring(after: Any) -> QuerySet[Any]:
    return Session.objects.filter(expire_date__gt=after).order_by("expire_date")


def _session_keys_expiring(limit: int) -> QuerySet[Any]:
    return _sessions_expiring(Param("after", DateTimeField())).values_list("session_key", "expire_date")[
        :limit
    ]


@pytest.fixture
def sessions() -> list[Session]:
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    return [
        Session.objects.create(
            session_key=f"key{day}", session_data="x", expire_date=start + timedelta(days=day)
        )
        for day in range(5)
    ]


def test_rows_are_the_querysets_rows_for_each_value_and_the_sql_is_compiled_once(
    sessions: list[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = CompiledQuery(_session_keys_expiring)
    compilations = []
    original = SQLCompiler.as_sql

    def counting(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        compilations.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    for after in (
        sessions[0].expire_date,
        sessions[2].expire_date + timedelta(seconds=1),
        sessions[4].expire_date,
    ):
        expected = list(_sessions_expiring(after).values_list("session_key", "expire_date")[:3])
        with CaptureQueriesContext(connection) as queries:
            assert compiled.rows(3, after=after) == expected
        assert len(queries) == 1  # logged and counted like any other statement
    # the ORM compiled each of the three querysets it ran, the compiled query only its first run
    assert len(compilations) == 3 + 1
    # a different shape (another LIMIT) is compiled on its own
    assert compiled.rows(1, after=sessions[0].expire_date) == [("key1", sessions[1].expire_date)]
    assert len(compilations) == 3 + 2
    assert [row[0] for row in compiled.rows(3, after=sessions[0].expire_date)] == ["key1", "key2", "key3"]
    assert len(compilations) == 3 + 2


def test_first_is_a_model_instance_with_its_annotations_or_none() -> None:
    reviewers = Group.objects.create(name="reviewers")
    Group.objects.create(name="nobody")
    reviewers.permissions.add(*reviewers.permissions.model.objects.all()[:2])

    def by_name() -> QuerySet[Group]:
        return Group.objects.annotate(
            permission_count=Count("permissions"),
            has_permissions=Exists(Group.permissions.through.objects.filter(group_id=OuterRef("pk"))),
        ).filter(name=Param("name", CharField()))

    compiled = CompiledQuery(by_name)
    instance = compiled.first(name="reviewers")
    assert isinstance(instance, Group)
    group: Any = instance  # with its annotations
    assert (group.pk, group.name, group.permission_count, group.has_permissions) == (
        reviewers.pk,
        "reviewers",
        2,
        True,
    )
    group.name = "renamed"
    group.save()  # a real instance: saving updates its row
    assert Group.objects.get(pk=reviewers.pk).name == "renamed"
    empty: Any = compiled.first(name="nobody")
    assert empty is not None
    assert (empty.permission_count, empty.has_permissions) == (0, False)
    assert compiled.first(name="reviewers") is None


def test_a_value_is_adapted_by_its_field_as_a_lookups_would_be() -> None:
    group = Group.objects.create(name="7")
    compiled = CompiledQuery(lambda: Group.objects.filter(pk=Param("pk", IntegerField())).values_list("name"))
    assert compiled.rows(pk=str(group.pk)) == [("7",)]  # "12" is sent as 12, as filter(pk="12") would
    with pytest.raises(ValueError, match="expected a number but got 'not a number'"):
        compiled.rows(pk="not a number")


def test_a_limit_is_rounded_up_to_a_power_of_two_so_few_shapes_are_compiled() -> None:
    assert [limit_bucket(limit) for limit in (0, 1, 2, 3, 4, 5, 20, 32, 33, 100, 1000)] == [
        1, 1, 2, 4, 4, 8, 32, 32, 64, 128, 1024,
    ]  # fmt: skip


def test_shapes_beyond_the_bound_still_run_but_are_compiled_each_time(
    sessions: list[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(statements, "MAX_SHAPES", 1)
    compiled = CompiledQuery(_session_keys_expiring)
    after = sessions[0].expire_date
    assert compiled.rows(1, after=after) == [("key1", sessions[1].expire_date)]
    assert compiled.rows(2, after=after) == [(s.session_key, s.expire_date) for s in sessions[1:3]]
    assert compiled.rows(2, after=sessions[1].expire_date) == [
        (s.session_key, s.expire_date) for s in sessions[2:4]
    ]
    assert list(compiled._shapes) == [(1,)]


def test_an_integer_out_of_its_columns_range_matches_nothing_and_none_is_refused() -> None:
    group = Group.objects.create(name="g")
    compiled = CompiledQuery(lambda: Group.objects.filter(pk=Param("pk", IntegerField())).values_list("name"))
    assert compiled.rows(pk=group.pk) == [("g",)]
    # as Group.objects.filter(pk=2**63) does: no rows, and no overflow error from the driver
    assert compiled.rows(pk=2**63) == []
    assert compiled.rows(pk=-(2**63) - 1) == []
    with pytest.raises(ValueError, match="pk is None"):
        compiled.rows(pk=None)


def test_a_shape_that_is_not_kept_is_compiled_for_its_run(sessions: list[Session]) -> None:
    compiled = CompiledQuery(_session_keys_expiring, keep=lambda limit: limit < 3)
    after = sessions[0].expire_date
    assert compiled.rows(2, after=after) == [(s.session_key, s.expire_date) for s in sessions[1:3]]
    assert compiled.rows(4, after=after) == [(s.session_key, s.expire_date) for s in sessions[1:5]]
    assert list(compiled._shapes) == [(2,)]
