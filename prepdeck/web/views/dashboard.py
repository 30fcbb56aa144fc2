"""Pages: the home page (dashboard for a signed-in user, an introduction for a visitor) and statistics."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from prepdeck.web.views._stub import placeholder


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("statistics/", placeholder, name="statistics"),
]
