"""Which characters the bundled fonts can draw, so a customer's text never prints as empty boxes.

WeasyPrint does not always warn when no font has a glyph (it draws a box), so the renderer checks the
customer-supplied text of each statement against the union of the bundled fonts' character maps and
logs a warning naming the characters it cannot draw.

The CJK fallback font (DroidSansFallbackFull, 4 MB) costs layout time whenever it is in a document's
font list, so a statement only declares it when its text holds a character the primary fonts (DejaVu
Sans regular and bold) cannot draw (`needs_fallback_font`); the glyph check above still runs on the
union of all bundled fonts.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import cache

from fontTools.ttLib import TTFont

from pipeline.settings import TEMPLATES_DIR


@cache
def covered_code_points() -> frozenset[int]:
    points: set[int] = set()
    for path in sorted((TEMPLATES_DIR / "fonts").glob("*.ttf")):
        with TTFont(path, lazy=True) as font:
            points.update(font.getBestCmap())
    return frozenset(points)


# The primary family: every statement declares it; the fallback only when `needs_fallback_font`.
PRIMARY_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


@cache
def primary_code_points() -> frozenset[int]:
    """Code points both primary fonts (regular and bold) draw: text made only of these never needs the
    fallback, whatever its weight."""
    maps = []
    for name in PRIMARY_FONTS:
        with TTFont(TEMPLATES_DIR / "fonts" / name, lazy=True) as font:
            maps.append(set(font.getBestCmap()))
    return frozenset(set.intersection(*maps))


def needs_fallback_font(text: str) -> bool:
    """Whether `text` (a whole document, markup included: tags and entities are ASCII) holds a printable
    character the primary fonts lack. Errs towards the fallback: anything but whitespace and C0/C1
    controls counts, so format characters such as U+200D also bring the fallback in."""
    primary = primary_code_points()
    return any(
        ord(char) not in primary and not char.isspace() and unicodedata.category(char) != "Cc"
        for char in set(text)
    )


def uncovered_characters(texts: Iterable[str | None]) -> list[str]:
    """Printable characters of `texts` that no bundled font has, in first-seen order."""
    covered = covered_code_points()
    missing: dict[str, None] = {}
    for text in texts:
        for char in text or "":
            if ord(char) in covered or char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
                continue
            missing[char] = None
    return list(missing)


__all__ = ["covered_code_points", "uncovered_characters", "primary_code_points", "needs_fallback_font", "PRIMARY_FONTS"]
