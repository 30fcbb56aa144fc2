"""Pages: imports."""

from __future__ import annotations

from django.urls import URLPattern, path

from prepdeck.web.views._stub import placeholder

urlpatterns: list[URLPattern] = [
    path("import/", placeholder, name="import"),
    path("import/<int:job_id>/", placeholder, name="import_job"),
]
