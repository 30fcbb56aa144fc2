"""The API's django-filter backend: the view's ``FilterSet`` is built only when the request names one of its
filters.

django-filter builds the view's ``FilterSet`` on every list request, with its form, a copy of every filter,
validation and each filter's pass over the queryset, even when the request filters on nothing: 13% of the
CPU of the questions list's usual request (``?page_size=50``, issue 18's profile). Without any of its
parameters a ``FilterSet`` changes nothing (a blank value filters nothing), so the queryset is returned as
it is; with any of them, everything runs as before, errors (a 400 for a bad value) included. A
``FilterSet`` that could act on an empty request (its own ``qs``, ``filter_queryset`` or form, a required
filter, a checkbox) always runs.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend, FilterSet
from rest_framework.request import Request


def _acts_on_an_empty_request(filterset_class: type[FilterSet]) -> bool:
    """Whether the FilterSet could change the rows without any of its parameters: its own queryset or form
    logic, a required filter, or a checkbox (which reads a missing box as False). Such a FilterSet always
    runs."""
    overridden = any(
        getattr(filterset_class, name) is not getattr(FilterSet, name)
        for name in ("__init__", "qs", "filter_queryset", "get_form_class", "is_valid")
    )
    custom_form = filterset_class._meta.form is not forms.Form
    return (
        overridden
        or custom_form
        or any(
            each.extra.get("required") or _is_checkbox(each.extra.get("widget"))
            for each in filterset_class.base_filters.values()
        )
    )


def _is_checkbox(widget: Any) -> bool:
    if isinstance(widget, type):
        return issubclass(widget, forms.CheckboxInput)
    return isinstance(widget, forms.CheckboxInput)


def _names_a_filter(names: Any, filters: Any) -> bool:
    """Whether any parameter is one of the filters, or one of their suffixed parts (``price_min``,
    ``created_after``: a range filter's parameters)."""
    return any(name in filters or any(name.startswith(f"{each}_") for each in filters) for name in names)


class FilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        if not _acts_on_an_empty_request(filterset_class) and not _names_a_filter(
            request.query_params, filterset_class.base_filters
        ):
            return queryset
        filtered: QuerySet[Any] = super().filter_queryset(request, queryset, view)
        return filtered
