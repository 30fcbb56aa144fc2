"""Temporary placeholder while a page is being written; removed before the work is committed."""

from django.http import HttpRequest, HttpResponse


def placeholder(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not built yet.", status=501)
