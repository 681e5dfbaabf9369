"""Jinja2 + WeasyPrint rendering of statements and the finance month summary (R21).

One Jinja2 environment (`autoescape=True`, `StrictUndefined`) over `reports/templates/`; the filters
below are the only formatting code templates use. Documents are rendered as PDF/A-3b with their
attachments embedded, through the deny-by-default `BundledAssetFetcher` (document, stylesheet, fonts
and attachments alike), with the base URL set to the templates folder so the bundled fonts load.

Byte-identical output for identical inputs: the document dates come from `dcterms.created` /
`dcterms.modified` (the as-of instant), attachment dates are explicit, the PDF identifier is a hash
of the content, and `SOURCE_DATE_EPOCH` is pinned for any font-subsetting fallback.

Statements are the hot path (one per enterprise customer, issue 12): their stylesheet is parsed once per
`Renderer` (so once per worker process) into a `weasyprint.CSS` whose @font-face fonts load into the
renderer's one `FontConfiguration`, and passed to every statement, instead of each document fetching and
parsing a `<link>`ed copy. The CJK fallback font's stylesheet is added only when the statement's text holds
a character the primary fonts lack (`glyphs.needs_fallback_font`), and the document class is
`htmldoc.StatementHTML` (a user-agent stylesheet trimmed to the statement's elements). Other documents
(finance summary, simulation) link their stylesheet and use plain `weasyprint.HTML` as before.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Any

import jinja2
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration

from pipeline.settings import TEMPLATES_DIR
from pipeline.statements import figures
from pipeline.statements.chart import daily_chart_svg, history_chart_svg
from pipeline.statements.document import breached_tickets_csv, statement_json
from pipeline.statements.fetcher import BundledAssetFetcher
from pipeline.statements.glyphs import needs_fallback_font, uncovered_characters
from pipeline.statements.htmldoc import StatementHTML
from pipeline.statements.viewmodel import StatementView, sha256_hex

PDF_VARIANT = "pdf/a-3b"
# Only used if WeasyPrint falls back to fontTools subsetting (no libharfbuzz-subset0): a fixed value
# keeps the font timestamps, and so the bytes, identical between runs.
SOURCE_DATE_EPOCH = "946684800"


def _pct(value: Decimal | Fraction, decimals: int = 3) -> str:
    return figures.percent_of_ratio(value, decimals)


def _pct_exact(value: Decimal) -> str:
    return figures.decimal_string(Decimal(value) * 100)


def _utc_seconds(instant: datetime | None) -> str:
    return "—" if instant is None else instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


FILTERS = {
    "money": figures.money_text,
    "fee": lambda amount, minor_unit: figures.group_thousands(figures.fee_string(amount, minor_unit)),
    "pct": _pct,
    "pct_exact": _pct_exact,
    "points": lambda value: figures.floor_decimals(value, 3),
    "plain": figures.decimal_string,
    "minutes": figures.minutes_text,
    "duration": figures.duration_text,
    "utc": figures.utc_text,
    "utc_short": figures.utc_short,
    "hmm": figures.hours_minutes,
    "utc_seconds": _utc_seconds,
    "iso": figures.utc_iso,
    "day": lambda d: d.isoformat() if isinstance(d, date) else "—",
}


@cache
def environment() -> jinja2.Environment:
    """The one HTML environment: autoescape on for every template name, undefined names raise."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


def base_url() -> str:
    return TEMPLATES_DIR.resolve().as_uri() + "/"


def statement_html(view: StatementView) -> str:
    return environment().get_template("statement.html.j2").render(
        view=view, chart=daily_chart_svg(view.days), history_chart=history_chart_svg(view.history)
    )


def render_template(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


WATCHED_LOGGERS = ("weasyprint", "pipeline.statements")
GLYPH_LOG = logging.getLogger("pipeline.statements.glyphs")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}|{record.levelname}|{record.getMessage()}")


