"""The pages work under the CSP (script-src 'self', style-src 'self', no 'unsafe-inline'): no template
holds an inline script, an event-handler attribute, a style attribute or block, or a javascript: link.
The quarterly report's PDF template is the one exception for <style>: WeasyPrint renders it into a
PDF on the server and no browser ever receives it (a test below holds that to be true)."""

import re
from pathlib import Path

from django.conf import settings

from crsv_mis.charts import bar_chart, month_chart

TEMPLATES = sorted((settings.BASE_DIR / "templates").rglob("*.html"))
PDF_ONLY = {Path("reporting/report_pdf.html")}
FORBIDDEN = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "event-handler attribute": re.compile(r"<[^>]+\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"<[^>]+\sstyle\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}
STYLE_BLOCK = re.compile(r"<style\b", re.I)


def relative(path):
    return path.relative_to(settings.BASE_DIR / "templates")


def test_it_reads_every_template():
    assert len(TEMPLATES) > 50


def test_no_template_holds_inline_script_handlers_style_attributes_or_javascript_links():
    found = [(str(relative(path)), what) for path in TEMPLATES for what, pattern in FORBIDDEN.items()
             if pattern.search(path.read_text())]
    assert found == []


def test_only_the_pdf_template_holds_a_style_block():
    found = {relative(path) for path in TEMPLATES if STYLE_BLOCK.search(path.read_text())}
    assert found <= PDF_ONLY


def test_the_pdf_template_is_rendered_by_the_pdf_code_alone():
    users = [path for path in settings.BASE_DIR.glob("*/**/*.py")
             if ".venv" not in path.parts and "tests" not in path.parts and "report_pdf.html" in path.read_text()]
    assert [str(p.relative_to(settings.BASE_DIR)) for p in users] == ["reporting/render.py"]


def test_the_charts_drawn_on_the_server_use_presentation_attributes_not_style():
    svg = bar_chart([("A", 3), ("B", 1)], title="t", description="d") + month_chart(
        ["2026-01", "2026-02"], [("Incidents", [1, 2])], title="t", description="d")
    assert "<svg" in svg
    assert not any(pattern.search(svg) for pattern in FORBIDDEN.values())
