"""Turning a report template into PDF bytes with WeasyPrint (the only module that imports it)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _


def css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_counter_css() -> str:
    """CSS ``content`` for "Page X of Y" in the current language."""
    template = _("Page %(page)s of %(pages)s")
    marker_page, marker_pages = "\x00PAGE\x00", "\x00PAGES\x00"
    text = template % {"page": marker_page, "pages": marker_pages}
    parts = []
    for chunk in text.split(marker_page):
        pieces = chunk.split(marker_pages)
        for index, piece in enumerate(pieces):
            if piece:
                parts.append(css_string(piece))
            if index < len(pieces) - 1:
                parts.append("counter(pages)")
        parts.append("counter(page)")
    parts.pop()  # the split adds one counter(page) too many
    return " ".join(parts)


def render_pdf(template: str, context: dict, *, language: str) -> bytes:
    """Render ``template`` in ``language`` and return a tagged PDF (PDF/UA variant)."""
    from weasyprint import HTML  # imported here: pages that never make PDFs do not load it

    with translation.override(language):
        html = render_to_string(template, {**context, "page_counter": page_counter_css()})
    document = HTML(string=html, base_url=str(settings.BASE_DIR))
    return document.write_pdf(pdf_variant="pdf/ua-1")
