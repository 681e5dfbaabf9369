"""Read a rendered statement back (pypdf): text, attachments, embedded fonts, XMP metadata.

Used by the tests and handy when checking a statement by hand:
`uv run python -m pipeline.statements.inspect statements/2025-03/acme.pdf`.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pypdf


def _reader(pdf: bytes | Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)


def pdf_text(pdf: bytes | Path) -> str:
    return "\n".join(page.extract_text() for page in _reader(pdf).pages)


def pdf_page_count(pdf: bytes | Path) -> int:
    return len(_reader(pdf).pages)


def pdf_attachments(pdf: bytes | Path) -> dict[str, bytes]:
    """Attachment name → content (one content per name; statements never repeat a name)."""
    return {name: contents[0] for name, contents in _reader(pdf).attachments.items()}


def statement_json_of(pdf: bytes | Path) -> dict:
    return json.loads(pdf_attachments(pdf)["statement.json"].decode("utf-8"))


def pdf_font_names(pdf: bytes | Path) -> set[str]:
    """Embedded font names without the subset tag ('ABCDEF+Statement-Sans' → 'Statement-Sans')."""
    names = set()
    for page in _reader(pdf).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            base = str(font.get_object()["/BaseFont"]).lstrip("/")
            names.add(base.split("+", 1)[-1])
    return names


def pdf_xmp(pdf: bytes | Path) -> str:
    return _reader(pdf).trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")


def main(argv: list[str]) -> int:
    for name in argv:
        path = Path(name)
        print(f"== {path} ({pdf_page_count(path)} pages)")
        print("fonts:", ", ".join(sorted(pdf_font_names(path))))
        print("attachments:", ", ".join(sorted(pdf_attachments(path))))
        print(pdf_text(path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))


__all__ = ["pdf_text", "pdf_page_count", "pdf_attachments", "statement_json_of", "pdf_font_names", "pdf_xmp"]
