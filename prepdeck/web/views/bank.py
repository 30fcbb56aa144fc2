"""Pages: bank."""

from __future__ import annotations

from django.urls import URLPattern, path

from prepdeck.web.views._stub import placeholder

urlpatterns: list[URLPattern] = [
    path("browse/", placeholder, name="browse"),
    path("questions/<int:question_id>/", placeholder, name="question"),
    path("search/", placeholder, name="search"),
]
