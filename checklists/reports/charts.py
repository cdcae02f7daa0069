"""SVG charts drawn by the app itself: the same markup goes in the browser and in the PDF.

Charts repeat what a table next to them says; values are written on the bars so colour is
never the only carrier of meaning.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Distinguishable for common colour-vision deficiencies (Okabe-Ito based), dark enough
# for white text.
SERIES_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00"]


def bar_chart(
    groups: list[tuple[str, list[int | None]]],
    series: list[str],
    *,
    title: str,
    description: str,
    max_value: int = 100,
    unit: str = "%",
    width: int = 680,
    height: int = 280,
) -> SafeString:
    """Grouped vertical bars: one group per label, one bar per series; None draws no bar.

    ``groups`` is [(group label, [value per series])].
    """
    margin_left, margin_right, margin_top = 40, 10, 16
    plot_width = width - margin_left - margin_right
    plot_height = height - margin_top - 40
    legend_top = margin_top + plot_height + 36
    total_height = legend_top + 18 * ((len(series) + 1) // 2) + 4
    group_count = max(len(groups), 1)
    group_width = plot_width / group_count
    bar_width = max(min(group_width * 0.8 / max(len(series), 1), 40), 4)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {total_height}" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
    ]
    for tick in range(0, max_value + 1, max(max_value // 4, 1)):
        y = margin_top + plot_height - plot_height * tick / max_value
        parts.append(
            f'<line x1="{margin_left}" y1="{y:.1f}" x2="{width - margin_right}" y2="{y:.1f}" '
            f'stroke="#ced4da" stroke-width="1"/>'
            f'<text x="{margin_left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="#343a40">{tick}{escape(unit)}</text>'
        )
    for group_index, (label, values) in enumerate(groups):
        group_x = margin_left + group_index * group_width
        start = group_x + (group_width - bar_width * len(series)) / 2
        for series_index, value in enumerate(values):
            x = start + series_index * bar_width
            if value is None:
                parts.append(
                    f'<text x="{x + bar_width / 2:.1f}" y="{margin_top + plot_height - 4:.1f}" '
                    f'font-size="9" text-anchor="middle" fill="#343a40">–</text>'
                )
                continue
            bar_height = plot_height * min(value, max_value) / max_value
            y = margin_top + plot_height - bar_height
            colour = SERIES_COLOURS[series_index % len(SERIES_COLOURS)]
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_width - 2:.1f}" '
                f'height="{bar_height:.1f}" fill="{colour}"/>'
                f'<text x="{x + (bar_width - 2) / 2:.1f}" y="{y - 3:.1f}" font-size="9" '
                f'text-anchor="middle" fill="#212529">{value}</text>'
            )
        parts.append(
            f'<text x="{group_x + group_width / 2:.1f}" y="{margin_top + plot_height + 14}" '
            f'font-size="10" text-anchor="middle" fill="#212529">{escape(_shorten(label))}</text>'
        )
    for index, name in enumerate(series):
        column, row = index % 2, index // 2
        x = margin_left + column * (plot_width / 2)
        y = legend_top + row * 18
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        parts.append(
            f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16:.1f}" y="{y:.1f}" font-size="10" fill="#212529">'
            f"{escape(_shorten(name, 60))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def checklist_chart(rows: list[dict], principles) -> SafeString:
    """Each checklist's score per principle: the chart of the project page and its report.

    ``rows`` are {"checklist": ..., "principle_scores": [Score or None per principle]}.
    """
    return bar_chart(
        [
            (row["checklist"].label, [s.percent if s else None for s in row["principle_scores"]])
            for row in rows
        ],
        [p.name for p in principles],
        title=_("Score per principle for each checklist"),
        description=_(
            "Bars show each principle's score in percent; the table gives the same figures."
        ),
    )


def _shorten(text: str, length: int = 28) -> str:
    text = str(text)
    return text if len(text) <= length else text[: length - 1] + "…"
