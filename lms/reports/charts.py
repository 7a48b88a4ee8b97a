"""Chart geometry for the PDF: a tile map of the 47 prefectures and bar charts, as plain values for SVG."""

import math
from functools import lru_cache

from lms.reports.types import Chart

# (column, row) of each prefecture on a 13 x 10 grid, roughly where it lies; Okinawa sits apart.
TILE_GRID: dict[str, tuple[int, int]] = {
    "01": (12, 0), "02": (12, 1), "03": (12, 2), "04": (12, 3), "05": (11, 2), "06": (11, 3),
    "07": (11, 4), "08": (12, 5), "09": (11, 5), "10": (10, 5), "11": (10, 6), "12": (12, 6),
    "13": (11, 6), "14": (10, 7), "15": (10, 4), "16": (9, 4), "17": (8, 4), "18": (7, 5),
    "19": (9, 6), "20": (9, 5), "21": (8, 5), "22": (9, 7), "23": (8, 6), "24": (7, 7),
    "25": (7, 6), "26": (6, 5), "27": (5, 6), "28": (5, 5), "29": (6, 6), "30": (6, 7),
    "31": (4, 5), "32": (3, 5), "33": (4, 6), "34": (3, 6), "35": (2, 6), "36": (4, 8),
    "37": (4, 7), "38": (3, 7), "39": (3, 8), "40": (1, 6), "41": (0, 6), "42": (0, 7),
    "43": (1, 7), "44": (2, 7), "45": (2, 8), "46": (1, 8), "47": (0, 9),
}
# A sequential blue scale (light to dark) and the colour of zero.
SCALE = ("#dbe9f6", "#9ecae1", "#4292c6", "#08519c")
ZERO = "#f0f0f0"
SERIES_COLOURS = ("#4292c6", "#f28e2b", "#59a14f")
TILE, GAP = 44, 4


@lru_cache(maxsize=1)
def _short_names() -> dict[str, str]:
    from lms.reference.data import prefecture_rows

    return {row["code"]: row["name_ja"] if row["name_ja"] == "北海道" else row["name_ja"][:-1]
            for row in prefecture_rows()}


