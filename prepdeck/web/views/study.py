"""Pages: study."""

from __future__ import annotations

from django.urls import URLPattern, path

from prepdeck.web.views._stub import placeholder

urlpatterns: list[URLPattern] = [
    path("review/", placeholder, name="review"),
    path("quiz/", placeholder, name="quiz_new"),
    path("quiz/<int:quiz_id>/", placeholder, name="quiz"),
    path("mock/", placeholder, name="mock_new"),
    path("mock/<int:interview_id>/", placeholder, name="mock"),
    path("mock/<int:interview_id>/report/", placeholder, name="mock_report"),
]