@contextlib.contextmanager
def render_messages() -> Iterator[list[str]]:
    """Collect warnings and errors of WeasyPrint and of the statement code during a render, as
    'logger|LEVEL|message' (they still reach other handlers)."""
    handler = _Collect()
    loggers = [logging.getLogger(name) for name in WATCHED_LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def _check_glyphs(view: StatementView) -> None:
    texts = [view.customer_name]
    texts += [c.contract_id for c in view.contracts]
    texts += [b.subject for b in view.breached_clocks] + [b.ticket_id for b in view.breached_clocks]
    texts += [w for p in view.excluded_periods for w in p.windows]
    texts += [i.summary for i in view.incidents] + [i.incident_id for i in view.incidents]
    missing = uncovered_characters(texts)
    if missing:
        GLYPH_LOG.warning(
            "statement of %s: no bundled font draws %s; they print as empty boxes",
            view.customer_id,
            ", ".join(f"U+{ord(c):04X}" for c in missing),
        )


@dataclass(frozen=True)
class RenderedPDF:
    pdf: bytes
    sha256: str
    messages: tuple[str, ...]
    served: tuple[str, ...]
    refused: tuple[str, ...]


@dataclass(frozen=True)
class PDFAttachment:
    name: str
    text: str
    description: str
    relationship: str = "Data"


# The statement's stylesheet (templates folder), given to WeasyPrint as a parsed CSS object, and the
# CJK fallback font's, added only for a statement whose text the primary fonts cannot draw.
STATEMENT_STYLESHEET = "statement.css"
FALLBACK_STYLESHEET = "statement-fallback.css"


@dataclass(frozen=True)
class _Stylesheet:
    css: CSS
    served: tuple[str, ...]  # what parsing it fetched: the file itself and its @font-face fonts
    refused: tuple[str, ...]


class Renderer:
    """Renders documents in this process; keeps one font configuration, and each stylesheet parsed once,
    for all of them."""

    def __init__(self) -> None:
        os.environ.setdefault("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        self.font_config = FontConfiguration()
        self._stylesheets: dict[str, _Stylesheet] = {}

    def stylesheet(self, name: str) -> _Stylesheet:
        """The templates folder's stylesheet `name`, parsed on first use through the deny-by-default
        fetcher; its fonts are loaded into this renderer's font configuration then, once."""
        sheet = self._stylesheets.get(name)
        if sheet is None:
            fetcher = BundledAssetFetcher()
            css = CSS(url=base_url() + name, url_fetcher=fetcher, font_config=self.font_config)
            sheet = self._stylesheets[name] = _Stylesheet(css, tuple(fetcher.served), tuple(fetcher.refused))
        return sheet

    def render_html(
        self,
        html: str,
        *,
        dated: datetime,
        attachments: tuple[PDFAttachment, ...] = (),
        view: StatementView | None = None,
        stylesheets: tuple[str, ...] = (),
        document_class: type[HTML] = HTML,
    ) -> RenderedPDF:
        """HTML → PDF/A-3b bytes; `dated` is the instant used for every date inside the file.
        `stylesheets` names templates-folder stylesheets applied on top of what the HTML links, each
        parsed once per renderer; `served`/`refused` include what parsing them fetched. `document_class`
        is the WeasyPrint document class (statements: `htmldoc.StatementHTML`)."""
        fetcher = BundledAssetFetcher()
        stamp = dated.astimezone(UTC)
        with render_messages() as messages:
            if view is not None:
                _check_glyphs(view)
            sheets = [self.stylesheet(name) for name in stylesheets]
            document = document_class(string=html, base_url=base_url(), url_fetcher=fetcher)
            pdf_attachments = [
                Attachment(
                    string=a.text.encode("utf-8"),
                    base_url=base_url(),
                    url_fetcher=fetcher,
                    name=a.name,
                    description=a.description,
                    created=stamp,
                    modified=stamp,
                    relationship=a.relationship,
                )
                for a in attachments
            ]
            pdf = document.write_pdf(
                pdf_variant=PDF_VARIANT,
                attachments=pdf_attachments,
                font_config=self.font_config,
                stylesheets=[sheet.css for sheet in sheets],
            )
        return RenderedPDF(
            pdf=pdf,
            sha256=sha256_hex(pdf),
            messages=tuple(messages),
            served=tuple(name for sheet in sheets for name in sheet.served) + tuple(fetcher.served),
            refused=tuple(name for sheet in sheets for name in sheet.refused) + tuple(fetcher.refused),
        )

    def render_statement(self, view: StatementView) -> RenderedPDF:
        html = statement_html(view)
        sheets = (STATEMENT_STYLESHEET, FALLBACK_STYLESHEET) if needs_fallback_font(html) else (STATEMENT_STYLESHEET,)
        return self.render_html(
            html,
            dated=view.as_of,
            view=view,
            stylesheets=sheets,
            document_class=StatementHTML,
            attachments=(
                PDFAttachment("statement.json", statement_json(view), "The statement's figures (R21)"),
                PDFAttachment(
                    "breached-tickets.csv", breached_tickets_csv(view), "Breached support clocks of the month"
                ),
            ),
        )


__all__ = [
    "Renderer",
    "RenderedPDF",
    "PDFAttachment",
    "environment",
    "statement_html",
    "render_template",
    "base_url",
    "render_messages",
    "PDF_VARIANT",
    "STATEMENT_STYLESHEET",
    "FALLBACK_STYLESHEET",
]
