"""Template filters for practice pages: ``{% load study %}``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django import template

from prepdeck.practice.grading import Grade
from prepdeck.web import feedback

register = template.Library()


@register.filter
def interval(value: timedelta | None) -> str:
    """A scheduling interval as a button label: ``<1m``, ``10m``, ``3h``, ``4d``, ``2.5mo``, ``1.2y``."""
    if value is None:
        return ""
    seconds = value.total_seconds()
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")


@register.filter
def percent(value: float | None) -> str:
    """0.734 → ``73%``."""
    if value is None:
        return "–"
    return f"{round(value * 100)}%"


@register.filter
def get(mapping: dict[object, object], key: object) -> object:
    """``{{ intervals|get:3 }}``: a dict item in a template."""
    return mapping.get(key) if mapping else None


@register.filter
def duration(seconds: float | int | None) -> str:
    """Seconds as ``45s``, ``3m 05s`` or ``1h 02m``."""
    if seconds is None:
        return "–"
    total = max(0, round(seconds))
    if total < 60:
        return f"{total}s"
    minutes, rest = divmod(total, 60)
    if minutes < 60:
        return f"{minutes}m {rest:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


@register.filter
def milliseconds_to_seconds(value: int | None) -> float:
    """``time_spent_ms`` → seconds, for ``duration``."""
    return (value or 0) / 1000


@register.inclusion_tag("web/study/_grade_feedback.html")
def grade_feedback(grade: Grade | Mapping[str, Any] | None, answer: str | None) -> dict[str, Any]:
    """``{% grade_feedback grade answer %}``: each key point as covered / missing / contradicted, with the
    deciding phrases highlighted in the answer (see :mod:`prepdeck.web.feedback`)."""
    return {"feedback": feedback.grade_feedback(grade, answer or "")}
