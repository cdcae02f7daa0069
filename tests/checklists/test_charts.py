from django.utils import translation

from checklists.reports.charts import bar_chart
from checklists.reports.pdf import css_string, page_counter_css


def test_bar_chart_writes_values_and_escapes_labels():
    svg = bar_chart(
        [("<script>x</script>", [80, None]), ("Endorsement", [50, 100])],
        ["Safety", "Access & more"],
        title='Scores "per" principle',
        description="Same figures as the table.",
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "Access &amp; more" in svg
    assert 'aria-label="Scores &quot;per&quot; principle"' in svg
    assert svg.count("<rect") == 3 + 2  # three bars (one value missing) and two legend keys
    assert ">80</text>" in svg and ">100</text>" in svg


def test_page_counter_in_each_language():
    with translation.override("en"):
        assert page_counter_css() == '"Page " counter(page) " of " counter(pages)'
    with translation.override("fr"):
        assert page_counter_css() == '"Page " counter(page) " sur " counter(pages)'
    assert css_string('a "quoted" \\ text') == '"a \\"quoted\\" \\\\ text"'
