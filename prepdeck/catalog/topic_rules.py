"""Which topic an imported question belongs to, guessed from its prompt and section heading (pure)."""

from __future__ import annotations

import re

# Checked in order against the prompt first, then the section heading; the first match wins.
TOPIC_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), slug)
    for pattern, slug in (
        (r"\bexplain\b.*\b(plan|analy[sz]e)\b|\bindex(es|ing)?\b|\bgin\b|\bbrin\b", "postgresql-indexes"),
        (r"\bmvcc\b|isolation level|\bvacuum\b|deadlock|advisory lock", "postgresql-concurrency"),
        (r"pgbouncer|connection pool|partition|replica|replication|\bbackup", "postgresql-operations"),
        (r"postgres|\bjsonb\b|\bsql\b|window function|\bcte\b|full[- ]text", "postgresql-data-types"),
        (r"celery|\bbeat\b|background (task|job)|task queue|\bbroker\b", "celery"),
        (r"serializ", "drf-serializers"),
        (r"throttl|rate limit", "drf-auth-permissions"),
        (r"paginat|filter(ing|set)|versioning", "drf-pagination-filtering"),
        (
            r"\b(drf|rest framework)\b.*\b(auth|permission|token|jwt)|\bjwt\b|has_object_permission|"
            r"permission_classes|token[- ]based",
            "drf-auth-permissions",
        ),
        (r"viewset|router|apiview|@action|browsable|renderer|\bdrf\b|rest framework", "drf-views"),
        (r"\brest(ful)?\b|\bhttp (method|status)|openapi|swagger|\bapi\b", "api-design"),
        (r"transaction|atomic|select_for_update|race condition|\block(ing)?\b", "django-transactions"),
        (
            r"\borm\b|queryset|select_related|prefetch|\bf\(\)|\bq\(\)|annotate|aggregate|values(_list)?\(|"
            r"\bquery|bulk_create|\braw\b",
            "django-orm",
        ),
        (r"async|asgi|wsgi|channels|websocket", "django-async"),
        (r"\btest", "django-testing"),
        (r"middleware", "django-middleware"),
        (r"signal", "django-signals"),
        (r"cach", "django-caching"),
        (r"secur|csrf|xss|injection|clickjack|https|cors", "django-security"),
        (r"auth|permission|login|logout|password|session|cookie|\buser\b", "django-auth"),
        (r"template|jinja|context processor", "django-templates"),
        (r"\bforms?\b|formset|widget|validation", "django-forms"),
        (
            r"model|migrat|field|manager|\bmeta\b|foreign ?key|many[- ]to[- ]many|relationship",
            "django-models",
        ),
        (r"perform|optimi[sz]|profil|debug toolbar|n\+1|scal", "django-performance"),
        (
            r"deploy|production|gunicorn|uvicorn|docker|nginx|static files|collectstatic|environment",
            "django-deployment",
        ),
        (
            r"\bviews?\b|\burls?\b|routing|redirect|get_object_or_404|\bcbv\b|\bfbv\b|generic view",
            "django-views-urls",
        ),
    )
)
DEFAULT_TOPIC = "django-core"


def guess_topic(*, prompt: str, section: str = "") -> str:
    """The slug of the most specific topic the prompt (or failing that, its section) talks about."""
    for text in (prompt, section):
        for pattern, slug in TOPIC_RULES:
            if text and pattern.search(text):
                return slug
    return DEFAULT_TOPIC
