"""SVG charts drawn by the app itself: the same markup goes in the browser and in the PDF.

Charts repeat what a table next to them says; values are written on the bars so colour is
never the only carrier of meaning.
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Distinguishable for common colour-vision deficiencies (Okabe-Ito based), dark enough
# for white text.
SERIES_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00"]


@dataclass
class _Frame:
    """Where the parts of a chart go, in SVG units."""

    width: int
    height: int
    max_value: int
    unit: str
    left: int = 40
    right: int = 10
    top: int = 16
    # Right to left (Arabic): the value axis on the right, groups and legend from the right.
    rtl: bool = False

    def x(self, value: float, width: float = 0) -> float:
        """Where something drawn from ``value`` (and ``width`` wide) goes, in reading order."""
        return self.width - value - width if self.rtl else value

    def anchor(self, anchor: str) -> str:
        """A text anchor at the same side of its point, once mirrored."""
        if not self.rtl:
            return anchor
        return {"start": "end", "end": "start"}.get(anchor, anchor)

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> float:
        return self.height - self.top - 40

    @property
    def bottom(self) -> float:
        return self.top + self.plot_height

    def y(self, value: float) -> float:
        return self.bottom - self.plot_height * min(value, self.max_value) / self.max_value


def _grid(frame: _Frame) -> list[str]:
    parts = []
    for tick in range(0, frame.max_value + 1, max(frame.max_value // 4, 1)):
        y = frame.y(tick)
        parts.append(
            f'<line x1="{frame.x(frame.left)}" y1="{y:.1f}" '
            f'x2="{frame.x(frame.width - frame.right)}" y2="{y:.1f}" '
            f'stroke="#ced4da" stroke-width="1"/>'
            f'<text x="{frame.x(frame.left - 4)}" y="{y + 4:.1f}" font-size="10" '
            f'text-anchor="{frame.anchor("end")}" direction="ltr" '
            f'fill="#343a40">{tick}{escape(frame.unit)}</text>'
        )
    return parts


def _bars(frame: _Frame, groups, series_count: int) -> list[str]:
    parts = []
    group_width = frame.plot_width / max(len(groups), 1)
    bar_width = max(min(group_width * 0.8 / max(series_count, 1), 40), 4)
    for group_index, (label, values) in enumerate(groups):
        group_x = frame.left + group_index * group_width
        start = group_x + (group_width - bar_width * series_count) / 2
        for series_index, value in enumerate(values):
            x = start + series_index * bar_width
            if value is None:
                parts.append(
                    f'<text x="{frame.x(x + bar_width / 2):.1f}" y="{frame.bottom - 4:.1f}" '
                    f'font-size="9" text-anchor="middle" fill="#343a40">–</text>'
                )
                continue
            y = frame.y(value)
            colour = SERIES_COLOURS[series_index % len(SERIES_COLOURS)]
            parts.append(
                f'<rect x="{frame.x(x, bar_width - 2):.1f}" y="{y:.1f}" '
                f'width="{bar_width - 2:.1f}" height="{frame.bottom - y:.1f}" fill="{colour}"/>'
                f'<text x="{frame.x(x + (bar_width - 2) / 2):.1f}" y="{y - 3:.1f}" font-size="9" '
                f'text-anchor="middle" fill="#212529">{value}</text>'
            )
        parts.append(
            f'<text x="{frame.x(group_x + group_width / 2):.1f}" y="{frame.bottom + 14}" '
            f'font-size="10" text-anchor="middle" fill="#212529">{escape(_shorten(label))}</text>'
        )
    return parts


def _legend(frame: _Frame, series: list[str], top: float) -> list[str]:
    parts = []
    for index, name in enumerate(series):
        column, row = index % 2, index // 2
        x = frame.left + column * (frame.plot_width / 2)
        y = top + row * 18
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        parts.append(
            f'<rect x="{frame.x(x, 12):.1f}" y="{y - 10:.1f}" width="12" height="12" '
            f'fill="{colour}"/>'
            f'<text x="{frame.x(x + 16):.1f}" y="{y:.1f}" font-size="10" '
            f'text-anchor="{frame.anchor("start")}" fill="#212529">'
            f"{escape(_shorten(name, 60))}</text>"
        )
    return parts


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
    frame = _Frame(
        width=width,
        height=height,
        max_value=max_value,
        unit=unit,
        rtl=translation.get_language_bidi(),
    )
    legend_top = frame.bottom + 36
    total_height = legend_top + 18 * ((len(series) + 1) // 2) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {total_height}" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
        *_grid(frame),
        *_bars(frame, groups, len(series)),
        *_legend(frame, series, legend_top),
        "</svg>",
    ]
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
