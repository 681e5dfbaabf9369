"""The WeasyPrint document class of credit statements (issue 12): the same HTML, less work per statement.

`StatementHTML` is `weasyprint.HTML` with a user-agent stylesheet trimmed to the rules a statement's
elements can match (`reports/templates/statement-ua.css`, a verbatim subset of WeasyPrint's
html5_ua.css). WeasyPrint cascades its whole UA sheet for every element, and that sheet's universal
pseudo-element rules (`::marker`, `::footnote-call`, …) give every element six more computed styles;
about 12 % of a statement's CPU time went there. The hook is `HTML._ua_stylesheets`, the method WeasyPrint
itself overrides in its own test suite to swap the UA sheet; tests/test_statement_document.py pins that
WeasyPrint still calls it and that a statement renders to the same bytes as with the full sheet.

Only statements use it: other documents (finance summary, simulation) keep plain `weasyprint.HTML`.
"""

from __future__ import annotations

from functools import cache

from weasyprint import CSS, HTML

from pipeline.settings import TEMPLATES_DIR

UA_STYLESHEET_NAME = "statement-ua.css"
# Every HTML tag a statement may contain; statement-ua.css holds the UA rules of exactly these.
UA_TAGS = frozenset(
    "html head meta title body header footer section figure div p span strong br h1 h2 "
    "table colgroup col thead tbody tr th td svg".split()
)


@cache
def statement_ua_stylesheet() -> CSS:
    """The trimmed UA sheet, parsed once per process. It has no URL and no @counter-style rule (the UA
    counter styles still come from `HTML._ua_counter_style`)."""
    return CSS(string=(TEMPLATES_DIR / UA_STYLESHEET_NAME).read_text(encoding="utf-8"), counter_style={})


class StatementHTML(HTML):
    """`weasyprint.HTML` for credit statements: the trimmed user-agent stylesheet."""

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        if forms:  # statements have no form fields; keep WeasyPrint's own behaviour if one ever does
            return super()._ua_stylesheets(forms)
        return [statement_ua_stylesheet()]


__all__ = ["StatementHTML", "UA_TAGS", "statement_ua_stylesheet"]
