"""Pages: editor."""

from __future__ import annotations

from django.urls import URLPattern, path

from prepdeck.web.views._stub import placeholder

urlpatterns: list[URLPattern] = [
    path("questions/new/", placeholder, name="question_new"),
    path("questions/<int:question_id>/edit/", placeholder, name="question_edit"),
]
