"""Server-rendered SVG charts: pure functions from plain data to SVG markup (no ORM, no JavaScript, no CDN).

Each function returns a :class:`Chart`: the ``<svg>`` (``role="img"``, with an ``aria-label`` and a
``<title>`` summing it up, a ``viewBox`` so it scales to its container) and the same data as table rows,
which ``templates/web/dashboard/_chart.html`` renders as a visually hidden table beside the picture.
Colours and font sizes come from CSS classes in ``static/prepdeck/dashboard.css`` (so dark mode works and
the Content-Security-Policy, which forbids ``style=``, is kept); geometry uses SVG presentation attributes.
Every piece of text put into the markup is escaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Chart:
    """An SVG picture and its data as a table (the text alternative)."""

    svg: SafeString
    summary: str  # one sentence: the accessible name of the picture and the caption of the table
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    kind: str  # "bars", "heatmap" or "retention": the CSS class of the figure

    def table_body(self) -> SafeString:
        """The data table's rows as markup, the first cell of each a row header (``_chart.html`` prints
        it): built here rather than by a template loop, which cost more than the rest of the dashboard
        for a year of heatmap days."""
        if not self.rows:
            return mark_safe(f'<tr><td colspan="{len(self.columns)}">No data yet.</td></tr>')  # noqa: S308
        rows = [
            f'<tr><th scope="row">{_escape(row[0])}</th>{"".join(f"<td>{_escape(cell)}</td>" for cell in row[1:])}</tr>'
            for row in self.rows
        ]
        # every cell was escaped above
        return mark_safe("\n".join(rows))  # noqa: S308


@dataclass(frozen=True)
class Bar:
    """One bar of a bar chart: ``tick`` (if any) is written under it on the x axis."""

    label: str  # the first column of the data table
    value: float
    tooltip: str
    tick: str = ""


# --- small helpers --------------------------------------------------------------------------------------


def _number(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros (short, stable markup)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"", "-0"} else text


def _escape(text: object) -> str:
    """``django.utils.html.escape`` without its lazy-string wrapper and ``SafeString`` (the same characters
    out): a year's heatmap escapes thousands of values, and the wrapper cost more than the escaping."""
    return html.escape(str(text))


def _attributes(attributes: Mapping[str, object]) -> str:
    parts = []
    for name, value in attributes.items():
        if value is None:
            continue
        text = _number(value) if isinstance(value, float) else str(value)
        parts.append(f'{name.replace("_", "-")}="{_escape(text)}"')
    return " ".join(parts)


def _element(tag: str, content: str = "", **attributes: object) -> str:
    """``<tag attributes>content</tag>``: ``content`` is markup (already escaped); attributes are escaped."""
    attributes = {("class" if name == "class_" else name): value for name, value in attributes.items()}
    opening = f"<{tag} {_attributes(attributes)}" if attributes else f"<{tag}"
    return f"{opening}>{content}</{tag}>" if content else f"{opening}/>"


def _text(text: str, *, x: float, y: float, **attributes: object) -> str:
    return _element("text", _escape(text), x=float(x), y=float(y), **attributes)


def _tooltip(text: str) -> str:
    return f"<title>{_escape(text)}</title>"


def _svg(*, kind: str, width: float, height: float, summary: str, body: Iterable[str]) -> SafeString:
    opening = _attributes(
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": f"chart-svg chart-svg-{kind}",
            "viewBox": f"0 0 {_number(width)} {_number(height)}",
            "width": "100%",
            "role": "img",
            "aria-label": summary,
            "focusable": "false",
        }
    )
    # Every piece of ``body`` was built from escaped text by the helpers above.
    return mark_safe(f"<svg {opening}>{_tooltip(summary)}{''.join(body)}</svg>")  # noqa: S308


