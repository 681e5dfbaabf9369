"""Fixed table layout (issue 12) with long customer text: nothing is cut off or runs past the page.

Statement tables use `table-layout: fixed` with declared column widths, so a cell no longer widens its
column: long text must wrap inside it. A 200-character customer name and 300 breached tickets (long
ticket ids, long subjects) are rendered; every word is in the PDF's text and no word's box reaches past
the right page margin (R21: every figure and word of the statement is printed).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from datetime import timedelta

import pytest
from fixtures.statements import ACME, AS_OF, MONTH

from pipeline.statements.builder import build_views
from pipeline.statements.inspect import pdf_text
from pipeline.statements.render import Renderer, render_messages
from pipeline.warehouse import connection

A4_WIDTH_PT = 595.28
RIGHT_MARGIN_PT = 16 / 25.4 * 72  # statement.css @page margin
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


@pytest.fixture(scope="module")
def long_view(statement_month):
    with connection(statement_month.warehouse, read_only=True) as con:
        (acme,) = build_views(con, MONTH, AS_OF, customer_ids=[ACME])
    name = ("Acme Analytics Holding International Subsidiaries and Affiliated Research Laboratories "
            "of the Greater Benelux Region NV, Department of Machine Learning Platform Operations, Antwerp")
    name = (name + " Zürich-Köln-Ærø Branch Office")[:200]
    first = acme.breached_clocks[0]
    clocks = tuple(
        replace(
            first,
            ticket_id=f"TICKET-{index:05d}-OVERFLOW-CHECK" if index % 50 == 0 else f"T-{index:05d}",
            subject=f"Subject number {index} about a very long-winded production incident affecting many tenants",
            created_at=first.created_at + timedelta(minutes=index),
        )
        for index in range(300)
    )
    return replace(acme, customer_name=name, breached_clocks=clocks)


def test_long_name_and_300_breached_tickets_wrap_inside_their_columns(long_view, tmp_path):
    with render_messages() as messages:
        result = Renderer().render_statement(long_view)
    assert messages == []
    squeeze = lambda t: "".join(t.split())  # noqa: E731 - wrapped text may break inside a word
    text = squeeze(pdf_text(result.pdf))
    assert squeeze(long_view.customer_name) in text
    for clock in long_view.breached_clocks:
        assert squeeze(clock.ticket_id) in text
        assert squeeze(clock.subject) in text
    path = tmp_path / "long.pdf"
    path.write_bytes(result.pdf)
    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    overlaps, words = [], 0
    for page_no, page in enumerate(boxes.split("<page ")[1:]):
        lines: dict[float, list[tuple[float, float, str]]] = {}
        for x0, y0, x1, _y1, word in WORD.findall(page):
            lines.setdefault(round(float(y0)), []).append((float(x0), float(x1), word))
            words += 1
            assert float(x1) <= A4_WIDTH_PT - RIGHT_MARGIN_PT + 0.5, (page_no, word, x1)  # past the margin
        for line in lines.values():  # a cell overflowing into its neighbour puts two words on one spot
            line.sort()
            overlaps += [(page_no, a[2], b[2]) for a, b in zip(line, line[1:]) if b[0] < a[1] - 0.5]
    assert words > 3000
    assert overlaps == []
