"""Charts drawn once, on the server, as SVG markup: the same strings go into pages and into PDFs.

Written by hand rather than with a plotting library: two simple chart types are a few dozen
lines, weigh a few kilobytes on a slow link, need no JavaScript (CSP forbids inline script) and
render the same in a browser and in WeasyPrint. Styling is done with SVG presentation attributes
(fill=, stroke=), which the CSP allows, not with style="".

Every function here is pure: data in, markup string out, no request and no database. Every piece
of text that reaches the markup is escaped, so a party or place name cannot inject markup. The
caller marks the result safe at the template boundary. Text (titles, legends) arrives already
translated; these functions add no words of their own.

Accessibility: each chart is role="img" with an aria-label, a <title> and a <desc> that says what
it shows. Pages should still give the figures in a table: a chart is a summary, not the data.
"""

import hashlib
import math

from django.utils import formats
from django.utils.html import escape

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
INK = "#1b1f24"
MUTED = "#5a6470"
GRID = "#d5dae0"
# Blue and dark orange stay apart for the common colour-vision deficiencies; the second series is
# also dashed, so the chart reads in black and white (a printed PDF).
COLOURS = ("#0b5cad", "#b35900", "#1d6b35", "#6a3d9a")
DASHES = (None, "6 4", "2 3", "8 3 2 3")


def _fmt(value):
    """A figure on an axis or a bar in the active language's digits (1,234 / 1 234 / 2,5)."""
    if float(value).is_integer():
        return formats.number_format(int(value), use_l10n=True, force_grouping=True)
    return formats.number_format(value, 1, use_l10n=True, force_grouping=True)


def nice_ceiling(value):
    """The top of the value axis: the smallest 1, 2, 4, 6 or 8 times a power of ten at or above
    `value`, and at least 4, so that the four grid steps fall on whole numbers."""
    if value <= 4:
        return 4
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 4, 6, 8, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def _chart_id(*parts):
    # Derived from the content so that the function stays pure and two charts on a page differ.
    return "chart-" + hashlib.sha256(repr(parts).encode()).hexdigest()[:10]


