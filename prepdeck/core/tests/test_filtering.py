"""The API filter backend builds a FilterSet only when the request names one of its filters."""

from __future__ import annotations

from typing import Any

import django_filters
import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from prepdeck.accounts.models import User
from prepdeck.core.api.filtering import FilterBackend

pytestmark = pytest.mark.django_db


class ByEmail(django_filters.FilterSet):
    email = django_filters.CharFilter()

    class Meta:
        model = User
        fields = ("email",)


class ActiveOnlyByDefault(ByEmail):
    """A FilterSet that acts on an empty request: its own filter_queryset."""

    def filter_queryset(self, queryset: Any) -> Any:
        return super().filter_queryset(queryset).filter(is_active=True)


class RequiredEmail(django_filters.FilterSet):
    email = django_filters.CharFilter(required=True)

    class Meta:
        model = User
        fields = ("email",)


class CountedByEmail(ByEmail):
    built = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        type(self).built += 1
        super().__init__(*args, **kwargs)


class ByJoinDate(django_filters.FilterSet):
    joined = django_filters.DateFromToRangeFilter(field_name="date_joined")

    class Meta:
        model = User
        fields = ("joined",)


class ActiveBox(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter(widget=django_filters.widgets.forms.CheckboxInput)

    class Meta:
        model = User
        fields = ("is_active",)


def _filter(filterset: type[django_filters.FilterSet], query: str) -> Any:
    view = type("View", (), {"filterset_class": filterset})()
    request = Request(APIRequestFactory().get("/" + query))
    return FilterBackend().filter_queryset(request, User.objects.order_by("email"), view)


def test_the_filterset_runs_only_when_the_request_names_one_of_its_filters() -> None:
    User.objects.create_user(email="a@example.com", password=None)
    User.objects.create_user(email="b@example.com", password=None, is_active=False)

    assert [user.email for user in _filter(ByEmail, "?page=2")] == ["a@example.com", "b@example.com"]
    assert [user.email for user in _filter(ByEmail, "?email=b@example.com")] == ["b@example.com"]
    # a FilterSet that changes an empty request still runs without its parameters
    assert [user.email for user in _filter(ActiveOnlyByDefault, "?page=2")] == ["a@example.com"]
    with pytest.raises(ValidationError, match="required"):
        list(_filter(RequiredEmail, "?page=2"))


def test_no_filterset_is_built_for_a_request_without_its_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    original = django_filters.filterset.BaseFilterSet.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        built.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(django_filters.filterset.BaseFilterSet, "__init__", counting)

    list(_filter(ByEmail, "?page=2&colour=blue"))
    assert built == []
    list(_filter(ByEmail, "?email=a@example.com"))
    assert built == ["ByEmail"]
    # a FilterSet with its own __init__ always runs
    list(_filter(CountedByEmail, "?page=2"))
    assert built == ["ByEmail", "CountedByEmail"]


def test_a_range_filter_and_a_checkbox_are_never_skipped() -> None:
    User.objects.create_user(email="a@example.com", password=None)
    User.objects.create_user(email="b@example.com", password=None, is_active=False)

    assert list(_filter(ByJoinDate, "?joined_after=2999-01-01")) == []
    # a checkbox reads a missing box as False: the FilterSet runs without parameters
    assert [user.email for user in _filter(ActiveBox, "?page=2")] == ["b@example.com"]