def nice_ceiling(value: float) -> int:
    """The top of a count axis: the smallest of 1, 2, 4, 6, 8, 10, 20, 40 ... that is at least ``value``
    (its half, the middle gridline, is then a whole number too)."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 4, 6, 8, 10):
        if step * magnitude >= value:
            return int(step * magnitude)
    return int(10 * magnitude)  # pragma: no cover - the loop always ends at 10


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _short_date(day: date) -> str:
    return f"{day:%b} {day.day}"


def _percent(fraction: float) -> str:
    return f"{round(fraction * 100):d}%"


# --- bar chart (the 30-day forecast) ---------------------------------------------------------------------

BAR_WIDTH, BAR_HEIGHT = 440.0, 190.0
BAR_MARGIN = {"left": 50.0, "right": 8.0, "top": 12.0, "bottom": 34.0}


def bar_chart(bars: Sequence[Bar], *, summary: str, y_label: str, columns: tuple[str, str]) -> Chart:
    """Vertical bars whose heights are proportional to their values, on an axis from 0 to a round top
    (but at least one unit high, so no non-zero value vanishes).

    Zero bars draw nothing (their tooltip still appears in the table); an empty or all-zero series gives
    an empty axis from 0 to 1."""
    left, right = BAR_MARGIN["left"], BAR_WIDTH - BAR_MARGIN["right"]
    top, bottom = BAR_MARGIN["top"], BAR_HEIGHT - BAR_MARGIN["bottom"]
    plot_height = bottom - top
    scale = nice_ceiling(max((bar.value for bar in bars), default=0))
    body = []
    ticks = [0, scale // 2, scale] if scale > 1 else [0, 1]
    for tick in ticks:
        y = bottom - plot_height * tick / scale
        body.append(_element("line", class_="gridline", x1=left, x2=right, y1=y, y2=y))
        body.append(_text(f"{tick:,}", x=left - 6, y=y + 4, class_="tick-label", text_anchor="end"))
    body.append(
        _text(
            y_label,
            x=12,
            y=(top + bottom) / 2,
            class_="axis-title",
            text_anchor="middle",
            transform=f"rotate(-90 12 {_number((top + bottom) / 2)})",
        )
    )
    step = (right - left) / max(len(bars), 1)
    width = step * 0.72
    for index, bar in enumerate(bars):
        x = left + index * step + (step - width) / 2
        height = plot_height * max(bar.value, 0) / scale
        if height > 0:
            height = max(height, 1.0)  # a small value next to a huge one still shows
            body.append(
                _element(
                    "rect",
                    _tooltip(bar.tooltip),
                    class_="bar",
                    x=x,
                    y=bottom - height,
                    width=width,
                    height=height,
                    rx=1.5,
                )
            )
        if bar.tick:
            body.append(
                _text(bar.tick, x=x + width / 2, y=bottom + 20, class_="tick-label", text_anchor="middle")
            )
    body.append(_element("line", class_="axis", x1=left, x2=right, y1=bottom, y2=bottom))
    return Chart(
        svg=_svg(kind="bars", width=BAR_WIDTH, height=BAR_HEIGHT, summary=summary, body=body),
        summary=summary,
        columns=columns,
        rows=[(bar.label, f"{bar.value:,g}") for bar in bars],
        kind="bars",
    )


def forecast_chart(due_forecast: Sequence[Mapping[str, object]]) -> Chart:
    """The next study days' due cards (``[{"date": "2026-11-23", "due": 4}, ...]``, today first)."""
    bars = []
    for index, day in enumerate(due_forecast):
        when = date.fromisoformat(str(day["date"]))
        due = int(str(day["due"]))
        name = "Today" if index == 0 else "Tomorrow" if index == 1 else _short_date(when)
        bars.append(
            Bar(
                label=when.isoformat(),
                value=due,
                tooltip=f"{when.isoformat()}: {_plural(due, 'card')} due",
                # a date under today and every seventh day, but not so near the end that it is cut off
                tick=name if index % 7 == 0 and index < len(due_forecast) - 3 else "",
            )
        )
    total = sum(int(bar.value) for bar in bars)
    busiest = max(bars, key=lambda bar: bar.value, default=None)
    summary = f"Cards due in the next {len(bars)} days: {total:,} in all"
    if busiest is not None and busiest.value:
        summary += f", most on {busiest.label} ({_plural(int(busiest.value), 'card')})"
    return bar_chart(bars, summary=summary + ".", y_label="Cards due", columns=("Day", "Cards due"))


# --- heatmap (the last year of reviews) ------------------------------------------------------------------

CELL, PITCH = 11.0, 14.0
HEATMAP_LEFT, HEATMAP_TOP, HEATMAP_LEGEND = 32.0, 20.0, 30.0
WEEKDAY_LABELS = {0: "Mon", 2: "Wed", 4: "Fri"}


