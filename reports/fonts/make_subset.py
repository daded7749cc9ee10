"""Make the CJK font the PDFs embed: a subset of Noto Sans CJK SC (SIL OFL 1.1), as TrueType.

Run from the repository root to redo it (Debian: `apt-get install fonts-noto-cjk`):

    python reports/fonts/make_subset.py [/usr/share/fonts/opentype/noto]

Why a subset: the whole collection is 19 MB; GB2312 (all 6,763 hanzi and its symbols) plus
ASCII, Latin-1, general and CJK punctuation, full-width forms, a few arrows and shapes, and
every character of data/seed/*.csv covers what a district's names and our own labels use.
Why TrueType: fpdf2 embeds glyf outlines (FontFile2) reliably, so the CFF outlines are
converted to quadratic curves with fontTools' cu2qu. The family is renamed "Kaohe Sans SC"
because a modified font should not carry the original's name (OFL condition 3 spirit).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, newTable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NOTO = Path("/usr/share/fonts/opentype/noto")
STYLES = ("Regular", "Bold")
FAMILY = "Kaohe Sans SC"
SC_NAME = "Noto Sans CJK SC"

RANGES = [
    (0x20, 0x7E), (0xA0, 0xFF),  # ASCII, Latin-1
    (0x2000, 0x206F),  # general punctuation (— ‘ ’ “ ” … ‰)
    (0x2100, 0x214F), (0x2150, 0x218F),  # letterlike (℃ №), number forms (Ⅰ Ⅱ)
    (0x2190, 0x21FF), (0x2200, 0x22FF),  # arrows, maths (≤ ≥ ± ×)
    (0x2460, 0x24FF), (0x2500, 0x257F), (0x25A0, 0x25FF), (0x2600, 0x26FF),  # ① ─ ■ ▲ ●  ★
    (0x2713, 0x2717),  # ✓ ✗
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3200, 0x32FF),  # enclosed CJK
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # full-width forms
]


def gb2312() -> set[int]:
    """Every character GB2312 encodes (rows 1-9 symbols, rows 16-87 hanzi)."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(ord(bytes([hi, lo]).decode("gb2312")))
    return chars


def seed_chars() -> set[int]:
    chars = set()
    for path in sorted((ROOT / "data" / "seed").glob("*.csv")):
        chars |= {ord(c) for c in path.read_text(encoding="utf-8") if ord(c) >= 0x20}
    return chars


def wanted() -> set[int]:
    chars = gb2312() | seed_chars()
    for lo, hi in RANGES:
        chars |= set(range(lo, hi + 1))
    return chars


def _to_truetype(font) -> None:
    """CFF (cubic) outlines to glyf (quadratic), after fontTools' otf2ttf snippet."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        tt_pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(tt_pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = tt_pen.glyph()
    del font["CFF "]
    for tag in ("VORG", "vhea", "vmtx"):
        if tag in font:
            del font[tag]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones",):
        setattr(maxp, attr, 1)
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.compile(font)
    post = font["post"]
    post.formatType = 3.0  # no glyph names: smaller, and PDF viewers do not need them
    post.extraNames, post.mapping = [], {}
    font.sfntVersion = "\000\001\000\000"


def _rename(font) -> None:
    name = font["name"]
    for rec in list(name.names):
        text = rec.toUnicode()
        if rec.nameID in (1, 3, 4, 6, 16, 17):
            text = text.replace(SC_NAME, FAMILY).replace("NotoSansCJKsc", "KaoheSansSC")
            name.setName(text, rec.nameID, rec.platformID, rec.platEncID, rec.langID)
    name.setName(f"Subset of {SC_NAME} for Kaohe reports; SIL Open Font License 1.1", 5, 3, 1, 0x409)


def make(source: Path, output: Path) -> Path:
    collection = TTCollection(str(source))
    font = next(f for f in collection.fonts if f["name"].getDebugName(4).startswith(SC_NAME))
    options = subset.Options()
    options.layout_features = []  # fpdf2 drops GSUB/GPOS anyway; CJK needs no shaping here
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "vhea", "vmtx", "VORG"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.desubroutinize = True
    options.hinting = False
    sub = subset.Subsetter(options)
    sub.populate(unicodes=sorted(wanted()))
    sub.subset(font)
    _to_truetype(font)
    _rename(font)
    # One BMP cmap subtable: every character is in the BMP, and fpdf2 parses the cmap per PDF.
    cmap = font["cmap"]
    cmap.tables = [tb for tb in cmap.tables if (tb.platformID, tb.platEncID) == (3, 1)]
    font.save(str(output))
    return output


def main(source_dir: Path = NOTO) -> list[Path]:
    outs = []
    for style in STYLES:
        out = make(source_dir / f"NotoSansCJK-{style}.ttc", HERE / f"KaoheSansSC-{style}.ttf")
        print(f"{out.name} {out.stat().st_size / 1e6:.2f} MB")
        outs.append(out)
    return outs


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else NOTO)
