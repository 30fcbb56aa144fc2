"""Pagination for list endpoints: numbered pages with a capped size, cursors for growing feeds."""

from __future__ import annotations

import functools
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

# A numbered list counts at most this many rows (or up to the page asked for, when that is further): the
# COUNT(*) then costs the same on a bank of a thousand questions as on a bank of a million.
COUNT_BOUND = 1000


class BoundedCountPaginator(Paginator):
    """A Django paginator whose ``count`` stops at ``count_bound`` rows (``count_exact`` says whether it
    did): ``SELECT COUNT(*) FROM (... LIMIT bound + 1)`` instead of counting the whole table.

    The bound is at least one row past the requested page, so the page and "is there a next one" are
    always right; only the total beyond the bound is left unknown."""

    def __init__(self, object_list: Any, per_page: int, *, count_bound: int | None, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.count_bound = count_bound
        self.count_exact = True

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if self.count_bound is None or not isinstance(rows, QuerySet):
            return super().count
        counted = rows[: self.count_bound + 1].count()
        if counted > self.count_bound:
            self.count_exact = False
            return self.count_bound
        return counted


class PagePagination(PageNumberPagination):
    """``?page=2&page_size=50``; the size is capped so one request cannot ask for the whole table.

    ``count`` is exact up to ``COUNT_BOUND`` rows (or up to one row past the requested page, if further);
    beyond that it is that bound and ``count_exact`` is false (show it as "1,000+"). Follow ``next`` to
    walk every page: it is there whenever another page exists."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        number = str(request.query_params.get(self.page_query_param, "1"))
        size = self.get_page_size(request) or self.page_size or 1
        # "last" (and anything not a page number) needs the exact count; DRF answers a bad number itself
        bound = min(max(COUNT_BOUND, int(number) * size + 1), 2**31) if number.isdigit() else None
        self.django_paginator_class = functools.partial(  # type: ignore[assignment]
            BoundedCountPaginator, count_bound=bound
        )
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_exact": getattr(paginator, "count_exact", True),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count"]["description"] = (
            f"Exact up to {COUNT_BOUND} rows (or one past the requested page); beyond, the bound "
            "itself, with count_exact false."
        )
        described["properties"]["count_exact"] = {"type": "boolean", "example": True}
        described["required"] = [*described.get("required", []), "count_exact"]
        return described


class FeedPagination(CursorPagination):
    """Stable pages over a feed that grows while it is read (review log, import jobs)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering: str | tuple[str, ...] = "-created_at"
