"""The geometry of the small charts the server draws as inline SVG (no script, nothing from outside).

The numbers are worked out here, where they can be tested; templates/admin/_charts.html only
draws them. Both charts use a 400-unit-wide viewBox, so they stay legible on a 360 px phone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bureau.progress import periods

WIDTH = 400
SHOWN_ALL = 15  # at most this many units: every one is drawn
EDGE = 5  # more units: the best EDGE and the worst EDGE
LABEL_CHARS = 9


def percent(value: float | None) -> str:
    """A rate as people read it: 62.5%; no rate at all is a dash."""
    return "—" if value is None else f"{value * 100:.1f}%"


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


@dataclass(frozen=True)
class Bar:
    label: str  # the unit's name, shortened to fit
    title: str  # the full name and figures (the SVG tooltip)
    y: float
    width: float
    text: str
    url: str


@dataclass(frozen=True)
class BarChart:
    """Coverage of units as horizontal bars, best first; `gap_y` marks the units left out."""

    bars: list[Bar]
    hidden: int  # ranked units not drawn (between the best and the worst)
    gap_y: float | None
    unranked: list[str]  # units with no students to rate (未导入名册)
    height: float
    x0: float = 138
    span: float = 200
    row: float = 22


def coverage_bars(rows: Sequence, url_of: Callable[[object], str], drop: str = "") -> BarChart:
    """Bars of coverage rows (ordered best first): every unit if at most SHOWN_ALL, else the best
    and the worst EDGE. A unit without students has no rate: it is named, not drawn as 0 %.
    `drop` is a prefix the labels need not repeat (the school's name before its grades)."""
    ranked = [row for row in rows if row.students]
    unranked = [row.label for row in rows if not row.students]
    shown = ranked if len(ranked) <= SHOWN_ALL else [*ranked[:EDGE], None, *ranked[-EDGE:]]
    chart = BarChart([], 0, None, unranked, 0)
    bars, gap_y, y = [], None, 4.0
    for row in shown:
        if row is None:
            gap_y, y = y + chart.row / 2, y + chart.row
            continue
        label = row.label.removeprefix(drop)
        title = f"{label} {percent(row.coverage)}（{row.visited}/{row.students}）"
        width = round(chart.span * row.visited / row.students, 1)
        bars.append(Bar(_short(label), title, y, width, percent(row.coverage), url_of(row)))
        y += chart.row
    return BarChart(bars, len(ranked) - len(bars), gap_y, unranked, y + 4)


@dataclass(frozen=True)
class LinePoint:
    x: float
    label: str  # 第37周, or "" where labels are thinned out
    values: tuple[float | None, ...]
    ys: tuple[float, ...]
    titles: tuple[str, ...]


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    points: str  # the polyline's points


@dataclass(frozen=True)
class LineChart:
    """Weekly rates (0–100 %) as lines, one point per week, oldest on the left."""

    points: list[LinePoint]
    series: list[Series]
    grid: list[tuple[float, str]]  # (y, "50%")
    width: float = WIDTH
    height: float = 190
    left: float = 44
    right: float = 388
    top: float = 12
    bottom: float = 142  # the y of 0 %

    def y_of(self, value: float | None) -> float:
        return round(self.bottom - (value or 0) * (self.bottom - self.top), 1)


RATE_SERIES = (("上报率", "#1f77b4", "reporting_rate"), ("按时率", "#2ca02c", "on_time_rate"))
MAX_LABELS = 8


def rate_lines(rows: Sequence) -> LineChart:
    """Reporting and on-time rates of weekly `rows` (rates.Rates keyed by the week's Monday)."""
    chart = LineChart([], [], [])
    n = len(rows)
    step = (chart.right - chart.left - 16) / (n - 1) if n > 1 else 0
    every = max(1, math.ceil(n / MAX_LABELS))
    points = []
    for i, row in enumerate(rows):
        x = round(chart.left + 8 + i * step if n > 1 else (chart.left + chart.right) / 2, 1)
        values = tuple(getattr(row, attr) for _, _, attr in RATE_SERIES)
        week = periods.week_short(row.key)
        label = week if (n - 1 - i) % every == 0 else ""  # the latest week is always labelled
        titles = tuple(
            f"{periods.week_label(row.key)} {name} {percent(v)}"
            for (name, _, _), v in zip(RATE_SERIES, values, strict=True)
        )
        points.append(LinePoint(x, label, values, tuple(chart.y_of(v) for v in values), titles))
    series = [
        Series(name, colour, " ".join(f"{p.x},{p.ys[k]}" for p in points))
        for k, (name, colour, _) in enumerate(RATE_SERIES)
    ]
    grid = [(chart.y_of(p / 100), f"{p}%") for p in (0, 50, 100)]
    return LineChart(points, series, grid)