def _open_svg(chart_id, width, height, title, description):
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" role="img" aria-label="{escape(title)}" '
        f'aria-describedby="{chart_id}-desc" font-family="{escape(FONT)}" font-size="12" fill="{INK}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def month_chart(months, series, *, title, description, kind="line", width=520, height=260):
    """A chart of one or more monthly series.

    months: the x-axis tick labels, one per month, oldest first (for example "2026-01").
    series: [(name, [value per month]), ...]; each list as long as `months`.
    kind: "line" (one line per series, values marked) or "bar" (bars side by side per month).
    Values are written on the chart while there are at most 24 months; beyond that they would
    overlap, and the table beside the chart carries them.
    """
    if kind not in ("line", "bar"):
        raise ValueError(f"unknown chart kind {kind!r}")
    months = [str(m) for m in months]
    for _name, values in series:
        if len(values) != len(months):
            raise ValueError("every series needs one value per month")
    chart_id = _chart_id("month", kind, title, description, months, [(n, list(v)) for n, v in series])
    left, right, top, bottom = 44, 12, 34, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = nice_ceiling(max([v for _n, values in series for v in values] or [0]))
    n = max(len(months), 1)
    slot = plot_w / n

    def y(value):
        return top + plot_h - plot_h * value / top_value

    out = _open_svg(chart_id, width, height, title, description)
    # Legend, above the plot.
    x_legend = left
    for index, (name, _values) in enumerate(series):
        colour, dash = COLOURS[index % len(COLOURS)], DASHES[index % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash and kind == "line" else ""
        if kind == "line":
            out.append(f'<line x1="{x_legend}" y1="14" x2="{x_legend + 22}" y2="14" stroke="{colour}" '
                       f'stroke-width="2.5"{dash_attr}/>')
        else:
            out.append(f'<rect x="{x_legend + 6}" y="8" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x_legend + 28}" y="18">{escape(name)}</text>')
        x_legend += 40 + 7 * len(str(name))
    # Horizontal grid and y-axis values.
    for step in range(5):
        value = top_value * step / 4
        out.append(f'<line x1="{left}" y1="{y(value):.1f}" x2="{width - right}" y2="{y(value):.1f}" '
                   f'stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" fill="{MUTED}">'
                   f'{_fmt(value)}</text>')
    # Month ticks: every month up to 24, else every k-th; slanted when they would not fit side by side.
    every = math.ceil(n / 24)
    slanted = slot * every < 6.5 * max([len(m) for m in months] or [0]) + 6
    for index, month in enumerate(months):
        if index % every == 0 or index == n - 1:
            x, y_tick = left + slot * (index + 0.5), top + plot_h + 14
            turn = f' transform="rotate(-40 {x:.1f} {y_tick})"' if slanted else ""
            anchor = "end" if slanted else "middle"
            out.append(f'<text x="{x:.1f}" y="{y_tick}" text-anchor="{anchor}" fill="{MUTED}" font-size="12"'
                       f'{turn}>{escape(month)}</text>')
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
               f'stroke="{MUTED}" stroke-width="1"/>')
    show_values = n <= 24
    if kind == "bar":
        group = slot * 0.8
        bar_w = group / max(len(series), 1)
        for s_index, (name, values) in enumerate(series):
            colour = COLOURS[s_index % len(COLOURS)]
            for index, value in enumerate(values):
                x = left + slot * index + slot * 0.1 + bar_w * s_index
                out.append(f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{bar_w:.1f}" '
                           f'height="{top + plot_h - y(value):.1f}" fill="{colour}">'
                           f'<title>{escape(months[index])}: {escape(name)} {_fmt(value)}</title></rect>')
                if show_values:
                    out.append(f'<text x="{x + bar_w / 2:.1f}" y="{y(value) - 3:.1f}" text-anchor="middle" '
                               f'font-size="12">{_fmt(value)}</text>')
    else:
        for s_index, (name, values) in enumerate(series):
            colour, dash = COLOURS[s_index % len(COLOURS)], DASHES[s_index % len(DASHES)]
            points = " ".join(f"{left + slot * (i + 0.5):.1f},{y(v):.1f}" for i, v in enumerate(values))
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"'
                       f'{dash_attr}/>')
            # Values of the first series above the points, of the others below, so they do not collide.
            offset = -7 if s_index == 0 else 15
            for index, value in enumerate(values):
                x = left + slot * (index + 0.5)
                out.append(f'<circle cx="{x:.1f}" cy="{y(value):.1f}" r="3" fill="{colour}">'
                           f'<title>{escape(months[index])}: {escape(name)} {_fmt(value)}</title></circle>')
                if show_values:
                    out.append(f'<text x="{x:.1f}" y="{y(value) + offset:.1f}" text-anchor="middle" '
                               f'font-size="12" fill="{colour}">{_fmt(value)}</text>')
    out.append("</svg>")
    return "\n".join(out)


LABEL_CHARS = 60


def _short(label):
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1].rstrip() + "\u2026"


def bar_chart(rows, *, title, description, width=420, colour=COLOURS[0]):
    """A horizontal bar chart of a breakdown: rows [(label, value), ...], drawn in the order given.

    Each label sits on its own line above its bar, so long names (forms of CRSV, parties) fit a
    narrow chart that stays readable when a phone scales it down; a label longer than LABEL_CHARS
    is shortened on the chart (whole in the bar's tooltip and in the table beside it).
    """
    rows = [(str(label), value) for label, value in rows]
    chart_id = _chart_id("bar", title, description, rows)
    row_h, bar_h, left, right, top = 38, 14, 4, 48, 8
    height = top + row_h * max(len(rows), 1) + 4
    top_value = max([v for _l, v in rows] or [0]) or 1
    plot_w = width - left - right
    out = _open_svg(chart_id, width, height, title, description)
    for index, (label, value) in enumerate(rows):
        y = top + row_h * index
        bar_w = plot_w * value / top_value
        out.append(f'<text x="{left}" y="{y + 12}">{escape(_short(label))}</text>')
        out.append(f'<rect x="{left}" y="{y + 17}" width="{plot_w:.1f}" height="{bar_h}" fill="#eef1f4"/>')
        out.append(f'<rect x="{left}" y="{y + 17}" width="{bar_w:.1f}" height="{bar_h}" fill="{colour}">'
                   f'<title>{escape(label)}: {_fmt(value)}</title></rect>')
        out.append(f'<text x="{left + plot_w + 6}" y="{y + 28}" font-weight="600">{_fmt(value)}</text>')
    out.append("</svg>")
    return "\n".join(out)
