"""Which characters the bundled fonts can draw, so a customer's text never prints as empty boxes.

WeasyPrint does not always warn when no font has a glyph (it draws a box), so the renderer checks the
customer-supplied text of each statement against the union of the bundled fonts' character maps and
logs a warning naming the characters it cannot draw.
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


__all__ = ["covered_code_points", "uncovered_characters"]