def nice_step(maximum: float, steps: int) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) so that `steps` steps cover `maximum`."""
    if maximum <= 0:
        return 1
    raw = maximum / steps
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            step = factor * power
            return int(step) if step >= 1 and float(step).is_integer() else step
    return 10 * power


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def tile_map(chart: Chart) -> dict:
    """Tiles coloured by value in four classes of equal width (zero apart), with a legend."""
    values = chart.values
    top = max(values.values(), default=0)
    step = nice_step(top, len(SCALE))
    classes = []
    for index, colour in enumerate(SCALE):
        low, high = step * index, step * (index + 1)
        if float(step).is_integer() and all(float(v).is_integer() for v in values.values()):
            label = f"{_fmt(low + 1)}〜{_fmt(high)}"
        else:
            label = f"{_fmt(low)}超〜{_fmt(high)}" if index else f"0超〜{_fmt(high)}"
        classes.append({"fill": colour, "label": label, "high": high})
    tiles = []
    for code, (column, row) in TILE_GRID.items():
        value = values.get(code, 0) or 0
        index = min(len(SCALE) - 1, max(0, math.ceil(value / step) - 1)) if value > 0 else None
        fill = ZERO if index is None else SCALE[index]
        tiles.append({
            "code": code, "x": column * (TILE + GAP), "y": row * (TILE + GAP), "size": TILE, "fill": fill,
            "ink": "#ffffff" if index is not None and index >= 2 else "#1b1b1b",
            "name": _short_names()[code], "value": _fmt(value),
        })
    legend = [{"fill": ZERO, "label": "0", "x": 0, "y": 0}]
    legend += [{"fill": c["fill"], "label": c["label"], "x": 0, "y": (i + 1) * 22} for i, c in enumerate(classes)]
    return {"kind": "tile_map", "title": chart.title_ja, "unit": chart.unit_ja, "tiles": tiles,
            "legend": legend, "width": 13 * (TILE + GAP), "height": 10 * (TILE + GAP)}


def bar_chart(chart: Chart) -> dict:
    """Horizontal bars for a few long labels, vertical columns for many short ones (months)."""
    top = max((v for _, values in chart.series for v in values), default=0)
    step = nice_step(top, 5)
    axis_max = step * max(1, math.ceil(top / step)) if top else step * 4
    series = [{"name": name, "fill": SERIES_COLOURS[i % len(SERIES_COLOURS)]}
              for i, (name, _) in enumerate(chart.series)]
    ticks = [step * i for i in range(int(round(axis_max / step)) + 1)]
    if len(chart.labels) > 6:
        return _columns(chart, series, ticks, axis_max)
    return _bars(chart, series, ticks, axis_max)


def _bars(chart: Chart, series: list[dict], ticks: list[float], axis_max: float) -> dict:
    label_width, plot_width, bar, group_gap = 190, 330, 22, 16
    group = bar * max(1, len(chart.series)) + group_gap
    height = max(1, len(chart.labels)) * group + 28
    bars, labels = [], []
    for i, label in enumerate(chart.labels):
        y0 = i * group + group_gap / 2
        labels.append({"x": label_width - 8, "y": y0 + (group - group_gap) / 2 + 5, "text": label, "anchor": "end"})
        for j, (_, values) in enumerate(chart.series):
            length = plot_width * (values[i] / axis_max) if axis_max else 0
            bars.append({"x": label_width, "y": y0 + j * bar, "w": length, "h": bar - 4,
                         "fill": series[j]["fill"], "value": _fmt(values[i]),
                         "value_x": label_width + length + 4, "value_y": y0 + j * bar + bar - 8})
    plot_bottom = height - 28
    grid = [{"x1": label_width + plot_width * t / axis_max, "y1": 0, "x2": label_width + plot_width * t / axis_max,
             "y2": plot_bottom, "label": _fmt(t), "label_x": label_width + plot_width * t / axis_max,
             "label_y": plot_bottom + 16} for t in ticks]
    return {"kind": "bar", "orientation": "horizontal", "title": chart.title_ja, "unit": chart.unit_ja,
            "width": label_width + plot_width + 50, "height": height, "bars": bars, "labels": labels,
            "grid": grid, "series": series}


def _columns(chart: Chart, series: list[dict], ticks: list[float], axis_max: float) -> dict:
    left, top, plot_height, plot_width = 44, 14, 190, 560
    slot = plot_width / len(chart.labels)
    bar = min(30, (slot - 8) / max(1, len(chart.series)))
    bars, labels = [], []
    bottom = top + plot_height
    for i, label in enumerate(chart.labels):
        x0 = left + i * slot + (slot - bar * len(chart.series)) / 2
        labels.append({"x": left + i * slot + slot / 2, "y": bottom + 18, "text": label, "anchor": "middle"})
        for j, (_, values) in enumerate(chart.series):
            length = plot_height * (values[i] / axis_max) if axis_max else 0
            bars.append({"x": x0 + j * bar, "y": bottom - length, "w": bar - 2, "h": length,
                         "fill": series[j]["fill"], "value": _fmt(values[i]),
                         "value_x": x0 + j * bar + bar / 2 - 1, "value_y": bottom - length - 4})
    grid = [{"x1": left, "y1": bottom - plot_height * t / axis_max, "x2": left + plot_width,
             "y2": bottom - plot_height * t / axis_max, "label": _fmt(t), "label_x": left - 6,
             "label_y": bottom - plot_height * t / axis_max + 4} for t in ticks]
    return {"kind": "bar", "orientation": "vertical", "title": chart.title_ja, "unit": chart.unit_ja,
            "width": left + plot_width + 10, "height": bottom + 26, "bars": bars, "labels": labels,
            "grid": grid, "series": series}


def chart_context(chart: Chart | None) -> dict | None:
    if chart is None:
        return None
    return tile_map(chart) if chart.kind == "tile_map" else bar_chart(chart)
