"""The CJK font every PDF embeds: a subset of Noto Sans CJK SC shipped in reports/fonts/.

fpdf2 embeds only the glyphs a document uses, so a scorecard stays small. A character the
subset lacks is replaced by 〓 (the conventional mark for a missing character in Chinese
typesetting) instead of printing an empty box.
"""

from __future__ import annotations

import copy
import threading
from functools import lru_cache
from pathlib import Path

DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "kaohe"
FILES = {"": DIR / "KaoheSansSC-Regular.ttf", "B": DIR / "KaoheSansSC-Bold.ttf"}
LICENCE = DIR / "OFL.txt"
MISSING = "\u3013"  # 〓


_PROTOTYPES: dict[str, object] = {}
_LOCK = threading.Lock()


def register(pdf) -> None:
    """Add both styles to `pdf`.

    Parsing 8,600 glyphs' metrics takes fpdf2 about 0.1 s per style, which would be a fifth of a
    scorecard's budget. The metrics never change, so the first parse is kept as a prototype and
    later documents get a copy of it with a fresh, lazily opened font file (fpdf2 subsets that file
    in place when it writes the PDF, so it cannot be shared). Any surprise falls back to add_font.
    """
    for style, path in FILES.items():
        key = f"{FAMILY}{style}"
        proto = _PROTOTYPES.get(key)
        if proto is not None:
            try:
                pdf.fonts[key] = _clone(proto, pdf, path)
                continue
            except Exception:  # noqa: BLE001 - an fpdf2 internals change: parse as usual
                _PROTOTYPES.pop(key, None)
        pdf.add_font(FAMILY, style, str(path))
        with _LOCK:
            _PROTOTYPES.setdefault(key, copy.copy(pdf.fonts[key]))
        _master(path)  # parsed once now, so that every later PDF copies instead of parsing


def warm() -> None:
    """Parse both styles now (e.g. before forking batch workers, which then inherit them)."""
    from fpdf import FPDF

    register(FPDF())
    for path in FILES.values():
        _master(path)


_MASTERS: dict[str, object] = {}


def _master(path: Path):
    """The font file parsed once per process (tables decompiled, glyph outlines left packed)."""
    from fontTools.ttLib import TTFont

    key = str(path)
    font = _MASTERS.get(key)  # lock-free when warm: forked batch workers never wait on the lock
    if font is not None:
        return font
    with _LOCK:
        font = _MASTERS.get(key)
        if font is None:
            font = TTFont(key, recalcTimestamp=False)
            tags = font.keys()  # a TTFont is not iterable
            for tag in tags:
                font[tag]
            for sub in font["cmap"].tables:
                sub.ensureDecompiled()  # else a copy would write the raw, unsubsetted cmap back out
            _MASTERS[key] = font
    return font


def fresh_ttfont(path: Path):
    """A TTFont fpdf2 may subset in place, made from the parsed master in a few milliseconds.

    fontTools' subsetter replaces a font's dictionaries (glyphs, metrics, cmap) rather than
    editing the shared glyph objects (apart from an idempotent trim), so copying the tables and
    their dictionaries is enough; parsing the 2 MB file again per PDF cost about 0.1 s per style.
    """
    from fontTools.ttLib import TTFont

    master = _master(path)
    # No bounding-box recalculation on save: glyphs are then written from their packed bytes
    # instead of being unpacked and re-encoded, and the boxes stored with them are already right.
    font = TTFont(recalcTimestamp=False, recalcBBoxes=False)
    font.sfntVersion = master.sfntVersion
    font.setGlyphOrder(list(master.getGlyphOrder()))
    tags = master.keys()
    for tag in tags:
        if tag == "GlyphOrder":
            continue
        table = master[tag]
        new = copy.copy(table)
        if tag == "glyf":
            new.glyphs, new.glyphOrder = dict(table.glyphs), list(table.glyphOrder)
        elif tag == "hmtx":
            new.metrics = dict(table.metrics)
        elif tag == "cmap":
            new.tables = []
            for sub in table.tables:
                c = copy.copy(sub)
                c.cmap, c.data = dict(sub.cmap), None
                new.tables.append(c)
        elif tag == "post":
            new.extraNames = list(getattr(table, "extraNames", []))
            new.mapping = dict(getattr(table, "mapping", {}))
        elif tag == "name":
            new.names = list(table.names)
        font[tag] = new
    return font


def _clone(proto, pdf, path: Path):
    from fpdf.fonts import SubsetMap

    font = copy.copy(proto)
    font.i = len(pdf.fonts) + 1
    font.ttfont = fresh_ttfont(path)
    font._hbfont = None
    font.biggest_size_pt = 0
    font.missing_glyphs = []
    font.subset = SubsetMap(font)
    font.color_font = None
    return font


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
