"""The SVG chart functions: plain data in, escaped and accessible SVG out (no database)."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prepdeck.web import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    """The chart as XML: also proves the markup is well formed."""
    return ElementTree.fromstring(svg)  # noqa: S314 - our own markup, not untrusted input


def bars_of(svg: str) -> list[ElementTree.Element]:
    return parse(svg).findall(f"{SVG}rect[@class='bar']")


def forecast(values: list[int], start: date = date(2026, 11, 23)) -> list[dict[str, object]]:
    return [
        {"date": (start + timedelta(days=offset)).isoformat(), "due": value}
        for offset, value in enumerate(values)
    ]


# --- every chart ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "chart",
    [
        charts.forecast_chart(forecast([3, 0, 5])),
        charts.heatmap_chart([{"date": "2026-11-20", "reviews": 12}], end=date(2026, 11, 23)),
        charts.retention_chart(
            [{"week": "2026-11-16", "reviews": 4, "recalled": 3, "retention": 0.75}], desired_retention=0.9
        ),
    ],
    ids=["forecast", "heatmap", "retention"],
)
def test_charts_are_accessible_responsive_and_styled_only_by_classes(chart: charts.Chart) -> None:
    root = parse(chart.svg)

    assert root.get("role") == "img"
    assert root.get("aria-label") == chart.summary
    assert root.find(f"{SVG}title") is not None
    assert root.find(f"{SVG}title").text == chart.summary  # type: ignore[union-attr]
    assert root.get("width") == "100%"
    assert re.fullmatch(r"0 0 \d+(\.\d+)? \d+(\.\d+)?", root.get("viewBox", ""))
    assert "style=" not in chart.svg
    assert 'fill="#' not in chart.svg
    assert 'stroke="#' not in chart.svg


# --- bar chart ------------------------------------------------------------------------------------------------


def test_bar_heights_are_proportional_to_the_values_on_a_round_axis() -> None:
    chart = charts.forecast_chart(forecast([2, 4, 0, 8]))

    bars = bars_of(chart.svg)
    heights = [float(bar.get("height", "")) for bar in bars]
    plot = charts.BAR_HEIGHT - charts.BAR_MARGIN["top"] - charts.BAR_MARGIN["bottom"]
    assert heights == [plot * 2 / 8, plot * 4 / 8, plot * 8 / 8]  # the zero bar draws nothing
    # all bars stand on the same baseline
    assert {float(bar.get("y", "")) + float(bar.get("height", "")) for bar in bars} == {
        charts.BAR_HEIGHT - charts.BAR_MARGIN["bottom"]
    }
    assert [bar.find(f"{SVG}title").text for bar in bars] == [  # type: ignore[union-attr]
        "2026-11-23: 2 cards due",
        "2026-11-24: 4 cards due",
        "2026-11-26: 8 cards due",
    ]
    assert chart.rows == [("2026-11-23", "2"), ("2026-11-24", "4"), ("2026-11-25", "0"), ("2026-11-26", "8")]
    assert chart.summary == "Cards due in the next 4 days: 14 in all, most on 2026-11-26 (8 cards)."


def test_the_forecast_labels_today_and_every_seventh_day() -> None:
    chart = charts.forecast_chart(forecast([1] * 30))

    labels = [
        text.text for text in parse(chart.svg).iter(f"{SVG}text") if text.get("text-anchor") == "middle"
    ]
    assert labels == ["Cards due", "Today", "Nov 30", "Dec 7", "Dec 14"]  # Dec 21 is too near the end
    assert len(bars_of(chart.svg)) == 30


def test_an_all_zero_or_empty_forecast_draws_an_empty_axis() -> None:
    for values in ([0] * 30, []):
        chart = charts.forecast_chart(forecast(values))

        assert bars_of(chart.svg) == []
        ticks = [
            text.text for text in parse(chart.svg).iter(f"{SVG}text") if text.get("text-anchor") == "end"
        ]
        assert ticks == ["0", "1"]
    assert charts.forecast_chart(forecast([0, 0])).summary == "Cards due in the next 2 days: 0 in all."


def test_bar_chart_text_is_escaped() -> None:
    chart = charts.bar_chart(
        [charts.Bar(label="<b>", value=3, tooltip='<script>alert("x")</script>', tick="A & B")],
        summary='Cards "due" <now>',
        y_label="<y>",
        columns=("Day", "Count"),
    )

    assert "<script>" not in chart.svg
    assert "<b>" not in chart.svg
    assert "<now>" not in chart.svg
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in chart.svg
    assert 'aria-label="Cards &quot;due&quot; &lt;now&gt;"' in chart.svg
    assert ">A &amp; B</text>" in chart.svg
    root = parse(chart.svg)
    assert root.get("aria-label") == 'Cards "due" <now>'
    assert bars_of(chart.svg)[0].find(f"{SVG}title").text == '<script>alert("x")</script>'  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0, 1), (1, 1), (2, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 20), (45, 60), (130, 200)],
)
def test_nice_ceiling(value: float, ceiling: int) -> None:
    assert charts.nice_ceiling(value) == ceiling


@given(st.lists(st.integers(min_value=0, max_value=100_000), max_size=40))
def test_no_bar_is_taller_than_the_plot(values: list[int]) -> None:
    chart = charts.forecast_chart(forecast(values))

    plot = charts.BAR_HEIGHT - charts.BAR_MARGIN["top"] - charts.BAR_MARGIN["bottom"]
    heights = [float(bar.get("height", "")) for bar in bars_of(chart.svg)]
    assert len(heights) == sum(1 for value in values if value)
    assert all(0 < height <= plot for height in heights)


# --- heatmap ----------------------------------------------------------------------------------------------


def days_of(svg: str) -> list[ElementTree.Element]:
    return [rect for rect in parse(svg).iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]


@pytest.mark.parametrize(
    ("end", "cells"),
    [(date(2026, 11, 23), 365), (date(2028, 3, 1), 366), (date(2028, 2, 29), 366), (date(2028, 2, 28), 365)],
)
def test_the_heatmap_has_a_square_per_day_of_the_last_year(end: date, cells: int) -> None:
    chart = charts.heatmap_chart([], end=end)

    squares = days_of(chart.svg)
    assert len(squares) == cells
    titles = [square.find(f"{SVG}title").text for square in squares]  # type: ignore[union-attr]
    assert titles[-1] == f"{end.isoformat()}: no reviews"
    assert titles[0] == f"{(end - timedelta(days=cells - 1)).isoformat()}: no reviews"
    assert chart.summary == f"0 reviews on 0 days of the last {cells} days."
    assert chart.rows == []


def test_heatmap_squares_sit_in_week_columns_and_weekday_rows_with_levels() -> None:
    end = date(2026, 11, 23)  # a Monday
    days = [
        {"date": "2026-11-23", "reviews": 12},
        {"date": "2026-11-22", "reviews": 1},
        {"date": "2026-11-21", "reviews": 6},
        {"date": "2024-01-01", "reviews": 99},  # outside the year: ignored
    ]

    chart = charts.heatmap_chart(days, end=end)

    squares = {square.find(f"{SVG}title").text: square for square in days_of(chart.svg)}  # type: ignore[union-attr]
    monday, sunday, saturday = (
        squares["2026-11-23: 12 reviews"],
        squares["2026-11-22: 1 review"],
        squares["2026-11-21: 6 reviews"],
    )
    assert monday.get("class") == "day level-4"
    assert sunday.get("class") == "day level-1"
    assert saturday.get("class") == "day level-2"
    assert squares["2026-11-20: no reviews"].get("class") == "day level-0"
    # Sunday and Saturday share a column (the week starting Monday the 16th); the Monday starts the next
    assert sunday.get("x") == saturday.get("x")
    assert float(monday.get("x", "")) == float(sunday.get("x", "")) + charts.PITCH
    assert float(sunday.get("y", "")) - float(monday.get("y", "")) == 6 * charts.PITCH
    assert chart.rows == [("2026-11-21", "6"), ("2026-11-22", "1"), ("2026-11-23", "12")]
    assert (
        chart.summary
        == "19 reviews on 3 days of the last 365 days; the busiest was 2026-11-23 with 12 reviews."
    )


def test_the_heatmap_names_the_months_weekdays_and_has_a_legend() -> None:
    chart = charts.heatmap_chart([], end=date(2026, 11, 23))

    texts = [text.text for text in parse(chart.svg).iter(f"{SVG}text")]
    assert texts[:3] == ["Mon", "Wed", "Fri"]
    # the year starts on 24 November: too close to December for a label of its own
    assert texts[3:15] == ["Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov"]
    assert texts[15:] == ["0 reviews in the last year", "Less", "More"]
    legend = [
        rect.get("class") for rect in parse(chart.svg).iter(f"{SVG}rect") if rect.find(f"{SVG}title") is None
    ]
    assert legend == [f"day level-{level}" for level in range(5)]


def test_a_year_starting_early_in_a_month_names_that_month_too() -> None:
    texts = [
        text.text for text in parse(charts.heatmap_chart([], end=date(2026, 12, 31)).svg).iter(f"{SVG}text")
    ]

    assert texts[3:16] == [
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
        "0 reviews in the last year",
    ]


@pytest.mark.parametrize(
    ("count", "busiest", "level"),
    [(0, 10, 0), (1, 10, 1), (3, 10, 2), (5, 10, 2), (6, 10, 3), (10, 10, 4), (1, 0, 0)],
)
def test_heatmap_levels(count: int, busiest: int, level: int) -> None:
    assert charts.heatmap_level(count, busiest) == level


# --- retention ------------------------------------------------------------------------------------------------


def weeks(*values: tuple[str, int, int]) -> list[dict[str, object]]:
    return [
        {"week": week, "reviews": reviews, "recalled": recalled, "retention": round(recalled / reviews, 3)}
        for week, reviews, recalled in values
    ]


def test_retention_draws_a_point_per_week_a_line_and_the_target() -> None:
    chart = charts.retention_chart(
        weeks(("2026-11-02", 10, 8), ("2026-11-09", 20, 19), ("2026-11-23", 4, 3)), desired_retention=0.9
    )

    root = parse(chart.svg)
    points = root.findall(f"{SVG}circle")
    assert [point.find(f"{SVG}title").text for point in points] == [  # type: ignore[union-attr]
        "Week of 2026-11-02: 80% recalled (8 of 10)",
        "Week of 2026-11-09: 95% recalled (19 of 20)",
        "Week of 2026-11-23: 75% recalled (3 of 4)",
    ]
    xs = [float(point.get("cx", "")) for point in points]
    # weeks are spaced by date: the missing week of the 16th leaves a gap twice as wide
    assert xs[2] - xs[1] == pytest.approx(2 * (xs[1] - xs[0]))
    ys = [float(point.get("cy", "")) for point in points]
    assert ys[1] < ys[0] < ys[2]  # higher retention is drawn higher
    assert root.find(f"{SVG}polyline") is not None
    reference = root.find(f"{SVG}line[@class='reference']")
    assert reference is not None
    # the axis runs from 50 % (bottom) to 100 % (top): 90 % sits a fifth of the way down
    top, bottom = charts.LINE_MARGIN["top"], charts.LINE_HEIGHT - charts.LINE_MARGIN["bottom"]
    assert float(reference.get("y1", "")) == pytest.approx(top + (bottom - top) * 0.2, abs=0.01)
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert texts[:3] == ["50%", "75%", "100%"]
    assert "Recalled" in texts
    assert "Week starting" in texts
    assert "Target 90%" in texts
    assert chart.rows == [
        ("2026-11-02", "80%", "8 of 10"),
        ("2026-11-09", "95%", "19 of 20"),
        ("2026-11-23", "75%", "3 of 4"),
    ]
    assert (
        chart.summary == "True retention for 3 weeks: 75% in the week of 2026-11-23, against a target of 90%."
    )


def test_retention_week_labels_keep_their_distance_and_show_the_latest_week() -> None:
    first = date(2026, 5, 25)
    data = weeks(*[((first + timedelta(weeks=number)).isoformat(), 10, 9) for number in range(26)])

    root = parse(charts.retention_chart(data, desired_retention=0.9).svg)

    labels = [
        text
        for text in root.iter(f"{SVG}text")
        if text.get("text-anchor") == "middle" and text.text not in {"Recalled", "Week starting"}
    ]
    assert [label.text for label in labels] == ["Jun 1", "Jul 13", "Aug 24", "Oct 5", "Nov 16"]
    xs = [float(label.get("x", "")) for label in labels]
    assert all(later - earlier >= charts.RETENTION_LABEL_SPACING for earlier, later in itertools.pairwise(xs))
    assert xs[-1] == float(root.findall(f"{SVG}circle")[-1].get("cx", ""))


def test_retention_below_half_extends_the_axis_to_zero() -> None:
    chart = charts.retention_chart(weeks(("2026-11-16", 1, 0)), desired_retention=0.85)

    texts = [text.text for text in parse(chart.svg).iter(f"{SVG}text")]
    assert texts[:5] == ["0%", "25%", "50%", "75%", "100%"]
    assert parse(chart.svg).find(f"{SVG}polyline") is None  # one week: a dot, no line


def test_retention_without_data_still_shows_the_target() -> None:
    chart = charts.retention_chart([], desired_retention=0.9)

    assert parse(chart.svg).findall(f"{SVG}circle") == []
    assert "Target 90%" in chart.svg
    assert chart.summary == "No true retention yet: it needs reviews of mature cards. Target 90%."


# --- percent bar ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fraction", "filled"),
    [(0.632, "63.2"), (1.0, "100"), (1.7, "100"), (-0.2, None), (0.0, None), (float("nan"), None)],
)
def test_percent_bar_fills_the_fraction(fraction: float, filled: str | None) -> None:
    root = parse(charts.percent_bar(fraction))

    assert root.get("aria-hidden") == "true"
    fill = root.find(f"{SVG}rect[@class='meter-fill']")
    assert (fill.get("width") if fill is not None else None) == filled


def test_chart_text_is_escaped_exactly_as_django_escapes_it() -> None:
    from django.utils.html import escape

    text = """<b>"Tom" & 'Jerry'</b>"""
    assert charts._escape(text) == str(escape(text))
    chart = charts.bar_chart(
        [charts.Bar(label="a", value=1, tooltip=text)], summary=text, y_label=text, columns=("a", "b")
    )
    assert "<b>" not in chart.svg
    assert chart.svg.count(str(escape(text))) == 4  # the title, the aria-label, the axis title, the tooltip


def test_the_data_table_rows_head_each_row_with_its_first_cell_and_escape_every_cell() -> None:
    chart = charts.Chart(
        svg=charts.mark_safe("<svg/>"),
        summary="s",
        columns=("Day", "Reviews"),
        rows=[("2026-11-20", "12"), ("<b>", "1,000 & more")],
        kind="bars",
    )
    assert chart.table_body() == (
        '<tr><th scope="row">2026-11-20</th><td>12</td></tr>\n'
        '<tr><th scope="row">&lt;b&gt;</th><td>1,000 &amp; more</td></tr>'
    )
    empty = charts.Chart(svg=chart.svg, summary="s", columns=("Day", "Reviews"), rows=[], kind="bars")
    assert empty.table_body() == '<tr><td colspan="2">No data yet.</td></tr>'
