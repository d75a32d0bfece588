"""
The record book as PDF, made by Typst (the ``typst`` wheel: no system libraries).

The Typst source is a fixed template (``frontend/templates/orglife/record_book.typ``);
the book's data goes in as JSON through ``sys.inputs`` and is only ever placed as
text, so nothing a user typed is read as markup. The Chinese comes from Noto CJK
(Debian's fonts-noto-cjk, ``settings.ORGLIFE_PDF_FONT_PATHS``); without it Typst
would print empty boxes, so ``FontsMissing`` is raised instead and the views answer
a clear 503.
"""

import json
from functools import cache
from pathlib import Path

import typst
from django.conf import settings

TEMPLATE = Path(settings.BASE_DIR) / "frontend" / "templates" / "orglife" / "record_book.typ"
FONT_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")


class FontsMissing(RuntimeError):
    """The CJK fonts the record book needs are not installed."""


@cache
def _families(paths: tuple[str, ...]) -> frozenset[str]:
    existing = [p for p in paths if Path(p).is_dir()]
    if not existing:
        return frozenset()
    fonts = typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=existing
    )
    return frozenset(fonts.families())


def fonts_available() -> bool:
    families = _families(tuple(settings.ORGLIFE_PDF_FONT_PATHS))
    return any(family in families for family in FONT_FAMILIES)


def book_pdf(book: dict) -> bytes:
    """The PDF of ``book`` (``orglife.exports.book_data``); ``FontsMissing`` without CJK fonts."""
    if not fonts_available():
        raise FontsMissing(", ".join(settings.ORGLIFE_PDF_FONT_PATHS))
    return typst.compile(
        TEMPLATE.read_bytes(),
        font_paths=list(settings.ORGLIFE_PDF_FONT_PATHS),
        ignore_system_fonts=True,
        sys_inputs={"data": json.dumps(book, ensure_ascii=False)},
    )
