"""The CJK font every PDF embeds: a subset of Noto Sans CJK SC shipped in reports/fonts/.

fpdf2 embeds only the glyphs a document uses, so a scorecard stays small. A character the
subset lacks is replaced by 〓 (the conventional mark for a missing character in Chinese
typesetting) instead of printing an empty box.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "kaohe"
FILES = {"": DIR / "KaoheSansSC-Regular.ttf", "B": DIR / "KaoheSansSC-Bold.ttf"}
LICENCE = DIR / "OFL.txt"
MISSING = "\u3013"  # 〓


def register(pdf) -> None:
    for style, path in FILES.items():
        pdf.add_font(FAMILY, style, str(path))


@lru_cache(maxsize=1)
def charset() -> frozenset[int]:
    """Code points the shipped font can draw (both styles come from one character list)."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(FILES[""]), lazy=True)
    return frozenset(font.getBestCmap())


def drawable(text: str) -> str:
    """`text` with every character the font cannot draw replaced by 〓 (line breaks kept)."""
    cs = charset()
    if all(ord(c) in cs or c == "\n" for c in text):
        return text
    return "".join(c if (ord(c) in cs or c == "\n") else MISSING for c in text)
