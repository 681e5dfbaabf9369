"""The statement's WeasyPrint document class (issue 12, htmldoc.StatementHTML): faster, same bytes.

StatementHTML swaps WeasyPrint's user-agent stylesheet for the subset a statement's elements can match
(reports/templates/statement-ua.css), through `HTML._ua_stylesheets`, a private hook. These tests pin
what the speed-up relies on: WeasyPrint still asks the hook for its UA sheet, every tag a statement
contains is one the subset covers, and each statement of the designed month (tricky and accented names,
a CJK name that needs the fallback font, a restatement, every empty section) renders to exactly the same
bytes with plain `weasyprint.HTML` and its full UA sheet. A WeasyPrint upgrade that changes its UA sheet
or stops calling the hook fails here, not silently in the statements.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
import tinyhtml5
from fixtures.statements import AS_OF, MONTH
from weasyprint import HTML

from pipeline.statements import htmldoc
from pipeline.statements.builder import build_views
from pipeline.statements.glyphs import needs_fallback_font
from pipeline.statements.htmldoc import UA_TAGS, StatementHTML
from pipeline.statements.render import Renderer, statement_html
from pipeline.statements.viewmodel import Restatement
from pipeline.warehouse import connection


@pytest.fixture(scope="module")
def views(statement_month):
    with connection(statement_month.warehouse, read_only=True) as con:
        designed = build_views(con, MONTH, AS_OF)
    first = designed[0]
    cjk = replace(first, customer_name="Kyoto AI 株式会社")
    restated = replace(
        first,
        restatement=Restatement(
            supersedes_statement_id="SLA-2025-03-acme-0000000000000000",
            supersedes_version=1,
            superseded_produced_at=datetime(2025, 4, 2, 9, 0, tzinfo=UTC),
            changes="credit 0.00 → 100.81 EUR",
        ),
    )
    return [*designed, cjk, restated]


def test_weasyprint_asks_the_document_class_for_its_ua_stylesheet(views, monkeypatch):
    calls = []
    original = StatementHTML._ua_stylesheets

    def spy(self, forms=False):
        sheets = original(self, forms)
        calls.append(sheets)
        return sheets

    monkeypatch.setattr(StatementHTML, "_ua_stylesheets", spy)
    Renderer().render_statement(views[0])
    assert calls == [[htmldoc.statement_ua_stylesheet()]]


def test_every_tag_of_a_statement_is_covered_by_the_trimmed_ua_sheet(views):
    for view in views:
        root = tinyhtml5.parse(statement_html(view), namespace_html_elements=False)
        html_tags = {element.tag for element in root.iter() if isinstance(element.tag, str) and "}" not in element.tag}
        assert html_tags <= UA_TAGS, f"add the UA rules of {sorted(html_tags - UA_TAGS)} to statement-ua.css"


def test_statements_render_to_the_same_bytes_as_with_the_full_ua_sheet(views):
    renderer = Renderer()
    assert any(needs_fallback_font(statement_html(view)) for view in views)
    for view in views:
        ours = renderer.render_statement(view)
        full = renderer.render_html(
            statement_html(view),
            dated=view.as_of,
            view=view,
            stylesheets=("statement.css", "statement-fallback.css") if needs_fallback_font(statement_html(view))
            else ("statement.css",),
            document_class=HTML,
            attachments=_attachments(view),
        )
        assert ours.pdf == full.pdf, view.customer_id


def _attachments(view):
    from pipeline.statements.document import breached_tickets_csv, statement_json
    from pipeline.statements.render import PDFAttachment

    return (
        PDFAttachment("statement.json", statement_json(view), "The statement's figures (R21)"),
        PDFAttachment("breached-tickets.csv", breached_tickets_csv(view), "Breached support clocks of the month"),
    )
