"""``manage.py check --deploy`` with our event-loop subclasses of Django's middleware: every problem is
reported, and each one once (Django's own run and ours, which sees the subclasses, name the same settings)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from prepdeck.core import checks


def _deploy_check_output() -> str:
    out, err = StringIO(), StringIO()
    call_command("check", deploy=True, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


@pytest.mark.parametrize(
    ("setting", "django_id"),
    [("SESSION_COOKIE_SECURE", "security.W010"), ("SESSION_COOKIE_HTTPONLY", "security.W013")],
)
def test_a_missing_session_cookie_setting_is_reported_once(settings, setting: str, django_id: str) -> None:
    # given the session middleware named by our subclass, and the setting off
    assert "prepdeck.core.async_middleware.SessionMiddleware" in settings.MIDDLEWARE
    setattr(settings, setting, False)

    # when
    output = _deploy_check_output()

    # then one message names it: Django's own (the app is installed)
    lines = [
        line for line in output.splitlines() if f"{setting} to True" in line or f"{setting} is not" in line
    ]
    assert len(lines) == 1, output
    assert f"({django_id})" in lines[0]


def test_settings_that_are_set_are_not_reported(settings) -> None:
    settings.SESSION_COOKIE_SECURE = True
    settings.SESSION_COOKIE_HTTPONLY = True
    settings.CSRF_COOKIE_SECURE = True

    output = _deploy_check_output()

    assert "SESSION_COOKIE" not in output
    assert "CSRF_COOKIE_SECURE" not in output


def test_what_only_our_run_sees_is_still_reported(settings) -> None:
    # given the session middleware (our subclass) without the sessions app: Django's run, blind to the
    # subclass, finds nothing to say; ours names the middleware
    settings.SESSION_COOKIE_SECURE = False
    apps = [app for app in settings.INSTALLED_APPS if app != "django.contrib.sessions"]

    with override_settings(INSTALLED_APPS=apps):
        messages = checks.security_middleware_checks(None)

    assert [message.id for message in messages if "SESSION_COOKIE_SECURE" in message.msg] == ["security.W011"]


def test_the_csrf_cookie_check_runs_against_our_subclass(settings) -> None:
    settings.CSRF_COOKIE_SECURE = False

    output = _deploy_check_output()

    assert output.count("CSRF_COOKIE_SECURE") == 1
    assert "(security.W016)" in output
