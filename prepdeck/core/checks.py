"""Django's deployment checks, made to see our event-loop subclasses of its middleware.

Django's security checks look for ``SecurityMiddleware``, ``XFrameOptionsMiddleware`` and
``CsrfViewMiddleware`` (and the session checks ``SessionMiddleware``) by dotted path, and skip the checks that depend on them (HSTS, the SSL redirect,
``nosniff``, the referrer and opener policies, ``X_FRAME_OPTIONS``, a secure CSRF cookie) when the path is
absent. ``MIDDLEWARE`` names our subclasses (``prepdeck.core.async_middleware``), so settings silence the
three "middleware missing" warnings and this check runs those dependent checks with Django's paths in
place of ours, plus our own "missing" warnings when neither class is there. A check whose own run (Django's,
which runs anyway) already reports something is not run again: ``check --deploy`` names each problem once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register
from django.core.checks.security import base, csrf, sessions
from django.test.utils import override_settings

OURS = {
    "prepdeck.core.async_middleware.SecurityMiddleware": "django.middleware.security.SecurityMiddleware",
    "prepdeck.core.async_middleware.XFrameOptionsMiddleware": "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "prepdeck.core.async_middleware.CsrfViewMiddleware": "django.middleware.csrf.CsrfViewMiddleware",
    "prepdeck.core.async_middleware.SessionMiddleware": "django.contrib.sessions.middleware.SessionMiddleware",
}
DEPENDENT_CHECKS = (
    base.check_sts,
    base.check_sts_include_subdomains,
    base.check_sts_preload,
    base.check_content_type_nosniff,
    base.check_ssl_redirect,
    base.check_xframe_deny,
    base.check_referrer_policy,
    base.check_cross_origin_opener_policy,
    csrf.check_csrf_cookie_secure,
    # With the session middleware found these say W012/W015 (app and middleware) where Django's own run,
    # which does not see our subclass, says W010/W013 (app only) for the same missing setting: the one
    # problem is reported once (Django's message), below. Only the middleware without the app (W011/W014)
    # is ours alone to report.
    sessions.check_session_cookie_secure,
    sessions.check_session_cookie_httponly,
)


@register(Tags.security, deploy=True)
def security_middleware_checks(app_configs: Sequence[Any] | None, **kwargs: Any) -> list[CheckMessage]:
    middleware = list(settings.MIDDLEWARE)
    messages: list[CheckMessage] = [
        Warning(
            f"Neither {django_path} nor {ours} is in MIDDLEWARE.",
            hint="Add prepdeck's subclass back (config/settings/base.py).",
            id="prepdeck.W001",
        )
        for ours, django_path in OURS.items()
        if ours not in middleware and django_path not in middleware
    ]
    if not any(path in OURS for path in middleware):
        return messages  # Django's own checks see Django's classes
    substituted = [OURS.get(path, path) for path in middleware]
    for check in DEPENDENT_CHECKS:
        if check(app_configs):
            continue  # Django's own run of this check reports the problem already
        with override_settings(MIDDLEWARE=substituted):
            messages.extend(check(app_configs))
    return messages
