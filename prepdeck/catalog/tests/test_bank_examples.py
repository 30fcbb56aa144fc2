"""Every runnable code example in the bundled bank runs against the Django we ship and proves its claim.

Each example executes in a fresh namespace inside a test database that has the ``library`` example app;
its own ``assert`` statements are the checks. Examples that need PostgreSQL skip on SQLite.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from prepdeck.catalog.bank import files, library
from prepdeck.catalog.bank.library import models as library_models

EXAMPLES = files.runnable_examples()


@pytest.fixture(autouse=True)
def _library_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    # Examples read like user code: ``from library.models import Book``.
    monkeypatch.setitem(sys.modules, "library", library)
    monkeypatch.setitem(sys.modules, "library.models", library_models)


@pytest.fixture(autouse=True)
def _stock_rest_framework(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Examples teach DRF and simplejwt as installed, so they run with their defaults, not with our API's
    policies (error shape, authentication, default permission, pagination, throttles).

    DRF reloads its settings when they change, but ``APIView`` and ``GenericAPIView`` copied them into
    class attributes when first imported, so those are reset to the defaults too (and simplejwt's).
    """
    from rest_framework.generics import GenericAPIView
    from rest_framework.settings import api_settings
    from rest_framework.views import APIView

    settings.REST_FRAMEWORK = {}
    settings.SIMPLE_JWT = {}
    # Django's own sign-in backend: our django-axes lockout (which needs the request) is PrepDeck's policy,
    # not what an answer about authenticate() describes.
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    for view_class, attribute, setting in [
        (APIView, "renderer_classes", "DEFAULT_RENDERER_CLASSES"),
        (APIView, "parser_classes", "DEFAULT_PARSER_CLASSES"),
        (APIView, "authentication_classes", "DEFAULT_AUTHENTICATION_CLASSES"),
        (APIView, "throttle_classes", "DEFAULT_THROTTLE_CLASSES"),
        (APIView, "permission_classes", "DEFAULT_PERMISSION_CLASSES"),
        (APIView, "content_negotiation_class", "DEFAULT_CONTENT_NEGOTIATION_CLASS"),
        (APIView, "metadata_class", "DEFAULT_METADATA_CLASS"),
        (APIView, "versioning_class", "DEFAULT_VERSIONING_CLASS"),
        (GenericAPIView, "filter_backends", "DEFAULT_FILTER_BACKENDS"),
        (GenericAPIView, "pagination_class", "DEFAULT_PAGINATION_CLASS"),
    ]:
        monkeypatch.setattr(view_class, attribute, getattr(api_settings, setting))
    # simplejwt rebinds its module-level settings on a change; modules that imported them keep the old.
    from rest_framework_simplejwt import settings as jwt_settings

    stock_jwt = jwt_settings.APISettings({}, jwt_settings.DEFAULTS, jwt_settings.IMPORT_STRINGS)  # type: ignore[arg-type]
    for name, module in list(sys.modules.items()):
        if name.startswith("rest_framework_simplejwt") and hasattr(module, "api_settings"):
            monkeypatch.setattr(module, "api_settings", stock_jwt)


@pytest.fixture(autouse=True)
def _our_celery_app_stays_current() -> Iterator[None]:
    """An example that makes its own ``Celery(...)`` app makes it the current app (Celery's default), and
    ``shared_task`` proxies follow the current app: the rest of the suite would send PrepDeck's tasks to the
    example's in-memory broker. Put ours back after each example."""
    from celery import _state

    current = _state.get_current_app()
    yield
    current.set_current()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("example", EXAMPLES, ids=[example.id for example in EXAMPLES])
def test_runnable_example(example: files.RunnableExample) -> None:
    if "postgresql" in example.requires and connection.vendor != "postgresql":
        pytest.skip("example needs PostgreSQL")
    namespace: dict[str, object] = {"__name__": f"bank_example_{example.question_key.replace('-', '_')}"}
    exec(compile(example.code, example.id, "exec"), namespace)  # noqa: S102 - our own bank's code
