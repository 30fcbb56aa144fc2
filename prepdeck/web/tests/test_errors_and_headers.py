"""Friendly error pages (and JSON under /api/), the Content-Security-Policy on every page, and a check that
no template needs inline script or style (which that policy would block)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path

from config.urls import handler404, handler500
from config.urls import urlpatterns as site_urlpatterns
from prepdeck.accounts.tests.factories import make_user
from prepdeck.practice import sessions
from prepdeck.web.tests.conftest import make_bank


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


def api_crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug under /api/")


# This module doubles as a URLconf (``@pytest.mark.urls(__name__)``): the site plus two views that crash.
urlpatterns = [path("test-crash/", crash), path("api/test-crash/", api_crash), *site_urlpatterns]
__all__ = ["handler404", "handler500", "urlpatterns"]


def script_src(policy: str) -> str:
    directives = {part.split()[0]: part for part in (piece.strip() for piece in policy.split(";")) if part}
    return directives["script-src"]


# --- error pages -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unknown_page_renders_the_friendly_404(client: Client) -> None:
    response = client.get("/no-such-page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"
    # the error pages stand alone: no navigation that could itself fail
    assert [template.name for template in response.templates] == ["404.html", "errors/_page.html"]
    assert '<h1 id="error-heading">We could not find that page</h1>' in page
    assert '<input id="not-found-search" class="input" type="search" name="q"' in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "{#" not in page
    assert "Error pages stand alone" not in page


@pytest.mark.django_db
def test_an_unknown_api_url_still_answers_json(client: Client) -> None:
    response = client.get("/api/v1/no-such-endpoint/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_a_csrf_failure_renders_the_friendly_403(learner_client: Client) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "learner@example.com", "password": "whatever"})

    page = response.content.decode()
    assert response.status_code == 403
    assert [template.name for template in response.templates][:2] == ["403_csrf.html", "errors/_page.html"]
    assert '<h1 id="error-heading">This form has expired</h1>' in page
    assert '<a class="button" href="/accounts/login/">Open the page again</a>' in page
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_a_learner_gets_the_friendly_403_on_an_editor_page(learner_client: Client) -> None:
    response = learner_client.get("/questions/new/")

    page = response.content.decode()
    assert response.status_code == 403
    assert [template.name for template in response.templates][:2] == ["403.html", "errors/_page.html"]
    assert "Your account (learner@example.com) cannot open this page." in page


@pytest.mark.django_db
def test_a_bad_host_renders_the_friendly_400(client: Client) -> None:
    response = client.get("/", HTTP_HOST="not a valid host")

    assert response.status_code == 400
    assert "400.html" in [template.name for template in response.templates]
    assert '<h1 id="error-heading">We could not understand that request</h1>' in response.content.decode()


def test_the_500_page_renders_standalone() -> None:
    page = render_to_string("500.html")

    assert page.startswith("<!doctype html>")
    assert "<h1>Something went wrong on our side</h1>" in page
    assert '<link rel="stylesheet" href="/static/prepdeck/app.css">' in page
    assert "<script" not in page
    assert "{%" not in page
    assert "{{" not in page


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_crashing_page_answers_the_500_page_with_the_policy() -> None:
    client = Client(raise_request_exception=False)

    response = client.get("/test-crash/")

    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in response.content.decode()
    assert script_src(response["Content-Security-Policy"]) == "script-src 'self'"


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_crash_under_api_answers_json() -> None:
    client = Client(raise_request_exception=False)

    response = client.get("/api/test-crash/")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"


# --- security headers ---------------------------------------------------------------------------------------


def page_urls() -> list[str]:
    """Every page of the web and accounts namespaces that takes no argument in its address."""
    urls: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route, pattern.namespace or namespace)
            elif namespace in {"web", "accounts"} and "<" not in route:
                urls.append("/" + prefix + route)

    walk(get_resolver().url_patterns, "", None)
    return sorted(set(urls))


def test_the_page_list_covers_both_areas() -> None:
    urls = page_urls()

    assert {"/", "/accounts/login/", "/accounts/preferences/", "/accounts/tokens/"} <= set(urls)


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_every_page_sends_a_policy_without_inline_script(learner, signed_in: bool) -> None:
    client = Client(raise_request_exception=False)
    if signed_in:
        client.force_login(learner)

    missing = []
    for url in page_urls():
        response = client.get(url)
        policy = response.headers.get("Content-Security-Policy")
        if policy is None or "'unsafe-inline'" in script_src(policy) or "'unsafe-eval'" in script_src(policy):
            missing.append(f"{url} ({response.status_code}): {policy}")

    assert missing == []


@pytest.mark.django_db
def test_html_pages_carry_the_full_policy(learner_client: Client) -> None:
    response = learner_client.get("/accounts/preferences/")

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert script_src(response["Content-Security-Policy"]) == "script-src 'self'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_api_docs_work_with_their_own_policy_and_no_inline_script(client: Client) -> None:
    response = client.get("/api/docs/")

    page = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY_API_DOCS
    assert script_src(response["Content-Security-Policy"]) == "script-src 'self'"
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert len(scripts) == 3
    sources = [re.search(r'src="([^"]+)"', tag) for tag in scripts]
    assert all(source is not None and source.group(1).startswith("/") for source in sources), scripts
    init = client.get("/api/docs/?script=")
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in init.content.decode()


@pytest.mark.django_db
def test_redoc_loads_our_bundle_which_asks_no_other_site(client: Client) -> None:
    page = client.get("/api/redoc/").content.decode()

    sources = re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', page)
    assert sources == ["/api/redoc/redoc.standalone.js"]
    bundle = client.get(sources[0])
    assert bundle.status_code == 200
    assert bundle["Content-Type"] == "application/javascript; charset=utf-8"
    code = bundle.content.decode()
    assert "Redoc" in code
    assert "cdn.redoc.ly" not in code
    assert "API docs by Redocly" in code  # the attribution stays
    assert "fonts.googleapis.com" not in page


def test_favicon_ico_points_at_our_icon(client: Client) -> None:
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/prepdeck/icon.svg"
    assert client.get(response["Location"]).status_code == 200


# --- templates ------------------------------------------------------------------------------------------------

FORBIDDEN_IN_TEMPLATES = {
    "inline <script> without src": re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE),
    "on* event handler attribute": re.compile(r"<[a-zA-Z][^<>]*\son[a-z]+\s*=", re.IGNORECASE),
    "style attribute": re.compile(r"<[a-zA-Z][^<>]*\sstyle\s*=", re.IGNORECASE),
    "inline <style> element": re.compile(r"<style\b", re.IGNORECASE),
    "hx-on attribute": re.compile(r"\s(?:data-)?hx-on[:\-]", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    # Django's {# #} comment ends at the line's end: a multi-line one is printed on the page as text.
    "multi-line {# #} comment (use {% comment %})": re.compile(r"\{#(?:(?!#\}).)*\n"),
}


def project_templates() -> list[Path]:
    root = Path(settings.BASE_DIR) / "prepdeck"
    return sorted(path for path in root.glob("**/templates/**/*.html") if "node_modules" not in path.parts)


def test_the_template_check_finds_what_it_should() -> None:
    bad = [
        "<script>alert(1)</script>",
        '<button onclick="go()">',
        '<div class="x"\n     style="color: red">',
        '<svg><rect style="fill: red"/></svg>',
        "<style>p { color: red }</style>",
        '<button hx-on:click="go()">',
        '<a href="javascript:go()">',
        "{# a comment that goes on\n   to a second line #}",
    ]
    good = [
        '<script src="/static/app.js" defer></script>',
        '<a href="/x" data-confirm="Really?">',
        '<rect fill="red" width="3"/>',
        "<p>Press the button on=the left, styled as you like</p>",
        "{# a comment on one line #}\n<p>then text</p>",
    ]

    assert [any(rule.search(text) for rule in FORBIDDEN_IN_TEMPLATES.values()) for text in bad] == [True] * 8
    assert [any(rule.search(text) for rule in FORBIDDEN_IN_TEMPLATES.values()) for text in good] == [
        False
    ] * 5


def test_no_template_has_inline_script_handlers_or_style_attributes() -> None:
    templates = project_templates()
    problems = []
    for template in templates:
        text = template.read_text(encoding="utf-8")
        for problem, rule in FORBIDDEN_IN_TEMPLATES.items():
            for match in rule.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{template.relative_to(settings.BASE_DIR)}:{line}: {problem}")

    assert len(templates) >= 20
    assert problems == []


def test_pages_show_times_in_the_users_time_zone(db: None) -> None:
    make_bank(3)
    user = make_user(email="tokyo@example.com", time_zone="Asia/Tokyo")
    interview = sessions.mock_start(user=user, topics=[], difficulty_mix={"basic": 1})
    client = Client()
    client.force_login(user)

    page = client.get("/mock/").content.decode()

    local = interview.started_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert local.strftime("%b %-d, %H:%M") in page
    assert local.utcoffset() != interview.started_at.utcoffset()  # the zone really changes the text


def test_error_pages_render_even_where_our_urls_cannot_be_reversed(rf: Any) -> None:
    """A project embedding its own URLconf (or a broken one) still gets our error pages, linking to "/"."""
    request = rf.get("/anything/")
    request.user = AnonymousUser()

    with override_settings(ROOT_URLCONF="prepdeck.core.urls"):  # no web: or accounts: names in it
        pages = {
            name: render_to_string(name, request=request) for name in ["400.html", "403.html", "404.html"]
        }

    for name, page in pages.items():
        assert '<a class="brand" href="/"' in page, name
