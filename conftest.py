"""Project-wide pytest fixtures and markers."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip PostgreSQL-only tests on SQLite and Redis-only tests without REDIS_URL, saying why."""
    from django.conf import settings

    on_postgresql = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    skip_postgresql = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    skip_redis = pytest.mark.skip(reason="needs Redis: set REDIS_URL=redis://...")
    for item in items:
        if "postgresql" in item.keywords and not on_postgresql:
            item.add_marker(skip_postgresql)
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Each test starts with an empty cache (throttle counters, cached pages) and zeroed cache counters."""
    from prepdeck.core import caching

    cache.clear()
    caching.cache_stats_reset()


@pytest.fixture
def api() -> object:
    """A DRF test client (``api.force_authenticate(user)`` to act as someone)."""
    from rest_framework.test import APIClient

    return APIClient()
