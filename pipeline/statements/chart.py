"""The daily availability chart (R21) as inline SVG, built in Python from the view-model's days.

One stacked bar per UTC day: the minutes that were not plainly up, by state. Days (or parts of days)
outside the enterprise contract(s) are shaded. The scale is linear from 0 to a round maximum; a
non-zero segment is drawn at least `MIN_SEGMENT` high so a single minute stays visible, and each
bar carries its exact minute count. Autoescape does not reach SVG we hand over as markup, so every
piece of text goes through `escape` here (today it is only numbers and fixed labels).
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from pipeline.statements.viewmodel import STATE_LABELS, Day, HistoryMonth

WIDTH, HEIGHT = 640, 210
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 14, 62
MIN_SEGMENT = 1.5
STACK_ORDER = ("unavailable", "upstream", "customer_caused", "maintenance", "no_data")
COLOURS = {
    "unavailable": "#c0392b",
    "upstream": "#7d3c98",
    "customer_caused": "#d68910",
    "maintenance": "#2e86c1",
    "no_data": "#95a5a6",
}
FONT = "Statement Sans"


def _nice_ceiling(value: int) -> int:
    if value <= 10:
        return 10
    magnitude = 10 ** (len(str(value)) - 1)
    for factor in (1, 2, 5, 10):
        if value <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, text: str, *, size: float = 7, anchor: str = "middle", fill: str = "#333") -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-family="{FONT}" font-size="{_num(size)}" '
        f'text-anchor="{anchor}" fill="{fill}">{escape(text)}</text>'
    )


def daily_chart_svg(days: Sequence[Day]) -> Markup:
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    base_y = TOP + plot_h
    slot = plot_w / max(1, len(days))
    bar_w = slot * 0.7
    peak = max((d.down_minutes for d in days), default=0)
    top_value = _nice_ceiling(peak + max(1, peak // 8))  # headroom for the bar labels
    scale = plot_h / top_value
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'class="daily-chart" role="img">'
    ]
    # Pattern-free shading for uncovered time keeps the SVG simple and prints well in grey.
    for index, day in enumerate(days):
        full = 24 * 60
        if day.covered_minutes < full:
            x = LEFT + index * slot
            parts.append(f'<rect x="{_num(x)}" y="{TOP}" width="{_num(slot)}" height="{_num(plot_h)}" fill="#ececec"/>')
    for fraction in (0, 0.5, 1):
        y = base_y - plot_h * fraction
        value = int(top_value * fraction)
        parts.append(
            f'<line x1="{LEFT}" y1="{_num(y)}" x2="{WIDTH - RIGHT}" y2="{_num(y)}" '
            f'stroke="{"#555" if fraction == 0 else "#ccc"}" stroke-width="{0.8 if fraction == 0 else 0.5}"/>'
        )
        parts.append(_text(LEFT - 4, y + 2.5, f"{value:,}", anchor="end"))
    parts.append(
        _text(12, TOP + plot_h / 2, "minutes", anchor="middle", size=7).replace(
            "<text ", f'<text transform="rotate(-90 12 {_num(TOP + plot_h / 2)})" ', 1
        )
    )
    for index, day in enumerate(days):
        x = LEFT + index * slot + (slot - bar_w) / 2
        y = base_y
        for state in STACK_ORDER:
            minutes = day.state_minutes.get(state, 0)
            if not minutes:
                continue
            height = max(MIN_SEGMENT, minutes * scale)
            y -= height
            parts.append(
                f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(bar_w)}" height="{_num(height)}" '
                f'fill="{COLOURS[state]}"/>'
            )
        if day.down_minutes:
            parts.append(_text(x + bar_w / 2, y - 2, f"{day.down_minutes:,}", size=5.5))
        parts.append(_text(LEFT + index * slot + slot / 2, base_y + 9, str(day.day.day), size=6.5))
    if peak == 0:
        parts.append(_text(LEFT + plot_w / 2, TOP + plot_h / 2, "Every covered minute was up.", size=9, fill="#555"))
    # Legend, two rows under the day numbers.
    legend = [(COLOURS[s], STATE_LABELS[s]) for s in STACK_ORDER] + [
        ("#ececec", "Not covered by an enterprise contract")
    ]
    lx, ly = LEFT, base_y + 24
    for colour, label in legend:
        width = 14 + len(label) * 4.1
        if lx + width > WIDTH - RIGHT:
            lx, ly = LEFT, ly + 13
        parts.append(
            f'<rect x="{_num(lx)}" y="{_num(ly - 6.5)}" width="8" height="8" fill="{colour}" '
            'stroke="#999" stroke-width="0.3"/>'
        )
        parts.append(_text(lx + 11, ly, label, anchor="start", size=7))
        lx += width + 10
    parts.append("</svg>")
    return Markup("".join(parts))


__all__ = ["daily_chart_svg"]


HISTORY_WIDTH, HISTORY_HEIGHT = 640, 130
HISTORY_LEFT, HISTORY_BOTTOM, HISTORY_TOP = 44, 24, 10


def history_chart_svg(history: Sequence[HistoryMonth]) -> Markup:
    """Uptime of the last 12 months as bars against the target line (issue 13). Scale: from the lowest
    computed uptime (or the target, if lower) rounded down to 0.1 point, up to 100 %. A month never
    computed shows 'missing', one before the contract 'no contract': never a bar."""
    plot_w = HISTORY_WIDTH - HISTORY_LEFT - RIGHT
    plot_h = HISTORY_HEIGHT - HISTORY_TOP - HISTORY_BOTTOM
    base_y = HISTORY_TOP + plot_h
    values = [float(h.uptime) for h in history if h.uptime is not None]
    targets = [float(h.target) for h in history if h.target is not None]
    floor = min(values + targets, default=0.999)
    floor = max(0.0, int(floor * 1000 - 1e-9) / 1000 - 0.001)

    def y(value: float) -> float:
        return base_y - (value - floor) / (1 - floor) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{HISTORY_WIDTH}" height="{HISTORY_HEIGHT}" '
        f'viewBox="0 0 {HISTORY_WIDTH} {HISTORY_HEIGHT}" role="img" aria-label="Uptime of the last 12 months">',
        f'<line x1="{HISTORY_LEFT}" y1="{_num(base_y)}" x2="{HISTORY_WIDTH - RIGHT}" y2="{_num(base_y)}" stroke="#999" '
        'stroke-width="0.6"/>',
        _text(HISTORY_LEFT - 4, base_y + 2, f"{floor * 100:.1f} %", size=6.5, anchor="end"),
        _text(HISTORY_LEFT - 4, HISTORY_TOP + 2, "100 %", size=6.5, anchor="end"),
    ]
    slot = plot_w / max(1, len(history))
    for i, month in enumerate(history):
        x = HISTORY_LEFT + i * slot
        centre = x + slot / 2
        parts.append(_text(centre, base_y + 10, month.label, size=6.5))
        if month.uptime is None:
            note = "no contract" if month.state == "before_contract" else "missing"
            parts.append(_text(centre, base_y - 4, note, size=6, fill="#888"))
            continue
        value = float(month.uptime)
        below = month.target is not None and month.uptime < month.target
        top = y(value)
        parts.append(
            f'<rect x="{_num(x + slot * 0.15)}" y="{_num(top)}" width="{_num(slot * 0.7)}" '
            f'height="{_num(max(0.8, base_y - top))}" fill="{COLOURS["unavailable"] if below else "#2e86c1"}"/>'
        )
        if month.target is not None:
            ty = y(float(month.target))
            parts.append(
                f'<line x1="{_num(x + slot * 0.05)}" y1="{_num(ty)}" x2="{_num(x + slot * 0.95)}" y2="{_num(ty)}" '
                'stroke="#333" stroke-width="0.8" stroke-dasharray="2,1.5"/>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
