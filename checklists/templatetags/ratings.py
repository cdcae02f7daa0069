"""A rating as pages and reports print it: its colour, its percent and its words, so that
colour is never the only carrier of meaning. A tag, not an included template: the
portfolio prints hundreds of them."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def rating(score) -> str:
    """A score as a coloured label: "63% Needs work", or "Not rated yet"."""
    if not score:
        return format_html(
            '<span class="rating rating-not_rated"><span class="rating-label">{}</span></span>',
            _("Not rated yet"),
        )
    return format_html(
        '<span class="rating rating-{}">{}<span class="rating-label">{}</span></span>',
        score.rating,
        _percent(score, '<span class="rating-percent">{}%</span> '),
        score.rating_label,
    )


@register.simple_tag
def rating_cell(score) -> str:
    """A score as a table cell of its colour, with its percent and word (the PDF's tables)."""
    if not score:
        return format_html('<td class="rating-not_rated">{}</td>', _("Not rated"))
    return format_html(
        '<td class="rating-{}">{}{}</td>',
        score.rating,
        _percent(score, "{}% "),
        score.rating_word,
    )


def _percent(score, form: str) -> str:
    return format_html(form, score.percent) if score.percent is not None else ""
