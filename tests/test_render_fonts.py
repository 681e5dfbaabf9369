"""Bundled fonts (R21): names in any script print with the fonts shipped in reports/templates/fonts.

WeasyPrint names an @font-face font after its family, so the embedded names prove which files drew
the text: a silent fallback to a system font would embed 'DejaVuSans' or similar instead.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from fixtures.statements import AS_OF, MONTH, SMITH

from pipeline.statements.builder import build_views
from pipeline.statements.glyphs import needs_fallback_font
from pipeline.statements.inspect import pdf_font_names, pdf_text
from pipeline.statements.render import Renderer, render_messages
from pipeline.warehouse import connection


@pytest.fixture(scope="module")
def view(statement_month):
    """smith-gmbh's statement view of the statement month built by the real pipeline (conftest.py)."""
    with connection(statement_month.warehouse, read_only=True) as con:
        (smith,) = build_views(con, MONTH, AS_OF, customer_ids=[SMITH])
    return smith


@pytest.fixture(scope="module")
def renderer():
    return Renderer()


def test_r21_cjk_name_uses_the_bundled_fallback_font(view):
    kyoto = replace(view, customer_name="Kyoto AI 株式会社 Ærø")
    with render_messages() as messages:
        result = Renderer().render_statement(kyoto)  # a fresh renderer: its fetcher shows every font it loads
    assert messages == []
    assert "Kyoto AI 株式会社 Ærø" in pdf_text(result.pdf)
    assert {"fonts/DejaVuSans.ttf", "fonts/DejaVuSans-Bold.ttf", "fonts/DroidSansFallbackFull.ttf"} <= set(
        result.served
    )
    fonts = pdf_font_names(result.pdf)
    assert {"Statement-Sans", "Statement-Sans-Bold"} <= fonts
    assert any(name.startswith("Statement-Fallback") for name in fonts)
    assert all(name.startswith("Statement-") for name in fonts), fonts


def test_r21_characters_no_bundled_font_has_are_reported(view, renderer, caplog):
    odd = replace(view, customer_name="Hieroglyph \U00013000 Trading")
    with caplog.at_level(logging.WARNING, logger="pipeline.statements.glyphs"), render_messages() as messages:
        renderer.render_statement(odd)
    assert any("U+13000" in m for m in messages), messages
    assert "statement of smith-gmbh" in caplog.text


def test_r21_the_cjk_fallback_font_is_only_declared_when_the_text_needs_it(view):
    """Issue 12: the 4 MB fallback slows every line's layout, so a statement whose text DejaVu Sans
    (regular and bold) draws never declares it; one CJK character, anywhere in the document, brings
    it in."""
    latin = Renderer().render_statement(replace(view, customer_name="Smith & Söhne GmbH — Ærø"))
    assert "fonts/DroidSansFallbackFull.ttf" not in latin.served
    assert "statement-fallback.css" not in latin.served
    assert pdf_font_names(latin.pdf) == {"Statement-Sans", "Statement-Sans-Bold"}
    assert needs_fallback_font("Smith & Söhne — “Ærø” · 99.9 % × 5 ≤ −1") is False
    assert needs_fallback_font("<p>Kyoto AI 株式会社</p>") is True
    assert needs_fallback_font("Seoul 서울") is True
