"""
Charts for the dashboards and the quarterly report: SVG drawn on the server by pygal.

Why pygal: pure Python (no Node build, no system libraries), well kept, and its output
is a single SVG that the page inlines and Typst embeds in the PDF as it is. Its own
JavaScript (tooltips) is left out — the CSP forbids inline scripts and a phone should
not download more than the page — so the inline ``<script>`` pygal still writes is
removed: a chart is a picture plus the numbers beside it.

Every chart is drawn in a 360-wide viewBox: the page stretches it to the column (a
360 px phone shows it 1:1, a desktop up to the CSS max width), so the labels are
never smaller than on the phone. Text is in the CJK sans family (Noto Sans CJK SC,
the font the PDF uses too) with the usual fallbacks of Chinese systems.

A ``Chart`` carries its ``svg`` (safe to inline: pygal escapes every label) and the
``rows`` behind it, which the template prints as a visually hidden table for screen
readers (the SVG itself is ``aria-hidden``) and the workbook as a sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

FONT_FAMILY = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", '
    '"Microsoft YaHei", sans-serif'
)
# The product's red first, then colours told apart in grey print too.
COLORS = ("#c8161d", "#1f5fa8", "#d68a00", "#2e7d32", "#6a1b9a", "#00838f")
WIDTH = 360
LABEL_CHARS = 10  # a longer name is cut with … on the bars (the table has it whole)

STYLE = Style(
    font_family=FONT_FAMILY,
    background="transparent",
    plot_background="transparent",
    foreground="#222",
    foreground_strong="#111",
    foreground_subtle="#bbb",
    colors=COLORS,
    label_font_size=11,
    major_label_font_size=11,
    value_font_size=10,
    value_label_font_size=10,
    legend_font_size=11,
    title_font_size=13,
    tooltip_font_size=11,
)

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass
class Chart:
    """A drawn chart and the numbers it shows (``header`` names ``rows``' columns)."""

    title: str
    svg: SafeString
    header: list[str]
    rows: list[list] = field(default_factory=list)

    def __html__(self) -> str:
        return self.svg


def _config(**extra) -> dict:
    base = {
        "style": STYLE,
        "js": [],
        "width": WIDTH,
        "disable_xml_declaration": True,
        "explicit_size": False,
        "show_legend": False,
        "margin": 8,
        "spacing": 8,
        "print_values": True,
        "pretty_print": False,
    }
    base.update(extra)
    return base


def _svg(chart) -> SafeString:
    text = chart.render(is_unicode=True)
    text = _SCRIPT.sub("", text)
    text = _COMMENT.sub("", text)
    # The numbers are in the table beside it: the picture is not read out twice.
    text = text.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
    return mark_safe(text)  # noqa: S308 — pygal escapes every label and value it writes


def _fmt(value, suffix: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}{suffix}"
    return f"{int(value)}{suffix}"


def _horizontal(title, names, values, *, suffix, extra) -> SafeString:
    """Bars from the left, first name on top, full Chinese names beside them."""
    height = 60 + 26 * max(1, len(names))
    shown = [n if len(n) <= LABEL_CHARS else n[: LABEL_CHARS - 1] + "…" for n in names]
    # pygal sizes the label column for Latin letters; a Chinese character is a full em.
    widest = max((len(n) for n in shown), default=0)
    chart = pygal.HorizontalBar(
        **_config(
            height=height,
            truncate_label=-1,
            margin_left=8 + round(widest * STYLE.label_font_size * 0.5),
            value_formatter=lambda v: _fmt(v, suffix),
            **extra,
        )
    )
    chart.title = title
    # pygal draws the first value at the bottom: feed it bottom-up.
    chart.x_labels = list(reversed(shown))
    chart.add(title, list(reversed(values)))
    return _svg(chart)


def ranking_bar(
    title: str, names: list[str], values: list[float | None], *, suffix: str = "", header=None
) -> Chart:
    """A ranking: horizontal bars, the first name on top (it reads top-down)."""
    return Chart(
        title=title,
        svg=_horizontal(title, names, values, suffix=suffix, extra={"show_x_labels": False}),
        header=list(header or ["", title]),
        rows=[[n, _fmt(v, suffix)] for n, v in zip(names, values, strict=True)],
    )


def rate_bars(title: str, names: list[str], rates: list[float | None], *, header=None) -> Chart:
    """Rates (0–1) as bars on a 0–100 % scale (completion, compliance, participation);
    no value (nothing to measure) is no bar and "—" in the table."""
    percents = [None if r is None else round(r * 100, 1) for r in rates]
    extra = {"range": (0, 100), "xrange": (0, 100), "y_labels": [0, 50, 100]}
    return Chart(
        title=title,
        svg=_horizontal(title, names, percents, suffix="%", extra=extra),
        header=list(header or ["", title]),
        rows=[[n, _fmt(p, "%")] for n, p in zip(names, percents, strict=True)],
    )


def trend_lines(
    title: str, labels: list[str], series: dict[str, list[float | None]], *, suffix: str = ""
) -> Chart:
    """One line per series over the months in ``labels`` (shown as 1月…12月)."""
    chart = pygal.Line(
        **_config(
            height=280 + 20 * ((len(series) + 1) // 2),
            show_legend=len(series) > 1,
            legend_at_bottom=True,
            legend_at_bottom_columns=2,
            truncate_label=-1,
            truncate_legend=-1,
            print_values=False,
            x_label_rotation=0,
            show_minor_x_labels=False,
            x_labels_major_every=max(1, len(labels) // 6),
            value_formatter=lambda v: _fmt(v, suffix),
            dots_size=2.5,
            min_scale=4,
            max_scale=6,
            **({"range": (0, 100)} if suffix == "%" else {}),
        )
    )
    chart.title = title
    chart.x_labels = labels
    for name, values in series.items():
        chart.add(name, values)
    names = list(series)
    return Chart(
        title=title,
        svg=_svg(chart),
        header=["", *names],
        rows=[
            [label, *(_fmt(series[n][i], suffix) for n in names)] for i, label in enumerate(labels)
        ],
    )
