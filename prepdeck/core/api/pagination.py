"""Pagination for list endpoints: numbered pages with a capped size, cursors for growing feeds."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination, PageNumberPagination


class PagePagination(PageNumberPagination):
    """``?page=2&page_size=50``; the size is capped so one request cannot ask for the whole table."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class FeedPagination(CursorPagination):
    """Stable pages over a feed that grows while it is read (review log, import jobs)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering: str | tuple[str, ...] = "-created_at"
