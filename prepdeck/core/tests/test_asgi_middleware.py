"""Under ASGI the middleware runs on the event loop: a request enters a thread for its view (and the few
steps Django itself always runs in one), not twice for every middleware."""

from __future__ import annotations

from typing import Any

import asgiref.sync
import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import AsyncClient
from django.utils.module_loading import import_string

from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.django_db

# What Django's ASGI handler itself runs in a thread, whatever the middleware: the request_started
# receivers, the view, rendering a template response (DRF's too) and closing the response.
DJANGO_OWN = ["Signal.asend.<locals>.sync_send"]
CLOSE = ["HttpResponseBase.close"]


class HopRecorder:
    """Names every function handed to ``sync_to_async`` while it records."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def __enter__(self) -> HopRecorder:
        self._original = asgiref.sync.SyncToAsync.__init__
        recorder = self

        def recording(instance: Any, func: Any, *args: Any, **kwargs: Any) -> None:
            recorder.names.append(getattr(func, "__qualname__", None) or type(func).__name__)
            recorder._original(instance, func, *args, **kwargs)

        asgiref.sync.SyncToAsync.__init__ = recording  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        asgiref.sync.SyncToAsync.__init__ = self._original  # type: ignore[method-assign]


@pytest.fixture
def no_autorefresh(settings: Any) -> None:
    # production serves static files from WhiteNoise's table, with no file-system look-up per request
    settings.WHITENOISE_AUTOREFRESH = False


def _hops(client: AsyncClient, path: str, **extra: Any) -> tuple[int, list[str]]:
    async_to_sync(client.get)(path, **extra)  # the first request builds the middleware chain
    with HopRecorder() as recorder:
        response = async_to_sync(client.get)(path, **extra)
    return response.status_code, recorder.names


def test_every_middleware_in_settings_runs_in_both_stacks() -> None:
    for path in settings.MIDDLEWARE:
        middleware = import_string(path)
        assert getattr(middleware, "async_capable", False), path
        assert getattr(middleware, "sync_capable", True), path


def test_a_plain_view_enters_one_thread(no_autorefresh: None) -> None:
    assert _hops(AsyncClient(), "/healthz") == (200, [*DJANGO_OWN, "healthz", *CLOSE])


def test_an_api_list_enters_a_thread_for_its_view_and_its_rendering_only(no_autorefresh: None) -> None:
    status, hops = _hops(AsyncClient(), "/api/v1/questions/")  # a viewset on the router

    assert (status, hops) == (200, [*DJANGO_OWN, "QuestionViewSet", "SimpleTemplateResponse.render", *CLOSE])


def test_a_signed_in_page_loads_the_session_and_user_once_then_the_view(no_autorefresh: None) -> None:
    client = AsyncClient()
    client.force_login(make_user())

    status, hops = _hops(client, "/accounts/preferences/")

    # the session row and then the user row, awaited by DatabaseUnavailableMiddleware (and handed to the
    # view: it does not load the user again); no middleware hook leaves the event loop
    assert (status, hops) == (200, [*DJANGO_OWN, "QuerySet.get", "QuerySet.get", "preferences", *CLOSE])


def test_a_web_form_post_checks_its_csrf_token_under_asgi() -> None:
    make_user(email="ada@example.com")
    client = AsyncClient(enforce_csrf_checks=True)

    refused = async_to_sync(client.post)(
        "/accounts/login/", {"username": "ada@example.com", "password": DEFAULT_PASSWORD}
    )
    page = async_to_sync(client.get)("/accounts/login/")
    token = page.cookies["csrftoken"].value
    signed_in = async_to_sync(client.post)(
        "/accounts/login/",
        {"username": "ada@example.com", "password": DEFAULT_PASSWORD, "csrfmiddlewaretoken": token},
    )

    assert refused.status_code == 403
    assert signed_in.status_code == 302
    assert "sessionid" in signed_in.cookies


def test_a_locked_sign_in_answers_429_with_retry_after_under_asgi() -> None:
    # django-axes' own async path passes the credentials where the response belongs; ours does not
    make_user(email="ada@example.com")
    client = AsyncClient(REMOTE_ADDR="10.0.0.9")

    statuses = [
        async_to_sync(client.post)("/accounts/login/", {"username": "ada@example.com", "password": "wrong"})
        for _ in range(5)
    ]

    assert [response.status_code for response in statuses] == [200, 200, 200, 200, 429]
    assert statuses[-1]["Retry-After"] == "900"


def test_the_deployment_checks_that_need_djangos_middleware_still_run_against_ours(settings: Any) -> None:
    from django.core.checks import run_checks

    settings.SECURE_SSL_REDIRECT = False
    settings.X_FRAME_OPTIONS = "SAMEORIGIN"

    # run_checks does not apply SILENCED_SYSTEM_CHECKS (the check command does)
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    reported = ids - set(settings.SILENCED_SYSTEM_CHECKS)

    assert {"security.W008", "security.W019"} <= reported
    assert "prepdeck.W001" not in reported


def test_a_missing_security_middleware_is_still_reported(settings: Any) -> None:
    from django.core.checks import run_checks

    settings.MIDDLEWARE = [
        path for path in settings.MIDDLEWARE if path != "prepdeck.core.async_middleware.SecurityMiddleware"
    ]

    ids = [message.id for message in run_checks(include_deployment_checks=True)]

    assert ids.count("prepdeck.W001") == 1
