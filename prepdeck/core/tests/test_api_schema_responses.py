"""The OpenAPI schema documents every error status an endpoint really answers.

The statuses come from the authorisation matrix (``test_authorization_matrix.MATRIX``), which checks them
against the running API for every role, so a status the API answers cannot go undocumented.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from prepdeck.core.tests.test_authorization_matrix import MATRIX


def _schema_paths() -> dict[str, str]:
    """URL name -> the schema's path template (``/api/v1/imports/{job_id}/``), from the URL configuration."""
    found: dict[str, str] = {}

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/v1/") and pattern.name:
                found[pattern.name] = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)

    walk(get_resolver().url_patterns, "")
    return found


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _documented(schema: dict[str, Any], name: str, method: str) -> list[str]:
    return sorted(schema["paths"][_schema_paths()[name]][method]["responses"])


def test_every_error_status_the_api_answers_is_documented(schema: dict[str, Any]) -> None:
    missing = [
        f"{method.upper()} {_schema_paths()[name]}: {status}"
        for (name, method), entry in sorted(MATRIX.items())
        for status in sorted(set(entry.expected.values()))
        if status >= 400 and str(status) not in _documented(schema, name, method)
    ]

    assert missing == []


def test_an_import_job_documents_the_403_learners_get(schema: dict[str, Any]) -> None:
    assert _documented(schema, "import-detail", "get") == ["200", "401", "403", "404", "429", "503"]


def test_every_endpoint_documents_503_for_an_outage(schema: dict[str, Any]) -> None:
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in sorted(schema["paths"].items())
        for method, operation in sorted(operations.items())
        if "503" not in operation["responses"]
    ]

    assert undocumented == []
