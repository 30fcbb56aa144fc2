"""Pages: the home page (dashboard for a signed-in user, an introduction for a visitor) and statistics.

Both read everything from ``practice.selectors`` (a fixed number of aggregate queries whatever the size
of the user's history) and turn the plain data into SVG with ``web.charts``. The charts are drawn when the
statistics are computed and cached with them (:func:`statistics_charts`): drawing a year of heatmap
squares and the mastery bars on every visit was a third of the dashboard's CPU time (issue 18).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone

from prepdeck.accounts.models import User
from prepdeck.core import caching
from prepdeck.practice import scheduling, selectors, services
from prepdeck.web import charts

RECENT_MOCK_INTERVIEWS = 5


def _signed_in(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required (or the caller) made sure
    return user


def _mastery_rows(mastery_by_topic: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The selector's mastery rows with the percentage and its bar ready to print."""
    return [
        {**row, "percent": round(row["mastery"] * 100), "bar": charts.percent_bar(row["mastery"])}
        for row in mastery_by_topic
    ]


@dataclass(frozen=True)
class StatisticsCharts:
    """A user's statistics with everything the two pages draw from them."""

    stats: selectors.Statistics
    forecast: charts.Chart
    heatmap: charts.Chart
    retention: charts.Chart
    mastery: list[dict[str, Any]]  # the mastery rows with their percentage and bar


def statistics_charts(
    *, user: User, now: datetime, settings: scheduling.SchedulerSettings
) -> StatisticsCharts:
    """The user's statistics and their charts, from the cache: computed and drawn together, again exactly
    when the statistics alone would be (the same key and namespaces, plus the study day that ends the
    heatmap)."""
    end = selectors.current_study_date(user=user, now=now)

    def draw() -> StatisticsCharts:
        # the statistics' own entry, shared with the statistics API: a miss here only redraws
        stats = selectors.user_statistics_cached(user=user, now=now, settings=settings)
        return StatisticsCharts(
            stats=stats,
            forecast=charts.forecast_chart(stats.due_forecast),
            heatmap=charts.heatmap_chart(stats.heatmap, end=end),
            retention=charts.retention_chart(
                stats.retention_by_week, desired_retention=settings.desired_retention
            ),
            mastery=_mastery_rows(stats.mastery_by_topic),
        )

    return caching.cached(
        "statistics-charts",
        draw,
        key=(*selectors.user_statistics_cache_key(user=user, now=now, settings=settings), end),
        namespaces=selectors.user_statistics_namespaces(user=user),
        timeout=selectors.STATISTICS_CACHE_SECONDS,
    )


def home(request: HttpRequest) -> HttpResponse:
    """A visitor gets what PrepDeck is and a one-click start; a signed-in user gets their dashboard."""
    if not request.user.is_authenticated:
        return render(request, "web/home.html")
    user = _signed_in(request)
    now = timezone.now()
    settings = services.scheduler_settings_for(user)
    drawn = statistics_charts(user=user, now=now, settings=settings)
    stats = drawn.stats
    # limit=0: only the counts, no cards or questions are loaded
    queue = selectors.review_queue(user=user, now=now, settings=settings, limit=0)
    nothing_left = not queue.due and not queue.new
    next_due_at = selectors.next_due_at(user=user, now=now) if nothing_left else None
    mastery = {row["topic"]: row for row in drawn.mastery}
    # Once today's new-question limit is met, "Study these" asks for a batch beyond it (the learner's
    # explicit choice, announced on the review page) instead of a session of whatever little is due.
    limit_met = queue.daily_new_limit > 0 and queue.new_introduced_today >= queue.daily_new_limit
    study_more = (
        max(0, queue.new_introduced_today - queue.daily_new_limit) + selectors.LEARN_MORE_BATCH
        if limit_met
        else 0
    )
    context = {
        "stats": stats,
        "queue": queue,
        "started_within_limit": min(queue.new_introduced_today, queue.daily_new_limit),
        "started_beyond_limit": max(0, queue.new_introduced_today - queue.daily_new_limit),
        "study_more": study_more,
        "learn_more_batch": selectors.LEARN_MORE_BATCH,
        "first_time": stats.totals["reviews"] == 0,
        "nothing_left": nothing_left,
        "next_due_at": next_due_at,
        "next_due_within_a_minute": next_due_at is not None and next_due_at - now < timedelta(minutes=1),
        # a learning step minutes away: offer it now rather than "all done" (the review page's learn-ahead)
        "learn_ahead_soon": next_due_at is not None
        and queue.learning_later_today > 0
        and next_due_at - now <= timedelta(minutes=selectors.LEARN_AHEAD_MINUTES),
        "forecast": drawn.forecast,
        "heatmap": drawn.heatmap,
        "weakest_topics": [mastery[slug] for slug in stats.weakest_topics if slug in mastery],
        "mock_interviews": selectors.recent_mock_interviews(user=user, limit=RECENT_MOCK_INTERVIEWS),
        "desired_retention_percent": round(user.desired_retention * 100),
    }
    return render(request, "web/dashboard/dashboard.html", context)


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    """The charts in full: forecast, heatmap, true retention per week, mastery per topic and totals."""
    user = _signed_in(request)
    now = timezone.now()
    settings = services.scheduler_settings_for(user)
    drawn = statistics_charts(user=user, now=now, settings=settings)
    stats = drawn.stats
    context = {
        "stats": stats,
        "forecast": drawn.forecast,
        "heatmap": drawn.heatmap,
        "retention": drawn.retention,
        "mastery": drawn.mastery,
        "desired_retention_percent": round(settings.desired_retention * 100),
        "overall_retention": (
            round(100 * stats.overall_retention) if stats.overall_retention is not None else None
        ),
    }
    return render(request, "web/statistics.html", context)


urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("statistics/", statistics, name="statistics"),
]