def year_before(day: date) -> date:
    """The same calendar day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def heatmap_level(count: int, busiest: int) -> int:
    """0 for no reviews, then 1 to 4 in equal steps up to the busiest day."""
    if count <= 0 or busiest <= 0:
        return 0
    return min(4, max(1, math.ceil(4 * count / busiest)))


def _month_labels(start: date, end: date, first_monday: date) -> list[tuple[int, str]]:
    """(column, month name) for each month that starts in the range, and for the first, partial month
    when there are at least three weeks before the next label (so names never overlap)."""
    labels = []
    day = date(start.year, start.month, 1)
    while day <= end:
        if day >= start:
            labels.append(((day - first_monday).days // 7, f"{day:%b}"))
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    if start.day != 1 and (not labels or labels[0][0] >= 3):
        labels.insert(0, (0, f"{start:%b}"))
    return labels


def heatmap_chart(days: Sequence[Mapping[str, object]], *, end: date) -> Chart:
    """A GitHub-style year of reviews: one square per study day from a year before ``end`` (exclusive) to
    ``end`` (365 squares, 366 across a 29 February), a column per week starting on Monday, month names
    above, weekday names on the left and a legend. ``days`` lists the days with reviews:
    ``[{"date": "2026-11-20", "reviews": 12}, ...]``; days outside the year are ignored."""
    start = year_before(end) + timedelta(days=1)
    counts = {
        when: int(str(day["reviews"]))
        for day in days
        if start <= (when := date.fromisoformat(str(day["date"]))) <= end
    }
    busiest = max(counts.values(), default=0)
    first_monday = start - timedelta(days=start.weekday())
    columns = (end - first_monday).days // 7 + 1
    width = HEATMAP_LEFT + columns * PITCH + 4
    height = HEATMAP_TOP + 7 * PITCH + HEATMAP_LEGEND
    body = []
    for weekday, name in WEEKDAY_LABELS.items():
        y = HEATMAP_TOP + weekday * PITCH + 9.5
        body.append(_text(name, x=HEATMAP_LEFT - 6, y=y, class_="tick-label", text_anchor="end"))
    for column, name in _month_labels(start, end, first_monday):
        body.append(_text(name, x=HEATMAP_LEFT + column * PITCH, y=HEATMAP_TOP - 7, class_="tick-label"))
    # The same markup as ``_element("rect", _tooltip(...), class_=..., x=..., y=..., width=CELL,
    # height=CELL, rx=2)``, written directly: 365 squares through the generic helpers were a third of the
    # dashboard's CPU time. The coordinates are numbers and the class names fixed, so only the tooltip
    # needs escaping.
    row_y = [_number(HEATMAP_TOP + weekday * PITCH) for weekday in range(7)]
    size = _number(CELL)
    day = start
    while day <= end:
        x = _number(HEATMAP_LEFT + (day - first_monday).days // 7 * PITCH)
        count = counts.get(day, 0)
        reviews = _plural(count, "review") if count else "no reviews"
        body.append(
            f'<rect class="day level-{heatmap_level(count, busiest)}" x="{x}" y="{row_y[day.weekday()]}" '
            f'width="{size}" height="{size}" rx="2">{_tooltip(f"{day.isoformat()}: {reviews}")}</rect>'
        )
        day += timedelta(days=1)
    total = sum(counts.values())
    legend_y = HEATMAP_TOP + 7 * PITCH + 10
    text_y = legend_y + 9.5
    body.append(
        _text(f"{_plural(total, 'review')} in the last year", x=HEATMAP_LEFT, y=text_y, class_="tick-label")
    )
    more_x = width - 4
    legend_x = more_x - 32 - 5 * PITCH
    body.append(_text("Less", x=legend_x - 5, y=text_y, class_="tick-label", text_anchor="end"))
    for level in range(5):
        body.append(
            _element(
                "rect",
                class_=f"day level-{level}",
                x=legend_x + level * PITCH,
                y=legend_y,
                width=CELL,
                height=CELL,
                rx=2,
            )
        )
    body.append(_text("More", x=more_x, y=text_y, class_="tick-label", text_anchor="end"))
    cells = (end - start).days + 1
    summary = f"{_plural(total, 'review')} on {_plural(len(counts), 'day')} of the last {cells} days"
    if busiest:
        top_day = min(when for when, count in counts.items() if count == busiest)
        summary += f"; the busiest was {top_day.isoformat()} with {_plural(busiest, 'review')}"
    summary += "."
    return Chart(
        svg=_svg(kind="heatmap", width=width, height=height, summary=summary, body=body),
        summary=summary,
        columns=("Day", "Reviews"),
        rows=[(when.isoformat(), f"{count:,}") for when, count in sorted(counts.items())],
        kind="heatmap",
    )


# --- line chart (true retention per week) ----------------------------------------------------------------

LINE_WIDTH, LINE_HEIGHT = 440.0, 210.0
LINE_MARGIN = {"left": 64.0, "right": 14.0, "top": 14.0, "bottom": 46.0}
RETENTION_LABEL_SPACING = 64.0  # "Nov 16" is about 50 units wide at the phone's larger font


def retention_chart(weeks: Sequence[Mapping[str, object]], *, desired_retention: float) -> Chart:
    """True retention (share of mature cards recalled) per week, as a line with a dot per week, and the
    desired retention as a dashed reference line. ``weeks``: ``[{"week": "2026-11-16", "reviews": 20,
    "recalled": 17, "retention": 0.85}, ...]`` in order. The y axis runs from 50 % (or 0 % when a value is
    lower) to 100 %; the x axis spaces weeks by date, so a week without reviews leaves a gap."""
    left, right = LINE_MARGIN["left"], LINE_WIDTH - LINE_MARGIN["right"]
    top, bottom = LINE_MARGIN["top"], LINE_HEIGHT - LINE_MARGIN["bottom"]
    points = [
        (
            date.fromisoformat(str(week["week"])),
            min(1.0, max(0.0, float(str(week["retention"])))),
            int(str(week["reviews"])),
            int(str(week["recalled"])),
        )
        for week in weeks
    ]
    target = min(1.0, max(0.0, desired_retention))
    lowest = min([target, *(retention for _, retention, _, _ in points)])
    floor = 0.5 if lowest >= 0.5 else 0.0

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * (value - floor) / (1 - floor)

    first = points[0][0] if points else None
    span = (points[-1][0] - points[0][0]).days / 7 if points else 0

    inner_left, inner_right = left + 22, right - 22  # room for the first and last week's date

    def x_of(week: date) -> float:
        if first is None or span == 0:
            return (inner_left + inner_right) / 2
        return inner_left + (inner_right - inner_left) * ((week - first).days / 7) / span

    body = []
    ticks = [0.5, 0.75, 1.0] if floor else [0.0, 0.25, 0.5, 0.75, 1.0]
    for tick in ticks:
        y = y_of(tick)
        body.append(_element("line", class_="gridline", x1=left, x2=right, y1=y, y2=y))
        body.append(_text(_percent(tick), x=left - 6, y=y + 4, class_="tick-label", text_anchor="end"))
    body.append(_element("line", class_="axis", x1=left, x2=right, y1=bottom, y2=bottom))
    middle = (top + bottom) / 2
    body.append(
        _text(
            "Recalled",
            x=12,
            y=middle,
            class_="axis-title",
            text_anchor="middle",
            transform=f"rotate(-90 12 {_number(middle)})",
        )
    )
    body.append(
        _text(
            "Week starting",
            x=(left + right) / 2,
            y=LINE_HEIGHT - 6,
            class_="axis-title",
            text_anchor="middle",
        )
    )
    target_y = y_of(target)
    body.append(
        _element(
            "line", class_="reference", x1=left, x2=right, y1=target_y, y2=target_y, stroke_dasharray="5 4"
        )
    )
    body.append(
        _text(
            f"Target {_percent(target)}",
            x=right - 2,
            y=target_y - 5,
            class_="reference-label",
            text_anchor="end",
        )
    )
    if len(points) > 1:
        line = " ".join(f"{_number(x_of(week))},{_number(y_of(value))}" for week, value, _, _ in points)
        body.append(_element("polyline", class_="line", points=line, fill="none"))
    # label the latest week, then going back every week at least a label's width (and a gap) away
    labelled: set[int] = set()
    for index in range(len(points) - 1, -1, -1):
        if not labelled or x_of(points[min(labelled)][0]) - x_of(points[index][0]) >= RETENTION_LABEL_SPACING:
            labelled.add(index)
    for index, (week, value, reviews, recalled) in enumerate(points):
        x, y = x_of(week), y_of(value)
        tooltip = f"Week of {week.isoformat()}: {_percent(value)} recalled ({recalled:,} of {reviews:,})"
        body.append(_element("circle", _tooltip(tooltip), class_="point", cx=x, cy=y, r=4.0))
        if index in labelled:
            body.append(
                _text(_short_date(week), x=x, y=bottom + 17, class_="tick-label", text_anchor="middle")
            )
    if points:
        latest_week, latest, _, _ = points[-1]
        summary = (
            f"True retention for {_plural(len(points), 'week')}: {_percent(latest)} in the week of "
            f"{latest_week.isoformat()}, against a target of {_percent(target)}."
        )
    else:
        summary = f"No true retention yet: it needs reviews of mature cards. Target {_percent(target)}."
    return Chart(
        svg=_svg(kind="retention", width=LINE_WIDTH, height=LINE_HEIGHT, summary=summary, body=body),
        summary=summary,
        columns=("Week starting", "Recalled", "Reviews"),
        rows=[
            (week.isoformat(), _percent(value), f"{recalled:,} of {reviews:,}")
            for week, value, reviews, recalled in points
        ],
        kind="retention",
    )


# --- a percentage as a small horizontal bar --------------------------------------------------------------


def percent_bar(fraction: float) -> SafeString:
    """A thin horizontal bar filled to ``fraction`` (clamped to 0-1), decorative: the percentage is
    always written next to it, so it is hidden from assistive technology."""
    if not math.isfinite(fraction):
        fraction = 0.0
    filled = min(1.0, max(0.0, fraction)) * 100
    body = _element("rect", class_="meter-track", width=100, height=8)
    if filled > 0:
        body += _element("rect", class_="meter-fill", width=filled, height=8)
    opening = _attributes(
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "percent-bar",
            "viewBox": "0 0 100 8",
            "preserveAspectRatio": "none",
            "aria-hidden": "true",
            "focusable": "false",
        }
    )
    return mark_safe(f"<svg {opening}>{body}</svg>")  # noqa: S308
